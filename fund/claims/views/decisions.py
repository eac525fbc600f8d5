"""Deciding a claim: accept (with a corrected roll line and a top-up batch), reject, refer; and
a claim opened from a verification call in which a worker said the money never came.

Rules: accepting or rejecting needs the confirmation box; the deciding service enforces who
may decide and what a top-up may pay, so a refusal is shown on the claim's page (400) and
nothing of it is kept.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from fund.auth.access import allow, allowed_user
from fund.auth.roles import CLAIM_DECIDERS
from fund.claims import deciding, filing, services
from fund.claims.forms import AcceptForm, ReferForm, RejectForm
from fund.claims.views.blueprint import bp, claim_or_404, deadlines, decided, field_error
from fund.claims.views.claim_page import detail_page
from fund.controls.approvals import bands_from_config
from fund.controls.models import VerificationCall
from fund.db import get_session
from fund.disbursements.models import DisbursementBatch
from ledger.money import format_minor


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
    return decided(claim, _("Claim %(claim)s opened to trace the payment.", claim=claim.reference))


@bp.route("/<int:claim_id>/accept", methods=["POST"])
@allow(*CLAIM_DECIDERS)
def accept(claim_id: int) -> Response | tuple[str, int]:
    claim = claim_or_404(claim_id)
    form = AcceptForm()
    if not form.validate_on_submit():
        return detail_page(claim, accept=form), 400
    if not form.confirm.data:
        form.confirm.errors = [_("Tick to confirm.")]
        return detail_page(claim, accept=form), 400
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
        field_error(form, error)
        return detail_page(claim_or_404(claim_id), accept=form), 400
    except services.ClaimRefused as error:
        session.rollback()
        flash(str(error), "error")
        return detail_page(claim_or_404(claim_id), accept=form), 400
    top_up = session.get(DisbursementBatch, claim.batch_id) if claim.batch_id else None
    if top_up is not None and top_up.state == "draft":
        return decided(
            claim,
            _(
                "Accepted. Top-up batch %(batch)s of %(amount)s BDT is held as a draft: the new "
                "roll version has high findings to acknowledge on its page; then submit the batch.",
                batch=claim.batch_id,
                amount=format_minor(claim.amount_minor or 0, "BDT"),
            ),
        )
    if claim.batch_id:
        return decided(
            claim,
            _(
                "Accepted. Top-up batch %(batch)s of %(amount)s BDT waits for an approver.",
                batch=claim.batch_id,
                amount=format_minor(claim.amount_minor or 0, "BDT"),
            ),
        )
    return decided(claim, _("Accepted."))


@bp.route("/<int:claim_id>/reject", methods=["POST"])
@allow(*CLAIM_DECIDERS)
def reject(claim_id: int) -> Response | tuple[str, int]:
    claim = claim_or_404(claim_id)
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
            return decided(claim, _("Not accepted; the worker can be told why."))
    return detail_page(claim, reject=form), 400


@bp.route("/<int:claim_id>/refer", methods=["POST"])
@allow(*CLAIM_DECIDERS)
def refer(claim_id: int) -> Response | tuple[str, int]:
    claim = claim_or_404(claim_id)
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
            return decided(claim, _("Referred to %(to)s.", to=claim.referred_to))
    return detail_page(claim, refer=form), 400
