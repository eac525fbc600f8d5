"""Roll comparison: what changed in a factory's new roll version that padding would look like.

A roll is reviewed when it is imported and again when an event starts using it (the event's
start date is what "joined shortly before" is measured against): the roll and event services
announce both (``fund/rolls/signals.py``, ``fund/events/signals.py``) and this module connects
to them, so the lower areas never import the controls. Each rule gives at most one
finding per subject (the roll, an account number, an event), so reviewing again adds only what
is new and keeps acknowledgements. HIGH findings must be acknowledged by an officer, with a
note, before a batch paying from the roll can be submitted (``fund/disbursements/approving.py``).

The rules work on plain records (``RollEntry``) so they are tested without a database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fund.audit.services import record
from fund.auth.models import User
from fund.auth.roles import Role
from fund.controls.models import RollFinding
from fund.db import utcnow
from fund.events.models import Event
from fund.events.signals import roll_chosen
from fund.factories.models import Factory
from fund.rolls.models import Roll, RollWorker
from fund.rolls.signals import roll_stored
from imports.identifiers import identifier_key, national_id_key
from ledger.money import format_minor

#: Who may acknowledge a finding.
ACKNOWLEDGERS = frozenset({Role.ADMIN, Role.OFFICER})
_RANK = {"high": 0, "medium": 1, "low": 2}


class FindingRefused(Exception):
    """An acknowledgement the rules do not allow; the message says why."""


@dataclass(frozen=True, slots=True)
class Thresholds:
    """When a change is worth a finding."""

    recent_join_days: int = 30  # joined within this many days before the event (or as-of)
    wage_increase_percent: Decimal = Decimal(15)  # gross up by more than this since last version
    headcount_jump_percent: Decimal = Decimal(10)  # more workers than last version by this much


@dataclass(frozen=True, slots=True)
class RollEntry:
    """What the rules read of one worker on a roll."""

    worker_id: str
    name: str
    national_id: str
    join_date: date
    gross: int  # monthly, minor units (the roll's gross, else the sum of its components)
    grade: str | None = None
    wallet_number: str | None = None
    bank_account: str | None = None


@dataclass(frozen=True, slots=True)
class Draft:
    """A finding before it is stored."""

    code: str
    severity: str
    message: str
    subject: str = ""
    workers: tuple[dict[str, str], ...] = field(default=())


def _who(entry: RollEntry, detail: str) -> dict[str, str]:
    return {"worker_id": entry.worker_id, "name": entry.name, "detail": detail}


def _percent(new: int, old: int) -> Decimal:
    return (Decimal(new - old) * 100 / Decimal(old)).quantize(Decimal("0.1"))


def compare(
    current: Sequence[RollEntry],
    *,
    previous: Sequence[RollEntry] | None,
    previous_version: int | None = None,
    reference: date,
    reference_name: str,
    reference_subject: str,
    elsewhere: Mapping[str, tuple[str, str]] | None = None,
    thresholds: Thresholds = Thresholds(),
) -> list[Draft]:
    """The findings for ``current`` against the previous version, other factories and a date.

    ``elsewhere`` maps a national ID to (factory code, worker ID) on another factory's roll.
    """
    found: list[Draft] = []
    window_start = reference - timedelta(days=thresholds.recent_join_days)
    recent = [e for e in current if window_start <= e.join_date <= reference]
    if recent:
        found.append(
            Draft(
                "joined_shortly_before",
                "high",
                f"{len(recent)} worker(s) joined within {thresholds.recent_join_days} days before"
                f" {reference_name} ({reference.isoformat()})",
                reference_subject,
                tuple(_who(e, f"joined {e.join_date.isoformat()}") for e in recent),
            )
        )
    for kind, attribute in (("wallet", "wallet_number"), ("bank account", "bank_account")):
        holders: dict[str, list[RollEntry]] = defaultdict(list)
        for entry in current:
            number = getattr(entry, attribute)
            if number:
                holders[identifier_key(number)].append(entry)
        for number, sharing in sorted(holders.items()):
            if len(sharing) > 1:
                found.append(
                    Draft(
                        "shared_account",
                        "high",
                        f"{len(sharing)} workers are paid into the same {kind} {number}",
                        f"{attribute}:{number}",
                        tuple(_who(e, f"{kind} {number}") for e in sharing),
                    )
                )
    if elsewhere:
        by_key = {national_id_key(n): holder for n, holder in elsewhere.items()}
        seen = [
            (e, by_key[national_id_key(e.national_id)])
            for e in current
            if national_id_key(e.national_id) in by_key
        ]
        if seen:
            found.append(
                Draft(
                    "national_id_elsewhere",
                    "medium",
                    f"{len(seen)} national ID(s) are also on another factory's roll",
                    "",
                    tuple(_who(e, f"also worker {worker} at {code}") for e, (code, worker) in seen),
                )
            )
    if previous is None:
        return found
    label = f"version {previous_version}" if previous_version else "the previous version"
    before = {e.worker_id: e for e in previous}
    added = [e for e in current if e.worker_id not in before]
    if added:
        found.append(
            Draft(
                "added_since_previous",
                "medium",
                f"{len(added)} worker(s) are not on {label}",
                f"v{previous_version}",
                tuple(_who(e, f"new; joined {e.join_date.isoformat()}") for e in added),
            )
        )
    if before and len(current) > len(before):
        jump = _percent(len(current), len(before))
        if jump > thresholds.headcount_jump_percent:
            found.append(
                Draft(
                    "headcount_jump",
                    "medium",
                    f"headcount {len(before)} → {len(current)} (+{jump} %) since {label}",
                    f"v{previous_version}",
                )
            )
    raised, regraded = [], []
    for entry in current:
        old = before.get(entry.worker_id)
        if old is None:
            continue
        if old.gross > 0 and entry.gross > old.gross:
            rise = _percent(entry.gross, old.gross)
            if rise > thresholds.wage_increase_percent:
                raised.append(
                    _who(
                        entry,
                        f"gross {format_minor(old.gross, 'BDT')} → "
                        f"{format_minor(entry.gross, 'BDT')} (+{rise} %)",
                    )
                )
        if (old.grade or "") != (entry.grade or ""):
            regraded.append(_who(entry, f"grade {old.grade or '—'} → {entry.grade or '—'}"))
    if raised:
        found.append(
            Draft(
                "wage_increase",
                "medium",
                f"{len(raised)} worker(s) had their gross wage raised by more than"
                f" {thresholds.wage_increase_percent} % since {label}",
                f"v{previous_version}",
                tuple(raised),
            )
        )
    if regraded:
        found.append(
            Draft(
                "grade_change",
                "low",
                f"{len(regraded)} worker(s) changed grade since {label}",
                f"v{previous_version}",
                tuple(regraded),
            )
        )
    return found


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
    thresholds: Thresholds = Thresholds(),
) -> list[RollFinding]:
    """Compare the roll with its previous version and other factories; store the new findings.

    Against ``event`` (its start date) when given, else against the roll's as-of date.
    """
    current = _entries(session, roll.id)
    previous_roll = session.scalar(
        select(Roll)
        .where(Roll.factory_id == roll.factory_id, Roll.version < roll.version)
        .order_by(Roll.version.desc())
        .limit(1)
    )
    if event is not None:
        reference, name, subject = (
            event.start_date,
            f"event {event.id} started",
            f"event:{event.id}",
        )
    else:
        reference, name, subject = roll.as_of, "the roll's as-of date", f"as_of:{roll.as_of}"
    drafts = compare(
        current,
        previous=_entries(session, previous_roll.id) if previous_roll is not None else None,
        previous_version=previous_roll.version if previous_roll is not None else None,
        reference=reference,
        reference_name=name,
        reference_subject=subject,
        elsewhere=_elsewhere(session, roll),
        thresholds=thresholds,
    )
    known = set(
        session.execute(
            select(RollFinding.code, RollFinding.subject).where(RollFinding.roll_id == roll.id)
        ).tuples()
    )
    settled = _acknowledged_before(session, previous_roll)
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
def _review_stored_roll(session: Session, *, roll: Roll, actor: User | None) -> None:
    review_roll(session, roll=roll, actor=actor)


@roll_chosen.connect
def _review_chosen_roll(session: Session, *, event: Event, roll: Roll, actor: User | None) -> None:
    review_roll(session, roll=roll, actor=actor, event=event)
