"""Who the fund's use of money reached, in words a brand can read: events by name, head counts.

The statement's fund-use figures come from the ledger by event id (``fund.reports.books``);
this module only names those events (factory code, kind, dates, as ``Event.title`` writes them)
and counts the workers the fund paid for each. Counts only: a brand never sees a worker's name,
ID or amount. Factories stay by code, as the statement showed them before: the pool pays
factories a brand may not source from.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from babel import Locale
from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.sql.elements import ColumnElement

from fund.brands.statement import BrandStatement
from fund.disbursements.models import PaymentLine
from fund.events.models import Event


@dataclass(frozen=True, slots=True)
class UseEvent:
    """An event as a brand's statement names it, and how many workers it paid."""

    title: str  # "Suspension of DHK-017 from 2026-01-05 to 2026-02-28"
    workers_helped: int  # distinct workers with a payment settled paid in the period


def _paid(ids: set[int], start: date | None, end: date) -> list[ColumnElement[bool]]:
    # A worker is helped once the provider confirmed the money arrived, within the period.
    conditions = [
        PaymentLine.event_id.in_(ids),
        PaymentLine.state == "paid",
        PaymentLine.settled_on <= end,
    ]
    if start is not None:
        conditions.append(PaymentLine.settled_on >= start)
    return conditions


def use_events(
    session: Session, event_ids: Iterable[str], *, start: date | None, end: date
) -> dict[str, UseEvent]:
    """``{event id as the ledger stores it: UseEvent}`` for the statement's fund-use lines."""
    ids = {int(event_id) for event_id in event_ids if event_id.isdecimal()}
    if not ids:
        return {}
    events = session.scalars(
        select(Event).options(joinedload(Event.factory)).where(Event.id.in_(ids))
    ).all()
    rows = session.execute(
        select(PaymentLine.event_id, func.count(distinct(PaymentLine.worker_id)))
        .where(*_paid(ids, start, end))
        .group_by(PaymentLine.event_id)
    )
    helped = {int(event_id): int(count) for event_id, count in rows.tuples()}
    return {
        str(event.id): UseEvent(
            title=event.title,
            workers_helped=helped.get(event.id, 0),
        )
        for event in events
    }


def workers_helped_total(
    session: Session, event_ids: Iterable[str], *, start: date | None, end: date
) -> int:
    """Distinct workers paid across the events (twice at one factory counts once)."""
    ids = {int(event_id) for event_id in event_ids if event_id.isdecimal()}
    if not ids:
        return 0
    pairs = (
        select(Event.factory_id, PaymentLine.worker_id)
        .join(Event, Event.id == PaymentLine.event_id)
        .where(*_paid(ids, start, end))
        .distinct()
        .subquery()
    )
    return int(session.scalar(select(func.count()).select_from(pairs)) or 0)


@dataclass(frozen=True, slots=True)
class Helped:
    """The statement's fund-use events by name, and the workers paid in the period."""

    events: dict[str, UseEvent]
    workers: int


def helped(session: Session, statement: BrandStatement) -> Helped:
    """Names and head counts for a statement's fund-use lines (one place for web and PDF)."""
    ids = [line.event for line in statement.fund_use]
    start, end = statement.start, statement.end
    return Helped(
        events=use_events(session, ids, start=start, end=end),
        workers=workers_helped_total(session, ids, start=start, end=end),
    )


def country_name(code: str, language: str = "en") -> str:
    """``"SE"`` → ``"Sweden"`` (CLDR names via Babel); an unknown code is shown as it is."""
    return str(Locale.parse(language).territories.get(code.upper(), code))
