"""Submitting, approving, rejecting and cancelling a batch: four eyes and the funds check.

The approver is never the submitter (here, in the API and the UI, and in a CHECK constraint);
large batches need the further approvals of their band. A batch whose roll has unacknowledged
HIGH findings cannot be submitted. Available funds: the BDT in the bank (1010) and the
mobile-money float (1020), less what approved batches still owe (2000, every event) and the
unclaimed payouts kept for workers (2100). Approval needs the batch's total plus its payment
fees to be available, checked with the cash accounts locked.

Postings, each under an idempotency key so a retry or a double-click posts once:
- approve ``batch:{id}:approve``: Dr 5000 Worker compensation [factory, event] / Cr 2000 [event];
- cancelling an approved batch reverses its approval entry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from fund.auth.models import User
from fund.controls import payment_guard
from fund.controls.approvals import DEFAULT_BANDS, Band, approvals_needed
from fund.controls.models import BatchApproval
from fund.controls.roll_review import unacknowledged_high
from fund.db import utcnow
from fund.disbursements import step_dates
from fund.disbursements.models import (
    DisbursementBatch,
    PaymentLine,
)
from fund.disbursements.services import (
    APPROVERS,
    CASH_ACCOUNTS,
    DEFAULT_FEES,
    PAYOUT_CURRENCY,
    PREPARERS,
    BatchRefused,
    FindingsNotAcknowledged,
    SelfApprovalRefused,
    check_role,
    lock_batch,
    move_batch,
    require_state,
    transition,
)
from fund.entitlements.copayment import post_factory_share
from fund.entitlements.policy_versions import freeze_policy
from ledger import Account, Entry, InsufficientFunds, Posting, account, post, reverse
from ledger.models import Account as AccountRow
from ledger.models import JournalEntry
from ledger.money import format_minor
from ledger.queries import balance, balances_by_dimension


def submit(
    session: Session,
    *,
    batch: DisbursementBatch,
    actor: User,
    bands: Sequence[Band] = DEFAULT_BANDS,
) -> DisbursementBatch:
    """Hand a draft to the approvers; ``bands`` fix how many distinct approvers it needs.

    Refused while the batch's roll has HIGH findings no officer has acknowledged.
    """
    check_role(actor, PREPARERS, "submit batches")
    lock_batch(session, batch)
    require_state(batch, "draft")
    roll_id = batch.run.roll_id
    if roll_id is not None:
        unseen = unacknowledged_high(session, roll_id)
        if unseen:
            listed = "; ".join(f"#{f.id} {f.message}" for f in unseen[:5])
            raise FindingsNotAcknowledged(
                f"batch {batch.id} cannot be submitted: roll {roll_id} has {len(unseen)} high "
                f"finding(s) not yet acknowledged ({listed}). An officer must acknowledge each, "
                "with a note, on the roll's page first."
            )
    batch.submitted_by_id = actor.id
    batch.submitted_at = utcnow()
    batch.approvals_required = approvals_needed(batch.total_minor, bands)
    move_batch(session, batch, "submitted", actor, f"needs {batch.approvals_required} approver(s)")
    return batch


def available_funds(session: Session, *, currency: str = PAYOUT_CURRENCY) -> int:
    """BDT the fund can still commit: bank and float, less approved-unpaid and unclaimed."""
    cash = sum(balance(session, account(session, code)) for code in CASH_ACCOUNTS)
    owed = sum(balances_by_dimension(session, "2000", "event", currency=currency).values())
    unclaimed = balance(session, account(session, "2100", currency=currency))
    return cash + owed + unclaimed  # liabilities are credit balances (negative)


def batch_fees(
    session: Session, batch: DisbursementBatch, fees: Mapping[str, int]
) -> dict[str, int]:
    """The payment fees of the batch's pending lines, by method (minor units)."""
    counts = session.execute(
        select(PaymentLine.method, func.count(PaymentLine.id))
        .where(PaymentLine.batch_id == batch.id, PaymentLine.state == "pending")
        .group_by(PaymentLine.method)
    )
    return {method: count * fees.get(method, 0) for method, count in counts}


def approve(
    session: Session,
    *,
    batch: DisbursementBatch,
    actor: User,
    on: date,
    fees: Mapping[str, int] = DEFAULT_FEES,
) -> DisbursementBatch:
    """Record the actor's approval; with enough distinct approvers, post the batch once.

    The batch needs ``approvals_required`` different approvers (none the submitter); until
    then it stays submitted. The last one posts Dr 5000 worker compensation / Cr 2000 payable.
    """
    lock_batch(session, batch)
    already = session.scalar(
        select(BatchApproval.id).where(
            BatchApproval.batch_id == batch.id, BatchApproval.approver_id == actor.id
        )
    )
    if already is not None and batch.state in ("submitted", "approved", "paid"):
        return batch  # a repeated click or command: already done, nothing more is posted
    require_state(batch, "submitted")
    step_dates.approval_date(session, batch, on)
    if batch.submitted_by_id == actor.id:
        raise SelfApprovalRefused(
            f"batch {batch.id}: the approver must be someone other than the submitter"
        )
    check_role(actor, APPROVERS, "approve batches")
    given = 1 + (
        session.scalar(
            select(func.count(BatchApproval.id)).where(BatchApproval.batch_id == batch.id)
        )
        or 0
    )
    if given < batch.approvals_required:
        session.add(BatchApproval(batch_id=batch.id, approver_id=actor.id))
        session.flush()
        transition(
            session, batch, before="submitted", after="submitted", actor=actor,
            note=f"approval {given} of {batch.approvals_required}", action="batches.approval",
            facts={"approvals": given, "required": batch.approvals_required},
        )  # fmt: skip
        return batch
    # The last approval: nothing is written unless the money is there (refused = unchanged).
    cash = [account(session, code) for code in CASH_ACCOUNTS]
    # Lock the cash accounts so two approvals cannot both spend the same balance.
    session.execute(
        select(AccountRow.id)
        .where(AccountRow.id.in_([a.id for a in cash]))
        .order_by(AccountRow.id)
        .with_for_update()
    )
    available = available_funds(session)
    needed = batch.total_minor + sum(batch_fees(session, batch, fees).values())
    if available < needed:
        raise InsufficientFunds(
            f"the fund has {format_minor(max(available, 0), PAYOUT_CURRENCY)} {PAYOUT_CURRENCY} "
            f"available; batch {batch.id} needs {format_minor(needed, PAYOUT_CURRENCY)}"
            + (" with its payment fees" if needed != batch.total_minor else "")
        )
    event = batch.event
    expense: Account = account(
        session, "5000", currency=batch.currency, factory=event.factory.code, event=str(event.id)
    )
    payable: Account = account(session, "2000", currency=batch.currency, event=str(event.id))
    entry = post(
        session,
        Entry(
            effective_date=on,
            memo=f"Batch {batch.id} approved: {batch.line_count} workers of event {event.id}",
            idempotency_key=f"batch:{batch.id}:approve",
            reference=f"batch:{batch.id}",
            postings=(Posting(expense, batch.total_minor), Posting(payable, -batch.total_minor)),
        ),
    )
    session.add(BatchApproval(batch_id=batch.id, approver_id=actor.id))
    batch.approved_by_id = actor.id
    batch.approved_at = utcnow()
    batch.approval_entry_id = entry.id
    post_factory_share(session, batch=batch, on=on)  # co-payment advanced: factory owes it
    move_batch(session, batch, "approved", actor, f"journal entry {entry.id}")
    freeze_policy(session, version=batch.run.policy_version, actor=actor)
    return batch


def reject(
    session: Session, *, batch: DisbursementBatch, actor: User, reason: str
) -> DisbursementBatch:
    """Send a submitted batch back; its workers are free for another batch."""
    check_role(actor, APPROVERS, "reject batches")
    lock_batch(session, batch)
    require_state(batch, "submitted")
    return _close(session, batch, "rejected", actor, reason)


def cancel(
    session: Session,
    *,
    batch: DisbursementBatch,
    actor: User,
    reason: str,
    on: date | None = None,
) -> DisbursementBatch:
    """Drop a batch not yet paid; an approved one has its approval entry reversed on ``on``."""
    check_role(actor, PREPARERS | APPROVERS, "cancel batches")
    lock_batch(session, batch)
    require_state(batch, "draft", "submitted", "approved")
    if batch.state == "approved":
        if on is None:
            raise BatchRefused(f"batch {batch.id} is approved: say on which day to reverse it")
        step_dates.payment_date(session, batch, on)
        original = session.get(JournalEntry, batch.approval_entry_id)
        assert original is not None
        if not reason.strip():
            raise BatchRefused("say why")
        reverse(
            session,
            original,
            effective_date=on,
            memo=f"Batch {batch.id} cancelled: {reason.strip()}"[:500],
            idempotency_key=f"batch:{batch.id}:cancel",
        )
    return _close(session, batch, "cancelled", actor, reason)


def _close(
    session: Session, batch: DisbursementBatch, to: str, actor: User, reason: str
) -> DisbursementBatch:
    if not reason.strip():
        raise BatchRefused("say why")
    session.execute(
        update(PaymentLine).where(PaymentLine.batch_id == batch.id).values(state="void")
    )
    payment_guard.release(session, batch_id=batch.id)
    batch.closed_by_id = actor.id
    batch.closed_at = utcnow()
    batch.close_reason = reason.strip()[:500]
    move_batch(session, batch, to, actor, reason.strip())
    session.expire(batch, ["lines"])
    return batch
