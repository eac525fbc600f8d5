"""A large roll stored by a background job: from the upload page, refused, killed, run again.

The web tests run the queue in Huey's immediate mode (the job runs as the confirm commits) or
on a broker nobody consumes (the job waits, its upload kept private). The consumer test kills
a real ``fund worker`` while it stores the roll: nothing of the roll is left, and the next
consumer stores all of it (SQLite by default, PostgreSQL under ``TEST_DATABASE_URL``).
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fund import create_app
from fund.auth.models import User
from fund.auth.roles import Role
from fund.auth.services import create_user
from fund.db import make_engine
from fund.factories.models import Factory
from fund.jobs.models import Job
from fund.jobs.services import start_job
from fund.migrate import upgrade
from fund.rolls.background import JOB_KIND, job_params, sweep_job_uploads
from fund.rolls.models import Roll, RollWorker
from fund.rolls.services import import_roll
from tests.jobs.helpers import kill_holding_the_job, start_worker, stop_worker, wait_for
from tests.rolls.roll_files import AS_OF, roll_csv
from tests.rolls.test_rolls_web import upload

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from tests.conftest import People


def roll_app(connection: Connection, tmp_path: Path, queue: str) -> Flask:
    """The app on the test's connection, with every roll over 2 rows stored in the background."""
    return create_app(
        {
            "DB_BIND": connection,
            "SECRET_KEY": "t",
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "SERVER_NAME": "localhost",
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
            "JOBS_QUEUE": queue,
            "JOB_FILES": str(tmp_path / "job-files"),
            "BACKGROUND_ROLL_ROWS": 2,
        }
    )


def officer(app: Flask, users: People) -> FlaskClient:
    client = app.test_client()
    response = client.post(
        "/login",
        data={"username": users.by_role[Role.OFFICER].username, "password": users.password},
    )
    assert response.status_code == 302
    return client


def confirm(client: FlaskClient, data: bytes) -> str:
    """Upload and check ``data``, confirm it; the page the confirm sends to."""
    status, page = upload(client, data)
    assert status == 200, page
    digest = page.split('name="sha256" type="hidden" value="')[1][:64]
    rows = page.split('name="rows" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/factories/DHK-1/rolls/confirm",
        data={"sha256": digest, "filename": "march.csv", "as_of": AS_OF.isoformat(), "rows": rows},
    )
    assert response.status_code == 302
    return str(response.headers["Location"])


def test_a_large_roll_is_stored_by_a_job_whose_page_links_to_it(
    connection: Connection, session: Session, users: People, tmp_path: Path
) -> None:
    app = roll_app(connection, tmp_path, "immediate")
    client = officer(app, users)
    page_url = confirm(client, roll_csv(3))
    assert page_url.startswith("/jobs/")
    roll = session.scalars(select(Roll)).one()
    assert session.scalar(select(func.count()).where(RollWorker.roll_id == roll.id)) == 3
    progress = client.get(page_url + ".json").get_json()
    assert progress["state"] == "done"
    assert progress["done"] == progress["total"] == 6  # rows read, then rows stored
    assert progress["download"] is None
    assert progress["result"] == f"/rolls/{roll.id}"
    assert f'href="/rolls/{roll.id}"' in client.get(page_url).get_data(as_text=True)
    assert list((tmp_path / "uploads" / "rolls").iterdir()) == []  # the upload went with it


def test_a_roll_refused_in_the_background_stores_nothing_and_says_why(
    connection: Connection, session: Session, users: People, tmp_path: Path
) -> None:
    app = roll_app(connection, tmp_path, f"sqlite:///{tmp_path / 'queue.sqlite'}")
    client = officer(app, users)
    status, page = upload(client, roll_csv(3))
    assert status == 200
    # Meanwhile another factory stores a roll with one of the same national IDs.
    import_roll(
        session,
        factory=users.factories["GZP-2"],
        source=roll_csv(1, first=2),
        filename="g.csv",
        as_of=AS_OF,
        actor=None,
    )
    digest = page.split('name="sha256" type="hidden" value="')[1][:64]
    page_url = client.post(
        "/factories/DHK-1/rolls/confirm",
        data={"sha256": digest, "filename": "march.csv", "as_of": AS_OF.isoformat(), "rows": "3"},
    ).headers["Location"]
    # Queued, nobody consumes it yet: the upload waits, private to the app's user.
    kept = list((tmp_path / "uploads" / "rolls").glob("*.job"))
    assert len(kept) == 1
    assert stat.S_IMODE(kept[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(kept[0].parent.stat().st_mode) == 0o700
    job = session.scalars(select(Job)).one()
    with app.app_context():
        from fund.jobs.services import run_job

        run_job(job.id)  # no exception: a refusal is final, not retried
    session.refresh(job)
    assert (job.state, job.attempts) == ("failed", 1)
    assert "roll rejected" in job.error
    assert (
        session.scalar(select(func.count()).where(Roll.factory_id == users.factories["DHK-1"].id))
        == 0
    )
    assert not kept[0].exists()
    assert "roll rejected" in client.get(page_url).get_data(as_text=True)


def test_an_upload_whose_job_never_runs_is_swept_after_a_week(
    connection: Connection, tmp_path: Path
) -> None:

    app = roll_app(connection, tmp_path, "immediate")
    with app.app_context():
        folder = tmp_path / "uploads" / "rolls"
        folder.mkdir(parents=True)
        fresh, stale = folder / "a-1.job", folder / "b-2.job"
        fresh.write_bytes(b"x")
        stale.write_bytes(b"x")
        week_ago = time.time() - 7 * 86_400 - 60
        os.utime(stale, (week_ago, week_ago))
        assert sweep_job_uploads() == 1
        assert fresh.exists()
        assert not stale.exists()


#: Enough workers for several stored batches (10,000 a batch), so the kill lands among them.
WORKERS = 30_000


@pytest.mark.slow
def test_a_roll_job_killed_midway_stores_nothing_and_is_run_again(
    committed_url: str, tmp_path: Path
) -> None:
    engine = make_engine(committed_url)
    upgrade(engine)
    uploads = tmp_path / "uploads"
    folder = uploads / "rolls"
    folder.mkdir(mode=0o700, parents=True)
    data = roll_csv(WORKERS)
    digest = hashlib.sha256(data).hexdigest()
    (folder / f"{digest}-kill.job").write_bytes(data)
    settings = {
        "DATABASE_URL": committed_url,
        "JOBS_QUEUE": f"sqlite:///{tmp_path / 'queue.sqlite'}",
        "JOB_FILES": str(tmp_path / "job-files"),
        "UPLOAD_FOLDER": str(uploads),
    }
    app = create_app({**settings, "SECRET_KEY": "test"})
    with app.app_context():
        from fund.db import get_session

        session = get_session()
        owner, _ = create_user(
            session, username="officer", role=Role.OFFICER, password="a long test password!"
        )
        factory = Factory(code="DHK-1", name="Rupali Knit", country="BD")
        session.add(factory)
        session.flush()
        job = start_job(
            session,
            owner=owner,
            kind=JOB_KIND,
            params=job_params(
                factory=factory,
                upload=f"{digest}-kill.job",
                sha256=digest,
                filename="march.csv",
                as_of=AS_OF,
                nobody_left=False,
                actor=owner,
            ),
            title="DHK-1 roll",
            result_name="",
            total=2 * WORKERS,
        )
        session.commit()  # sends it to the queue
        job_id = job.id

    def job_row() -> Job:
        with Session(engine) as reading:
            row = reading.get(Job, job_id)
            assert row is not None
            return row

    def workers() -> int:
        with Session(engine) as reading:
            return reading.scalar(select(func.count()).select_from(RollWorker)) or 0

    environment = {
        "DATABASE_URL": committed_url,
        "FUND_JOBS_QUEUE": settings["JOBS_QUEUE"],
        "FUND_JOB_FILES": settings["JOB_FILES"],
        "FUND_UPLOAD_FOLDER": str(uploads),
        "FUND_JOB_LEASE_SECONDS": "1",
    }
    first = start_worker(environment)
    try:
        # PostgreSQL: once the file is read, the consumer stores it in its transaction, and
        # its next progress write or its final "done" waits on the held job row: killed with
        # the workers written but not committed. SQLite (one writer): held as soon as the job
        # runs, its next write waits: killed before storing.
        postgres = committed_url.startswith("postgresql")
        deadline = time.monotonic() + 120
        while not (
            job_row().progress_done >= WORKERS if postgres else job_row().state == "running"
        ):
            assert time.monotonic() < deadline, "no progress from the first consumer"
            time.sleep(0.01)
    finally:
        kill_holding_the_job(engine, first, job_id)

    killed = job_row()
    assert (killed.state, killed.attempts) == ("running", 1)
    assert killed.progress_done < 2 * WORKERS
    if postgres:
        assert killed.progress_done >= WORKERS  # read, and storing when it was killed
    with Session(engine) as reading:
        assert reading.scalar(select(func.count()).select_from(Roll)) == 0
    assert workers() == 0  # nothing half-stored
    assert (folder / f"{digest}-kill.job").is_file()  # kept for the retry

    second = start_worker(environment)
    try:
        wait_for(lambda: job_row().state not in ("queued", "running"), 180, "the retried job")
    finally:
        stop_worker(second)

    done = job_row()
    assert done.state == "done", done.error
    assert done.attempts == 2
    assert done.progress_done == 2 * WORKERS
    assert workers() == WORKERS
    with Session(engine) as reading:
        roll = reading.scalars(select(Roll)).one()
        assert roll.imported_by_id == reading.scalar(select(User.id))
    assert not (folder / f"{digest}-kill.job").exists()
    engine.dispose()
