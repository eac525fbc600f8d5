"""The checks an entry passes before it is written: balanced and on opened accounts, dated
neither in the future nor in a closed period, within the sums the databases can add, and
leaving no guarded account below zero on its date or any later day.

Rules: every check raises a named ``LedgerError`` with a message fit to show; none writes.
The overdraft check locks the guarded accounts in id order (two posters cannot deadlock) and
never refuses money coming in. The database enforces balance and immutability again
(``ledger.guards``): these checks give the clear message first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.errors import (
    AmountTooLarge,
    FutureDate,
    InsufficientFunds,
    PeriodClosed,
    UnknownAccount,
)
from ledger.limits import ACCOUNT_GROSS_LIMIT, CASH_CODES, POSTING_LIMIT
from ledger.models import Account, JournalEntry, PeriodClose, Posting
from ledger.money import format_minor, from_minor
from ledger.values import Entry
from ledger.values import Posting as PostingLine


def check_entry(entry: Entry) -> None:
    """The entry's own rules (``Entry.check``), and every account opened in the books."""
    entry.check()
    for number, line in enumerate(entry.postings, start=1):
        if line.account.id is None:
            raise UnknownAccount(
                f"posting {number}: account {line.account.label} was never opened in the books"
            )


def closed_through(session: Session) -> date | None:
    """The last date of the closed period, or None when every period is open."""
    return session.scalar(select(PeriodClose.closed_through).order_by(PeriodClose.id.desc()))


def check_open(session: Session, effective_date: date) -> None:
    """Refuse a date inside the closed period."""
    closed = closed_through(session)
    if closed is not None and effective_date <= closed:
        raise PeriodClosed(
            f"the books are closed through {closed}: cannot post on {effective_date}"
        )


def today() -> date:
    """The fund's today (UTC): no entry is dated after it."""
    return datetime.now(UTC).date()


def check_dates(session: Session, dates: Iterable[date]) -> None:
    """Refuse a date after today or inside the closed period."""
    days = list(dates)
    if not days:
        return
    latest = max(days)
    if latest > today():
        raise FutureDate(f"the effective date {latest} is after today ({today()})")
    check_open(session, min(days))


def check_size(session: Session, postings: Sequence[PostingLine]) -> None:
    """Refuse a posting whose amount, or whose account's gross total, the databases cannot sum."""
    gross: dict[int, int] = defaultdict(int)
    labels: dict[int, str] = {}
    for line in postings:
        if abs(line.amount) > POSTING_LIMIT:
            raise AmountTooLarge(
                f"a posting of {from_minor(abs(line.amount), line.account.currency)} "
                f"{line.account.currency} on {line.account.label} is past the ledger's limit of "
                f"{from_minor(POSTING_LIMIT, line.account.currency)} per posting"
            )
        gross[line.account.id] += abs(line.amount)
        labels[line.account.id] = line.account.label
    if not gross:
        return
    found = dict(
        session.execute(
            select(Posting.account_id, func.sum(func.abs(Posting.amount)))
            .where(Posting.account_id.in_(list(gross)))
            .group_by(Posting.account_id)
        )
        .tuples()
        .all()
    )
    for account_id, adding in gross.items():
        if int(found.get(account_id) or 0) + adding > ACCOUNT_GROSS_LIMIT:
            raise AmountTooLarge(
                f"{labels[account_id]} would pass the ledger's limit on an account's total "
                f"postings ({ACCOUNT_GROSS_LIMIT} minor units), past which the databases cannot "
                "add it up safely"
            )


def _guarded(postings: Iterable[PostingLine], protected: Iterable[Account]) -> dict[int, Account]:
    """Accounts that may not go below zero: those asked for, and every cash account."""
    chosen = {a.id: a for a in protected}
    chosen.update({p.account.id: p.account for p in postings if p.account.code in CASH_CODES})
    return chosen


def check_overdraft(
    session: Session,
    changes: Sequence[tuple[date, PostingLine]],
    protected: Iterable[Account],
) -> None:
    """Refuse changes that leave a guarded account below zero as of their date or any later day.

    A backdated payment must fit the balance of every day after it too, or a later day's
    balance (the trial balance as of month end) would show cash the fund never had.
    """
    candidates = _guarded((line for _, line in changes), protected)
    dated: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for day, line in changes:
        if line.account.id in candidates:
            dated[line.account.id][day] += line.amount
    # Money coming in is never refused, even into an account already below zero.
    guarded = sorted(
        (candidates[i] for i, days in dated.items() if any(v < 0 for v in days.values())),
        key=lambda a: a.id,
    )
    if not guarded:
        return
    # Lock in a fixed order so that two posters of the same accounts cannot deadlock.
    session.execute(
        select(Account.id)
        .where(Account.id.in_([a.id for a in guarded]))
        .order_by(Account.id)
        .with_for_update()
    )
    for account in guarded:
        new = dated[account.id]
        first = min(new)
        posted = (JournalEntry.status == "posted", Posting.account_id == account.id)
        opening = session.scalar(
            select(func.coalesce(func.sum(Posting.amount), 0))
            .join(JournalEntry, JournalEntry.id == Posting.entry_id)
            .where(*posted, JournalEntry.effective_date < first)
        )
        by_day = {
            day: int(total)
            for day, total in session.execute(
                select(JournalEntry.effective_date, func.sum(Posting.amount))
                .join(JournalEntry, JournalEntry.id == Posting.entry_id)
                .where(*posted, JournalEntry.effective_date >= first)
                .group_by(JournalEntry.effective_date)
            ).tuples()
        }
        held = int(opening or 0)
        added = 0
        for day in sorted(set(by_day) | set(new)):
            held += by_day.get(day, 0)
            added += new.get(day, 0)
            # Refused only where the new entries make it worse: money in always goes through.
            if held + added < 0 and added < 0:
                # The account's name without its currency suffix: the amounts carry it, once.
                dims = f" [{account.dimension_key}]" if account.dimension_key else ""
                available = format_minor(held, account.currency)
                needed = format_minor(-added, account.currency)
                when = "" if day == first else f" on {day}, a later day"
                raise InsufficientFunds(
                    f"{account.code} {account.name}{dims} holds {available} "
                    f"{account.currency}{when}; {needed} {account.currency} is needed"
                )
