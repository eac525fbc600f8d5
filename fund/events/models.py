"""Suspensions and closures, and the history of a suspension's end date."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fund.auth.models import User
from fund.db import Base, utcnow
from fund.display import bengali_date
from fund.factories.models import Factory
from fund.rolls.models import Roll


class Event(Base):
    """A suspension (full or partial; ended or ongoing) or a closure of one factory."""

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("kind IN ('suspension', 'closure')", name="kind_known"),
        CheckConstraint("scope IN ('full', 'partial')", name="scope_known"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="ends_after_start"),
        CheckConstraint(
            "kind = 'suspension' OR (end_date IS NULL AND scope = 'full')",
            name="closure_is_one_day_whole_factory",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    factory_id: Mapped[int] = mapped_column(ForeignKey("factories.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    scope: Mapped[str] = mapped_column(String(10), default="full")
    # partial suspensions: the affected sections as the roll spells them
    sections: Mapped[list[str] | None] = mapped_column(JSON)
    start_date: Mapped[date]  # a closure's date
    end_date: Mapped[date | None]  # None while a suspension is ongoing
    reference: Mapped[str] = mapped_column(String(200), default="")  # inspection / panel decision
    description: Mapped[str] = mapped_column(Text, default="")
    # The roll version (an immutable payroll snapshot) the entitlements are computed from.
    roll_id: Mapped[int | None] = mapped_column(ForeignKey("rolls.id"), index=True)
    policy_name: Mapped[str | None] = mapped_column(String(100))  # default for `compute`
    # An officer's choice of a version other than the one in force on the start date (the
    # reason is in the audit log); None = the version in force.
    policy_version_id: Mapped[int | None] = mapped_column(ForeignKey("policy_versions.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    factory: Mapped[Factory] = relationship()
    roll: Mapped[Roll | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    extensions: Mapped[list[EventExtension]] = relationship(
        back_populates="event", order_by="EventExtension.id"
    )

    @property
    def ongoing(self) -> bool:
        """A suspension without an end date yet."""
        return self.kind == "suspension" and self.end_date is None

    @property
    def title(self) -> str:
        """``"Suspension of DHK-017 from 2024-03-01"`` and the like."""
        if self.kind == "closure":
            return f"Closure of {self.factory.code} on {self.start_date}"
        scope = "Partial suspension" if self.scope == "partial" else "Suspension"
        until = f" to {self.end_date}" if self.end_date else " (ongoing)"
        return f"{scope} of {self.factory.code} from {self.start_date}{until}"

    @property
    def title_bn(self) -> str:
        """The title in Bengali, for what a worker receives: ``"DHK-017 কারখানায় কাজ বন্ধ, …"``."""
        code, start = self.factory.code, bengali_date(self.start_date)
        if self.kind == "closure":
            return f"{code} কারখানা বন্ধ, {start}"
        scope = "আংশিক কাজ বন্ধ" if self.scope == "partial" else "কাজ বন্ধ"
        until = f" থেকে {bengali_date(self.end_date)}" if self.end_date else " থেকে (চলমান)"
        return f"{code} কারখানায় {scope}, {start}{until}"


class EventExtension(Base):
    """One change of a suspension's end date: extended, ended, or reopened."""

    __tablename__ = "event_extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    previous_end: Mapped[date | None]
    new_end: Mapped[date | None]
    reason: Mapped[str] = mapped_column(Text, default="")
    reference: Mapped[str] = mapped_column(String(200), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    event: Mapped[Event] = relationship(back_populates="extensions")
    recorded_by: Mapped[User | None] = relationship()


class DuplicateResolution(Base):
    """An officer's decision that workers sharing a national ID are one person, paid once."""

    __tablename__ = "event_duplicate_resolutions"
    __table_args__ = (UniqueConstraint("event_id", "national_id", name="once_per_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    national_id: Mapped[str] = mapped_column(String(30))
    paid_worker_id: Mapped[str] = mapped_column(String(50))  # the roll's worker ID to pay
    note: Mapped[str] = mapped_column(Text)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime] = mapped_column(default=utcnow)

    resolved_by: Mapped[User | None] = relationship()
