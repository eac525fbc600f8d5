"""Users and their API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fund.auth.roles import Role
from fund.db import Base, utcnow

if TYPE_CHECKING:
    from fund.brands.models import Brand

_ROLE_VALUES = ", ".join(f"'{role.value}'" for role in Role)


class User(UserMixin, Base):
    """A person who signs in; a brand user is tied to exactly one brand."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN ({_ROLE_VALUES})", name="role_known"),
        CheckConstraint(
            "(role = 'brand') = (brand_id IS NOT NULL)", name="brand_users_have_a_brand"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brands.id"))
    active: Mapped[bool] = mapped_column(default=True)
    must_change_password: Mapped[bool] = mapped_column(default=True)
    # Bumped on sign-out, password change, role change and deactivation: every session signed
    # with the old value stops working at once (a captured cookie replays into nothing).
    session_version: Mapped[int] = mapped_column(default=1)
    # TOTP second factor: the shared secret (base32) while enrolling and after; confirmed once the
    # user typed a first good code. Only a confirmed factor is asked for at sign-in.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_confirmed_at: Mapped[datetime | None]
    # The last time step a code was accepted for: a code is good once (no replay within 30 s).
    totp_last_step: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    brand: Mapped[Brand | None] = relationship()

    @property
    def role_enum(self) -> Role:
        """The user's role as a ``Role``."""
        return Role(self.role)

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        """Flask-Login's session identifier: id and session version together."""
        return f"{self.id}:{self.session_version}"


class ApiToken(Base):
    """A bearer token for ``/api/v1``; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    # A step-up token (scope "money"): issued against a fresh second-factor code, good for
    # approve, pay and role changes until ``expires_at`` (minutes). Plain tokens have no scope
    # and expire after ``API_TOKEN_DAYS``; tokens issued before 0011 got 90 days from then.
    scope: Mapped[str | None] = mapped_column(String(20))
    expires_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class RecoveryCode(Base):
    """A one-time code that stands in for the second factor; only its SHA-256 is stored."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]


class SignInThrottle(Base):
    """Guesses counted per user or per address; one row each, changed by one atomic UPDATE."""

    __tablename__ = "sign_in_throttles"
    __table_args__ = (CheckConstraint("attempts >= 0", name="attempts_not_negative"),)

    # "user:<username>" or "address:<ip>": unknown usernames are counted too (nothing leaks).
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_attempt_at: Mapped[datetime | None]


class Passkey(Base):
    """A WebAuthn credential (passkey) of a user: the public key and the authenticator's count."""

    __tablename__ = "passkeys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The authenticator's credential id, base64url without padding (as the browser sends it).
    credential_id: Mapped[str] = mapped_column(String(1400), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    # The signature counter last seen: a lower one later means a cloned authenticator.
    sign_count: Mapped[int] = mapped_column(BigInteger, default=0)
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class WebAuthnChallenge(Base):
    """A challenge handed to the browser: kept on the server, good once and for minutes only."""

    __tablename__ = "webauthn_challenges"
    __table_args__ = (
        CheckConstraint("purpose IN ('register', 'authenticate')", name="purpose_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))
    # base64url of the random challenge bytes: what comes back inside clientDataJSON.
    challenge: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
