"""The claim endpoints of ``/api/v1``, documented from their schemas (fund/claims/schemas.py).

The helpline (and officers) file and read claims; officers and administrators decide them.
Refusals by the rules are 409 (already paid, duplicate, decided, nothing to pay, an unknown
event or a detail that cannot be used, the field named), a body that does not fit its schema
422, a role that may not act 403. Candidates (other workers' roll data) are for fund staff only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from flask import Response, abort, current_app
from marshmallow import Schema
from sqlalchemy import select

from fund.api.blueprint import View, bp
from fund.api.errors import ErrorBody, error_response
from fund.api.pagination import read_page
from fund.auth.access import allow, allowed_user
from fund.auth.roles import CLAIM_DECIDERS, CLAIM_FILERS, CLAIM_READERS, STAFF
from fund.claims import attachments, deciding, filing, messages, reporting, searching, services
from fund.claims.models import Claim, ClaimAttachment
from fund.claims.reporting import ClaimReport
from fund.claims.schemas import (
    AcceptClaimIn,
    ClaimAttachmentOut,
    ClaimCandidateListOut,
    ClaimFileIn,
    ClaimIn,
    ClaimListArgs,
    ClaimMessageOut,
    ClaimOut,
    ClaimPage,
    ClaimReportOut,
    ReferClaimIn,
    RejectClaimIn,
)
from fund.claims.views import deadlines, files_folder, helpline_number, max_attachment_bytes
from fund.controls.approvals import bands_from_config
from fund.db import get_session, utcnow
from fund.events.models import Event

#: The refusals by the rules, as each write that meets them documents its 409.
REFUSED = (
    "refused by the rules: the worker was already paid for the event, the same claim is open,"
    " the claim is decided, there is nothing more to pay, or a detail cannot be used (the field"
    " is named)"
)


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


@bp.route("/claims", endpoint="claims")
@allow(CLAIM_READERS)
@bp.arguments(ClaimListArgs, location="query")
@bp.response(200, ClaimPage, description="a page of claims")
def list_claims(args: dict[str, Any]) -> dict[str, Any]:
    """Claims, newest first (fund staff and the helpline)."""
    query = select(Claim).order_by(Claim.id.desc())
    if "status" in args:
        query = query.where(Claim.status == args["status"])
    if "kind" in args:
        query = query.where(Claim.kind == args["kind"])
    if args["overdue"]:
        query = query.where(Claim.status == "open", Claim.due_on < utcnow().date())
    return read_page(get_session(), query, args)


@bp.route("/claims", methods=["POST"], endpoint="file_claim")
@allow(CLAIM_FILERS)
@bp.arguments(ClaimIn)
@bp.response(201, ClaimOut, description="the claim, open")
@bp.alt_response(409, schema=ErrorBody, description=REFUSED)
def file(args: dict[str, Any]) -> Claim | Response:
    """File a claim (helpline, officers, administrators)."""
    session = get_session()
    event = session.get(Event, args.pop("event_id"))
    if event is None:
        return error_response(409, "invalid", "no such event", "event_id")
    try:
        return filing.file_claim(
            session, event=event, actor=allowed_user(), deadlines=deadlines(), **args
        )
    except services.ClaimRefused as error:
        return refusal(error)


@bp.route("/claims/report", endpoint="claims_report")
@allow(CLAIM_READERS)
@bp.response(200, ClaimReportOut, description="the report")
def report() -> ClaimReport:
    """Claims by factory, kind, status and age; the share decided in time."""
    found = reporting.report(get_session(), today=utcnow().date())
    return replace(found, deadlines=deadlines())


@bp.route("/claims/<int:claim_id>", endpoint="claim")
@allow(CLAIM_READERS)
@bp.response(200, ClaimOut, description="the claim")
def detail(claim_id: int) -> Claim:
    """One claim."""
    return _claim(claim_id)


@bp.route("/claims/<int:claim_id>/candidates", endpoint="claim_candidates")
@allow(STAFF)
@bp.response(200, ClaimCandidateListOut, description="candidates, best first")
def candidates(claim_id: int) -> dict[str, Any]:
    """Workers of the event's roll and payments the claimant may be, and why (fund staff only)."""
    return {"items": searching.candidates(get_session(), _claim(claim_id))}


@bp.route("/claims/<int:claim_id>/message", endpoint="claim_message")
@allow(CLAIM_READERS)
@bp.response(200, ClaimMessageOut, description="the text")
def message(claim_id: int) -> dict[str, Any]:
    """The outcome as a text of at most 160 characters, for an SMS gateway."""
    claim = _claim(claim_id)
    text = reporting.outcome_text(claim, helpline=helpline_number())
    counted = messages.count(text)
    return {
        "reference": claim.reference,
        "status": claim.status,
        "language": claim.language,
        "text": text,
        "length": len(text),
        "encoding": counted.encoding,
        "parts": counted.parts,
    }


@bp.route("/claims/<int:claim_id>/attachments", methods=["POST"], endpoint="claim_attach")
@allow(CLAIM_FILERS)
@bp.arguments(ClaimFileIn, location="files")
@bp.response(201, ClaimAttachmentOut, description="the attachment")
@bp.alt_response(409, schema=ErrorBody, description="not a JPEG, PNG or PDF, empty, or too big")
def attach(args: dict[str, Any], claim_id: int) -> ClaimAttachment | Response:
    """Add a JPEG, PNG or PDF (at most 5 MB), told by its content."""
    claim = _claim(claim_id)
    upload = args["file"]
    try:
        return attachments.add_attachment(
            get_session(),
            claim=claim,
            data=upload.read(),
            filename=upload.filename or "",
            folder=files_folder(),
            actor=allowed_user(),
            max_bytes=max_attachment_bytes(),
        )
    except services.ClaimRefused as error:
        return refusal(error)


#: The roll line's monthly wages, sent as decimal text.
WAGES = ("basic", "house_rent", "medical", "transport", "food")


def _decimal(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


def _decision(name: str, body: type[Schema]) -> Callable[[View], View]:
    """``POST /claims/<id>/<name>``: officers and administrators decide; the claim answers."""
    decorators = (
        bp.route(f"/claims/<int:claim_id>/{name}", methods=["POST"], endpoint=f"claim_{name}"),
        allow(CLAIM_DECIDERS),
        bp.arguments(body),
        bp.response(200, ClaimOut, description="the claim"),
        bp.alt_response(409, schema=ErrorBody, description=REFUSED),
    )

    def decorate(view: View) -> View:
        for decorator in reversed(decorators):
            view = decorator(view)
        return view

    return decorate


def _decided(claim: Claim, decide: Callable[[Claim], object]) -> Claim | Response:
    """``claim`` once ``decide`` has decided it, or the service's refusal."""
    try:
        decide(claim)
    except services.ClaimRefused as error:
        return refusal(error)
    return claim


@_decision("accept", AcceptClaimIn)
def accept(args: dict[str, Any], claim_id: int) -> Claim | Response:
    """Accept: add or correct the roll line, recompute, submit a top-up batch.

    Officers and administrators.
    """

    def decide(claim: Claim) -> None:
        # Inside the refusal's reach: a roll line missing a detail is refused naming it.
        line = args["worker"]
        worker = (
            None
            if line is None
            else deciding.roll_line(**{**line, **{name: _decimal(line[name]) for name in WAGES}})
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

    return _decided(_claim(claim_id), decide)


@_decision("reject", RejectClaimIn)
def reject(args: dict[str, Any], claim_id: int) -> Claim | Response:
    """Reject, with the reason the worker is told (officers, administrators)."""
    return _decided(
        _claim(claim_id),
        lambda claim: deciding.reject_claim(
            get_session(), claim=claim, actor=allowed_user(), reason=args["reason"]
        ),
    )


@_decision("refer", ReferClaimIn)
def refer(args: dict[str, Any], claim_id: int) -> Claim | Response:
    """Refer to someone else (officers, administrators)."""
    return _decided(
        _claim(claim_id),
        lambda claim: deciding.refer_claim(
            get_session(), claim=claim, actor=allowed_user(), **args
        ),
    )
