"""A job's page (progress, download, cancel), its progress as JSON, and its file.

Only the user who asked for a job sees any of it: anyone else gets 404, as for a job that
does not exist.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from fund.auth.access import allow, allowed_user
from fund.auth.roles import STAFF_AND_BRANDS
from fund.db import get_session
from fund.jobs.forms import CancelForm
from fund.jobs.models import Job
from fund.jobs.services import cancel_job, downloadable, owned_job, result_page, result_path

bp = Blueprint("jobs", __name__, url_prefix="/jobs")

#: Everyone who can ask for a long file (books, statements, batch files); the helpline cannot.
JOB_ASKERS = STAFF_AND_BRANDS


def _mine(job_id: int) -> Job:
    job = owned_job(get_session(), job_id=job_id, user=allowed_user())
    if job is None:
        abort(404)
    return job


@bp.route("/<int:job_id>")
@allow(JOB_ASKERS)
def show(job_id: int) -> str:
    job = _mine(job_id)
    return render_template(
        "jobs/show.html",
        job=job,
        ready=downloadable(job),
        result_url=result_page(get_session(), job),
        cancel_form=CancelForm(),
    )


@bp.route("/<int:job_id>.json")
@allow(JOB_ASKERS)
def progress(job_id: int) -> Response:
    """What the page's script polls: state, counts, and the download once there is one."""
    job = _mine(job_id)
    ready = downloadable(job)
    return jsonify(
        {
            "state": job.state,
            "done": job.progress_done,
            "total": job.progress_total,
            "error": job.error,
            "download": url_for("jobs.download", job_id=job.id) if ready else None,
            "result": result_page(get_session(), job),
        }
    )


@bp.route("/<int:job_id>/download")
@allow(JOB_ASKERS)
def download(job_id: int) -> Response:
    job = _mine(job_id)
    path = result_path(job) if job.result_file else None
    if not downloadable(job) or path is None or not path.is_file():
        abort(404, description=_("This file is not ready, or it was kept its time and deleted."))
    return send_file(path, mimetype=job.mimetype, as_attachment=True, download_name=job.result_name)


@bp.route("/<int:job_id>/cancel", methods=["POST"])
@allow(JOB_ASKERS)
def cancel(job_id: int) -> Response:
    job = _mine(job_id)
    if CancelForm().validate_on_submit() and cancel_job(get_session(), job=job):
        flash(_("Cancelled: nothing of it is kept."), "success")
    return redirect(url_for("jobs.show", job_id=job.id))
