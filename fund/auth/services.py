"""Users, passwords and API tokens: the rules, as plain functions on a session."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from fund.audit.models import AuditEvent
from fund.audit.services import record
from fund.auth.errors import (
    BrandRequired,
    PasswordTooWeak,
    RoleRefused,
    UsernameTaken,
    WrongPassword,
)
from fund.auth.models import ApiToken, User
from fund.auth.roles import Role
from fund.brands.models import Brand
from fund.db import utcnow

MIN_PASSWORD_LENGTH = 12
#: After this many failed sign-ins in a row an account refuses even the right password ...
MAX_FAILED_SIGN_INS = 5
#: ... until this long has passed without another attempt.
LOCKOUT = timedelta(minutes=15)
# Checked against when the username is unknown, so a miss costs as much time as a hit.
_DUMMY_HASH = generate_password_hash("not a real password")


def _user_snapshot(user: User) -> dict[str, object]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "brand": user.brand.code if user.brand else None,
        "active": user.active,
    }


def create_user(
    session: Session,
    *,
    username: str,
    role: Role,
    display_name: str | None = None,
    brand_code: str | None = None,
    password: str | None = None,
    actor: User | None = None,
) -> tuple[User, str]:
    """Add a user; returns it with its password (generated, one-time, when none is given)."""
    username = username.strip()
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise UsernameTaken(f"username {username!r} is taken")
    brand: Brand | None = None
    if role is Role.BRAND:
        if not brand_code:
            raise BrandRequired("a brand user needs --brand CODE")
        brand = session.scalar(select(Brand).where(Brand.code == brand_code))
        if brand is None:
            raise BrandRequired(f"no brand with code {brand_code!r}")
    elif brand_code:
        raise BrandRequired(f"only brand users belong to a brand, not a {role.value}")
    one_time = password is None
    if password is None:
        password = secrets.token_urlsafe(12)
    _check_strength(password)
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=generate_password_hash(password),
        role=role.value,
        brand=brand,
        must_change_password=one_time,
    )
    session.add(user)
    session.flush()
    record(
        session,
        actor=actor,
        action="user.create",
        object_type="user",
        object_id=user.id,
        after=_user_snapshot(user),
    )
    return user, password


def change_role(session: Session, *, user: User, role: Role, actor: User | None) -> User:
    """Give ``user`` another role (one role per user: the old one ends).

    Refused between duties that conflict (officer ↔ approver, accountant ↔ approver) while the
    user still has open work in the old one; brand users stay brand users.
    """
    from fund.controls.approvals import RolesConflict, check_role_change

    if user.role_enum is role:
        return user
    if Role.BRAND in (user.role_enum, role):
        raise RoleRefused("a brand user's role cannot change: make a new user instead")
    try:
        check_role_change(session, user=user, new_role=role)
    except RolesConflict as error:
        raise RoleRefused(str(error)) from error
    before = _user_snapshot(user)
    user.role = role.value
    user.session_version += 1  # open sessions end: they were signed in with the old duties
    session.flush()
    record(
        session,
        actor=actor,
        action="user.role_change",
        object_type="user",
        object_id=user.id,
        before=before,
        after=_user_snapshot(user),
    )
    return user


def _check_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordTooWeak(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")


def authenticate(session: Session, *, username: str, password: str) -> User | None:
    """The active user with this username and password, or None (same cost either way)."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def sign_in(session: Session, *, username: str, password: str) -> User | None:
    """``authenticate`` with a lockout; every attempt, good or bad, is in the audit log.

    Failures are recorded for unknown usernames too, so that neither the answer nor the work
    done tells a guesser which accounts exist. An account whose last ``MAX_FAILED_SIGN_INS``
    attempts failed stays shut until ``LOCKOUT`` has passed since the latest of them.
    """
    username = username.strip()
    user = session.scalar(select(User).where(User.username == username))
    if user is not None and _locked_out(session, user):
        check_password_hash(_DUMMY_HASH, password)  # the same cost as a real check
        signed_in = None
        reason = "locked"
    else:
        signed_in = authenticate(session, username=username, password=password)
        reason = "unknown user" if user is None else "wrong password or inactive"
    if signed_in is not None:
        record(
            session,
            actor=signed_in,
            action="user.login",
            object_type="user",
            object_id=signed_in.id,
        )
        return signed_in
    record(
        session,
        actor=None,
        action="user.login_failed",
        object_type="user",
        object_id=user.id if user is not None else "unknown",
        after={"username": username[:80], "reason": reason},
    )
    return None


def _locked_out(session: Session, user: User) -> bool:
    recent = session.execute(
        select(AuditEvent.action, AuditEvent.occurred_at)
        .where(
            AuditEvent.object_type == "user",
            AuditEvent.object_id == str(user.id),
            AuditEvent.action.in_(["user.login", "user.login_failed"]),
        )
        .order_by(AuditEvent.id.desc())
        .limit(MAX_FAILED_SIGN_INS)
    ).all()
    if len(recent) < MAX_FAILED_SIGN_INS or any(a != "user.login_failed" for a, _ in recent):
        return False
    latest: datetime = recent[0].occurred_at
    if latest.tzinfo is None:  # SQLite hands back naive UTC
        latest = latest.replace(tzinfo=UTC)
    return utcnow() - latest < LOCKOUT


def change_password(session: Session, *, user: User, current: str, new: str) -> None:
    """Set a new password; every existing session of the user stops working."""
    if not check_password_hash(user.password_hash, current):
        raise WrongPassword("the current password is not right")
    if new == current:
        raise PasswordTooWeak("the new password must differ from the current one")
    _check_strength(new)
    user.password_hash = generate_password_hash(new)
    user.must_change_password = False
    user.session_version += 1
    session.flush()
    record(
        session, actor=user, action="user.password_change", object_type="user", object_id=user.id
    )


def load_session_user(session: Session, session_id: str) -> User | None:
    """The user a Flask-Login session id names, if that session is still valid."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdecimal() or not version.isdecimal():
        return None
    user = session.get(User, int(user_id))
    if user is None or user.session_version != int(version) or not user.active:
        return None
    return user


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A freshly issued API token: the secret is shown once and never stored."""

    token: ApiToken
    secret: str


def issue_token(
    session: Session, *, user: User, name: str, actor: User | None = None
) -> IssuedToken:
    """Create an API token for ``user``."""
    secret = "wf_" + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, token_hash=_token_digest(secret))
    session.add(token)
    session.flush()
    record(
        session,
        actor=actor,
        action="api_token.issue",
        object_type="api_token",
        object_id=token.id,
        after={"user": user.username, "name": name},
    )
    return IssuedToken(token=token, secret=secret)


def revoke_tokens(
    session: Session, *, user: User, name: str | None = None, actor: User | None = None
) -> int:
    """Revoke ``user``'s live API tokens (only those called ``name``, if given); how many."""
    query = select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    if name is not None:
        query = query.where(ApiToken.name == name)
    tokens = session.scalars(query.order_by(ApiToken.id)).all()
    for token in tokens:
        token.revoked_at = utcnow()
        record(
            session,
            actor=actor,
            action="api_token.revoke",
            object_type="api_token",
            object_id=token.id,
            before={"user": user.username, "name": token.name, "revoked": False},
            after={"user": user.username, "name": token.name, "revoked": True},
        )
    session.flush()
    return len(tokens)


def user_for_token(session: Session, secret: str) -> User | None:
    """The active user an unrevoked API token belongs to, or None."""
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_digest(secret)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    token.last_used_at = utcnow()
    return token.user
