"""Aggregates over the ledger for statements and charts: sums only, never a worker.

Every figure here is a sum of posted ledger postings grouped by an account's dimensions
(brand, factory, event) or by date, in integer minor units. Grouping by date happens in the
database; months are formed in Python so the same code runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import Select, String, cast, func, literal, select
from sqlalchemy.orm import Session

from fund.disbursements.models import DisbursementBatch
from ledger.models import Account, JournalEntry, Posting

#: The fund's cash: its bank accounts and the mobile-money float.
CASH_CODES = ("1000", "1010", "1020")


def _posted_between(query: Select[Any], start: date | None, end: date | None) -> Select[Any]:
    query = query.where(JournalEntry.status == "posted")
    if start is not None:
        query = query.where(JournalEntry.effective_date >= start)
    if end is not None:
        query = query.where(JournalEntry.effective_date <= end)
    return query


def _sums(
    session: Session,
    columns: Iterable[Any],
    *,
    codes: Iterable[str],
    start: date | None,
    end: date | None,
    sign: str | None = None,
    currency: str | None = None,
) -> list[tuple[Any, ...]]:
    chosen = list(columns)
    query = (
        select(*chosen, func.sum(Posting.amount))
        .join(Account, Account.id == Posting.account_id)
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .where(Account.code.in_(list(codes)))
        .group_by(*chosen)
    )
    if sign == "debit":
        query = query.where(Posting.amount > 0)
    elif sign == "credit":
        query = query.where(Posting.amount < 0)
    if currency is not None:
        query = query.where(Account.currency == currency)
    return [tuple(row) for row in session.execute(_posted_between(query, start, end))]


@dataclass(frozen=True, slots=True)
class FundUse:
    """What the fund spent on one factory's event in a period (BDT minor units)."""

    factory: str
    event: str
    compensation: int  # worker compensation recognised (5000, debit net)
    paid: int  # paid out to workers: cash sent for the event, net of returns (paid_out_by_event)


def fund_use(session: Session, *, start: date | None, end: date | None) -> list[FundUse]:
    """Compensation by factory and event, and payouts by event, in BDT, for the period."""
    spent = _sums(
        session,
        (Account.factory, Account.event),
        codes=("5000",),
        start=start,
        end=end,
        currency="BDT",
    )
    paid_by_event = paid_out_by_event(session, start=start, end=end)
    rows = [
        FundUse(str(factory), str(event), int(total), paid_by_event.get(str(event), 0))
        for factory, event, total in spent
    ]
    return sorted(rows, key=lambda row: (row.factory, _event_order(row.event)))


def paid_out_by_event(session: Session, *, start: date | None, end: date | None) -> dict[str, int]:
    """BDT that left the fund's cash for each event's workers, net of money that came back.

    Only entries that move cash count: payments out (Dr 2000 / Cr 1010, 1020), reissues (from
    2000, or from 2100 for an unclaimed line) and returns of failed lines (Dr cash / Cr the
    payable, subtracted). Moves to unclaimed payouts (2000 → 2100), approvals and their
    reversals move no cash and do not count, so nothing is counted twice; fees are not paid
    to workers and are not counted either.
    """
    cash_entries = (
        select(Posting.entry_id)
        .join(Account, Account.id == Posting.account_id)
        .where(Account.code.in_(("1010", "1020")))
    )

    def payable(code: str, event: Any, *joins: Any) -> dict[str, int]:
        query = (
            select(event, func.sum(Posting.amount))
            .join(Account, Account.id == Posting.account_id)
            .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        )
        for target, condition in joins:
            query = query.join(target, condition)
        query = query.where(
            Account.code == code,
            Account.currency == "BDT",
            Posting.entry_id.in_(cash_entries),
        ).group_by(event)
        return {
            str(key): int(total)
            for key, total in session.execute(_posted_between(query, start, end))
            if key is not None
        }

    paid = payable("2000", Account.event)
    # 2100 is kept without an event: the reissue's entry names its batch, the batch its event.
    batch_reference = literal("batch:") + cast(DisbursementBatch.id, String)
    for event, total in payable(
        "2100",
        DisbursementBatch.event_id,
        (DisbursementBatch, JournalEntry.reference == batch_reference),
    ).items():
        paid[event] = paid.get(event, 0) + total
    return paid


def _event_order(event: str) -> tuple[int, str]:
    return (int(event), "") if event.isdecimal() else (1 << 62, event)


def month_of(day: date) -> str:
    """``2026-03-14`` → ``"2026-03"``."""
    return f"{day.year:04d}-{day.month:02d}"


def months_between(first: date, last: date) -> list[str]:
    """Every month from ``first``'s to ``last``'s, inclusive."""
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def cash_by_month(session: Session, *, end: date | None = None) -> dict[str, list[tuple[str, int]]]:
    """Per currency, the fund's cash (banks and mobile float) at the end of each month."""
    rows = _sums(
        session,
        (Account.currency, JournalEntry.effective_date),
        codes=CASH_CODES,
        start=None,
        end=end,
    )
    if not rows:
        return {}
    by_currency: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    days = [day for _, day, _ in rows]
    for currency, day, total in rows:
        by_currency[currency][month_of(day)] += int(total)
    months = months_between(min(days), end or max(days))
    series: dict[str, list[tuple[str, int]]] = {}
    for currency, movements in sorted(by_currency.items()):
        running, points = 0, []
        for month in months:
            running += movements.get(month, 0)
            points.append((month, running))
        series[currency] = points
    return series


def contributions_by_brand(
    session: Session, *, start: date | None = None, end: date | None = None
) -> dict[str, dict[str, int]]:
    """Per currency, money received from each brand (credits to its receivable, 1100)."""
    totals: dict[str, dict[str, int]] = defaultdict(dict)
    for currency, brand, total in _sums(
        session,
        (Account.currency, Account.brand),
        codes=("1100",),
        start=start,
        end=end,
        sign="credit",
    ):
        totals[currency][str(brand)] = -int(total)
    return {currency: dict(sorted(v.items())) for currency, v in sorted(totals.items())}


def payouts_by_factory_month(
    session: Session, *, start: date | None = None, end: date | None = None
) -> dict[str, dict[str, int]]:
    """Worker compensation (5000, BDT) per month and factory: ``{month: {factory: minor}}``."""
    table: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for factory, day, total in _sums(
        session,
        (Account.factory, JournalEntry.effective_date),
        codes=("5000",),
        start=start,
        end=end,
        currency="BDT",
    ):
        table[month_of(day)][str(factory)] += int(total)
    return {month: dict(sorted(row.items())) for month, row in sorted(table.items())}


class LedgerRow(NamedTuple):
    """A posting as the general ledger lists it (a tuple: a million are made per export)."""

    account_id: int
    entry_id: int
    sequence: int
    effective_date: date
    memo: str
    reference: str | None
    rate: str | None
    amount: int


def general_ledger_rows(
    session: Session, *, start: date | None = None, end: date | None = None
) -> Iterator[LedgerRow]:
    """Postings dated ``start``..``end`` by account (code, currency, dimensions), then date."""
    query = _posted_between(
        select(
            Posting.account_id,
            JournalEntry.id,
            JournalEntry.sequence,
            JournalEntry.effective_date,
            JournalEntry.memo,
            JournalEntry.reference,
            JournalEntry.rate,
            Posting.amount,
        )
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .join(Account, Account.id == Posting.account_id)
        .order_by(
            Account.code,
            Account.currency,
            Account.dimension_key,
            Account.id,
            JournalEntry.effective_date,
            JournalEntry.sequence,
            Posting.id,
        )
        .execution_options(yield_per=5000),
        start,
        end,
    )
    make = LedgerRow._make
    for row in session.execute(query):
        yield make(row)


def account_order(account: Account) -> tuple[str, str, str, int]:
    """How reports order accounts: code, currency, dimensions."""
    return (account.code, account.currency, account.dimension_key, account.id)


def balances_before(session: Session, day: date | None) -> dict[int, int]:
    """Every account's balance at the end of the day before ``day`` (empty for None)."""
    if day is None:
        return {}
    query = (
        select(Posting.account_id, func.sum(Posting.amount))
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .where(JournalEntry.status == "posted", JournalEntry.effective_date < day)
        .group_by(Posting.account_id)
    )
    return {account_id: int(total) for account_id, total in session.execute(query)}


def entries_between(session: Session, *, start: date | None, end: date | None) -> int:
    """How many posted entries are dated ``start``..``end``."""
    query = _posted_between(select(func.count(JournalEntry.id)), start, end)
    return int(session.scalar(query) or 0)
