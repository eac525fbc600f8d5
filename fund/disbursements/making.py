"""Making a batch: which workers of an event it pays and how much, and who is held back.

A worker is never paid twice for an event: one live payment line per worker, event and
computation (a partial unique index), and a top-up batch after a recomputation pays only the
difference between what the worker is now owed and what live lines already hold. A recomputation
that lowers amounts cannot take back what a batch holds: ``overpayments`` reports those workers.
Bank or mobile workers without the account or wallet they need are held out and named in the
batch's note (and in the refusal when no one is left), never dropped silently. A worker whose
days or separation another batch already pays (by national ID, the payment guard) refuses the
whole batch, naming them. Only preparers make batches.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from dbtools.bulk import insert_rows
from fund import money_limits
from fund.auth.models import User
from fund.controls import payment_guard
from fund.controls.guards import refused_by_payment_guard
from fund.disbursements.models import (
    DisbursementBatch,
    PaymentLine,
)
from fund.disbursements.receipts import verification_code
from fund.disbursements.services import (
    CASH_FOR_METHOD,
    PAYOUT_CURRENCY,
    PREPARERS,
    BatchRefused,
    DoublePaymentRefused,
    NothingToPay,
    UnknownWorkers,
    check_role,
    masked,
    receipt_number,
    transition,
)
from fund.entitlements.models import Entitlement, EntitlementRun
from fund.entitlements.policy_versions import stored_policy
from fund.entitlements.services import latest_run
from fund.events.models import Event
from fund.rolls.models import RollWorker
from fund.rolls.services import payment_details_missing
from ledger.money import format_minor


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
    check_role(actor, PREPARERS, "prepare batches")
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
    transition(
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
