"""Recording events: create a suspension or closure, change a suspension's end, end it.

Services add and flush; the request or CLI command commits. Each change writes one audit event.

An event builds on the entitlement area's rules and policies (its dates and sections must be
terms the rules accept, its policy one that exists); the entitlement services read the events'
tables but never these services, so the two areas do not import each other.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fund.audit.services import record
from fund.auth.models import User
from fund.entitlements.models import Entitlement
from fund.entitlements.policy_versions import policy_names
from fund.entitlements.rules import DUPLICATE_NATIONAL_ID, EntitlementError, EventTerms
from fund.events.models import DuplicateResolution, Event, EventExtension
from fund.events.signals import roll_chosen
from fund.factories.models import Factory
from fund.rolls.models import Roll
from fund.rolls.services import current_roll


class EventInvalid(ValueError):
    """Event details that cannot describe a real suspension or closure.

    ``field`` names the input at fault; without one, the event's state is what refuses.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _snapshot(event: Event) -> dict[str, Any]:
    return {
        "factory": event.factory.code if event.factory else event.factory_id,
        "kind": event.kind,
        "scope": event.scope,
        "sections": event.sections,
        "start_date": event.start_date.isoformat(),
        "end_date": event.end_date.isoformat() if event.end_date else None,
        "reference": event.reference,
        "roll_id": event.roll_id,
        "policy_name": event.policy_name,
    }


def create_event(
    session: Session,
    *,
    factory: Factory,
    kind: str,
    start: date,
    end: date | None = None,
    sections: Iterable[str] | None = None,
    reference: str = "",
    description: str = "",
    roll: Roll | None = None,
    policy_name: str | None = None,
    actor: User | None,
) -> Event:
    """Record a suspension (full, or partial with sections) or a closure of ``factory``."""
    section_list = None
    if sections is not None:
        section_list = sorted({s.strip() for s in sections if s.strip()})
    if kind not in ("suspension", "closure"):
        raise EventInvalid(f"event kind must be suspension or closure, not {kind!r}", field="kind")
    try:
        event_terms_check = EventTerms(
            kind="closure" if kind == "closure" else "suspension",
            start=start,
            end=end,
            sections=frozenset(section_list) if section_list is not None else None,
        )
    except EntitlementError as error:
        sections_wrong = section_list is not None and (kind == "closure" or not section_list)
        raise EventInvalid(str(error), field="sections" if sections_wrong else "end") from error
    if roll is not None and roll.factory_id != factory.id:
        raise EventInvalid(f"roll {roll.id} is another factory's payroll")
    event = Event(
        factory=factory,
        kind=kind,
        scope="partial" if event_terms_check.sections is not None else "full",
        sections=section_list,
        start_date=start,
        end_date=end,
        reference=reference.strip(),
        description=description.strip(),
        roll=roll,
        policy_name=policy_name,
        created_by=actor,
    )
    session.add(event)
    session.flush()
    record(
        session,
        actor=actor,
        action="events.create",
        object_type="event",
        object_id=event.id,
        after=_snapshot(event),
    )
    if roll is not None:
        roll_chosen.send(session, event=event, roll=roll, actor=actor)  # reviewed for it
    return event


def record_event(
    session: Session,
    *,
    factory_code: str,
    kind: str,
    start: date,
    end: date | None,
    sections: Iterable[str] | None,
    reference: str,
    policy_name: str,
    actor: User | None,
) -> Event:
    """Record an event as an officer does (web form, API): on the factory's newest roll.

    Sections count for a suspension only; the policy must be a stored or shipped one.
    """
    factory = session.scalar(select(Factory).where(Factory.code == factory_code))
    if factory is None:
        raise EventInvalid(f"no factory {factory_code!r}", field="factory")
    if policy_name not in policy_names(session):
        raise EventInvalid(f"no policy called {policy_name!r}", field="policy")
    return create_event(
        session,
        factory=factory,
        kind=kind,
        start=start,
        end=end,
        sections=sections if kind == "suspension" else None,
        reference=reference,
        roll=current_roll(session, factory),
        policy_name=policy_name,
        actor=actor,
    )


def change_end(
    session: Session,
    *,
    event: Event,
    new_end: date | None,
    reason: str,
    reference: str = "",
    actor: User | None,
) -> EventExtension:
    """Extend, shorten, end or reopen (``new_end=None``) a suspension; history is kept."""
    if event.kind != "suspension":
        raise EventInvalid("only a suspension has an end date; a closure is a single day")
    if not reason.strip():
        raise EventInvalid("say why the end date changes", field="reason")
    if new_end is not None and new_end < event.start_date:
        raise EventInvalid(
            f"the end ({new_end}) cannot be before the start ({event.start_date})", field="end"
        )
    if new_end == event.end_date:
        raise EventInvalid("the end date is already that", field="end")
    before = _snapshot(event)
    extension = EventExtension(
        event=event,
        previous_end=event.end_date,
        new_end=new_end,
        reason=reason.strip(),
        reference=reference.strip(),
        recorded_by=actor,
    )
    event.end_date = new_end
    session.add(extension)
    session.flush()
    record(
        session,
        actor=actor,
        action="events.change_end",
        object_type="event",
        object_id=event.id,
        before=before,
        after={**_snapshot(event), "reason": extension.reason},
    )
    return extension


def extend_event(
    session: Session, *, event: Event, new_end: date, reason: str, actor: User | None
) -> EventExtension:
    """Move a suspension's end later (the factory needs more time)."""
    if event.end_date is not None and new_end < event.end_date:
        raise EventInvalid(
            f"{new_end} is before the current end {event.end_date}: not an extension"
        )
    return change_end(session, event=event, new_end=new_end, reason=reason, actor=actor)


def close_event(
    session: Session, *, event: Event, end: date, reason: str, actor: User | None
) -> EventExtension:
    """End an ongoing suspension on ``end`` (the factory reopened)."""
    if not event.ongoing:
        raise EventInvalid("the suspension has already ended")
    return change_end(session, event=event, new_end=end, reason=reason, actor=actor)


def set_roll(session: Session, *, event: Event, roll: Roll, actor: User | None) -> Event:
    """Choose the roll version (of the event's factory) its entitlements are computed from."""
    if roll.factory_id != event.factory_id:
        raise EventInvalid(f"roll {roll.id} is another factory's payroll")
    before = _snapshot(event)
    event.roll = roll
    event.roll_id = roll.id
    session.flush()
    record(
        session,
        actor=actor,
        action="events.set_roll",
        object_type="event",
        object_id=event.id,
        before=before,
        after=_snapshot(event),
    )
    roll_chosen.send(session, event=event, roll=roll, actor=actor)
    return event


def use_roll(session: Session, *, event: Event, version: int | None, actor: User | None) -> Event:
    """Compute ``event`` from its factory's roll ``version`` (``None``: the newest)."""
    query = select(Roll).where(Roll.factory_id == event.factory_id)
    if version is not None:
        query = query.where(Roll.version == version)
    roll = session.scalar(query.order_by(Roll.version.desc()).limit(1))
    if roll is None:
        wanted = f"roll version {version}" if version is not None else "roll yet"
        raise EventInvalid(f"{event.factory.code} has no {wanted}", field="version")
    return set_roll(session, event=event, roll=roll, actor=actor)


def resolve_duplicate(
    session: Session,
    *,
    event: Event,
    national_id: str,
    paid_worker_id: str,
    note: str,
    actor: User | None,
) -> DuplicateResolution:
    """Record that the workers sharing ``national_id`` are one person, paid as ``paid_worker_id``.

    The next computation pays that worker and marks the others ``duplicate_resolved``.
    """
    national_id = "".join(national_id.split())
    if not note.strip():
        raise EventInvalid("say how the duplicate was resolved (who checked what)", field="note")
    existing = session.scalar(
        select(DuplicateResolution).where(
            DuplicateResolution.event_id == event.id,
            DuplicateResolution.national_id == national_id,
        )
    )
    if existing is not None:
        raise EventInvalid(
            f"national ID {national_id} was already resolved for this event "
            f"(paid as {existing.paid_worker_id})"
        )
    resolution = DuplicateResolution(
        event_id=event.id,
        national_id=national_id,
        paid_worker_id=paid_worker_id.strip(),
        note=note.strip(),
        resolved_by=actor,
    )
    session.add(resolution)
    session.flush()
    record(
        session,
        actor=actor,
        action="events.resolve_duplicate",
        object_type="event",
        object_id=event.id,
        after={
            "national_id": national_id,
            "paid_worker_id": resolution.paid_worker_id,
            "note": resolution.note,
        },
    )
    return resolution


def resolve_held(
    session: Session, *, entitlement: Entitlement, note: str, actor: User | None
) -> DuplicateResolution:
    """Pay this held worker once for the national ID they share; the next computation applies it."""
    if entitlement.reason != DUPLICATE_NATIONAL_ID:
        raise EventInvalid(f"worker {entitlement.worker_id} is not held for a shared national ID")
    return resolve_duplicate(
        session,
        event=entitlement.run.event,
        national_id=entitlement.national_id,
        paid_worker_id=entitlement.worker_id,
        note=note,
        actor=actor,
    )
