"""The claim endpoints of ``/api/v1``, registered on the API blueprint by ``register``.

The helpline (and officers) file and read claims; officers and administrators decide them.
Refusals by the rules are 409 (already paid, duplicate, decided, nothing to pay, an unknown
event or a detail that cannot be used, the field named), a body that does not fit its schema
422, a role that may not act 403. Candidates (other workers' roll
data) are for fund staff only.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from apispec import APISpec
from flask import Blueprint, Response, abort, current_app, jsonify, request
from sqlalchemy import select

from fund.api.body import load_body
from fund.api.describe import error_answer, json_content, schema_ref
from fund.api.errors import error_response
from fund.api.pagination import paginate
from fund.auth.access import allow, allowed_user
from fund.auth.roles import CLAIM_DECIDERS, CLAIM_FILERS, CLAIM_READERS, STAFF
from fund.claims import attachments, deciding, filing, messages, reporting, searching, services
from fund.claims.models import CLAIM_KINDS, CLAIM_STATUSES, Claim
from fund.claims.schemas import (
    AcceptIn,
    AttachmentOut,
    CandidateOut,
    ClaimIn,
    ClaimOut,
    MessageOut,
    ReferIn,
    RejectIn,
    ReportOut,
    RollLineIn,
)
from fund.claims.views import deadlines, files_folder, helpline_number, max_attachment_bytes
from fund.controls.approvals import bands_from_config
from fund.db import get_session, utcnow
from fund.events.models import Event


def _claim(claim_id: int) -> Claim:
    claim = get_session().get(Claim, claim_id)
    if claim is None:
        abort(404, description=f"no claim {claim_id}")
    return claim


def refusal(error: services.ClaimRefused) -> Response:
    """A service refusal in the API's error shape, with the status that fits it."""
    get_session().rollback()
    if isinstance(error, services.NotAllowed):
        return error_response(403, "not_allowed", str(error))
    if isinstance(error, services.ClaimInvalid):
        return error_response(409, "invalid", str(error), error.field)
    if isinstance(error, services.AlreadyPaid):
        return error_response(409, "already_paid", str(error), "national_id")
    if isinstance(error, services.DuplicateClaim):
        return error_response(409, "duplicate_claim", str(error))
    if isinstance(error, services.ClaimStateError):
        return error_response(409, "wrong_state", str(error))
    return error_response(409, "refused", str(error))


def _dump(claim: Claim, status: int = 200) -> tuple[Response, int]:
    return jsonify(ClaimOut().dump(claim)), status


def list_claims() -> dict[str, Any]:
    query = select(Claim).order_by(Claim.id.desc())
    status = request.args.get("status", "")
    kind = request.args.get("kind", "")
    if status:
        if status not in CLAIM_STATUSES:
            abort(400, description=f"status is one of {', '.join(CLAIM_STATUSES)}")
        query = query.where(Claim.status == status)
    if kind:
        if kind not in CLAIM_KINDS:
            abort(400, description=f"kind is one of {', '.join(CLAIM_KINDS)}")
        query = query.where(Claim.kind == kind)
    if request.args.get("overdue") in ("1", "true"):
        query = query.where(Claim.status == "open", Claim.due_on < utcnow().date())
    return paginate(get_session(), query, ClaimOut())


def file() -> Response | tuple[Response, int]:
    args = load_body(ClaimIn())
    session = get_session()
    event = session.get(Event, args.pop("event_id"))
    if event is None:
        return error_response(409, "invalid", "no such event", "event_id")
    try:
        claim = filing.file_claim(
            session, event=event, actor=allowed_user(), deadlines=deadlines(), **args
        )
    except services.ClaimRefused as error:
        return refusal(error)
    return _dump(claim, 201)


def detail(claim_id: int) -> tuple[Response, int]:
    return _dump(_claim(claim_id))


def candidates(claim_id: int) -> Response:
    found = searching.candidates(get_session(), _claim(claim_id))
    return jsonify({"items": CandidateOut().dump(found, many=True)})


def message(claim_id: int) -> Response:
    claim = _claim(claim_id)
    text = reporting.outcome_text(claim, helpline=helpline_number())
    counted = messages.count(text)
    return jsonify(
        MessageOut().dump(
            {
                "reference": claim.reference,
                "status": claim.status,
                "language": claim.language,
                "text": text,
                "length": len(text),
                "encoding": counted.encoding,
                "parts": counted.parts,
            }
        )
    )


def attach(claim_id: int) -> Response | tuple[Response, int]:
    claim = _claim(claim_id)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return error_response(400, "missing_file", "send the file as field 'file'", "file")
    try:
        attachment = attachments.add_attachment(
            get_session(),
            claim=claim,
            data=upload.read(),
            filename=upload.filename,
            folder=files_folder(),
            actor=allowed_user(),
            max_bytes=max_attachment_bytes(),
        )
    except services.ClaimRefused as error:
        return refusal(error)
    return jsonify(AttachmentOut().dump(attachment)), 201


def _decimal(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


def accept(claim_id: int) -> Response | tuple[Response, int]:
    claim = _claim(claim_id)
    args = load_body(AcceptIn())
    try:
        worker = None
        if args["worker"] is not None:
            line = args["worker"]
            worker = deciding.roll_line(
                **{
                    **line,
                    **{
                        name: _decimal(line[name])
                        for name in ("basic", "house_rent", "medical", "transport", "food")
                    },
                }
            )
        deciding.accept_claim(
            get_session(),
            claim=claim,
            actor=allowed_user(),
            secret_key=current_app.config["SECRET_KEY"],
            note=args["note"],
            worker=worker,
            worker_id=args["worker_id"],
            pay=args["pay"],
            bands=bands_from_config(current_app.config),
        )
    except services.ClaimRefused as error:
        return refusal(error)
    return _dump(claim)


def reject(claim_id: int) -> Response | tuple[Response, int]:
    claim = _claim(claim_id)
    args = load_body(RejectIn())
    try:
        deciding.reject_claim(
            get_session(), claim=claim, actor=allowed_user(), reason=args["reason"]
        )
    except services.ClaimRefused as error:
        return refusal(error)
    return _dump(claim)


def refer(claim_id: int) -> Response | tuple[Response, int]:
    claim = _claim(claim_id)
    args = load_body(ReferIn())
    try:
        deciding.refer_claim(get_session(), claim=claim, actor=allowed_user(), **args)
    except services.ClaimRefused as error:
        return refusal(error)
    return _dump(claim)


def report() -> Response:
    found = reporting.report(get_session(), today=utcnow().date())
    body = ReportOut().dump(found)
    body["deadlines"] = deadlines()
    return jsonify(body)


def register(bp: Blueprint) -> None:
    """Add the claim endpoints to the API blueprint."""
    bp.add_url_rule("/claims", "claims", allow(CLAIM_READERS)(list_claims))
    bp.add_url_rule("/claims", "file_claim", allow(CLAIM_FILERS)(file), methods=["POST"])
    bp.add_url_rule("/claims/report", "claims_report", allow(CLAIM_READERS)(report))
    bp.add_url_rule("/claims/<int:claim_id>", "claim", allow(CLAIM_READERS)(detail))
    bp.add_url_rule(
        "/claims/<int:claim_id>/candidates", "claim_candidates", allow(STAFF)(candidates)
    )
    bp.add_url_rule(
        "/claims/<int:claim_id>/message", "claim_message", allow(CLAIM_READERS)(message)
    )
    bp.add_url_rule(
        "/claims/<int:claim_id>/attachments",
        "claim_attach",
        allow(CLAIM_FILERS)(attach),
        methods=["POST"],
    )
    for name, view in (("accept", accept), ("reject", reject), ("refer", refer)):
        bp.add_url_rule(
            f"/claims/<int:claim_id>/{name}",
            f"claim_{name}",
            allow(CLAIM_DECIDERS)(view),
            methods=["POST"],
        )


# --- the OpenAPI description ----------------------------------------------------------------


def add_claim_paths(
    spec: APISpec,
    *,
    errors: dict[str, Any],
    not_found: dict[str, Any],
    page_parameters: list[dict[str, Any]],
) -> None:
    """Describe the claim endpoints in the OpenAPI document."""
    for name, schema in {
        "ClaimAttachment": AttachmentOut,  # before the schemas that nest it
        "Claim": ClaimOut,
        "ClaimCandidate": CandidateOut,
        "ClaimMessage": MessageOut,
        "ClaimReport": ReportOut,
        "ClaimIn": ClaimIn,
        "RollLineIn": RollLineIn,
        "AcceptClaim": AcceptIn,
        "RejectClaim": RejectIn,
        "ReferClaim": ReferIn,
    }.items():
        spec.components.schema(name, schema=schema)

    claim_id = {"name": "claim_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    refusals = {
        "403": error_answer("the token's role may not do this"),
        "409": error_answer(
            "refused by the rules: the worker was already paid for the event, the same claim is"
            " open, the claim is decided, there is nothing more to pay, or a detail cannot be"
            " used (the field is named)"
        ),
        "422": error_answer(
            "the body does not fit the schema (each field named), or is unreadable"
        ),
    }
    one_claim = {"description": "the claim", **json_content(schema_ref("Claim"))}
    spec.path(
        "/claims",
        operations={
            "get": {
                "summary": "Claims, newest first (fund staff and the helpline)",
                "parameters": [
                    {
                        "name": "status",
                        "in": "query",
                        "schema": {"type": "string", "enum": list(CLAIM_STATUSES)},
                    },
                    {
                        "name": "kind",
                        "in": "query",
                        "schema": {"type": "string", "enum": list(CLAIM_KINDS)},
                    },
                    {
                        "name": "overdue",
                        "in": "query",
                        "schema": {"type": "string", "enum": ["1", "true"]},
                    },
                    *page_parameters,
                ],
                "responses": {
                    "200": {
                        "description": "a page of claims",
                        **json_content(
                            {
                                "type": "object",
                                "required": ["items", "page", "per_page", "total"],
                                "properties": {
                                    "items": {"type": "array", "items": schema_ref("Claim")},
                                    "page": {"type": "integer"},
                                    "per_page": {"type": "integer"},
                                    "total": {"type": "integer"},
                                },
                            }
                        ),
                    },
                    "400": error_answer("status or kind is not one the fund knows"),
                    **errors,
                },
            },
            "post": {
                "summary": "File a claim (helpline, officers, administrators)",
                "requestBody": {"required": True, **json_content(schema_ref("ClaimIn"))},
                "responses": {
                    "201": {"description": "the claim, open", **json_content(schema_ref("Claim"))},
                    **errors,
                    **refusals,
                },
            },
        },
    )
    spec.path(
        "/claims/report",
        operations={
            "get": {
                "summary": "Claims by factory, kind, status and age; the share decided in time",
                "responses": {
                    "200": {"description": "the report", **json_content(schema_ref("ClaimReport"))},
                    **errors,
                },
            }
        },
    )
    spec.path(
        "/claims/{claim_id}",
        operations={
            "get": {
                "summary": "One claim",
                "parameters": [claim_id],
                "responses": {"200": one_claim, **errors, **not_found},
            }
        },
    )
    spec.path(
        "/claims/{claim_id}/candidates",
        operations={
            "get": {
                "summary": "Workers of the event's roll and payments the claimant may be, and why"
                " (fund staff only)",
                "parameters": [claim_id],
                "responses": {
                    "200": {
                        "description": "candidates, best first",
                        **json_content(
                            {
                                "type": "object",
                                "required": ["items"],
                                "properties": {
                                    "items": {
                                        "type": "array",
                                        "items": schema_ref("ClaimCandidate"),
                                    }
                                },
                            }
                        ),
                    },
                    **errors,
                    **not_found,
                },
            }
        },
    )
    spec.path(
        "/claims/{claim_id}/message",
        operations={
            "get": {
                "summary": "The outcome as a text of at most 160 characters, for an SMS gateway",
                "parameters": [claim_id],
                "responses": {
                    "200": {"description": "the text", **json_content(schema_ref("ClaimMessage"))},
                    **errors,
                    **not_found,
                },
            }
        },
    )
    spec.path(
        "/claims/{claim_id}/attachments",
        operations={
            "post": {
                "summary": "Add a JPEG, PNG or PDF (at most 5 MB), told by its content",
                "parameters": [claim_id],
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["file"],
                                "properties": {"file": {"type": "string", "format": "binary"}},
                            }
                        }
                    },
                },
                "responses": {
                    "201": {
                        "description": "the attachment",
                        **json_content(schema_ref("ClaimAttachment")),
                    },
                    "400": error_answer("no file was sent"),
                    **errors,
                    **refusals,
                    **not_found,
                },
            }
        },
    )
    for name, summary, body in (
        (
            "accept",
            "Accept: add or correct the roll line, recompute, submit a top-up batch",
            "AcceptClaim",
        ),
        ("reject", "Reject, with the reason the worker is told", "RejectClaim"),
        ("refer", "Refer to someone else", "ReferClaim"),
    ):
        spec.path(
            f"/claims/{{claim_id}}/{name}",
            operations={
                "post": {
                    "summary": f"{summary} (officers, administrators)",
                    "parameters": [claim_id],
                    "requestBody": {"required": True, **json_content(schema_ref(body))},
                    "responses": {"200": one_claim, **errors, **refusals, **not_found},
                }
            },
        )
