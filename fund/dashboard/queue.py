"""What waits for each role: the home page's work queue, oldest first, each with its next step.

Every item is read from the same tables the pages that act on it read (events, rolls, findings,
runs, batches, lines, claims, the ledger's period close), so the queue can never disagree with
them. Items name where the next action is as an endpoint and its arguments; the template turns
them into links, so this module needs no request.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fund.auth.models import User
from fund.auth.roles import Role
from fund.claims.models import Claim
from fund.controls.models import RollFinding
from fund.disbursements import services as disbursements
from fund.disbursements.models import DisbursementBatch, PaymentLine
from fund.entitlements.models import EntitlementRun
from fund.events.models import Event
from fund.rolls.models import Roll
from ledger.models import JournalEntry
from ledger.money import format_minor
from ledger.posting import closed_through

#: How far ahead the helpline sees claims coming due.
CLAIMS_DUE_WITHIN = timedelta(days=7)

#: The kinds of work, in the order a role's queue shows them, and who does each.
KINDS: dict[str, frozenset[Role]] = {
    "no_roll": disbursements.PREPARERS,
    "findings": disbursements.PREPARERS,
    "uncomputed": disbursements.PREPARERS,
    "unbatched": disbursements.PREPARERS,
    "drafts": disbursements.PREPARERS,
    "to_approve": disbursements.APPROVERS,
    "to_pay": disbursements.PAYERS,
    "to_reconcile": disbursements.PAYERS,
    "months": frozenset({Role.ACCOUNTANT, Role.ADMIN}),
    "claims": frozenset({Role.HELPLINE, Role.OFFICER, Role.ADMIN}),
}


@dataclass(frozen=True, slots=True)
class Item:
    """One thing waiting: what it is, since when, and the link to the next action."""

    what: str
    since: date
    action: str
    endpoint: str
    args: dict[str, Any] = field(default_factory=dict)
    anchor: str = ""


@dataclass(frozen=True, slots=True)
class Group:
    """The items of one kind of work (the template words its heading, with plurals)."""

    kind: str
    items: list[Item]
    count: int  # what the heading counts (months to close: months, not items)


def _day(moment: datetime | date) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


def _money(minor: int, currency: str) -> str:
    return f"{format_minor(minor, currency)} {currency}"


def _events_without_roll(session: Session) -> list[Item]:
    events = session.scalars(
        select(Event).where(Event.roll_id.is_(None)).order_by(Event.created_at, Event.id)
    ).all()
    stored = set(session.scalars(select(Roll.factory_id).distinct()))
    return [
        Item(
            what=event.title,
            since=_day(event.created_at),
            action="Attach the stored roll"
            if event.factory_id in stored
            else f"Import {event.factory.code}'s roll",
            endpoint="events.detail" if event.factory_id in stored else "rolls.index",
            args={"event_id": event.id}
            if event.factory_id in stored
            else {"code": event.factory.code},
            anchor="life" if event.factory_id in stored else "",
        )
        for event in events
    ]


def _open_findings(session: Session) -> list[Item]:
    rows = session.execute(
        select(RollFinding.roll_id, func.count(RollFinding.id), func.min(RollFinding.found_at))
        .where(RollFinding.severity == "high", RollFinding.acknowledged_at.is_(None))
        .group_by(RollFinding.roll_id)
        .order_by(func.min(RollFinding.found_at))
    ).all()
    items = []
    for roll_id, count, since in rows:
        roll = session.get(Roll, roll_id)
        assert roll is not None  # a finding belongs to a stored roll
        noun = "finding" if count == 1 else "findings"
        items.append(
            Item(
                what=f"{roll.factory.code} roll version {roll.version}: {count} high {noun}",
                since=_day(since),
                action="Acknowledge with a note",
                endpoint="rolls.detail",
                args={"roll_id": roll_id},
                anchor="findings",
            )
        )
    return items


def _newest_runs(session: Session) -> dict[int, EntitlementRun]:
    newest = select(func.max(EntitlementRun.id)).group_by(EntitlementRun.event_id)
    return {
        run.event_id: run
        for run in session.scalars(select(EntitlementRun).where(EntitlementRun.id.in_(newest)))
    }


def _uncomputed(session: Session, runs: dict[int, EntitlementRun]) -> list[Item]:
    items = []
    for event in session.scalars(
        select(Event).where(Event.roll_id.is_not(None)).order_by(Event.created_at, Event.id)
    ):
        run = runs.get(event.id)
        if run is None:
            what = f"{event.title}: not computed yet"
        elif run.roll_id != event.roll_id:
            what = f"{event.title}: computed from an earlier roll"
        else:
            continue
        items.append(
            Item(
                what=what,
                since=_day(event.created_at),
                action="Compute entitlements",
                endpoint="events.detail",
                args={"event_id": event.id},
                anchor="life",
            )
        )
    return items


def _unbatched(session: Session, runs: dict[int, EntitlementRun]) -> list[Item]:
    """Computed events none of whose batches (live or paid) uses the newest computation."""
    batched = set(
        session.scalars(
            select(DisbursementBatch.run_id).where(
                DisbursementBatch.state.not_in(("rejected", "cancelled"))
            )
        )
    )
    items = []
    for event_id, run in sorted(runs.items(), key=lambda pair: (pair[1].computed_at, pair[0])):
        if run.id in batched or run.eligible == 0:
            continue
        event = run.event
        if event.roll_id != run.roll_id:
            continue  # to compute again first: listed above
        items.append(
            Item(
                what=f"{event.title}: {run.eligible} eligible, "
                f"{_money(run.total_minor, run.currency)}, no batch yet",
                since=_day(run.computed_at),
                action="Make a draft batch",
                endpoint="disbursements.index",
                args={"event": event_id},
            )
        )
    return items


def _batches(
    session: Session, state: str, action: str, *, exclude_submitter: int | None = None
) -> list[Item]:
    stamp = {
        "draft": DisbursementBatch.created_at,
        "submitted": DisbursementBatch.submitted_at,
        "approved": DisbursementBatch.approved_at,
    }[state]
    query = select(DisbursementBatch).where(DisbursementBatch.state == state)
    items = []
    for batch in session.scalars(query.order_by(stamp, DisbursementBatch.id)):
        if exclude_submitter is not None and batch.submitted_by_id == exclude_submitter:
            continue  # four eyes: someone else approves what I submitted
        lines = "1 worker" if batch.line_count == 1 else f"{batch.line_count} workers"
        items.append(
            Item(
                what=f"Batch {batch.id}, {batch.event.factory.code}: {lines}, "
                f"{_money(batch.total_minor, batch.currency)}",
                since=_day(getattr(batch, stamp.key) or batch.created_at),
                action=action,
                endpoint="disbursements.detail",
                args={"batch_id": batch.id},
                anchor="decision" if state == "submitted" else "actions",
            )
        )
    return items


def _unreconciled(session: Session) -> list[Item]:
    """Batches whose money left the fund but whose lines the provider has not all settled."""
    rows = session.execute(
        select(DisbursementBatch, func.count(PaymentLine.id))
        .join(PaymentLine, PaymentLine.batch_id == DisbursementBatch.id)
        .where(DisbursementBatch.state == "paid", PaymentLine.state == "pending")
        .group_by(DisbursementBatch.id)
        .order_by(DisbursementBatch.paid_at, DisbursementBatch.id)
    ).all()
    return [
        Item(
            what=f"Batch {batch.id}, {batch.event.factory.code}: {pending} of "
            f"{batch.line_count} payments not settled",
            since=_day(batch.paid_at or batch.created_at),
            action="Import the provider's result file",
            endpoint="disbursements.detail",
            args={"batch_id": batch.id},
            anchor="actions",
        )
        for batch, pending in rows
    ]


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def months_to_close(session: Session, *, today: date) -> list[date]:
    """Ends of past months that have postings and are not closed yet, oldest first."""
    closed = closed_through(session)
    query = select(func.min(JournalEntry.effective_date)).where(JournalEntry.status == "posted")
    if closed is not None:
        query = query.where(JournalEntry.effective_date > closed)
    first = session.scalar(query)
    last = today.replace(day=1) - timedelta(days=1)
    months: list[date] = []
    day = first
    while day is not None and _month_end(day) <= last:
        months.append(_month_end(day))
        day = _month_end(day) + timedelta(days=1)
    return months


def _months(session: Session, today: date) -> list[Item]:
    # Closing a month closes every earlier one, so one item stands for all the open months.
    months = months_to_close(session, today=today)
    if not months:
        return []
    first, last = months[0], months[-1]
    span = first.strftime("%B %Y") + ("" if first == last else f" to {last.strftime('%B %Y')}")
    return [
        Item(
            what=f"The books of {span} are open",
            since=first,
            action=f"Close the books through {last.strftime('%B %Y')}",
            endpoint="reports.index",
            anchor="close",
        )
    ]


def _claims(session: Session, today: date) -> list[Item]:
    claims = session.scalars(
        select(Claim)
        .where(Claim.status == "open", Claim.due_on <= today + CLAIMS_DUE_WITHIN)
        .order_by(Claim.due_on, Claim.id)
    ).all()
    return [
        Item(
            what=f"{claim.reference}: {claim.worker_name}, {claim.kind.replace('_', ' ')}, "
            + ("overdue since" if claim.due_on < today else "due")
            + f" {claim.due_on.isoformat()}",
            since=claim.due_on,
            action="Decide the claim",
            endpoint="claims.detail",
            args={"claim_id": claim.id},
        )
        for claim in claims
    ]


def work_queue(session: Session, *, user: User, today: date) -> list[Group]:
    """The work waiting for ``user``'s role, grouped by kind; empty groups left out."""
    role = user.role_enum
    wanted = [kind for kind, roles in KINDS.items() if role in roles]
    runs = _newest_runs(session) if {"uncomputed", "unbatched"} & set(wanted) else {}
    build = {
        "no_roll": lambda: _events_without_roll(session),
        "findings": lambda: _open_findings(session),
        "uncomputed": lambda: _uncomputed(session, runs),
        "unbatched": lambda: _unbatched(session, runs),
        "drafts": lambda: _batches(session, "draft", "Check and submit for approval"),
        "to_approve": lambda: _batches(
            session, "submitted", "Review and decide", exclude_submitter=user.id
        ),
        "to_pay": lambda: _batches(session, "approved", "Pay out"),
        "to_reconcile": lambda: _unreconciled(session),
        "months": lambda: _months(session, today),
        "claims": lambda: _claims(session, today),
    }
    groups = []
    for kind in wanted:
        items = build[kind]()
        if items:
            count = len(months_to_close(session, today=today)) if kind == "months" else len(items)
            groups.append(Group(kind, items, count))
    return groups


def waiting_total(groups: list[Group]) -> int:
    """How many items wait in all."""
    return sum(group.count for group in groups)
