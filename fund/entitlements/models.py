"""Stored policies and computed entitlements.

A ``PolicyVersion`` keeps the exact TOML text and its digest; once an approved batch used it,
it is frozen and an edit becomes a new version. An ``EntitlementRun`` is one computation for an
event (which roll, which policy version, through which day, by whom); it holds one
``Entitlement`` per worker on the roll, each with its ``EntitlementLine`` breakdown. Exact
amounts before rounding are kept as numerator/denominator of minor units.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fund.auth.models import User
from fund.db import Base, utcnow
from fund.entitlements.outcomes import daily_rate
from fund.events.models import Event


class PolicyVersion(Base):
    """One version of a named policy: its TOML text, digest, and whether it is frozen."""

    __tablename__ = "policy_versions"
    __table_args__ = (UniqueConstraint("name", "version", name="name_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int]
    toml: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    # set when an approved batch pays with it; from then on an edit makes a new version
    frozen: Mapped[bool] = mapped_column(default=False)
    # the days the version is in force on (from the TOML); None = open-ended
    effective_from: Mapped[date | None]
    effective_to: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by: Mapped[User | None] = relationship()

    @property
    def label(self) -> str:
        """``"alliance-wage-replacement v2"``."""
        return f"{self.name} v{self.version}"

    def in_force(self, day: date) -> bool:
        """Whether this version applies to an event starting on ``day``."""
        if self.effective_from is not None and day < self.effective_from:
            return False
        return self.effective_to is None or day <= self.effective_to


class EntitlementRun(Base):
    """One computation of an event's entitlements, with its totals."""

    __tablename__ = "entitlement_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    roll_id: Mapped[int | None] = mapped_column(ForeignKey("rolls.id"))  # None: rows given
    policy_version_id: Mapped[int] = mapped_column(ForeignKey("policy_versions.id"))
    through: Mapped[date | None]
    days_covered: Mapped[int | None]  # suspensions: covered days before tiers
    currency: Mapped[str] = mapped_column(String(3))
    workers: Mapped[int]
    eligible: Mapped[int]
    total_minor: Mapped[int] = mapped_column(BigInteger)
    computed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)

    event: Mapped[Event] = relationship()
    policy_version: Mapped[PolicyVersion] = relationship()
    computed_by: Mapped[User | None] = relationship()


class Entitlement(Base):
    """What one worker on the roll is owed by one run; ineligible workers carry a reason."""

    __tablename__ = "entitlements"
    __table_args__ = (
        UniqueConstraint("run_id", "worker_id", name="one_per_worker"),
        UniqueConstraint("run_id", "position", name="position_in_run"),
        CheckConstraint("amount_minor >= 0", name="amount_not_negative"),
        CheckConstraint("eligible OR amount_minor = 0", name="ineligible_paid_nothing"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # no index of its own: the unique (run_id, …) constraints lead with it
    run_id: Mapped[int] = mapped_column(ForeignKey("entitlement_runs.id"))
    position: Mapped[int]  # 1, 2, … in roll order; lines refer to (run_id, position)
    roll_row: Mapped[int]  # the row number in the roll file, as the factory sees it
    worker_id: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(200))
    national_id: Mapped[str] = mapped_column(String(30))
    section: Mapped[str | None] = mapped_column(String(100))
    eligible: Mapped[bool]
    reason: Mapped[str | None] = mapped_column(String(40))
    days_paid: Mapped[int | None]
    years_of_service: Mapped[int | None]
    service_months: Mapped[int | None]
    exact_numerator: Mapped[int] = mapped_column(BigInteger)  # exact payable, minor units
    exact_denominator: Mapped[int] = mapped_column(BigInteger)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    # co-payment: the factory's part of the worker's whole (owed by the factory; 0 = none)
    factory_share_minor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")

    run: Mapped[EntitlementRun] = relationship()
    lines: Mapped[list[EntitlementLine]] = relationship(
        primaryjoin="and_(Entitlement.run_id == foreign(EntitlementLine.run_id), "
        "Entitlement.position == foreign(EntitlementLine.entitlement_position))",
        order_by="EntitlementLine.position",
        viewonly=True,
    )

    @property
    def exact_payable(self) -> Fraction:
        """The exact amount after the fund's share, before the one rounding (minor units)."""
        return Fraction(self.exact_numerator, self.exact_denominator)


class EntitlementLine(Base):
    """One rule paying one wage component: days × monthly × share / days per month."""

    __tablename__ = "entitlement_lines"
    # Keyed by the run and the worker's position in it, not by the entitlement's id, so that a
    # run's entitlements and lines are written by two plain bulk inserts (no RETURNING).
    __table_args__ = (
        ForeignKeyConstraint(
            ["run_id", "entitlement_position"],
            ["entitlements.run_id", "entitlements.position"],
            name="fk_entitlement_lines_entitlement",
        ),
    )

    run_id: Mapped[int] = mapped_column(primary_key=True)
    entitlement_position: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(60))
    component: Mapped[str] = mapped_column(String(20))
    monthly_minor: Mapped[int] = mapped_column(BigInteger)
    # text, not NUMERIC: SQLite would hand a NUMERIC back through a float
    share_text: Mapped[str] = mapped_column(String(20))
    days: Mapped[int]
    days_per_month: Mapped[int]
    amount_numerator: Mapped[int] = mapped_column(BigInteger)  # exact amount, minor units
    amount_denominator: Mapped[int] = mapped_column(BigInteger)
    basis: Mapped[str] = mapped_column(String(120), default="", server_default="")
    bn: Mapped[str] = mapped_column(String(300), default="", server_default="")

    @property
    def share(self) -> Decimal:
        """Share of the monthly component paid per day."""
        return Decimal(self.share_text)

    @property
    def amount(self) -> Fraction:
        """Exact amount of the line in minor units, before any rounding."""
        return Fraction(self.amount_numerator, self.amount_denominator)

    @property
    def daily_rate(self) -> Fraction:
        """Exact daily amount in minor units."""
        return daily_rate(self.monthly_minor, self.share, self.days_per_month)
