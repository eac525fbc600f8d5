"""The ledger's bounds: no entry after today, no cash below zero on any day, no unsafe sums.

The property test backdates every kind of cash-moving posting the fund makes (a float
transfer, a batch payment with fees, a reissue, a conversion, a fee) into books that already
hold later movements, and checks that cash is never below zero as of any day afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ledger import Account, Entry, InsufficientFunds, Posting, account, convert, post
from ledger.errors import AmountTooLarge, FutureDate
from ledger.limits import ACCOUNT_GROSS_LIMIT, POSTING_LIMIT
from ledger.models import JournalEntry
from ledger.posting import post_many, today
from ledger.queries import balance, trial_balance

PostFn = Callable[..., JournalEntry]


def _count(session: Session) -> int:
    return len(session.scalars(select(JournalEntry.id)).all())


def test_an_entry_dated_after_today_is_refused(
    session: Session, bank: Account, fund_balance: Account, post_lines: PostFn
) -> None:
    tomorrow = today() + timedelta(days=1)
    with pytest.raises(FutureDate, match="after today"):
        post_lines("later", (bank, 5), (fund_balance, -5), on=tomorrow)
    entry = Entry(tomorrow, "m", "many-later", (Posting(bank, 5), Posting(fund_balance, -5)))
    with pytest.raises(FutureDate):
        post_many(session, [entry])
    assert _count(session) == 0
    post_lines("today", (bank, 5), (fund_balance, -5), on=today())


def test_a_backdated_float_cannot_overdraw_the_bank_as_of_a_later_day(
    session: Session, bank: Account, fund_balance: Account, post_lines: PostFn
) -> None:
    # The case: the bank held 1,000 from 2 January and paid 1,000 on 20 January; a
    # float transfer dated 10 January fits that day's balance but leaves 20 January at −400.
    expense = account(session, "5000", currency="BDT", factory="F", event="1")
    float_ = account(session, "1020")
    post_lines("in", (bank, 100_000), (fund_balance, -100_000), on=date(2026, 1, 2))
    post_lines("pay", (expense, 100_000), (bank, -100_000), on=date(2026, 1, 20))
    before = _count(session)
    with pytest.raises(InsufficientFunds, match="on 2026-01-20, a later day"):
        post_lines("float", (float_, 40_000), (bank, -40_000), on=date(2026, 1, 10))
    with pytest.raises(InsufficientFunds):  # unprotected by the caller: cash is guarded anyway
        post_many(
            session,
            [Entry(date(2026, 1, 10), "f", "f2", (Posting(float_, 1), Posting(bank, -1)))],
        )
    assert _count(session) == before
    assert balance(session, bank, as_of=date(2026, 1, 31)) == 0


def test_money_in_is_never_refused_and_fits_later_days(
    session: Session, bank: Account, fund_balance: Account, post_lines: PostFn
) -> None:
    expense = account(session, "5000", currency="BDT", factory="F", event="1")
    post_lines("in", (bank, 500), (fund_balance, -500), on=date(2026, 2, 1))
    post_lines("out", (expense, 500), (bank, -500), on=date(2026, 2, 5))
    post_lines("late gift", (bank, 300), (fund_balance, -300), on=date(2026, 1, 15))
    # Now 300 more is there from 15 January on, so a payment of 300 dated 16 January fits.
    post_lines("fee", (expense, 300), (bank, -300), on=date(2026, 1, 16))
    assert balance(session, bank) == 0


def test_a_posting_past_the_limit_is_refused(
    session: Session, bank: Account, fund_balance: Account, post_lines: PostFn
) -> None:
    with pytest.raises(AmountTooLarge, match="per posting"):
        post_lines("huge", (bank, POSTING_LIMIT + 1), (fund_balance, -(POSTING_LIMIT + 1)))
    post_lines("largest", (bank, POSTING_LIMIT), (fund_balance, -POSTING_LIMIT))
    assert _count(session) == 1


def test_an_account_total_past_what_the_databases_sum_is_refused(
    session: Session, fund_balance: Account, post_lines: PostFn
) -> None:
    receivable = account(session, "1100", currency="USD", brand="NORD")
    pledged = account(session, "4000", currency="USD", brand="NORD")
    for n in range(ACCOUNT_GROSS_LIMIT // POSTING_LIMIT):
        post_lines(f"p{n}", (receivable, POSTING_LIMIT), (pledged, -POSTING_LIMIT))
    with pytest.raises(AmountTooLarge, match="total postings"):
        post_lines("one more", (receivable, 1), (pledged, -1))
    # Every report still adds the books up: no integer overflow on either database.
    assert trial_balance(session).balanced
    assert balance(session, receivable) == ACCOUNT_GROSS_LIMIT


KINDS = ("float", "pay", "reissue", "conversion", "fee")
FIRST = date(2026, 1, 1)


def _post_kind(
    session: Session, kind: str, amount: int, on: date, key: str, accounts: dict[str, Account]
) -> None:
    bank, float_, usd = accounts["1010"], accounts["1020"], accounts["1000"]
    payable, fees = accounts["2000"], accounts["5100"]
    if kind == "conversion":
        convert(
            session,
            source=usd,
            target=bank,
            source_amount=amount,
            rate=Decimal("110.5"),
            effective_date=on,
            memo="fx",
            idempotency_key=key,
            no_overdraft=False,  # the ledger guards cash whatever the caller says
        )
        return
    lines = {
        "float": (Posting(float_, amount), Posting(bank, -amount)),
        "pay": (
            Posting(payable, amount),
            Posting(fees, 1),
            Posting(bank, -(amount // 2) - 1),
            Posting(float_, -(amount - amount // 2)),
        ),
        "reissue": (Posting(payable, amount), Posting(float_, -amount)),
        "fee": (Posting(fees, amount), Posting(bank, -amount)),
    }[kind]
    post(session, Entry(on, kind, key, tuple(p for p in lines if p.amount)))


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(KINDS), st.integers(1, 10**7), st.integers(0, 60)),
        min_size=1,
        max_size=12,
    )
)
def test_no_posting_kind_backdated_leaves_cash_below_zero_on_any_day(
    engine: Engine, steps: list[tuple[str, int, int]]
) -> None:
    with engine.connect() as connection:
        transaction = connection.begin()
        session = Session(bind=connection, join_transaction_mode="create_savepoint")
        try:
            _backdate(session, connection, steps)
        finally:
            session.close()
            transaction.rollback()


def _backdate(session: Session, connection: Connection, steps: list[tuple[str, int, int]]) -> None:
    accounts = {code: account(session, code) for code in ("1000", "1010", "1020")} | {
        "2000": account(session, "2000", currency="BDT", event="1"),
        "5100": account(session, "5100", currency="BDT"),
        "3000": account(session, "3000", currency="BDT"),
        "3000USD": account(session, "3000", currency="USD"),
    }
    cash = [accounts[code] for code in ("1000", "1010", "1020")]
    # Opening money on the first day, then a late outflow that backdated postings must fit.
    post(session, Entry(FIRST, "in", "in", (
        Posting(accounts["1010"], 10**7), Posting(accounts["3000"], -10**7),
    )))  # fmt: skip
    post(session, Entry(FIRST, "usd", "usd", (
        Posting(accounts["1000"], 10**7), Posting(accounts["3000USD"], -10**7),
    )))  # fmt: skip
    post(session, Entry(FIRST + timedelta(days=61), "late", "late", (
        Posting(accounts["2000"], 6 * 10**6), Posting(accounts["1010"], -6 * 10**6),
    )))  # fmt: skip
    for number, (kind, amount, offset) in enumerate(steps):
        _post_kind_or_refused(
            session, connection, kind, amount, FIRST + timedelta(days=offset),
            f"k{number}", accounts,
        )  # fmt: skip
        for day in range(0, 63):
            as_of = FIRST + timedelta(days=day)
            for acct in cash:
                assert balance(session, acct, as_of=as_of) >= 0, (kind, as_of, acct.label)


def _post_kind_or_refused(
    session: Session,
    connection: Connection,
    kind: str,
    amount: int,
    on: date,
    key: str,
    accounts: dict[str, Account],
) -> None:
    before = connection.exec_driver_sql("SELECT count(*) FROM ledger_postings").scalar()
    try:
        with session.begin_nested():
            _post_kind(session, kind, amount, on, key, accounts)
    except InsufficientFunds:
        after = connection.exec_driver_sql("SELECT count(*) FROM ledger_postings").scalar()
        assert after == before


def test_any_int_reads_back_as_an_amount() -> None:
    # Messages about refused giant amounts must not fail themselves (28-digit Decimal default).
    from ledger.money import from_minor

    assert str(from_minor(10**40 + 5, "USD")) == "1" + "0" * 37 + "0.05"
