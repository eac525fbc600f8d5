"""The claims desk: the list of claims (searched, filtered), filing a new claim with its first
attachment, and the report of claims by kind and status with what is overdue.

Rules: a claim is filed with its deadline from the configured days per kind; a refused filing
keeps nothing (neither the claim nor its file) and shows the form again with what was typed.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from fund.arguments import page_number
from fund.auth.access import allow, allowed_user
from fund.auth.roles import CLAIM_FILERS, CLAIM_READERS
from fund.claims import attachments, cases, filing, reporting, services
from fund.claims.forms import ClaimForm
from fund.claims.models import CLAIM_KINDS, CLAIM_STATUSES
from fund.claims.views.blueprint import (
    bp,
    deadlines,
    event_choices,
    field_error,
    files_folder,
    max_attachment_bytes,
)
from fund.db import get_session, utcnow
from fund.events.models import Event


@bp.route("/")
@allow(CLAIM_READERS)
def index() -> str:
    status = request.args.get("status", "")
    kind = request.args.get("kind", "")
    text = request.args.get("q", "").strip()[:100]
    page = page_number()
    found = cases.search(
        get_session(),
        text=text,
        status=status if status in CLAIM_STATUSES else "",
        kind=kind if kind in CLAIM_KINDS else "",
        overdue_on=utcnow().date() if request.args.get("overdue") else None,
        page=page,
    )
    return render_template(
        "claims/index.html",
        claims=found.items,
        found=found,
        q=text,
        status=status,
        kind=kind,
        overdue=request.args.get("overdue", ""),
        statuses=CLAIM_STATUSES,
        kinds=CLAIM_KINDS,
        can_file=allowed_user().role_enum in CLAIM_FILERS,
    )


@bp.route("/new", methods=["GET", "POST"])
@allow(*CLAIM_FILERS)
def new() -> str | Response | tuple[str, int]:
    form = ClaimForm()
    form.event.choices = event_choices()
    if request.method == "GET":
        form.raised_by.data = "helpline" if allowed_user().role == "helpline" else "worker"
        return render_template("claims/new.html", form=form)
    if form.validate_on_submit():
        session = get_session()
        event = session.get(Event, form.event.data) or abort(404)
        upload: FileStorage | None = form.file.data
        try:
            claim = filing.file_claim(
                session,
                event=event,
                kind=form.kind.data or "",
                raised_by=form.raised_by.data or "",
                raised_by_name=form.raised_by_name.data or "",
                worker_name=form.worker_name.data or "",
                national_id=form.national_id.data or "",
                phone=form.phone.data or "",
                section=form.section.data or "",
                description=form.description.data or "",
                language=form.language.data or "en",
                actor=allowed_user(),
                deadlines=deadlines(),
            )
            if upload is not None and upload.filename:
                attachments.add_attachment(
                    session,
                    claim=claim,
                    data=upload.read(),
                    filename=upload.filename,
                    folder=files_folder(),
                    actor=allowed_user(),
                    max_bytes=max_attachment_bytes(),
                )
        except services.ClaimInvalid as error:
            session.rollback()
            field_error(form, error)
        except services.ClaimRefused as error:
            session.rollback()
            flash(str(error), "error")
        else:
            flash(
                _(
                    "Claim %(claim)s filed; it is to be decided by %(due)s.",
                    claim=claim.reference,
                    due=f"{claim.due_on:%d/%m/%Y}",
                ),
                "success",
            )
            return redirect(url_for("claims.detail", claim_id=claim.id))
    return render_template("claims/new.html", form=form), 400


@bp.route("/report")
@allow(CLAIM_READERS)
def report() -> str:
    today = utcnow().date()
    return render_template(
        "claims/report.html",
        report=reporting.report(get_session(), today=today),
        deadlines=deadlines(),
        overdue=reporting.overdue(get_session(), today=today),
        kinds=CLAIM_KINDS,
        statuses=CLAIM_STATUSES,
    )
