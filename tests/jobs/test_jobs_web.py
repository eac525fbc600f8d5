"""Background jobs from the books page: progress page, owner-only download, cancel, expiry.

The queue runs in Huey's immediate mode where that proves the behaviour (what the page shows
and who may download), and in a real SQLite broker nobody consumes where the job must stay
queued (cancelling). The consumer's restart and retry are in ``test_jobs_consumer.py``.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fund import create_app
from fund.auth.roles import Role
from fund.jobs.models import Job
from fund.jobs.services import purge_expired, run_job
from ledger.models import JournalEntry, Posting
from tests.brands.books import write_books
from tests.conftest import BrowserLikeClient, csrf_token_from
from tests.jobs.helpers import jobs_app as shared_jobs_app

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from tests.conftest import People


def jobs_app(connection: Connection, tmp_path: Path, queue: str) -> Flask:
    """The app on the test's connection with every journal large enough for the background."""
    return shared_jobs_app(connection, tmp_path, queue, BACKGROUND_POSTINGS=0)


@pytest.fixture
def books(session: Session, users: People) -> People:
    write_books(session, users.brands, users.admin)
    return users


def postings(session: Session) -> int:
    return int(
        session.scalar(
            select(func.count(Posting.id)).join(JournalEntry).where(JournalEntry.status == "posted")
        )
        or 0
    )


def signed_in(app: Flask, login: Callable[..., Any], who: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, who).status_code == 302
    return client


def test_a_large_journal_becomes_a_job_only_its_asker_downloads(
    connection: Connection,
    session: Session,
    books: People,
    tmp_path: Path,
    login: Callable[..., Any],
) -> None:
    app = jobs_app(connection, tmp_path, "immediate")
    accountant = signed_in(app, login, "accountant")
    started = accountant.get("/ledger/export/journal.xlsx")
    assert started.status_code == 302
    page_url = started.headers["Location"]
    assert page_url.startswith("/jobs/")

    page = accountant.get(page_url).get_data(as_text=True)
    assert "Download journal.xlsx" in page
    progress = accountant.get(page_url + ".json").get_json()
    assert progress["state"] == "done"
    assert progress["done"] == progress["total"] == postings(session)

    got = accountant.get(progress["download"])
    assert got.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(got.data), read_only=True)
    listed = [row for row in book["Journal"].iter_rows(min_row=2, values_only=True) if any(row)]
    assert len(listed) == postings(session)

    # Asking again gives the same job, not a second copy of the work.
    assert accountant.get("/ledger/export/journal.xlsx").headers["Location"] == page_url

    # Anyone else, even with the same role, learns nothing: 404 as for no job at all.
    books.make("accountant2", Role.ACCOUNTANT)
    other = signed_in(app, login, "accountant2")
    for path in (page_url, page_url + ".json", progress["download"]):
        assert other.get(path).status_code == 404, path
    admin = signed_in(app, login, "admin")
    assert admin.get(progress["download"]).status_code == 404


def test_a_kept_file_is_deleted_after_its_time(
    connection: Connection,
    session: Session,
    books: People,
    tmp_path: Path,
    login: Callable[..., Any],
) -> None:
    app = jobs_app(connection, tmp_path, "immediate")
    accountant = signed_in(app, login, "accountant")
    page_url = accountant.get("/ledger/export/general-ledger.xlsx").headers["Location"]
    download = accountant.get(page_url + ".json").get_json()["download"]
    assert accountant.get(download).status_code == 200
    job = session.scalars(select(Job)).one()
    stored = tmp_path / "job-files" / job.result_file
    assert stored.is_file()

    with app.app_context():
        assert purge_expired(now=job.expires_at - timedelta(minutes=1)) == 0  # type: ignore[operator]
        assert stored.is_file()
        assert purge_expired(now=job.expires_at + timedelta(minutes=1)) == 1  # type: ignore[operator]
    assert not stored.exists()
    assert accountant.get(download).status_code == 404
    assert "kept its time and deleted" in accountant.get(page_url).get_data(as_text=True)


def test_a_cancelled_job_writes_nothing(
    connection: Connection,
    session: Session,
    books: People,
    tmp_path: Path,
    login: Callable[..., Any],
) -> None:
    # A real broker nobody consumes yet: the job waits in the queue.
    app = jobs_app(connection, tmp_path, f"sqlite:///{tmp_path / 'queue.sqlite'}")
    accountant = signed_in(app, login, "accountant")
    page_url = accountant.get("/ledger/export/journal.xlsx").headers["Location"]
    page = accountant.get(page_url).get_data(as_text=True)
    assert "Waiting for the background worker" in page
    assert '<meta http-equiv="refresh"' in page  # works without the script
    job = session.scalars(select(Job)).one()
    assert job.state == "queued"

    # Another user cannot cancel it.
    books.make("accountant2", Role.ACCOUNTANT)
    other = signed_in(app, login, "accountant2")
    their_token = csrf_token_from(other.get("/ledger/").get_data(as_text=True))
    assert other.post(page_url + "/cancel", data={"csrf_token": their_token}).status_code == 404

    token = csrf_token_from(page)
    assert accountant.post(page_url + "/cancel", data={"csrf_token": token}).status_code == 302
    session.refresh(job)
    assert job.state == "cancelled"

    # The consumer then takes the message and does nothing.
    with app.app_context():
        run_job(job.id)
    session.refresh(job)
    assert job.state == "cancelled"
    assert job.attempts == 0
    assert list((tmp_path / "job-files").glob("*")) == []
    assert accountant.get(page_url + "/download").status_code == 404


def test_a_small_journal_still_downloads_at_once(
    connection: Connection, books: People, tmp_path: Path, login: Callable[..., Any]
) -> None:
    app = create_app(
        {
            "DB_BIND": connection,
            "SECRET_KEY": "test",
            "TESTING": True,
            "SERVER_NAME": "localhost",
            "JOBS_QUEUE": "immediate",
            "JOB_FILES": str(tmp_path / "job-files"),
        }
    )
    app.test_client_class = BrowserLikeClient
    accountant = signed_in(app, login, "accountant")
    got = accountant.get("/ledger/export/journal.xlsx")
    assert got.status_code == 200
    assert got.headers["Content-Disposition"].startswith("attachment")


def test_a_long_statement_is_a_job_for_its_brand_only(
    connection: Connection,
    session: Session,
    books: People,
    tmp_path: Path,
    login: Callable[..., Any],
) -> None:
    app = jobs_app(connection, tmp_path, "immediate")
    app.config["BACKGROUND_STATEMENT_MONTHS"] = 3
    nord = signed_in(app, login, "nord")
    # Within BACKGROUND_STATEMENT_MONTHS: the file at once.
    assert nord.get("/brands/NORD/statement.pdf?from=2026-04-01&to=2026-06-30").status_code == 200
    # A statement cannot end after today, so a long one is a long span of the past.
    started = nord.get("/brands/NORD/statement.pdf?from=2026-01-01&to=2026-06-30")
    assert started.status_code == 302
    page_url = started.headers["Location"]
    progress = nord.get(page_url + ".json").get_json()
    assert progress["state"] == "done", progress["error"]
    got = nord.get(progress["download"])
    assert got.status_code == 200
    assert got.data.startswith(b"%PDF")
    assert got.headers["Content-Disposition"].endswith("NORD-statement.pdf")

    haven = signed_in(app, login, "haven")
    assert haven.get(progress["download"]).status_code == 404
    assert haven.get("/brands/NORD/statement.xlsx?from=2026-01-01&to=2026-06-30").status_code == 404
