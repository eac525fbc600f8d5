"""Pledges, payments received and dollar sales: what they post, audit and refuse."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fund.audit.models import AuditEvent
from fund.auth.roles import Role
from fund.brands.models import Contribution, Conversion, Pledge
from fund.brands.services import (
    BrandRecordRefused,
    RecordConflict,
    convert_usd_to_bdt,
    record_contribution,
    record_pledge,
)
from fund.brands.statement import Payment, PledgeTerms, allocate, brand_statement
from fund.reports.services import close_month
from ledger import account
from ledger.models import JournalEntry
from ledger.models import Posting as PostingRow
from ledger.queries import balance
from tests.brands.books import write_books

if TYPE_CHECKING:
    from tests.conftest import People


def postings_of(session: Session, entry_id: int | None) -> dict[str, int]:
    """``{"1100 USD brand=NORD": amount}`` for one entry."""
    assert entry_id is not None
    entry = session.get(JournalEntry, entry_id)
    assert entry is not None
    return {
        f"{p.account.code} {p.account.currency} {p.account.dimension_key}".strip(): p.amount
        for p in entry.postings
    }


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_pledge_posts_receivable_against_contributions_and_is_audited(
    session: Session, users: People
) -> None:
    pledge = record_pledge(
        session,
        brand=users.brands["NORD"],
        reference="LETTER-7",
        amount=2_500_000,
        currency="USD",
        pledged_on=date(2026, 1, 5),
        due_date=date(2026, 3, 31),
        actor=users.by_role[Role.OFFICER],
    )
    assert postings_of(session, pledge.entry_id) == {
        "1100 USD brand=NORD": 2_500_000,
        "4000 USD brand=NORD": -2_500_000,
    }
    entry = session.get(JournalEntry, pledge.entry_id)
    assert entry is not None
    assert entry.idempotency_key == f"pledge:{pledge.id}"
    audit = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "brands.pledge_recorded")
    ).one()
    assert audit.object_id == str(pledge.id)
    assert audit.actor_name == "officer"
    assert audit.after is not None
    assert audit.after["amount"] == 2_500_000


def test_a_retry_returns_the_first_pledge_and_different_content_is_refused(
    session: Session, users: People
) -> None:
    facts = {
        "brand": users.brands["NORD"],
        "reference": "LETTER-7",
        "amount": 100_000,
        "currency": "USD",
        "pledged_on": date(2026, 1, 5),
        "due_date": date(2026, 3, 31),
        "actor": users.admin,
    }
    first = record_pledge(session, **facts)  # type: ignore[arg-type]
    again = record_pledge(session, **facts)  # type: ignore[arg-type]
    assert again.id == first.id
    entries = count(session, JournalEntry)
    with pytest.raises(RecordConflict):
        record_pledge(session, **{**facts, "amount": 100_001})  # type: ignore[arg-type]
    assert count(session, Pledge) == 1
    assert count(session, JournalEntry) == entries


def test_a_payment_posts_bank_against_the_receivable_in_its_currency(
    session: Session, users: People
) -> None:
    actor = users.by_role[Role.ACCOUNTANT]
    usd = record_contribution(
        session,
        brand=users.brands["HAVEN"],
        bank_reference="SWIFT-42",
        amount=750_000,
        currency="USD",
        value_date=date(2026, 2, 1),
        actor=actor,
    )
    bdt = record_contribution(
        session,
        brand=users.brands["HAVEN"],
        bank_reference="BEFTN-42",
        amount=9_900_000,
        currency="BDT",
        value_date=date(2026, 2, 1),
        actor=actor,
    )
    assert postings_of(session, usd.entry_id) == {
        "1000 USD": 750_000,
        "1100 USD brand=HAVEN": -750_000,
    }
    assert postings_of(session, bdt.entry_id) == {
        "1010 BDT": 9_900_000,
        "1100 BDT brand=HAVEN": -9_900_000,
    }
    assert (
        record_contribution(
            session,
            brand=users.brands["HAVEN"],
            bank_reference="SWIFT-42",
            amount=750_000,
            currency="USD",
            value_date=date(2026, 2, 1),
            actor=actor,
        ).id
        == usd.id
    )
    with pytest.raises(RecordConflict):
        record_contribution(
            session,
            brand=users.brands["HAVEN"],
            bank_reference="SWIFT-42",
            amount=750_000,
            currency="USD",
            value_date=date(2026, 2, 2),
            actor=actor,
        )
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.action == "brands.contribution_recorded")
    ).all()
    assert len(actions) == 2


def test_a_conversion_moves_dollars_to_taka_at_the_recorded_rate(
    session: Session, users: People
) -> None:
    record_contribution(
        session,
        brand=users.brands["NORD"],
        bank_reference="SWIFT-1",
        amount=1_000_000,
        currency="USD",
        value_date=date(2026, 1, 20),
        actor=users.admin,
    )
    conversion = convert_usd_to_bdt(
        session,
        amount=333_333,
        rate=Decimal("121.4567"),
        effective_date=date(2026, 2, 1),
        reference="DEAL-9",
        actor=users.admin,
    )
    # 3,333.33 USD × 121.4567 = 404,855.25… BDT: half-up to the poisha.
    expected = (Decimal("3333.33") * Decimal("121.4567")).quantize(Decimal("0.01"))
    assert conversion.bdt_amount == int(expected * 100)
    entry = session.get(JournalEntry, conversion.entry_id)
    assert entry is not None
    assert entry.rate == "121.4567"
    assert postings_of(session, conversion.entry_id) == {
        "1000 USD": -333_333,
        "1900 USD": 333_333,
        "1010 BDT": conversion.bdt_amount,
        "1900 BDT": -conversion.bdt_amount,
    }
    assert balance(session, account(session, "1000")) == 1_000_000 - 333_333


def test_selling_dollars_the_bank_does_not_hold_is_refused_and_nothing_stays(
    session: Session, users: People
) -> None:
    entries = count(session, JournalEntry)
    with pytest.raises(BrandRecordRefused, match="not enough dollars"):
        convert_usd_to_bdt(
            session,
            amount=100,
            rate=Decimal("120"),
            effective_date=date(2026, 2, 1),
            reference="DEAL-0",
            actor=users.admin,
        )
    assert count(session, Conversion) == 0
    assert count(session, JournalEntry) == entries


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"currency": "EUR"}, "currency"),
        ({"amount": 0}, "positive"),
        ({"reference": "  "}, "reference"),
        ({"due_date": date(2025, 12, 31)}, "before"),
        ({"instalments": [(date(2026, 2, 1), 10), (date(2026, 3, 1), 10)]}, "add up"),
    ],
)
def test_bad_pledges_are_refused_by_name(
    session: Session, users: People, change: dict[str, object], message: str
) -> None:
    facts: dict[str, object] = {
        "brand": users.brands["NORD"],
        "reference": "L-1",
        "amount": 1_000,
        "currency": "USD",
        "pledged_on": date(2026, 1, 5),
        "due_date": date(2026, 3, 31),
        "actor": users.admin,
    }
    with pytest.raises(BrandRecordRefused, match=message):
        record_pledge(session, **{**facts, **change})  # type: ignore[arg-type]
    assert count(session, Pledge) == 0


def test_a_payment_against_another_brands_pledge_is_refused(
    session: Session, users: People
) -> None:
    pledge = record_pledge(
        session,
        brand=users.brands["NORD"],
        reference="L-1",
        amount=1_000,
        currency="USD",
        pledged_on=date(2026, 1, 5),
        due_date=date(2026, 3, 31),
        actor=users.admin,
    )
    with pytest.raises(BrandRecordRefused, match="not HAVEN's"):
        record_contribution(
            session,
            brand=users.brands["HAVEN"],
            bank_reference="X",
            amount=1_000,
            currency="USD",
            value_date=date(2026, 2, 1),
            pledge=pledge,
            actor=users.admin,
        )
    assert count(session, Contribution) == 0


def test_nothing_is_recorded_in_a_closed_month(session: Session, users: People) -> None:
    close_month(session, through=date(2026, 1, 31), actor=users.by_role[Role.ACCOUNTANT])
    with pytest.raises(BrandRecordRefused, match="closed"):
        record_pledge(
            session,
            brand=users.brands["NORD"],
            reference="LATE",
            amount=1_000,
            currency="USD",
            pledged_on=date(2026, 1, 15),
            due_date=date(2026, 3, 31),
            actor=users.admin,
        )
    # The pledge row flushed before the ledger refused is gone with the savepoint.
    assert count(session, Pledge) == 0
    assert count(session, PostingRow) == 0


def test_the_statement_ties_to_the_ledger_and_knows_what_is_overdue(
    session: Session, users: People
) -> None:
    books = write_books(session, users.brands, users.admin)
    nord = brand_statement(session, brand=users.brands["NORD"], end=date(2026, 2, 28))
    (usd,) = nord.positions
    receivable = account(session, "1100", currency="USD", brand="NORD")
    assert usd.outstanding == balance(session, receivable, as_of=date(2026, 2, 28))
    assert usd.pledged - usd.received == usd.outstanding == 600_000
    # The first instalment (6,000.00, due 31 January) is past due; 4,000.00 was paid.
    assert usd.overdue == 200_000
    (line,) = nord.pledges
    assert (line.received, line.outstanding, line.overdue, line.instalments) == (
        400_000,
        600_000,
        200_000,
        2,
    )
    # Before the first instalment falls due nothing is overdue.
    early = brand_statement(session, brand=users.brands["NORD"], end=date(2026, 1, 25))
    assert early.positions[0].overdue == 0
    haven = brand_statement(session, brand=users.brands["HAVEN"], end=date(2026, 3, 31))
    assert haven.positions[0].overdue == 30_000_000
    assert [c.bank_reference for c in haven.contributions] == [books.haven_paid.bank_reference]


def test_a_period_counts_only_its_own_pledges_and_payments(session: Session, users: People) -> None:
    write_books(session, users.brands, users.admin)
    february = brand_statement(
        session, brand=users.brands["NORD"], start=date(2026, 2, 1), end=date(2026, 2, 28)
    )
    (usd,) = february.positions
    assert (usd.pledged, usd.received) == (0, 0)
    assert usd.outstanding == 600_000  # still open at the end of February
    assert february.contributions == ()


def test_fund_use_is_by_factory_and_event_only(session: Session, users: People) -> None:
    write_books(session, users.brands, users.admin)
    statement = brand_statement(
        session, brand=users.brands["HAVEN"], start=date(2026, 3, 1), end=date(2026, 3, 31)
    )
    assert [(u.factory, u.event, u.compensation, u.paid) for u in statement.fund_use] == [
        ("DHK-1", "1", 1_000_000, 12_000_000),
        ("GZP-2", "2", 9_000_000, 0),
    ]
    whole = brand_statement(session, brand=users.brands["HAVEN"], end=date(2026, 3, 31))
    assert whole.compensation_total == 25_000_000
    assert whole.compensation_total == balance(
        session, account(session, "5000", currency="BDT", factory="DHK-1", event="1")
    ) + balance(session, account(session, "5000", currency="BDT", factory="GZP-2", event="2"))


pledges_strategy = st.lists(
    st.tuples(
        st.sampled_from(["USD", "BDT"]),
        st.integers(1, 10_000),
        st.lists(st.integers(0, 60), min_size=1, max_size=3),
    ),
    min_size=0,
    max_size=6,
)
payments_strategy = st.lists(
    st.tuples(st.sampled_from(["USD", "BDT"]), st.integers(1, 10_000), st.integers(-1, 6)),
    max_size=8,
)


@settings(max_examples=200, deadline=None)
@given(pledges=pledges_strategy, payments=payments_strategy, as_of=st.integers(0, 70))
def test_allocation_conserves_every_payment(
    pledges: list[tuple[str, int, list[int]]], payments: list[tuple[str, int, int]], as_of: int
) -> None:
    start = date(2026, 1, 1).toordinal()
    terms = []
    for number, (currency, amount, offsets) in enumerate(pledges, start=1):
        parts = [amount // len(offsets)] * len(offsets)
        parts[-1] += amount - sum(parts)
        schedule = tuple(
            sorted(
                (date.fromordinal(start + offset), part)
                for offset, part in zip(offsets, parts, strict=True)
                if part
            )
        ) or ((date.fromordinal(start + offsets[0]), amount),)
        terms.append(PledgeTerms(number, currency, amount, schedule))
    paid = [Payment(c, amount, target if target > 0 else None) for c, amount, target in payments]
    positions, credit = allocate(terms, paid, as_of=date.fromordinal(start + as_of))
    for currency in ("USD", "BDT"):
        applied = sum(positions[t.id].received for t in terms if t.currency == currency)
        assert applied + credit.get(currency, 0) == sum(
            p.amount for p in paid if p.currency == currency
        )
        # Money is left as credit only when every pledge of the currency is paid in full.
        if credit.get(currency):
            assert all(positions[t.id].outstanding == 0 for t in terms if t.currency == currency)
    for t in terms:
        position = positions[t.id]
        assert position.received + position.outstanding == t.amount
        assert 0 <= position.overdue <= position.outstanding
