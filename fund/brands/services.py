"""Brands: reading them (a brand user sees its own only) and recording their money.

``record_pledge``, ``record_contribution`` and ``convert_usd_to_bdt`` each store a record, post
one ledger entry keyed by the record's id (so the ledger never holds it twice) and write an
audit event. A retry with the same natural reference and content returns the first record.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from functools import wraps
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fund import money_limits
from fund.audit.services import record
from fund.auth.models import User
from fund.auth.roles import Role
from fund.brands.fund_use_events import helped
from fund.brands.models import Brand, Contribution, Conversion, Pledge
from fund.brands.statement import BrandStatement
from fund.brands.statement_files import statement_pdf, statement_xlsx
from fund.reports.services import fund_charts
from ledger import Entry, InsufficientFunds, LedgerError, Posting, account, convert, post
from ledger.models import JournalEntry
from ledger.money import from_minor, to_minor


class BrandNotFound(LookupError):
    """No brand with that code is visible to this user."""


def visible_brands(session: Session, *, user: User) -> Sequence[Brand]:
    """All brands for fund staff; only its own for a brand user."""
    query = select(Brand).order_by(Brand.code)
    if user.role_enum is Role.BRAND:
        query = query.where(Brand.id == user.brand_id)
    return session.scalars(query).all()


def brand_for(session: Session, *, user: User, code: str) -> Brand:
    """The brand ``code`` if this user may see it; otherwise ``BrandNotFound``.

    A brand user asking for another brand gets the same answer as for a brand that does not
    exist, so that membership itself does not leak.
    """
    brand = session.scalar(select(Brand).where(Brand.code == code))
    if brand is None or (user.role_enum is Role.BRAND and brand.id != user.brand_id):
        raise BrandNotFound(code)
    return brand


class PeriodInvalid(ValueError):
    """A statement period that starts after it ends."""


def first_entry_date(session: Session) -> date | None:
    """The effective date of the fund's first posted entry (None before any)."""
    return session.scalar(
        select(func.min(JournalEntry.effective_date)).where(JournalEntry.status == "posted")
    )


def statement_period(
    start: date | None, end: date | None, *, today: date, first: date | None = None
) -> tuple[date | None, date]:
    """A statement's period, bounded by the books: it ends on or before ``today`` (no end:
    today) and a start before the fund's ``first`` entry is moved to it, so a request cannot
    ask for centuries of empty months; a start after the end is refused."""
    end = end or today
    if end > today:
        raise PeriodInvalid(f"the period cannot end after today ({today})")
    if start is not None and first is not None and start < first:
        start = first  # nothing was posted before: the same figures, a bounded period
    if start is not None and start > end:
        raise PeriodInvalid("the period starts after it ends")
    return start, end


def statement_months(session: Session, *, start: date | None, end: date) -> int:
    """How many months a statement spans (from the first entry when it has no start)."""
    first = start or session.scalar(select(func.min(JournalEntry.effective_date))) or end
    return max(0, (end.year - first.year) * 12 + end.month - first.month + 1)


def statement_pdf_file(session: Session, statement: BrandStatement) -> bytes:
    """The statement as PDF, with the fund's charts but none that shows other brands' money."""
    charts = fund_charts(session, end=statement.end, with_brands=False)
    reached = helped(session, statement)
    return statement_pdf(statement, charts, events=reached.events, workers_helped=reached.workers)


def statement_xlsx_file(session: Session, statement: BrandStatement) -> bytes:
    """The statement as XLSX, its fund use with events by name and workers helped."""
    reached = helped(session, statement)
    return statement_xlsx(statement, events=reached.events, workers_helped=reached.workers)


# --- Pledges, contributions received and conversions: each posts one ledger entry ---

#: Who may record a pledge: it is a promise, entered by the fund's staff who receive the letter.
PLEDGE_RECORDERS = (Role.ADMIN, Role.OFFICER, Role.ACCOUNTANT)
#: Who may record money received and sell dollars for taka: the books' keepers only.
CASH_RECORDERS = (Role.ADMIN, Role.ACCOUNTANT)
CURRENCIES = ("USD", "BDT")
#: The fund's bank account in each currency a brand may pay in.
BANK_ACCOUNTS = {"USD": "1000", "BDT": "1010"}


P = ParamSpec("P")
R = TypeVar("R")


class BrandRecordRefused(ValueError):
    """A pledge, contribution or conversion that cannot be recorded; nothing was stored."""


class RecordConflict(BrandRecordRefused):
    """The reference was used before for different content (a retry must repeat the content)."""


def atomic(service: Callable[Concatenate[Session, P], R]) -> Callable[Concatenate[Session, P], R]:
    """Run a recording service in a savepoint: a refusal leaves nothing in the session.

    The request commits whatever its session holds, so a record flushed before the ledger
    refused its entry must not survive; ledger refusals become ``BrandRecordRefused``.
    """

    @wraps(service)
    def run(session: Session, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            with session.begin_nested():
                return service(session, *args, **kwargs)
        except LedgerError as refused:
            raise BrandRecordRefused(f"the ledger refused it: {refused}") from refused

    return run


def _check_amount(amount: int, currency: str, *, limit: int, what: str) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise BrandRecordRefused("amount must be a positive whole number of minor units")
    if currency not in CURRENCIES:
        raise BrandRecordRefused(
            f"currency must be one of {', '.join(CURRENCIES)}, not {currency!r}"
        )
    try:
        money_limits.check(amount, limit, what=what, currency=currency)
    except money_limits.AmountTooLarge as error:
        raise BrandRecordRefused(str(error)) from error


Recorded = TypeVar("Recorded", Pledge, Contribution)


def _record_once(
    session: Session,
    candidate: Recorded,
    existing: Recorded | None,
    *,
    kind: str,
    facts: Callable[[Recorded], dict[str, Any]],
    conflict: str,
    effective_date: date,
    memo: str,
    postings: tuple[Posting, ...],
    actor: User | None,
) -> Recorded:
    """Store ``candidate`` and post its entry keyed by its id, unless ``existing`` is it already.

    A retry with the same facts returns the first record; other facts under the same reference
    are refused (``conflict``), never stored a second time.
    """
    if existing is not None:
        if facts(existing) != facts(candidate):
            raise RecordConflict(conflict)
        return existing
    candidate.recorded_by_id = actor.id if actor is not None else None
    session.add(candidate)
    session.flush()
    entry = post(
        session,
        Entry(
            effective_date=effective_date,
            memo=memo,
            idempotency_key=f"{kind}:{candidate.id}",
            reference=f"{kind}:{candidate.id}",
            postings=postings,
        ),
    )
    candidate.entry_id = entry.id
    session.flush()
    record(
        session,
        actor=actor,
        action=f"brands.{kind}_recorded",
        object_type=kind,
        object_id=candidate.id,
        after={**facts(candidate), "entry_id": entry.id},
    )
    return candidate


def _pledge_facts(pledge: Pledge) -> dict[str, Any]:
    return {
        "brand": pledge.brand.code,
        "reference": pledge.reference,
        "currency": pledge.currency,
        "amount": pledge.amount,
        "pledged_on": pledge.pledged_on.isoformat(),
        "due_date": pledge.due_date.isoformat(),
        "instalments": pledge.instalments,
    }


@atomic
def record_pledge(
    session: Session,
    *,
    brand: Brand,
    reference: str,
    amount: int,
    currency: str,
    pledged_on: date,
    due_date: date,
    instalments: Sequence[tuple[date, int]] | None = None,
    actor: User | None,
) -> Pledge:
    """Record a pledge and post Dr 1100 receivable [brand] / Cr 4000 Contributions [brand].

    The same reference with the same content returns the first pledge (a safe retry).
    """
    _check_amount(amount, currency, limit=money_limits.PLEDGE, what="a pledge")
    reference = reference.strip()
    if not reference:
        raise BrandRecordRefused("a pledge needs a reference (its letter or agreement)")
    if due_date < pledged_on:
        raise BrandRecordRefused("the due date is before the pledge date")
    schedule: list[list[str | int]] | None = None
    if instalments:
        if sum(part for _, part in instalments) != amount:
            raise BrandRecordRefused("the instalments do not add up to the pledged amount")
        if any(part <= 0 for _, part in instalments):
            raise BrandRecordRefused("every instalment must be a positive amount")
        schedule = [[day.isoformat(), part] for day, part in sorted(instalments)]
        due_date = max(day for day, _ in instalments)
    candidate = Pledge(
        brand=brand,
        reference=reference,
        currency=currency,
        amount=amount,
        pledged_on=pledged_on,
        due_date=due_date,
        instalments=schedule,
    )
    existing = session.scalar(
        select(Pledge).where(Pledge.brand_id == brand.id, Pledge.reference == reference)
    )
    return _record_once(
        session,
        candidate,
        existing,
        kind="pledge",
        facts=_pledge_facts,
        conflict=f"pledge {reference!r} of {brand.code} was recorded differently",
        effective_date=pledged_on,
        memo=f"Pledge {reference} by {brand.code}",
        postings=(
            Posting(account(session, "1100", currency=currency, brand=brand.code), amount),
            Posting(account(session, "4000", currency=currency, brand=brand.code), -amount),
        ),
        actor=actor,
    )


def _contribution_facts(contribution: Contribution) -> dict[str, Any]:
    return {
        "brand": contribution.brand.code,
        "pledge_id": contribution.pledge_id,
        "bank_reference": contribution.bank_reference,
        "value_date": contribution.value_date.isoformat(),
        "currency": contribution.currency,
        "amount": contribution.amount,
    }


@atomic
def record_contribution(
    session: Session,
    *,
    brand: Brand,
    bank_reference: str,
    amount: int,
    currency: str,
    value_date: date,
    pledge: Pledge | None = None,
    actor: User | None,
) -> Contribution:
    """Record money received and post Dr 1000/1010 Bank / Cr 1100 receivable [brand].

    The same bank reference with the same content returns the first record (a safe retry).
    """
    _check_amount(amount, currency, limit=money_limits.CONTRIBUTION, what="a contribution")
    bank_reference = bank_reference.strip()
    if not bank_reference:
        raise BrandRecordRefused("a contribution needs the bank's reference")
    if pledge is not None:
        if pledge.brand_id != brand.id:
            raise BrandRecordRefused(f"pledge {pledge.reference!r} is not {brand.code}'s")
        if pledge.currency != currency:
            raise BrandRecordRefused(
                f"pledge {pledge.reference!r} is in {pledge.currency}, the payment in {currency}"
            )
    candidate = Contribution(
        brand=brand,
        pledge=pledge,
        pledge_id=pledge.id if pledge is not None else None,
        bank_reference=bank_reference,
        value_date=value_date,
        currency=currency,
        amount=amount,
    )
    existing = session.scalar(
        select(Contribution).where(
            Contribution.brand_id == brand.id, Contribution.bank_reference == bank_reference
        )
    )
    return _record_once(
        session,
        candidate,
        existing,
        kind="contribution",
        facts=_contribution_facts,
        conflict=f"bank reference {bank_reference!r} of {brand.code} was recorded differently",
        effective_date=value_date,
        memo=f"Contribution from {brand.code}, bank reference {bank_reference}",
        postings=(
            Posting(account(session, BANK_ACCOUNTS[currency]), amount),
            Posting(account(session, "1100", currency=currency, brand=brand.code), -amount),
        ),
        actor=actor,
    )


@atomic
def convert_usd_to_bdt(
    session: Session,
    *,
    amount: int,
    rate: Decimal,
    effective_date: date,
    reference: str,
    actor: User | None,
) -> Conversion:
    """Sell ``amount`` US cents for taka at ``rate`` through the exchange accounts (1900).

    The taka amount is rounded half-up to the poisha by the ledger; the rate is kept on the
    entry. A retry with the same deal reference and content returns the first conversion.
    """
    _check_amount(amount, "USD", limit=money_limits.CONVERSION, what="a conversion")
    if not isinstance(rate, Decimal) or not rate.is_finite() or rate <= 0:
        raise BrandRecordRefused("the rate must be a positive decimal (taka per dollar)")
    reference = reference.strip()
    if not reference:
        raise BrandRecordRefused("a conversion needs the bank's deal reference")
    rate_text = format(rate.normalize(), "f")
    existing = session.scalar(select(Conversion).where(Conversion.reference == reference))
    if existing is not None:
        same = (existing.usd_amount, existing.rate, existing.effective_date) == (
            amount,
            rate_text,
            effective_date,
        )
        if not same:
            raise RecordConflict(f"conversion {reference!r} was recorded differently")
        return existing
    conversion = Conversion(
        reference=reference,
        effective_date=effective_date,
        usd_amount=amount,
        rate=rate_text,
        # The ledger's own rule (half-up to the poisha); the posted entry is checked against it.
        bdt_amount=to_minor(from_minor(amount, "USD") * rate, "BDT", rounding="half_up"),
        recorded_by_id=actor.id if actor is not None else None,
    )
    session.add(conversion)
    session.flush()
    try:
        entry = convert(
            session,
            source=account(session, "1000"),
            target=account(session, "1010"),
            source_amount=amount,
            rate=rate,
            effective_date=effective_date,
            memo=f"USD sold for BDT at {rate_text}, deal {reference}",
            idempotency_key=f"conversion:{conversion.id}",
            reference=f"conversion:{conversion.id}",
        )
    except InsufficientFunds as short:
        raise BrandRecordRefused(f"not enough dollars in the bank: {short}") from short
    bank_bdt = account(session, "1010")
    posted = next(p.amount for p in entry.postings if p.account_id == bank_bdt.id)
    assert posted == conversion.bdt_amount, "ledger rounded the conversion differently"
    conversion.entry_id = entry.id
    session.flush()
    record(
        session,
        actor=actor,
        action="brands.conversion_recorded",
        object_type="conversion",
        object_id=conversion.id,
        after={
            "reference": reference,
            "effective_date": effective_date.isoformat(),
            "usd_amount": amount,
            "rate": rate_text,
            "bdt_amount": conversion.bdt_amount,
            "entry_id": entry.id,
        },
    )
    return conversion
