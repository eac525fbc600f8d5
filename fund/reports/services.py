"""The accountant's use cases: export the books, close a month, and (admin) reopen one.

Closing and reopening go through ``ledger.close_period``/``reopen_period`` (the ledger and the
database refuse postings in a closed period) and each writes an audit event.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable, Iterator
from datetime import date, timedelta
from typing import Literal, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fund.audit.services import record
from fund.auth.models import User
from fund.auth.roles import Role
from fund.reports.books import (
    balances_before,
    cash_by_month,
    contributions_by_brand,
    entries_between,
    general_ledger_rows,
    payouts_by_factory_month,
)
from fund.reports.charts import Chart, series_from_table
from fund.reports.exports import (
    write_account_statement,
    write_general_ledger,
    write_journal,
    write_trial_balance,
)
from fund.reports.workbook import Controls, Period, Target
from ledger import PeriodClosed, close_period, closed_through, reopen_period
from ledger.models import Account, JournalEntry, PeriodClose, Posting
from ledger.queries import journal, statement, trial_balance

T = TypeVar("T")

ExportKind = Literal["journal", "general-ledger", "trial-balance", "account-statement"]
EXPORT_KINDS: tuple[ExportKind, ...] = (
    "journal",
    "general-ledger",
    "trial-balance",
    "account-statement",
)
#: Who closes months: the books' keepers. Reopening is for an administrator alone.
CLOSERS = (Role.ACCOUNTANT, Role.ADMIN)
REOPENERS = (Role.ADMIN,)
#: Who may download the books.
BOOK_READERS = (Role.ACCOUNTANT, Role.AUDITOR, Role.ADMIN)


class ExportRefused(ValueError):
    """An export asked for something that does not exist or does not make sense."""


class CloseRefused(ValueError):
    """A close or reopen that is not allowed; the books are unchanged.

    ``field`` names the input at fault; without one, the books' state is what refuses.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def export_books(
    session: Session,
    *,
    kind: ExportKind,
    target: Target,
    start: date | None = None,
    end: date | None = None,
    account_id: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Controls | None:
    """Write the ``kind`` workbook for ``start``..``end`` (trial balance: as of ``end``).

    An open end is the date of the last posted entry, so the workbook names a real date
    ("Period to 2026-03-20") rather than "latest"; the figures are the same.

    ``progress`` is told how many postings are written so far (journal and general ledger).
    """
    if start is not None and end is not None and start > end:
        raise ExportRefused(f"the period starts ({start}) after it ends ({end})")
    if end is None:
        last = session.scalar(
            select(func.max(JournalEntry.effective_date)).where(JournalEntry.status == "posted")
        )
        end = last if last is not None and (start is None or start <= last) else None
    if kind == "trial-balance":
        write_trial_balance(target, trial_balance(session, as_of=end))
        return None
    if kind == "account-statement":
        chosen = session.get(Account, account_id) if account_id is not None else None
        if chosen is None:
            raise ExportRefused(f"no account {account_id}")
        write_account_statement(
            target, statement(session, chosen, start=start, end=end), start=start, end=end
        )
        return None
    period = Period(
        start=start,
        end=end,
        opening=balances_before(session, start),
        closing=trial_balance(session, as_of=end),
        accounts={a.id: a for a in session.scalars(select(Account))},
    )
    if kind == "journal":
        return write_journal(
            target, counted(journal(session, start=start, end=end), progress), period
        )
    if kind == "general-ledger":
        return write_general_ledger(
            target,
            counted(general_ledger_rows(session, start=start, end=end), progress),
            period,
            entries=entries_between(session, start=start, end=end),
        )
    raise ExportRefused(f"unknown export {kind!r}; choose one of {', '.join(EXPORT_KINDS)}")


def postings_between(session: Session, *, start: date | None, end: date | None) -> int:
    """How many postings a journal or general ledger of ``start``..``end`` has (its size)."""
    query = (
        select(func.count(Posting.id))
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .where(JournalEntry.status == "posted")
    )
    if start is not None:
        query = query.where(JournalEntry.effective_date >= start)
    if end is not None:
        query = query.where(JournalEntry.effective_date <= end)
    return int(session.scalar(query) or 0)


#: Progress is told every this many postings: often enough to see, rare enough to cost nothing.
PROGRESS_STEP = 2_000


def counted(rows: Iterable[T], progress: Callable[[int], None] | None) -> Iterator[T]:
    """``rows`` unchanged, telling ``progress`` how many went by every ``PROGRESS_STEP``."""
    if progress is None:
        yield from rows
        return
    count = 0
    for row in rows:
        yield row
        count += 1
        if count % PROGRESS_STEP == 0:
            progress(count)
    progress(count)


def month_end(day: date) -> date:
    """The last day of ``day``'s month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def close_month(session: Session, *, through: date, actor: User | None) -> PeriodClose:
    """Close the books through a month's last day; later postings dated in it are refused."""
    if actor is not None and actor.role_enum not in CLOSERS:
        raise CloseRefused("only an accountant or an administrator closes a month")
    if through != month_end(through):
        raise CloseRefused(
            f"{through} is not the last day of a month (try {month_end(through)})", field="through"
        )
    before = closed_through(session)
    try:
        row = close_period(session, through=through, by=_name(actor))
    except PeriodClosed as refused:
        raise CloseRefused(str(refused)) from refused
    record(
        session,
        actor=actor,
        action="ledger.period_closed",
        object_type="ledger_period",
        object_id=through.isoformat(),
        before={"closed_through": before.isoformat() if before else None},
        after={"closed_through": through.isoformat()},
    )
    return row


def reopen_month(
    session: Session, *, through: date | None, reason: str, actor: User | None
) -> PeriodClose:
    """Move the close back to ``through`` (None: all open); an administrator's audited act."""
    if actor is None or actor.role_enum not in REOPENERS:
        raise CloseRefused("only an administrator reopens a closed period")
    if through is not None and through != month_end(through):
        raise CloseRefused(f"{through} is not the last day of a month", field="through")
    before = closed_through(session)
    try:
        row = reopen_period(session, through=through, by=_name(actor), note=reason.strip())
    except PeriodClosed as refused:
        raise CloseRefused(str(refused)) from refused
    record(
        session,
        actor=actor,
        action="ledger.period_reopened",
        object_type="ledger_period",
        object_id=before.isoformat() if before else "-",
        before={"closed_through": before.isoformat() if before else None},
        after={"closed_through": through.isoformat() if through else None, "reason": reason},
    )
    return row


def previous_month_end(today: date) -> date:
    """The last day of the month before ``today``'s: what a close usually asks for."""
    return today.replace(day=1) - timedelta(days=1)


def _name(actor: User | None) -> str:
    return actor.username if actor is not None else "system"


def fund_charts(
    session: Session, *, end: date | None = None, with_brands: bool = True
) -> list[Chart]:
    """The fund's pictures: cash over time, contributions by brand, payouts by factory/month.

    ``with_brands=False`` leaves out the per-brand chart (a brand sees no other brand's money).
    """
    charts = []
    for currency, points in cash_by_month(session, end=end).items():
        charts.append(
            Chart(
                title=f"Fund balance (cash held, {currency}) at each month's end",
                currency=currency,
                labels=tuple(month for month, _ in points),
                series=((f"Cash {currency}", tuple(value for _, value in points)),),
                kind="line",
            )
        )
    if with_brands:
        for currency, by_brand in contributions_by_brand(session, end=end).items():
            charts.append(
                Chart(
                    title=f"Contributions received by brand ({currency})",
                    currency=currency,
                    labels=tuple(by_brand),
                    series=(("Received", tuple(by_brand.values())),),
                )
            )
    payouts = payouts_by_factory_month(session, end=end)
    labels, series = series_from_table(payouts)
    charts.append(
        Chart(
            title="Worker compensation by factory and month (BDT)",
            currency="BDT",
            labels=labels,
            series=series,
            stacked=True,
        )
    )
    return charts
