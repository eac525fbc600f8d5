"""Posting, idempotency, reversal, conversion, overdraft and period close, through the services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger import (
    Account,
    CurrencyMismatch,
    Entry,
    IdempotencyConflict,
    InsufficientFunds,
    PeriodClosed,
    Posting,
    ReversalRefused,
    TooFewPostings,
    UnbalancedEntry,
    UnknownAccount,
    ZeroAmount,
    account,
    close_period,
    convert,
    post,
    reopen_period,
    reverse,
    verify,
)
from ledger.models import JournalEntry
from ledger.models import Posting as PostingRow
from ledger.queries import balance, balances_by_dimension, journal, statement, trial_balance

PostFn = Callable[..., JournalEntry]


def _count(session: Session) -> tuple[int, int]:
    entries = session.scalar(select(func.count(JournalEntry.id))) or 0
    postings = session.scalar(select(func.count(PostingRow.id))) or 0
    return entries, postings


def test_a_balanced_entry_is_posted_chained_and_counted(
    session: Session, bank: Account, fund_balance: Account, post_lines: PostFn
) -> None:
    entry = post_lines("open", (bank, 1_250_000), (fund_balance, -1_250_000))
    assert entry.status == "posted"
    assert entry.sequence is not None
    assert entry.hash is not None
    assert balance(session, bank) == 1_250_000
    assert balance(session, fund_balance) == -1_250_000
    assert verify(session).ok


@pytest.mark.parametrize(
    ("amounts", "error"),
    [
        ((500, -400), UnbalancedEntry),
        ((500,), TooFewPostings),
        ((500, 0, -500), ZeroAmount),
    ],
)
def test_bad_entries_are_refused_and_write_nothing(
    session: Session,
    bank: Account,
    fund_balance: Account,
    amounts: tuple[int, ...],
    error: type[Exception],
) -> None:
    before = _count(session)
    accounts = [bank, fund_balance, fund_balance]
    lines = tuple(Posting(accounts[i], amount) for i, amount in enumerate(amounts))
    with pytest.raises(error):
        post(session, Entry(date(2026, 3, 1), "bad", "bad-1", lines))
    assert _count(session) == before


def test_a_posting_in_another_currency_than_its_account_is_refused(
    session: Session, bank: Account, fund_balance: Account
) -> None:
    lines = (Posting(bank, 100, currency="USD"), Posting(fund_balance, -100))
    with pytest.raises(CurrencyMismatch, match="USD"):
        post(session, Entry(date(2026, 3, 1), "bad", "bad-2", lines))


def test_a_retry_returns_the_first_entry_and_writes_nothing(
    session: Session, bank: Account, fund_balance: Account, post_lines: PostFn
) -> None:
    first = post_lines("pledge-7", (bank, 900), (fund_balance, -900))
    before = _count(session)
    again = post_lines("pledge-7", (bank, 900), (fund_balance, -900))
    assert again.id == first.id
    assert _count(session) == before
    assert balance(session, bank) == 900


def test_the_same_key_with_other_content_is_a_conflict(
    session: Session, bank: Account, fund_balance: Account, post_lines: PostFn
) -> None:
    post_lines("pledge-8", (bank, 900), (fund_balance, -900))
    before = _count(session)
    with pytest.raises(IdempotencyConflict, match="pledge-8"):
        post_lines("pledge-8", (bank, 901), (fund_balance, -901))
    assert _count(session) == before


def test_reversal_restores_balances_once(
    session: Session, bank: Account, fund_balance: Account, post_lines: PostFn
) -> None:
    original = post_lines("gift", (bank, 4_000), (fund_balance, -4_000))
    reversal = reverse(session, original, effective_date=date(2026, 3, 2))
    assert balance(session, bank) == 0
    assert balance(session, fund_balance) == 0
    assert reversal.reverses_id == original.id
    # Double-clicking "reverse" posts nothing more.
    assert reverse(session, original, effective_date=date(2026, 3, 2)).id == reversal.id
    assert balance(session, bank) == 0
    with pytest.raises(ReversalRefused, match="itself a reversal"):
        reverse(session, reversal, effective_date=date(2026, 3, 3))
    with pytest.raises(ReversalRefused, match="already reversed"):
        reverse(session, original, effective_date=date(2026, 3, 3), idempotency_key="other")
    assert verify(session).ok


def test_conversion_balances_in_each_currency_through_exchange_accounts(
    session: Session, post_lines: PostFn
) -> None:
    usd = account(session, "1000")
    bdt = account(session, "1010")
    contributions = account(session, "4000", currency="USD", brand="NORD")
    post_lines("usd-in", (usd, 10_000_00), (contributions, -10_000_00))
    entry = convert(
        session,
        source=usd,
        target=bdt,
        source_amount=2_500_00,
        rate=Decimal("121.37"),
        effective_date=date(2026, 3, 5),
        memo="USD to BDT",
        idempotency_key="fx-1",
    )
    assert entry.rate == "121.37"
    # 2,500.00 USD × 121.37 = 303,425.00 BDT
    assert balance(session, bdt) == 303_425_00
    assert balance(session, usd) == 7_500_00
    assert balance(session, account(session, "1900", currency="USD")) == 2_500_00
    assert balance(session, account(session, "1900", currency="BDT")) == -303_425_00
    assert trial_balance(session).balanced


def test_conversion_rounds_half_up_to_the_minor_unit(session: Session, post_lines: PostFn) -> None:
    usd, bdt = account(session, "1000"), account(session, "1010")
    post_lines("usd-in-2", (usd, 100), (account(session, "3000", currency="USD"), -100))
    # 0.01 USD × 0.5 = 0.005 BDT → 0.01 BDT (half up)
    convert(
        session,
        source=usd,
        target=bdt,
        source_amount=1,
        rate=Decimal("0.5"),
        effective_date=date(2026, 3, 5),
        memo="tiny",
        idempotency_key="fx-2",
    )
    assert balance(session, bdt) == 1


def test_overdraft_of_a_protected_account_is_refused(
    session: Session, bank: Account, fund_balance: Account, post_lines: PostFn
) -> None:
    expense = account(session, "5000", currency="BDT", factory="DHK-017", event="1")
    post_lines("in", (bank, 1_000), (fund_balance, -1_000))
    before = _count(session)
    with pytest.raises(InsufficientFunds, match=r"holds 10\.00 BDT; 10\.01 BDT is needed"):
        post_lines("out", (expense, 1_001), (bank, -1_001), no_overdraft=[bank])
    assert _count(session) == before
    post_lines("out", (expense, 1_000), (bank, -1_000), no_overdraft=[bank])
    assert balance(session, bank) == 0


def test_closed_periods_refuse_postings_and_reopen_is_recorded(
    session: Session, bank: Account, fund_balance: Account, post_lines: PostFn
) -> None:
    post_lines("march", (bank, 10), (fund_balance, -10), on=date(2026, 3, 31))
    close_period(session, through=date(2026, 3, 31), by="accountant")
    with pytest.raises(PeriodClosed, match="closed through 2026-03-31"):
        post_lines("late", (bank, 10), (fund_balance, -10), on=date(2026, 3, 31))
    # A true retry of an entry posted before the close still answers with the original.
    assert post_lines("march", (bank, 10), (fund_balance, -10), on=date(2026, 3, 31)).sequence
    post_lines("april", (bank, 10), (fund_balance, -10), on=date(2026, 4, 1))
    with pytest.raises(PeriodClosed, match="reason"):
        reopen_period(session, through=date(2026, 2, 28), by="admin", note=" ")
    reopen_period(session, through=date(2026, 2, 28), by="admin", note="late bank charge")
    post_lines("late", (bank, 10), (fund_balance, -10), on=date(2026, 3, 31))
    assert balance(session, bank) == 30


def test_balances_as_of_effective_date_and_by_dimension(
    session: Session, bank: Account, fund_balance: Account, post_lines: PostFn
) -> None:
    post_lines("seed", (bank, 1_000), (fund_balance, -1_000), on=date(2026, 4, 30))
    for factory, day, amount in [("A", 1, 100), ("B", 2, 250), ("A", 3, 50)]:
        expense = account(session, "5000", currency="BDT", factory=factory, event="9")
        post_lines(
            f"pay-{factory}-{day}", (expense, amount), (bank, -amount), on=date(2026, 5, day)
        )
    assert balance(session, bank, as_of=date(2026, 5, 2)) == 1_000 - 350
    assert balances_by_dimension(session, "5000", "factory", currency="BDT") == {"A": 150, "B": 250}
    assert balances_by_dimension(
        session, "5000", "factory", currency="BDT", as_of=date(2026, 5, 1)
    ) == {"A": 100}


def test_statement_runs_a_balance_from_the_opening(
    session: Session, bank: Account, fund_balance: Account, post_lines: PostFn
) -> None:
    for day, amount in [(1, 500), (10, -200), (20, 300)]:
        post_lines(f"s-{day}", (bank, amount), (fund_balance, -amount), on=date(2026, 6, day))
    report = statement(session, bank, start=date(2026, 6, 5), end=date(2026, 6, 30))
    assert report.opening == 500
    assert [line.running_balance for line in report.lines] == [300, 600]
    assert report.closing == 600
    lines = list(journal(session, start=date(2026, 6, 5)))
    assert sorted(line.amount for line in lines) == [-300, -200, 200, 300]


def test_trial_balance_as_of_a_date(
    session: Session, bank: Account, fund_balance: Account, post_lines: PostFn
) -> None:
    post_lines("t1", (bank, 700), (fund_balance, -700), on=date(2026, 7, 1))
    post_lines("t2", (bank, 300), (fund_balance, -300), on=date(2026, 7, 2))
    report = trial_balance(session, as_of=date(2026, 7, 1))
    assert report.totals == {"BDT": (700, 700)}
    assert {(line.code, line.debit, line.credit) for line in report.lines} == {
        ("1010", 700, 0),
        ("3000", 0, 700),
    }


def test_chart_rules(session: Session) -> None:
    with pytest.raises(UnknownAccount, match="not in the chart"):
        account(session, "9999", currency="BDT")
    with pytest.raises(UnknownAccount, match="per brand"):
        account(session, "4000", currency="BDT")
    with pytest.raises(UnknownAccount, match="USD only"):
        account(session, "1000", currency="BDT")
    first = account(session, "2000", currency="BDT", event="3")
    assert account(session, "2000", currency="BDT", event="3").id == first.id
    assert first.dimensions == {"event": "3"}


def test_an_overdraft_names_the_account_once_and_formats_the_amounts(session: Session) -> None:
    """The refusal shows each amount with separators and its currency once ("BDT BDT" was a bug)."""
    bank = account(session, "1010")
    fund = account(session, "3000", currency="BDT")
    with pytest.raises(InsufficientFunds) as refused:
        post(
            session,
            Entry(date(2024, 1, 2), "too much", "overdraft-words", (
                Posting(fund, 123_456_700), Posting(bank, -123_456_700))),
            no_overdraft=[bank],
        )  # fmt: skip
    assert "BDT BDT" not in str(refused.value)
    assert "holds 0.00 BDT; 1,234,567.00 BDT is needed" in str(refused.value)
