"""What the API says about a background job: its state, how far, what it stored, why not."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from fund.disbursements.schemas import UtcDateTime
from fund.jobs.models import JOB_STATES, Job


class JobProgressOut(Schema):
    """How far the job is: ``done`` of ``total`` steps (rows read and stored, workers)."""

    done = fields.Integer(required=True)
    total = fields.Integer(required=True)


class JobResultOut(Schema):
    """What a finished job stored: the roll (a roll import) or the run (a computation)."""

    roll_id = fields.Integer(required=True, allow_none=True)
    run_id = fields.Integer(required=True, allow_none=True)


class JobOut(Schema):
    """A background job asked for through the API (only its asker reads it)."""

    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf(JOB_STATES))
    progress = fields.Nested(JobProgressOut, required=True)
    result = fields.Nested(
        JobResultOut,
        required=True,
        allow_none=True,
        metadata={"description": "once the job is done: what it stored"},
    )
    error = fields.String(
        required=True, allow_none=True, metadata={"description": "why a failed job failed"}
    )
    created_at = UtcDateTime(required=True)
    finished_at = UtcDateTime(required=True, allow_none=True)


def job_answer(job: Job) -> dict[str, Any]:
    """The job as ``JobOut`` dumps it."""
    done = job.state == "done"
    return {
        "id": job.id,
        "kind": job.kind,
        "title": job.title,
        "state": job.state,
        "progress": {"done": job.progress_done, "total": job.progress_total},
        "result": (
            {"roll_id": job.params.get("roll"), "run_id": job.params.get("run")} if done else None
        ),
        "error": job.error or None,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
    }
