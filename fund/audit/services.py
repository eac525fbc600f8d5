"""Writing and verifying the audit log."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fund.audit.models import AuditChainHead, AuditEvent
from fund.auth.models import User
from fund.db import utcnow

GENESIS_HASH = "0" * 64
SYSTEM_ACTOR = "system"


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _utc_text(moment: datetime) -> str:
    # SQLite hands timestamps back naive and PostgreSQL in the session's zone: hash UTC text.
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds")


def event_hash(event: AuditEvent) -> str:
    """SHA-256 over an event's content and the hash of the event before it."""
    content = {
        "occurred_at": _utc_text(event.occurred_at),
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "before": event.before,
        "after": event.after,
        "previous_hash": event.previous_hash,
    }
    return hashlib.sha256(_canonical(content).encode()).hexdigest()


def _lock_head(session: Session) -> AuditChainHead:
    head = session.scalars(
        select(AuditChainHead).where(AuditChainHead.id == 1).with_for_update()
    ).one_or_none()
    if head is None:
        head = AuditChainHead(id=1, last_event_id=None, last_hash=GENESIS_HASH)
        session.add(head)
        session.flush()
    return head


def record(
    session: Session,
    *,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: str | int,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event in the caller's transaction."""
    head = _lock_head(session)
    # Round-trip through JSON now so the hash covers exactly what the database will return.
    event = AuditEvent(
        occurred_at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        actor_name=actor.username if actor is not None else SYSTEM_ACTOR,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=json.loads(_canonical(before)) if before is not None else None,
        after=json.loads(_canonical(after)) if after is not None else None,
        previous_hash=head.last_hash,
    )
    event.hash = event_hash(event)
    session.add(event)
    session.flush()
    head.last_event_id = event.id
    head.last_hash = event.hash
    session.flush()
    return event


@dataclass(frozen=True, slots=True)
class AuditVerification:
    """Outcome of re-reading the whole audit chain."""

    events: int
    first_bad_event: int | None
    reason: str | None

    @property
    def ok(self) -> bool:
        """True when every event's hash and link is intact."""
        return self.first_bad_event is None


def verify(session: Session) -> AuditVerification:
    """Recompute every audit event's hash and link; name the first that does not match."""
    previous = GENESIS_HASH
    count = 0
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id)).yield_per(1000):
        count += 1
        if event.previous_hash != previous:
            return AuditVerification(count, event.id, "link to the previous event is broken")
        if event_hash(event) != event.hash:
            return AuditVerification(count, event.id, "content does not match its hash")
        previous = event.hash
    head = session.get(AuditChainHead, 1)
    if head is not None and head.last_hash != previous:
        return AuditVerification(count, head.last_event_id, "events after the last were removed")
    return AuditVerification(count, None, None)
