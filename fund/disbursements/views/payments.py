"""One payment's life after the batch is paid: the provider's result file reconciled, a line
marked paid, failed or unclaimed, reissued (or a payee change requested and decided), and
unclaimed payments expired.

Rules: settling or reissuing a payment moves money and needs step-up and the confirmation box;
new payee details are never a reissue but a request another approver decides (four eyes on who
gets paid); a refused step is rolled back and said on the batch's page.
"""

from __future__ import annotations

from flask import abort, current_app, flash
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from fund.auth.access import allow, allowed_user, step_up
from fund.db import get_session, utcnow
from fund.disbursements import payee_changes, paying, reissuing, services, settling
from fund.disbursements.forms import ExpireForm, LineForm, PayeeDecisionForm, ReconcileForm
from fund.disbursements.views.blueprint import PAYERS, REFUSALS, back, batch_or_404, bp, refused


@bp.route("/<int:batch_id>/reconcile", methods=["POST"])
@allow(*PAYERS)
@step_up  # a result file settles lines paid or failed in the books
def reconcile(batch_id: int) -> Response:
    session = get_session()
    batch = batch_or_404(batch_id)
    form = ReconcileForm()
    if not form.validate_on_submit():
        flash(_("Choose the provider's result file."), "error")
        return back(batch)
    upload = form.file.data
    try:
        result = settling.reconcile(
            session,
            batch=batch,
            actor=allowed_user(),
            data=upload.read(),
            filename=upload.filename or "result.csv",
            on=utcnow().date(),
        )
    except REFUSALS as error:
        refused(error)
        return back(batch)
    if result.repeated:
        flash(_("This file was imported before: nothing changed."), "info")
    flash(
        _(
            "%(rows)s rows: %(paid)s paid, %(failed)s failed, %(mismatches)s mismatches.",
            rows=result.rows,
            paid=result.paid,
            failed=result.failed,
            mismatches=len(result.mismatches),
        ),
        "success" if not result.mismatches else "error",
    )
    for mismatch in result.mismatches[:50]:
        flash(_("Mismatch: %(mismatch)s", mismatch=mismatch), "error")
    return back(batch)


@bp.route("/<int:batch_id>/lines/<int:line_id>", methods=["POST"])
@allow(*PAYERS)
@step_up  # settling a payment, or reissuing it to another wallet or account, moves money
def line(batch_id: int, line_id: int) -> Response:
    session = get_session()
    batch = batch_or_404(batch_id)
    form = LineForm()
    if not form.validate_on_submit():
        problems = "; ".join(f"{name}: {', '.join(errors)}" for name, errors in form.errors.items())
        flash(_("Check the line form: %(problems)s", problems=problems), "error")
        return back(batch)
    if not form.confirm.data:
        flash(_("Tick the box to confirm the payment's new state."), "error")
        return back(batch)
    me, on = allowed_user(), utcnow().date()
    try:
        target = services.get_line(session, batch=batch, line_id=line_id)
        if form.action.data == "paid":
            paying.mark_paid(session, line=target, actor=me, on=on)
        elif form.action.data == "failed":
            paying.mark_failed(
                session, line=target, actor=me, on=on, reason=form.reason.data or "failed"
            )
        elif form.action.data == "unclaimed":
            reissuing.mark_unclaimed(session, line=target, actor=me, on=on)
        else:
            details: dict[str, str | None] = {
                "method": form.method.data or None,
                "wallet_number": form.wallet.data or None,
                "bank_account": form.bank_account.data or None,
            }
            try:
                target = reissuing.reissue(
                    session,
                    line=target,
                    actor=me,
                    on=on,
                    secret_key=current_app.config["SECRET_KEY"],
                    **details,
                )
            except reissuing.PayeeChangeNeeded:
                # Other details: a request for another approver, not a payment.
                change = payee_changes.request_payee_change(
                    session,
                    line=target,
                    actor=me,
                    reason=form.reason.data or "",
                    method=details["method"],
                    wallet_number=details["wallet_number"],
                    bank_account=details["bank_account"],
                )
                flash(
                    _(
                        "Payee change %(id)s requested: an approver other than you approves it "
                        "before any money moves.",
                        id=change.id,
                    ),
                    "success",
                )
                return back(batch)
    except REFUSALS as error:
        refused(error)
        return back(batch)
    flash(
        _("%(receipt)s is %(state)s.", receipt=target.receipt_number, state=target.state),
        "success",
    )
    return back(batch)


@bp.route("/<int:batch_id>/payee-changes/<int:change_id>", methods=["POST"])
@allow(*payee_changes.DECIDERS)
@step_up  # approving a payee change decides who gets paid
def payee_change(batch_id: int, change_id: int) -> Response:
    session = get_session()
    batch = batch_or_404(batch_id)
    form = PayeeDecisionForm()
    if not form.validate_on_submit():
        flash(_("Say approve or reject."), "error")
        return back(batch)
    me = allowed_user()
    try:
        change = payee_changes.get_change(session, change_id)
        if change.batch_id != batch.id:
            abort(404)
        if form.decision.data == "approve":
            fresh = payee_changes.approve_payee_change(
                session,
                change=change,
                actor=me,
                on=utcnow().date(),
                secret_key=current_app.config["SECRET_KEY"],
            )
            flash(_("%(receipt)s is pending.", receipt=fresh.receipt_number), "success")
        else:
            payee_changes.reject_payee_change(
                session, change=change, actor=me, note=form.note.data or ""
            )
            flash(_("Payee change %(id)s rejected.", id=change.id), "success")
    except REFUSALS as error:
        refused(error)
    return back(batch)


@bp.route("/<int:batch_id>/expire-unclaimed", methods=["POST"])
@allow(*PAYERS)
def expire_unclaimed(batch_id: int) -> Response:
    batch = batch_or_404(batch_id)
    form = ExpireForm()
    if not form.validate_on_submit() or not form.confirm.data:
        flash(_("Give the number of days and tick the box to confirm."), "error")
        return back(batch)
    try:
        moved = reissuing.expire_unclaimed(
            get_session(),
            batch=batch,
            actor=allowed_user(),
            on=utcnow().date(),
            after_days=form.after_days.data or 0,
        )
    except REFUSALS as error:
        refused(error)
        return back(batch)
    flash(_("%(count)s payment(s) moved to unclaimed payouts.", count=len(moved)), "success")
    return back(batch)
