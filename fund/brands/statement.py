"""A brand's statement for a period: pledged, received, outstanding, overdue, and fund use.

``brand_statement`` returns plain frozen dataclasses; the web page, the PDF and the XLSX are
built from them. Outstanding is the brand's receivable in the ledger (1100) as of the period's
end. Payments are applied to the pledge they name first, then to the brand's other pledges in
due-date order (``allocate``, a pure function), which gives each pledge its overdue part.
Fund use is the fund's spending by factory and event from the ledger — sums only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from fund.brands.models import Brand, Contribution, Pledge
from fund.reports.books import FundUse, fund_use
from ledger.models import Account
from ledger.queries import balance


@dataclass(frozen=True, slots=True)
class PledgeTerms:
    """A pledge as allocation sees it: amount and its dated instalments."""

    id: int
    currency: str
    amount: int
    schedule: tuple[tuple[date, int], ...]


@dataclass(frozen=True, slots=True)
class Payment:
    """A contribution as allocation sees it."""

    currency: str
    amount: int
    pledge_id: int | None


@dataclass(frozen=True, slots=True)
class Allocated:
    """How much of a pledge was paid, is still open, and is past due, as of a date."""

    received: int
    outstanding: int
    overdue: int


def allocate(
    pledges: Sequence[PledgeTerms], payments: Sequence[Payment], *, as_of: date
) -> tuple[dict[int, Allocated], dict[str, int]]:
    """Apply payments to pledges; return each pledge's position and any unapplied credit.

    A payment goes to the pledge it names first (up to what is open), the rest to the other
    pledges of its currency, earliest due first. What no pledge needs stays as credit.
    """
    open_amount = {pledge.id: pledge.amount for pledge in pledges}
    by_id = {pledge.id: pledge for pledge in pledges}
    pool: dict[str, int] = defaultdict(int)
    for payment in payments:
        target = by_id.get(payment.pledge_id) if payment.pledge_id is not None else None
        amount = payment.amount
        if target is not None and target.currency == payment.currency:
            applied = min(amount, open_amount[target.id])
            open_amount[target.id] -= applied
            amount -= applied
        pool[payment.currency] += amount
    for pledge in sorted(pledges, key=lambda p: (p.schedule[-1][0], p.schedule[0][0], p.id)):
        applied = min(pool[pledge.currency], open_amount[pledge.id])
        open_amount[pledge.id] -= applied
        pool[pledge.currency] -= applied
    positions = {}
    for pledge in pledges:
        received = pledge.amount - open_amount[pledge.id]
        due = sum(part for day, part in pledge.schedule if day <= as_of)
        positions[pledge.id] = Allocated(
            received=received,
            outstanding=open_amount[pledge.id],
            overdue=max(0, due - received),
        )
    return positions, {currency: left for currency, left in sorted(pool.items()) if left}


@dataclass(frozen=True, slots=True)
class CurrencyPosition:
    """A brand's totals in one currency: in the period, and open at its end."""

    currency: str
    pledged: int  # pledges dated in the period
    received: int  # contributions with a value date in the period
    outstanding: int  # receivable (ledger 1100) at the period's end; negative: paid ahead
    overdue: int  # instalments due by the period's end and not yet paid


@dataclass(frozen=True, slots=True)
class PledgeLine:
    """One pledge and where it stands at the period's end."""

    reference: str
    currency: str
    amount: int
    pledged_on: date
    due_date: date
    instalments: int
    received: int
    outstanding: int
    overdue: int


@dataclass(frozen=True, slots=True)
class ContributionLine:
    """One payment received in the period."""

    value_date: date
    bank_reference: str
    currency: str
    amount: int
    pledge_reference: str | None


@dataclass(frozen=True, slots=True)
class BrandStatement:
    """Everything a brand's statement shows, as plain values."""

    brand_code: str
    brand_name: str
    start: date | None
    end: date
    positions: tuple[CurrencyPosition, ...]
    pledges: tuple[PledgeLine, ...]
    contributions: tuple[ContributionLine, ...]
    fund_use: tuple[FundUse, ...]

    @property
    def compensation_total(self) -> int:
        """Worker compensation the fund recognised in the period (BDT minor units)."""
        return sum(line.compensation for line in self.fund_use)

    @property
    def paid_total(self) -> int:
        """Entitlements the fund paid out in the period (BDT minor units)."""
        return sum(line.paid for line in self.fund_use)


def brand_statement(
    session: Session, *, brand: Brand, start: date | None = None, end: date
) -> BrandStatement:
    """The brand's statement for ``start``..``end`` (inclusive; no start: since joining)."""
    pledges = list(
        session.scalars(
            select(Pledge)
            .where(Pledge.brand_id == brand.id, Pledge.pledged_on <= end)
            .order_by(Pledge.due_date, Pledge.id)
        )
    )
    contributions = list(
        session.scalars(
            select(Contribution)
            .where(Contribution.brand_id == brand.id, Contribution.value_date <= end)
            .order_by(Contribution.value_date, Contribution.id)
        )
    )
    terms = [PledgeTerms(p.id, p.currency, p.amount, tuple(p.schedule())) for p in pledges]
    payments = [Payment(c.currency, c.amount, c.pledge_id) for c in contributions]
    positions, _credit = allocate(terms, payments, as_of=end)

    def in_period(day: date) -> bool:
        return start is None or day >= start

    currencies = sorted({p.currency for p in pledges} | {c.currency for c in contributions})
    totals = []
    for currency in currencies:
        receivable = session.scalar(
            select(Account).where(
                Account.code == "1100",
                Account.currency == currency,
                Account.brand == brand.code,
            )
        )
        totals.append(
            CurrencyPosition(
                currency=currency,
                pledged=sum(
                    p.amount for p in pledges if p.currency == currency and in_period(p.pledged_on)
                ),
                received=sum(
                    c.amount
                    for c in contributions
                    if c.currency == currency and in_period(c.value_date)
                ),
                outstanding=balance(session, receivable, as_of=end) if receivable else 0,
                overdue=sum(positions[p.id].overdue for p in pledges if p.currency == currency),
            )
        )
    references = {p.id: p.reference for p in pledges}
    return BrandStatement(
        brand_code=brand.code,
        brand_name=brand.name,
        start=start,
        end=end,
        positions=tuple(totals),
        pledges=tuple(
            PledgeLine(
                reference=p.reference,
                currency=p.currency,
                amount=p.amount,
                pledged_on=p.pledged_on,
                due_date=p.due_date,
                instalments=len(p.schedule()),
                received=positions[p.id].received,
                outstanding=positions[p.id].outstanding,
                overdue=positions[p.id].overdue,
            )
            for p in pledges
        ),
        contributions=tuple(
            ContributionLine(
                c.value_date,
                c.bank_reference,
                c.currency,
                c.amount,
                references.get(c.pledge_id) if c.pledge_id is not None else None,
            )
            for c in contributions
            if in_period(c.value_date)
        ),
        fund_use=tuple(fund_use(session, start=start, end=end)),
    )
