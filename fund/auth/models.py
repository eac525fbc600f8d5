"""Users and their API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
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
    # Bumped on password change: every session signed with the old value stops working.
    session_version: Mapped[int] = mapped_column(default=1)
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

    user: Mapped[User] = relationship()
