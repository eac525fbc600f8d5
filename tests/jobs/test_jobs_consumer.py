"""A real consumer (``fund worker``) killed in the middle of a journal, then started again.

The database is one of the test's own, committed (a consumer in another process must see the
rows): SQLite by default, PostgreSQL under ``TEST_DATABASE_URL``. To kill the consumer at a
known point, the test takes the job row's write lock once the consumer has reported progress:
its next progress write waits, so it is stopped half-way through the file, for sure.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from fund import create_app
from fund.auth.models import User
from fund.auth.roles import Role
from fund.auth.services import create_user
from fund.db import make_engine
from fund.jobs.models import Job
from fund.jobs.services import start_job
from fund.migrate import upgrade
from ledger.models import JournalEntry
from ledger.models import Posting as PostingRow
from tests.jobs.helpers import (
    kill_holding_the_job,
    start_worker,
    stop_worker,
    wait_for,
    write_postings,
)

pytestmark = pytest.mark.slow

#: Enough postings that writing them takes seconds, so the kill lands in the middle.
POSTINGS = 60_000


def fill(engine: Engine) -> int:
    """An accountant and ``POSTINGS`` postings; the accountant's id."""
    with Session(engine) as session:
        user, _ = create_user(
            session, username="accountant", role=Role.ACCOUNTANT, password="a long test password!"
        )
        write_postings(session, POSTINGS)
        session.commit()
        return user.id


def test_a_job_killed_midway_leaves_no_file_and_is_run_again(
    committed_url: str, tmp_path: Path
) -> None:
    engine = make_engine(committed_url)
    upgrade(engine)
    owner_id = fill(engine)
    files = tmp_path / "job-files"
    settings = {
        "DATABASE_URL": committed_url,
        "JOBS_QUEUE": f"sqlite:///{tmp_path / 'queue.sqlite'}",
        "JOB_FILES": str(files),
    }
    app = create_app({**settings, "SECRET_KEY": "test"})
    with app.app_context():
        from fund.db import get_session

        session = get_session()
        owner = session.get(User, owner_id)
        assert owner is not None
        job = start_job(
            session,
            owner=owner,
            kind="ledger-export",
            params={"kind": "journal", "start": None, "end": None},
            title="Journal",
            result_name="journal.xlsx",
            total=POSTINGS,
        )
        session.commit()  # sends it to the queue
        job_id, result_file = job.id, job.result_file
    final = files / result_file

    def job_row() -> Job:
        with Session(engine) as reading:
            row = reading.get(Job, job_id)
            assert row is not None
            return row

    environment = {
        "DATABASE_URL": committed_url,
        "FUND_JOBS_QUEUE": settings["JOBS_QUEUE"],
        "FUND_JOB_FILES": str(files),
        "FUND_JOB_LEASE_SECONDS": "1",
    }
    first = start_worker(environment)
    try:
        wait_for(lambda: job_row().progress_done > 0, 60, "the first consumer's progress")
    finally:
        kill_holding_the_job(engine, first, job_id)

    killed = job_row()
    assert killed.state == "running"
    assert killed.attempts == 1
    assert 0 < killed.progress_done < POSTINGS
    assert not final.exists()  # nothing that looks finished

    second = start_worker(environment)
    try:
        wait_for(lambda: job_row().state not in ("queued", "running"), 120, "the retried job")
    finally:
        stop_worker(second)

    done = job_row()
    assert done.state == "done", done.error
    assert done.attempts == 2
    assert done.progress_done == POSTINGS
    assert final.is_file()
    assert list(files.glob("*.part")) == []
    book = openpyxl.load_workbook(final, read_only=True)
    listed = sum(1 for row in book["Journal"].iter_rows(min_row=2, values_only=True) if any(row))
    with Session(engine) as reading:
        stored = reading.scalar(
            select(func.count(PostingRow.id))
            .join(JournalEntry)
            .where(JournalEntry.status == "posted")
        )
    assert listed == stored == POSTINGS
    engine.dispose()
