"""One claim's page: the claim with its candidates, payments, notes and decision forms; the
printable letter; attachments kept with the claim and served by this view only, never by path.

Rules: other workers' roll data (candidates, payments) is shown to fund staff only, never to
the helpline; an attachment is audited before it is sent, opened only by those who handle the
claim, and sent sandboxed (nothing in it runs in the fund's origin).
"""

from __future__ import annotations

from decimal import Decimal

from flask import Response as FlaskResponse
from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3

from fund.auth.access import allow, allowed_user
from fund.auth.models import User
from fund.auth.roles import ATTACHMENT_READERS, CLAIM_DECIDERS, CLAIM_FILERS, CLAIM_READERS, STAFF
from fund.claims import attachments, cases, messages, persons, reporting, searching, services
from fund.claims.forms import (
    AcceptForm,
    AttachmentForm,
    CallbackForm,
    FilingWindowForm,
    LinkForm,
    NoteForm,
    ReferForm,
    ReferralOutcomeForm,
    RejectForm,
    ReopenForm,
    SamePersonForm,
)
from fund.claims.models import Claim, ClaimAttachment
from fund.claims.views.blueprint import (
    bp,
    claim_or_404,
    files_folder,
    helpline_number,
    max_attachment_bytes,
)
from fund.db import get_session
from fund.rolls.models import RollWorker


def detail_page(
    claim: Claim,
    *,
    accept: AcceptForm | None = None,
    reject: RejectForm | None = None,
    refer: ReferForm | None = None,
    attach: AttachmentForm | None = None,
) -> str:
    """The claim's page, with the forms a refused step brought back (and their errors)."""
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
        callback_form=callback_form(claim),
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


def callback_form(claim: Claim) -> CallbackForm:
    """The callback form, its owners the active users who file claims."""
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
    return detail_page(claim_or_404(claim_id))


@bp.route("/<int:claim_id>/letter")
@allow(CLAIM_READERS)
def letter(claim_id: int) -> str:
    """The outcome on one printable page, in plain words, for the worker."""
    claim = claim_or_404(claim_id)
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
    claim = claim_or_404(claim_id)
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
    return detail_page(claim, attach=form), 400


@bp.route("/<int:claim_id>/attachments/<int:attachment_id>")
@allow(*ATTACHMENT_READERS)
def attachment(claim_id: int, attachment_id: int) -> FlaskResponse:
    found = get_session().get(ClaimAttachment, attachment_id)
    if found is None or found.claim_id != claim_id:
        abort(404)
    try:
        # Audited before the file is sent; the helpline opens only the claims it handles.
        cases.open_attachment(
            get_session(), claim=claim_or_404(claim_id), attachment=found, actor=allowed_user()
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
        download_name=f"{claim_or_404(claim_id).reference}-{found.id}{path.suffix}",
        max_age=0,
    )
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "private, no-store"
    return response
