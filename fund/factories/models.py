"""Factories whose workers the fund protects, and the member brands sourcing from them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fund.brands.models import Brand
from fund.db import Base, utcnow

factory_brands = Table(
    "factory_brands",
    Base.metadata,
    Column("factory_id", ForeignKey("factories.id"), primary_key=True),
    Column("brand_id", ForeignKey("brands.id"), primary_key=True),
)


class Factory(Base):
    """A garment factory covered by the fund."""

    __tablename__ = "factories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    address: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    brands: Mapped[list[Brand]] = relationship(secondary=factory_brands, order_by=Brand.code)
