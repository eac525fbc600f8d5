"""The roll comparison's rules, on plain records (``RollEntry``): tested without a database.

``compare`` gives the findings of a roll version against its previous version, other
factories' rolls and a reference date; ``joined_shortly_before`` is the one rule that depends
on that date, so an event choosing the roll runs it alone (``roll_review.review_roll``).
Each rule gives at most one ``Draft`` per subject (the roll, an account number, an event).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from imports.identifiers import identifier_key, national_id_key
from ledger.money import format_minor


@dataclass(frozen=True, slots=True)
class Thresholds:
    """When a change is worth a finding."""

    recent_join_days: int = 30  # joined within this many days before the event (or as-of)
    wage_increase_percent: Decimal = Decimal(15)  # gross up by more than this since last version
    headcount_jump_percent: Decimal = Decimal(10)  # more workers than last version by this much


DEFAULT_THRESHOLDS = Thresholds()


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


def joined_shortly_before(
    joiners: Sequence[tuple[str, str, date]],
    *,
    reference: date,
    reference_name: str,
    reference_subject: str,
    thresholds: Thresholds = Thresholds(),
) -> Draft | None:
    """The one rule that depends on the reference date: ``(worker ID, name, joined)`` within
    ``recent_join_days`` before it (joiners after it are not counted), or ``None``."""
    window_start = reference - timedelta(days=thresholds.recent_join_days)
    recent = [j for j in joiners if window_start <= j[2] <= reference]
    if not recent:
        return None
    return Draft(
        "joined_shortly_before",
        "high",
        f"{len(recent)} worker(s) joined within {thresholds.recent_join_days} days before"
        f" {reference_name} ({reference.isoformat()})",
        reference_subject,
        tuple(
            {"worker_id": worker, "name": name, "detail": f"joined {day.isoformat()}"}
            for worker, name, day in recent
        ),
    )


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
    joined = joined_shortly_before(
        [(e.worker_id, e.name, e.join_date) for e in current if window_start <= e.join_date],
        reference=reference,
        reference_name=reference_name,
        reference_subject=reference_subject,
        thresholds=thresholds,
    )
    if joined is not None:
        found.append(joined)
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
