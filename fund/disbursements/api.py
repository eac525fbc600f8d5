"""The batch endpoints of ``/api/v1``: batches, their steps and lines, payee changes, files.

Every action of the web page has an endpoint; the service enforces the rules (four eyes,
funds, states) and its named refusals become 403 (self-approval, role) or 409 (state, funds,
nothing to pay, unknown workers); 422 is kept for a body or file that cannot be read. Brands get
403 on all of them. Steps that move money, or change who is paid, ask for a step-up token.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Response, abort, current_app, jsonify, send_file
from marshmallow import ValidationError
from sqlalchemy import select

from fund.api.blueprint import bp
from fund.api.errors import ErrorBody, error_response
from fund.api.pagination import PageArgs, page_of, read_page
from fund.auth.access import allow, allowed_user, step_up
from fund.auth.roles import STAFF, Role
from fund.controls.approvals import bands_from_config
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
from fund.disbursements.models import DisbursementBatch, PayeeChange, PaymentLine
from fund.disbursements.receipts import render_receipts
from fund.disbursements.reconciliation import ResultFileInvalid
from fund.disbursements.schemas import (
    BatchArgs,
    BatchDetailOut,
    BatchOut,
    CreateBatchIn,
    DecisionIn,
    ExpireIn,
    FloatIn,
    FloatOut,
    LineActionIn,
    OnIn,
    PayeeChangeIn,
    PayeeChangeOut,
    PaymentFileArgs,
    PaymentLineOut,
    ReasonIn,
    ReconciliationOut,
    ResultFileIn,
)
from fund.disbursements.settling import ReconciliationResult
from fund.disbursements.sheets import build_sheet_pdf, build_sheet_xlsx
from fund.disbursements.step_dates import StepDateRefused
from fund.events.models import Event
from ledger import InsufficientFunds, LedgerError
from ledger.errors import AmountTooLarge, FutureDate
from ledger.money import MoneyError, to_minor

PREPARERS = tuple(services.PREPARERS)
APPROVERS = tuple(services.APPROVERS)
PAYERS = tuple(services.PAYERS)
CLOSERS = tuple(services.PREPARERS | services.APPROVERS)
FILE_READERS = (*PAYERS, Role.AUDITOR)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
LINE_ACTIONS = ("paid", "failed", "unclaimed", "reissue")
DECISIONS = ("approve", "reject")

BatchPage = page_of(BatchOut, "BatchPage")
PaymentLinePage = page_of(PaymentLineOut, "PaymentLinePage")

#: The 409 of every write here: what the rules may refuse (``code`` says which).
REFUSED = {
    "schema": ErrorBody,
    "description": "refused by the rules: the batch or line is in another state, the fund lacks"
    " the money, nothing is left to pay, the workers named are not paid by the event, the roll"
    " has unacknowledged high findings, a worker is already paid (double payment), or the date"
    " is after today or before the step it follows (bad_date)",
}
#: The 403 of a step that four eyes share: the second pair may not be the first.
NOT_YOURS = {
    "schema": ErrorBody,
    "description": "the token's role may not do this, or it is this user's own request"
    " (self_approval: never the submitter or requester)",
}


def _choice(name: str, values: tuple[str, ...]) -> dict[str, Any]:
    """A path segment that takes one of ``values`` (any other is a 404)."""
    return {"in": "path", "name": name, "schema": {"type": "string", "enum": list(values)}}


def _file(description: str, *mimetypes: str) -> dict[str, Any]:
    """The 200 of a download: the file, in one of ``mimetypes``."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {"200": {"description": description, "content": dict.fromkeys(mimetypes, binary)}}


def _batch(batch_id: int) -> DisbursementBatch:
    batch = get_session().get(DisbursementBatch, batch_id)
    if batch is None:
        abort(404, description=f"no batch {batch_id}")
    return batch


def _line(batch_id: int, line_id: int) -> PaymentLine:
    """The batch's payment line ``line_id``, or a 404 naming what is missing."""
    try:
        return services.get_line(get_session(), batch=_batch(batch_id), line_id=line_id)
    except services.UnknownPaymentLine as error:
        abort(404, description=str(error))


def _on(args: dict[str, Any]) -> date:
    """The body's effective date; today when it names none."""
    on: date = args["on"] or utcnow().date()
    return on


def _reason(args: dict[str, Any]) -> str:
    """The body's reason, which this action needs (a 422 naming the field when absent)."""
    if args["reason"] is None:
        raise ValidationError({"reason": ["Missing data for required field."]})
    return str(args["reason"])


def _fees() -> dict[str, int]:
    return dict(current_app.config.get("DISBURSEMENT_FEES", services.DEFAULT_FEES))


#: A service's refusal as answered: (what it is, status, code, the field at fault); first wins.
ANSWERS: tuple[tuple[type[Exception] | tuple[type[Exception], ...], int, str, str | None], ...] = (
    (services.SelfApprovalRefused, 403, "self_approval", None),
    (reissuing.PayeeChangeNeeded, 409, "payee_change_needed", None),
    (services.NotAllowed, 403, "not_allowed", None),
    (services.BatchStateError, 409, "wrong_state", None),
    (InsufficientFunds, 409, "insufficient_funds", None),
    (services.NothingToPay, 409, "nothing_to_pay", None),
    (services.FindingsNotAcknowledged, 409, "findings_not_acknowledged", None),
    (services.DoublePaymentRefused, 409, "double_payment", "workers"),
    (services.UnknownWorkers, 409, "unknown_workers", "workers"),
    (ResultFileInvalid, 422, "result_file_invalid", "file"),
    # 409, not 422: the body is well formed; the rules refuse the date it names.
    ((StepDateRefused, FutureDate), 409, "bad_date", "on"),
    (AmountTooLarge, 422, "amount_too_large", None),
)


def refusal(error: Exception) -> Response:
    """A service refusal in the API's error shape, with the status that fits it."""
    get_session().rollback()
    for kind, status, code, field in ANSWERS:
        if isinstance(error, kind):
            return error_response(status, code, str(error), field)
    return error_response(409, "refused", str(error))


REFUSALS = (
    services.BatchRefused,
    InsufficientFunds,
    LedgerError,
    ResultFileInvalid,
    StepDateRefused,
)


@bp.route("/batches", endpoint="batches")
@allow(STAFF)
@bp.arguments(BatchArgs, location="query")
@bp.response(200, BatchPage)
def list_batches(args: dict[str, Any]) -> dict[str, Any]:
    """Disbursement batches, newest first (fund staff only)."""
    query = select(DisbursementBatch).order_by(DisbursementBatch.id.desc())
    if "event_id" in args:
        query = query.where(DisbursementBatch.event_id == args["event_id"])
    return read_page(get_session(), query, args)


@bp.route("/events/<int:event_id>/batches", methods=["POST"], endpoint="create_batch")
@allow(*PREPARERS)
@bp.arguments(CreateBatchIn)
@bp.response(201, BatchDetailOut)
@bp.alt_response(409, **REFUSED)
def create(args: dict[str, Any], event_id: int) -> DisbursementBatch | Response:
    """Make a draft batch of the event's computed entitlements (officers)."""
    session = get_session()
    event = session.get(Event, event_id)
    if event is None:
        abort(404, description=f"no event {event_id}")
    try:
        return making.create_batch(
            session,
            event=event,
            actor=allowed_user(),
            secret_key=current_app.config["SECRET_KEY"],
            selection=args["workers"],
            top_up=args["top_up"],
        )
    except REFUSALS as error:
        return refusal(error)


@bp.route("/batches/<int:batch_id>", endpoint="batch")
@allow(STAFF)
@bp.response(200, BatchDetailOut)
def detail(batch_id: int) -> DisbursementBatch:
    """One batch with its history (fund staff only)."""
    return _batch(batch_id)


@bp.route("/batches/<int:batch_id>/lines", endpoint="batch_lines")
@allow(STAFF)
@bp.arguments(PageArgs, location="query")
@bp.response(200, PaymentLinePage)
def lines(args: dict[str, Any], batch_id: int) -> dict[str, Any]:
    """The batch's payment lines (fund staff only; national IDs masked)."""
    batch = _batch(batch_id)
    query = select(PaymentLine).where(PaymentLine.batch_id == batch.id).order_by(PaymentLine.id)
    return read_page(get_session(), query, args)


def _step(
    step: Callable[..., object], batch_id: int, **options: Any
) -> DisbursementBatch | Response:
    """Take the batch one step (the service's refusal answered as such)."""
    batch = _batch(batch_id)
    try:
        step(get_session(), batch=batch, actor=allowed_user(), **options)
    except REFUSALS as error:
        return refusal(error)
    return batch


@bp.route("/batches/<int:batch_id>/submit", methods=["POST"], endpoint="batch_submit")
@allow(*PREPARERS)
@bp.arguments(OnIn)
@bp.response(200, BatchDetailOut, description="the batch after the step")
@bp.alt_response(409, **REFUSED)
def submit(args: dict[str, Any], batch_id: int) -> DisbursementBatch | Response:
    """Hand a draft to the approvers (officers)."""
    return _step(approving.submit, batch_id, bands=bands_from_config(current_app.config))


@bp.route("/batches/<int:batch_id>/approve", methods=["POST"], endpoint="batch_approve")
@allow(*APPROVERS)
@step_up  # money moves: a fresh second factor (step-up token)
@bp.arguments(OnIn)
@bp.response(200, BatchDetailOut, description="the batch after the step")
@bp.alt_response(403, **NOT_YOURS)
@bp.alt_response(409, **REFUSED)
def approve(args: dict[str, Any], batch_id: int) -> DisbursementBatch | Response:
    """Approve and post Dr 5000 / Cr 2000 once (approvers; never the submitter)."""
    return _step(approving.approve, batch_id, on=_on(args), fees=_fees())


@bp.route("/batches/<int:batch_id>/reject", methods=["POST"], endpoint="batch_reject")
@allow(*APPROVERS)
@bp.arguments(ReasonIn)
@bp.response(200, BatchDetailOut, description="the batch after the step")
@bp.alt_response(409, **REFUSED)
def reject(args: dict[str, Any], batch_id: int) -> DisbursementBatch | Response:
    """Send a submitted batch back (approvers)."""
    return _step(approving.reject, batch_id, reason=args["reason"])


@bp.route("/batches/<int:batch_id>/cancel", methods=["POST"], endpoint="batch_cancel")
@allow(*CLOSERS)
@bp.arguments(ReasonIn)
@bp.response(200, BatchDetailOut, description="the batch after the step")
@bp.alt_response(409, **REFUSED)
def cancel(args: dict[str, Any], batch_id: int) -> DisbursementBatch | Response:
    """Cancel a batch not yet paid; an approved one is reversed."""
    return _step(approving.cancel, batch_id, reason=args["reason"], on=_on(args))


@bp.route("/batches/<int:batch_id>/pay", methods=["POST"], endpoint="batch_pay")
@allow(*PAYERS)
@step_up  # money moves: a fresh second factor (step-up token)
@bp.arguments(OnIn)
@bp.response(200, BatchDetailOut, description="the batch after the step")
@bp.alt_response(409, **REFUSED)
def pay(args: dict[str, Any], batch_id: int) -> DisbursementBatch | Response:
    """Release the money: Dr 2000 / Cr 1010 and 1020, fees to 5100."""
    return _step(paying.pay, batch_id, on=_on(args), fees=_fees())


@bp.route(
    "/batches/<int:batch_id>/expire-unclaimed",
    methods=["POST"],
    endpoint="batch_expire_unclaimed",
)
@allow(*PAYERS)
@bp.arguments(ExpireIn)
@bp.response(200, BatchDetailOut)
@bp.alt_response(409, **REFUSED)
def expire_unclaimed(args: dict[str, Any], batch_id: int) -> DisbursementBatch | Response:
    """Failed lines not reissued within the period: Dr 2000 / Cr 2100."""
    days = args["after_days"]
    if days is None:
        days = int(current_app.config.get("UNCLAIMED_AFTER_DAYS", services.DEFAULT_UNCLAIMED_DAYS))
    return _step(reissuing.expire_unclaimed, batch_id, on=_on(args), after_days=days)


@bp.route("/float", methods=["POST"], endpoint="fund_float")
@allow(*PAYERS)
@step_up  # cash from the bank to the float: money moves
@bp.arguments(FloatIn)
@bp.response(201, FloatOut, description="the entry")
@bp.alt_response(409, **REFUSED)
def fund_float(args: dict[str, Any]) -> dict[str, Any] | Response:
    """Move taka from the bank (1010) to the mobile-money float (1020)."""
    try:
        entry = paying.transfer_to_float(
            get_session(),
            amount_minor=to_minor(args["amount"], "BDT"),
            actor=allowed_user(),
            on=_on(args),
        )
    except MoneyError as error:
        return error_response(422, "invalid", str(error), "amount")
    except REFUSALS as error:
        return refusal(error)
    return {"entry_id": entry.id, "amount": args["amount"]}


@bp.route("/batches/<int:batch_id>/reconcile", methods=["POST"], endpoint="batch_reconcile")
@allow(*PAYERS)
@step_up  # a result file settles lines: money moves
@bp.arguments(ResultFileIn, location="files")
@bp.response(200, ReconciliationOut, description="what the file did")
@bp.alt_response(409, **REFUSED)
def reconcile(args: dict[str, Any], batch_id: int) -> ReconciliationResult | Response:
    """Import the provider result file; the same file again changes nothing."""
    batch = _batch(batch_id)
    upload = args["file"]
    try:
        return settling.reconcile(
            get_session(),
            batch=batch,
            actor=allowed_user(),
            data=upload.read(),
            filename=upload.filename,
            on=utcnow().date(),
        )
    except REFUSALS as error:
        return refusal(error)


@bp.route(
    "/batches/<int:batch_id>/lines/<int:line_id>/<action>",
    methods=["POST"],
    endpoint="batch_line_action",
    parameters=[_choice("action", LINE_ACTIONS)],
)
@allow(*PAYERS)
@step_up  # reissue may pay another account
@bp.arguments(LineActionIn)
@bp.response(200, PaymentLineOut, description="the line (a reissue: the new line)")
@bp.alt_response(409, **REFUSED)
def line_action(
    args: dict[str, Any], batch_id: int, line_id: int, action: str
) -> PaymentLine | Response:
    """Settle one line: paid, failed (body: reason), unclaimed, reissue (body: payee fields)."""
    if action not in LINE_ACTIONS:
        abort(404, description=f"no line action {action!r}")
    session, actor, on = get_session(), allowed_user(), _on(args)
    line = _line(batch_id, line_id)
    try:
        if action == "paid":
            return paying.mark_paid(session, line=line, actor=actor, on=on)
        if action == "failed":
            reason = _reason(args)
            return paying.mark_failed(session, line=line, actor=actor, on=on, reason=reason)
        if action == "unclaimed":
            return reissuing.mark_unclaimed(session, line=line, actor=actor, on=on)
        return reissuing.reissue(
            session,
            line=line,
            actor=actor,
            on=on,
            secret_key=current_app.config["SECRET_KEY"],
            method=args["method"],
            wallet_number=args["wallet_number"],
            bank_account=args["bank_account"],
        )
    except REFUSALS as error:
        return refusal(error)


@bp.route(
    "/batches/<int:batch_id>/lines/<int:line_id>/payee-change",
    methods=["POST"],
    endpoint="batch_line_payee_change",
)
@allow(*payee_changes.REQUESTERS)
@step_up  # who gets paid
@bp.arguments(PayeeChangeIn)
@bp.response(201, PayeeChangeOut, description="the request")
@bp.alt_response(409, **REFUSED)
def request_payee_change(
    args: dict[str, Any], batch_id: int, line_id: int
) -> PayeeChange | Response:
    """Ask to pay a failed line to another wallet, account or method.

    An approver other than you approves it before any money moves.
    """
    line = _line(batch_id, line_id)
    try:
        return payee_changes.request_payee_change(
            get_session(),
            line=line,
            actor=allowed_user(),
            reason=args["reason"],
            method=args["method"],
            wallet_number=args["wallet_number"],
            bank_account=args["bank_account"],
        )
    except REFUSALS as error:
        return refusal(error)


@bp.route(
    "/payee-changes/<int:change_id>/<decision>",
    methods=["POST"],
    endpoint="payee_change_decision",
    parameters=[_choice("decision", DECISIONS)],
)
@allow(*payee_changes.DECIDERS)
@step_up  # who gets paid
@bp.arguments(DecisionIn)
@bp.doc(
    responses={
        "200": {
            "description": "approve: the new line; reject: the change",
            "content": {
                "application/json": {"schema": {"anyOf": [PaymentLineOut, PayeeChangeOut]}}
            },
        }
    }
)
@bp.alt_response(403, **NOT_YOURS)
@bp.alt_response(409, **REFUSED)
def decide_payee_change(args: dict[str, Any], change_id: int, decision: str) -> Response:
    """Approve (the line is reissued to the new details) or reject (body: reason) a change.

    Never by its requester.
    """
    if decision not in DECISIONS:
        abort(404, description=f"no payee change decision {decision!r}")
    session = get_session()
    try:
        change = payee_changes.get_change(session, change_id)
    except payee_changes.UnknownPayeeChange as error:
        abort(404, description=str(error))
    actor = allowed_user()
    try:
        if decision == "approve":
            line = payee_changes.approve_payee_change(
                session,
                change=change,
                actor=actor,
                on=_on(args),
                secret_key=current_app.config["SECRET_KEY"],
            )
            return jsonify(PaymentLineOut().dump(line))
        reason = _reason(args)
        payee_changes.reject_payee_change(session, change=change, actor=actor, note=reason)
    except REFUSALS as error:
        return refusal(error)
    return jsonify(PayeeChangeOut().dump(change))


def _send(data: bytes, mimetype: str, name: str) -> Response:
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)


@bp.route(
    "/batches/<int:batch_id>/sheet.<file_format>",
    endpoint="batch_sheet",
    parameters=[_choice("file_format", ("xlsx", "pdf"))],
)
@allow(STAFF)
@bp.doc(responses=_file("the sheet", XLSX, PDF))
def sheet(batch_id: int, file_format: str) -> Response:
    """The disbursement sheet, XLSX or PDF (fund staff only)."""
    if file_format not in ("xlsx", "pdf"):
        abort(404, description="the sheet is .xlsx or .pdf")
    session = get_session()
    batch = _batch(batch_id)
    header, rows = outputs.sheet_header(batch), outputs.sheet_rows(session, batch)
    if file_format == "xlsx":
        return _send(build_sheet_xlsx(header, rows), XLSX, f"batch-{batch.id}-sheet.xlsx")
    return _send(build_sheet_pdf(header, rows), PDF, f"batch-{batch.id}-sheet.pdf")


@bp.route("/batches/<int:batch_id>/receipts.pdf", endpoint="batch_receipts")
@allow(STAFF)
@bp.doc(responses=_file("one receipt page per worker", PDF))
def receipts(batch_id: int) -> Response:
    """One receipt page per worker (fund staff only)."""
    batch = _batch(batch_id)
    data = render_receipts(outputs.receipts(get_session(), batch))
    return _send(data, PDF, f"batch-{batch.id}-receipts.pdf")


@bp.route("/batches/<int:batch_id>/payment-file", endpoint="batch_payment_file")
@allow(*FILE_READERS)
@bp.arguments(PaymentFileArgs, location="query")
@bp.doc(responses=_file("the file", "text/csv"))
def payment_file(args: dict[str, Any], batch_id: int) -> Response:
    """The provider's bulk payment file of pending lines (README: the formats)."""
    batch = _batch(batch_id)
    data = outputs.payment_file(
        get_session(),
        batch,
        file_format=args["format"],
        bom_formats=current_app.config["PAYMENT_FILE_BOM"],
    )
    return _send(data, "text/csv", f"batch-{batch.id}-{args['format']}.csv")
