"""Double-payment guard across batches: one national ID is paid once per day of a factory's
suspensions and once a separation benefit, whatever batch, event or roll version pays it.

Each payment line writes a claim (national ID, factory, first and last day paid; or
"separation") in the same transaction; voiding the line releases it, reissuing moves it to the
new line. The database refuses an overlapping live claim (``fund/controls/guards.py``); the
check here runs first only to name the workers in a readable refusal.

A top-up line (more for the same event after a recomputation) claims only the days beyond what
the event already claimed for that person; a separation top-up claims nothing new.

The guard is keyed on the *person*, not the ID the roll line happens to carry: a claim's
``national_id`` column holds the person key of ``fund/claims/persons.py`` (the ID itself until
an officer confirms two IDs as one person), so a 10-digit and a 17-digit ID of one worker meet
the same trigger.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Table, func, select, update
from sqlalchemy.orm import Session, aliased

from dbtools.bulk import insert_rows
from fund.claims.models import PersonNationalId
from fund.controls.models import PaymentClaim
from fund.disbursements.models import PaymentLine
from fund.events.models import Event
from imports.identifiers import national_id_key

Span = tuple[date, date]


@dataclass(frozen=True, slots=True)
class Due:
    """One worker a batch is about to pay."""

    entitlement_id: int
    worker_id: str
    national_id: str
    days_paid: int | None
    topping_up: bool  # live lines of this event already pay this worker ID


@dataclass(frozen=True, slots=True)
class Conflict:
    """A worker whose payment would overlap one already made."""

    worker_id: str
    national_id: str
    event_id: int
    first_day: date
    last_day: date


@dataclass
class Plan:
    """The claim each new line writes (None: nothing new to claim), and what overlaps."""

    claims: dict[int, Span | None] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)
    people: dict[int, str] = field(default_factory=dict)  # entitlement → person key


def person_keys(session: Session, national_ids: Iterable[str]) -> dict[str, str]:
    """Each national ID's person key (itself unless an officer linked it to another)."""
    wanted = sorted(set(national_ids))
    keys = {nid: nid for nid in wanted}
    for start in range(0, len(wanted), 1000):
        for nid, key in session.execute(
            select(PersonNationalId.national_id, PersonNationalId.person_key).where(
                PersonNationalId.national_id.in_(wanted[start : start + 1000])
            )
        ):
            keys[nid] = key
    return keys


def paid_span(start: date, days_paid: int, weekly_holidays: Collection[int]) -> Span:
    """First and last day of a suspension paid for ``days_paid`` counted days from ``start``.

    Days are counted as the rules count them (weekly holidays skipped when the policy counts
    working days), from the event's start, so the span does not depend on a later end date.
    """
    if days_paid < 1:
        raise ValueError("a paid suspension covers at least one day")
    day, counted, last = start, 0, start
    while counted < days_paid:
        if day.weekday() not in weekly_holidays:
            counted += 1
            last = day
        day += timedelta(days=1)
    return start, last


def plan_claims(
    session: Session,
    *,
    event: Event,
    weekly_holidays: Collection[int],
    dues: Sequence[Due],
) -> Plan:
    """What each due line would claim, checked against the factory's live claims."""
    kind = "separation" if event.kind == "closure" else "suspension"
    held: dict[str, list[PaymentClaim]] = defaultdict(list)
    # Compared in the one folded form (imports.identifiers), then as the person an officer
    # confirmed the ID belongs to, as the claims are written.
    folded = {due.national_id: national_id_key(due.national_id) for due in dues}
    people = person_keys(session, folded.values())
    keys = {nid: people[key] for nid, key in folded.items()}
    national_ids = sorted(set(keys.values()))
    for start in range(0, len(national_ids), 1000):
        for claim in session.scalars(
            select(PaymentClaim).where(
                PaymentClaim.active,
                PaymentClaim.factory_id == event.factory_id,
                PaymentClaim.kind == kind,
                PaymentClaim.national_id.in_(national_ids[start : start + 1000]),
            )
        ):
            held[claim.national_id].append(claim)
    plan = Plan()
    planned: dict[str, Span] = {}
    for due in dues:
        person = keys[due.national_id]
        plan.people[due.entitlement_id] = person
        if kind == "separation":
            span: Span | None = (event.start_date, event.start_date)
        elif due.days_paid:
            span = paid_span(event.start_date, due.days_paid, weekly_holidays)
        else:
            span = None
        if span is None:
            plan.claims[due.entitlement_id] = None
            continue
        first, last = span
        claims = held.get(person, [])
        own = [c for c in claims if c.event_id == event.id]
        if due.topping_up and own:
            # The same days again for the same event are a difference, not a second payment.
            if kind == "separation":
                plan.claims[due.entitlement_id] = None
                continue
            first = max(first, max(c.last_day for c in own) + timedelta(days=1))
            if first > last:
                plan.claims[due.entitlement_id] = None
                continue
        clash = next(
            (
                c
                for c in claims
                if kind == "separation" or (c.first_day <= last and c.last_day >= first)
            ),
            None,
        )
        twice = planned.get(person)
        if clash is not None:
            plan.conflicts.append(
                Conflict(
                    due.worker_id, due.national_id, clash.event_id, clash.first_day, clash.last_day
                )
            )
        elif twice is not None and (
            kind == "separation" or (twice[0] <= last and twice[1] >= first)
        ):
            plan.conflicts.append(Conflict(due.worker_id, due.national_id, event.id, *twice))
        else:
            planned[person] = (first, last)
            plan.claims[due.entitlement_id] = (first, last)
    return plan


_CLAIMS: Table = PaymentClaim.__table__  # type: ignore[assignment]
_COLUMNS = (
    "national_id", "factory_id", "kind", "first_day", "last_day", "event_id", "line_id", "active",
)  # fmt: skip


def write_claims(
    session: Session,
    *,
    event: Event,
    batch_id: int,
    plan: Plan,
    national_ids: dict[int, str],
) -> int:
    """Write the planned claims of the batch's new lines (the trigger checks each); how many.

    Each claim carries the person key the plan found, so the trigger compares people.
    """
    kind = "separation" if event.kind == "closure" else "suspension"
    rows = []
    for line_id, entitlement_id in session.execute(
        select(PaymentLine.id, PaymentLine.entitlement_id).where(
            PaymentLine.batch_id == batch_id, PaymentLine.state == "pending"
        )
    ):
        span = plan.claims.get(entitlement_id)
        if span is not None:
            person = plan.people.get(entitlement_id, national_id_key(national_ids[entitlement_id]))
            rows.append((person, event.factory_id, kind, span[0], span[1], event.id, line_id, True))
    insert_rows(session.connection(), _CLAIMS, _COLUMNS, rows)
    return len(rows)


def release(session: Session, *, batch_id: int) -> None:
    """The batch's lines were voided: their days may be paid by another batch."""
    session.execute(
        update(PaymentClaim)
        .where(
            PaymentClaim.line_id.in_(select(PaymentLine.id).where(PaymentLine.batch_id == batch_id))
        )
        .values(active=False)
    )


def move(session: Session, *, from_line: int, to_line: int) -> None:
    """A reissued payment carries the claim of the line it replaces."""
    session.execute(
        update(PaymentClaim)
        .where(PaymentClaim.line_id == from_line, PaymentClaim.active)
        .values(line_id=to_line)
    )


def guard_counts(session: Session, *, recheck: bool = False) -> dict[str, int]:
    """Live claims and the people they cover; with ``recheck``, the overlaps found (always 0).

    The recheck joins every live claim with the others: it is the auditor's proof on the
    controls page that the trigger held, too heavy for every view of the dashboard.
    """
    counts = {
        "claims": session.scalar(select(func.count()).where(PaymentClaim.active)) or 0,
        "people": session.scalar(
            select(func.count(func.distinct(PaymentClaim.national_id))).where(PaymentClaim.active)
        )
        or 0,
    }
    if recheck:
        other = aliased(PaymentClaim)
        counts["overlaps"] = (
            session.scalar(
                select(func.count())
                .select_from(PaymentClaim)
                .join(
                    other,
                    (other.national_id == PaymentClaim.national_id)
                    & (other.factory_id == PaymentClaim.factory_id)
                    & (other.kind == PaymentClaim.kind)
                    & (other.id > PaymentClaim.id)
                    & other.active
                    & (other.first_day <= PaymentClaim.last_day)
                    & (other.last_day >= PaymentClaim.first_day),
                )
                .where(PaymentClaim.active)
            )
            or 0
        )
    return counts
