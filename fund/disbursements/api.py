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
from typing import Any, TypeVar

from flask import Response, abort, current_app, send_file
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
#: The settlements taking the same body; ``failed`` has its own route (it needs a reason).
LINE_ACTIONS = ("paid", "unclaimed", "reissue")

BatchPage = page_of(BatchOut, "BatchPage")
PaymentLinePage = page_of(PaymentLineOut, "PaymentLinePage")

Done = TypeVar("Done")

#: The 409 of every write here: what the rules may refuse (``code`` says which).
REFUSED = {
    "schema": ErrorBody,
    "description": "refused by the rules (code): another state (wrong_state), too little money"
    " (insufficient_funds), nothing_to_pay, unknown_workers, findings_not_acknowledged,"
    " double_payment, payee_change_needed, a date after today or before the step (bad_date)",
}
#: The 403 of a step that four eyes share: the second pair may not be the first.
NOT_YOURS = {
    "schema": ErrorBody,
    "description": "the role may not do this, or it is the user's own request (self_approval)",
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


def _payee(args: dict[str, Any]) -> dict[str, Any]:
    """The new payee details a body gives (each None where unchanged)."""
    return {name: args[name] for name in ("method", "wallet_number", "bank_account")}


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


def _do(service: Callable[..., Done], **options: Any) -> Done | Response:
    """``service`` done by the token's user; a refusal by the rules answered as such."""
    try:
        return service(get_session(), actor=allowed_user(), **options)
    except REFUSALS as error:
        return refusal(error)


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
    return _do(
        making.create_batch,
        event=event,
        secret_key=current_app.config["SECRET_KEY"],
        selection=args["workers"],
        top_up=args["top_up"],
    )


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


@bp.route("/batches/<int:batch_id>/submit", methods=["POST"], endpoint="batch_submit")
@allow(*PREPARERS)
@bp.arguments(OnIn)
@bp.response(200, BatchDetailOut, description="the batch after the step")
@bp.alt_response(409, **REFUSED)
def submit(args: dict[str, Any], batch_id: int) -> DisbursementBatch | Response:
    """Hand a draft to the approvers (officers)."""
    return _do(
        approving.submit, batch=_batch(batch_id), bands=bands_from_config(current_app.config)
    )


@bp.route("/batches/<int:batch_id>/approve", methods=["POST"], endpoint="batch_approve")
@allow(*APPROVERS)
@step_up  # money moves: a fresh second factor (step-up token)
@bp.arguments(OnIn)
@bp.response(200, BatchDetailOut, description="the batch after the step")
@bp.alt_response(403, **NOT_YOURS)
@bp.alt_response(409, **REFUSED)
def approve(args: dict[str, Any], batch_id: int) -> DisbursementBatch | Response:
    """Approve and post Dr 5000 / Cr 2000 once (approvers; never the submitter)."""
    return _do(approving.approve, batch=_batch(batch_id), on=_on(args), fees=_fees())


@bp.route("/batches/<int:batch_id>/reject", methods=["POST"], endpoint="batch_reject")
@allow(*APPROVERS)
@bp.arguments(ReasonIn)
@bp.response(200, BatchDetailOut, description="the batch after the step")
@bp.alt_response(409, **REFUSED)
def reject(args: dict[str, Any], batch_id: int) -> DisbursementBatch | Response:
    """Send a submitted batch back (approvers)."""
    return _do(approving.reject, batch=_batch(batch_id), reason=args["reason"])


@bp.route("/batches/<int:batch_id>/cancel", methods=["POST"], endpoint="batch_cancel")
@allow(*CLOSERS)
@bp.arguments(ReasonIn)
@bp.response(200, BatchDetailOut, description="the batch after the step")
@bp.alt_response(409, **REFUSED)
def cancel(args: dict[str, Any], batch_id: int) -> DisbursementBatch | Response:
    """Cancel a batch not yet paid; an approved one is reversed."""
    return _do(approving.cancel, batch=_batch(batch_id), reason=args["reason"], on=_on(args))


@bp.route("/batches/<int:batch_id>/pay", methods=["POST"], endpoint="batch_pay")
@allow(*PAYERS)
@step_up  # money moves: a fresh second factor (step-up token)
@bp.arguments(OnIn)
@bp.response(200, BatchDetailOut, description="the batch after the step")
@bp.alt_response(409, **REFUSED)
def pay(args: dict[str, Any], batch_id: int) -> DisbursementBatch | Response:
    """Release the money: Dr 2000 / Cr 1010 and 1020, fees to 5100."""
    return _do(paying.pay, batch=_batch(batch_id), on=_on(args), fees=_fees())


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
    batch = _batch(batch_id)
    done = _do(reissuing.expire_unclaimed, batch=batch, on=_on(args), after_days=days)
    return done if isinstance(done, Response) else batch


@bp.route("/float", methods=["POST"], endpoint="fund_float")
@allow(*PAYERS)
@step_up  # cash from the bank to the float: money moves
@bp.arguments(FloatIn)
@bp.response(201, FloatOut, description="the entry")
@bp.alt_response(409, **REFUSED)
def fund_float(args: dict[str, Any]) -> dict[str, Any] | Response:
    """Move taka from the bank (1010) to the mobile-money float (1020)."""
    try:
        amount_minor = to_minor(args["amount"], "BDT")
    except MoneyError as error:
        return error_response(422, "invalid", str(error), "amount")
    entry = _do(paying.transfer_to_float, amount_minor=amount_minor, on=_on(args))
    if isinstance(entry, Response):
        return entry
    return {"entry_id": entry.id, "amount": args["amount"]}


@bp.route("/batches/<int:batch_id>/reconcile", methods=["POST"], endpoint="batch_reconcile")
@allow(*PAYERS)
@step_up  # a result file settles lines: money moves
@bp.arguments(ResultFileIn, location="files")
@bp.response(200, ReconciliationOut, description="what the file did")
@bp.alt_response(409, **REFUSED)
def reconcile(args: dict[str, Any], batch_id: int) -> ReconciliationResult | Response:
    """Import the provider result file; the same file again changes nothing."""
    batch, upload = _batch(batch_id), args["file"]
    return _do(
        settling.reconcile,
        batch=batch,
        data=upload.read(),
        filename=upload.filename,
        on=utcnow().date(),
    )


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
    """Settle one line: paid, unclaimed, or reissue (body: payee fields)."""
    if action not in LINE_ACTIONS:
        abort(404, description=f"no line action {action!r}")
    line, on = _line(batch_id, line_id), _on(args)
    if action == "paid":
        return _do(paying.mark_paid, line=line, on=on)
    if action == "unclaimed":
        return _do(reissuing.mark_unclaimed, line=line, on=on)
    secret_key = current_app.config["SECRET_KEY"]
    return _do(reissuing.reissue, line=line, on=on, secret_key=secret_key, **_payee(args))


@bp.route(
    "/batches/<int:batch_id>/lines/<int:line_id>/failed",
    methods=["POST"],
    endpoint="batch_line_failed",
)
@allow(*PAYERS)
@step_up
@bp.arguments(ReasonIn)
@bp.response(200, PaymentLineOut, description="the line")
@bp.alt_response(409, **REFUSED)
def line_failed(args: dict[str, Any], batch_id: int, line_id: int) -> PaymentLine | Response:
    """Record that one line's payment failed, and why: its money goes back to the fund's cash."""
    line = _line(batch_id, line_id)
    return _do(paying.mark_failed, line=line, on=_on(args), reason=args["reason"])


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
    return _do(payee_changes.request_payee_change, line=line, reason=args["reason"], **_payee(args))


def _change(change_id: int) -> PayeeChange:
    """The payee change ``change_id``, or a 404 naming it."""
    try:
        return payee_changes.get_change(get_session(), change_id)
    except payee_changes.UnknownPayeeChange as error:
        abort(404, description=str(error))


@bp.route(
    "/payee-changes/<int:change_id>/approve", methods=["POST"], endpoint="payee_change_approve"
)
@allow(*payee_changes.DECIDERS)
@step_up  # who gets paid
@bp.arguments(OnIn)
@bp.response(200, PaymentLineOut, description="the new line, paying the new details")
@bp.alt_response(403, **NOT_YOURS)
@bp.alt_response(409, **REFUSED)
def approve_payee_change(args: dict[str, Any], change_id: int) -> PaymentLine | Response:
    """Approve a payee change: the line is reissued to the new details. Never by its requester."""
    secret_key = current_app.config["SECRET_KEY"]
    return _do(
        payee_changes.approve_payee_change,
        change=_change(change_id),
        on=_on(args),
        secret_key=secret_key,
    )


@bp.route("/payee-changes/<int:change_id>/reject", methods=["POST"], endpoint="payee_change_reject")
@allow(*payee_changes.DECIDERS)
@step_up  # who gets paid
@bp.arguments(ReasonIn)
@bp.response(200, PayeeChangeOut, description="the change, rejected")
@bp.alt_response(403, **NOT_YOURS)
@bp.alt_response(409, **REFUSED)
def reject_payee_change(args: dict[str, Any], change_id: int) -> PayeeChange | Response:
    """Reject a payee change, saying why. Never by its requester."""
    change = _change(change_id)
    return _do(payee_changes.reject_payee_change, change=change, note=args["reason"])


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
