"""Users, passwords and API tokens: the rules, as plain functions on a session."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, timedelta

from sqlalchemy import case, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from fund.audit.services import record
from fund.auth.duties import RolesConflict, check_role_change
from fund.auth.errors import (
    BrandRequired,
    PasswordTooWeak,
    RoleRefused,
    TokenExpired,
    TooManyAttempts,
    UsernameTaken,
    WrongPassword,
)
from fund.auth.models import ApiToken, SignInThrottle, User
from fund.auth.passwords import MIN_PASSWORD_LENGTH as MIN_PASSWORD_LENGTH
from fund.auth.passwords import check_strength
from fund.auth.roles import Role
from fund.brands.models import Brand
from fund.db import utcnow

#: After this many failed sign-ins in a row an account refuses even the right password ...
MAX_FAILED_SIGN_INS = 5
#: ... and one address after this many failures (an office behind one NAT has many users) ...
MAX_FAILED_PER_ADDRESS = 25
#: ... until this long has passed since the last attempt that was checked.
LOCKOUT = timedelta(minutes=15)
#: How long a plain API token lives unless the fund says otherwise (``FUND_API_TOKEN_DAYS``).
DEFAULT_API_TOKEN_DAYS = 90
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
    check_strength(password, username=username)
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


def set_active(session: Session, *, user: User, active: bool, actor: User | None) -> User:
    """Open or close ``user``'s account; closing it ends every session and API token at once."""
    if user.active is active:
        return user
    before = _user_snapshot(user)
    user.active = active
    user.session_version += 1
    if not active:
        revoke_tokens(session, user=user, actor=actor)
    session.flush()
    record(
        session,
        actor=actor,
        action="user.activate" if active else "user.deactivate",
        object_type="user",
        object_id=user.id,
        before=before,
        after=_user_snapshot(user),
    )
    return user


def sign_out(session: Session, *, user: User) -> None:
    """End every session of ``user`` on the server: a cookie kept from before opens nothing."""
    user.session_version += 1
    session.flush()
    record(session, actor=user, action="user.logout", object_type="user", object_id=user.id)


def authenticate(session: Session, *, username: str, password: str) -> User | None:
    """The active user with this username and password, or None (same cost either way)."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def sign_in(
    session: Session, *, username: str, password: str, address: str | None = None
) -> User | None:
    """``authenticate`` behind a lockout per user and per address; every attempt is audited.

    Each attempt first takes one of the allowance of its username (known or not, so the answer
    tells a guesser nothing) and of its address, in one atomic UPDATE each: parallel guesses
    cannot all slip past a count read before any of them was written. A good password gives
    the user's allowance back; the address keeps counting only failures.
    """
    username = username.strip()
    user = session.scalar(select(User).where(User.username == username))
    user_key = f"user:{username[:80]}"
    address_key = f"address:{address}" if address else None
    allowed = take_attempt(session, user_key, MAX_FAILED_SIGN_INS)
    if allowed and address_key is not None:
        allowed = take_attempt(session, address_key, MAX_FAILED_PER_ADDRESS)
        if not allowed:
            _give_back(session, user_key)
    if not allowed:
        check_password_hash(_DUMMY_HASH, password)  # the same cost as a real check
        signed_in = None
        reason = "locked"
    else:
        signed_in = authenticate(session, username=username, password=password)
        reason = "unknown user" if user is None else "wrong password or inactive"
    if signed_in is not None:
        reset_attempts(session, user_key)
        if address_key is not None:
            _give_back(session, address_key)
        record(
            session,
            actor=signed_in,
            action="user.login",
            object_type="user",
            object_id=signed_in.id,
        )
        return signed_in
    failure: dict[str, object] = {"username": username[:80], "reason": reason}
    if address:
        failure["address"] = address
    record(
        session,
        actor=None,
        action="user.login_failed",
        object_type="user",
        object_id=user.id if user is not None else "unknown",
        after=failure,
    )
    return None


def take_attempt(session: Session, key: str, limit: int) -> bool:
    """Count one attempt against ``key``, atomically; False when its allowance is used up."""
    now = utcnow()
    stale = SignInThrottle.last_attempt_at < now - LOCKOUT
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        insert(SignInThrottle)
        .values(key=key, attempts=0, last_attempt_at=None)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    # One statement reads and writes the count: on PostgreSQL a parallel UPDATE waits for the
    # row lock and then re-checks the WHERE against the committed count, so exactly ``limit``
    # attempts get through; SQLite has one writer at a time anyway.
    taken = session.execute(
        update(SignInThrottle)
        .where(
            SignInThrottle.key == key,
            or_(
                SignInThrottle.attempts < limit,
                SignInThrottle.last_attempt_at.is_(None),
                stale,
            ),
        )
        .values(
            attempts=case((stale, 1), else_=SignInThrottle.attempts + 1),
            last_attempt_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(taken.rowcount == 1)  # type: ignore[attr-defined]


def _give_back(session: Session, key: str) -> None:
    session.execute(
        update(SignInThrottle)
        .where(SignInThrottle.key == key, SignInThrottle.attempts > 0)
        .values(attempts=SignInThrottle.attempts - 1)
        .execution_options(synchronize_session=False)
    )


def reset_attempts(session: Session, key: str) -> None:
    """Forget the attempts counted against ``key`` (after a good password or code)."""
    session.execute(
        update(SignInThrottle)
        .where(SignInThrottle.key == key)
        .values(attempts=0)
        .execution_options(synchronize_session=False)
    )


def check_password(session: Session, *, user: User, password: str) -> None:
    """Confirm ``user``'s own password (to change it, to step up), with the sign-in lockout.

    Wrong guesses count against the same allowance as failed sign-ins.
    """
    key = f"user:{user.username[:80]}"
    if not take_attempt(session, key, MAX_FAILED_SIGN_INS):
        check_password_hash(_DUMMY_HASH, password)
        raise TooManyAttempts(
            f"too many wrong passwords: try again in {LOCKOUT.seconds // 60} minutes"
        )
    if not check_password_hash(user.password_hash, password):
        record(
            session,
            actor=user,
            action="user.password_check_failed",
            object_type="user",
            object_id=user.id,
        )
        raise WrongPassword("the current password is not right")
    reset_attempts(session, key)


def change_password(session: Session, *, user: User, current: str, new: str) -> None:
    """Set a new password; every existing session of the user stops working."""
    check_password(session, user=user, password=current)
    if new == current:
        raise PasswordTooWeak("the new password must differ from the current one")
    check_strength(new, username=user.username)
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
    session: Session,
    *,
    user: User,
    name: str,
    actor: User | None = None,
    scope: str | None = None,
    lifetime: timedelta = timedelta(days=DEFAULT_API_TOKEN_DAYS),
) -> IssuedToken:
    """Create an API token for ``user`` that expires after ``lifetime`` (``scope``: step-up)."""
    secret = "wf_" + secrets.token_urlsafe(32)
    expires_at = utcnow() + lifetime
    token = ApiToken(
        user=user,
        name=name,
        token_hash=_token_digest(secret),
        scope=scope,
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    record(
        session,
        actor=actor,
        action="api_token.issue",
        object_type="api_token",
        object_id=token.id,
        after={
            "user": user.username,
            "name": name,
            "scope": scope,
            "expires_at": expires_at.isoformat(),
        },
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
    """The active user an unrevoked, unexpired API token belongs to, or None."""
    try:
        token = live_token(session, secret)
    except TokenExpired:
        return None
    return token.user if token is not None else None


def live_token(session: Session, secret: str) -> ApiToken | None:
    """The unrevoked token of an active user with this secret (its use noted), or None.

    An expired one raises ``TokenExpired`` instead, so the client is told why it is refused.
    """
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_digest(secret)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    if token.expires_at is not None:
        expires = token.expires_at
        if expires.tzinfo is None:  # SQLite hands back naive UTC
            expires = expires.replace(tzinfo=UTC)
        if expires <= utcnow():
            raise TokenExpired(
                f"this API token expired at {expires:%Y-%m-%d %H:%M} UTC: ask for a new one"
            )
    token.last_used_at = utcnow()
    return token
