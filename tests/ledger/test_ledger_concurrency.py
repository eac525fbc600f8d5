"""Concurrent posters on a real, committed database of their own (not the rolled-back fixture).

Threads post at once: the chain head serialises them, so the chain never forks; the overdraft
check locks the bank account, so two withdrawals never both spend the same money; two retries
of one idempotency key write one entry.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from fund.db import make_engine
from fund.migrate import upgrade
from ledger import Entry, InsufficientFunds, Posting, account, post, verify
from ledger.models import JournalEntry
from ledger.queries import balance
from tests.cli.test_cli_commands import cli_database_url
from tests.reliability.conftest import open_books

__all__ = ["cli_database_url"]

pytestmark = pytest.mark.slow

THREADS = 6
TRIES = 6  # withdrawals per thread
OPENING = 1_000
WITHDRAWAL = 30


@pytest.fixture
def committed_engine(cli_database_url: str) -> Iterator[Engine]:
    """A migrated database whose writes are really committed; SQLite writers queue at BEGIN."""
    engine = make_engine(cli_database_url, write_lock_first=True)
    upgrade(engine)
    yield engine
    engine.dispose()


def _in_threads(work: Callable[[int], None]) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def run(number: int) -> None:
        try:
            start.wait()
            work(number)
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_concurrent_posters_neither_fork_the_chain_nor_overdraw(committed_engine: Engine) -> None:
    open_books(committed_engine, OPENING, expense_accounts=THREADS)
    paid: list[int] = []
    refused: list[int] = []

    def withdraw(number: int) -> None:
        for attempt in range(TRIES):
            with Session(committed_engine) as session:
                bank = account(session, "1010")
                expense = account(session, "5000", currency="BDT", factory=f"F{number}", event="1")
                entry = Entry(
                    date(2026, 3, 2),
                    "payout",
                    f"payout-{number}-{attempt}",
                    (Posting(expense, WITHDRAWAL), Posting(bank, -WITHDRAWAL)),
                )
                try:
                    post(session, entry, no_overdraft=[bank])
                except InsufficientFunds:
                    session.rollback()
                    refused.append(number)
                    continue
                session.commit()
                paid.append(number)

    assert _in_threads(withdraw) == []
    assert len(paid) == OPENING // WITHDRAWAL
    assert len(refused) == THREADS * TRIES - OPENING // WITHDRAWAL

    def retry_the_same_request(_number: int) -> None:
        with Session(committed_engine) as session:
            fund_balance = account(session, "3000", currency="BDT")
            bank = account(session, "1010")
            entry = Entry(
                date(2026, 3, 3),
                "NORD gift",
                "gift-once",
                (Posting(bank, 500), Posting(fund_balance, -500)),
            )
            post(session, entry)
            session.commit()

    assert _in_threads(retry_the_same_request) == []

    with Session(committed_engine) as session:
        bank = account(session, "1010")
        assert balance(session, bank) == OPENING % WITHDRAWAL + 500
        sequences = list(
            session.scalars(select(JournalEntry.sequence).order_by(JournalEntry.sequence))
        )
        assert sequences == list(range(1, len(paid) + 3))
        assert (
            session.scalar(select(func.count()).where(JournalEntry.idempotency_key == "gift-once"))
            == 1
        )
        result = verify(session)
        assert result.ok, result
        assert result.entries == len(paid) + 2


def test_concurrent_first_uses_open_one_account(committed_engine: Engine) -> None:
    opened: list[int] = []

    def open_account(number: int) -> None:
        with Session(committed_engine) as session:
            acct = account(session, "4000", currency="USD", brand="NEWBRAND")
            session.commit()
            opened.append(acct.id)

    assert _in_threads(open_account) == []
    assert len(opened) == THREADS
    assert len(set(opened)) == 1
