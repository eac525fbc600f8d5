"""Reading brands, with the brand user's view confined to its own."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from fund.auth.models import User
from fund.auth.roles import Role
from fund.brands.models import Brand


class BrandNotFound(LookupError):
    """No brand with that code is visible to this user."""


def visible_brands(session: Session, *, user: User) -> Sequence[Brand]:
    """All brands for fund staff; only its own for a brand user."""
    query = select(Brand).order_by(Brand.code)
    if user.role_enum is Role.BRAND:
        query = query.where(Brand.id == user.brand_id)
    return session.scalars(query).all()


def brand_for(session: Session, *, user: User, code: str) -> Brand:
    """The brand ``code`` if this user may see it; otherwise ``BrandNotFound``.

    A brand user asking for another brand gets the same answer as for a brand that does not
    exist, so that membership itself does not leak.
    """
    brand = session.scalar(select(Brand).where(Brand.code == code))
    if brand is None or (user.role_enum is Role.BRAND and brand.id != user.brand_id):
        raise BrandNotFound(code)
    return brand
