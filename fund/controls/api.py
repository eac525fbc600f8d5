"""The controls endpoints of ``/api/v1``: roll findings, acknowledgements, verification.

Refusals are 403 (role) or 409 (the rules); unreadable bodies 422 (marshmallow).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from apispec import APISpec
from flask import Blueprint, Response, abort, jsonify
from sqlalchemy import select

from fund.api.body import load_body
from fund.api.describe import error_answer, json_content, schema_ref
from fund.api.errors import error_response
from fund.arguments import MAX_ID
from fund.auth.access import allow, allowed_user
from fund.auth.roles import STAFF
from fund.controls import roll_review, verification
from fund.controls.models import RollFinding, VerificationCall, VerificationDraw
from fund.controls.schemas import (
    AcknowledgeIn,
    AnswerIn,
    CallOut,
    DrawIn,
    FindingListOut,
    FindingOut,
    VerificationOut,
)
from fund.db import get_session
from fund.disbursements.models import DisbursementBatch
from fund.rolls.models import Roll

_PLACES = Decimal("0.0001")


def _refused(error: Exception) -> Response:
    get_session().rollback()
    message = str(error)
    status = 403 if " may not " in message else 409
    return error_response(status, "not_allowed" if status == 403 else "refused", message)


def roll_findings(roll_id: int) -> Response:
    session = get_session()
    if session.get(Roll, roll_id) is None:
        abort(404, description=f"no roll {roll_id}")
    body = {"roll_id": roll_id, "findings": roll_review.findings(session, roll_id)}
    return jsonify(FindingListOut().dump(body))


def acknowledge(finding_id: int) -> Response | tuple[Response, int]:
    session = get_session()
    finding = session.get(RollFinding, finding_id)
    if finding is None:
        abort(404, description=f"no finding {finding_id}")
    args = load_body(AcknowledgeIn())
    try:
        roll_review.acknowledge(session, finding=finding, actor=allowed_user(), note=args["note"])
    except roll_review.FindingRefused as error:
        return _refused(error)
    return jsonify(FindingOut().dump(finding)), 200


def _batch(batch_id: int) -> DisbursementBatch:
    batch = get_session().get(DisbursementBatch, batch_id)
    if batch is None:
        abort(404, description=f"no batch {batch_id}")
    return batch


def _verification(batch: DisbursementBatch) -> dict[str, Any]:
    session = get_session()
    summary = verification.summary(session, batch.id)
    draw = session.scalar(select(VerificationDraw).where(VerificationDraw.batch_id == batch.id))
    rate = summary.rate
    dumped: dict[str, Any] = VerificationOut().dump(
        {
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
    )
    return dumped


def batch_verification(batch_id: int) -> Response:
    return jsonify(_verification(_batch(batch_id)))


def draw(batch_id: int) -> Response | tuple[Response, int]:
    batch = _batch(batch_id)
    args = load_body(DrawIn())
    try:
        verification.draw_sample(
            get_session(), batch=batch, actor=allowed_user(), size=args["size"]
        )
    except verification.VerificationRefused as error:
        return _refused(error)
    return jsonify(_verification(batch)), 201


def answer(call_id: int) -> Response | tuple[Response, int]:
    session = get_session()
    call = session.get(VerificationCall, call_id)
    if call is None:
        abort(404, description=f"no verification call {call_id}")
    args = load_body(AnswerIn())
    try:
        verification.record_answer(
            session, call=call, actor=allowed_user(), outcome=args["outcome"], note=args["note"]
        )
    except verification.VerificationRefused as error:
        return _refused(error)
    return jsonify(CallOut().dump(call)), 200


def register(bp: Blueprint) -> None:
    """Add the controls endpoints to the API blueprint."""
    bp.add_url_rule("/rolls/<int:roll_id>/findings", "roll_findings", allow(STAFF)(roll_findings))
    bp.add_url_rule(
        "/findings/<int:finding_id>/acknowledge",
        "finding_acknowledge",
        allow(*roll_review.ACKNOWLEDGERS)(acknowledge),
        methods=["POST"],
    )
    bp.add_url_rule(
        "/batches/<int:batch_id>/verification",
        "batch_verification",
        allow(STAFF)(batch_verification),
    )
    bp.add_url_rule(
        "/batches/<int:batch_id>/verification",
        "batch_verification_draw",
        allow(*verification.CALLERS)(draw),
        methods=["POST"],
    )
    bp.add_url_rule(
        "/verification-calls/<int:call_id>/answer",
        "verification_answer",
        allow(*verification.CALLERS)(answer),
        methods=["POST"],
    )


def add_control_paths(spec: APISpec, *, errors: dict[str, Any], not_found: dict[str, Any]) -> None:
    """Describe the controls endpoints in the OpenAPI document."""
    for name, schema in {
        "Finding": FindingOut,
        "FindingList": FindingListOut,
        "Acknowledge": AcknowledgeIn,
        "VerificationCall": CallOut,
        "Verification": VerificationOut,
        "DrawSample": DrawIn,
        "Answer": AnswerIn,
    }.items():
        spec.components.schema(name, schema=schema)

    def integer(name: str) -> dict[str, Any]:
        # bounded like the id columns: beyond them the route itself does not match
        schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
        return {"name": name, "in": "path", "required": True, "schema": schema}

    refusals = {
        "409": error_answer(
            "refused by the rules (already acknowledged, batch not paid, claim open)"
        ),
        "422": error_answer("the body cannot be read"),
    }
    spec.path(
        "/rolls/{roll_id}/findings",
        operations={
            "get": {
                "summary": "The roll comparison's findings, most severe first (fund staff)",
                "parameters": [integer("roll_id")],
                "responses": {
                    "200": {
                        "description": "the findings",
                        **json_content(schema_ref("FindingList")),
                    },
                    **errors,
                    **not_found,
                },
            }
        },
    )
    spec.path(
        "/findings/{finding_id}/acknowledge",
        operations={
            "post": {
                "summary": "Acknowledge a finding with a note (officers); HIGH ones block submit",
                "parameters": [integer("finding_id")],
                "requestBody": {"required": True, **json_content(schema_ref("Acknowledge"))},
                "responses": {
                    "200": {"description": "the finding", **json_content(schema_ref("Finding"))},
                    **errors,
                    **refusals,
                    **not_found,
                },
            }
        },
    )
    spec.path(
        "/batches/{batch_id}/verification",
        operations={
            "get": {
                "summary": "The batch's verification sample, rate and outcomes (fund staff)",
                "parameters": [integer("batch_id")],
                "responses": {
                    "200": {
                        "description": "the verification",
                        **json_content(schema_ref("Verification")),
                    },
                    **errors,
                    **not_found,
                },
            },
            "post": {
                "summary": "Draw the sample of paid workers (officers; once per batch, seeded)",
                "parameters": [integer("batch_id")],
                "requestBody": {"required": True, **json_content(schema_ref("DrawSample"))},
                "responses": {
                    "201": {
                        "description": "the verification",
                        **json_content(schema_ref("Verification")),
                    },
                    **errors,
                    **refusals,
                    **not_found,
                },
            },
        },
    )
    spec.path(
        "/verification-calls/{call_id}/answer",
        operations={
            "post": {
                "summary": "Record what the worker said (officers); not received awaits a claim",
                "parameters": [integer("call_id")],
                "requestBody": {"required": True, **json_content(schema_ref("Answer"))},
                "responses": {
                    "200": {
                        "description": "the call",
                        **json_content(schema_ref("VerificationCall")),
                    },
                    **errors,
                    **refusals,
                    **not_found,
                },
            }
        },
    )
