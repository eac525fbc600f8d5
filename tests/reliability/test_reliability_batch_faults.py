"""Faults in the middle of a batch's steps: approval, receipts and reconciliation, and the
database connection lost mid-request.

A ``fund batches …`` process is SIGKILLed at a known point after its first writes (it holds
still there, see ``tests/reliability/stall.py``), and the same steps through the API raise
after their first write. Afterwards nothing half-done is visible (batch and lines as they were,
no ledger entry, no audit event, no cut file) and a retry completes.
"""

from __future__ import annotations

import io
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from fund import create_app
from fund.audit.models import AuditEvent
from fund.audit.services import verify as verify_audit
from fund.auth.models import User
from fund.auth.services import issue_token
from fund.disbursements import services
from fund.disbursements.models import (
    BatchTransition,
    DisbursementBatch,
    PaymentLine,
    ResultImport,
)
from ledger import verify
from ledger.models import JournalEntry
from ledger.queries import trial_balance
from tests.conftest import BrowserLikeClient
from tests.disbursements.committed import (
    PASSWORD,
    fund_bank,
    paid_batch,
    people,  # noqa: F401
    result_file,
    submitted_batch,
)
from tests.entitlements.helpers import taka
from tests.reliability.conftest import FUND, fund_env, lose_the_connection_on_audit_insert

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
#: Every batch step writes its BatchTransition and audit event here, after its ledger entry.
AFTER_FIRST_TRANSITION = "fund.disbursements.services:transition"


@dataclass(frozen=True)
class Seen:
    """What a batch looks like from outside: its state, its lines and what it has written."""

    state: str
    lines: tuple[str, ...]
    entries: int
    audit_events: int
    transitions: int
    result_imports: int


def _seen(engine: Engine, batch_id: int) -> Seen:
    with Session(engine) as session:
        batch = session.get(DisbursementBatch, batch_id)
        assert batch is not None
        lines = session.scalars(
            select(PaymentLine.state)
            .where(PaymentLine.batch_id == batch_id)
            .order_by(PaymentLine.id)
        ).all()

        def count(model: type) -> int:
            return session.scalar(select(func.count()).select_from(model)) or 0

        return Seen(
            state=batch.state,
            lines=tuple(lines),
            entries=count(JournalEntry),
            audit_events=count(AuditEvent),
            transitions=count(BatchTransition),
            result_imports=count(ResultImport),
        )


def _sound(engine: Engine) -> None:
    with Session(engine) as session:
        assert trial_balance(session).balanced
        assert verify(session).ok
        assert verify_audit(session).ok


def _killed_at(url: str, target: str, *arguments: str) -> dict[str, int]:
    """Run ``fund ARGUMENTS`` until it holds still after ``target``, SIGKILL it, and say what
    it had written by then (rows its open transaction held, or the bytes of its file)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.stall", target, *arguments],
        cwd=ROOT,
        env=fund_env(url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    stalled = b""
    for line in process.stdout:
        if line.startswith(b"stalled"):
            stalled = line
            process.send_signal(signal.SIGKILL)
            break
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL, (
        stalled,
        process.stderr.read() if process.stderr else b"",
    )
    facts = stalled.decode().partition(": ")[2].split()
    return {name: int(value) for name, value in (fact.split("=") for fact in facts)}


def _fund(url: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [FUND, *arguments], env=fund_env(url), capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done


# --- SIGKILL in the middle of a command -----------------------------------------------------


def test_an_approval_killed_after_posting_leaves_the_batch_submitted_and_a_retry_approves(
    committed_url: str,
    committed_engine: Engine,
    people: dict[str, int],  # noqa: F811
) -> None:
    fund_bank(committed_engine, taka(1_000_000))
    batch_id = submitted_batch(committed_engine, people, "event1")
    before = _seen(committed_engine, batch_id)
    approve = ("batches", "approve", str(batch_id), "--as", "approver", "--on", "2024-05-02")

    held = _killed_at(committed_url, AFTER_FIRST_TRANSITION, *approve)
    # The kill came after the approval entry, its transition and its audit event were written.
    assert held["ledger_entries"] == before.entries + 1
    assert held["audit_events"] == before.audit_events + 1
    assert held["batch_transitions"] == before.transitions + 1
    assert _seen(committed_engine, batch_id) == before
    _sound(committed_engine)

    assert "approved" in _fund(committed_url, *approve).stdout
    after = _seen(committed_engine, batch_id)
    assert after.state == "approved"
    assert after.entries == before.entries + 1
    assert after.transitions == before.transitions + 1
    _sound(committed_engine)


def test_a_reconciliation_killed_after_its_first_line_changes_nothing_and_a_retry_applies_it(
    committed_url: str,
    committed_engine: Engine,
    people: dict[str, int],  # noqa: F811
    tmp_path: Path,
) -> None:
    fund_bank(committed_engine, taka(1_000_000))
    batch_id = paid_batch(committed_engine, people, "event1")
    results = tmp_path / "result.csv"
    results.write_bytes(result_file(committed_engine, batch_id))
    before = _seen(committed_engine, batch_id)
    assert before.lines == ("pending", "pending")
    reconcile = ("batches", "reconcile", str(batch_id), str(results), "--as", "officer")

    held = _killed_at(committed_url, AFTER_FIRST_TRANSITION, *reconcile, "--on", "2024-05-06")
    # By then the failed line's money was posted back and the first line marked paid.
    assert held["ledger_entries"] == before.entries + 1
    assert held["audit_events"] == before.audit_events + 1
    assert held["batch_transitions"] == before.transitions + 1
    assert _seen(committed_engine, batch_id) == before
    _sound(committed_engine)

    first = _fund(committed_url, *reconcile, "--on", "2024-05-06")
    assert "2 rows: 1 paid, 1 failed, 0 mismatches" in first.stdout
    again = _fund(committed_url, *reconcile, "--on", "2024-05-06")
    assert "imported before: nothing changed" in again.stdout
    after = _seen(committed_engine, batch_id)
    assert after.lines == ("paid", "failed")
    assert after.entries == before.entries + 1
    assert after.result_imports == 1
    _sound(committed_engine)


def test_receipts_killed_before_the_file_is_in_place_leave_no_cut_pdf_and_a_retry_writes_it(
    committed_url: str,
    committed_engine: Engine,
    people: dict[str, int],  # noqa: F811
    tmp_path: Path,
) -> None:
    fund_bank(committed_engine, taka(1_000_000))
    batch_id = paid_batch(committed_engine, people, "event1")
    before = _seen(committed_engine, batch_id)
    folder = tmp_path / "out"
    folder.mkdir()
    output = folder / "receipts.pdf"
    receipts = ("batches", "receipts", str(batch_id), "--output", str(output))

    held = _killed_at(committed_url, "os:fsync", *receipts)
    assert held["bytes"] > 1000  # the whole PDF was written, beside the output, not yet moved
    assert not output.exists()
    assert [path.name.endswith(".part") for path in folder.iterdir()] == [True]
    assert _seen(committed_engine, batch_id) == before

    _fund(committed_url, *receipts)
    assert len(PdfReader(output).pages) == 2  # one page per worker
    assert _seen(committed_engine, batch_id) == before


# --- an exception after the first write, through the API -------------------------------------


class _Crash(Exception):
    pass


@pytest.fixture
def api(
    committed_url: str,
    committed_engine: Engine,
    people: dict[str, int],  # noqa: F811
) -> Iterator[tuple[Flask, Callable[[str], dict[str, str]]]]:
    """The app on the committed database (its own engine, as served) and the people's tokens."""
    app = create_app(
        {
            "DATABASE_URL": committed_url,
            "SECRET_KEY": "t",
            "TESTING": True,
            "SERVER_NAME": "localhost",
        }
    )
    app.test_client_class = BrowserLikeClient
    tokens = {}
    with Session(committed_engine) as session:
        for name in ("officer", "approver"):
            user = session.get(User, people[name])
            assert user is not None
            tokens[name] = issue_token(session, user=user, name="t").secret
        session.commit()
    yield app, lambda name: {"Authorization": f"Bearer {tokens[name]}"}
    app.extensions["fund.sessionmaker"].kw["bind"].dispose()


def _crash_after_the_first_transition(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    original = services.transition

    def write_then_crash(*args: Any, **kwargs: Any) -> None:
        original(*args, **kwargs)
        calls.append(1)
        raise _Crash

    monkeypatch.setattr(services, "transition", write_then_crash)
    return calls


@pytest.mark.parametrize("step", ["approve", "reconcile"])
def test_a_batch_step_failing_after_its_first_write_is_a_clear_500_and_a_retry_completes(
    api: tuple[Flask, Callable[[str], dict[str, str]]],
    committed_engine: Engine,
    people: dict[str, int],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    step: str,
) -> None:
    app, headers = api
    client = app.test_client()
    fund_bank(committed_engine, taka(1_000_000))
    if step == "approve":
        batch_id = submitted_batch(committed_engine, people, "event1")

        def send() -> Any:
            return client.post(
                f"/api/v1/batches/{batch_id}/approve",
                json={"on": "2024-05-02"},
                headers=headers("approver"),
            )
    else:
        batch_id = paid_batch(committed_engine, people, "event1")
        data = result_file(committed_engine, batch_id)

        def send() -> Any:
            return client.post(
                f"/api/v1/batches/{batch_id}/reconcile",
                data={"file": (io.BytesIO(data), "result.csv")},
                headers=headers("officer"),
                content_type="multipart/form-data",
            )

    before = _seen(committed_engine, batch_id)
    calls = _crash_after_the_first_transition(monkeypatch)
    response = send()
    assert calls == [1]
    assert response.status_code == 500
    assert response.json is not None
    assert response.json["errors"][0]["code"] == "internal_error"
    assert "Traceback" not in response.get_data(as_text=True)
    assert _seen(committed_engine, batch_id) == before
    _sound(committed_engine)

    monkeypatch.undo()
    again = send()
    assert again.status_code == 200, again.json
    after = _seen(committed_engine, batch_id)
    assert after.entries == before.entries + 1
    if step == "approve":
        assert after.state == "approved"
    else:
        assert after.lines == ("paid", "failed")
        assert after.result_imports == 1
    _sound(committed_engine)


# --- the database connection lost in the middle of a batch request ---------------------------


@pytest.mark.parametrize("step", ["approve", "reconcile"])
def test_losing_the_database_mid_batch_request_is_a_clear_503_and_the_next_request_works(
    api: tuple[Flask, Callable[[str], dict[str, str]]],
    committed_url: str,
    committed_engine: Engine,
    people: dict[str, int],  # noqa: F811
    step: str,
) -> None:
    app, headers = api
    client = app.test_client()
    served: Engine = app.extensions["fund.sessionmaker"].kw["bind"]
    fund_bank(committed_engine, taka(1_000_000))
    if step == "approve":
        batch_id = submitted_batch(committed_engine, people, "event1")

        def send() -> Any:
            return client.post(
                f"/api/v1/batches/{batch_id}/approve",
                json={"on": "2024-05-02"},
                headers=headers("approver"),
            )
    else:
        batch_id = paid_batch(committed_engine, people, "event1")
        data = result_file(committed_engine, batch_id)

        def send() -> Any:
            return client.post(
                f"/api/v1/batches/{batch_id}/reconcile",
                data={"file": (io.BytesIO(data), "result.csv")},
                headers=headers("officer"),
                content_type="multipart/form-data",
            )

    before = _seen(committed_engine, batch_id)
    # The step's audit event comes after its ledger entry and its transition: the connection
    # dies (PostgreSQL: pg_terminate_backend) with those written but not committed.
    lose_the_connection_on_audit_insert(served, committed_url)
    response = send()
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert response.json is not None
    error = response.json["errors"][0]
    assert error["code"] == "database_unavailable"
    assert "nothing of it was stored" in error["message"]
    body = response.get_data(as_text=True)
    assert "Traceback" not in body
    assert "audit_events" not in body
    assert _seen(committed_engine, batch_id) == before
    _sound(committed_engine)

    again = send()  # the pool notices the dead connection and hands out a new one
    assert again.status_code == 200, again.json
    after = _seen(committed_engine, batch_id)
    assert after.entries == before.entries + 1
    assert after.state == ("approved" if step == "approve" else "paid")
    _sound(committed_engine)


def test_losing_the_database_mid_approval_on_the_web_is_a_plain_503_page(
    api: tuple[Flask, Callable[[str], dict[str, str]]],
    committed_url: str,
    committed_engine: Engine,
    people: dict[str, int],  # noqa: F811
    login: Callable[..., Any],
    form_token: Callable[[Any, str], str],
) -> None:
    app, _ = api
    fund_bank(committed_engine, taka(1_000_000))
    batch_id = submitted_batch(committed_engine, people, "event1")
    approver = app.test_client()
    assert login(approver, "approver", PASSWORD).status_code == 302
    path = f"/batches/{batch_id}"
    token = form_token(approver, path)
    before = _seen(committed_engine, batch_id)
    lose_the_connection_on_audit_insert(
        app.extensions["fund.sessionmaker"].kw["bind"], committed_url
    )
    response = approver.post(f"{path}/approve", data={"csrf_token": token, "confirm": "y"})
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "nothing of it was stored" in page
    assert "Traceback" not in page
    assert _seen(committed_engine, batch_id) == before

    again = approver.post(f"{path}/approve", data={"csrf_token": token, "confirm": "y"})
    assert again.status_code == 302
    assert _seen(committed_engine, batch_id).state == "approved"
    _sound(committed_engine)
