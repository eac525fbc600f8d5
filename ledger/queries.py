"""Reading the books: balances, trial balance, account statement, journal.

Every query counts posted entries only, and can be asked as of an effective date (what
accountants report by) or as of a recorded time (what the books said at that moment).
Amounts are integer minor units, debit positive.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ledger.errors import EntryNotFound, UnknownAccount
from ledger.models import DIMENSIONS, Account, JournalEntry, Posting


def _posted(
    query: Select[Any], *, as_of: date | None, recorded_as_of: datetime | None
) -> Select[Any]:
    query = query.where(JournalEntry.status == "posted")
    if as_of is not None:
        query = query.where(JournalEntry.effective_date <= as_of)
    if recorded_as_of is not None:
        query = query.where(JournalEntry.recorded_at <= recorded_as_of)
    return query


def find_entry(
    session: Session, *, entry_id: int | None = None, idempotency_key: str | None = None
) -> JournalEntry:
    """The posted entry with this id or idempotency key; ``EntryNotFound`` otherwise."""
    if (entry_id is None) == (idempotency_key is None):
        raise TypeError("give exactly one of entry_id and idempotency_key")
    query = select(JournalEntry).where(JournalEntry.status == "posted")
    if entry_id is not None:
        query = query.where(JournalEntry.id == entry_id)
    else:
        query = query.where(JournalEntry.idempotency_key == idempotency_key)
    found = session.scalar(query)
    if found is None:
        shown = f"id {entry_id}" if entry_id is not None else f"key {idempotency_key!r}"
        raise EntryNotFound(f"no posted entry with {shown}")
    return found


def balance(
    session: Session,
    account: Account,
    *,
    as_of: date | None = None,
    recorded_as_of: datetime | None = None,
) -> int:
    """The account's balance (debit positive) as of an effective date and/or recorded time."""
    query = (
        select(func.coalesce(func.sum(Posting.amount), 0))
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .where(Posting.account_id == account.id)
    )
    return int(session.scalar(_posted(query, as_of=as_of, recorded_as_of=recorded_as_of)) or 0)


def balances_by_dimension(
    session: Session,
    code: str,
    dimension: str,
    *,
    currency: str,
    as_of: date | None = None,
    **filters: str,
) -> dict[str, int]:
    """Balances of every ``code`` account summed by ``dimension`` (e.g. 5000 by factory)."""
    unknown = ({dimension} | set(filters)) - set(DIMENSIONS)
    if unknown:
        raise UnknownAccount(f"unknown dimension(s): {', '.join(sorted(unknown))}")
    column = getattr(Account, dimension)
    query = (
        select(column, func.sum(Posting.amount))
        .join(Posting, Posting.account_id == Account.id)
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .where(Account.code == code, Account.currency == currency)
        .group_by(column)
    )
    for name, value in filters.items():
        query = query.where(getattr(Account, name) == value)
    rows = session.execute(_posted(query, as_of=as_of, recorded_as_of=None)).all()
    return {key: int(total) for key, total in rows if key is not None}


@dataclass(frozen=True, slots=True)
class TrialBalanceLine:
    """One account's net balance, shown in the debit or the credit column."""

    account_id: int
    code: str
    name: str
    dimensions: str
    currency: str
    debit: int
    credit: int


@dataclass(frozen=True, slots=True)
class TrialBalance:
    """Every account with a balance, and per currency the column totals (always equal)."""

    as_of: date | None
    lines: tuple[TrialBalanceLine, ...]
    totals: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def balanced(self) -> bool:
        """True when debits equal credits in every currency."""
        return all(debit == credit for debit, credit in self.totals.values())


def trial_balance(
    session: Session, *, as_of: date | None = None, recorded_as_of: datetime | None = None
) -> TrialBalance:
    """Net balance of every account as of a date, with debit and credit totals per currency."""
    # One aggregate over postings, then a join to the (few) accounts: fast on a million rows.
    sums = _posted(
        select(Posting.account_id.label("account_id"), func.sum(Posting.amount).label("total"))
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .group_by(Posting.account_id),
        as_of=as_of,
        recorded_as_of=recorded_as_of,
    ).subquery()
    rows = session.execute(
        select(Account, sums.c.total)
        .join(sums, sums.c.account_id == Account.id)
        .where(sums.c.total != 0)
        .order_by(Account.code, Account.currency, Account.dimension_key)
    ).all()
    lines = []
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for account, total in rows:
        debit, credit = debit_credit(int(total))
        lines.append(
            TrialBalanceLine(
                account.id,
                account.code,
                account.name,
                account.dimension_key,
                account.currency,
                debit,
                credit,
            )
        )
        totals[account.currency][0] += debit
        totals[account.currency][1] += credit
    return TrialBalance(
        as_of, tuple(lines), {currency: (d, c) for currency, (d, c) in sorted(totals.items())}
    )


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One posting on an account statement with the balance after it."""

    entry_id: int
    effective_date: date
    memo: str
    reference: str | None
    amount: int
    running_balance: int


@dataclass(frozen=True, slots=True)
class AccountStatement:
    """Opening balance, the period's postings with running balance, closing balance."""

    account: Account
    opening: int
    lines: tuple[StatementLine, ...]
    closing: int


def statement(
    session: Session, account: Account, *, start: date | None = None, end: date | None = None
) -> AccountStatement:
    """The account's postings from ``start`` to ``end`` (inclusive) with a running balance."""
    opening = 0
    if start is not None:
        opening = balance(session, account, as_of=date.fromordinal(start.toordinal() - 1))
    query = (
        select(
            JournalEntry.id,
            JournalEntry.effective_date,
            JournalEntry.memo,
            JournalEntry.reference,
            Posting.amount,
        )
        .join(Posting, Posting.entry_id == JournalEntry.id)
        .where(Posting.account_id == account.id, JournalEntry.status == "posted")
        .order_by(JournalEntry.effective_date, JournalEntry.sequence, Posting.id)
    )
    if start is not None:
        query = query.where(JournalEntry.effective_date >= start)
    if end is not None:
        query = query.where(JournalEntry.effective_date <= end)
    running = opening
    lines = []
    for entry_id, effective, memo, reference, amount in session.execute(query):
        running += amount
        lines.append(StatementLine(entry_id, effective, memo, reference, amount, running))
    return AccountStatement(account, opening, tuple(lines), running)


@dataclass(frozen=True, slots=True)
class JournalLine:
    """A posting as the journal lists it: the entry's facts, the account, the amount."""

    entry_id: int
    sequence: int
    effective_date: date
    memo: str
    reference: str | None
    rate: str | None
    account: Account
    amount: int


def journal(
    session: Session, *, start: date | None = None, end: date | None = None
) -> Iterator[JournalLine]:
    """Every posting of posted entries dated ``start``..``end``, in chain order (streamed)."""
    accounts = {a.id: a for a in session.scalars(select(Account))}
    query = (
        select(
            JournalEntry.id,
            JournalEntry.sequence,
            JournalEntry.effective_date,
            JournalEntry.memo,
            JournalEntry.reference,
            JournalEntry.rate,
            Posting.account_id,
            Posting.amount,
        )
        .join(Posting, Posting.entry_id == JournalEntry.id)
        .where(JournalEntry.status == "posted")
        .order_by(JournalEntry.sequence, Posting.id)
        .execution_options(yield_per=5000)
    )
    if start is not None:
        query = query.where(JournalEntry.effective_date >= start)
    if end is not None:
        query = query.where(JournalEntry.effective_date <= end)
    for entry_id, sequence, effective, memo, reference, rate, account_id, amount in session.execute(
        query
    ):
        yield JournalLine(
            entry_id, sequence, effective, memo, reference, rate, accounts[account_id], amount
        )


def debit_credit(amount: int) -> tuple[int, int]:
    """Split a signed amount into its (debit, credit) columns."""
    return (amount, 0) if amount > 0 else (0, -amount)


__all__ = [
    "AccountStatement",
    "JournalLine",
    "StatementLine",
    "TrialBalance",
    "TrialBalanceLine",
    "balance",
    "balances_by_dimension",
    "debit_credit",
    "find_entry",
    "journal",
    "statement",
    "trial_balance",
]
