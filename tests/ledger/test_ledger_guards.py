"""The database itself guards the books: raw SQL cannot post an unbalanced or changed entry."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ledger import Account, Entry, JournalEntry, Posting, account, close_period, post, verify

RawSQL = Callable[..., object]


@pytest.fixture
def raw(connection: Connection) -> RawSQL:
    """Run one SQL statement in a savepoint, so a refused one leaves the test usable."""

    def run(sql: str, **params: object) -> object:
        with connection.begin_nested():
            return connection.execute(text(sql), params)

    return run


def _refused(raw: RawSQL, sql: str, message: str, **params: object) -> None:
    with pytest.raises(DBAPIError, match=message):
        raw(sql, **params)


def _new_entry(
    raw: RawSQL, key: str, *, status: str = "pending", day: date = date(2026, 3, 1)
) -> int:
    raw(
        "INSERT INTO ledger_entries (status, effective_date, recorded_at, memo, idempotency_key,"
        " request_hash) VALUES (:status, :day, :now, 'raw', :key, 'x')",
        status=status,
        day=day,
        now=datetime.now(UTC),
        key=key,
    )
    result = raw("SELECT id FROM ledger_entries WHERE idempotency_key = :key", key=key)
    return int(result.scalar_one())  # type: ignore[attr-defined]


def _add_posting(
    raw: RawSQL, entry_id: int, acct: Account, amount: int, currency: str | None = None
) -> None:
    raw(
        "INSERT INTO ledger_postings (entry_id, account_id, currency, amount)"
        " VALUES (:entry, :account, :currency, :amount)",
        entry=entry_id,
        account=acct.id,
        currency=currency or acct.currency,
        amount=amount,
    )


@pytest.fixture
def accounts(session: Session) -> tuple[Account, Account]:
    bank, fund = account(session, "1010"), account(session, "3000", currency="BDT")
    session.flush()
    return bank, fund


@pytest.fixture
def posted(session: Session, accounts: tuple[Account, Account]) -> JournalEntry:
    bank, fund = accounts
    entry = post(
        session,
        Entry(
            date(2026, 3, 1), "opening", "posted-1", (Posting(bank, 5_000), Posting(fund, -5_000))
        ),
    )
    session.flush()
    return entry


def test_an_unbalanced_entry_cannot_be_marked_posted(
    raw: RawSQL, accounts: tuple[Account, Account]
) -> None:
    bank, fund = accounts
    entry_id = _new_entry(raw, "raw-unbalanced")
    _add_posting(raw, entry_id, bank, 1_000)
    _add_posting(raw, entry_id, fund, -999)
    _refused(
        raw,
        "UPDATE ledger_entries SET status = 'posted', sequence = 99, hash = 'h' WHERE id = :id",
        "debits do not equal credits",
        id=entry_id,
    )


def test_a_single_posting_entry_cannot_be_marked_posted(
    raw: RawSQL, accounts: tuple[Account, Account]
) -> None:
    entry_id = _new_entry(raw, "raw-single")
    _add_posting(raw, entry_id, accounts[0], 1_000)
    _refused(
        raw,
        "UPDATE ledger_entries SET status = 'posted', sequence = 99, hash = 'h' WHERE id = :id",
        "at least two postings",
        id=entry_id,
    )


def test_a_balanced_raw_entry_can_be_posted(raw: RawSQL, accounts: tuple[Account, Account]) -> None:
    bank, fund = accounts
    entry_id = _new_entry(raw, "raw-balanced")
    _add_posting(raw, entry_id, bank, 1_000)
    _add_posting(raw, entry_id, fund, -1_000)
    raw(
        "UPDATE ledger_entries SET status = 'posted', sequence = 99, hash = 'h' WHERE id = :id",
        id=entry_id,
    )
    assert (
        raw("SELECT status FROM ledger_entries WHERE id = :id", id=entry_id).scalar_one()
        == "posted"
    )  # type: ignore[attr-defined]


def test_entries_cannot_be_inserted_already_posted(raw: RawSQL) -> None:
    _refused(
        raw,
        "INSERT INTO ledger_entries (status, effective_date, recorded_at, memo,"
        " idempotency_key, request_hash, sequence, hash) VALUES ('posted', '2026-03-01',"
        " '2026-03-01 00:00:00', 'raw', 'raw-posted', 'x', 98, 'h')",
        "written pending",
    )


def test_posted_entries_and_postings_cannot_change_or_go(raw: RawSQL, posted: JournalEntry) -> None:
    _refused(
        raw,
        "UPDATE ledger_entries SET memo = 'changed' WHERE id = :id",
        "cannot be changed",
        id=posted.id,
    )
    _refused(raw, "DELETE FROM ledger_entries WHERE id = :id", "cannot be deleted", id=posted.id)
    _refused(
        raw,
        "UPDATE ledger_postings SET amount = amount * 2 WHERE entry_id = :id",
        "never changed|refused",
        id=posted.id,
    )
    _refused(
        raw, "DELETE FROM ledger_postings WHERE entry_id = :id", "cannot be deleted", id=posted.id
    )


def test_no_posting_joins_a_posted_entry(
    raw: RawSQL, posted: JournalEntry, accounts: tuple[Account, Account]
) -> None:
    _refused(
        raw,
        "INSERT INTO ledger_postings (entry_id, account_id, currency, amount)"
        " VALUES (:entry, :account, 'BDT', 1)",
        "only into a pending entry",
        entry=posted.id,
        account=accounts[0].id,
    )


def test_posting_currency_must_be_the_accounts(
    raw: RawSQL, accounts: tuple[Account, Account]
) -> None:
    entry_id = _new_entry(raw, "raw-currency")
    with pytest.raises(DBAPIError, match="account's currency"):
        # PostgreSQL checks the whole statement after it ran; SQLite each row before it goes in.
        _add_posting(raw, entry_id, accounts[0], 100, currency="USD")


def test_zero_postings_are_refused(raw: RawSQL, accounts: tuple[Account, Account]) -> None:
    entry_id = _new_entry(raw, "raw-zero")
    with pytest.raises(DBAPIError, match=r"amount_not_zero|CHECK constraint failed"):
        _add_posting(raw, entry_id, accounts[0], 0)


def test_no_entry_is_dated_in_a_closed_period(session: Session, raw: RawSQL) -> None:
    close_period(session, through=date(2026, 3, 31), by="accountant")
    session.flush()
    with pytest.raises(DBAPIError, match="period is closed"):
        _new_entry(raw, "raw-closed", day=date(2026, 3, 15))
    assert _new_entry(raw, "raw-open", day=date(2026, 4, 1)) > 0
    _refused(raw, "DELETE FROM ledger_period_closes", "never deleted|refused")


def test_a_pending_entry_cannot_be_posted_once_its_period_closed(
    session: Session, raw: RawSQL, accounts: tuple[Account, Account]
) -> None:
    bank, fund = accounts
    entry_id = _new_entry(raw, "raw-before-close", day=date(2026, 3, 15))
    _add_posting(raw, entry_id, bank, 10)
    _add_posting(raw, entry_id, fund, -10)
    close_period(session, through=date(2026, 3, 31), by="accountant")
    session.flush()
    _refused(
        raw,
        "UPDATE ledger_entries SET status = 'posted', sequence = 99, hash = 'h' WHERE id = :id",
        "period is closed",
        id=entry_id,
    )


def test_account_identity_never_changes(raw: RawSQL, accounts: tuple[Account, Account]) -> None:
    _refused(
        raw,
        "UPDATE ledger_accounts SET currency = 'USD' WHERE id = :id",
        "never change",
        id=accounts[0].id,
    )


def test_an_entry_left_pending_is_refused_or_reported(
    session: Session, raw: RawSQL, dialect: str, accounts: tuple[Account, Account]
) -> None:
    bank, fund = accounts
    entry_id = _new_entry(raw, "raw-left-pending")
    _add_posting(raw, entry_id, bank, 10)
    _add_posting(raw, entry_id, fund, -10)
    if dialect == "postgresql":
        # What COMMIT does: the deferred trigger refuses an entry that never became posted.
        _refused(raw, "SET CONSTRAINTS ALL IMMEDIATE", "left pending")
        _refused(raw, "TRUNCATE ledger_postings", "refused")
    else:
        # SQLite has no commit-time triggers: the entry counts nowhere and verify names it.
        result = verify(session)
        assert (result.first_bad_entry, result.reason) == (
            entry_id,
            "entry was left pending (never balanced and posted)",
        )


def _disable_guards(raw: RawSQL, dialect: str) -> None:
    if dialect == "postgresql":
        # Triggers do not fire for a replica; SET LOCAL ends with the test's transaction.
        raw("SET LOCAL session_replication_role = replica")
    else:
        raw("DROP TRIGGER ledger_entries_update")
        raw("DROP TRIGGER ledger_postings_update")


def test_verify_names_an_entry_whose_memo_was_tampered_with(
    session: Session, raw: RawSQL, dialect: str, accounts: tuple[Account, Account]
) -> None:
    bank, fund = accounts
    entries = [
        post(
            session,
            Entry(
                date(2026, 3, day),
                f"gift {day}",
                f"gift-{day}",
                (Posting(bank, 100 * day), Posting(fund, -100 * day)),
            ),
        )
        for day in (1, 2, 3)
    ]
    session.flush()
    assert verify(session).ok
    _disable_guards(raw, dialect)  # an attacker with database access; rolled back after the test
    raw("UPDATE ledger_entries SET memo = 'gift 3' WHERE id = :id", id=entries[1].id)
    session.expire_all()
    result = verify(session)
    assert not result.ok
    assert result.first_bad_entry == entries[1].id
    assert result.reason == "content does not match its hash"


def test_verify_names_an_entry_whose_amounts_were_changed_in_balance(
    session: Session, raw: RawSQL, dialect: str, accounts: tuple[Account, Account]
) -> None:
    bank, fund = accounts
    entry = post(
        session,
        Entry(date(2026, 3, 1), "gift", "gift-x", (Posting(bank, 100), Posting(fund, -100))),
    )
    session.flush()
    _disable_guards(raw, dialect)
    raw("UPDATE ledger_postings SET amount = amount * 10 WHERE entry_id = :id", id=entry.id)
    session.expire_all()
    result = verify(session)
    assert (result.first_bad_entry, result.reason) == (entry.id, "content does not match its hash")
