"""Batches, their transition history, one payment line per worker, and imported result files."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fund.auth.models import User
from fund.db import Base, utcnow
from fund.entitlements.models import EntitlementRun
from fund.events.models import Event

BATCH_STATES = ("draft", "submitted", "approved", "paid", "rejected", "cancelled")
LINE_STATES = ("pending", "paid", "failed", "reissued", "unclaimed", "void")
#: Lines that still stand for money owed or paid: a worker has at most one per event and run.
LIVE_LINE = "state NOT IN ('void', 'reissued')"


class DisbursementBatch(Base):
    """One payout of an event's entitlements (or a top-up after a recomputation)."""

    __tablename__ = "disbursement_batches"
    __table_args__ = (
        CheckConstraint(
            "state IN ('draft', 'submitted', 'approved', 'paid', 'rejected', 'cancelled')",
            name="state",
        ),
        CheckConstraint("kind IN ('full', 'top_up')", name="kind"),
        # Four eyes, also for anyone writing to the database directly.
        CheckConstraint(
            "approved_by_id IS NULL OR approved_by_id <> submitted_by_id", name="four_eyes"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("entitlement_runs.id"))
    kind: Mapped[str] = mapped_column(String(10), default="full")
    currency: Mapped[str] = mapped_column(String(3))
    state: Mapped[str] = mapped_column(String(10), default="draft")
    total_minor: Mapped[int] = mapped_column(BigInteger)
    line_count: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None]
    approval_entry_id: Mapped[int | None]  # the ledger's journal entry (Dr 5000 / Cr 2000)
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    paid_at: Mapped[datetime | None]
    payment_entry_id: Mapped[int | None]  # cash out of 1010/1020 and the fees
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # rejected/cancelled
    closed_at: Mapped[datetime | None]
    close_reason: Mapped[str] = mapped_column(String(500), default="")
    # distinct approvers the amount needs (fund/controls/approvals.py), set at submission
    approvals_required: Mapped[int] = mapped_column(default=1, server_default=text("1"))

    event: Mapped[Event] = relationship()
    run: Mapped[EntitlementRun] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    paid_by: Mapped[User | None] = relationship(foreign_keys=[paid_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    lines: Mapped[list[PaymentLine]] = relationship(
        back_populates="batch", order_by="PaymentLine.id", viewonly=True
    )
    transitions: Mapped[list[BatchTransition]] = relationship(
        order_by="BatchTransition.id", viewonly=True
    )


class BatchTransition(Base):
    """A batch or one of its lines changed state: who, when, from what to what, and why."""

    __tablename__ = "batch_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("disbursement_batches.id"), index=True)
    line_id: Mapped[int | None] = mapped_column(ForeignKey("payment_lines.id"))
    from_state: Mapped[str | None] = mapped_column(String(10))
    to_state: Mapped[str] = mapped_column(String(10))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(String(500), default="")

    actor: Mapped[User] = relationship()


class PaymentLine(Base):
    """What one worker is paid in a batch, with the payee details as they were at the time."""

    __tablename__ = "payment_lines"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint(
            "state IN ('pending', 'paid', 'failed', 'reissued', 'unclaimed', 'void')",
            name="state",
        ),
        CheckConstraint("method IN ('mobile', 'bank', 'cash')", name="method"),
        CheckConstraint("payable_code IN ('2000', '2100')", name="payable_code"),
        # Never paid twice: one live line per worker, event and computation. A top-up batch
        # (a later run) pays only the difference, which the service works out.
        Index(
            "uq_payment_lines_event_worker_run_live",
            "event_id",
            "worker_id",
            "run_id",
            unique=True,
            sqlite_where=text(LIVE_LINE),
            postgresql_where=text(LIVE_LINE),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("disbursement_batches.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    run_id: Mapped[int] = mapped_column(ForeignKey("entitlement_runs.id"))
    entitlement_id: Mapped[int] = mapped_column(ForeignKey("entitlements.id"))
    worker_id: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(200))
    national_id_masked: Mapped[str] = mapped_column(String(30))
    section: Mapped[str | None] = mapped_column(String(100))
    method: Mapped[str] = mapped_column(String(10))
    wallet_number: Mapped[str | None] = mapped_column(String(11))
    bank_account: Mapped[str | None] = mapped_column(String(50))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(10), default="pending")
    receipt_number: Mapped[str] = mapped_column(String(30), unique=True)
    verification_code: Mapped[str] = mapped_column(String(20))
    provider_reference: Mapped[str | None] = mapped_column(String(100))
    failure_reason: Mapped[str | None] = mapped_column(String(200))
    # where the money is owed from: 2000 normally, 2100 once the line went unclaimed
    payable_code: Mapped[str] = mapped_column(String(4), default="2000")
    released: Mapped[bool] = mapped_column(default=False)  # the cash has left the fund
    settled_on: Mapped[date | None]  # paid or failed, as the provider reported
    reissue_of_id: Mapped[int | None] = mapped_column(ForeignKey("payment_lines.id"))

    batch: Mapped[DisbursementBatch] = relationship(back_populates="lines")


class ResultImport(Base):
    """A provider's result file applied to a batch; its digest makes a second import a no-op."""

    __tablename__ = "payment_result_imports"
    __table_args__ = (
        Index("uq_payment_result_imports_batch_sha256", "batch_id", "sha256", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("disbursement_batches.id"))
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    rows: Mapped[int]
    paid: Mapped[int]
    failed: Mapped[int]
    mismatches: Mapped[str] = mapped_column(Text, default="")  # one per line, as reported
    imported_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)


class PayeeChange(Base):
    """A request to pay a line to other details than the approved ones, and who decided it.

    Four eyes: the approver is never the requester (here and in a CHECK constraint). An
    approved change is carried out once, as the reissue it names (``new_line_id``).
    """

    __tablename__ = "payee_changes"
    __table_args__ = (
        CheckConstraint("state IN ('requested', 'approved', 'rejected')", name="state"),
        CheckConstraint("method IN ('mobile', 'bank', 'cash')", name="method"),
        CheckConstraint(
            "decided_by_id IS NULL OR decided_by_id <> requested_by_id", name="four_eyes"
        ),
        CheckConstraint(
            "(state = 'requested') = (decided_by_id IS NULL)", name="decided_when_closed"
        ),
        # One open request per line: a second waits until the first is decided.
        Index(
            "uq_payee_changes_line_open",
            "line_id",
            unique=True,
            sqlite_where=text("state = 'requested'"),
            postgresql_where=text("state = 'requested'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("disbursement_batches.id"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("payment_lines.id"), index=True)
    state: Mapped[str] = mapped_column(String(10), default="requested")
    method: Mapped[str] = mapped_column(String(10))
    wallet_number: Mapped[str | None] = mapped_column(String(11))
    bank_account: Mapped[str | None] = mapped_column(String(50))
    reason: Mapped[str] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(20), default="staff")  # staff, claims desk, …
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(String(500), default="")
    new_line_id: Mapped[int | None] = mapped_column(ForeignKey("payment_lines.id"))

    line: Mapped[PaymentLine] = relationship(foreign_keys=[line_id])
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
