"""Claim pages: the desk's list, filing a claim, one claim with its candidates and decisions,
attachments (served by this view only, never by path), the printable letter and the report.

Thin: forms are read, services decide, refusals come back as messages on the page (400) with
what was typed; nothing of a refused step is kept.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask import Response as FlaskResponse
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3

from fund.auth.access import allow, allowed_user
from fund.auth.roles import (
    ATTACHMENT_READERS,
    CLAIM_DECIDERS,
    CLAIM_FILERS,
    CLAIM_READERS,
    STAFF,
)
from fund.claims import services
from fund.claims.forms import AcceptForm, AttachmentForm, ClaimForm, ReferForm, RejectForm
from fund.claims.models import CLAIM_KINDS, CLAIM_STATUSES, Claim, ClaimAttachment
from fund.controls.approvals import bands_from_config
from fund.controls.models import VerificationCall
from fund.db import get_session, utcnow
from fund.disbursements.models import DisbursementBatch
from fund.events.models import Event
from ledger.money import format_minor

bp = Blueprint("claims", __name__, url_prefix="/claims")
PER_PAGE = 200


@bp.context_processor
def helpers() -> dict[str, Any]:
    return {
        "KIND_LABELS": services.KIND_LABELS,
        "today": utcnow().date(),
    }


def _claim(claim_id: int) -> Claim:
    return get_session().get(Claim, claim_id) or abort(404)


def files_folder() -> Path:
    """Where attachments are kept (config ``CLAIM_FILES``, in the instance folder)."""
    return Path(current_app.config["CLAIM_FILES"])


def max_attachment_bytes() -> int:
    """The attachment size limit (config ``CLAIM_ATTACHMENT_MAX_BYTES``, default 5 MB)."""
    return int(current_app.config.get("CLAIM_ATTACHMENT_MAX_BYTES", services.MAX_ATTACHMENT_BYTES))


def helpline_number() -> str:
    """The number the claimant is told to call (config ``CLAIMS_HELPLINE``)."""
    return str(current_app.config.get("CLAIMS_HELPLINE", ""))


def deadlines() -> dict[str, int]:
    """Days to decide each kind of claim (config ``CLAIM_DEADLINES`` overrides the defaults)."""
    return {**services.DEADLINE_DAYS, **current_app.config.get("CLAIM_DEADLINES", {})}


def _event_choices() -> list[SelectChoice]:
    events = get_session().scalars(
        select(Event).options(selectinload(Event.factory)).order_by(Event.id.desc()).limit(500)
    )
    return [SelectChoice(event.id, f"{event.id}: {event.title}") for event in events]


@bp.route("/")
@allow(CLAIM_READERS)
def index() -> str:
    session = get_session()
    query = select(Claim).options(selectinload(Claim.factory)).order_by(Claim.id.desc())
    status = request.args.get("status", "")
    kind = request.args.get("kind", "")
    if status in CLAIM_STATUSES:
        query = query.where(Claim.status == status)
    if kind in CLAIM_KINDS:
        query = query.where(Claim.kind == kind)
    if request.args.get("overdue"):
        query = query.where(Claim.status == "open", Claim.due_on < utcnow().date())
    claims = session.scalars(query.limit(PER_PAGE)).all()
    return render_template(
        "claims/index.html",
        claims=claims,
        status=status,
        kind=kind,
        statuses=CLAIM_STATUSES,
        kinds=CLAIM_KINDS,
        can_file=allowed_user().role_enum in CLAIM_FILERS,
    )


@bp.route("/new", methods=["GET", "POST"])
@allow(*CLAIM_FILERS)
def new() -> str | Response | tuple[str, int]:
    form = ClaimForm()
    form.event.choices = _event_choices()
    if request.method == "GET":
        form.raised_by.data = "helpline" if allowed_user().role == "helpline" else "worker"
        return render_template("claims/new.html", form=form)
    if form.validate_on_submit():
        session = get_session()
        event = session.get(Event, form.event.data) or abort(404)
        upload: FileStorage | None = form.file.data
        try:
            claim = services.file_claim(
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
                actor=allowed_user(),
                deadlines=deadlines(),
            )
            if upload is not None and upload.filename:
                services.add_attachment(
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
            _field_error(form, error)
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


def _field_error(form: Any, error: services.ClaimInvalid) -> None:
    target = getattr(form, error.field, None) if error.field else None
    if target is not None:
        target.errors = [*target.errors, str(error)]
    else:
        flash(str(error), "error")


def _detail_page(
    claim: Claim,
    *,
    accept: AcceptForm | None = None,
    reject: RejectForm | None = None,
    refer: ReferForm | None = None,
    attach: AttachmentForm | None = None,
) -> str:
    me = allowed_user()
    deciding = me.role_enum in CLAIM_DECIDERS and claim.status == "open"
    # Candidates show other workers' roll data: fund staff only, not the helpline. Found once:
    # matching reads the whole roll.
    best = services.candidates(get_session(), claim) if me.role_enum in STAFF else None
    if deciding and accept is None:
        accept = AcceptForm()
        if best and request.method == "GET":
            accept.worker_id.data = best[0].worker_id
    return render_template(
        "claims/detail.html",
        claim=claim,
        candidates=best,
        sms=services.outcome_text(claim, helpline=helpline_number()),
        accept=accept if deciding else None,
        reject=(reject or RejectForm()) if deciding else None,
        refer=(refer or ReferForm()) if deciding else None,
        attach=(attach or AttachmentForm()) if me.role_enum in CLAIM_FILERS else None,
        can_open_files=me.role_enum in ATTACHMENT_READERS,
    )


@bp.route("/<int:claim_id>")
@allow(CLAIM_READERS)
def detail(claim_id: int) -> str:
    return _detail_page(_claim(claim_id))


@bp.route("/<int:claim_id>/letter")
@allow(CLAIM_READERS)
def letter(claim_id: int) -> str:
    """The outcome on one printable page, in plain words, for the worker."""
    claim = _claim(claim_id)
    return render_template(
        "claims/letter.html",
        claim=claim,
        sms=services.outcome_text(claim, helpline=helpline_number()),
        helpline=helpline_number(),
    )


@bp.route("/<int:claim_id>/attachments", methods=["POST"])
@allow(*CLAIM_FILERS)
def attach(claim_id: int) -> Response | tuple[str, int]:
    claim = _claim(claim_id)
    form = AttachmentForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            services.add_attachment(
                get_session(),
                claim=claim,
                data=upload.read(),
                filename=upload.filename or "",
                folder=files_folder(),
                actor=allowed_user(),
                max_bytes=max_attachment_bytes(),
            )
        except services.ClaimInvalid as error:
            get_session().rollback()
            form.file.errors = [str(error)]
        else:
            flash(_("The file is kept with the claim."), "success")
            return redirect(url_for("claims.detail", claim_id=claim.id))
    return _detail_page(claim, attach=form), 400


@bp.route("/<int:claim_id>/attachments/<int:attachment_id>")
@allow(*ATTACHMENT_READERS)
def attachment(claim_id: int, attachment_id: int) -> FlaskResponse:
    found = get_session().get(ClaimAttachment, attachment_id)
    if found is None or found.claim_id != claim_id:
        abort(404)
    try:
        path = services.attachment_path(files_folder(), found)
    except LookupError:
        abort(404)
    if not path.is_file():
        abort(404)
    response = send_file(
        path,
        mimetype=found.content_type,
        # PDFs are downloaded, photos shown; neither may run anything in the fund's origin.
        as_attachment=found.content_type == "application/pdf",
        download_name=f"{_claim(claim_id).reference}-{found.id}{path.suffix}",
        max_age=0,
    )
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _decided(claim: Claim, message: str) -> Response:
    flash(message, "success")
    return redirect(url_for("claims.detail", claim_id=claim.id))


@bp.route("/from-verification/<int:call_id>", methods=["POST"])
@allow(*CLAIM_DECIDERS)
def from_verification(call_id: int) -> Response:
    """A sampled worker said the money never came: the claims desk opens a claim to trace it."""
    session = get_session()
    call = session.get(VerificationCall, call_id)
    if call is None:
        abort(404)
    try:
        claim = services.claim_from_verification(
            session, call=call, actor=allowed_user(), deadlines=deadlines()
        )
    except services.ClaimRefused as error:
        session.rollback()
        flash(str(error), "error")
        return redirect(url_for("controls.batch_verification", batch_id=call.batch_id))
    return _decided(claim, _("Claim %(claim)s opened to trace the payment.", claim=claim.reference))


@bp.route("/<int:claim_id>/accept", methods=["POST"])
@allow(*CLAIM_DECIDERS)
def accept(claim_id: int) -> Response | tuple[str, int]:
    claim = _claim(claim_id)
    form = AcceptForm()
    if not form.validate_on_submit():
        return _detail_page(claim, accept=form), 400
    if not form.confirm.data:
        form.confirm.errors = [_("Tick to confirm.")]
        return _detail_page(claim, accept=form), 400
    session = get_session()
    try:
        worker = None
        if form.with_roll_line.data:
            worker = services.roll_line(
                worker_id=form.worker_id.data or "",
                name=form.name.data or claim.worker_name,
                national_id=form.national_id.data or claim.national_id,
                join_date=form.join_date.data,
                basic=form.basic.data,
                house_rent=form.house_rent.data,
                medical=form.medical.data,
                transport=form.transport.data,
                food=form.food.data,
                section=form.section.data or claim.section,
                payment_method=form.payment_method.data or None,
                wallet_number=form.wallet_number.data,
                bank_account=form.bank_account.data,
            )
        services.accept_claim(
            session,
            claim=claim,
            actor=allowed_user(),
            secret_key=current_app.config["SECRET_KEY"],
            note=form.note.data or "",
            worker=worker,
            worker_id=form.worker_id.data or None,
            pay=bool(form.pay.data),
            bands=bands_from_config(current_app.config),
        )
    except services.ClaimInvalid as error:
        session.rollback()
        _field_error(form, error)
        return _detail_page(_claim(claim_id), accept=form), 400
    except services.ClaimRefused as error:
        session.rollback()
        flash(str(error), "error")
        return _detail_page(_claim(claim_id), accept=form), 400
    top_up = session.get(DisbursementBatch, claim.batch_id) if claim.batch_id else None
    if top_up is not None and top_up.state == "draft":
        return _decided(
            claim,
            _(
                "Accepted. Top-up batch %(batch)s of %(amount)s BDT is held as a draft: the new "
                "roll version has high findings to acknowledge on its page; then submit the batch.",
                batch=claim.batch_id,
                amount=format_minor(claim.amount_minor or 0, "BDT"),
            ),
        )
    if claim.batch_id:
        return _decided(
            claim,
            _(
                "Accepted. Top-up batch %(batch)s of %(amount)s BDT waits for an approver.",
                batch=claim.batch_id,
                amount=format_minor(claim.amount_minor or 0, "BDT"),
            ),
        )
    return _decided(claim, _("Accepted."))


@bp.route("/<int:claim_id>/reject", methods=["POST"])
@allow(*CLAIM_DECIDERS)
def reject(claim_id: int) -> Response | tuple[str, int]:
    claim = _claim(claim_id)
    form = RejectForm()
    if form.validate_on_submit() and not form.confirm.data:
        form.confirm.errors = [_("Tick to confirm.")]
    elif form.validate_on_submit():
        try:
            services.reject_claim(
                get_session(), claim=claim, actor=allowed_user(), reason=form.reason.data or ""
            )
        except services.ClaimRefused as error:
            get_session().rollback()
            flash(str(error), "error")
        else:
            return _decided(claim, _("Not accepted; the worker can be told why."))
    return _detail_page(claim, reject=form), 400


@bp.route("/<int:claim_id>/refer", methods=["POST"])
@allow(*CLAIM_DECIDERS)
def refer(claim_id: int) -> Response | tuple[str, int]:
    claim = _claim(claim_id)
    form = ReferForm()
    if form.validate_on_submit():
        try:
            services.refer_claim(
                get_session(),
                claim=claim,
                actor=allowed_user(),
                referred_to=form.referred_to.data or "",
                note=form.note.data or "",
            )
        except services.ClaimRefused as error:
            get_session().rollback()
            flash(str(error), "error")
        else:
            return _decided(claim, _("Referred to %(to)s.", to=claim.referred_to))
    return _detail_page(claim, refer=form), 400


@bp.route("/report")
@allow(CLAIM_READERS)
def report() -> str:
    today = utcnow().date()
    return render_template(
        "claims/report.html",
        report=services.report(get_session(), today=today),
        deadlines=deadlines(),
        overdue=services.overdue(get_session(), today=today),
        kinds=CLAIM_KINDS,
        statuses=CLAIM_STATUSES,
    )
