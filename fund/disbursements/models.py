"""Batches, their transition history and one payment line per worker."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fund.auth.models import User
from fund.db import Base, utcnow
from fund.entitlements.models import EntitlementRun
from fund.events.models import Event

BATCH_STATES = ("draft", "submitted", "approved", "paid", "rejected", "cancelled")


class DisbursementBatch(Base):
    """One payout of an event's entitlements, from draft to paid."""

    __tablename__ = "disbursement_batches"
    __table_args__ = (
        CheckConstraint(
            "state IN ('draft', 'submitted', 'approved', 'paid', 'rejected', 'cancelled')",
            name="state",
        ),
        # Four eyes, also for anyone writing to the database directly.
        CheckConstraint(
            "approved_by_id IS NULL OR approved_by_id <> submitted_by_id", name="four_eyes"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("entitlement_runs.id"))
    currency: Mapped[str] = mapped_column(String(3))
    state: Mapped[str] = mapped_column(String(10), default="draft")
    total_minor: Mapped[int] = mapped_column(BigInteger)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approval_entry_id: Mapped[int | None]  # the ledger's journal entry

    event: Mapped[Event] = relationship()
    run: Mapped[EntitlementRun] = relationship()
    lines: Mapped[list[PaymentLine]] = relationship(
        back_populates="batch", order_by="PaymentLine.id"
    )
    transitions: Mapped[list[BatchTransition]] = relationship(order_by="BatchTransition.id")


class BatchTransition(Base):
    """A batch changed state: who, when, from what to what, and why."""

    __tablename__ = "batch_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("disbursement_batches.id"), index=True)
    from_state: Mapped[str | None] = mapped_column(String(10))
    to_state: Mapped[str] = mapped_column(String(10))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(String(500), default="")

    actor: Mapped[User] = relationship()


class PaymentLine(Base):
    """What one worker is paid in a batch; ``void`` once its batch is rejected or cancelled."""

    __tablename__ = "payment_lines"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("state IN ('pending', 'paid', 'failed', 'void')", name="state"),
        # Never paid twice for the same event: one live line per worker and event.
        Index(
            "uq_payment_lines_event_worker_live",
            "event_id",
            "worker_id",
            unique=True,
            sqlite_where=text("state <> 'void'"),
            postgresql_where=text("state <> 'void'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("disbursement_batches.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    entitlement_id: Mapped[int] = mapped_column(ForeignKey("entitlements.id"))
    worker_id: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(200))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(10), default="pending")

    batch: Mapped[DisbursementBatch] = relationship(back_populates="lines")
