"""An event's whole life on one page: roll → computed → batches → approved → paid → reconciled.

Each stage says whether it is done, waiting for someone, or not reached yet, with its figures
and the next action. The stages are read from the same rows the stage pages use (the event's
roll, its newest computation, its batches and their payment lines), so the summary can never
disagree with them. Also: which events of a factory could use a newly stored roll.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fund.disbursements.models import DisbursementBatch, PaymentLine
from fund.entitlements.models import EntitlementRun
from fund.events.models import Event
from fund.factories.models import Factory
from fund.rolls.models import Roll
from ledger.money import format_minor

#: Stage states, as the page shows them.
DONE, WAITING, LATER = "done", "waiting", "not yet"


@dataclass(frozen=True, slots=True)
class Stage:
    """One step of the event's life: its state, its figures, and what to do next."""

    name: str
    state: str
    summary: str
    action: str = ""
    endpoint: str = ""
    args: dict[str, Any] = field(default_factory=dict)
    anchor: str = ""


def _money(minor: int, currency: str) -> str:
    return f"{format_minor(minor, currency)} {currency}"


def newest_roll(session: Session, factory_id: int) -> Roll | None:
    """The factory's newest stored roll version."""
    return session.scalar(
        select(Roll).where(Roll.factory_id == factory_id).order_by(Roll.version.desc()).limit(1)
    )


def _roll_stage(session: Session, event: Event) -> Stage:
    newest = newest_roll(session, event.factory_id)
    if event.roll is None:
        if newest is None:
            return Stage(
                "Roll",
                WAITING,
                f"No roll of {event.factory.code} is stored yet.",
                f"Import {event.factory.code}'s roll",
                "rolls.index",
                {"code": event.factory.code},
            )
        return Stage(
            "Roll",
            WAITING,
            f"No roll attached; version {newest.version} as of {newest.as_of.isoformat()} "
            f"({newest.worker_count} workers) is stored.",
            f"Attach roll version {newest.version}",
            "events.detail",
            {"event_id": event.id},
            "use-roll",
        )
    roll = event.roll
    summary = f"Version {roll.version} as of {roll.as_of.isoformat()}: {roll.worker_count} workers."
    if newest is not None and newest.version > roll.version:
        return Stage(
            "Roll",
            WAITING,
            summary + f" A newer version {newest.version} is stored.",
            f"Attach roll version {newest.version}",
            "events.detail",
            {"event_id": event.id},
            "use-roll",
        )
    return Stage("Roll", DONE, summary, "See the roll", "rolls.detail", {"roll_id": roll.id})


def _compute_stage(event: Event, run: EntitlementRun | None) -> Stage:
    if event.roll is None:
        return Stage("Computed", LATER, "Needs a roll first.")
    if run is None:
        return Stage(
            "Computed",
            WAITING,
            "Not computed yet.",
            "Compute them below",
            "events.detail",
            {"event_id": event.id},
            "compute",
        )
    summary = (
        f"{run.workers} workers, {run.eligible} eligible, {run.workers - run.eligible} not: "
        f"{_money(run.total_minor, run.currency)} (run {run.id}, {run.policy_version.label})."
    )
    if run.roll_id != event.roll_id:
        return Stage(
            "Computed",
            WAITING,
            summary + " Computed from an earlier roll.",
            "Compute again below",
            "events.detail",
            {"event_id": event.id},
            "compute",
        )
    return Stage("Computed", DONE, summary)


def _line_counts(session: Session, batch_ids: list[int]) -> dict[str, int]:
    if not batch_ids:
        return {}
    rows = session.execute(
        select(PaymentLine.state, func.count(PaymentLine.id))
        .where(PaymentLine.batch_id.in_(batch_ids))
        .group_by(PaymentLine.state)
    )
    return {state: int(count) for state, count in rows}


def _batch_stages(session: Session, event: Event, run: EntitlementRun | None) -> list[Stage]:
    batches = list(
        session.scalars(
            select(DisbursementBatch)
            .where(
                DisbursementBatch.event_id == event.id,
                DisbursementBatch.state.not_in(("rejected", "cancelled")),
            )
            .order_by(DisbursementBatch.id)
        )
    )

    def total(found: list[DisbursementBatch]) -> str:
        currency = found[0].currency if found else "BDT"
        return _money(sum(b.total_minor for b in found), currency)

    def names(found: list[DisbursementBatch]) -> str:
        return ", ".join(str(b.id) for b in found)

    if not batches:
        if run is None or run.roll_id != event.roll_id or run.eligible == 0:
            made = Stage("Batches", LATER, "Needs a computation with eligible workers.")
        else:
            made = Stage(
                "Batches",
                WAITING,
                "No batch yet.",
                "Make a draft batch",
                "disbursements.index",
                {"event": event.id},
            )
        return [
            made,
            Stage("Approved", LATER, "No batch to approve."),
            Stage("Paid", LATER, "Nothing approved to pay."),
            Stage("Reconciled", LATER, "Nothing paid out yet."),
        ]
    drafts = [b for b in batches if b.state == "draft"]
    submitted = [b for b in batches if b.state == "submitted"]
    approved = [b for b in batches if b.state == "approved"]
    released = [b for b in batches if b.state == "paid"]
    stages = []
    if drafts:
        first = drafts[0]
        stages.append(
            Stage(
                "Batches",
                WAITING,
                f"Draft batch {names(drafts)}: {total(drafts)}.",
                f"Submit batch {first.id}",
                "disbursements.detail",
                {"batch_id": first.id},
                "actions",
            )
        )
    else:
        stages.append(Stage("Batches", DONE, f"Batch {names(batches)}: {total(batches)}."))
    if submitted:
        first = submitted[0]
        stages.append(
            Stage(
                "Approved",
                WAITING,
                f"Batch {names(submitted)} awaits approval: {total(submitted)}.",
                f"Decide batch {first.id} (an approver)",
                "disbursements.detail",
                {"batch_id": first.id},
                "decision",
            )
        )
    elif approved or released:
        stages.append(Stage("Approved", DONE, f"Approved: {total(approved + released)}."))
    else:
        stages.append(Stage("Approved", LATER, "Nothing submitted yet."))
    if approved:
        first = approved[0]
        stages.append(
            Stage(
                "Paid",
                WAITING,
                f"Batch {names(approved)} approved, not paid out: {total(approved)}.",
                f"Pay out batch {first.id}",
                "disbursements.detail",
                {"batch_id": first.id},
                "actions",
            )
        )
    elif released:
        stages.append(Stage("Paid", DONE, f"Released: {total(released)}."))
    else:
        stages.append(Stage("Paid", LATER, "Nothing approved to pay."))
    counts = _line_counts(session, [b.id for b in released])
    pending = counts.get("pending", 0)
    if not released:
        stages.append(Stage("Reconciled", LATER, "Nothing paid out yet."))
    else:
        settled = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
        if pending:
            first_open = session.scalar(
                select(PaymentLine.batch_id)
                .where(
                    PaymentLine.batch_id.in_([b.id for b in released]),
                    PaymentLine.state == "pending",
                )
                .order_by(PaymentLine.batch_id)
                .limit(1)
            )
            stages.append(
                Stage(
                    "Reconciled",
                    WAITING,
                    f"{pending} payments await the provider's result ({settled}).",
                    "Import the provider's result file",
                    "disbursements.detail",
                    {"batch_id": first_open},
                    "actions",
                )
            )
        else:
            stages.append(Stage("Reconciled", DONE, f"Every payment settled ({settled})."))
    return stages


def event_life(session: Session, event: Event) -> list[Stage]:
    """The event's stages from roll to reconciliation, each with its state and next action."""
    run = session.scalar(
        select(EntitlementRun)
        .where(EntitlementRun.event_id == event.id)
        .order_by(EntitlementRun.id.desc())
        .limit(1)
    )
    return [
        _roll_stage(session, event),
        _compute_stage(event, run),
        *_batch_stages(session, event, run),
    ]


def events_wanting(session: Session, roll: Roll) -> list[Event]:
    """Events of the roll's factory without a roll or on an older version: offer to attach it."""
    events = session.scalars(
        select(Event).where(Event.factory_id == roll.factory_id).order_by(Event.id)
    ).all()
    return [e for e in events if e.roll is None or e.roll.version < roll.version]


def factory_events(session: Session, factory: Factory) -> list[tuple[Event, Stage | None]]:
    """The factory's events, newest first, each with its first stage still waiting (if any)."""
    events = session.scalars(
        select(Event).where(Event.factory_id == factory.id).order_by(Event.start_date.desc())
    ).all()
    out = []
    for event in events:
        waiting = next((s for s in event_life(session, event) if s.state == WAITING), None)
        out.append((event, waiting))
    return out
