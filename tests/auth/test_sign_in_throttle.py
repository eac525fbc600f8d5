"""The sign-in lockout counts atomically, per user and per address; passwords are not common."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from fund.audit.models import AuditEvent
from fund.auth.errors import PasswordTooWeak, TooManyAttempts, WrongPassword
from fund.auth.models import User
from fund.auth.passwords import check_strength
from fund.auth.roles import Role
from fund.auth.services import (
    MAX_FAILED_PER_ADDRESS,
    MAX_FAILED_SIGN_INS,
    change_password,
    sign_in,
)
from fund.db import make_engine
from fund.migrate import upgrade

if TYPE_CHECKING:
    from tests.conftest import People

Login = Callable[..., Any]
FormToken = Callable[[FlaskClient, str], str]
GOOD = "correct horse battery staple"


@pytest.fixture
def committed_engine(tmp_path: Path) -> Iterator[Engine]:
    """A migrated database of this test's own, SQLite or (with TEST_DATABASE_URL) PostgreSQL."""
    base = os.environ.get("TEST_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        engine = make_engine(f"sqlite:///{tmp_path / 'throttle.sqlite'}", write_lock_first=True)
        upgrade(engine)
        yield engine
        engine.dispose()
        return
    url = make_url(base)
    name = f"{url.database}_throttle_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(
        url.set(database=name).render_as_string(hide_password=False), pool_size=45, max_overflow=5
    )
    upgrade(engine)
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_parallel_wrong_passwords_get_exactly_the_limit_checked(committed_engine: Engine) -> None:
    with Session(committed_engine) as setup:
        setup.add(
            User(
                username="approver",
                display_name="approver",
                password_hash=generate_password_hash(GOOD, method="pbkdf2:sha256:1000"),
                role=Role.APPROVER.value,
                must_change_password=False,
            )
        )
        setup.commit()
    guesses = 40
    start = threading.Barrier(guesses)
    errors: list[BaseException] = []

    def guess(n: int) -> None:
        try:
            with Session(committed_engine) as mine:
                start.wait(timeout=30)
                assert sign_in(mine, username="approver", password=f"guess {n}") is None
                mine.commit()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(guesses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors[:3]
    with Session(committed_engine) as check:
        reasons = check.scalars(
            select(AuditEvent.after["reason"].as_string()).where(
                AuditEvent.action == "user.login_failed"
            )
        ).all()
        assert len(reasons) == guesses
        checked = [reason for reason in reasons if reason != "locked"]
        assert len(checked) == MAX_FAILED_SIGN_INS
        # Locked now: even the right password is refused.
        assert sign_in(check, username="approver", password=GOOD) is None


def test_one_address_is_locked_after_its_own_limit_across_usernames(users: People) -> None:
    session = users.session
    for n in range(MAX_FAILED_PER_ADDRESS):
        sign_in(session, username=f"ghost{n}", password="wrong", address="192.0.2.7")
    assert sign_in(session, username="officer", password=GOOD, address="192.0.2.7") is None
    assert sign_in(session, username="officer", password=GOOD, address="192.0.2.8") is not None
    last = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "user.login_failed")
        .order_by(AuditEvent.id.desc())
    ).first()
    assert last is not None
    assert last.after == {"username": "officer", "reason": "locked", "address": "192.0.2.7"}


def test_a_good_sign_in_resets_the_count_of_failures(users: People) -> None:
    session = users.session
    for _ in range(MAX_FAILED_SIGN_INS - 1):
        assert sign_in(session, username="officer", password="wrong") is None
    assert sign_in(session, username="officer", password=GOOD) is not None
    for _ in range(MAX_FAILED_SIGN_INS - 1):
        assert sign_in(session, username="officer", password="wrong") is None
    assert sign_in(session, username="officer", password=GOOD) is not None


def test_the_password_change_shares_the_sign_in_limit(users: People) -> None:
    session = users.session
    officer = users.by_role[Role.OFFICER]
    for _ in range(MAX_FAILED_SIGN_INS):
        with pytest.raises(WrongPassword):
            change_password(session, user=officer, current="guess", new="a brand new passphrase")
    with pytest.raises(TooManyAttempts, match="too many wrong passwords"):
        change_password(session, user=officer, current=GOOD, new="a brand new passphrase")
    assert sign_in(session, username="officer", password=GOOD) is None  # locked as well
    count = session.scalar(
        select(func.count()).where(AuditEvent.action == "user.password_check_failed")
    )
    assert count == MAX_FAILED_SIGN_INS


def test_the_password_form_says_when_the_limit_is_reached(
    client: FlaskClient, users: People, login: Login, form_token: FormToken
) -> None:
    login(client, "officer")
    for _ in range(MAX_FAILED_SIGN_INS + 1):
        answer = client.post(
            "/account/password",
            data={
                "csrf_token": form_token(client, "/account/password"),
                "current": "a wrong guess",
                "new": "a brand new passphrase",
                "confirm": "a brand new passphrase",
            },
        )
        assert answer.status_code == 200
    assert "too many wrong passwords" in answer.get_data(as_text=True)


@pytest.mark.parametrize(
    "password",
    [
        "aaaaaaaaaaaa",
        "password1234",
        "Password123456!",
        "P@ssw0rd!!2024",
        "qwertyuiop123",
        "123456789012",
        "abcdefghijklm",
        "zyxwvutsrqpon",
        "ababababababab",
        "Bismillah786786",
        "officer-officer",
        "short",
    ],
)
def test_common_repeated_short_or_username_passwords_are_refused(password: str) -> None:
    with pytest.raises(PasswordTooWeak):
        check_strength(password, username="officer")


@pytest.mark.parametrize(
    "password",
    ["worker-fund-demo", "a different long password", "নদীর ধারে সবুজ মাঠ", "x" * 3 + "7Kq!pz0Lm2"],
)
def test_long_uncommon_passwords_of_any_script_pass(password: str) -> None:
    check_strength(password, username="officer")
