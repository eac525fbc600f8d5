"""Reading the audit log: filters (who, what, dates), pages that never end empty, CSV export.

Pages go backwards by id (newest first); "older" is offered only when an older event matching
the same filters exists, so following it never shows an empty table. The CSV carries both the
stored code and the plain words, with ``= + - @`` cells neutralised.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from fund.audit.models import AuditEvent
from fund.audit.words import describe
from imports.writing import neutralise

PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class LogFilter:
    """What to show: actor name, action (a code, or its first part such as ``batches``), dates."""

    who: str = ""
    what: str = ""
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True, slots=True)
class LogPage:
    """One page of events, newest first, and the id to continue from (None: no older events)."""

    events: list[AuditEvent]
    older_than: int | None


def _filtered(query: Select[tuple[AuditEvent]], wanted: LogFilter) -> Select[tuple[AuditEvent]]:
    if wanted.who:
        query = query.where(AuditEvent.actor_name == wanted.who)
    if wanted.what:
        if "." in wanted.what:
            query = query.where(AuditEvent.action == wanted.what)
        else:
            query = query.where(AuditEvent.action.startswith(f"{wanted.what}.", autoescape=True))
    if wanted.since is not None:
        query = query.where(AuditEvent.occurred_at >= datetime.combine(wanted.since, time.min))
    if wanted.until is not None:
        next_day = datetime.combine(wanted.until + timedelta(days=1), time.min)
        query = query.where(AuditEvent.occurred_at < next_day)
    return query


def log_page(
    session: Session, wanted: LogFilter, *, before: int | None = None, size: int = PAGE_SIZE
) -> LogPage:
    """Up to ``size`` matching events older than ``before``; ``older_than`` only if more exist."""
    query = _filtered(select(AuditEvent), wanted)
    if before is not None:
        query = query.where(AuditEvent.id < before)
    rows = list(session.scalars(query.order_by(AuditEvent.id.desc()).limit(size + 1)))
    events = rows[:size]
    return LogPage(events, events[-1].id if len(rows) > size else None)


def actors(session: Session) -> list[str]:
    """Everyone who appears in the log, for the filter's choices."""
    return sorted(set(session.scalars(select(AuditEvent.actor_name).distinct())))


def areas(session: Session) -> list[str]:
    """The first parts of the recorded actions (``batches``, ``user``…), for the filter."""
    codes = session.scalars(select(AuditEvent.action).distinct())
    return sorted({code.partition(".")[0] for code in codes})


def all_matching(session: Session, wanted: LogFilter) -> Iterable[AuditEvent]:
    """Every matching event, oldest first (for the export)."""
    query = _filtered(select(AuditEvent), wanted).order_by(AuditEvent.id)
    return session.scalars(query.execution_options(yield_per=1000))


def log_csv(events: Iterable[AuditEvent], *, heading: list[str]) -> str:
    """The events as CSV: heading lines first (fund, filters, as of), then one row each."""
    out = io.StringIO()
    writer = csv.writer(out)
    for line in heading:
        writer.writerow([neutralise(line)])
    writer.writerow(
        ["id", "when (UTC)", "who", "action", "what", "object", "details", "before", "hash"]
    )
    for event in events:
        words = describe(event)
        writer.writerow(
            [
                event.id,
                event.occurred_at.strftime("%Y-%m-%d %H:%M:%S"),
                neutralise(event.actor_name),
                event.action,
                neutralise(words.what),
                neutralise(words.object),
                neutralise("; ".join(words.facts)),
                neutralise("; ".join(words.before)),
                event.hash,
            ]
        )
    return out.getvalue()
