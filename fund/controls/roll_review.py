"""Roll comparison: what changed in a factory's new roll version that padding would look like.

A roll is reviewed when it is imported and again when an event starts using it (the event's
start date is what "joined shortly before" is measured against): the roll and event services
announce both (``fund/rolls/signals.py``, ``fund/events/signals.py``) and this module connects
to them, so the lower areas never import the controls. Each rule gives at most one
finding per subject (the roll, an account number, an event), so reviewing again adds only what
is new and keeps acknowledgements. HIGH findings must be acknowledged by an officer, with a
note, before a batch paying from the roll can be submitted (``fund/disbursements/approving.py``).

The rules work on plain records (``RollEntry``, ``roll_rules.py``) so they are tested without
a database; this module reads and stores.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fund.audit.services import record
from fund.auth.models import User
from fund.auth.roles import Role
from fund.controls.models import RollFinding
from fund.controls.roll_rules import (
    DEFAULT_THRESHOLDS,
    Draft,
    RollEntry,
    Thresholds,
    compare,
    joined_shortly_before,
)
from fund.db import utcnow
from fund.events.models import Event
from fund.events.signals import roll_chosen
from fund.factories.models import Factory
from fund.rolls.models import Roll, RollWorker
from fund.rolls.signals import roll_stored
from imports.records import RollRow

#: Who may acknowledge a finding.
ACKNOWLEDGERS = frozenset({Role.ADMIN, Role.OFFICER})
_RANK = {"high": 0, "medium": 1, "low": 2}


class FindingRefused(Exception):
    """An acknowledgement the rules do not allow; the message says why."""


# --- stored findings -----------------------------------------------------------------------


def _entries(session: Session, roll_id: int) -> list[RollEntry]:
    rows = session.execute(
        select(
            RollWorker.worker_id,
            RollWorker.name,
            RollWorker.national_id,
            RollWorker.join_date,
            RollWorker.gross,
            RollWorker.basic + RollWorker.house_rent + RollWorker.medical
            + RollWorker.transport + RollWorker.food,
            RollWorker.grade,
            RollWorker.wallet_number,
            RollWorker.bank_account,
        )
        .where(RollWorker.roll_id == roll_id)
        .order_by(RollWorker.row)
    )  # fmt: skip
    return [
        RollEntry(
            worker_id=r[0], name=r[1], national_id=r[2], join_date=r[3],
            gross=r[4] if r[4] is not None else int(r[5]), grade=r[6], wallet_number=r[7],
            bank_account=r[8],
        )
        for r in rows
    ]  # fmt: skip


def _row_entries(rows: Sequence[RollRow]) -> list[RollEntry]:
    return [
        RollEntry(
            r.worker_id, r.name, r.national_id, r.join_date,
            r.gross if r.gross is not None else r.basic + r.house_rent + r.medical + r.transport
            + r.food,
            r.grade, r.wallet_number, r.bank_account,
        )
        for r in rows
    ]  # fmt: skip


def _joined_since(
    session: Session, roll_id: int, reference: date, thresholds: Thresholds
) -> list[tuple[str, str, date]]:
    start = reference - timedelta(days=thresholds.recent_join_days)
    rows = session.execute(
        select(RollWorker.worker_id, RollWorker.name, RollWorker.join_date)
        .where(RollWorker.roll_id == roll_id, RollWorker.join_date.between(start, reference))
        .order_by(RollWorker.row)
    ).tuples()
    return list(rows)


def _elsewhere(session: Session, roll: Roll) -> dict[str, tuple[str, str]]:
    on_this_roll = select(RollWorker.national_id).where(RollWorker.roll_id == roll.id)
    query = (
        select(RollWorker.national_id, Factory.code, RollWorker.worker_id)
        .join(Roll, RollWorker.roll_id == Roll.id)
        .join(Factory, Roll.factory_id == Factory.id)
        .where(Roll.factory_id != roll.factory_id, RollWorker.national_id.in_(on_this_roll))
        .order_by(Roll.id.desc())
    )
    found: dict[str, tuple[str, str]] = {}
    for national_id, code, worker_id in session.execute(query):
        found.setdefault(national_id, (code, worker_id))  # the newest roll that has them
    return found


def review_roll(
    session: Session,
    *,
    roll: Roll,
    actor: User | None,
    event: Event | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    rows: Sequence[RollRow] | None = None,
) -> list[RollFinding]:
    """Compare the roll with its previous version and other factories; store the new findings.

    With ``event``, only the rule its start date changes ("joined shortly before") is worked
    out, by one query: the others do not depend on the event and were stored at the import.
    ``rows`` are the roll's workers as the import just stored them (else they are read back).
    """
    if event is not None:
        draft = joined_shortly_before(
            _joined_since(session, roll.id, event.start_date, thresholds),
            reference=event.start_date,
            reference_name=f"event {event.id} started",
            reference_subject=f"event:{event.id}",
            thresholds=thresholds,
        )
        return _store(session, roll, [draft] if draft else [], {}, None, actor)
    previous_roll = session.scalar(
        select(Roll)
        .where(Roll.factory_id == roll.factory_id, Roll.version < roll.version)
        .order_by(Roll.version.desc())
        .limit(1)
    )
    drafts = compare(
        _row_entries(rows) if rows is not None else _entries(session, roll.id),
        previous=_entries(session, previous_roll.id) if previous_roll is not None else None,
        previous_version=previous_roll.version if previous_roll is not None else None,
        reference=roll.as_of,
        reference_name="the roll's as-of date",
        reference_subject=f"as_of:{roll.as_of}",
        elsewhere=_elsewhere(session, roll),
        thresholds=thresholds,
    )
    settled = _acknowledged_before(session, previous_roll)
    return _store(session, roll, drafts, settled, previous_roll, actor)


def _store(
    session: Session,
    roll: Roll,
    drafts: list[Draft],
    settled: Mapping[tuple[str, str], RollFinding],
    previous_roll: Roll | None,
    actor: User | None,
) -> list[RollFinding]:
    """Store the drafts not already found on the roll, carrying earlier acknowledgements."""
    known = set(
        session.execute(
            select(RollFinding.code, RollFinding.subject).where(RollFinding.roll_id == roll.id)
        ).tuples()
    )
    stored = []
    for draft in drafts:
        if (draft.code, draft.subject) in known:
            continue
        finding = RollFinding(
            roll_id=roll.id,
            code=draft.code,
            subject=draft.subject,
            severity=draft.severity,
            message=draft.message[:500],
            workers=list(draft.workers),
        )
        earlier = settled.get((draft.code, draft.subject))
        if earlier is not None and _same_workers(earlier.workers, draft.workers):
            # The same account shared by the same workers, already checked by someone on the
            # previous version: carried, so acknowledging it does not become a routine click.
            # One more worker on the account (or one fewer) is a new finding.
            finding.acknowledged_by_id = earlier.acknowledged_by_id
            finding.acknowledged_at = utcnow()
            finding.acknowledgement = (
                f"carried from roll version {previous_roll.version if previous_roll else '?'}: "
                f"{earlier.acknowledgement}"
            )[:1000]
        session.add(finding)
        session.flush()
        record(
            session,
            actor=actor,
            action="controls.roll_finding",
            object_type="roll_finding",
            object_id=finding.id,
            after={
                "roll": roll.id,
                "code": draft.code,
                "severity": draft.severity,
                "message": finding.message,
                "workers": [w["worker_id"] for w in draft.workers],
                "carried_from_finding": finding.acknowledged_at and earlier and earlier.id,
            },
        )
        stored.append(finding)
    return stored


#: Findings about a standing fact (an account several workers share) rather than a change:
#: acknowledged once, they stay acknowledged on later versions while the fact is unchanged.
CARRIED_CODES = ("shared_account",)


def _acknowledged_before(
    session: Session, previous_roll: Roll | None
) -> dict[tuple[str, str], RollFinding]:
    if previous_roll is None:
        return {}
    return {
        (f.code, f.subject): f
        for f in session.scalars(
            select(RollFinding).where(
                RollFinding.roll_id == previous_roll.id,
                RollFinding.code.in_(CARRIED_CODES),
                RollFinding.acknowledged_at.is_not(None),
            )
        )
    }


def _same_workers(earlier: Sequence[Mapping[str, Any]], now: Sequence[Mapping[str, Any]]) -> bool:
    return sorted(w["worker_id"] for w in earlier) == sorted(w["worker_id"] for w in now)


def findings(session: Session, roll_id: int) -> list[RollFinding]:
    """The roll's findings, most severe first."""
    rows = session.scalars(select(RollFinding).where(RollFinding.roll_id == roll_id)).all()
    return sorted(rows, key=lambda f: (_RANK[f.severity], f.id))


def unacknowledged_high(session: Session, roll_id: int) -> list[RollFinding]:
    """HIGH findings of the roll nobody has acknowledged yet."""
    return list(
        session.scalars(
            select(RollFinding)
            .where(
                RollFinding.roll_id == roll_id,
                RollFinding.severity == "high",
                RollFinding.acknowledged_at.is_(None),
            )
            .order_by(RollFinding.id)
        )
    )


def acknowledge(session: Session, *, finding: RollFinding, actor: User, note: str) -> RollFinding:
    """An officer has looked into the finding and says why the roll may still be paid."""
    if actor.role_enum not in ACKNOWLEDGERS:
        raise FindingRefused(f"{actor.username} ({actor.role}) may not acknowledge findings")
    note = note.strip()
    if not note:
        raise FindingRefused("say what was checked: an acknowledgement needs a note")
    if finding.acknowledged_at is not None:
        who = finding.acknowledged_by.username if finding.acknowledged_by else "someone"
        raise FindingRefused(f"finding {finding.id} was already acknowledged by {who}")
    if finding.severity == "high" and finding.roll.imported_by_id == actor.id:
        # Segregation of duties: whoever brought the roll in does not clear its red flags.
        raise FindingRefused(
            f"{actor.username} imported roll {finding.roll_id}: someone else acknowledges its "
            "high findings"
        )
    finding.acknowledged_by_id = actor.id
    finding.acknowledged_at = utcnow()
    finding.acknowledgement = note[:1000]
    session.flush()
    record(
        session,
        actor=actor,
        action="controls.roll_finding_acknowledged",
        object_type="roll_finding",
        object_id=finding.id,
        before={"acknowledged": False},
        after={"acknowledged": True, "note": finding.acknowledgement, "roll": finding.roll_id},
    )
    return finding


def finding_counts(session: Session) -> dict[str, Any]:
    """For the dashboard: open HIGH findings, and findings in all."""
    total, open_high, acknowledged = session.execute(
        select(
            func.count(RollFinding.id),
            func.count(RollFinding.id).filter(
                RollFinding.severity == "high", RollFinding.acknowledged_at.is_(None)
            ),
            func.count(RollFinding.acknowledged_at),
        )
    ).one()
    return {"total": total, "open_high": open_high, "acknowledged": acknowledged}


@roll_stored.connect
def _review_stored_roll(
    session: Session, *, roll: Roll, actor: User | None, rows: Sequence[RollRow] | None = None
) -> None:
    review_roll(session, roll=roll, actor=actor, rows=rows)


@roll_chosen.connect
def _review_chosen_roll(session: Session, *, event: Event, roll: Roll, actor: User | None) -> None:
    review_roll(session, roll=roll, actor=actor, event=event)
