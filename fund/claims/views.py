"""Claim pages: the desk's list, filing a claim, one claim with its candidates and decisions,
attachments (served by this view only, never by path), the printable letter and the report.

Thin: forms are read, services decide, refusals come back as messages on the page (400) with
what was typed; nothing of a refused step is kept.
"""

from __future__ import annotations

from decimal import Decimal
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
from sqlalchemy.orm import Session, selectinload
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3

from fund.arguments import page_number
from fund.auth.access import allow, allowed_user
from fund.auth.models import User
from fund.auth.roles import (
    ATTACHMENT_READERS,
    CLAIM_DECIDERS,
    CLAIM_FILERS,
    CLAIM_READERS,
    STAFF,
)
from fund.claims import (
    attachments,
    cases,
    deciding,
    filing,
    followups,
    messages,
    persons,
    reporting,
    searching,
    services,
)
from fund.claims.forms import (
    AcceptForm,
    AttachmentForm,
    CallbackForm,
    CallForm,
    CallToClaimForm,
    ClaimForm,
    FilingWindowForm,
    LinkForm,
    NoteForm,
    ReferForm,
    ReferralOutcomeForm,
    RejectForm,
    ReopenForm,
    SamePersonForm,
)
from fund.claims.models import CLAIM_KINDS, CLAIM_STATUSES, Claim, ClaimAttachment, ClaimCall
from fund.controls.approvals import bands_from_config
from fund.controls.models import VerificationCall
from fund.db import get_session, utcnow
from fund.disbursements.models import DisbursementBatch
from fund.events.models import Event
from fund.factories.models import Factory
from fund.rolls.models import RollWorker
from ledger.money import format_minor

bp = Blueprint("claims", __name__, url_prefix="/claims")


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
    return int(
        current_app.config.get("CLAIM_ATTACHMENT_MAX_BYTES", attachments.MAX_ATTACHMENT_BYTES)
    )


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
    form.event.choices = _event_choices()
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
    session = get_session()
    me = allowed_user()
    may_decide = me.role_enum in CLAIM_DECIDERS and claim.status == "open"
    staff = me.role_enum in STAFF
    # Candidates show other workers' roll data: fund staff only, not the helpline. Found once:
    # matching reads the whole roll.
    best = searching.candidates(session, claim) if staff else None
    linked = (
        persons.roll_worker(session, event=claim.event, worker_id=claim.worker_id)
        if claim.worker_id
        else None
    )
    if may_decide and accept is None:
        accept = AcceptForm()
        if request.method == "GET":
            _prefill(accept, linked or _best_on_roll(session, claim, best))
    sms = reporting.outcome_text(claim, helpline=helpline_number())
    window = cases.filing_window(session, event=claim.event)
    return render_template(
        "claims/detail.html",
        claim=claim,
        candidates=best,
        linked=linked,
        # Before any accept the officer sees what the event already pays this person or wallet.
        payments=persons.payments_to(
            session,
            event=claim.event,
            national_id=claim.national_id,
            wallets=[w for w in (claim.phone, linked.wallet_number if linked else None) if w],
        )
        if staff
        else None,
        same_ids=sorted(persons.national_ids_of(session, claim.national_id)),
        sms=sms,
        sms_count=messages.count(sms),
        notes=cases.notes_of(session, claim),
        calls=cases.calls_of(session, claim),
        window=window,
        reopened_as=session.scalar(select(Claim).where(Claim.reopened_from_id == claim.id)),
        reopens=session.get(Claim, claim.reopened_from_id) if claim.reopened_from_id else None,
        accept=accept if may_decide else None,
        reject=(reject or RejectForm()) if may_decide else None,
        refer=(refer or ReferForm()) if may_decide else None,
        attach=(attach or AttachmentForm()) if me.role_enum in CLAIM_FILERS else None,
        can_open_files=me.role_enum in ATTACHMENT_READERS
        and cases.handles(session, claim=claim, user=me),
        can_decide=me.role_enum in CLAIM_DECIDERS,
        can_file=me.role_enum in CLAIM_FILERS,
        note_form=NoteForm(),
        callback_form=_callback_form(claim),
        outcome_form=ReferralOutcomeForm(),
        reopen_form=ReopenForm(),
        link_form=LinkForm(),
        same_form=SamePersonForm(),
        window_form=FilingWindowForm(days=window.days),
    )


def _best_on_roll(
    session: Session, claim: Claim, best: list[searching.Candidate] | None
) -> RollWorker | None:
    """The best candidate's roll line, when its national ID is the claimant's."""
    for candidate in best or []:
        if candidate.on_roll and "national ID is the same" in candidate.reasons:
            return persons.roll_worker(session, event=claim.event, worker_id=candidate.worker_id)
    return None


def _prefill(form: AcceptForm, worker: RollWorker | None) -> None:
    """A correction starts from the roll's line, not a blank form."""
    if worker is None:
        return
    form.worker_id.data = worker.worker_id
    form.name.data = worker.name
    form.national_id.data = worker.national_id
    form.section.data = worker.section
    form.join_date.data = worker.join_date
    for name in ("basic", "house_rent", "medical", "transport", "food"):
        getattr(form, name).data = Decimal(getattr(worker, name)) / 100
    form.payment_method.data = worker.payment_method if worker.payment_method in (
        "mobile", "bank") else ""  # fmt: skip
    form.wallet_number.data = worker.wallet_number
    form.bank_account.data = worker.bank_account


def _callback_form(claim: Claim) -> CallbackForm:
    form = CallbackForm(on=claim.callback_on, owner=claim.callback_owner_id or allowed_user().id)
    form.owner.choices = [
        SelectChoice(user.id, user.username)
        for user in get_session().scalars(
            select(User).where(User.active, User.role.in_([r.value for r in CLAIM_FILERS]))
            .order_by(User.username)
        )
    ]  # fmt: skip
    return form


@bp.route("/<int:claim_id>")
@allow(CLAIM_READERS)
def detail(claim_id: int) -> str:
    return _detail_page(_claim(claim_id))


@bp.route("/<int:claim_id>/letter")
@allow(CLAIM_READERS)
def letter(claim_id: int) -> str:
    """The outcome on one printable page, in plain words, for the worker."""
    claim = _claim(claim_id)
    sms = reporting.outcome_text(claim, helpline=helpline_number())
    return render_template(
        "claims/letter.html",
        claim=claim,
        paragraphs=messages.letter(get_session(), claim, helpline=helpline_number()),
        headings=messages.letter_headings(claim),
        beside=messages.letter_beside(get_session(), claim, helpline=helpline_number()),
        sms=sms,
        sms_count=messages.count(sms),
    )


@bp.route("/<int:claim_id>/attachments", methods=["POST"])
@allow(*CLAIM_FILERS)
def attach(claim_id: int) -> Response | tuple[str, int]:
    claim = _claim(claim_id)
    form = AttachmentForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            attachments.add_attachment(
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
        # Audited before the file is sent; the helpline opens only the claims it handles.
        cases.open_attachment(
            get_session(), claim=_claim(claim_id), attachment=found, actor=allowed_user()
        )
    except cases.CaseRefused:
        abort(403)
    try:
        path = attachments.attachment_path(files_folder(), found)
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
        claim = filing.claim_from_verification(
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
            worker = deciding.roll_line(
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
        deciding.accept_claim(
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
            deciding.reject_claim(
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
            deciding.refer_claim(
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
        report=reporting.report(get_session(), today=today),
        deadlines=deadlines(),
        overdue=reporting.overdue(get_session(), today=today),
        kinds=CLAIM_KINDS,
        statuses=CLAIM_STATUSES,
    )


# --- case handling: calls, notes, callbacks, referrals, reopening, who the claimant is ------


def _factory_choices() -> list[SelectChoice]:
    factories = get_session().scalars(select(Factory).order_by(Factory.code))
    return [SelectChoice(0, _("not known")), *(
        SelectChoice(f.id, f"{f.code}: {f.name}") for f in factories
    )]  # fmt: skip


def _calls_page(form: CallForm, status: int = 200) -> tuple[str, int]:
    session = get_session()
    to_claim = CallToClaimForm()
    to_claim.event.choices = _event_choices()
    calls = session.scalars(select(ClaimCall).order_by(ClaimCall.id.desc()).limit(100)).all()
    me = allowed_user()
    return render_template(
        "claims/calls.html", form=form, calls=calls, to_claim=to_claim,
        callbacks=cases.callbacks_due(session, owner=me, today=utcnow().date()),
    ), status  # fmt: skip


@bp.route("/calls", methods=["GET", "POST"])
@allow(*CLAIM_FILERS)
def calls() -> str | Response | tuple[str, int]:
    """Every call to the helpline, and the form to log one (a phone number is enough)."""
    form = CallForm()
    form.factory.choices = _factory_choices()
    if request.method == "GET":
        return _calls_page(form)
    if form.validate_on_submit():
        session = get_session()
        try:
            call = cases.log_call(
                session, actor=allowed_user(), caller_name=form.caller_name.data or "",
                phone=form.phone.data or "", national_id=form.national_id.data or "",
                factory=session.get(Factory, form.factory.data) if form.factory.data else None,
                question=form.question.data or "", answer=form.answer.data or "",
                language=form.language.data or "bn", callback_on=form.callback_on.data,
            )  # fmt: skip
        except services.ClaimInvalid as error:
            session.rollback()
            _field_error(form, error)
        else:
            flash(_("Call %(id)s logged.", id=call.id), "success")
            return redirect(url_for("claims.calls"))
    return _calls_page(form, 400)


@bp.route("/calls/<int:call_id>/claim", methods=["POST"])
@allow(*CLAIM_FILERS)
def call_to_claim(call_id: int) -> Response | tuple[str, int]:
    """The caller's national ID is found: the call becomes a claim."""
    session = get_session()
    call = session.get(ClaimCall, call_id) or abort(404)
    form = CallToClaimForm()
    form.event.choices = _event_choices()
    if form.validate_on_submit():
        event = session.get(Event, form.event.data) or abort(404)
        try:
            claim = followups.claim_from_call(
                session, call=call, event=event, kind=form.kind.data or "other",
                national_id=form.national_id.data or "", actor=allowed_user(),
            )  # fmt: skip
        except services.ClaimRefused as error:
            session.rollback()
            flash(str(error), "error")
        else:
            flash(
                _("Claim %(claim)s filed from call %(call)s.", claim=claim.reference, call=call_id),
                "success",
            )
            return redirect(url_for("claims.detail", claim_id=claim.id))
    else:
        errors = " ".join(e for found in form.errors.values() for e in found)
        flash(errors, "error")
    call_form = CallForm()
    call_form.factory.choices = _factory_choices()
    return _calls_page(call_form, 400)


def _case_step(claim: Claim, step: Any, done: str) -> Response | tuple[str, int]:
    """Run one case-handling step; a refusal is shown on the claim's page (400)."""
    try:
        step()
    except services.ClaimRefused as error:
        get_session().rollback()
        flash(str(error), "error")
        return _detail_page(_claim(claim.id)), 400
    return _decided(claim, done)


@bp.route("/<int:claim_id>/notes", methods=["POST"])
@allow(*CLAIM_FILERS)
def note(claim_id: int) -> Response | tuple[str, int]:
    claim = _claim(claim_id)
    form = NoteForm()
    return _case_step(claim, lambda: cases.add_note(
        get_session(), claim=claim, body=form.body.data or "", actor=allowed_user()
    ), _("Note kept (internal)."))  # fmt: skip


@bp.route("/<int:claim_id>/callback", methods=["POST"])
@allow(*CLAIM_FILERS)
def callback(claim_id: int) -> Response | tuple[str, int]:
    claim = _claim(claim_id)
    form = _callback_form(claim)
    form.process(request.form)
    owner = get_session().get(User, form.owner.data) if form.owner.data else None
    return _case_step(claim, lambda: cases.set_callback(
        get_session(), claim=claim, on=form.on.data, owner=owner, actor=allowed_user()
    ), _("Callback saved."))  # fmt: skip


@bp.route("/<int:claim_id>/referral-outcome", methods=["POST"])
@allow(*CLAIM_DECIDERS)
def referral_outcome(claim_id: int) -> Response | tuple[str, int]:
    claim = _claim(claim_id)
    form = ReferralOutcomeForm()
    return _case_step(claim, lambda: cases.record_referral_outcome(
        get_session(), claim=claim, outcome=form.outcome.data or "", note=form.note.data or "",
        actor=allowed_user(),
    ), _("The referral's outcome is recorded."))  # fmt: skip


@bp.route("/<int:claim_id>/reopen", methods=["POST"])
@allow(*CLAIM_DECIDERS)
def reopen(claim_id: int) -> Response | tuple[str, int]:
    claim = _claim(claim_id)
    form = ReopenForm()
    try:
        again = followups.reopen_claim(
            get_session(), claim=claim, actor=allowed_user(), reason=form.reason.data or "",
            today=utcnow().date(),
        )  # fmt: skip
    except services.ClaimRefused as error:
        get_session().rollback()
        flash(str(error), "error")
        return _detail_page(_claim(claim_id)), 400
    return _decided(again, _("Reopened as %(claim)s.", claim=again.reference))


@bp.route("/<int:claim_id>/link", methods=["POST"])
@allow(*CLAIM_DECIDERS)
def link(claim_id: int) -> Response | tuple[str, int]:
    claim = _claim(claim_id)
    form = LinkForm()
    return _case_step(claim, lambda: persons.link_worker(
        get_session(), claim=claim, worker_id=form.worker_id.data or "", actor=allowed_user()
    ), _("The claim is linked to the worker."))  # fmt: skip


@bp.route("/<int:claim_id>/same-person", methods=["POST"])
@allow(*CLAIM_DECIDERS)
def same_person(claim_id: int) -> Response | tuple[str, int]:
    claim = _claim(claim_id)
    form = SamePersonForm()
    return _case_step(claim, lambda: persons.confirm_same_person(
        get_session(), national_id=claim.national_id, same_as=form.other_id.data or "",
        actor=allowed_user(), evidence=form.evidence.data or "",
    ), _("Both national IDs are recorded as one person."))  # fmt: skip


@bp.route("/<int:claim_id>/filing-window", methods=["POST"])
@allow(*CLAIM_DECIDERS)
def filing_window(claim_id: int) -> Response | tuple[str, int]:
    claim = _claim(claim_id)
    form = FilingWindowForm()
    if not form.validate_on_submit():
        errors = " ".join(e for found in form.errors.values() for e in found)
        flash(errors, "error")
        return _detail_page(claim), 400
    days = int(form.days.data or 0)
    return _case_step(claim, lambda: cases.set_filing_window(
        get_session(), event=claim.event, days=days, actor=allowed_user()
    ), _("The event's filing window is %(days)s days.", days=days))  # fmt: skip
