"""Journey: the accountant asks for a long journal, is told it is large and presses the
button that prepares it in the background, watches it being written, downloads it.

The server has the demo data and 60,000 more postings, and sends every journal to the
background (``BACKGROUND_POSTINGS = 0``); a real ``fund worker`` on its own SQLite queue does
the work, started only once the page shows the job waiting, so the page is seen at each step.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from fund import create_app
from fund.db import make_engine
from fund.demo import load_demo
from fund.jobs.models import Job
from fund.migrate import upgrade
from ledger.models import JournalEntry, Posting
from tests.browser.conftest import VIEWPORT
from tests.browser.helpers import sign_in
from tests.jobs.helpers import start_worker, stop_worker, write_postings

pytestmark = [pytest.mark.browser, pytest.mark.slow]

EXTRA_POSTINGS = 60_000


@pytest.fixture(scope="module")
def jobs_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The app over HTTP with a background queue and the settings a worker needs to join it."""
    folder = tmp_path_factory.mktemp("jobs-browser")
    url = f"sqlite:///{folder / 'fund.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        load_demo(session)
        write_postings(session, EXTRA_POSTINGS)
        session.commit()
    settings = {
        "JOBS_QUEUE": f"sqlite:///{folder / 'queue.sqlite'}",
        "JOB_FILES": str(folder / "job-files"),
    }
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "browser-test",
            "SESSION_COOKIE_SECURE": False,
            "PREFERRED_URL_SCHEME": "http",
            "BACKGROUND_POSTINGS": 0,
            # Signing in with a second factor is its own journey (test_journey_second_factor).
            "REQUIRE_SECOND_FACTOR": False,
            **settings,
        }
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"base_url": f"http://127.0.0.1:{server.server_port}", "database_url": url, **settings}
    server.shutdown()
    thread.join(timeout=10)
    engine.dispose()


def jobs_asked(database_url: str) -> int:
    """How many jobs the server's database holds."""
    engine = make_engine(database_url)
    with Session(engine) as session:
        count = session.scalar(select(func.count(Job.id)))
    engine.dispose()
    return int(count or 0)


def serious_accessibility_issues(tab: Any) -> list[str]:
    """axe-core's serious or critical findings on the tab's page (as test_accessibility)."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(tab).response["violations"]
    return [v["id"] for v in violations if v["impact"] in ("serious", "critical")]


@pytest.fixture
def jobs_tab(system_chromium: Any, jobs_server: dict[str, str]) -> Iterator[Any]:
    context = system_chromium.new_context(
        base_url=jobs_server["base_url"], viewport=VIEWPORT, accept_downloads=True
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_a_long_journal_is_written_in_the_background_and_downloaded(
    jobs_tab: Any, jobs_server: dict[str, str], tmp_path: Path
) -> None:
    tab = jobs_tab
    sign_in(tab, "accountant")
    tab.goto("/ledger/")
    # "Journal (.xlsx)", or "Journal to <date> (.xlsx)" when the page is as of a date.
    tab.locator("a", has_text=re.compile(r"^Journal\b.*\(\.xlsx\)$")).first.click()
    # Following the link starts nothing: a page says the file is large, and a button asks.
    button = tab.get_by_role("button", name="Prepare it in the background")
    button.wait_for()
    assert "journal.xlsx is large" in tab.locator("main").inner_text()
    assert jobs_asked(jobs_server["database_url"]) == 0
    assert serious_accessibility_issues(tab) == []
    button.click()
    tab.wait_for_url("**/jobs/*")
    assert jobs_asked(jobs_server["database_url"]) == 1
    assert tab.locator("h1").inner_text().startswith("Journal")
    assert "Waiting for the background worker" in tab.locator(".job-state").inner_text()
    assert tab.locator("progress.job-progress").count() == 1

    worker = start_worker(
        {
            "DATABASE_URL": jobs_server["database_url"],
            "FUND_JOBS_QUEUE": jobs_server["JOBS_QUEUE"],
            "FUND_JOB_FILES": jobs_server["JOB_FILES"],
        }
    )
    try:
        # The page follows the work: "Working: n of N" with the bar moving, then the link.
        tab.locator(".job-state:has-text('Working:')").wait_for(timeout=60_000)
        assert int(tab.locator("progress.job-progress").get_attribute("max") or 0) > EXTRA_POSTINGS
        tab.locator("a.job-download").wait_for(timeout=120_000)
        with tab.expect_download() as started:
            tab.click("a.job-download")
        target = tmp_path / started.value.suggested_filename
        started.value.save_as(str(target))
    finally:
        stop_worker(worker)

    assert target.name == "journal.xlsx"
    book = openpyxl.load_workbook(target, read_only=True)
    listed = sum(1 for row in book["Journal"].iter_rows(min_row=2, values_only=True) if any(row))
    engine = make_engine(jobs_server["database_url"])
    with Session(engine) as session:
        stored = session.scalar(
            select(func.count(Posting.id)).join(JournalEntry).where(JournalEntry.status == "posted")
        )
    engine.dispose()
    assert listed == stored
    assert stored is not None
    assert stored > EXTRA_POSTINGS
