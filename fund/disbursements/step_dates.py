"""When a batch step may be dated: never before the step it follows, never after today.

The ledger refuses an entry after today or in a closed period for everybody; this module adds
the batch's own order, so an approval is not dated before its event began, a payment
before its approval, a line settled before its batch was paid out, or a reissue or unclaimed
move before the line failed. A refused date leaves the batch and the books as they were.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from fund.disbursements.models import DisbursementBatch, PaymentLine
from ledger.models import JournalEntry
from ledger.posting import today


class StepDateRefused(ValueError):
    """A step dated before the step it follows, or after today."""


def _entry_date(session: Session, entry_id: int | None) -> date | None:
    entry = session.get(JournalEntry, entry_id) if entry_id is not None else None
    return entry.effective_date if entry is not None else None


def check_on(on: date, *, follows: date | None, step: str, previous: str) -> None:
    """Refuse ``on`` for ``step`` when it is after today or before ``follows`` (``previous``)."""
    if on > today():
        raise StepDateRefused(f"{step} cannot be dated {on}: that is after today ({today()})")
    if follows is not None and on < follows:
        raise StepDateRefused(
            f"{step} cannot be dated {on}: that is before the {previous} ({follows})"
        )


def approval_date(session: Session, batch: DisbursementBatch, on: date) -> None:
    """An approval (the fund's liability) is dated on or after the day its event began.

    Submission is a wall-clock record, not a dated step: approvals are often entered late and
    dated when the approvers signed, but never before the event that makes the fund owe.
    """
    check_on(
        on,
        follows=batch.event.start_date,
        step=f"batch {batch.id}'s approval",
        previous="event's start",
    )


def payment_date(session: Session, batch: DisbursementBatch, on: date) -> None:
    """A payment (or a cancellation of an approved batch) is dated on or after the approval."""
    check_on(
        on,
        follows=_entry_date(session, batch.approval_entry_id),
        step=f"batch {batch.id}'s payment or cancellation",
        previous="approval",
    )


def settlement_date(session: Session, line: PaymentLine, on: date) -> None:
    """A line is settled (paid, failed) on or after its batch was paid out, or it was reissued."""
    batch = line.batch
    follows = _entry_date(session, batch.payment_entry_id)
    if line.reissue_of_id is not None:
        earlier = session.get(PaymentLine, line.reissue_of_id)
        if earlier is not None and earlier.settled_on is not None:
            follows = max(filter(None, (follows, earlier.settled_on)))
    check_on(on, follows=follows, step=f"settling {line.receipt_number}", previous="payment out")


def reconciliation_date(session: Session, batch: DisbursementBatch, on: date) -> None:
    """A provider's result file is applied on or after the batch was paid out."""
    check_on(
        on,
        follows=_entry_date(session, batch.payment_entry_id),
        step=f"batch {batch.id}'s reconciliation",
        previous="payment out",
    )


def after_failure_date(line: PaymentLine, on: date, step: str) -> None:
    """A reissue or an unclaimed move is dated on or after the day the line failed."""
    check_on(
        on, follows=line.settled_on, step=f"{step} of {line.receipt_number}", previous="failure"
    )
