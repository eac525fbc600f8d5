"""Background-job tests: the app on the test's connection, long books, a real consumer."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask
from sqlalchemy.orm import Session

from fund import create_app
from ledger import Entry, Posting, account, post
from tests.conftest import BrowserLikeClient

if TYPE_CHECKING:
    from sqlalchemy import Connection


def jobs_app(connection: Connection, tmp_path: Path, queue: str, **settings: Any) -> Flask:
    """The app on the test's connection, with ``queue`` (``immediate`` or a broker's URL)."""
    app = create_app(
        {
            "DB_BIND": connection,
            "SECRET_KEY": "test",
            "TESTING": True,
            "SERVER_NAME": "localhost",
            "JOBS_QUEUE": queue,
            "JOB_FILES": str(tmp_path / "job-files"),
            **settings,
        }
    )
    app.test_client_class = BrowserLikeClient
    return app


def write_postings(session: Session, count: int, *, per_entry: int = 1_000) -> None:
    """``count`` BDT postings (compensation against a payable) over 60 days of January–March."""
    expense = [
        account(session, "5000", currency="BDT", factory=f"F{n}", event=str(n)) for n in range(20)
    ]
    payable = account(session, "2000", currency="BDT", event="all")
    for number in range(count // per_entry):
        lines = [Posting(expense[i % 20], 100 + i) for i in range(per_entry - 1)]
        total = sum(line.amount for line in lines)
        post(
            session,
            Entry(
                date(2026, 1, 1) + timedelta(days=number % 60),
                f"Batch {number}",
                f"jobs-test-{number}",
                (*lines, Posting(payable, -total)),
            ),
        )


def start_worker(environment: dict[str, str]) -> subprocess.Popen[bytes]:
    """``fund worker`` in its own process, with ``environment`` (the queue, the files, the DB)."""
    return subprocess.Popen(
        [str(Path(sys.executable).with_name("fund")), "worker"],
        env={**os.environ, "FUND_ENV": "development", **environment},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    """Stop it as Ctrl-C would (Huey finishes cleanly); kill it if it does not stop."""
    worker.send_signal(signal.SIGINT)
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()
