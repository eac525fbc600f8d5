"""The books on screen: journal and general-ledger pages, one entry, and where it came from.

Drill-down runs trial balance → an account's postings (the general ledger of that account) →
one journal entry with all its postings → the batch, contribution, pledge or conversion that
posted it (read from the entry's idempotency key, which every service sets as
``<source>:<id>[:step]``). Dimensions show as names (brand, factory, event title), not codes.
The figures come from ``ledger.queries`` (the same functions the exports and trial balance use).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fund.brands.models import Brand, Contribution, Pledge
from fund.disbursements.models import PaymentLine
from fund.events.models import Event
from fund.factories.models import Factory
from ledger.models import Account, JournalEntry, Posting
from ledger.queries import AccountStatement, statement

#: Journal entries per page on screen.
ENTRIES_PER_PAGE = 50


@dataclass(frozen=True, slots=True)
class Source:
    """What posted an entry, and where to see it (an endpoint and its arguments)."""

    words: str
    endpoint: str
    args: dict[str, object]


@dataclass(frozen=True, slots=True)
class ScreenPosting:
    """One posting of an entry, with its account named in words."""

    account: Account
    account_words: str
    amount: int


@dataclass(frozen=True, slots=True)
class ScreenEntry:
    """A journal entry as a page shows it."""

    entry: JournalEntry
    postings: list[ScreenPosting]
    source: Source | None


class DimensionNames:
    """Turns ``{"factory": "DHK-017", "event": "1"}`` into words, looking each code up once."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._cache: dict[tuple[str, str], str] = {}

    def name(self, dimension: str, value: str) -> str:
        """``("factory", "DHK-017")`` → ``"Rupali Knit Composite Ltd (DHK-017)"``."""
        key = (dimension, value)
        if key not in self._cache:
            self._cache[key] = self._lookup(dimension, value)
        return self._cache[key]

    def _lookup(self, dimension: str, value: str) -> str:
        s = self.session
        if dimension == "brand":
            brand = s.scalar(select(Brand).where(Brand.code == value))
            return f"{brand.name} ({value})" if brand else f"brand {value}"
        if dimension == "factory":
            factory = s.scalar(select(Factory).where(Factory.code == value))
            return f"{factory.name} ({value})" if factory else f"factory {value}"
        if dimension == "event" and value.isdigit():
            event = s.get(Event, int(value))
            return event.title if event else f"event {value}"
        return f"{dimension} {value}"

    def account(self, account: Account) -> str:
        """``"5000 Worker compensation · Rupali Knit… (DHK-017) · Suspension of …"``."""
        parts = [f"{account.code} {account.name}"]
        parts += [self.name(dim, value) for dim, value in account.dimensions.items()]
        return " · ".join(parts)

    def of(self, account: Account) -> str:
        """Only the dimensions, in words (empty when the account has none)."""
        return " · ".join(self.name(dim, value) for dim, value in account.dimensions.items())


def source_of(session: Session, entry: JournalEntry) -> Source | None:
    """The batch, contribution, pledge or conversion that posted ``entry``, if the key says."""
    kind, _, rest = entry.idempotency_key.partition(":")
    number, _, step = rest.partition(":")
    if kind == "float":
        return Source("a transfer to the mobile-money float", "disbursements.index", {})
    if not number.isdigit():
        return None
    ident = int(number)
    if kind == "line":
        line = session.get(PaymentLine, ident)
        if line is None:
            return None
        kind, ident, step = "batch", line.batch_id, f"line {ident} {step}"
    if kind == "batch":
        what = {"approve": "approval", "pay": "payment", "cancel": "cancellation"}.get(
            step, "result file" if step == "result" else step or "posting"
        )
        return Source(f"batch {ident} ({what})", "disbursements.detail", {"batch_id": ident})
    if kind in ("contribution", "pledge"):
        row: Contribution | Pledge | None = (
            session.get(Contribution, ident)
            if kind == "contribution"
            else session.get(Pledge, ident)
        )
        if row is None:
            return None
        brand = session.get(Brand, row.brand_id)
        assert brand is not None  # a contribution or pledge belongs to a brand
        return Source(f"{kind} {ident} of {brand.name}", "brands.detail", {"code": brand.code})
    if kind == "conversion":
        return Source(f"currency conversion {ident}", "reports.index", {})
    return None


def entry_on_screen(session: Session, entry: JournalEntry, names: DimensionNames) -> ScreenEntry:
    """One entry with its postings in words and its source."""
    rows = session.execute(
        select(Posting, Account)
        .join(Account, Account.id == Posting.account_id)
        .where(Posting.entry_id == entry.id)
        .order_by(Posting.id)
    ).all()
    postings = [ScreenPosting(account, names.account(account), p.amount) for p, account in rows]
    return ScreenEntry(entry, postings, source_of(session, entry))


def journal_page(
    session: Session,
    *,
    start: date | None = None,
    end: date | None = None,
    text: str = "",
    page: int = 1,
) -> tuple[list[ScreenEntry], int]:
    """Posted entries dated ``start``..``end`` (memo or reference containing ``text``), in
    chain order, one page of them, and how many match in all."""
    query = select(JournalEntry).where(JournalEntry.status == "posted")
    if start is not None:
        query = query.where(JournalEntry.effective_date >= start)
    if end is not None:
        query = query.where(JournalEntry.effective_date <= end)
    if text:
        like = f"%{text}%"
        query = query.where(JournalEntry.memo.ilike(like) | JournalEntry.reference.ilike(like))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    entries = list(
        session.scalars(
            query.order_by(JournalEntry.sequence)
            .limit(ENTRIES_PER_PAGE)
            .offset((page - 1) * ENTRIES_PER_PAGE)
        )
    )
    if not entries:
        return [], total
    names = DimensionNames(session)
    by_entry: dict[int, list[ScreenPosting]] = defaultdict(list)
    for posting, account in session.execute(
        select(Posting, Account)
        .join(Account, Account.id == Posting.account_id)
        .where(Posting.entry_id.in_([e.id for e in entries]))
        .order_by(Posting.id)
    ):
        by_entry[posting.entry_id].append(
            ScreenPosting(account, names.account(account), posting.amount)
        )
    return [ScreenEntry(e, by_entry[e.id], source_of(session, e)) for e in entries], total


def account_postings(
    session: Session, account: Account, *, start: date | None = None, end: date | None = None
) -> AccountStatement:
    """The account's general ledger for the period: opening, postings, running and closing."""
    return statement(session, account, start=start, end=end)
