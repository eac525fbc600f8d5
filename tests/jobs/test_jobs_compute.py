"""An event whose roll is larger than ``BACKGROUND_COMPUTE_WORKERS`` is computed by a job.

The compute button answers with the job's page; the job computes while holding no write lock,
then stores the run and marks itself done in one transaction: a job that fails (or is killed)
before that commit has stored nothing and the retry stores the run once. On SQLite and, under
``TEST_DATABASE_URL``, on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fund.audit.models import AuditEvent
from fund.entitlements.models import Entitlement, EntitlementRun
from fund.events.models import Event
from fund.events.services import create_event
from fund.jobs.models import Job
from fund.jobs.services import run_job
from tests.entitlements.helpers import stored_roll
from tests.jobs.helpers import jobs_app

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from tests.conftest import People

Token = Callable[[FlaskClient, str], str]
ROLL = (
    "worker_id,name,national_id,section,join_date,basic,house_rent,medical,transport,food\n"
    + "".join(
        f"W-{n},Worker {n},{1990000000100 + n},Sewing,2019-08-01,6700,3350,750,450,1250\n"
        for n in range(5)
    )
)


def compute_app(connection: Connection, tmp_path: Path, queue: str) -> Flask:
    """The app on the test's connection; a roll of more than 3 workers is a background job."""
    return jobs_app(connection, tmp_path, queue, BACKGROUND_COMPUTE_WORKERS=3)


def suspension(session: Session, users: People, roll_text: str = ROLL) -> Event:
    roll = stored_roll(session, users.factories["DHK-1"], roll_text)
    return create_event(
        session,
        factory=users.factories["DHK-1"],
        actor=users.admin,
        kind="suspension",
        start=date(2024, 3, 1),
        end=date(2024, 3, 30),
        roll=roll,
    )


def press_compute(app: Flask, login: Callable[..., Any], form_token: Token, event: Event) -> Any:
    client = app.test_client()
    assert login(client, "officer").status_code == 302
    page = f"/events/{event.id}"
    answer = client.post(
        f"{page}/compute",
        data={"csrf_token": form_token(client, page), "policy": "alliance-wage-replacement"},
    )
    return client, answer


def runs(session: Session) -> int:
    return int(session.scalar(select(func.count(EntitlementRun.id))) or 0)


def test_a_large_roll_is_computed_by_a_job_with_a_link_to_the_run(
    connection: Connection,
    session: Session,
    users: People,
    tmp_path: Path,
    login: Callable[..., Any],
    form_token: Token,
) -> None:
    event = suspension(session, users)
    app = compute_app(connection, tmp_path, "immediate")
    client, answer = press_compute(app, login, form_token, event)
    assert answer.status_code == 302
    page_url = answer.headers["Location"]
    assert page_url.startswith("/jobs/")

    run = session.scalars(select(EntitlementRun)).one()
    assert (run.workers, run.eligible, run.total_minor) == (5, 5, 5 * 1_250_000)
    job = session.scalars(select(Job)).one()
    assert (job.state, job.progress_done, job.progress_total) == ("done", 5, 5)
    assert job.params["run"] == run.id
    page = client.get(page_url).get_data(as_text=True)
    assert f'href="/events/{event.id}?run={run.id}"' in page
    assert "See the result" in page
    assert client.get(page_url + ".json").get_json()["result"] == f"/events/{event.id}?run={run.id}"
    # the officer who pressed the button is the one the audit log names
    audit = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "entitlements.compute")
    ).one()
    assert (
        audit.actor_id == users.by_role[next(r for r in users.by_role if r.value == "officer")].id
    )

    # Pressing again computes again (a new run), it does not find the finished job.
    assert press_compute(app, login, form_token, event)[1].status_code == 302
    assert runs(session) == 2


def test_a_small_roll_is_still_computed_at_once(
    connection: Connection,
    session: Session,
    users: People,
    tmp_path: Path,
    login: Callable[..., Any],
    form_token: Token,
) -> None:
    small = ROLL.split("\n", 3)
    event = suspension(session, users, "\n".join(small[:3]) + "\n")
    app = compute_app(connection, tmp_path, "immediate")
    _, answer = press_compute(app, login, form_token, event)
    assert answer.headers["Location"].startswith(f"/events/{event.id}?run=")
    assert session.scalar(select(func.count(Job.id))) == 0
    assert runs(session) == 1


@pytest.fixture
def queued(
    connection: Connection,
    session: Session,
    users: People,
    tmp_path: Path,
    login: Callable[..., Any],
    form_token: Token,
) -> tuple[Flask, Job]:
    """A computation job waiting in a real broker nobody consumes (the test runs it)."""
    app = compute_app(connection, tmp_path, f"sqlite:///{tmp_path / 'queue.sqlite'}")
    press_compute(app, login, form_token, suspension(session, users))
    job = session.scalars(select(Job)).one()
    assert job.state == "queued"
    return app, job


def test_a_job_failing_while_storing_stores_nothing_and_the_retry_stores_once(
    session: Session, queued: tuple[Flask, Job], monkeypatch: pytest.MonkeyPatch
) -> None:
    app, job = queued

    from fund.entitlements import services

    real_store = services.store_entitlements

    def store_then_fail(*args: Any, **kwargs: Any) -> None:
        real_store(*args, **kwargs)  # the rows are written, then the consumer dies
        raise OSError("consumer lost half-way")

    monkeypatch.setattr(services, "store_entitlements", store_then_fail)
    with app.app_context(), pytest.raises(OSError, match="half-way"):
        run_job(job.id)
    session.expire_all()
    assert runs(session) == 0
    assert session.scalar(select(func.count(Entitlement.id))) == 0
    assert (job.state, job.attempts) == ("queued", 1)  # Huey sends it again
    assert "consumer lost half-way" in job.error

    monkeypatch.setattr(services, "store_entitlements", real_store)
    with app.app_context():
        run_job(job.id)
    session.expire_all()
    assert (job.state, job.attempts) == ("done", 2)
    assert runs(session) == 1
    assert session.scalar(select(func.count(Entitlement.id))) == 5


def test_a_computation_cancelled_while_it_works_keeps_nothing(
    session: Session, queued: tuple[Flask, Job], monkeypatch: pytest.MonkeyPatch
) -> None:
    app, job = queued

    from fund.jobs import services

    # Cancelled while the rows were written: marking it done finds it no longer running.
    monkeypatch.setattr(services, "_mark_done", lambda *args: False)
    with app.app_context():
        run_job(job.id)
    session.expire_all()
    assert runs(session) == 0
    assert session.scalar(select(func.count(Entitlement.id))) == 0
