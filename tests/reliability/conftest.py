"""Fixtures for the reliability suite: a database whose writes really commit, threads, and a
connection that dies mid-request.

SQLite by default; with ``TEST_DATABASE_URL`` naming PostgreSQL each test gets a fresh
PostgreSQL database of its own, so concurrent sessions on real connections can be raced.
On SQLite the engine takes the write lock at BEGIN (as the served app does), so the same
races check the serialised behaviour: writers queue, none fails.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from fund.brands.models import Brand
from fund.db import make_engine
from fund.factories.models import Factory
from fund.migrate import upgrade
from ledger import Entry, Posting, account, post
from tests.cli.test_cli_commands import cli_database_url

__all__ = ["cli_database_url"]

T = TypeVar("T")
AS_OF = date(2025, 3, 31)
#: The ``fund`` command of this virtual environment, run as a separate process.
FUND = str(Path(sys.executable).parent / "fund")


def fund_env(url: str) -> dict[str, str]:
    """The environment of a ``fund`` process on the database at ``url``."""
    return {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "fault-test",
        "FUND_ENV": "production",
        # Faults, not the second factor, are under test: the demo users have no app to ask.
        "FUND_REQUIRE_SECOND_FACTOR": "0",
    }


@pytest.fixture
def committed_url(cli_database_url: str) -> str:
    """The URL of a fresh, migrated database of this test's own (dropped afterwards)."""
    engine = make_engine(cli_database_url)
    upgrade(engine)
    engine.dispose()
    return cli_database_url


@pytest.fixture
def committed_engine(committed_url: str) -> Iterator[Engine]:
    """An engine on that database whose sessions commit for real (SQLite: lock at BEGIN)."""
    engine = make_engine(committed_url, write_lock_first=True, pool_size=12, max_overflow=4)
    yield engine
    engine.dispose()


@pytest.fixture
def factory_code(committed_engine: Engine) -> str:
    """A committed factory DHK-9 of brand NORD, for roll imports."""
    with Session(committed_engine) as session:
        brand = Brand(code="NORD", name="Nordvik Apparel", country="SE")
        session.add(Factory(code="DHK-9", name="Rupali Knit", country="BD", brands=[brand]))
        session.commit()
    return "DHK-9"


def at_once(count: int, work: Callable[[int], T]) -> tuple[list[T], list[BaseException]]:
    """Run ``work(n)`` for n in range(count) in threads released together by a barrier."""
    results: list[T] = []
    errors: list[BaseException] = []
    start = threading.Barrier(count)
    lock = threading.Lock()

    def run(number: int) -> None:
        try:
            start.wait()
            outcome = work(number)
        except BaseException as error:  # reported to the test, not lost in the thread
            with lock:
                errors.append(error)
            return
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a writer never finished"
    return results, errors


def lose_the_connection_on_audit_insert(engine: Engine, url: str) -> None:
    """The next INSERT into the audit log loses its connection (PostgreSQL: really killed)."""

    def before(conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith("INSERT INTO AUDIT_EVENTS"):
            return
        event.remove(engine, "before_cursor_execute", before)
        if engine.dialect.name == "postgresql":
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
            admin = create_engine(make_url(url), isolation_level="AUTOCOMMIT")
            with admin.connect() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            admin.dispose()
        else:
            raise OperationalError(statement, None, sqlite3.OperationalError("disk I/O error"))

    event.listen(engine, "before_cursor_execute", before)


def open_books(engine: Engine, opening: int, *, expense_accounts: int) -> None:
    """Committed: the bank (1010) opened with ``opening`` against the fund balance (3000), and
    one worker-compensation account (5000) per writer, so the writers never create accounts."""
    with Session(engine) as session:
        bank, fund_balance = account(session, "1010"), account(session, "3000", currency="BDT")
        for n in range(expense_accounts):
            account(session, "5000", currency="BDT", factory=f"F{n}", event="1")
        post(
            session,
            Entry(
                date(2026, 3, 1),
                "opening",
                "opening",
                (Posting(bank, opening), Posting(fund_balance, -opening)),
            ),
        )
        session.commit()
