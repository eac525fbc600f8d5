"""The event endpoints of ``/api/v1``: list, record, read, change the end, choose the roll,
compute entitlements. Registered on the API blueprint by ``register``, documented by
``add_event_paths``.

Each calls the service the web pages call. A body that does not fit its schema is 422; a
well-formed request the service refuses (no such factory or policy, an end before the start, a
closure's end, no roll yet) is 409 naming the field at fault. Brands get 403.
"""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from flask import Blueprint, Response, abort, jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from fund.api.body import load_body
from fund.api.describe import error_answer, json_content, schema_ref
from fund.api.errors import error_response, refusal
from fund.api.pagination import paginate
from fund.auth.access import acting_user, allow
from fund.auth.roles import STAFF, Role
from fund.db import get_session
from fund.entitlements.policy import PolicyInvalid
from fund.entitlements.policy_versions import PolicyNotFound, policy_for
from fund.entitlements.rules import EntitlementError, ThroughMissing
from fund.entitlements.schemas import EntitlementRunOut
from fund.entitlements.services import RollMissing, compute_for_event, latest_run
from fund.events.models import Event
from fund.events.schemas import (
    ChangeEndIn,
    ComputeIn,
    EventDetailOut,
    EventIn,
    EventOut,
    EventQuery,
    UseRollIn,
)
from fund.events.services import EventInvalid, change_end, record_event, use_roll
from fund.factories.models import Factory

#: Who records events and computes entitlements (as on the web pages).
OFFICERS = (Role.ADMIN, Role.OFFICER)


def _event(event_id: int) -> Event:
    event = get_session().get(Event, event_id)
    if event is None:
        abort(404, description=f"no event {event_id}")
    return event


def _detail(event: Event, status: int = 200) -> tuple[Response, int]:
    body = EventDetailOut().dump(event)
    body["latest_run"] = _run_json(get_session(), event)
    return jsonify(body), status


def _run_json(session: Session, event: Event) -> dict[str, Any] | None:
    run = latest_run(session, event)
    return EntitlementRunOut().dump(run) if run is not None else None


def list_events() -> dict[str, Any]:
    args = EventQuery().load(request.args.to_dict())
    query = (
        select(Event)
        .options(selectinload(Event.factory), selectinload(Event.created_by))
        .order_by(Event.start_date.desc(), Event.id.desc())
    )
    if "factory" in args:
        query = query.join(Factory).where(Factory.code == args["factory"])
    if "kind" in args:
        query = query.where(Event.kind == args["kind"])
    return paginate(get_session(), query, EventOut())


def create() -> Response | tuple[Response, int]:
    args = load_body(EventIn())
    try:
        event = record_event(
            get_session(),
            factory_code=args["factory"],
            kind=args["kind"],
            start=args["start"],
            end=args["end"],
            sections=args["sections"],
            reference=args["reference"],
            policy_name=args["policy"],
            actor=acting_user(),
        )
    except EventInvalid as error:
        return refusal(str(error), error.field)
    return _detail(event, 201)


def detail(event_id: int) -> tuple[Response, int]:
    return _detail(_event(event_id))


def end(event_id: int) -> Response | tuple[Response, int]:
    event = _event(event_id)
    args = load_body(ChangeEndIn())
    try:
        change_end(
            get_session(),
            event=event,
            new_end=args["end"],
            reason=args["reason"],
            actor=acting_user(),
        )
    except EventInvalid as error:
        return refusal(str(error), error.field)
    return _detail(event)


def roll(event_id: int) -> Response | tuple[Response, int]:
    event = _event(event_id)
    args = load_body(UseRollIn())
    try:
        use_roll(get_session(), event=event, version=args["version"], actor=acting_user())
    except EventInvalid as error:
        return refusal(str(error), error.field)
    return _detail(event)


def compute(event_id: int) -> Response | tuple[Response, int]:
    session = get_session()
    event = _event(event_id)
    args = load_body(ComputeIn())
    name = args["policy"] or event.policy_name
    if not name:
        return refusal("the event has no policy: name one", "policy")
    try:
        run = compute_for_event(
            session,
            event=event,
            policy_version=policy_for(session, name, event=event),
            through=args["through"],
            actor=acting_user(),
        )
    except (PolicyNotFound, PolicyInvalid) as error:
        return refusal(str(error), "policy")
    except ThroughMissing as error:
        return refusal(str(error), "through")
    except RollMissing as error:
        return error_response(409, "no_roll", str(error))
    except EntitlementError as error:
        return error_response(409, "not_computed", str(error))
    return jsonify(EntitlementRunOut().dump(run)), 201


def register(bp: Blueprint) -> None:
    """Add the event endpoints to the API blueprint."""
    bp.add_url_rule("/events", "events", allow(STAFF)(list_events))
    bp.add_url_rule("/events", "create_event", allow(*OFFICERS)(create), methods=["POST"])
    bp.add_url_rule("/events/<int:event_id>", "event", allow(STAFF)(detail))
    bp.add_url_rule(
        "/events/<int:event_id>/end", "event_end", allow(*OFFICERS)(end), methods=["POST"]
    )
    bp.add_url_rule(
        "/events/<int:event_id>/roll", "event_roll", allow(*OFFICERS)(roll), methods=["POST"]
    )
    bp.add_url_rule(
        "/events/<int:event_id>/compute",
        "event_compute",
        allow(*OFFICERS)(compute),
        methods=["POST"],
    )


# --- the OpenAPI description ----------------------------------------------------------------


def add_event_paths(
    spec: APISpec,
    *,
    errors: dict[str, Any],
    not_found: dict[str, Any],
    page_parameters: list[dict[str, Any]],
) -> None:
    """Describe the event endpoints in the OpenAPI document."""
    for name, schema in {
        "Event": EventOut,
        "EventDetail": EventDetailOut,
        "EventIn": EventIn,
        "ChangeEnd": ChangeEndIn,
        "UseRoll": UseRollIn,
        "Compute": ComputeIn,
    }.items():
        spec.components.schema(name, schema=schema)

    event_id = {"name": "event_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    invalid = {"422": error_answer("the body does not fit its schema, named by field")}
    page = {
        "type": "object",
        "required": ["items", "page", "per_page", "total"],
        "properties": {
            "items": {"type": "array", "items": schema_ref("Event")},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "total": {"type": "integer"},
        },
    }
    spec.path(
        "/events",
        operations={
            "get": {
                "summary": "Events, latest start first (fund staff only)",
                # factory and kind, with the limits the schema checks
                "parameters": [{"in": "query", "schema": EventQuery}, *page_parameters],
                "responses": {
                    "200": {"description": "a page of events", **json_content(page)},
                    **errors,
                },
            },
            "post": {
                "summary": "Record a suspension or closure on the factory's newest roll (officers)",
                "requestBody": {"required": True, **json_content(schema_ref("EventIn"))},
                "responses": {
                    "201": {"description": "the event", **json_content(schema_ref("EventDetail"))},
                    "409": error_answer(
                        "refused: no such factory or policy, or dates that cannot be"
                    ),
                    **errors,
                    **invalid,
                },
            },
        },
    )
    spec.path(
        "/events/{event_id}",
        operations={
            "get": {
                "summary": "One event, its end-date history and latest computation (staff)",
                "parameters": [event_id],
                "responses": {
                    "200": {"description": "the event", **json_content(schema_ref("EventDetail"))},
                    **errors,
                    **not_found,
                },
            }
        },
    )
    for path, body, summary, conflict in (
        (
            "/events/{event_id}/end",
            "ChangeEnd",
            "Extend, shorten, end or reopen a suspension; the history is kept (officers)",
            "refused, naming the field: an end before the start or unchanged, a closure",
        ),
        (
            "/events/{event_id}/roll",
            "UseRoll",
            "Compute the event from another roll version of its factory (officers)",
            "the factory has no such roll version",
        ),
    ):
        spec.path(
            path,
            operations={
                "post": {
                    "summary": summary,
                    "parameters": [event_id],
                    "requestBody": {
                        "required": body == "ChangeEnd",
                        **json_content(schema_ref(body)),
                    },
                    "responses": {
                        "200": {
                            "description": "the event",
                            **json_content(schema_ref("EventDetail")),
                        },
                        "409": error_answer(conflict),
                        **errors,
                        **invalid,
                        **not_found,
                    },
                }
            },
        )
    spec.path(
        "/events/{event_id}/compute",
        operations={
            "post": {
                "summary": "Compute every worker's entitlement: a new run each time (officers)",
                "parameters": [event_id],
                "requestBody": {"required": True, **json_content(schema_ref("Compute"))},
                "responses": {
                    "201": {"description": "the run", **json_content(schema_ref("EntitlementRun"))},
                    "409": error_answer(
                        "refused: no roll yet, no such policy, no through date while ongoing"
                    ),
                    **errors,
                    **invalid,
                    **not_found,
                },
            }
        },
    )
