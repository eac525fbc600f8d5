"""A real consumer (``fund worker``) killed in the middle of a journal, then started again;
and killed while computing an event's entitlements, before the one commit that stores them.

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
#: Enough workers that computing their entitlements takes a moment (the second test).
WORKERS = 30_000


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


def test_a_computation_killed_before_its_commit_stores_nothing_and_is_run_again(
    committed_url: str, tmp_path: Path
) -> None:
    from datetime import date

    from fund.entitlements.models import EntitlementRun
    from fund.entitlements.policy_versions import install_shipped_policies
    from fund.events.services import create_event
    from fund.factories.models import Factory
    from tests.entitlements.helpers import stored_roll

    # Enough workers that computing them takes a moment, so the kill lands before the commit.
    big_roll = "worker_id,name,national_id,join_date,basic,house_rent,medical,transport,food\n" + (
        "".join(
            f"W-{n},Worker {n},{1990000000000 + n},2019-08-01,6700,3350,750,450,1250\n"
            for n in range(WORKERS)
        )
    )
    engine = make_engine(committed_url)
    upgrade(engine)
    with Session(engine) as session:
        officer, _ = create_user(
            session, username="officer", role=Role.OFFICER, password="a long test password!"
        )
        factory = Factory(code="DHK-1", name="Dhaka Knit", country="BD")
        session.add(factory)
        versions = {v.name: v for v in install_shipped_policies(session)}
        event = create_event(
            session, factory=factory, actor=None, kind="suspension", start=date(2024, 3, 1),
            end=date(2024, 3, 30), roll=stored_roll(session, factory, big_roll),
        )  # fmt: skip
        session.commit()
        owner_id, event_id = officer.id, event.id
        version_id = versions["alliance-wage-replacement"].id
    queue = f"sqlite:///{tmp_path / 'queue.sqlite'}"
    app = create_app({"DATABASE_URL": committed_url, "JOBS_QUEUE": queue, "SECRET_KEY": "test"})
    with app.app_context():
        from fund.db import get_session

        session = get_session()
        owner = session.get(User, owner_id)
        assert owner is not None
        job = start_job(
            session,
            owner=owner,
            kind="entitlements-compute",
            params={"event": event_id, "policy_version": version_id, "through": None},
            title="Entitlements",
            result_name="",
            total=WORKERS,
        )
        session.commit()  # sends it to the queue
        job_id = job.id

    def job_row() -> Job:
        with Session(engine) as reading:
            row = reading.get(Job, job_id)
            assert row is not None
            return row

    def runs() -> int:
        with Session(engine) as reading:
            return int(reading.scalar(select(func.count(EntitlementRun.id))) or 0)

    environment = {
        "DATABASE_URL": committed_url,
        "FUND_JOBS_QUEUE": queue,
        "FUND_JOB_FILES": str(tmp_path / "job-files"),
        "FUND_JOB_LEASE_SECONDS": "1",
    }
    first = start_worker(environment)
    try:
        wait_for(lambda: job_row().attempts == 1, 60, "the first consumer to claim the job")
        # Hold the job row: whatever the consumer writes next (its progress, or "done" in the
        # transaction that stores the run) waits on it, so it is killed before committing.
        kill_holding_the_job(engine, first, job_id)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    killed = job_row()
    assert (killed.state, killed.attempts) == ("running", 1)
    assert runs() == 0

    second = start_worker(environment)
    try:
        wait_for(lambda: job_row().state not in ("queued", "running"), 120, "the retried job")
    finally:
        stop_worker(second)
    done = job_row()
    assert done.state == "done", done.error
    assert runs() == 1
    assert done.params["run"] > 0
    assert (done.attempts, done.progress_done) == (2, WORKERS)
    engine.dispose()
