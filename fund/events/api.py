"""The event endpoints of ``/api/v1``: list, record, read, change the end, choose the roll,
compute entitlements.

Each calls the service the web pages call. A body that does not fit its schema is 422; a
well-formed request the service refuses (no such factory or policy, an end before the start, a
closure's end, no roll yet) is 409 naming the field at fault. Brands get 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Response, abort
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from fund.api.blueprint import bp
from fund.api.errors import ErrorBody, error_response, refusal
from fund.api.pagination import page_of, read_page
from fund.auth.access import acting_user, allow
from fund.auth.roles import STAFF, Role
from fund.db import get_session
from fund.entitlements.models import EntitlementRun
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
from fund.events.views import compute_in_background
from fund.factories.models import Factory
from fund.jobs.api import ACCEPTED, accepted

#: Who records events and computes entitlements (as on the web pages).
OFFICERS = (Role.ADMIN, Role.OFFICER)

EventPage = page_of(EventOut, "EventPage")


@dataclass(frozen=True, slots=True)
class EventDetail:
    """An event as ``EventDetailOut`` dumps it: the event, and its latest computation."""

    event: Event
    latest_run: EntitlementRun | None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.event, name)


def _event(event_id: int) -> Event:
    event = get_session().get(Event, event_id)
    if event is None:
        abort(404, description=f"no event {event_id}")
    return event


def _detail(event: Event) -> EventDetail:
    return EventDetail(event, latest_run(get_session(), event))


@bp.route("/events", endpoint="events")
@allow(STAFF)
@bp.arguments(EventQuery, location="query")
@bp.response(200, EventPage)
def list_events(args: dict[str, Any]) -> dict[str, Any]:
    """Events, latest start first (fund staff only)."""
    query = (
        select(Event)
        .options(selectinload(Event.factory), selectinload(Event.created_by))
        .order_by(Event.start_date.desc(), Event.id.desc())
    )
    if "factory" in args:
        query = query.join(Factory).where(Factory.code == args["factory"])
    if "kind" in args:
        query = query.where(Event.kind == args["kind"])
    return read_page(get_session(), query, args)


@bp.route("/events", methods=["POST"], endpoint="create_event")
@allow(*OFFICERS)
@bp.arguments(EventIn)
@bp.response(201, EventDetailOut)
@bp.alt_response(
    409, schema=ErrorBody, description="refused: no such factory or policy, or dates that cannot be"
)
def create(args: dict[str, Any]) -> EventDetail | Response:
    """Record a suspension or closure on the factory's newest roll (officers)."""
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
    return _detail(event)


@bp.route("/events/<int:event_id>", endpoint="event")
@allow(STAFF)
@bp.response(200, EventDetailOut)
def detail(event_id: int) -> EventDetail:
    """One event, its end-date history and latest computation (staff)."""
    return _detail(_event(event_id))


@bp.route("/events/<int:event_id>/end", methods=["POST"], endpoint="event_end")
@allow(*OFFICERS)
@bp.arguments(ChangeEndIn)
@bp.response(200, EventDetailOut)
@bp.alt_response(
    409,
    schema=ErrorBody,
    description="refused, naming the field: an end before the start or unchanged, a closure",
)
def end(args: dict[str, Any], event_id: int) -> EventDetail | Response:
    """Extend, shorten, end or reopen a suspension; the history is kept (officers)."""
    event = _event(event_id)
    try:
        change_end(
            get_session(), event=event, new_end=args["end"], reason=args["reason"],
            actor=acting_user(),
        )  # fmt: skip
    except EventInvalid as error:
        return refusal(str(error), error.field)
    return _detail(event)


@bp.route("/events/<int:event_id>/roll", methods=["POST"], endpoint="event_roll")
@allow(*OFFICERS)
@bp.arguments(UseRollIn)
@bp.response(200, EventDetailOut)
@bp.alt_response(409, schema=ErrorBody, description="the factory has no such roll version")
def roll(args: dict[str, Any], event_id: int) -> EventDetail | Response:
    """Compute the event from another roll version of its factory (officers)."""
    event = _event(event_id)
    try:
        use_roll(get_session(), event=event, version=args["version"], actor=acting_user())
    except EventInvalid as error:
        return refusal(str(error), error.field)
    return _detail(event)


@bp.route("/events/<int:event_id>/compute", methods=["POST"], endpoint="event_compute")
@allow(*OFFICERS)
@bp.arguments(ComputeIn)
@bp.response(201, EntitlementRunOut)
@bp.alt_response(202, **ACCEPTED)
@bp.alt_response(
    409,
    schema=ErrorBody,
    description="refused: no roll yet, no such policy, no through date while ongoing",
)
def compute(args: dict[str, Any], event_id: int) -> EntitlementRun | Response:
    """Compute every worker's entitlement: a new run each time (officers).

    A roll of more workers than the fund's background threshold is computed by a background
    job (202), as on the web.
    """
    session = get_session()
    event = _event(event_id)
    name = args["policy"] or event.policy_name
    if not name:
        return refusal("the event has no policy: name one", "policy")
    try:
        version = policy_for(session, name, event=event)
        if (job := compute_in_background(event, version.id, args["through"])) is not None:
            return accepted(job)
        return compute_for_event(
            session, event=event, policy_version=version, through=args["through"],
            actor=acting_user(),
        )  # fmt: skip
    except (PolicyNotFound, PolicyInvalid) as error:
        return refusal(str(error), "policy")
    except ThroughMissing as error:
        return refusal(str(error), "through")
    except RollMissing as error:
        return error_response(409, "no_roll", str(error))
    except EntitlementError as error:
        return error_response(409, "not_computed", str(error))
