"""Member brands of the fund, their pledges, the contributions they paid, and conversions.

Amounts are integer minor units with their currency. Each pledge, contribution and conversion
records the ledger entry it posted (``entry_id``); the ledger is the source of every total.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fund.db import Base, utcnow


class Brand(Base):
    """A member brand that pledges to and pays into the fund."""

    __tablename__ = "brands"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Pledge(Base):
    """What a brand promised to pay, by a due date or in dated instalments."""

    __tablename__ = "brand_pledges"
    __table_args__ = (
        UniqueConstraint("brand_id", "reference", name="uq_brand_pledges_brand_reference"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("currency IN ('USD', 'BDT')", name="currency"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id"), index=True)
    # The pledge letter or agreement it comes from: the natural key a retry is recognised by.
    reference: Mapped[str] = mapped_column(String(120))
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[int] = mapped_column(BigInteger)
    pledged_on: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    # [["2026-03-31", 500000], …]: dated instalments summing to ``amount``; None: all on due_date.
    instalments: Mapped[list[list[str | int]] | None] = mapped_column(JSON)
    entry_id: Mapped[int | None] = mapped_column(Integer)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    brand: Mapped[Brand] = relationship()

    def schedule(self) -> list[tuple[date, int]]:
        """``(due date, amount)`` of each instalment, earliest first."""
        if not self.instalments:
            return [(self.due_date, self.amount)]
        return sorted(
            (date.fromisoformat(str(day)), int(amount)) for day, amount in self.instalments
        )


class Contribution(Base):
    """Money a brand paid into the fund's bank, identified by the bank's reference."""

    __tablename__ = "brand_contributions"
    __table_args__ = (
        UniqueConstraint(
            "brand_id", "bank_reference", name="uq_brand_contributions_brand_bank_reference"
        ),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("currency IN ('USD', 'BDT')", name="currency"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id"), index=True)
    pledge_id: Mapped[int | None] = mapped_column(ForeignKey("brand_pledges.id"), index=True)
    bank_reference: Mapped[str] = mapped_column(String(120))
    value_date: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[int] = mapped_column(BigInteger)
    entry_id: Mapped[int | None] = mapped_column(Integer)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    brand: Mapped[Brand] = relationship()
    pledge: Mapped[Pledge | None] = relationship()


class Conversion(Base):
    """US dollars sold for taka at a recorded rate (exact decimal text, never a float)."""

    __tablename__ = "fx_conversions"
    __table_args__ = (
        UniqueConstraint("reference", name="uq_fx_conversions_reference"),
        CheckConstraint("usd_amount > 0 AND bdt_amount > 0", name="amounts_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The bank's deal ticket: a retry with the same ticket is the same conversion.
    reference: Mapped[str] = mapped_column(String(120))
    effective_date: Mapped[date] = mapped_column(Date)
    usd_amount: Mapped[int] = mapped_column(BigInteger)
    rate: Mapped[str] = mapped_column(String(40))
    bdt_amount: Mapped[int] = mapped_column(BigInteger)
    entry_id: Mapped[int | None] = mapped_column(Integer)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
