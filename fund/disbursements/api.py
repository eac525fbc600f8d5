"""The batch endpoints of ``/api/v1``, registered on the API blueprint by ``register``.

Every action of the web page has an endpoint; the service enforces the rules (four eyes,
funds, states) and its named refusals become 403 (self-approval, role) or 409 (state, funds,
nothing to pay, unknown workers); 422 is kept for a body or file that cannot be read. Brands get
403 on all of them.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, request, send_file
from marshmallow import Schema
from sqlalchemy import select

from fund.api.body import load_body
from fund.api.errors import error_response
from fund.api.pagination import paginate
from fund.arguments import MAX_ID
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
from fund.disbursements.models import DisbursementBatch, PaymentLine
from fund.disbursements.receipts import render_receipts
from fund.disbursements.reconciliation import ResultFileInvalid
from fund.disbursements.schemas import (
    BatchDetailOut,
    BatchOut,
    CreateBatchIn,
    ExpireIn,
    FloatIn,
    FloatOut,
    OnIn,
    PayeeChangeIn,
    PayeeChangeOut,
    PaymentLineOut,
    ReasonIn,
    ReconciliationOut,
    ReissueIn,
)
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


def refusal(error: Exception) -> Response:
    """A service refusal in the API's error shape, with the status that fits it."""
    get_session().rollback()
    if isinstance(error, services.SelfApprovalRefused):
        return error_response(403, "self_approval", str(error))
    if isinstance(error, reissuing.PayeeChangeNeeded):
        return error_response(409, "payee_change_needed", str(error))
    if isinstance(error, services.NotAllowed):
        return error_response(403, "not_allowed", str(error))
    if isinstance(error, services.BatchStateError):
        return error_response(409, "wrong_state", str(error))
    if isinstance(error, InsufficientFunds):
        return error_response(409, "insufficient_funds", str(error))
    if isinstance(error, services.NothingToPay):
        return error_response(409, "nothing_to_pay", str(error))
    if isinstance(error, services.FindingsNotAcknowledged):
        return error_response(409, "findings_not_acknowledged", str(error))
    if isinstance(error, services.DoublePaymentRefused):
        return error_response(409, "double_payment", str(error), "workers")
    if isinstance(error, services.UnknownWorkers):
        return error_response(409, "unknown_workers", str(error), "workers")
    if isinstance(error, ResultFileInvalid):
        return error_response(422, "result_file_invalid", str(error), "file")
    if isinstance(error, StepDateRefused | FutureDate):
        # 409, not 422: the body is well formed; the rules refuse the date it names.
        return error_response(409, "bad_date", str(error), "on")
    if isinstance(error, AmountTooLarge):
        return error_response(422, "amount_too_large", str(error))
    return error_response(409, "refused", str(error))


REFUSALS = (
    services.BatchRefused,
    InsufficientFunds,
    LedgerError,
    ResultFileInvalid,
    StepDateRefused,
)


def _dump_batch(batch: DisbursementBatch, status: int = 200) -> tuple[Response, int]:
    session = get_session()
    body = BatchDetailOut().dump(batch)
    body["line_states"] = outputs.state_counts(session, batch)
    return jsonify(body), status


def list_batches() -> dict[str, Any]:
    query = select(DisbursementBatch).order_by(DisbursementBatch.id.desc())
    event_id = request.args.get("event_id", "")
    if event_id:
        if not event_id.isdecimal() or not 0 < int(event_id) <= MAX_ID:
            abort(400, description=f"event_id must be a whole number from 1 to {MAX_ID}")
        query = query.where(DisbursementBatch.event_id == int(event_id))
    return paginate(get_session(), query, BatchOut())


def create(event_id: int) -> Response | tuple[Response, int]:
    session = get_session()
    event = session.get(Event, event_id)
    if event is None:
        abort(404, description=f"no event {event_id}")
    args = load_body(CreateBatchIn())
    try:
        batch = making.create_batch(
            session,
            event=event,
            actor=allowed_user(),
            secret_key=current_app.config["SECRET_KEY"],
            selection=args["workers"],
            top_up=args["top_up"],
        )
    except REFUSALS as error:
        return refusal(error)
    return _dump_batch(batch, 201)


def detail(batch_id: int) -> Response | tuple[Response, int]:
    return _dump_batch(_batch(batch_id))


def lines(batch_id: int) -> dict[str, Any]:
    batch = _batch(batch_id)
    query = select(PaymentLine).where(PaymentLine.batch_id == batch.id).order_by(PaymentLine.id)
    return paginate(get_session(), query, PaymentLineOut())


def _fees() -> dict[str, int]:
    return dict(current_app.config.get("DISBURSEMENT_FEES", services.DEFAULT_FEES))


def _action(name: str) -> Callable[[int], Response | tuple[Response, int]]:
    """The endpoint for one batch step: load the batch and the body, call the service."""

    def endpoint(batch_id: int) -> Response | tuple[Response, int]:
        session = get_session()
        batch = _batch(batch_id)
        schema: Schema = ReasonIn() if name in ("reject", "cancel") else OnIn()
        args = load_body(schema)
        on = args.get("on") or utcnow().date()
        kwargs: dict[str, Any] = {}
        if name in ("approve", "pay"):
            kwargs = {"on": on, "fees": _fees()}
        elif name == "submit":
            kwargs = {"bands": bands_from_config(current_app.config)}
        elif name == "reject":
            kwargs = {"reason": args["reason"]}
        elif name == "cancel":
            kwargs = {"reason": args["reason"], "on": on}
        try:
            getattr(paying if name == "pay" else approving, name)(
                session, batch=batch, actor=allowed_user(), **kwargs
            )
        except REFUSALS as error:
            return refusal(error)
        return _dump_batch(batch)

    endpoint.__name__ = f"batch_{name}"
    return endpoint


def reconcile(batch_id: int) -> Response | tuple[Response, int]:
    batch = _batch(batch_id)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return error_response(400, "missing_file", "send the result file as field 'file'", "file")
    try:
        result = settling.reconcile(
            get_session(),
            batch=batch,
            actor=allowed_user(),
            data=upload.read(),
            filename=upload.filename,
            on=utcnow().date(),
        )
    except REFUSALS as error:
        return refusal(error)
    return jsonify(ReconciliationOut().dump(result)), 200


def expire_unclaimed(batch_id: int) -> Response | tuple[Response, int]:
    batch = _batch(batch_id)
    args = load_body(ExpireIn())
    days = args["after_days"]
    if days is None:
        days = int(current_app.config.get("UNCLAIMED_AFTER_DAYS", services.DEFAULT_UNCLAIMED_DAYS))
    try:
        reissuing.expire_unclaimed(
            get_session(),
            batch=batch,
            actor=allowed_user(),
            on=args["on"] or utcnow().date(),
            after_days=days,
        )
    except REFUSALS as error:
        return refusal(error)
    return _dump_batch(batch)


def fund_float() -> Response | tuple[Response, int]:
    args = load_body(FloatIn())
    try:
        minor = to_minor(args["amount"], "BDT")
        entry = paying.transfer_to_float(
            get_session(),
            amount_minor=minor,
            actor=allowed_user(),
            on=args["on"] or utcnow().date(),
        )
    except MoneyError as error:
        return error_response(422, "invalid", str(error), "amount")
    except REFUSALS as error:
        return refusal(error)
    return jsonify(FloatOut().dump({"entry_id": entry.id, "amount": args["amount"]})), 201


LINE_ACTIONS = ("paid", "failed", "unclaimed", "reissue")


def line_action(batch_id: int, line_id: int, action: str) -> Response | tuple[Response, int]:
    if action not in LINE_ACTIONS:
        abort(404, description=f"no line action {action!r}")
    session = get_session()
    line = _line(batch_id, line_id)
    actor = allowed_user()
    try:
        if action == "paid":
            args = load_body(OnIn())
            on = args["on"] or utcnow().date()
            line = paying.mark_paid(session, line=line, actor=actor, on=on)
        elif action == "failed":
            args = load_body(ReasonIn())
            on = args["on"] or utcnow().date()
            line = paying.mark_failed(session, line=line, actor=actor, on=on, reason=args["reason"])
        elif action == "unclaimed":
            args = load_body(OnIn())
            on = args["on"] or utcnow().date()
            line = reissuing.mark_unclaimed(session, line=line, actor=actor, on=on)
        else:
            args = load_body(ReissueIn())
            on = args["on"] or utcnow().date()
            line = reissuing.reissue(
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
    return jsonify(PaymentLineOut().dump(line)), 200


def request_payee_change(batch_id: int, line_id: int) -> Response | tuple[Response, int]:
    session = get_session()
    line = _line(batch_id, line_id)
    args = load_body(PayeeChangeIn())
    try:
        change = payee_changes.request_payee_change(
            session,
            line=line,
            actor=allowed_user(),
            reason=args["reason"],
            method=args["method"],
            wallet_number=args["wallet_number"],
            bank_account=args["bank_account"],
        )
    except REFUSALS as error:
        return refusal(error)
    return jsonify(PayeeChangeOut().dump(change)), 201


def decide_payee_change(change_id: int, decision: str) -> Response | tuple[Response, int]:
    if decision not in ("approve", "reject"):
        abort(404, description=f"no payee change decision {decision!r}")
    session = get_session()
    try:
        change = payee_changes.get_change(session, change_id)
    except payee_changes.UnknownPayeeChange as error:
        abort(404, description=str(error))
    actor = allowed_user()
    try:
        if decision == "approve":
            on = load_body(OnIn())["on"] or utcnow().date()
            line = payee_changes.approve_payee_change(
                session,
                change=change,
                actor=actor,
                on=on,
                secret_key=current_app.config["SECRET_KEY"],
            )
            return jsonify(PaymentLineOut().dump(line)), 200
        reason = load_body(ReasonIn())["reason"]
        payee_changes.reject_payee_change(session, change=change, actor=actor, note=reason)
    except REFUSALS as error:
        return refusal(error)
    return jsonify(PayeeChangeOut().dump(change)), 200


def _send(data: bytes, mimetype: str, name: str) -> Response:
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)


def sheet(batch_id: int, file_format: str) -> Response:
    if file_format not in ("xlsx", "pdf"):
        abort(404, description="the sheet is .xlsx or .pdf")
    session = get_session()
    batch = _batch(batch_id)
    header, rows = outputs.sheet_header(batch), outputs.sheet_rows(session, batch)
    if file_format == "xlsx":
        return _send(build_sheet_xlsx(header, rows), XLSX, f"batch-{batch.id}-sheet.xlsx")
    return _send(build_sheet_pdf(header, rows), "application/pdf", f"batch-{batch.id}-sheet.pdf")


def receipts(batch_id: int) -> Response:
    batch = _batch(batch_id)
    data = render_receipts(outputs.receipts(get_session(), batch))
    return _send(data, "application/pdf", f"batch-{batch.id}-receipts.pdf")


def payment_file(batch_id: int) -> Response:
    batch = _batch(batch_id)
    file_format = request.args.get("format", "mobile")
    if file_format not in ("mobile", "bank"):
        abort(400, description="format is mobile or bank")
    data = outputs.payment_file(
        get_session(),
        batch,
        file_format=file_format,
        bom_formats=current_app.config["PAYMENT_FILE_BOM"],
    )
    return _send(data, "text/csv", f"batch-{batch.id}-{file_format}.csv")


def register(bp: Blueprint) -> None:
    """Add the batch endpoints to the API blueprint."""
    bp.add_url_rule("/batches", "batches", allow(STAFF)(list_batches))
    bp.add_url_rule(
        "/events/<int:event_id>/batches",
        "create_batch",
        allow(*PREPARERS)(create),
        methods=["POST"],
    )
    bp.add_url_rule("/batches/<int:batch_id>", "batch", allow(STAFF)(detail))
    bp.add_url_rule("/batches/<int:batch_id>/lines", "batch_lines", allow(STAFF)(lines))
    for name, roles in (
        ("submit", PREPARERS),
        ("approve", APPROVERS),
        ("reject", APPROVERS),
        ("cancel", CLOSERS),
        ("pay", PAYERS),
    ):
        action = _action(name)
        if name in ("approve", "pay"):
            action = step_up(action)  # money moves: a fresh second factor (step-up token)
        bp.add_url_rule(
            f"/batches/<int:batch_id>/{name}",
            f"batch_{name}",
            allow(*roles)(action),
            methods=["POST"],
        )
    bp.add_url_rule(
        "/batches/<int:batch_id>/expire-unclaimed",
        "batch_expire_unclaimed",
        allow(*PAYERS)(expire_unclaimed),
        methods=["POST"],
    )
    # Cash from the bank to the float, and a result file settling lines: money moves.
    bp.add_url_rule("/float", "fund_float", allow(*PAYERS)(step_up(fund_float)), methods=["POST"])
    bp.add_url_rule(
        "/batches/<int:batch_id>/reconcile",
        "batch_reconcile",
        allow(*PAYERS)(step_up(reconcile)),
        methods=["POST"],
    )
    bp.add_url_rule(
        "/batches/<int:batch_id>/lines/<int:line_id>/payee-change",
        "batch_line_payee_change",
        allow(*payee_changes.REQUESTERS)(step_up(request_payee_change)),
        methods=["POST"],
    )
    bp.add_url_rule(
        "/payee-changes/<int:change_id>/<decision>",
        "payee_change_decision",
        allow(*payee_changes.DECIDERS)(step_up(decide_payee_change)),  # who gets paid
        methods=["POST"],
    )
    bp.add_url_rule(
        "/batches/<int:batch_id>/lines/<int:line_id>/<action>",
        "batch_line_action",
        allow(*PAYERS)(step_up(line_action)),  # reissue may pay another account
        methods=["POST"],
    )
    bp.add_url_rule(
        "/batches/<int:batch_id>/sheet.<file_format>", "batch_sheet", allow(STAFF)(sheet)
    )
    bp.add_url_rule(
        "/batches/<int:batch_id>/receipts.pdf", "batch_receipts", allow(STAFF)(receipts)
    )
    bp.add_url_rule(
        "/batches/<int:batch_id>/payment-file",
        "batch_payment_file",
        allow(*FILE_READERS)(payment_file),
    )
