"""Users, passwords and API tokens as services on a session (no web requests)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from fund.audit.models import AuditEvent
from fund.auth.errors import BrandRequired, PasswordTooWeak, UsernameTaken, WrongPassword
from fund.auth.models import ApiToken
from fund.auth.roles import Role
from fund.auth.services import (
    LOCKOUT,
    MAX_FAILED_SIGN_INS,
    MIN_PASSWORD_LENGTH,
    authenticate,
    change_password,
    create_user,
    issue_token,
    load_session_user,
    revoke_tokens,
    sign_in,
    user_for_token,
)
from fund.db import utcnow

if TYPE_CHECKING:
    from tests.conftest import People


def test_a_new_user_gets_a_one_time_password_that_works_once_hashed(session: Session) -> None:
    user, password = create_user(session, username="  rahim ", role=Role.OFFICER)
    assert user.username == "rahim"
    assert len(password) >= MIN_PASSWORD_LENGTH
    assert password not in user.password_hash
    assert user.must_change_password is True
    assert authenticate(session, username="rahim", password=password) is user
    assert authenticate(session, username="rahim", password=password + "x") is None


def test_a_chosen_password_is_not_one_time(session: Session) -> None:
    user, password = create_user(
        session, username="karim", role=Role.AUDITOR, password="a long enough secret"
    )
    assert password == "a long enough secret"
    assert user.must_change_password is False


def test_usernames_are_unique(users: People) -> None:
    with pytest.raises(UsernameTaken):
        create_user(users.session, username="officer", role=Role.APPROVER)


@pytest.mark.parametrize(
    ("role", "brand", "message"),
    [
        (Role.BRAND, None, "needs"),
        (Role.BRAND, "NOBODY", "no brand"),
        (Role.OFFICER, "NORD", "only brand users"),
    ],
)
def test_brand_users_and_only_they_belong_to_a_known_brand(
    users: People, role: Role, brand: str | None, message: str
) -> None:
    with pytest.raises(BrandRequired, match=message):
        create_user(users.session, username="someone", role=role, brand_code=brand)


def test_short_passwords_are_refused(session: Session) -> None:
    with pytest.raises(PasswordTooWeak):
        create_user(session, username="x", role=Role.OFFICER, password="short")


def test_inactive_and_unknown_users_cannot_sign_in(users: People) -> None:
    assert authenticate(users.session, username="nobody", password=users.password) is None
    users.admin.active = False
    assert authenticate(users.session, username="admin", password=users.password) is None


def test_changing_the_password_ends_other_sessions(users: People) -> None:
    user = users.by_role[Role.OFFICER]
    old_session_id = user.get_id()
    assert load_session_user(users.session, old_session_id) is user
    change_password(users.session, user=user, current=users.password, new="a brand new password")
    assert load_session_user(users.session, old_session_id) is None
    assert load_session_user(users.session, user.get_id()) is user
    assert authenticate(users.session, username=user.username, password="a brand new password")
    assert user.must_change_password is False


def test_a_password_change_needs_the_current_password_and_a_new_one(users: People) -> None:
    user = users.by_role[Role.OFFICER]
    with pytest.raises(WrongPassword):
        change_password(users.session, user=user, current="wrong", new="a brand new password")
    with pytest.raises(PasswordTooWeak):
        change_password(users.session, user=user, current=users.password, new=users.password)
    with pytest.raises(PasswordTooWeak):
        change_password(users.session, user=user, current=users.password, new="short")
    assert user.session_version == 1


@pytest.mark.parametrize("session_id", ["", "1", "x:1", "1:x", "1:", ":1", "999999:1"])
def test_malformed_or_unknown_session_ids_name_nobody(users: People, session_id: str) -> None:
    assert load_session_user(users.session, session_id) is None


def test_a_deactivated_user_loses_its_session(users: People) -> None:
    session_id = users.admin.get_id()
    users.admin.active = False
    assert load_session_user(users.session, session_id) is None


def test_api_tokens_are_stored_as_digests_only(users: People) -> None:
    issued = issue_token(users.session, user=users.admin, name="reporting", actor=users.admin)
    stored = users.session.scalars(select(ApiToken)).all()
    assert [token.name for token in stored] == ["reporting"]
    assert issued.secret.startswith("wf_")
    assert issued.secret not in stored[0].token_hash
    assert stored[0].last_used_at is None
    assert user_for_token(users.session, issued.secret) is users.admin
    assert stored[0].last_used_at is not None
    assert user_for_token(users.session, issued.secret + "x") is None


def test_revoked_tokens_and_tokens_of_inactive_users_open_nothing(users: People) -> None:
    revoked = issue_token(users.session, user=users.admin, name="old")
    revoked.token.revoked_at = utcnow()
    assert user_for_token(users.session, revoked.secret) is None
    officer = issue_token(users.session, user=users.by_role[Role.OFFICER], name="x")
    users.by_role[Role.OFFICER].active = False
    assert user_for_token(users.session, officer.secret) is None


def test_each_change_writes_one_audit_event(users: People) -> None:
    def actions() -> list[tuple[str, str, str]]:
        events = users.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        return [(e.actor_name, e.action, e.object_id) for e in events]

    before = actions()
    user, _ = create_user(users.session, username="new", role=Role.OFFICER, actor=users.admin)
    token = issue_token(users.session, user=user, name="t", actor=users.admin)
    change_password(users.session, user=users.admin, current=users.password, new="another secret!")
    assert actions()[len(before) :] == [
        ("admin", "user.create", str(user.id)),
        ("admin", "api_token.issue", str(token.token.id)),
        ("admin", "user.password_change", str(users.admin.id)),
    ]
    created = users.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "user.create").order_by(AuditEvent.id)
    ).all()[-1]
    assert created.after == {
        "username": "new",
        "display_name": "new",
        "role": "officer",
        "brand": None,
        "active": True,
    }
    # Passwords and their hashes never reach the audit log.
    for event in users.session.scalars(select(AuditEvent)):
        assert "password" not in str(event.after or "") + str(event.before or "")


def sign_in_events(users: People) -> list[tuple[str, str, Any]]:
    events = users.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action.in_(["user.login", "user.login_failed"]))
        .order_by(AuditEvent.id)
    ).all()
    return [(event.action, event.object_id, event.after) for event in events]


def test_every_sign_in_attempt_is_recorded_without_the_password(users: People) -> None:
    officer = users.by_role[Role.OFFICER]
    assert sign_in(users.session, username="officer", password="guess one") is None
    assert sign_in(users.session, username="ghost", password="guess two") is None
    assert sign_in(users.session, username="officer", password=users.password) is officer
    assert sign_in_events(users) == [
        (
            "user.login_failed",
            str(officer.id),
            {"username": "officer", "reason": "wrong password or inactive"},
        ),
        ("user.login_failed", "unknown", {"username": "ghost", "reason": "unknown user"}),
        ("user.login", str(officer.id), None),
    ]


def test_repeated_failures_lock_the_account_for_a_while(
    users: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    for attempt in range(MAX_FAILED_SIGN_INS):
        assert sign_in(users.session, username="officer", password=f"guess {attempt}") is None
    # Locked: now even the right password is refused, with no different answer.
    assert sign_in(users.session, username="officer", password=users.password) is None
    assert sign_in_events(users)[-1][2] == {"username": "officer", "reason": "locked"}
    # Other accounts are not affected.
    assert sign_in(users.session, username="auditor", password=users.password) is not None
    later = utcnow() + LOCKOUT + timedelta(seconds=1)
    monkeypatch.setattr("fund.auth.services.utcnow", lambda: later)
    assert sign_in(users.session, username="officer", password=users.password) is not None


def test_a_successful_sign_in_resets_the_count(users: People) -> None:
    for _ in range(MAX_FAILED_SIGN_INS - 1):
        sign_in(users.session, username="officer", password="a guess")
    assert sign_in(users.session, username="officer", password=users.password) is not None
    for _ in range(MAX_FAILED_SIGN_INS - 1):
        sign_in(users.session, username="officer", password="a guess")
    assert sign_in(users.session, username="officer", password=users.password) is not None


def test_revoking_tokens_is_audited_and_leaves_other_users_alone(users: People) -> None:
    mine = issue_token(users.session, user=users.admin, name="a")
    theirs = issue_token(users.session, user=users.by_role[Role.OFFICER], name="a")
    assert revoke_tokens(users.session, user=users.admin, actor=users.admin) == 1
    assert user_for_token(users.session, mine.secret) is None
    assert user_for_token(users.session, theirs.secret) is not None
    event = users.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event is not None
    assert (event.action, event.actor_name, event.object_id) == (
        "api_token.revoke",
        "admin",
        str(mine.token.id),
    )
    assert revoke_tokens(users.session, user=users.admin) == 0


def test_require_own_brand_hides_other_brands_from_brand_users(users: People) -> None:
    from werkzeug.exceptions import NotFound

    from fund.auth.access import require_own_brand

    nord, haven = users.brands["NORD"], users.brands["HAVEN"]
    require_own_brand(users.nord, nord.id)
    require_own_brand(users.by_role[Role.AUDITOR], haven.id)  # staff see every brand
    with pytest.raises(NotFound):
        require_own_brand(users.nord, haven.id)
