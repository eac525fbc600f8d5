"""The API's roll upload and compute over their thresholds: 202, a job, ``GET /jobs/<id>``.

The queue runs in Huey's immediate mode: the job runs as the request commits, so the 202's
body still says "queued" and the job's address, read next, says what it stored.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fund.auth.roles import Role
from fund.entitlements.models import EntitlementRun
from fund.rolls.models import Roll, RollWorker
from tests.api.openapi_check import expect
from tests.jobs.helpers import jobs_app
from tests.jobs.test_jobs_compute import suspension
from tests.rolls.roll_files import AS_OF, roll_csv

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from tests.conftest import People

JOB = "/jobs/{job_id}"


@pytest.fixture
def app(connection: Connection, tmp_path: Path) -> Flask:
    """Rolls of more than 2 rows, and computations of more than 3 workers, run as jobs."""
    return jobs_app(
        connection,
        tmp_path,
        "immediate",
        UPLOAD_FOLDER=str(tmp_path / "uploads"),
        BACKGROUND_ROLL_ROWS=2,
        BACKGROUND_COMPUTE_WORKERS=3,
    )


def bearer(users: People, api_token: Callable[..., str], role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token(users.by_role[role])}"}


def upload(client: FlaskClient, headers: dict[str, str], data: bytes) -> Any:
    return client.post(
        "/api/v1/factories/DHK-1/rolls",
        headers=headers,
        data={"file": (io.BytesIO(data), "march.csv"), "as_of": AS_OF.isoformat()},
        content_type="multipart/form-data",
    )


def followed(client: FlaskClient, accepted: Any, headers: dict[str, str], spec: Any) -> Any:
    """The job the 202 names, read at its ``Location``."""
    location = accepted.headers["Location"]
    assert location == f"/api/v1/jobs/{accepted.json['id']}"
    return expect(spec, client.get(location, headers=headers), JOB, "get", 200)


def test_a_large_roll_upload_is_a_job_that_stores_the_roll(
    app: Flask, session: Session, users: People, api_token: Callable[..., str], tmp_path: Path
) -> None:
    spec = app.test_client().get("/api/v1/openapi.json").json
    client = app.test_client()
    officer = bearer(users, api_token, Role.OFFICER)

    small = expect(
        spec, upload(client, officer, roll_csv(2)), "/factories/{code}/rolls", "post", 201
    )
    assert small["worker_count"] == 2  # at the threshold: stored inside the request

    answer = upload(client, officer, roll_csv(3, first=10))
    started = expect(spec, answer, "/factories/{code}/rolls", "post", 202)
    assert (started["state"], started["result"], started["kind"]) == ("queued", None, "roll-import")
    job = followed(client, answer, officer, spec)
    roll = session.scalars(select(Roll).order_by(Roll.version.desc())).first()
    assert roll is not None
    assert roll.version == 2
    assert (job["state"], job["error"]) == ("done", None)
    assert job["result"] == {"roll_id": roll.id, "run_id": None}
    assert job["progress"] == {"done": 6, "total": 6}  # rows read, then rows stored
    assert session.scalar(select(func.count()).where(RollWorker.roll_id == roll.id)) == 3
    assert list((tmp_path / "uploads" / "rolls").iterdir()) == []  # the upload went with it

    # Only who asked reads the job: anyone else, an admin too, is told there is none.
    for role in (Role.ADMIN, Role.AUDITOR, Role.BRAND):
        other = client.get(answer.headers["Location"], headers=bearer(users, api_token, role))
        expect(spec, other, JOB, "get", 404)
    expect(spec, client.get("/api/v1/jobs/999999", headers=officer), JOB, "get", 404)


def test_a_large_roll_with_errors_is_refused_at_once_and_starts_no_job(
    app: Flask, session: Session, users: People, api_token: Callable[..., str], tmp_path: Path
) -> None:
    client = app.test_client()
    refused = upload(client, bearer(users, api_token, Role.OFFICER), roll_csv(3, bad_nid_row=2))
    assert refused.status_code == 422
    assert refused.json["rejected"] == 1
    assert session.scalar(select(func.count()).select_from(Roll)) == 0
    assert list((tmp_path / "uploads" / "rolls").glob("*.job")) == []


def test_a_large_computation_is_a_job_that_stores_the_run(
    app: Flask, session: Session, users: People, api_token: Callable[..., str], tmp_path: Path
) -> None:
    spec = app.test_client().get("/api/v1/openapi.json").json
    client = app.test_client()
    event = suspension(session, users)  # a roll of 5 workers
    officer = bearer(users, api_token, Role.OFFICER)
    path = "/events/{event_id}/compute"
    answer = client.post(
        f"/api/v1/events/{event.id}/compute",
        json={"policy": "alliance-wage-replacement"},
        headers=officer,
    )
    assert expect(spec, answer, path, "post", 202)["kind"] == "entitlements-compute"
    job = followed(client, answer, officer, spec)
    run = session.scalars(select(EntitlementRun)).one()
    assert (job["state"], job["result"]) == ("done", {"roll_id": None, "run_id": run.id})
    assert (run.event_id, run.workers) == (event.id, 5)
    other = client.get(answer.headers["Location"], headers=bearer(users, api_token, Role.ADMIN))
    expect(spec, other, JOB, "get", 404)
