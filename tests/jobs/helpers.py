"""Background-job tests: the app on the test's connection, long books, a real consumer."""

from __future__ import annotations

import html
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from fund import create_app
from fund.jobs.models import Job
from ledger import Entry, Posting, account, post
from tests.conftest import BrowserLikeClient

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from werkzeug.test import TestResponse

_FORM = re.compile(r'<form method="post" action="([^"]+)">(.*?)</form>', re.DOTALL)
_INPUT = re.compile(r"<input([^>]*)>")
_ATTRIBUTE = re.compile(r'([a-z_]+)="([^"]*)"')


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


def kill_holding_the_job(engine: Engine, worker: subprocess.Popen[bytes], job_id: int) -> None:
    """Hold the job's row (SQLite: the whole database) so the consumer's next write waits on
    it, and kill the consumer there (it is killed in any case, even if the holding fails)."""
    try:
        with engine.connect() as holder:
            holder.execute(update(Job).where(Job.id == job_id).values(error=""))
            time.sleep(0.5)
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
            holder.rollback()
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    """Stop it as Ctrl-C would (Huey finishes cleanly); kill it if it does not stop."""
    worker.send_signal(signal.SIGINT)
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def wait_for(check: Callable[[], bool], seconds: float, what: str) -> None:
    """Poll ``check`` until it holds; fail the test after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {seconds} s for {what}")
        time.sleep(0.2)


def large_file_form(page: str) -> tuple[str, dict[str, str]]:
    """The large-file page's form: where it posts and every field it sends (the CSRF token and
    the download's parameters), as a browser would send them."""
    assert "Prepare it in the background" in page
    match = _FORM.search(page)
    assert match is not None, "the page has no POST form"
    fields: dict[str, str] = {}
    for tag in _INPUT.findall(match.group(2)):
        attributes = {name: html.unescape(value) for name, value in _ATTRIBUTE.findall(tag)}
        assert attributes["type"] == "hidden"
        fields[attributes["name"]] = attributes["value"]
    return html.unescape(match.group(1)), fields


def offered(client: FlaskClient, url: str) -> tuple[str, dict[str, str]]:
    """GET ``url``, a file over its threshold: a 200 page (no file, no job) and its form."""
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    assert "attachment" not in page.headers.get("Content-Disposition", "")
    return large_file_form(page.get_data(as_text=True))


def ask_in_background(client: FlaskClient, url: str) -> TestResponse:
    """GET ``url`` (a file over its threshold) and press the page's button: the POST's answer."""
    action, fields = offered(client, url)
    return client.post(action, data=fields)
