"""Batch pages (fund staff): the batches of an event, one batch with its actions and downloads.

Thin: each POST checks the form (and the confirmation box for steps that move money or cannot
be undone), calls the service, and turns a refusal into a message; the service enforces the
rules again (four eyes, funds, states), so the page can never do what the rules forbid.
"""

from __future__ import annotations

import io
import re
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
from sqlalchemy import func, or_, select
from werkzeug.wrappers import Response

from fund.arguments import id_argument
from fund.auth.access import allow, allowed_user, step_up
from fund.auth.roles import STAFF, Role
from fund.claims.provenance import claims_in_batch
from fund.controls.approvals import approvers, bands_from_config
from fund.db import get_session, utcnow
from fund.disbursements import (
    approving,
    making,
    outputs,
    payee_changes,
    paying,
    reissuing,
    services,
    settling,
)
from fund.disbursements.decision import decision, shown_state, shown_states
from fund.disbursements.forms import (
    CreateBatchForm,
    ExpireForm,
    FloatForm,
    LineForm,
    PayeeDecisionForm,
    ReasonForm,
    ReconcileForm,
    StepForm,
)
from fund.disbursements.models import DisbursementBatch, PaymentLine, ResultImport
from fund.disbursements.receipt_checks import check_receipt
from fund.disbursements.receipts import render_receipts
from fund.disbursements.reconciliation import ResultFileInvalid
from fund.disbursements.sheets import build_sheet_pdf, build_sheet_xlsx
from fund.disbursements.step_dates import StepDateRefused
from fund.entitlements.services import latest_run
from fund.events.models import Event
from fund.jobs.services import start_job
from ledger import InsufficientFunds, LedgerError
from ledger.money import MoneyError, format_minor, to_minor

bp = Blueprint("disbursements", __name__, url_prefix="/batches")
PER_PAGE = 200
PREPARERS = tuple(services.PREPARERS)
APPROVERS = tuple(services.APPROVERS)
PAYERS = tuple(services.PAYERS)
CLOSERS = tuple(services.PREPARERS | services.APPROVERS)
FILE_READERS = (*PAYERS, Role.AUDITOR)
REFUSALS = (
    services.BatchRefused,
    InsufficientFunds,
    LedgerError,
    ResultFileInvalid,
    StepDateRefused,
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _batch(batch_id: int) -> DisbursementBatch:
    return get_session().get(DisbursementBatch, batch_id) or abort(404)


def _refused(error: Exception) -> None:
    get_session().rollback()  # nothing of a refused step is kept
    flash(str(error), "error")


def _back(batch: DisbursementBatch) -> Response:
    return redirect(url_for("disbursements.detail", batch_id=batch.id))


def _unclaimed_days() -> int:
    return int(current_app.config.get("UNCLAIMED_AFTER_DAYS", services.DEFAULT_UNCLAIMED_DAYS))


def _fees() -> dict[str, int]:
    return dict(current_app.config.get("DISBURSEMENT_FEES", services.DEFAULT_FEES))


@bp.route("/")
@allow(STAFF)
def index() -> str:
    session = get_session()
    query = select(DisbursementBatch).order_by(DisbursementBatch.id.desc())
    event = None
    event_id = id_argument("event")
    if event_id is not None:
        event = session.get(Event, event_id) or abort(404)
        query = query.where(DisbursementBatch.event_id == event.id)
    batches = session.scalars(query.limit(500)).all()
    return render_template(
        "disbursements/index.html",
        batches=batches,
        shown_states=shown_states(session, list(batches)),
        event=event,
        run=latest_run(session, event) if event else None,
        overpaid=making.overpayments(session, event=event) if event else [],
        form=CreateBatchForm()
        if event and allowed_user().role_enum in services.PREPARERS
        else None,
        float_form=FloatForm() if allowed_user().role_enum in services.PAYERS else None,
        available=approving.available_funds(session),
    )


@bp.route("/receipts/check")
@allow(STAFF)
def receipt_check() -> str:
    """A receipt someone holds: its number and code, checked against what the fund issued."""
    number = request.args.get("number", "").strip()[:40]
    code = request.args.get("code", "").strip()[:40]
    verdict = None
    if number and code:
        verdict = check_receipt(
            get_session(),
            receipt_number=number,
            code=code,
            secret_key=current_app.config["SECRET_KEY"],
        )
    return render_template(
        "disbursements/receipt_check.html", number=number, code=code, verdict=verdict
    )


@bp.route("/event/<int:event_id>", methods=["POST"])
@allow(*PREPARERS)
def create(event_id: int) -> Response:
    session = get_session()
    event = session.get(Event, event_id) or abort(404)
    form = CreateBatchForm()
    if not form.validate_on_submit():
        flash(_("The form expired or was incomplete; try again."), "error")
        return redirect(url_for("disbursements.index", event=event.id))
    workers = [w for w in re.split(r"[\s,;]+", form.workers.data or "") if w]
    try:
        batch = making.create_batch(
            session,
            event=event,
            actor=allowed_user(),
            secret_key=current_app.config["SECRET_KEY"],
            selection=workers or None,
            top_up=bool(form.top_up.data),
        )
    except REFUSALS as error:
        _refused(error)
        return redirect(url_for("disbursements.index", event=event.id))
    flash(
        _(
            "Draft batch %(batch)s: %(workers)s workers, %(amount)s %(currency)s.",
            batch=batch.id,
            workers=batch.line_count,
            amount=format_minor(batch.total_minor, batch.currency),
            currency=batch.currency,
        ),
        "success",
    )
    return _back(batch)


@bp.route("/<int:batch_id>")
@allow(STAFF)
def detail(batch_id: int) -> str:
    session = get_session()
    batch = _batch(batch_id)
    me = allowed_user()
    query = select(PaymentLine).where(PaymentLine.batch_id == batch.id)
    search = request.args.get("q", "").strip()[:100]
    if search:
        like = f"%{search}%"
        query = query.where(
            or_(
                PaymentLine.worker_id.ilike(like),
                PaymentLine.name.ilike(like),
                PaymentLine.receipt_number.ilike(like),
            )
        )
    shown = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    lines = session.scalars(query.order_by(PaymentLine.id).limit(PER_PAGE)).all()
    role = me.role_enum
    state = batch.state
    may = {
        "submit": state == "draft" and role in services.PREPARERS,
        "approve": state == "submitted"
        and role in services.APPROVERS
        and batch.submitted_by_id != me.id,
        "reject": state == "submitted" and role in services.APPROVERS,
        "cancel": state in ("draft", "submitted", "approved")
        and role in services.PREPARERS | services.APPROVERS,
        "pay": state == "approved" and role in services.PAYERS,
        "settle": state == "paid" and role in services.PAYERS,
    }
    return render_template(
        "disbursements/detail.html",
        batch=batch,
        lines=lines,
        shown=shown,
        search=search,
        counts=outputs.state_counts(session, batch),
        imports=session.scalars(
            select(ResultImport).where(ResultImport.batch_id == batch.id).order_by(ResultImport.id)
        ).all(),
        may=may,
        own_submission=state == "submitted" and batch.submitted_by_id == me.id,
        step_form=StepForm(),
        reason_form=ReasonForm(),
        reconcile_form=ReconcileForm(),
        line_form=LineForm(),
        expire_form=ExpireForm(after_days=_unclaimed_days()),
        available=approving.available_funds(session),
        mobile_needed=paying.mobile_needed(session, batch),
        may_download_payment_file=role in FILE_READERS,
        approvals=approvers(session, batch.id),
        decision=decision(session, batch),
        shown_state=shown_state(session, batch),
        from_claims=claims_in_batch(session, batch_id=batch.id),
        payee_changes=payee_changes.open_changes(session, batch_id=batch.id),
        may_decide_payee_changes=role in payee_changes.DECIDERS,
        payee_form=PayeeDecisionForm(),
        me_id=me.id,
    )


def _step(batch_id: int, name: str, *, confirmed: bool) -> Response:
    session = get_session()
    batch = _batch(batch_id)
    form = StepForm()
    if not form.validate_on_submit():
        flash(_("The form expired or had a bad date; try again."), "error")
        return _back(batch)
    if confirmed and not form.confirm.data:
        flash(_("Tick the box to confirm: %(step)s cannot be undone.", step=name), "error")
        return _back(batch)
    on = form.on.data or utcnow().date()
    kwargs: dict[str, Any] = {"on": on, "fees": _fees()} if name in ("approve", "pay") else {}
    if name == "submit":
        kwargs = {"bands": bands_from_config(current_app.config)}
    try:
        getattr(paying if name == "pay" else approving, name)(
            session, batch=batch, actor=allowed_user(), **kwargs
        )
    except REFUSALS as error:
        _refused(error)
        return _back(batch)
    flash(_("Batch %(batch)s is %(state)s.", batch=batch.id, state=batch.state), "success")
    return _back(batch)


@bp.route("/<int:batch_id>/submit", methods=["POST"])
@allow(*PREPARERS)
def submit(batch_id: int) -> Response:
    return _step(batch_id, "submit", confirmed=False)


@bp.route("/<int:batch_id>/approve", methods=["POST"])
@allow(*APPROVERS)
@step_up
def approve(batch_id: int) -> Response:
    return _step(batch_id, "approve", confirmed=True)


@bp.route("/<int:batch_id>/pay", methods=["POST"])
@allow(*PAYERS)
@step_up
def pay(batch_id: int) -> Response:
    return _step(batch_id, "pay", confirmed=True)


def _close(batch_id: int, name: str) -> Response:
    session = get_session()
    batch = _batch(batch_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Say why."), "error")
        return _back(batch)
    if not form.confirm.data:
        flash(_("Tick the box to confirm: %(step)s cannot be undone.", step=name), "error")
        return _back(batch)
    kwargs: dict[str, Any] = {"reason": form.reason.data or ""}
    if name == "cancel":
        kwargs["on"] = form.on.data or utcnow().date()
    try:
        getattr(approving, name)(session, batch=batch, actor=allowed_user(), **kwargs)
    except REFUSALS as error:
        _refused(error)
        return _back(batch)
    flash(_("Batch %(batch)s is %(state)s.", batch=batch.id, state=batch.state), "success")
    return _back(batch)


@bp.route("/<int:batch_id>/reject", methods=["POST"])
@allow(*APPROVERS)
def reject(batch_id: int) -> Response:
    return _close(batch_id, "reject")


@bp.route("/<int:batch_id>/cancel", methods=["POST"])
@allow(*CLOSERS)
def cancel(batch_id: int) -> Response:
    return _close(batch_id, "cancel")


@bp.route("/<int:batch_id>/reconcile", methods=["POST"])
@allow(*PAYERS)
@step_up  # a result file settles lines paid or failed in the books
def reconcile(batch_id: int) -> Response:
    session = get_session()
    batch = _batch(batch_id)
    form = ReconcileForm()
    if not form.validate_on_submit():
        flash(_("Choose the provider's result file."), "error")
        return _back(batch)
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
        _refused(error)
        return _back(batch)
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
    return _back(batch)


@bp.route("/<int:batch_id>/lines/<int:line_id>", methods=["POST"])
@allow(*PAYERS)
@step_up  # settling a payment, or reissuing it to another wallet or account, moves money
def line(batch_id: int, line_id: int) -> Response:
    session = get_session()
    batch = _batch(batch_id)
    form = LineForm()
    if not form.validate_on_submit():
        problems = "; ".join(f"{name}: {', '.join(errors)}" for name, errors in form.errors.items())
        flash(_("Check the line form: %(problems)s", problems=problems), "error")
        return _back(batch)
    if not form.confirm.data:
        flash(_("Tick the box to confirm the payment's new state."), "error")
        return _back(batch)
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
                return _back(batch)
    except REFUSALS as error:
        _refused(error)
        return _back(batch)
    flash(
        _("%(receipt)s is %(state)s.", receipt=target.receipt_number, state=target.state),
        "success",
    )
    return _back(batch)


@bp.route("/<int:batch_id>/payee-changes/<int:change_id>", methods=["POST"])
@allow(*payee_changes.DECIDERS)
@step_up  # approving a payee change decides who gets paid
def payee_change(batch_id: int, change_id: int) -> Response:
    session = get_session()
    batch = _batch(batch_id)
    form = PayeeDecisionForm()
    if not form.validate_on_submit():
        flash(_("Say approve or reject."), "error")
        return _back(batch)
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
        _refused(error)
    return _back(batch)


def _send(data: bytes, mimetype: str, name: str) -> FlaskResponse:
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)


#: A batch file's job kind and download name, by what the page asks for.
_BATCH_FILES = {
    "sheet-xlsx": ("batch-sheet-xlsx", "sheet.xlsx"),
    "sheet-pdf": ("batch-sheet-pdf", "sheet.pdf"),
    "receipts": ("batch-receipts", "receipts.pdf"),
}


def _large_batch_file(batch: DisbursementBatch, what: str) -> Response | None:
    """A sheet or receipts of more than ``BACKGROUND_LINES`` lines: a job and its page."""
    lines = outputs.live_line_count(get_session(), batch)
    if lines <= current_app.config["BACKGROUND_LINES"]:
        return None
    kind, name = _BATCH_FILES[what]
    job = start_job(
        get_session(),
        owner=allowed_user(),
        kind=kind,
        params={"batch": batch.id, "file": what},
        title=_("Batch %(batch)s: %(name)s", batch=batch.id, name=name),
        result_name=f"batch-{batch.id}-{name}",
        total=lines,
    )
    return redirect(url_for("jobs.show", job_id=job.id))


@bp.route("/<int:batch_id>/sheet.<file_format>")
@allow(STAFF)
def sheet(batch_id: int, file_format: str) -> Response:
    if file_format not in ("xlsx", "pdf"):
        abort(404)
    session = get_session()
    batch = _batch(batch_id)
    if (later := _large_batch_file(batch, f"sheet-{file_format}")) is not None:
        return later
    header, rows = outputs.sheet_header(batch), outputs.sheet_rows(session, batch)
    if file_format == "xlsx":
        return _send(build_sheet_xlsx(header, rows), XLSX, f"batch-{batch.id}-sheet.xlsx")
    return _send(build_sheet_pdf(header, rows), "application/pdf", f"batch-{batch.id}-sheet.pdf")


@bp.route("/<int:batch_id>/receipts.pdf")
@allow(STAFF)
def receipts(batch_id: int) -> Response:
    batch = _batch(batch_id)
    if (later := _large_batch_file(batch, "receipts")) is not None:
        return later
    data = render_receipts(outputs.receipts(get_session(), batch))
    return _send(data, "application/pdf", f"batch-{batch.id}-receipts.pdf")


@bp.route("/<int:batch_id>/payment-<file_format>.csv")
@allow(*FILE_READERS)
def payment_file(batch_id: int, file_format: str) -> FlaskResponse:
    if file_format not in ("mobile", "bank"):
        abort(404)
    batch = _batch(batch_id)
    data = outputs.payment_file(
        get_session(),
        batch,
        file_format=file_format,
        bom_formats=current_app.config["PAYMENT_FILE_BOM"],
    )
    return _send(data, "text/csv", f"batch-{batch.id}-{file_format}.csv")


@bp.route("/<int:batch_id>/expire-unclaimed", methods=["POST"])
@allow(*PAYERS)
def expire_unclaimed(batch_id: int) -> Response:
    batch = _batch(batch_id)
    form = ExpireForm()
    if not form.validate_on_submit() or not form.confirm.data:
        flash(_("Give the number of days and tick the box to confirm."), "error")
        return _back(batch)
    try:
        moved = reissuing.expire_unclaimed(
            get_session(),
            batch=batch,
            actor=allowed_user(),
            on=utcnow().date(),
            after_days=form.after_days.data or 0,
        )
    except REFUSALS as error:
        _refused(error)
        return _back(batch)
    flash(_("%(count)s payment(s) moved to unclaimed payouts.", count=len(moved)), "success")
    return _back(batch)


@bp.route("/float", methods=["POST"])
@allow(*PAYERS)
@step_up  # cash moves from the bank to the float
def fund_float() -> Response:
    form = FloatForm()
    back = redirect(url_for("disbursements.index"))
    if not form.validate_on_submit() or not form.confirm.data:
        flash(_("Give the amount and tick the box to confirm."), "error")
        return back
    try:
        minor = to_minor(form.amount.data or 0, "BDT")
        paying.transfer_to_float(
            get_session(), amount_minor=minor, actor=allowed_user(), on=utcnow().date()
        )
    except MoneyError as error:
        flash(str(error), "error")
        return back
    except REFUSALS as error:
        _refused(error)
        return back
    flash(
        _(
            "Moved %(amount)s BDT to the mobile-money float.",
            amount=format_minor(minor, "BDT"),
        ),
        "success",
    )
    return back
