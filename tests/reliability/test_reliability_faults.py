"""Faults: a process killed mid-import, a posting failing half-way, the database going away.

Afterwards nothing half-done is visible, and a retry completes.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

import fund.brands.api as brand_api
from fund import create_app
from fund.audit.models import AuditEvent
from fund.audit.services import verify as verify_audit
from fund.auth.roles import Role
from fund.auth.services import create_user, issue_token
from fund.brands.models import Pledge
from fund.rolls.models import Roll, RollWorker
from ledger import Entry, Posting, account, post, verify
from ledger.models import ChainHead, JournalEntry
from ledger.models import Posting as PostingRow
from tests.reliability.conftest import FUND, fund_env, lose_the_connection_on_audit_insert
from tests.rolls.roll_files import roll_csv

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

BIG_ROLL = 100_000  # workers: storing takes ten batches, so the kill lands between two


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_roll_import_killed_while_storing_leaves_nothing_and_a_retry_completes(
    committed_url: str, committed_engine: Engine, factory_code: str, tmp_path: Path
) -> None:
    roll_file = tmp_path / "big.csv"
    roll_file.write_bytes(roll_csv(BIG_ROLL))
    command = [FUND, "rolls", "import", factory_code, str(roll_file), "--as-of", "2025-03-31"]
    process = subprocess.Popen(
        command, env=fund_env(committed_url), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None
    seen: list[bytes] = []
    for line in process.stdout:  # the progress bar's label: the first batch is stored
        seen.append(line)
        if b"storing workers" in line:
            process.send_signal(signal.SIGKILL)
            break
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL, (
        seen,
        process.stderr.read() if process.stderr else b"",
    )
    assert not any(b"imported" in line for line in seen)

    with Session(committed_engine) as session:
        assert _count(session, Roll) == 0
        assert _count(session, RollWorker) == 0
        assert _count(session, AuditEvent) == 0

    retry = subprocess.run(command, env=fund_env(committed_url), capture_output=True, timeout=300)
    assert retry.returncode == 0, retry.stderr
    assert b"roll version 1" in retry.stdout
    with Session(committed_engine) as session:
        assert session.scalars(select(Roll.worker_count)).all() == [BIG_ROLL]
        assert _count(session, RollWorker) == BIG_ROLL
        assert verify_audit(session).ok


class _Crash(Exception):
    pass


def test_a_posting_that_fails_after_its_lines_are_written_leaves_nothing(
    committed_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def opening(session: Session) -> Entry:
        bank, fund_balance = account(session, "1010"), account(session, "3000", currency="BDT")
        return Entry(
            date(2026, 3, 1),
            "opening",
            "opening",
            (Posting(bank, 900), Posting(fund_balance, -900)),
        )

    with Session(committed_engine) as session:
        opening(session)
        session.commit()
    written: list[int] = []

    def crash_after_the_postings(*_args: Any, **_kwargs: Any) -> str:
        # post() calls this once the entry and its postings are inserted: prove they were.
        written.append(_count(session, PostingRow))
        raise _Crash

    monkeypatch.setattr("ledger.posting.stored_entry_hash", crash_after_the_postings)
    with Session(committed_engine) as session:
        entry = opening(session)
        with pytest.raises(_Crash):
            post(session, entry)
        session.rollback()
    assert written == [2]
    monkeypatch.undo()

    with Session(committed_engine) as session:
        assert _count(session, JournalEntry) == 0
        assert _count(session, PostingRow) == 0
        head = session.get(ChainHead, 1)
        assert head is not None
        assert head.last_sequence == 0
        again = post(session, opening(session))  # the retry is a first posting, not a conflict
        session.commit()
        assert again.sequence == 1
        assert verify(session).ok


@pytest.fixture
def served(committed_url: str, factory_code: str) -> Iterator[tuple[Any, Engine, dict[str, str]]]:
    """The app on the committed database (its own engine, as served) and an admin's API token."""
    app = create_app({"DATABASE_URL": committed_url, "SECRET_KEY": "t", "TESTING": True})
    engine: Engine = app.extensions["fund.sessionmaker"].kw["bind"]
    with Session(engine) as session:
        admin, _ = create_user(
            session, username="ada", role=Role.ADMIN, password="correct horse battery staple"
        )
        secret = issue_token(session, user=admin, name="t").secret
        session.commit()
    yield app, engine, {"Authorization": f"Bearer {secret}"}
    engine.dispose()


def test_losing_the_database_mid_request_is_a_clear_error_and_writes_nothing(
    served: tuple[Any, Engine, dict[str, str]], committed_url: str
) -> None:
    app, engine, headers = served
    client = app.test_client()
    with Session(engine) as session:
        events_before = _count(session, AuditEvent)
    lose_the_connection_on_audit_insert(engine, committed_url)
    pledge = {
        "reference": "P-1",
        "amount": "1000.00",
        "currency": "USD",
        "pledged_on": "2026-01-05",
        "due_date": "2026-06-30",
    }
    response = client.post("/api/v1/brands/NORD/pledges", json=pledge, headers=headers)
    assert response.status_code == 503
    body = response.get_data(as_text=True)
    assert "Traceback" not in body
    assert "audit_events" not in body
    assert response.json is not None
    assert response.json["errors"][0]["code"] == "database_unavailable"

    with Session(engine) as session:
        assert _count(session, Pledge) == 0
        assert _count(session, JournalEntry) == 0
        assert _count(session, AuditEvent) == events_before
        assert verify(session).ok
    # The pool notices the dead connection: the next request is served normally.
    again = client.post("/api/v1/brands/NORD/pledges", json=pledge, headers=headers)
    assert again.status_code == 201, again.json
    with Session(engine) as session:
        assert _count(session, Pledge) == 1
        assert verify_audit(session).ok


def test_a_database_error_no_retry_can_cure_is_a_500_not_a_try_again(
    served: tuple[Any, Engine, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite calls a missing table "operational" too; telling the user to retry hides a bug."""
    app, _engine, headers = served

    def broken(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("SELECT 1", None, sqlite3.OperationalError("no such table: pledges"))

    monkeypatch.setattr(brand_api, "record_pledge", broken)
    pledge = {
        "reference": "P-9",
        "amount": "1000.00",
        "currency": "USD",
        "pledged_on": "2026-01-05",
        "due_date": "2026-06-30",
    }
    response = app.test_client().post("/api/v1/brands/NORD/pledges", json=pledge, headers=headers)
    assert response.status_code == 500
    assert response.json is not None
    assert response.json["errors"][0]["code"] == "internal_error"
    assert "Retry-After" not in response.headers
