"""A roll version of one factory and the workers on it, plus saved column mappings."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fund.auth.models import User
from fund.db import Base, utcnow
from fund.factories.models import Factory


class Roll(Base):
    """The factory's payroll as of a date, as imported from one file (immutable)."""

    __tablename__ = "rolls"
    __table_args__ = (UniqueConstraint("factory_id", "version", name="uq_rolls_factory_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    factory_id: Mapped[int] = mapped_column(ForeignKey("factories.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    as_of: Mapped[date] = mapped_column(Date)
    source_filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    rows_read: Mapped[int] = mapped_column(Integer)
    worker_count: Mapped[int] = mapped_column(Integer)
    warning_count: Mapped[int] = mapped_column(Integer)

    factory: Mapped[Factory] = relationship()
    imported_by: Mapped[User | None] = relationship()


class RollWorker(Base):
    """One worker on a roll version; wages are monthly BDT in integer poisha."""

    __tablename__ = "roll_workers"
    __table_args__ = (UniqueConstraint("roll_id", "worker_id", name="uq_roll_workers_roll_worker"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    roll_id: Mapped[int] = mapped_column(ForeignKey("rolls.id"), index=True)
    row: Mapped[int] = mapped_column(Integer)
    worker_id: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(200))
    national_id: Mapped[str] = mapped_column(String(17), index=True)
    join_date: Mapped[date] = mapped_column(Date)
    basic: Mapped[int] = mapped_column(BigInteger)
    house_rent: Mapped[int] = mapped_column(BigInteger)
    medical: Mapped[int] = mapped_column(BigInteger)
    transport: Mapped[int] = mapped_column(BigInteger)
    food: Mapped[int] = mapped_column(BigInteger)
    gross: Mapped[int | None] = mapped_column(BigInteger)
    section: Mapped[str | None] = mapped_column(String(100))
    grade: Mapped[str | None] = mapped_column(String(50))
    designation: Mapped[str | None] = mapped_column(String(100))
    exit_date: Mapped[date | None] = mapped_column(Date)
    payment_method: Mapped[str | None] = mapped_column(String(10))
    wallet_number: Mapped[str | None] = mapped_column(String(11))
    bank_account: Mapped[str | None] = mapped_column(String(50))
    # Optional roll fields (None = the roll did not say): see imports.records.RollRow.
    routing_number: Mapped[str | None] = mapped_column(String(9))
    worker_class: Mapped[str | None] = mapped_column(String(20))
    arrears_due: Mapped[int | None] = mapped_column(BigInteger)
    earned_leave_days: Mapped[int | None] = mapped_column(Integer)
    festival_bonus_due: Mapped[int | None] = mapped_column(BigInteger)
    overtime_due: Mapped[int | None] = mapped_column(BigInteger)
    # "bn" or "en"; slips use it when the helpline was never told (fund.disbursements.languages)
    language: Mapped[str | None] = mapped_column(String(2))


class ColumnMapping(Base):
    """A factory's own header text for a canonical field, remembered for its next rolls."""

    __tablename__ = "roll_column_mappings"
    __table_args__ = (
        UniqueConstraint("factory_id", "header", name="uq_roll_column_mappings_factory_header"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    factory_id: Mapped[int] = mapped_column(ForeignKey("factories.id"), index=True)
    header: Mapped[str] = mapped_column(String(200))
    field: Mapped[str] = mapped_column(String(30))
