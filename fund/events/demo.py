"""Demo events: a suspension of DHK-017 and a closure of GZP-042, with entitlements computed.

Idempotent: an event is looked up by factory, kind and date first, and computed only when it
has no run yet. Needs the demo rolls (``fund.rolls.demo``) to be loaded before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from fund.auth.models import User
from fund.entitlements.models import EntitlementRun
from fund.entitlements.policy_versions import policy_for
from fund.entitlements.services import compute_for_event
from fund.events.models import Event
from fund.events.services import create_event
from fund.factories.models import Factory
from fund.rolls.services import current_roll


@dataclass(frozen=True)
class DemoEvent:
    """One demo event and the policy its entitlements use."""

    factory: str
    kind: str
    start: date
    end: date | None
    reference: str
    policy_name: str


DEMO_EVENTS = [
    DemoEvent(
        factory="DHK-017",
        kind="suspension",
        start=date(2025, 4, 1),
        end=date(2025, 6, 29),
        reference="Alliance engineering panel 2025/041: column cracks, building evacuated",
        policy_name="alliance-wage-replacement",
    ),
    DemoEvent(
        factory="GZP-042",
        kind="closure",
        start=date(2025, 4, 15),
        end=None,
        reference="Alliance review panel 2025/057: remediation not possible, closure",
        policy_name="bangladesh-labour-act-layoff",
    ),
]


def load_demo_events(session: Session) -> list[str]:
    """Add the demo events and compute them; what was added."""
    added: list[str] = []
    officer = session.scalar(select(User).where(User.username == "officer"))
    for spec in DEMO_EVENTS:
        factory = session.scalar(select(Factory).where(Factory.code == spec.factory))
        if factory is None:
            continue
        roll = current_roll(session, factory)
        if roll is None:
            continue
        event = session.scalar(
            select(Event).where(
                Event.factory_id == factory.id,
                Event.kind == spec.kind,
                Event.start_date == spec.start,
            )
        )
        if event is None:
            event = create_event(
                session,
                factory=factory,
                kind=spec.kind,
                start=spec.start,
                end=spec.end,
                reference=spec.reference,
                roll=roll,
                policy_name=spec.policy_name,
                actor=officer,
            )
            added.append(f"event {factory.code} {event.kind}")
        if session.scalar(select(EntitlementRun.id).where(EntitlementRun.event_id == event.id)):
            continue
        compute_for_event(
            session,
            event=event,
            policy_version=policy_for(session, spec.policy_name, event=event),
            through=None,
            actor=officer,
        )
        added.append(f"entitlements {factory.code} {event.kind}")
    return added
