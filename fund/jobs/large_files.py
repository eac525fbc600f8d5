"""A download too large to write while the page waits: the GET that asks for it answers a page
with a button, and only that button's POST starts the job.

A GET changes nothing: a link followed by a crawler, a browser's prefetch or another site's
top-level navigation must not set the worker writing millions of rows. The POST carries a CSRF
token (``CSRFProtect`` refuses it without one) and asks ``start_job``, which returns the job
already asked for with the same parameters, so pressing the button twice does the work once.
The POST starts the job whatever the file's size by then: it was asked for by name.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from fund.auth.access import allowed_user
from fund.db import get_session
from fund.jobs.forms import PrepareForm
from fund.jobs.services import start_job


@dataclass(frozen=True)
class LargeFile:
    """A file for a background job: the job's kind and parameters, its title and file name,
    and the progress total the job counts to."""

    kind: str
    params: Mapping[str, Any]
    title: str
    result_name: str
    total: int


def offer(file: LargeFile, *, size: str, action: str, fields: Mapping[str, str]) -> str:
    """The page a GET over its threshold answers: the file, its ``size`` in words ("60,000
    postings"), and the button that posts ``fields`` (the download's parameters) to ``action``."""
    return render_template(
        "jobs/large_file.html",
        file=file,
        size=size,
        action=action,
        fields=fields,
        form=PrepareForm(formdata=None),
    )


def posted_choice(name: str, allowed: Collection[str]) -> str:
    """The button's ``name`` field, one of ``allowed``; else a 400 naming the field."""
    value = request.form.get(name, "")
    if value not in allowed:
        abort(400, description=f"{name} must be one of {', '.join(allowed)}")
    return value


def date_fields(dates: Mapping[str, date | None]) -> dict[str, str]:
    """The dates understood, in ISO, as hidden fields (the POST reads them back through
    ``fund.arguments``, as the GET read them); a date not given is left out."""
    return {name: day.isoformat() for name, day in dates.items() if day is not None}


def prepare(file: LargeFile) -> Response:
    """The button's POST: the file's job (the one already asked for, if any), then its page."""
    if not PrepareForm().validate_on_submit():
        abort(400, description=_("The form has expired: ask for the file again from its page."))
    job = start_job(
        get_session(),
        owner=allowed_user(),
        kind=file.kind,
        params=file.params,
        title=file.title,
        result_name=file.result_name,
        total=file.total,
    )
    return redirect(url_for("jobs.show", job_id=job.id))
