"""Co-payment: the factory's part of entitlements, in the books and on a factory statement.

A policy whose ``fund_share`` is below 1 leaves the rest of each worker's amount to the
factory (``Entitlement.factory_share_minor``). With ``fund_advances`` the fund pays the worker
the whole and recovers the factory's part: when a batch is approved the part it advanced is
moved from worker compensation (5000) to 1200 Factory share receivable, kept per factory, and
a payment from the factory is posted against it. Without ``fund_advances`` the factory pays its
part to the workers itself: that is shown on the statement from the entitlements, never booked
as the fund's. Everything goes through ``ledger.post``; services add and flush, never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fund.audit.services import record
from fund.auth.models import User
from fund.entitlements.models import Entitlement, EntitlementRun
from fund.entitlements.policy_versions import stored_policy
from fund.events.models import Event
from fund.factories.models import Factory
from ledger import Entry, Posting, account, post
from ledger.models import JournalEntry
from ledger.money import format_minor
from ledger.queries import statement


class FactoryPaymentRefused(ValueError):
    """A factory payment that cannot be recorded (not positive, more than it owes)."""


def post_factory_share(session: Session, *, batch: object, on: date) -> JournalEntry | None:
    """Book the factory's part of an approved batch the fund advanced (once; None if none).

    Each worker's part is their entitlement's factory share less what earlier approved lines
    of the same event already booked for them (a top-up after a recomputation books the rise).
    """
    from fund.disbursements.models import DisbursementBatch, PaymentLine

    assert isinstance(batch, DisbursementBatch)
    if not stored_policy(batch.run.policy_version).payout.fund_advances:
        return None
    live = PaymentLine.state.not_in(("void", "reissued"))
    shares = session.execute(
        select(PaymentLine.worker_id, Entitlement.factory_share_minor)
        .join(Entitlement, Entitlement.id == PaymentLine.entitlement_id)
        .where(PaymentLine.batch_id == batch.id, live)
    ).all()
    earlier = dict(
        session.execute(
            select(PaymentLine.worker_id, func.max(Entitlement.factory_share_minor))
            .join(Entitlement, Entitlement.id == PaymentLine.entitlement_id)
            .join(DisbursementBatch, DisbursementBatch.id == PaymentLine.batch_id)
            .where(
                PaymentLine.event_id == batch.event_id,
                PaymentLine.batch_id != batch.id,
                DisbursementBatch.state.in_(("approved", "paid")),
                live,
            )
            .group_by(PaymentLine.worker_id)
        )
        .tuples()
        .all()
    )
    total = sum(max(share - (earlier.get(worker) or 0), 0) for worker, share in shares)
    if total == 0:
        return None
    event = batch.event
    factory = event.factory.code
    return post(
        session,
        Entry(
            effective_date=on,
            memo=(
                f"Batch {batch.id}: the factory's share of event {event.id}, advanced by the "
                f"fund, owed by {factory}"
            ),
            idempotency_key=f"batch:{batch.id}:factory-share",
            reference=f"batch:{batch.id}",
            postings=(
                Posting(account(session, "1200", currency=batch.currency, factory=factory), total),
                Posting(
                    account(
                        session,
                        "5000",
                        currency=batch.currency,
                        factory=factory,
                        event=str(event.id),
                    ),
                    -total,
                ),
            ),
        ),
    )


def record_factory_payment(
    session: Session,
    *,
    factory: Factory,
    amount_minor: int,
    on: date,
    reference: str,
    actor: User | None,
    currency: str = "BDT",
) -> JournalEntry:
    """A factory paid (part of) its share into the fund's bank: Dr 1010 / Cr 1200."""
    if amount_minor <= 0:
        raise FactoryPaymentRefused("a payment must be above zero")
    if not reference.strip():
        raise FactoryPaymentRefused("name the bank reference of the factory's payment")
    receivable = account(session, "1200", currency=currency, factory=factory.code)
    owed = statement(session, receivable).closing
    if amount_minor > owed:
        raise FactoryPaymentRefused(
            f"{factory.code} owes {format_minor(owed, currency)} {currency}; a payment of "
            f"{format_minor(amount_minor, currency)} would be more than that"
        )
    entry = post(
        session,
        Entry(
            effective_date=on,
            memo=f"{factory.code} paid its share of entitlements ({reference.strip()})",
            idempotency_key=f"factory-share-payment:{factory.code}:{reference.strip()}",
            reference=reference.strip(),
            postings=(
                Posting(account(session, "1010"), amount_minor),
                Posting(receivable, -amount_minor),
            ),
        ),
    )
    record(
        session,
        actor=actor,
        action="factories.share_payment",
        object_type="factory",
        object_id=factory.id,
        after={"amount_minor": amount_minor, "reference": reference.strip(), "entry": entry.id},
    )
    return entry


@dataclass(frozen=True, slots=True)
class StatementRow:
    """One movement of the factory's share: advanced (owed) or paid."""

    entry_id: int
    effective_date: date
    memo: str
    owed_minor: int
    paid_minor: int
    still_owed_minor: int


@dataclass(frozen=True, slots=True)
class FactoryShareStatement:
    """What a factory owes the fund for its share, paid and still owes; and what it owes its
    workers directly under policies the fund does not advance."""

    factory: Factory
    currency: str
    owed_minor: int
    paid_minor: int
    still_owed_minor: int
    rows: tuple[StatementRow, ...]
    owed_to_workers_minor: int  # not the fund's money: from the latest computations


def factory_share_statement(
    session: Session, *, factory: Factory, currency: str = "BDT"
) -> FactoryShareStatement:
    """The factory's share statement, from the 1200 account (and, for direct shares, runs)."""
    books = statement(session, account(session, "1200", currency=currency, factory=factory.code))
    rows = tuple(
        StatementRow(
            line.entry_id,
            line.effective_date,
            line.memo,
            max(line.amount, 0),
            max(-line.amount, 0),
            line.running_balance,
        )
        for line in books.lines
    )
    return FactoryShareStatement(
        factory=factory,
        currency=currency,
        owed_minor=sum(row.owed_minor for row in rows),
        paid_minor=sum(row.paid_minor for row in rows),
        still_owed_minor=books.closing,
        rows=rows,
        owed_to_workers_minor=_owed_to_workers(session, factory, currency),
    )


def _owed_to_workers(session: Session, factory: Factory, currency: str) -> int:
    latest = (
        select(func.max(EntitlementRun.id))
        .join(Event, Event.id == EntitlementRun.event_id)
        .where(Event.factory_id == factory.id, EntitlementRun.currency == currency)
        .group_by(EntitlementRun.event_id)
    )
    runs: Sequence[EntitlementRun] = session.scalars(
        select(EntitlementRun).where(EntitlementRun.id.in_(latest))
    ).all()
    direct = [run.id for run in runs if not stored_policy(run.policy_version).payout.fund_advances]
    if not direct:
        return 0
    return int(
        session.scalar(
            select(func.coalesce(func.sum(Entitlement.factory_share_minor), 0)).where(
                Entitlement.run_id.in_(direct)
            )
        )
        or 0
    )
