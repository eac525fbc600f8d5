"""The controls endpoints of ``/api/v1``: roll findings, acknowledgements, verification.

Documented from their schemas (fund/controls/schemas.py). Refusals are 403 (role) or 409
(the rules); a body that does not fit its schema is 422.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeVar

from flask import Response, abort
from sqlalchemy import select

from fund.api.blueprint import bp
from fund.api.errors import ErrorBody, error_response
from fund.auth.access import allow, allowed_user
from fund.auth.roles import STAFF
from fund.controls import roll_review, verification
from fund.controls.models import RollFinding, VerificationCall, VerificationDraw
from fund.controls.schemas import (
    AcknowledgeIn,
    AnswerIn,
    DrawIn,
    FindingListOut,
    FindingOut,
    VerificationCallOut,
    VerificationOut,
)
from fund.db import get_session
from fund.disbursements.models import DisbursementBatch
from fund.rolls.models import Roll

_PLACES = Decimal("0.0001")
Row = TypeVar("Row")


def _found(model: type[Row], row_id: int, what: str) -> Row:
    """The stored ``model`` row ``row_id``, or a 404 naming ``what`` is missing."""
    row = get_session().get(model, row_id)
    if row is None:
        abort(404, description=f"no {what} {row_id}")
    return row


def _refused(error: Exception) -> Response:
    get_session().rollback()
    message = str(error)
    status = 403 if " may not " in message else 409
    return error_response(status, "not_allowed" if status == 403 else "refused", message)


@bp.route("/rolls/<int:roll_id>/findings", endpoint="roll_findings")
@allow(STAFF)
@bp.response(200, FindingListOut, description="the findings")
def roll_findings(roll_id: int) -> dict[str, Any]:
    """The roll comparison's findings, most severe first (fund staff)."""
    _found(Roll, roll_id, "roll")
    return {"roll_id": roll_id, "findings": roll_review.findings(get_session(), roll_id)}


@bp.route(
    "/findings/<int:finding_id>/acknowledge", methods=["POST"], endpoint="finding_acknowledge"
)
@allow(*roll_review.ACKNOWLEDGERS)
@bp.arguments(AcknowledgeIn)
@bp.response(200, FindingOut, description="the finding")
@bp.alt_response(409, schema=ErrorBody, description="the finding is already acknowledged")
def acknowledge(args: dict[str, Any], finding_id: int) -> RollFinding | Response:
    """Acknowledge a finding with a note (officers); HIGH ones block submit."""
    finding = _found(RollFinding, finding_id, "finding")
    try:
        roll_review.acknowledge(
            get_session(), finding=finding, actor=allowed_user(), note=args["note"]
        )
    except roll_review.FindingRefused as error:
        return _refused(error)
    return finding


def _verification(batch: DisbursementBatch) -> dict[str, Any]:
    session = get_session()
    summary = verification.summary(session, batch.id)
    draw = session.scalar(select(VerificationDraw).where(VerificationDraw.batch_id == batch.id))
    rate = summary.rate
    return {
        "batch_id": batch.id,
        "sampled": summary.sampled,
        "answered": summary.answered,
        # a ratio from two integers, shown as exact decimal text
        "rate": None
        if rate is None
        else str((Decimal(summary.answered) / Decimal(summary.sampled)).quantize(_PLACES)),
        "outcomes": summary.outcomes,
        "calls": draw.calls if draw is not None else [],
    }


@bp.route("/batches/<int:batch_id>/verification", endpoint="batch_verification")
@allow(STAFF)
@bp.response(200, VerificationOut, description="the verification")
def batch_verification(batch_id: int) -> dict[str, Any]:
    """The batch's verification sample, rate and outcomes (fund staff)."""
    return _verification(_found(DisbursementBatch, batch_id, "batch"))


@bp.route(
    "/batches/<int:batch_id>/verification", methods=["POST"], endpoint="batch_verification_draw"
)
@allow(*verification.CALLERS)
@bp.arguments(DrawIn)
@bp.response(201, VerificationOut, description="the verification")
@bp.alt_response(
    409,
    schema=ErrorBody,
    description="the batch is not paid or has no line paid yet, or its preparer or submitter asks",
)
def draw(args: dict[str, Any], batch_id: int) -> dict[str, Any] | Response:
    """Draw the sample of paid workers (officers; once per batch, seeded)."""
    batch = _found(DisbursementBatch, batch_id, "batch")
    try:
        verification.draw_sample(
            get_session(), batch=batch, actor=allowed_user(), size=args["size"]
        )
    except verification.VerificationRefused as error:
        return _refused(error)
    return _verification(batch)


@bp.route(
    "/verification-calls/<int:call_id>/answer", methods=["POST"], endpoint="verification_answer"
)
@allow(*verification.CALLERS)
@bp.arguments(AnswerIn)
@bp.response(200, VerificationCallOut, description="the call")
@bp.alt_response(409, schema=ErrorBody, description="a claim is already open on this answer")
def answer(args: dict[str, Any], call_id: int) -> VerificationCall | Response:
    """Record what the worker said (officers); not received awaits a claim."""
    call = _found(VerificationCall, call_id, "verification call")
    try:
        verification.record_answer(
            get_session(),
            call=call,
            actor=allowed_user(),
            outcome=args["outcome"],
            note=args["note"],
        )
    except verification.VerificationRefused as error:
        return _refused(error)
    return call
