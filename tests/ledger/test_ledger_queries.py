"""The chart, finding entries, balances as of a recorded time, what never counts, post_many."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Connection, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ledger import (
    CHART,
    Account,
    Entry,
    EntryNotFound,
    IdempotencyConflict,
    InsufficientFunds,
    PeriodClosed,
    Posting,
    UnbalancedEntry,
    UnknownAccount,
    account,
    close_period,
    convert,
    install_chart,
    post,
    post_many,
    reverse,
    verify,
)
from ledger.models import JournalEntry
from ledger.models import Posting as PostingRow
from ledger.queries import (
    balance,
    balances_by_dimension,
    find_entry,
    journal,
    trial_balance,
)

PostFn = Callable[..., JournalEntry]


def _count(session: Session) -> tuple[int, int]:
    entries = session.scalar(select(func.count(JournalEntry.id))) or 0
    postings = session.scalar(select(func.count(PostingRow.id))) or 0
    return entries, postings


def test_install_chart_opens_every_undimensioned_account_once(session: Session) -> None:
    opened = install_chart(session)
    expected = {
        (code, currency)
        for code, line in CHART.items()
        if not line.dimensions
        for currency in ([line.currency] if line.currency else ["BDT", "USD"])
    }
    assert {(a.code, a.currency) for a in opened} == expected
    assert all(a.dimension_key == "" and a.name == CHART[a.code].name for a in opened)
    again = install_chart(session)
    assert sorted(a.id for a in again) == sorted(a.id for a in opened)


def test_dimensions_given_as_numbers_are_the_same_account(session: Session) -> None:
    by_text = account(session, "5000", currency="BDT", factory="DHK-017", event="12")
    by_number = account(session, "5000", currency="BDT", factory="DHK-017", event=12)
    assert by_number.id == by_text.id
    assert by_number.event == "12"


def test_find_entry_by_id_or_key_and_only_posted(
    session: Session, bank: Account, fund_balance: Account, post_lines: PostFn
) -> None:
    posted = post_lines("find-me", (bank, 40), (fund_balance, -40))
    assert find_entry(session, entry_id=posted.id).id == posted.id
    assert find_entry(session, idempotency_key="find-me").id == posted.id
    with pytest.raises(EntryNotFound, match="key 'nobody'"):
        find_entry(session, idempotency_key="nobody")
    with pytest.raises(EntryNotFound, match=f"id {posted.id + 1000}"):
        find_entry(session, entry_id=posted.id + 1000)
    with pytest.raises(TypeError):
        find_entry(session)


def test_balances_as_of_a_recorded_time(
    session: Session, bank: Account, fund_balance: Account, post_lines: PostFn
) -> None:
    # Both dated the same day; only the moment they were written differs.
    first = post_lines("r-1", (bank, 100), (fund_balance, -100), on=date(2026, 4, 1))
    time.sleep(0.01)
    post_lines("r-2", (bank, 20), (fund_balance, -20), on=date(2026, 4, 1))
    moment = first.recorded_at
    assert balance(session, bank, recorded_as_of=moment) == 100
    assert balance(session, bank) == 120
    report = trial_balance(session, recorded_as_of=moment)
    assert report.totals == {"BDT": (100, 100)}
    before_everything = datetime(2000, 1, 1, tzinfo=UTC)
    assert balance(session, bank, recorded_as_of=before_everything) == 0


def test_pending_entries_count_nowhere(
    session: Session, connection: Connection, bank: Account, fund_balance: Account
) -> None:
    connection.execute(
        text(
            "INSERT INTO ledger_entries (status, effective_date, recorded_at, memo,"
            " idempotency_key, request_hash) VALUES ('pending', '2026-03-01', :now, 'raw',"
            " 'never-posted', 'x')"
        ),
        {"now": datetime.now(UTC)},
    )
    entry_id = connection.execute(
        text("SELECT id FROM ledger_entries WHERE idempotency_key = 'never-posted'")
    ).scalar_one()
    for acct, amount in ((bank, 500), (fund_balance, -500)):
        connection.execute(
            text(
                "INSERT INTO ledger_postings (entry_id, account_id, currency, amount)"
                " VALUES (:e, :a, 'BDT', :m)"
            ),
            {"e": entry_id, "a": acct.id, "m": amount},
        )
    assert balance(session, bank) == 0
    assert trial_balance(session).lines == ()
    assert balances_by_dimension(session, "1010", "factory", currency="BDT") == {}
    assert list(journal(session)) == []
    with pytest.raises(EntryNotFound):
        find_entry(session, entry_id=entry_id)


def test_a_reversal_dated_in_a_closed_period_is_refused(
    session: Session, bank: Account, fund_balance: Account, post_lines: PostFn
) -> None:
    original = post_lines("to-reverse", (bank, 70), (fund_balance, -70), on=date(2026, 3, 10))
    close_period(session, through=date(2026, 3, 31), by="accountant")
    before = _count(session)
    with pytest.raises(PeriodClosed):
        reverse(session, original, effective_date=date(2026, 3, 31))
    assert _count(session) == before
    reversal = reverse(session, original, effective_date=date(2026, 4, 1))
    assert reversal.effective_date == date(2026, 4, 1)
    assert balance(session, bank) == 0
    assert balance(session, bank, as_of=date(2026, 3, 31)) == 70


def test_a_conversion_can_record_what_the_bank_credited(
    session: Session, post_lines: PostFn
) -> None:
    usd, bdt = account(session, "1000"), account(session, "1010")
    post_lines("usd-in", (usd, 10_000), (account(session, "3000", currency="USD"), -10_000))
    entry = convert(
        session,
        source=usd,
        target=bdt,
        source_amount=10_000,
        target_amount=1_212_345,
        rate=Decimal("121.2345"),
        effective_date=date(2026, 3, 2),
        memo="bank's rate",
        idempotency_key="fx-bank",
    )
    assert entry.rate == "121.2345"
    assert balance(session, bdt) == 1_212_345
    assert balance(session, account(session, "1900", currency="BDT")) == -1_212_345
    assert balance(session, account(session, "1900", currency="USD")) == 10_000
    assert trial_balance(session).balanced
    with pytest.raises(InsufficientFunds, match="1000 Bank USD"):
        convert(
            session,
            source=usd,
            target=bdt,
            source_amount=1,
            rate=Decimal("121"),
            effective_date=date(2026, 3, 2),
            memo="nothing left",
            idempotency_key="fx-empty",
        )
    assert verify(session).ok


def test_journal_is_limited_to_the_date_range(
    session: Session, bank: Account, fund_balance: Account, post_lines: PostFn
) -> None:
    for day in (1, 15, 28):
        post_lines(f"j-{day}", (bank, day), (fund_balance, -day), on=date(2026, 2, day))
    lines = list(journal(session, start=date(2026, 2, 2), end=date(2026, 2, 15)))
    assert [(line.effective_date, line.amount) for line in lines] == [
        (date(2026, 2, 15), 15),
        (date(2026, 2, 15), -15),
    ]
    assert {line.account.code for line in lines} == {"1010", "3000"}


def test_an_accounts_dimensions_never_change(session: Session, connection: Connection) -> None:
    expense = account(session, "5000", currency="BDT", factory="DHK-017", event="3")
    session.flush()
    for column in ("factory", "event", "brand", "batch"):
        with pytest.raises(DBAPIError, match="never change"), connection.begin_nested():
            connection.execute(
                text(f"UPDATE ledger_accounts SET {column} = 'X' WHERE id = :id"),
                {"id": expense.id},
            )
    # Its name is a label and may be corrected.
    with connection.begin_nested():
        connection.execute(
            text("UPDATE ledger_accounts SET name = 'Compensation' WHERE id = :id"),
            {"id": expense.id},
        )


def test_balances_by_dimension_filtered_by_another(
    session: Session, bank: Account, fund_balance: Account, post_lines: PostFn
) -> None:
    post_lines("seed", (bank, 1_000), (fund_balance, -1_000))
    for factory, event, amount in [("A", "1", 10), ("A", "2", 20), ("B", "2", 40)]:
        expense = account(session, "5000", currency="BDT", factory=factory, event=event)
        post_lines(f"d-{factory}-{event}", (expense, amount), (bank, -amount))
    assert balances_by_dimension(session, "5000", "factory", currency="BDT", event="2") == {
        "A": 20,
        "B": 40,
    }
    assert balances_by_dimension(session, "5000", "event", currency="BDT") == {"1": 10, "2": 60}


def _payouts(bank: Account, expense: Account, amounts: list[int], prefix: str) -> list[Entry]:
    return [
        Entry(
            date(2026, 5, 1),
            f"payout {n}",
            f"{prefix}-{n}",
            (Posting(expense, amount), Posting(bank, -amount)),
            reference="batch:1",
        )
        for n, amount in enumerate(amounts)
    ]


def test_post_many_posts_chains_and_retries_like_post(
    session: Session, bank: Account, fund_balance: Account, post_lines: PostFn
) -> None:
    opening = post_lines("opening", (bank, 1_000), (fund_balance, -1_000))
    expense = account(session, "5000", currency="BDT", factory="A", event="1")
    entries = _payouts(bank, expense, [100, 200, 300], "pay")
    ids = post_many(session, entries, no_overdraft=[bank])
    assert len(set(ids)) == 3
    posted = [find_entry(session, entry_id=entry_id) for entry_id in ids]
    assert [e.memo for e in posted] == ["payout 0", "payout 1", "payout 2"]
    assert [e.sequence for e in posted] == [opening.sequence + n for n in (1, 2, 3)]
    assert balance(session, bank) == 400
    before = _count(session)
    # A retry of the whole batch, and a batch repeating one of its entries, write nothing more.
    assert post_many(session, entries) == ids
    assert post_many(session, [entries[1], entries[1]]) == [ids[1], ids[1]]
    assert _count(session) == before
    assert post_many(session, []) == []
    assert verify(session).ok


@pytest.mark.parametrize("problem", ["unbalanced", "conflict", "in-batch", "overdraft", "closed"])
def test_post_many_refuses_the_whole_batch(
    session: Session, bank: Account, fund_balance: Account, post_lines: PostFn, problem: str
) -> None:
    post_lines("opening", (bank, 250), (fund_balance, -250), on=date(2026, 4, 1))
    expense = account(session, "5000", currency="BDT", factory="A", event="1")
    entries = _payouts(bank, expense, [100, 100], "batch")
    post_many(session, entries[:1])
    options: dict[str, list[Account]] = {}
    if problem == "unbalanced":
        bad = Entry(date(2026, 5, 1), "bad", "bad", (Posting(expense, 5), Posting(bank, -4)))
        entries.append(bad)
        error: type[Exception] = UnbalancedEntry
    elif problem == "conflict":
        entries[0] = _payouts(bank, expense, [101], "batch")[0]
        error = IdempotencyConflict
    elif problem == "in-batch":
        entries.append(_payouts(bank, expense, [1, 7], "batch")[1])
        error = IdempotencyConflict
    elif problem == "overdraft":
        # Each fits in what the bank holds (150 after the first), together they do not.
        entries += _payouts(bank, expense, [100], "more")
        options = {"no_overdraft": [bank]}
        error = InsufficientFunds
    else:
        close_period(session, through=date(2026, 4, 30), by="accountant")
        entries.append(_payouts(bank, expense, [5], "late")[0])
        entries[-1] = Entry(date(2026, 4, 30), "late", "late", entries[-1].postings)
        error = PeriodClosed
    before = _count(session)
    with pytest.raises(error):
        post_many(session, entries, **options)
    assert _count(session) == before
    assert balance(session, bank) == 150


def test_money_into_an_overdrawn_account_is_never_refused(
    session: Session, bank: Account, fund_balance: Account, post_lines: PostFn
) -> None:
    # Unprotected, an asset went below zero (1900: exchanged before the deal settled); cash
    # accounts cannot, whoever posts (tests/ledger/test_ledger_bounds.py).
    fees = account(session, "5100", currency="BDT")
    exchange = account(session, "1900", currency="BDT")
    post_lines("fee", (fees, 50), (exchange, -50))
    post_lines("gift", (exchange, 20), (fund_balance, -20), no_overdraft=[exchange])
    assert balance(session, exchange) == -30
    with pytest.raises(InsufficientFunds, match=r"holds -0\.30 BDT; 0\.01 BDT is needed"):
        post_lines("more fees", (fees, 1), (exchange, -1), no_overdraft=[exchange])


def test_balances_by_an_unknown_dimension_are_refused(session: Session) -> None:
    with pytest.raises(UnknownAccount, match="colour"):
        balances_by_dimension(session, "5000", "colour", currency="BDT")
    with pytest.raises(UnknownAccount, match="size"):
        balances_by_dimension(session, "5000", "factory", currency="BDT", size="L")


def test_an_account_never_opened_is_named(session: Session, bank: Account) -> None:
    stray = Account(code="3000", name="Fund balance", type="net_assets", currency="BDT")
    entry = Entry(date(2026, 3, 1), "m", "stray", (Posting(bank, 5), Posting(stray, -5)))
    with pytest.raises(UnknownAccount, match="posting 2: account 3000 Fund balance BDT"):
        post(session, entry)
    with pytest.raises(UnknownAccount, match="never opened"):
        post_many(session, [entry])
