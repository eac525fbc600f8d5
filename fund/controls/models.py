"""Roll findings, batch approvals, payment claims (the double-payment guard), verification calls."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fund.auth.models import User
from fund.db import Base, utcnow
from fund.disbursements.models import PaymentLine
from fund.rolls.models import Roll

SEVERITIES = ("high", "medium", "low")
OUTCOMES = ("received_full", "received_partial", "not_received", "unreachable")
#: Where a "not received" answer stands for the claims desk.
FOLLOW_UPS = ("awaiting_claim", "claim_opened")


class RollFinding(Base):
    """Something about a roll version an officer should look at, with the workers concerned."""

    __tablename__ = "roll_findings"
    __table_args__ = (
        # Reviewing a roll again adds what is new and keeps earlier findings (and their
        # acknowledgements) as they were.
        UniqueConstraint("roll_id", "code", "subject", name="uq_roll_findings_roll_code_subject"),
        CheckConstraint("severity IN ('high', 'medium', 'low')", name="severity"),
        CheckConstraint(
            "acknowledged_at IS NULL OR length(acknowledgement) > 0", name="acknowledged_with_note"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    roll_id: Mapped[int] = mapped_column(ForeignKey("rolls.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    # what the finding is about within the roll: an account number, an event, "" for the roll
    subject: Mapped[str] = mapped_column(String(80), default="")
    severity: Mapped[str] = mapped_column(String(10))
    message: Mapped[str] = mapped_column(String(500))
    # [{"worker_id", "name", "detail"}, …]
    workers: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    found_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime | None]
    acknowledgement: Mapped[str] = mapped_column(String(1000), default="")

    roll: Mapped[Roll] = relationship()
    acknowledged_by: Mapped[User | None] = relationship()


class BatchApproval(Base):
    """One approver's approval of a batch; a batch moves on once enough distinct ones exist."""

    __tablename__ = "batch_approvals"
    __table_args__ = (
        UniqueConstraint("batch_id", "approver_id", name="uq_batch_approvals_batch_approver"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("disbursement_batches.id"), index=True)
    approver_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime] = mapped_column(default=utcnow)

    approver: Mapped[User] = relationship()


class PaymentClaim(Base):
    """Days of a factory's suspensions (or its separation benefit) one national ID is paid for.

    Written with each payment line, released when the line is void; a database trigger
    (``fund/controls/guards.py``) refuses a live claim overlapping another of the same person
    and factory, whatever batch, event or roll version it comes through.
    """

    __tablename__ = "payment_claims"
    __table_args__ = (
        CheckConstraint("kind IN ('suspension', 'separation')", name="kind"),
        CheckConstraint("first_day <= last_day", name="days_in_order"),
        Index(
            "ix_payment_claims_person_live",
            "national_id",
            "factory_id",
            sqlite_where=text("active"),
            postgresql_where=text("active"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    national_id: Mapped[str] = mapped_column(String(30))
    factory_id: Mapped[int] = mapped_column(ForeignKey("factories.id"))
    kind: Mapped[str] = mapped_column(String(12))
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    line_id: Mapped[int] = mapped_column(ForeignKey("payment_lines.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)


class VerificationDraw(Base):
    """The sample of a batch's paid workers drawn for the helpline to call (one per batch)."""

    __tablename__ = "verification_draws"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("disbursement_batches.id"), unique=True)
    size: Mapped[int]
    paid_lines: Mapped[int]  # how many paid lines the sample was drawn from
    # 128 bits from ``secrets``, kept so an auditor can draw the same sample again
    seed: Mapped[str | None] = mapped_column(String(40))
    drawn_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    drawn_at: Mapped[datetime] = mapped_column(default=utcnow)

    drawn_by: Mapped[User] = relationship()
    calls: Mapped[list[VerificationCall]] = relationship(
        order_by="VerificationCall.position", viewonly=True
    )


class VerificationCall(Base):
    """One sampled worker to call, and what they said."""

    __tablename__ = "verification_calls"
    __table_args__ = (
        UniqueConstraint("draw_id", "line_id", name="uq_verification_calls_draw_line"),
        CheckConstraint(
            "outcome IS NULL OR outcome IN "
            "('received_full', 'received_partial', 'not_received', 'unreachable')",
            name="outcome",
        ),
        CheckConstraint(
            "follow_up IS NULL OR follow_up IN ('awaiting_claim', 'claim_opened')",
            name="follow_up",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("verification_draws.id"), index=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("disbursement_batches.id"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("payment_lines.id"))
    position: Mapped[int]
    method: Mapped[str] = mapped_column(String(10))
    outcome: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(500), default="")
    # "not received": awaiting_claim until the claims desk opens one (claim_reference)
    follow_up: Mapped[str | None] = mapped_column(String(20))
    claim_reference: Mapped[str | None] = mapped_column(String(50))
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None]

    line: Mapped[PaymentLine] = relationship()
    answered_by: Mapped[User | None] = relationship()
