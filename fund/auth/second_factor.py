"""The second factor: TOTP codes (RFC 6238, pyotp) and one-time recovery codes.

Roles that move money or grant access (admin, approver, accountant; officers when the fund
says so) must enrol when ``REQUIRE_SECOND_FACTOR`` is on, give a code at every sign-in, and
give one again (step-up) before approving, paying or changing roles when the last code is
older than ``STEP_UP_WINDOW``. Only a hash of each recovery code is stored.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import timedelta

import pyotp
import segno
from sqlalchemy import select
from sqlalchemy.orm import Session

from fund.audit.services import record
from fund.auth.errors import SecondFactorRefused
from fund.auth.models import Passkey, RecoveryCode, User
from fund.auth.roles import MONEY_AND_ACCESS, Role
from fund.db import utcnow

ISSUER = "Worker Fund"
#: Roles whose users must enrol (officers too when ``SECOND_FACTOR_FOR_OFFICERS`` is on).
SECOND_FACTOR_ROLES: frozenset[Role] = frozenset({Role.ADMIN, Role.APPROVER, Role.ACCOUNTANT})
#: How long a code given counts as "recent" for approve, pay and role changes.
STEP_UP_WINDOW = timedelta(minutes=5)
#: How long a step-up API token lives.
STEP_UP_TOKEN_LIFETIME = timedelta(minutes=10)
RECOVERY_CODES = 10
#: Wrong codes in a row before the account waits (a 6-digit code must not be guessable).
MAX_FAILED_CODES = 5


def required_for(user: User, *, officers: bool = False) -> bool:
    """Whether ``user``'s role must use a second factor."""
    roles = MONEY_AND_ACCESS if officers else SECOND_FACTOR_ROLES
    return user.role_enum in roles


def enrolled(user: User) -> bool:
    """Whether ``user`` has a confirmed TOTP factor."""
    return user.totp_secret is not None and user.totp_confirmed_at is not None


def start_enrolment(session: Session, *, user: User) -> str:
    """A new TOTP secret for ``user`` (not yet in force); the provisioning URI for the QR code."""
    user.totp_secret = pyotp.random_base32()
    user.totp_confirmed_at = None
    user.totp_last_step = None
    session.flush()
    return provisioning_uri(user)


def provisioning_uri(user: User) -> str:
    """The ``otpauth://`` URI an authenticator app reads from the QR code."""
    assert user.totp_secret is not None
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The URI as an inline SVG QR code (no image request, no script)."""
    svg: str = segno.make(uri, error="m").svg_inline(scale=5, border=2)
    return svg


def _digest(code: str) -> str:
    return hashlib.sha256(code.strip().replace("-", "").lower().encode()).hexdigest()


def confirm_enrolment(session: Session, *, user: User, code: str) -> list[str]:
    """Put the factor in force with a first good code; returns fresh recovery codes (shown once)."""
    if user.totp_secret is None:
        raise SecondFactorRefused("start the enrolment first")
    if not _totp_matches(session, user, code):
        raise SecondFactorRefused("that code is not right: check the phone's clock and try again")
    user.totp_confirmed_at = utcnow()
    codes = _new_recovery_codes(session, user)
    record(
        session,
        actor=user,
        action="user.second_factor_enrol",
        object_type="user",
        object_id=user.id,
    )
    return codes


def _new_recovery_codes(session: Session, user: User) -> list[str]:
    for old in session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        session.delete(old)
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    session.add_all(RecoveryCode(user_id=user.id, code_hash=_digest(code)) for code in codes)
    session.flush()
    return codes


def _totp_matches(session: Session, user: User, code: str) -> bool:
    """A current code (one step either way for clock drift), never one used before."""
    assert user.totp_secret is not None
    code = code.strip().replace(" ", "")
    if not (code.isdecimal() and code.isascii() and len(code) == 6):
        return False
    totp = pyotp.TOTP(user.totp_secret)
    now = int(time.time())
    for drift in (0, -1, 1):
        step = now // totp.interval + drift
        if secrets.compare_digest(totp.at(step * totp.interval), code):
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return False  # replayed: each code opens once
            user.totp_last_step = step
            session.flush()
            return True
    return False


def verify(session: Session, *, user: User, code: str) -> None:
    """Check a TOTP or recovery code for ``user`` (throttled); raises ``SecondFactorRefused``."""
    from fund.auth.services import reset_attempts, take_attempt

    if not enrolled(user):
        raise SecondFactorRefused("no second factor is enrolled for this account")
    key = f"code:{user.id}"
    if not take_attempt(session, key, MAX_FAILED_CODES):
        raise SecondFactorRefused("too many wrong codes: wait 15 minutes and try again")
    if _totp_matches(session, user, code) or _use_recovery_code(session, user, code):
        reset_attempts(session, key)
        record_check(session, user=user, passed=True)
        return
    record_check(session, user=user, passed=False)
    raise SecondFactorRefused("that code is not right")


def record_check(
    session: Session, *, user: User, passed: bool, after: dict[str, str] | None = None
) -> None:
    """Log a second-factor check of ``user`` (a code or a passkey), passed or failed."""
    record(
        session,
        actor=user,
        action="user.second_factor" if passed else "user.second_factor_failed",
        object_type="user",
        object_id=user.id,
        after=after,
    )


def step_up_with_code(
    session: Session, *, user: User, code: str | None, required: bool, officers: bool = False
) -> None:
    """The step-up where there is neither a web session nor an API token (the CLI).

    A user whose role must have a second factor gives a code now, checked like any other
    (once only, throttled); without one, or not enrolled, the step is refused with the reason.
    ``required`` is the fund's ``REQUIRE_SECOND_FACTOR``; other roles pass without a code.
    """
    if not required or not required_for(user, officers=officers):
        return
    if not enrolled(user):
        raise SecondFactorRefused(
            f"{user.username} must set up a second factor (sign in on the web) before moving"
            " money or changing roles"
        )
    if not code:
        raise SecondFactorRefused(
            f"{user.username}'s second-factor code is needed: give --code (or type it when asked)"
        )
    verify(session, user=user, code=code)


def _use_recovery_code(session: Session, user: User, code: str) -> bool:
    found = session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _digest(code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if found is None:
        return False
    found.used_at = utcnow()
    session.flush()
    return True


def remove(session: Session, *, user: User, actor: User | None) -> None:
    """Take ``user``'s second factor away (a lost phone); they enrol again at next sign-in.

    Their passkeys go too: the phone that was lost may well have carried them.
    """
    user.totp_secret = None
    user.totp_confirmed_at = None
    user.totp_last_step = None
    user.session_version += 1
    for old in session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        session.delete(old)
    for key in session.scalars(select(Passkey).where(Passkey.user_id == user.id)):
        session.delete(key)
    session.flush()
    record(
        session,
        actor=actor,
        action="user.second_factor_remove",
        object_type="user",
        object_id=user.id,
    )
