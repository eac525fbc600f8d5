"""The batch rules: what goes in a batch, who may move it on, and what each step posts.

A worker is never paid twice for an event: one live payment line per worker, event and
computation (a partial unique index), and a top-up batch after a recomputation pays only the
difference between what the worker is now owed and what live lines already hold. The approver is
never the submitter (here, in the API and the UI, and in a CHECK constraint).

Available funds (decided here, shown on the batch page): the BDT in the bank (1010) and the
mobile-money float (1020), less what approved batches still owe (2000, every event) and the
unclaimed payouts kept for workers (2100). Approval needs the batch's total plus its payment
fees to be available, checked with the cash accounts locked.

Postings, each under an idempotency key so a retry or a double-click posts once:
- approve ``batch:{id}:approve``: Dr 5000 Worker compensation [factory, event] / Cr 2000 [event];
- pay ``batch:{id}:pay``: Dr 2000 / Cr 1010 (bank and cash lines) and Cr 1020 (mobile lines),
  fees Dr 5100 / Cr 1010; neither cash account may go below zero. Lines stay ``pending`` until
  the provider's result file (or an officer) says paid or failed;
- a failed line ``line:{id}:failed``: the money came back, Dr 1010/1020 / Cr its payable;
- unclaimed ``line:{id}:unclaimed``: Dr 2000 / Cr 2100 Unclaimed payouts;
- a reissue ``line:{id}:release``: the new line's cash goes out, Dr 2000 (or 2100) / Cr cash;
- cancelling an approved batch reverses its approval entry.
Every transition writes a ``BatchTransition`` row and an audit event.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from sqlalchemy import Table, func, select, update
from sqlalchemy.orm import Session

from dbtools.bulk import insert_rows
from fund import money_limits
from fund.audit.services import record
from fund.auth.models import User
from fund.auth.roles import Role
from fund.controls import payment_guard
from fund.controls.approvals import DEFAULT_BANDS, Band, approvals_needed
from fund.controls.guards import refused_by_payment_guard
from fund.controls.models import BatchApproval
from fund.controls.roll_review import unacknowledged_high
from fund.db import utcnow
from fund.disbursements import payees, reconciliation, step_dates
from fund.disbursements.models import (
    BatchTransition,
    DisbursementBatch,
    PaymentLine,
    ResultImport,
)
from fund.disbursements.receipts import Receipt, standing, verification_code
from fund.disbursements.sheets import SheetHeader, SheetRow
from fund.entitlements.copayment import post_factory_share
from fund.entitlements.export import exact_text
from fund.entitlements.models import Entitlement, EntitlementLine, EntitlementRun
from fund.entitlements.services import freeze_policy, latest_run, stored_policy
from fund.entitlements.words import line_sentences
from fund.events.models import Event
from fund.rolls.models import RollWorker
from fund.rolls.services import payment_details_missing
from ledger import Account, Entry, InsufficientFunds, Posting, account, post, reverse
from ledger.models import Account as AccountRow
from ledger.models import JournalEntry
from ledger.money import format_minor
from ledger.queries import balance, balances_by_dimension

__all__ = [
    "BatchRefused",
    "BatchStateError",
    "DoublePaymentRefused",
    "FindingsNotAcknowledged",
    "InsufficientFunds",
    "NotAllowed",
    "NothingToPay",
    "PayeeChangeNeeded",
    "SelfApprovalRefused",
    "UnknownPaymentLine",
    "UnknownWorkers",
]

PAYOUT_CURRENCY = "BDT"
CASH_ACCOUNTS = ("1010", "1020")
#: The cash account each payment method's money leaves from.
CASH_FOR_METHOD = {"mobile": "1020", "bank": "1010", "cash": "1010"}
#: Fee per payment line in poisha, by method (the app config ``DISBURSEMENT_FEES`` overrides).
DEFAULT_FEES: Mapping[str, int] = {"mobile": 0, "bank": 0, "cash": 0}
DEFAULT_UNCLAIMED_DAYS = 90

PREPARERS = frozenset({Role.ADMIN, Role.OFFICER})
APPROVERS = frozenset({Role.ADMIN, Role.APPROVER})
PAYERS = frozenset({Role.ADMIN, Role.OFFICER, Role.ACCOUNTANT})


class BatchRefused(Exception):
    """A batch operation the rules do not allow; the message says why."""


class BatchStateError(BatchRefused):
    """The batch or line is not in a state that allows this step."""


class SelfApprovalRefused(BatchRefused):
    """The submitter tried to approve their own batch."""


class NothingToPay(BatchRefused):
    """Every eligible worker of the event is already paid in full by live batches."""


class UnknownWorkers(BatchRefused):
    """A selection named workers the event's computation does not pay."""


class UnknownPaymentLine(BatchRefused, LookupError):
    """No payment line with that id or receipt number in the batch."""


class NotAllowed(BatchRefused):
    """The user's role may not take this step."""


class FindingsNotAcknowledged(BatchRefused):
    """The batch's roll has HIGH findings no officer has acknowledged yet."""


class DoublePaymentRefused(BatchRefused):
    """A worker (by national ID) would be paid again for days or a separation already paid."""


# --- helpers -------------------------------------------------------------------------------


def _check_role(actor: User, allowed: frozenset[Role], what: str) -> None:
    if actor.role_enum not in allowed:
        names = ", ".join(sorted(r.value for r in allowed))
        raise NotAllowed(f"{actor.username} ({actor.role}) may not {what}; only {names} may")


def _transition(
    session: Session,
    batch: DisbursementBatch,
    *,
    before: str | None,
    after: str,
    actor: User,
    note: str = "",
    line: PaymentLine | None = None,
    facts: dict[str, Any] | None = None,
    action: str | None = None,
) -> None:
    session.add(
        BatchTransition(
            batch_id=batch.id,
            line_id=line.id if line is not None else None,
            from_state=before,
            to_state=after,
            actor_id=actor.id,
            note=note[:500],
        )
    )
    session.flush()
    what = "line" if line is not None else "batch"
    record(
        session,
        actor=actor,
        action=action or f"{'payment_lines' if line is not None else 'batches'}.{after}",
        object_type=what,
        object_id=line.id if line is not None else batch.id,
        before={"state": before} if before else None,
        after={"state": after, **({"note": note} if note else {}), **(facts or {})},
    )


def _move(session: Session, batch: DisbursementBatch, to: str, actor: User, note: str = "") -> None:
    before = batch.state
    batch.state = to
    _transition(session, batch, before=before, after=to, actor=actor, note=note)


def _lock(session: Session, batch: DisbursementBatch) -> None:
    """Hold the batch row (PostgreSQL ``FOR UPDATE``) and re-read it: two clicks queue here."""
    session.execute(
        select(DisbursementBatch.id).where(DisbursementBatch.id == batch.id).with_for_update()
    )
    session.refresh(batch)


def _require(batch: DisbursementBatch, *states: str) -> None:
    if batch.state not in states:
        raise BatchStateError(
            f"batch {batch.id} is {batch.state}; this needs it {' or '.join(states)}"
        )


def masked(national_id: str) -> str:
    """``"•••••••••6789"``: enough to tell workers apart, not enough to misuse."""
    return "•" * max(0, len(national_id) - 4) + national_id[-4:]


def receipt_number(batch_id: int, position: int, reissue: int = 0) -> str:
    """``"WF-000012-00034"``, with ``-R1``, ``-R2`` … for reissues."""
    base = f"WF-{batch_id:06d}-{position:05d}"
    return f"{base}-R{reissue}" if reissue else base


def _committed(session: Session, event_id: int) -> dict[str, int]:
    """What live lines already hold per worker of the event (minor units)."""
    rows = session.execute(
        select(PaymentLine.worker_id, func.sum(PaymentLine.amount_minor))
        .where(
            PaymentLine.event_id == event_id,
            PaymentLine.state.not_in(("void", "reissued")),
        )
        .group_by(PaymentLine.worker_id)
    )
    return {worker: int(total) for worker, total in rows}


@dataclass(frozen=True, slots=True)
class Overpayment:
    """A worker whose live payment lines hold more than the latest computation entitles."""

    worker_id: str
    name: str
    entitled_minor: int  # 0 when the latest computation no longer pays them at all
    committed_minor: int

    @property
    def excess_minor(self) -> int:
        """What would have to be recovered (or written off) from the worker."""
        return self.committed_minor - self.entitled_minor


def overpayments(session: Session, *, event: Event) -> list[Overpayment]:
    """Workers the event's live lines pay more than its latest computation gives, largest first.

    A recomputation that lowers amounts (a corrected wage, an ineligible worker) cannot take back
    what a batch already holds; a top-up pays only differences upwards, so these are reported to
    staff instead of being lost silently.
    """
    run = latest_run(session, event)
    committed = _committed(session, event.id)
    if run is None or not committed:
        return []
    entitled = {
        worker: amount if eligible else 0
        for worker, amount, eligible in session.execute(
            select(Entitlement.worker_id, Entitlement.amount_minor, Entitlement.eligible).where(
                Entitlement.run_id == run.id
            )
        )
    }
    names: dict[str, str] = dict(
        session.execute(
            select(PaymentLine.worker_id, PaymentLine.name).where(PaymentLine.event_id == event.id)
        )
        .tuples()
        .all()  # a Result has keys(): dict() would read it as a mapping
    )
    found = [
        Overpayment(worker, names.get(worker, ""), entitled.get(worker, 0), held)
        for worker, held in committed.items()
        if held > entitled.get(worker, 0)
    ]
    return sorted(found, key=lambda over: (-over.excess_minor, over.worker_id))


# --- creating and moving batches -----------------------------------------------------------


def create_batch(
    session: Session,
    *,
    event: Event,
    actor: User,
    secret_key: str,
    selection: Collection[str] | None = None,
    top_up: bool = False,
) -> DisbursementBatch:
    """A draft batch of the event's latest eligible entitlements that no live batch pays yet.

    ``selection`` limits it to those worker IDs. ``top_up=True`` (after a recomputation) pays
    each worker the difference between the new amount and what live lines already hold.
    """
    _check_role(actor, PREPARERS, "prepare batches")
    # Two officers making a batch of one event at once queue here, so the second sees the
    # first's lines instead of tripping over the unique index.
    session.execute(select(Event.id).where(Event.id == event.id).with_for_update(key_share=True))
    run = latest_run(session, event)
    if run is None:
        raise BatchRefused(f"event {event.id} has no computed entitlements")
    if run.currency != PAYOUT_CURRENCY:
        raise BatchRefused(f"payouts are in {PAYOUT_CURRENCY}, the run is in {run.currency}")
    entitled = session.execute(
        select(
            Entitlement.id,
            Entitlement.worker_id,
            Entitlement.name,
            Entitlement.national_id,
            Entitlement.section,
            Entitlement.amount_minor,
            Entitlement.days_paid,
        )
        .where(Entitlement.run_id == run.id, Entitlement.eligible, Entitlement.amount_minor > 0)
        .order_by(Entitlement.position)
    ).all()
    if selection is not None:
        wanted = set(selection)
        unknown = wanted - {row.worker_id for row in entitled}
        if unknown:
            shown = ", ".join(sorted(unknown)[:10])
            raise UnknownWorkers(
                f"not paid by event {event.id}'s computation (unknown or ineligible): {shown}"
                + (f" and {len(unknown) - 10} more" if len(unknown) > 10 else "")
            )
        entitled = [row for row in entitled if row.worker_id in wanted]
    committed = _committed(session, event.id)
    # One live line per worker and computation (the unique index): a worker already paid from
    # this run gets nothing more from it; cancel that batch to pay the whole amount at once.
    paid_from_run = set(
        session.scalars(
            select(PaymentLine.worker_id).where(
                PaymentLine.run_id == run.id, PaymentLine.state.not_in(("void", "reissued"))
            )
        )
    )
    dues = []
    for row in entitled:
        already = committed.get(row.worker_id, 0)
        if (already and not top_up) or row.worker_id in paid_from_run:
            continue
        if row.amount_minor - already > 0:
            dues.append((row, row.amount_minor - already))
    # Held, not paid by another method: a bank or mobile worker without the account or wallet
    # waits for a new roll version or an approved payee change (missing_payment_details).
    held = payment_details_missing(session, roll_id=run.roll_id)
    held_out = sorted(row.worker_id for row, _ in dues if row.worker_id in held)
    if held_out:
        dues = [(row, due) for row, due in dues if row.worker_id not in held]
    held_note = (
        f"held out, missing_payment_details: {len(held_out)} worker(s)"
        f" ({', '.join(held_out[:20])}{', …' if len(held_out) > 20 else ''})"
        if held_out
        else ""
    )
    if not dues:
        raise NothingToPay(
            f"every eligible worker of event {event.id} is already paid by a live batch"
            + ("" if top_up else " (after a recomputation, make a top-up batch)")
            + (f"; {held_note}" if held_out else "")
        )
    _check_sizes(dues)
    claims = _plan_claims(session, event=event, run=run, dues=dues, committed=committed)
    payees = _payees(session, run)
    batch = DisbursementBatch(
        event_id=event.id,
        run_id=run.id,
        kind="top_up" if top_up else "full",
        currency=run.currency,
        state="draft",
        total_minor=0,
        created_by_id=actor.id,
    )
    session.add(batch)
    session.flush()
    rows: list[tuple[Any, ...]] = []
    total = 0
    for row, due in dues:
        method, wallet, bank = payees.get(row.worker_id, ("cash", None, None))
        number = receipt_number(batch.id, len(rows) + 1)
        code = verification_code(
            secret_key,
            receipt_number=number,
            worker_id=row.worker_id,
            amount_minor=due,
            currency=run.currency,
            event_id=event.id,
        )
        rows.append(
            (
                batch.id, event.id, run.id, row.id, row.worker_id, row.name,
                masked(row.national_id), row.section, method, wallet, bank, due, "pending",
                number, code, "2000", False,
            )
        )  # fmt: skip
        total += due
    insert_rows(session.connection(), _LINES, LINE_COLUMNS, rows)
    batch.total_minor = total
    batch.line_count = len(rows)
    try:
        claimed = payment_guard.write_claims(
            session,
            event=event,
            batch_id=batch.id,
            plan=claims,
            national_ids={row.id: row.national_id for row, _ in dues},
        )
    except Exception as error:
        # Another batch claimed the same days between our check and our write: the trigger
        # refused it. The caller rolls back; the officer gets the reason, not a 500.
        if not refused_by_payment_guard(error):
            raise
        raise DoublePaymentRefused(
            "double payment refused by the database: another batch has just claimed some of "
            "these workers' days. Nothing was stored; look at the event's batches and try again."
        ) from error
    _transition(
        session,
        batch,
        before=None,
        after="draft",
        actor=actor,
        action="batches.create",
        note=held_note,
        facts={
            "event": event.id,
            "run": run.id,
            "kind": batch.kind,
            "lines": len(rows),
            "total": format_minor(total, batch.currency),
            "payment_claims": claimed,
            "held_missing_payment_details": held_out,
        },
    )
    return batch


def _check_sizes(dues: Sequence[tuple[Any, int]]) -> None:
    """Refuse a line or a batch past the documented maxima (``fund.money_limits``)."""
    try:
        for row, due in dues:
            money_limits.check(
                due, money_limits.WORKER_LINE, what=f"the payment to {row.worker_id}",
                currency=PAYOUT_CURRENCY,
            )  # fmt: skip
        money_limits.check(
            sum(due for _, due in dues), money_limits.BATCH, what="the batch",
            currency=PAYOUT_CURRENCY,
        )  # fmt: skip
    except money_limits.AmountTooLarge as error:
        raise BatchRefused(
            f"{error}: split the batch (choose the workers) or check the roll"
        ) from error


def _plan_claims(
    session: Session,
    *,
    event: Event,
    run: EntitlementRun,
    dues: Sequence[tuple[Any, int]],
    committed: Mapping[str, int],
) -> payment_guard.Plan:
    """The double-payment guard's claims for the new lines; refused when one overlaps."""
    suspension = stored_policy(run.policy_version).suspension
    plan = payment_guard.plan_claims(
        session,
        event=event,
        weekly_holidays=suspension.weekly_holidays if suspension is not None else frozenset(),
        dues=[
            payment_guard.Due(
                entitlement_id=row.id,
                worker_id=row.worker_id,
                national_id=row.national_id,
                days_paid=row.days_paid,
                topping_up=committed.get(row.worker_id, 0) > 0,
            )
            for row, _ in dues
        ],
    )
    if plan.conflicts:
        shown = "; ".join(
            f"{c.worker_id} (national ID {masked(c.national_id)}) is already paid by event "
            f"{c.event_id} for {c.first_day} to {c.last_day}"
            for c in plan.conflicts[:10]
        )
        more = len(plan.conflicts) - 10
        raise DoublePaymentRefused(
            f"double payment refused: {shown}"
            + (f" and {more} more" if more > 0 else "")
            + ". Leave them out of the batch (choose the workers) or cancel the other payment."
        )
    return plan


_LINES: Table = PaymentLine.__table__  # type: ignore[assignment]
LINE_COLUMNS = (
    "batch_id", "event_id", "run_id", "entitlement_id", "worker_id", "name",
    "national_id_masked", "section", "method", "wallet_number", "bank_account", "amount_minor",
    "state", "receipt_number", "verification_code", "payable_code", "released",
)  # fmt: skip


def _payees(session: Session, run: EntitlementRun) -> dict[str, tuple[str, str | None, str | None]]:
    """How each worker of the run's roll is paid: method, wallet, bank account."""
    if run.roll_id is None:
        return {}
    rows = session.execute(
        select(
            RollWorker.worker_id,
            RollWorker.payment_method,
            RollWorker.wallet_number,
            RollWorker.bank_account,
        ).where(RollWorker.roll_id == run.roll_id)
    )
    found: dict[str, tuple[str, str | None, str | None]] = {}
    for worker_id, method, wallet, bank in rows:
        chosen = method if method in CASH_FOR_METHOD else "cash"
        if (chosen == "mobile" and not wallet) or (chosen == "bank" and not bank):
            chosen = "cash"
        found[worker_id] = (chosen, wallet, bank)
    return found


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
    _check_role(actor, PREPARERS, "submit batches")
    _lock(session, batch)
    _require(batch, "draft")
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
    _move(session, batch, "submitted", actor, f"needs {batch.approvals_required} approver(s)")
    return batch


def available_funds(session: Session, *, currency: str = PAYOUT_CURRENCY) -> int:
    """BDT the fund can still commit: bank and float, less approved-unpaid and unclaimed."""
    cash = sum(balance(session, account(session, code)) for code in CASH_ACCOUNTS)
    owed = sum(balances_by_dimension(session, "2000", "event", currency=currency).values())
    unclaimed = balance(session, account(session, "2100", currency=currency))
    return cash + owed + unclaimed  # liabilities are credit balances (negative)


def _fees(session: Session, batch: DisbursementBatch, fees: Mapping[str, int]) -> dict[str, int]:
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
    _lock(session, batch)
    already = session.scalar(
        select(BatchApproval.id).where(
            BatchApproval.batch_id == batch.id, BatchApproval.approver_id == actor.id
        )
    )
    if already is not None and batch.state in ("submitted", "approved", "paid"):
        return batch  # a repeated click or command: already done, nothing more is posted
    _require(batch, "submitted")
    step_dates.approval_date(session, batch, on)
    if batch.submitted_by_id == actor.id:
        raise SelfApprovalRefused(
            f"batch {batch.id}: the approver must be someone other than the submitter"
        )
    _check_role(actor, APPROVERS, "approve batches")
    given = 1 + (
        session.scalar(
            select(func.count(BatchApproval.id)).where(BatchApproval.batch_id == batch.id)
        )
        or 0
    )
    if given < batch.approvals_required:
        session.add(BatchApproval(batch_id=batch.id, approver_id=actor.id))
        session.flush()
        _transition(
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
    needed = batch.total_minor + sum(_fees(session, batch, fees).values())
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
    _move(session, batch, "approved", actor, f"journal entry {entry.id}")
    freeze_policy(session, version=batch.run.policy_version, actor=actor)
    return batch


def reject(
    session: Session, *, batch: DisbursementBatch, actor: User, reason: str
) -> DisbursementBatch:
    """Send a submitted batch back; its workers are free for another batch."""
    _check_role(actor, APPROVERS, "reject batches")
    _lock(session, batch)
    _require(batch, "submitted")
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
    _check_role(actor, PREPARERS | APPROVERS, "cancel batches")
    _lock(session, batch)
    _require(batch, "draft", "submitted", "approved")
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
    _move(session, batch, to, actor, reason.strip())
    session.expire(batch, ["lines"])
    return batch


def pay(
    session: Session,
    *,
    batch: DisbursementBatch,
    actor: User,
    on: date,
    fees: Mapping[str, int] = DEFAULT_FEES,
) -> DisbursementBatch:
    """Release an approved batch's money: Dr 2000 / Cr 1010 and 1020 by method, fees to 5100."""
    _check_role(actor, PAYERS, "pay batches")
    _lock(session, batch)
    if batch.state == "paid":
        return batch  # a retry: the money left once
    _require(batch, "approved")
    step_dates.payment_date(session, batch, on)
    by_cash: dict[str, int] = defaultdict(int)
    for method, total in session.execute(
        select(PaymentLine.method, func.sum(PaymentLine.amount_minor))
        .where(PaymentLine.batch_id == batch.id, PaymentLine.state == "pending")
        .group_by(PaymentLine.method)
    ):
        by_cash[CASH_FOR_METHOD[method]] += int(total)
    fee_total = sum(_fees(session, batch, fees).values())
    by_cash["1010"] += fee_total
    payable = account(session, "2000", currency=batch.currency, event=str(batch.event_id))
    cash = {code: account(session, code) for code in CASH_ACCOUNTS}
    postings = [Posting(payable, batch.total_minor)]
    if fee_total:
        postings.append(Posting(account(session, "5100", currency=batch.currency), fee_total))
    postings.extend(
        Posting(cash[code], -amount) for code, amount in sorted(by_cash.items()) if amount
    )
    entry = post(
        session,
        Entry(
            effective_date=on,
            memo=f"Batch {batch.id} paid out: {batch.line_count} workers"
            + (f", fees {format_minor(fee_total, batch.currency)}" if fee_total else ""),
            idempotency_key=f"batch:{batch.id}:pay",
            reference=f"batch:{batch.id}",
            postings=tuple(postings),
        ),
        no_overdraft=list(cash.values()),
    )
    session.execute(
        update(PaymentLine)
        .where(PaymentLine.batch_id == batch.id, PaymentLine.state == "pending")
        .values(released=True)
    )
    batch.paid_by_id = actor.id
    batch.paid_at = utcnow()
    batch.payment_entry_id = entry.id
    _move(session, batch, "paid", actor, f"journal entry {entry.id}")
    return batch


# --- payment lines -------------------------------------------------------------------------


def get_line(session: Session, *, batch: DisbursementBatch, line_id: int) -> PaymentLine:
    """The batch's payment line with this id."""
    line = session.get(PaymentLine, line_id)
    if line is None or line.batch_id != batch.id:
        raise UnknownPaymentLine(f"batch {batch.id} has no payment line {line_id}")
    return line


def _require_line(line: PaymentLine, *states: str) -> None:
    if line.state not in states:
        raise BatchStateError(
            f"payment line {line.id} ({line.receipt_number}) is {line.state}; "
            f"this needs it {' or '.join(states)}"
        )
    if not line.released:
        raise BatchStateError(f"payment line {line.id}: its batch has not been paid out yet")


def _line_moved(
    session: Session, line: PaymentLine, to: str, actor: User, note: str = "", **facts: Any
) -> None:
    before = line.state
    line.state = to
    session.flush()
    _transition(
        session, line.batch, before=before, after=to, actor=actor, note=note, line=line, facts=facts
    )


def mark_paid(
    session: Session,
    *,
    line: PaymentLine,
    actor: User,
    on: date,
    provider_reference: str | None = None,
) -> PaymentLine:
    """The provider (or the cash desk) confirms the worker got the money."""
    _check_role(actor, PAYERS, "settle payment lines")
    if line.state == "paid":
        return line
    _require_line(line, "pending")
    step_dates.settlement_date(session, line, on)
    line.settled_on = on
    line.provider_reference = provider_reference or line.provider_reference
    _line_moved(session, line, "paid", actor, provider_reference=provider_reference)
    return line


def mark_failed(
    session: Session, *, line: PaymentLine, actor: User, on: date, reason: str
) -> PaymentLine:
    """The payment did not reach the worker; the money is back: Dr cash / Cr the payable."""
    _check_role(actor, PAYERS, "settle payment lines")
    if line.state == "failed":
        return line
    _require_line(line, "pending")
    step_dates.settlement_date(session, line, on)
    _post_returns(session, [line], on=on, key=f"line:{line.id}:failed")
    line.settled_on = on
    line.failure_reason = reason[:200]
    _line_moved(session, line, "failed", actor, reason)
    return line


def _payable_for(session: Session, line: PaymentLine, currency: str) -> Account:
    if line.payable_code == "2100":
        return account(session, "2100", currency=currency)
    return account(session, "2000", currency=currency, event=str(line.event_id))


def _post_returns(
    session: Session, lines: Sequence[PaymentLine], *, on: date, key: str
) -> JournalEntry | None:
    """Money of failed lines back in the bank or float: Dr cash / Cr the payable."""
    if not lines:
        return None
    currency = lines[0].batch.currency
    debit: dict[str, int] = defaultdict(int)
    credit: dict[tuple[str, int], int] = defaultdict(int)
    for line in lines:
        debit[CASH_FOR_METHOD[line.method]] += line.amount_minor
        credit[(line.payable_code, line.event_id)] += line.amount_minor
    postings = [Posting(account(session, code), amount) for code, amount in sorted(debit.items())]
    for (code, event_id), amount in sorted(credit.items()):
        target = (
            account(session, "2100", currency=currency)
            if code == "2100"
            else account(session, "2000", currency=currency, event=str(event_id))
        )
        postings.append(Posting(target, -amount))
    return post(
        session,
        Entry(
            effective_date=on,
            memo=f"{len(lines)} payment(s) failed and returned (batch {lines[0].batch_id})",
            idempotency_key=key,
            reference=f"batch:{lines[0].batch_id}",
            postings=tuple(postings),
        ),
    )


def mark_unclaimed(session: Session, *, line: PaymentLine, actor: User, on: date) -> PaymentLine:
    """A failed payment nobody collected: Dr 2000 / Cr 2100 Unclaimed payouts."""
    _check_role(actor, PAYERS, "settle payment lines")
    if line.state == "unclaimed":
        return line
    _require_line(line, "failed")
    step_dates.after_failure_date(line, on, "the unclaimed move")
    if line.payable_code != "2000":  # pragma: no cover - only reissues of unclaimed carry 2100
        raise BatchStateError(f"payment line {line.id} is already owed from unclaimed payouts")
    currency = line.batch.currency
    post(
        session,
        Entry(
            effective_date=on,
            memo=f"Payment {line.receipt_number} unclaimed: moved to unclaimed payouts",
            idempotency_key=f"line:{line.id}:unclaimed",
            reference=f"batch:{line.batch_id}",
            postings=(
                Posting(_payable_for(session, line, currency), line.amount_minor),
                Posting(account(session, "2100", currency=currency), -line.amount_minor),
            ),
        ),
    )
    line.payable_code = "2100"
    _line_moved(session, line, "unclaimed", actor)
    return line


def expire_unclaimed(
    session: Session,
    *,
    batch: DisbursementBatch,
    actor: User,
    on: date,
    after_days: int = DEFAULT_UNCLAIMED_DAYS,
) -> list[PaymentLine]:
    """Every failed line of the batch not reissued within ``after_days`` goes unclaimed."""
    try:
        cutoff = on - timedelta(days=after_days)
    except OverflowError:  # before the first calendar day: nothing can have failed that early
        return []
    stale = session.scalars(
        select(PaymentLine)
        .where(
            PaymentLine.batch_id == batch.id,
            PaymentLine.state == "failed",
            PaymentLine.settled_on <= cutoff,
        )
        .order_by(PaymentLine.id)
    ).all()
    return [mark_unclaimed(session, line=line, actor=actor, on=on) for line in stale]


class PayeeChangeNeeded(BatchRefused):
    """Paying a line to other details than the approved ones needs an approved payee change."""


def reissue(
    session: Session,
    *,
    line: PaymentLine,
    actor: User,
    on: date,
    secret_key: str,
    method: str | None = None,
    wallet_number: str | None = None,
    bank_account: str | None = None,
) -> PaymentLine:
    """Pay a failed or unclaimed line again, to the same details; cash goes out.

    Other details (a new wallet, account or method) are a payee change: requested, then
    approved by someone else (``fund.disbursements.payee_changes``); this refuses them.
    """
    _check_role(actor, PAYERS, "reissue payments")
    _require_line(line, "failed", "unclaimed")
    current = payees.approved(line)
    try:
        wanted = payees.parse_payee(
            current=current, method=method, wallet_number=wallet_number, bank_account=bank_account
        )
    except payees.PayeeDetailsInvalid as error:
        raise BatchRefused(str(error)) from error
    if wanted != current:
        raise PayeeChangeNeeded(
            f"payment line {line.id} ({line.receipt_number}) is approved to pay "
            f"{payees.describe(current)}; paying {payees.describe(wanted)} is a payee change: "
            "request it, and an approver other than you approves it before any money moves"
        )
    return pay_again(session, line=line, actor=actor, on=on, secret_key=secret_key, payee=wanted)


def pay_again(
    session: Session,
    *,
    line: PaymentLine,
    actor: User,
    on: date,
    secret_key: str,
    payee: payees.Payee,
    facts: Mapping[str, Any] | None = None,
    note: str = "",
) -> PaymentLine:
    """The reissue itself, to ``payee``: callers have checked who may and to which details.

    Called by ``reissue`` (same details, a payer) and by the payee change service (other
    details, once an approver other than the requester approved them) only.
    """
    _require_line(line, "failed", "unclaimed")
    step_dates.after_failure_date(line, on, "the reissue")
    chosen = payee.method
    wallet = payee.wallet_number if chosen == "mobile" else line.wallet_number
    bank = payee.bank_account if chosen == "bank" else line.bank_account
    old_state = line.state
    line.state = "reissued"
    session.flush()  # the old line leaves the live set before the new one joins it
    depth, root = 1, line
    while root.reissue_of_id is not None:
        depth += 1
        parent = session.get(PaymentLine, root.reissue_of_id)
        assert parent is not None
        root = parent
    number = f"{root.receipt_number}-R{depth}"
    batch = line.batch
    fresh = PaymentLine(
        batch_id=line.batch_id,
        event_id=line.event_id,
        run_id=line.run_id,
        entitlement_id=line.entitlement_id,
        worker_id=line.worker_id,
        name=line.name,
        national_id_masked=line.national_id_masked,
        section=line.section,
        method=chosen,
        wallet_number=wallet if chosen == "mobile" else line.wallet_number,
        bank_account=bank if chosen == "bank" else line.bank_account,
        amount_minor=line.amount_minor,
        state="pending",
        receipt_number=number,
        verification_code=verification_code(
            secret_key,
            receipt_number=number,
            worker_id=line.worker_id,
            amount_minor=line.amount_minor,
            currency=batch.currency,
            event_id=line.event_id,
        ),
        payable_code=line.payable_code,
        released=True,
        reissue_of_id=line.id,
    )
    session.add(fresh)
    session.flush()
    payment_guard.move(session, from_line=line.id, to_line=fresh.id)
    cash = account(session, CASH_FOR_METHOD[chosen])
    post(
        session,
        Entry(
            effective_date=on,
            memo=f"Payment {number} reissued (was {line.receipt_number}, {old_state})",
            idempotency_key=f"line:{fresh.id}:release",
            reference=f"batch:{batch.id}",
            postings=(
                Posting(_payable_for(session, fresh, batch.currency), fresh.amount_minor),
                Posting(cash, -fresh.amount_minor),
            ),
        ),
        no_overdraft=[cash],
    )
    _transition(
        session, batch, before=old_state, after="reissued", actor=actor, line=line, note=note,
        facts={"new_line": fresh.id, "method": chosen, **(facts or {})},
    )  # fmt: skip
    _transition(session, batch, before=None, after="pending", actor=actor, line=fresh)
    return fresh


# --- reconciliation ------------------------------------------------------------------------


@dataclass
class ReconciliationResult:
    """What importing a provider's result file did."""

    sha256: str
    repeated: bool  # the same file was imported before: nothing changed
    rows: int
    paid: int
    failed: int
    mismatches: list[str] = field(default_factory=list)


def reconcile(
    session: Session,
    *,
    batch: DisbursementBatch,
    actor: User,
    data: bytes,
    filename: str,
    on: date,
) -> ReconciliationResult:
    """Apply a provider's result file: paid and failed lines, returns posted, mismatches listed.

    The same file (by SHA-256) imported again changes nothing and reports the first result.
    """
    _check_role(actor, PAYERS, "reconcile batches")
    # Two imports of one file at once queue on the batch row, so the second finds the first's
    # import and reports it instead of failing on the (batch, digest) unique index.
    _lock(session, batch)
    digest = hashlib.sha256(data).hexdigest()
    earlier = session.scalar(
        select(ResultImport).where(ResultImport.batch_id == batch.id, ResultImport.sha256 == digest)
    )
    if earlier is not None:
        return ReconciliationResult(
            sha256=digest,
            repeated=True,
            rows=earlier.rows,
            paid=earlier.paid,
            failed=earlier.failed,
            mismatches=[m for m in earlier.mismatches.splitlines() if m],
        )
    _require(batch, "paid")
    step_dates.reconciliation_date(session, batch, on)
    results = reconciliation.parse_results(data, filename=filename)
    lines = {
        line.receipt_number: line
        for line in session.scalars(
            select(PaymentLine).where(PaymentLine.batch_id == batch.id, PaymentLine.state != "void")
        )
    }
    plan = reconciliation.match(
        results.rows,
        {
            number: reconciliation.Expected(line.amount_minor, line.state)
            for number, line in lines.items()
        },
        currency=batch.currency,
    )
    mismatches = [*results.problems, *plan.mismatches]
    failed_lines = [lines[row.reference] for row in plan.failed]
    _post_returns(session, failed_lines, on=on, key=f"batch:{batch.id}:result:{digest[:32]}")
    for row in plan.paid:
        line = lines[row.reference]
        line.settled_on = row.settled_on or on
        line.provider_reference = row.provider_reference or line.provider_reference
        _line_moved(session, line, "paid", actor, provider_reference=row.provider_reference)
    for row in plan.failed:
        line = lines[row.reference]
        line.settled_on = row.settled_on or on
        line.failure_reason = (row.message or "failed at the provider")[:200]
        line.provider_reference = row.provider_reference or line.provider_reference
        _line_moved(session, line, "failed", actor, line.failure_reason)
    session.add(
        ResultImport(
            batch_id=batch.id,
            sha256=digest,
            filename=filename[:255],
            rows=len(results.rows),
            paid=len(plan.paid),
            failed=len(plan.failed),
            mismatches="\n".join(mismatches),
            imported_by_id=actor.id,
        )
    )
    session.flush()
    record(
        session,
        actor=actor,
        action="batches.reconcile",
        object_type="batch",
        object_id=batch.id,
        after={
            "file": filename,
            "sha256": digest,
            "paid": len(plan.paid),
            "failed": len(plan.failed),
            "mismatches": len(mismatches),
        },
    )
    return ReconciliationResult(
        sha256=digest,
        repeated=False,
        rows=len(results.rows),
        paid=len(plan.paid),
        failed=len(plan.failed),
        mismatches=mismatches,
    )


# --- what the outputs read -----------------------------------------------------------------


def state_counts(session: Session, batch: DisbursementBatch) -> dict[str, int]:
    """How many of the batch's lines are in each state."""
    rows = session.execute(
        select(PaymentLine.state, func.count(PaymentLine.id))
        .where(PaymentLine.batch_id == batch.id)
        .group_by(PaymentLine.state)
    )
    return {state: int(count) for state, count in rows}


def sheet_header(batch: DisbursementBatch) -> SheetHeader:
    """The facts at the top of the disbursement sheet."""
    event = batch.event
    return SheetHeader(
        batch_id=batch.id,
        state=batch.state,
        kind=batch.kind,
        factory=f"{event.factory.code} {event.factory.name}",
        event=event.title,
        currency=batch.currency,
        total_minor=batch.total_minor,
        line_count=batch.line_count,
        approved_by=batch.approved_by.display_name or batch.approved_by.username
        if batch.approved_by
        else "",
        approved_at=batch.approved_at.date().isoformat() if batch.approved_at else "",
        approval_entry_id=batch.approval_entry_id,
    )


def live_line_count(session: Session, batch: DisbursementBatch) -> int:
    """How many lines the batch's sheet lists (a reissued line counts as its replacement)."""
    return int(
        session.scalar(
            select(func.count(PaymentLine.id)).where(
                PaymentLine.batch_id == batch.id, PaymentLine.state != "reissued"
            )
        )
        or 0
    )


def sheet_rows(session: Session, batch: DisbursementBatch) -> list[SheetRow]:
    """The batch's live lines (a reissued line shows as its replacement), in receipt order."""
    rows = session.execute(
        select(
            PaymentLine.receipt_number,
            PaymentLine.worker_id,
            PaymentLine.name,
            PaymentLine.national_id_masked,
            PaymentLine.section,
            PaymentLine.method,
            PaymentLine.wallet_number,
            PaymentLine.bank_account,
            PaymentLine.amount_minor,
            PaymentLine.state,
            Entitlement.factory_share_minor,
        )
        .join(Entitlement, Entitlement.id == PaymentLine.entitlement_id)
        .where(PaymentLine.batch_id == batch.id, PaymentLine.state != "reissued")
        .order_by(PaymentLine.receipt_number)
    )
    return [
        SheetRow(
            receipt_number=r.receipt_number,
            worker_id=r.worker_id,
            name=r.name,
            national_id_masked=r.national_id_masked,
            section=r.section or "",
            method=r.method,
            account=_payee_account(r.method, r.wallet_number, r.bank_account),
            amount_minor=r.amount_minor,
            state=r.state,
            factory_share_minor=r.factory_share_minor,
        )
        for r in rows
    ]


def _payee_account(method: str, wallet: str | None, bank: str | None) -> str:
    if method == "mobile":
        return wallet or ""
    if method == "bank":
        return bank or ""
    return ""


def receipts(session: Session, batch: DisbursementBatch) -> list[Receipt]:
    """One ``Receipt`` per live line, with each entitlement line in plain words."""
    event = batch.event
    lines = session.execute(
        select(PaymentLine, Entitlement.position, Entitlement.days_paid,
               Entitlement.years_of_service, Entitlement.amount_minor,
               Entitlement.exact_numerator, Entitlement.exact_denominator)
        .join(Entitlement, Entitlement.id == PaymentLine.entitlement_id)
        .where(PaymentLine.batch_id == batch.id, PaymentLine.state.not_in(("void", "reissued")))
        .order_by(PaymentLine.receipt_number)
    ).all()  # fmt: skip
    breakdown: dict[tuple[int, int], list[str]] = defaultdict(list)
    sums: dict[tuple[int, int], Fraction] = defaultdict(Fraction)
    run_ids = {line.run_id for line, *_ in lines}
    for item in session.execute(
        select(EntitlementLine)
        .where(EntitlementLine.run_id.in_(run_ids))
        .order_by(
            EntitlementLine.run_id,
            EntitlementLine.entitlement_position,
            EntitlementLine.position,
        )
    ).scalars():
        key = (item.run_id, item.entitlement_position)
        breakdown[key].extend(line_sentences(item, batch.currency))
        sums[key] += Fraction(item.amount_numerator, item.amount_denominator)
    factory = f"{event.factory.code} {event.factory.name}"
    out = []
    currency = batch.currency
    for line, position, days, years, entitled, numerator, denominator in lines:
        words = list(breakdown.get((line.run_id, position), []))
        payable = Fraction(numerator, denominator)
        lines_total = sums[(line.run_id, position)]
        if lines_total != payable:
            added = exact_text(lines_total, currency, grouping=True)
            share = exact_text(payable, currency, grouping=True)
            words.append(
                f"The lines add up to {added} {currency}; "
                f"the fund pays its share, {share} {currency}."
            )
        if payable != entitled:
            words.append(
                f"Rounded once to the policy's unit: {format_minor(entitled, currency)} {currency}."
            )
        if line.amount_minor != entitled:
            words.append(
                f"The worker is owed {format_minor(entitled, batch.currency)} {batch.currency} in "
                f"all; {format_minor(entitled - line.amount_minor, batch.currency)} was paid "
                "before, so this payment is the difference."
            )
        if line.reissue_of_id is not None:
            words.append("This payment replaces an earlier one that did not reach the worker.")
        service = f"{years} years of service" if years is not None else f"{days or 0} days paid"
        out.append(
            Receipt(
                receipt_number=line.receipt_number,
                verification_code=line.verification_code,
                factory=factory,
                event=event.title,
                batch_id=batch.id,
                worker_id=line.worker_id,
                name=line.name,
                national_id_masked=line.national_id_masked,
                method=line.method,
                account=_payee_account(line.method, line.wallet_number, line.bank_account),
                amount_minor=line.amount_minor,
                currency=batch.currency,
                service=service,
                explanation=tuple(words),
                status=standing(batch.state, line.state),
                dated=_slip_date(batch, line),
            )
        )
    return out


def _slip_date(batch: DisbursementBatch, line: PaymentLine) -> date | None:
    """The day the slip's claim became true: settled, released, approved or drafted."""
    if line.settled_on is not None:
        return line.settled_on
    moment = batch.paid_at or batch.approved_at or batch.created_at
    return moment.date() if moment is not None else None


def payment_file(
    session: Session, batch: DisbursementBatch, *, file_format: str, bom_formats: Sequence[str]
) -> bytes:
    """The provider's file of the batch's pending ``file_format`` lines (README: formats)."""
    from fund.disbursements.payment_files import build_payment_file

    return build_payment_file(
        payment_rows(session, batch, method=file_format),
        file_format=file_format,
        currency=batch.currency,
        narration=f"Worker Fund batch {batch.id}",
        bom=file_format in bom_formats,
    )


def payment_rows(
    session: Session, batch: DisbursementBatch, *, method: str
) -> list[tuple[str, str, int, str, str]]:
    """(reference, wallet or account, amount, name, routing number) of pending ``method`` lines.

    The routing number is the roll's for the same worker and the same account; a line
    reissued to another account has none (the fund was not given that branch's).
    """
    rows = session.execute(
        select(
            PaymentLine.receipt_number,
            PaymentLine.wallet_number,
            PaymentLine.bank_account,
            PaymentLine.amount_minor,
            PaymentLine.name,
            RollWorker.routing_number,
        )
        .join(EntitlementRun, EntitlementRun.id == PaymentLine.run_id)
        .outerjoin(
            RollWorker,
            (RollWorker.roll_id == EntitlementRun.roll_id)
            & (RollWorker.worker_id == PaymentLine.worker_id)
            & (RollWorker.bank_account == PaymentLine.bank_account),
        )
        .where(
            PaymentLine.batch_id == batch.id,
            PaymentLine.method == method,
            PaymentLine.state == "pending",
        )
        .order_by(PaymentLine.receipt_number)
    )
    return [
        (
            number,
            (wallet if method == "mobile" else bank) or "",
            amount,
            name,
            (routing or "") if method == "bank" else "",
        )
        for number, wallet, bank, amount, name, routing in rows
    ]


def transfer_to_float(
    session: Session, *, amount_minor: int, actor: User, on: date
) -> JournalEntry:
    """Move BDT from the bank to the mobile-money float (Dr 1020 / Cr 1010), before mobile pays."""
    _check_role(actor, PAYERS, "fund the mobile-money float")
    if amount_minor <= 0:
        raise BatchRefused("the amount to move must be positive")
    try:
        money_limits.check(
            amount_minor, money_limits.BATCH, what="a float transfer", currency="BDT"
        )
    except money_limits.AmountTooLarge as error:
        raise BatchRefused(str(error)) from error
    bank = account(session, "1010")
    entry = post(
        session,
        Entry(
            effective_date=on,
            memo=f"Mobile-money float funded: {format_minor(amount_minor, 'BDT')} BDT",
            idempotency_key=f"float:{on.isoformat()}:{amount_minor}:{actor.id}",
            reference="float",
            postings=(
                Posting(account(session, "1020"), amount_minor),
                Posting(bank, -amount_minor),
            ),
        ),
        no_overdraft=[bank],
    )
    record(
        session,
        actor=actor,
        action="batches.fund_float",
        object_type="journal_entry",
        object_id=entry.id,
        after={"amount": format_minor(amount_minor, "BDT")},
    )
    return entry


def mobile_needed(session: Session, batch: DisbursementBatch) -> int:
    """What the batch's pending mobile lines will take from the float."""
    total = session.scalar(
        select(func.coalesce(func.sum(PaymentLine.amount_minor), 0)).where(
            PaymentLine.batch_id == batch.id,
            PaymentLine.method == "mobile",
            PaymentLine.state == "pending",
        )
    )
    return int(total or 0)
