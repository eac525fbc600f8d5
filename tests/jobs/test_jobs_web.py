"""Background jobs from the books page: asked for by a POST (a GET over the threshold only
shows the button), progress page, owner-only download, cancel, expiry.

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
from tests.jobs.helpers import ask_in_background, offered
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


def jobs(session: Session) -> int:
    return int(session.scalar(select(func.count(Job.id))) or 0)


def test_a_large_journal_becomes_a_job_only_its_asker_downloads(
    connection: Connection,
    session: Session,
    books: People,
    tmp_path: Path,
    login: Callable[..., Any],
) -> None:
    app = jobs_app(connection, tmp_path, "immediate")
    accountant = signed_in(app, login, "accountant")
    started = ask_in_background(accountant, "/ledger/export/journal.xlsx")
    assert started.status_code == 302
    page_url = started.headers["Location"]
    assert page_url.startswith("/jobs/")
    assert jobs(session) == 1

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
    again = ask_in_background(accountant, "/ledger/export/journal.xlsx")
    assert again.headers["Location"] == page_url
    assert jobs(session) == 1

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
    page_url = ask_in_background(accountant, "/ledger/export/general-ledger.xlsx").headers[
        "Location"
    ]
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
    page_url = ask_in_background(accountant, "/ledger/export/journal.xlsx").headers["Location"]
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
    long_one = "/brands/NORD/statement.pdf?from=2026-01-01&to=2026-06-30"
    action, fields = offered(nord, long_one)
    assert jobs(session) == 0
    assert action == "/brands/NORD/statement/prepare"
    assert fields.keys() == {"csrf_token", "format", "from", "to"}
    # The period as the statement reads it: it starts at the books' first entry (5 January).
    assert (fields["format"], fields["from"], fields["to"]) == ("pdf", "2026-01-05", "2026-06-30")
    started = nord.post(action, data=fields)
    assert started.status_code == 302
    page_url = started.headers["Location"]
    job = session.scalars(select(Job)).one()
    assert job.params == {
        "brand": "NORD",
        "start": "2026-01-05",
        "end": "2026-06-30",
        "format": "pdf",
    }
    progress = nord.get(page_url + ".json").get_json()
    assert progress["state"] == "done", progress["error"]
    got = nord.get(progress["download"])
    assert got.status_code == 200
    assert got.data.startswith(b"%PDF")
    assert got.headers["Content-Disposition"].endswith("NORD-statement.pdf")

    haven = signed_in(app, login, "haven")
    assert haven.get(progress["download"]).status_code == 404
    assert haven.get("/brands/NORD/statement.xlsx?from=2026-01-01&to=2026-06-30").status_code == 404
    # Nor may HAVEN ask for NORD's statement by posting the button's fields with its own token.
    haven_token = csrf_token_from(haven.get("/account/password").get_data(as_text=True))
    their_fields = {**fields, "csrf_token": haven_token}
    assert haven.post("/brands/NORD/statement/prepare", data=their_fields).status_code == 404
    # A format or a date not understood is a 400 naming it; nothing is started.
    for name, bad in (("format", "docx"), ("from", "01/02/2026"), ("to", "tomorrow")):
        refused = nord.post(action, data={**fields, name: bad})
        assert refused.status_code == 400, name
        assert f"{name} must be" in refused.get_data(as_text=True)
    assert jobs(session) == 1


def test_a_get_over_the_threshold_starts_nothing_and_the_post_starts_one_job(
    connection: Connection,
    session: Session,
    books: People,
    tmp_path: Path,
    login: Callable[..., Any],
) -> None:
    # A real broker nobody consumes: the job stays queued, so each step's rows can be counted.
    app = jobs_app(connection, tmp_path, f"sqlite:///{tmp_path / 'queue.sqlite'}")
    auditor = signed_in(app, login, "auditor")
    chosen = "/ledger/export.xlsx?kind=general-ledger&from=1+Feb+2026&to=2026-03-31"
    # A crawler, a prefetch or a reload follows the link as often as it likes: no job.
    for _ in range(3):
        action, fields = offered(auditor, chosen)
    assert jobs(session) == 0
    assert action == "/ledger/export/prepare"
    # The dates as understood, in ISO, whatever way the link wrote them.
    assert {k: v for k, v in fields.items() if k != "csrf_token"} == {
        "kind": "general-ledger",
        "from": "2026-02-01",
        "to": "2026-03-31",
    }

    # Without the CSRF token the POST is refused before the view: nothing started.
    without_token = {k: v for k, v in fields.items() if k != "csrf_token"}
    assert auditor.post(action, data=without_token).status_code == 400
    assert auditor.post(action, data={**fields, "csrf_token": "forged"}).status_code == 400
    assert jobs(session) == 0

    first = auditor.post(action, data=fields)
    assert first.status_code == 302
    assert first.headers["Location"].startswith("/jobs/")
    job = session.scalars(select(Job)).one()
    assert job.kind == "ledger-export"
    assert job.params == {"kind": "general-ledger", "start": "2026-02-01", "end": "2026-03-31"}
    assert job.state == "queued"
    # Pressing the button twice is the same job.
    assert auditor.post(action, data=fields).headers["Location"] == first.headers["Location"]
    assert jobs(session) == 1


def test_the_books_button_keeps_the_books_rules(
    connection: Connection,
    session: Session,
    books: People,
    tmp_path: Path,
    login: Callable[..., Any],
) -> None:
    app = jobs_app(connection, tmp_path, f"sqlite:///{tmp_path / 'queue.sqlite'}")
    accountant = signed_in(app, login, "accountant")
    action, fields = offered(accountant, "/ledger/export/journal.xlsx?as_of=2026-02-28")
    assert fields["to"] == "2026-02-28"  # the page's as_of is the export's end
    assert "from" not in fields

    # Roles that may not read the books get 403 on the button's POST, with a valid token.
    for who in ("officer", "nord"):
        client = signed_in(app, login, who)
        token = csrf_token_from(client.get("/account/password").get_data(as_text=True))
        response = client.post(action, data={**fields, "csrf_token": token})
        assert response.status_code == 403, who

    # Parameters are checked as the GET checks them: a 400 naming what was not understood.
    for name, bad, said in (
        ("kind", "account-statement", "kind must be"),
        ("from", "31/02/2026", "from must be"),
        ("to", "2026-13-01", "to must be"),
        ("from", "2026-03-01", "after it ends"),
    ):
        refused = accountant.post(action, data={**fields, name: bad})
        assert refused.status_code == 400, (name, bad)
        assert said in refused.get_data(as_text=True)
    assert jobs(session) == 0
