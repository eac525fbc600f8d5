"""``GET /api/v1/jobs/<id>``: how far a job started through the API is, and what it stored.

A roll upload or a computation over its size threshold answers 202 with the job and a
``Location`` here (``accepted``). As on the web's job pages, only the user who asked sees it:
anyone else gets 404, as for a job that does not exist.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, jsonify, url_for

from fund.api.blueprint import bp
from fund.auth.access import allow, allowed_user
from fund.db import get_session
from fund.jobs.models import Job
from fund.jobs.schemas import JobOut, job_answer
from fund.jobs.services import owned_job
from fund.jobs.views import JOB_ASKERS

#: How the 202 of an operation that may run in the background is documented.
ACCEPTED: dict[str, Any] = {
    "schema": JobOut,
    "description": "too large to do inside the request: a background job does it; follow"
    " Location (GET /jobs/{job_id}) until it is done or failed",
    "headers": {
        "Location": {
            "description": "the job's address",
            "required": True,
            "schema": {"type": "string"},
        }
    },
    "success": True,
}


def accepted(job: Job) -> Response:
    """202: the job, with ``Location`` its address."""
    response = jsonify(JobOut().dump(job_answer(job)))
    response.status_code = 202
    response.headers["Location"] = url_for("api.job", job_id=job.id)
    return response


@bp.route("/jobs/<int:job_id>", endpoint="job")
@allow(JOB_ASKERS)
@bp.response(200, JobOut)
def job(job_id: int) -> dict[str, Any]:
    """A background job you started: its state, progress, and once done what it stored."""
    found = owned_job(get_session(), job_id=job_id, user=allowed_user())
    if found is None:
        abort(404, description=f"no job {job_id}")
    return job_answer(found)
