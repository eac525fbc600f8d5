"""The batch rules: what goes in a batch, who may move it on, and what approval posts.

A worker is never in two live batches of the same event (a partial unique index); the approver
is never the submitter (here and in a CHECK constraint); approval needs the fund's available
BDT — cash in the bank and the mobile-money float, less what approved batches still owe — and
posts one idempotent journal entry, so a double-click or a retried command posts once.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fund.audit.services import record
from fund.auth.models import User
from fund.disbursements.models import BatchTransition, DisbursementBatch, PaymentLine
from fund.entitlements.models import Entitlement
from fund.entitlements.services import freeze_policy, latest_run
from fund.events.models import Event
from ledger import Account, Entry, InsufficientFunds, Posting, account, post
from ledger.models import Account as AccountRow
from ledger.money import format_minor
from ledger.queries import balance, balances_by_dimension

PAYOUT_CURRENCY = "BDT"
CASH_ACCOUNTS = ("1010", "1020")


class BatchRefused(Exception):
    """A batch operation the rules do not allow; the message says why."""


class SelfApprovalRefused(BatchRefused):
    """The submitter tried to approve their own batch."""


class NothingToPay(BatchRefused):
    """Every eligible worker of the event is already in a live batch."""


def _move(session: Session, batch: DisbursementBatch, to: str, actor: User, note: str = "") -> None:
    session.add(
        BatchTransition(
            batch_id=batch.id, from_state=batch.state, to_state=to, actor_id=actor.id, note=note
        )
    )
    before = batch.state
    batch.state = to
    session.flush()
    record(
        session,
        actor=actor,
        action=f"batches.{to}",
        object_type="batch",
        object_id=batch.id,
        before={"state": before},
        after={"state": to, "note": note} if note else {"state": to},
    )


def _require(batch: DisbursementBatch, *states: str) -> None:
    if batch.state not in states:
        raise BatchRefused(
            f"batch {batch.id} is {batch.state}; this needs it {' or '.join(states)}"
        )


def create_batch(session: Session, *, event: Event, actor: User) -> DisbursementBatch:
    """A draft batch of the event's latest computed, eligible entitlements not yet in one."""
    run = latest_run(session, event)
    if run is None:
        raise BatchRefused(f"event {event.id} has no computed entitlements")
    taken = set(
        session.scalars(
            select(PaymentLine.worker_id).where(
                PaymentLine.event_id == event.id, PaymentLine.state != "void"
            )
        )
    )
    payable = [
        e
        for e in session.scalars(
            select(Entitlement)
            .where(Entitlement.run_id == run.id, Entitlement.eligible, Entitlement.amount_minor > 0)
            .order_by(Entitlement.position)
        )
        if e.worker_id not in taken
    ]
    if not payable:
        raise NothingToPay(f"every eligible worker of event {event.id} is already in a batch")
    if run.currency != PAYOUT_CURRENCY:
        raise BatchRefused(f"payouts are in {PAYOUT_CURRENCY}, the run is in {run.currency}")
    batch = DisbursementBatch(
        event_id=event.id,
        run_id=run.id,
        currency=run.currency,
        state="draft",
        total_minor=sum(e.amount_minor for e in payable),
        created_by_id=actor.id,
    )
    session.add(batch)
    session.flush()
    session.add_all(
        PaymentLine(
            batch_id=batch.id,
            event_id=event.id,
            entitlement_id=e.id,
            worker_id=e.worker_id,
            name=e.name,
            amount_minor=e.amount_minor,
        )
        for e in payable
    )
    session.add(
        BatchTransition(batch_id=batch.id, from_state=None, to_state="draft", actor_id=actor.id)
    )
    session.flush()
    record(
        session,
        actor=actor,
        action="batches.create",
        object_type="batch",
        object_id=batch.id,
        after={
            "event": event.id,
            "run": run.id,
            "lines": len(payable),
            "total": format_minor(batch.total_minor, batch.currency),
        },
    )
    return batch


def submit(session: Session, *, batch: DisbursementBatch, actor: User) -> DisbursementBatch:
    """Hand a draft to the approvers."""
    _require(batch, "draft")
    batch.submitted_by_id = actor.id
    _move(session, batch, "submitted", actor)
    return batch


def available_funds(session: Session) -> int:
    """BDT the fund can still commit: bank and float, less what approved batches still owe."""
    cash = sum(balance(session, account(session, code)) for code in CASH_ACCOUNTS)
    owed = sum(balances_by_dimension(session, "2000", "event", currency=PAYOUT_CURRENCY).values())
    return cash + owed  # payables are credit balances (negative)


def approve(
    session: Session, *, batch: DisbursementBatch, actor: User, on: date
) -> DisbursementBatch:
    """Approve a submitted batch and post it: Dr 5000 worker compensation / Cr 2000 payable."""
    if batch.state == "approved" and batch.approved_by_id == actor.id:
        return batch  # a repeated click or command: already done, nothing more is posted
    _require(batch, "submitted")
    if batch.submitted_by_id == actor.id:
        raise SelfApprovalRefused("the approver must be someone other than the submitter")
    cash = [account(session, code) for code in CASH_ACCOUNTS]
    # Lock the cash accounts so two approvals cannot both spend the same balance.
    session.execute(
        select(AccountRow.id)
        .where(AccountRow.id.in_([a.id for a in cash]))
        .order_by(AccountRow.id)
        .with_for_update()
    )
    available = available_funds(session)
    if available < batch.total_minor:
        raise InsufficientFunds(
            f"the fund has {format_minor(max(available, 0), PAYOUT_CURRENCY)} {PAYOUT_CURRENCY} "
            f"available; batch {batch.id} needs {format_minor(batch.total_minor, PAYOUT_CURRENCY)}"
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
            memo=f"Batch {batch.id} approved: {len(batch.lines)} workers of event {event.id}",
            idempotency_key=f"batch:{batch.id}:approve",
            reference=f"batch:{batch.id}",
            postings=(Posting(expense, batch.total_minor), Posting(payable, -batch.total_minor)),
        ),
    )
    batch.approved_by_id = actor.id
    batch.approval_entry_id = entry.id
    _move(session, batch, "approved", actor)
    freeze_policy(session, version=batch.run.policy_version, actor=actor)
    return batch


def reject(
    session: Session, *, batch: DisbursementBatch, actor: User, reason: str
) -> DisbursementBatch:
    """Send a submitted batch back; its workers are free for another batch."""
    _require(batch, "submitted")
    return _close(session, batch, "rejected", actor, reason)


def cancel(
    session: Session, *, batch: DisbursementBatch, actor: User, reason: str
) -> DisbursementBatch:
    """Drop a draft or submitted batch; its workers are free for another batch."""
    _require(batch, "draft", "submitted")
    return _close(session, batch, "cancelled", actor, reason)


def _close(
    session: Session, batch: DisbursementBatch, to: str, actor: User, reason: str
) -> DisbursementBatch:
    if not reason.strip():
        raise BatchRefused("say why")
    for line in batch.lines:
        line.state = "void"
    _move(session, batch, to, actor, reason)
    return batch


def live_lines(session: Session, event: Event) -> int:
    """How many workers of the event are in a live batch."""
    return (
        session.scalar(
            select(func.count(PaymentLine.id)).where(
                PaymentLine.event_id == event.id, PaymentLine.state != "void"
            )
        )
        or 0
    )
