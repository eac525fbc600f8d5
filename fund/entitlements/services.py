"""Computing an event's entitlements into the database.

The rules themselves live in ``rules`` and need no database, and the policy versions they read
are stored and chosen in ``policy_versions``; these services pick the roll and policy version,
run the rules, and bulk-insert one row per worker plus its breakdown lines. They add and flush;
the caller commits.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from dbtools.bulk import insert_rows
from fund.audit.services import record
from fund.auth.models import User
from fund.entitlements import rules
from fund.entitlements.models import Entitlement, EntitlementLine, EntitlementRun, PolicyVersion
from fund.entitlements.policy_versions import stored_policy
from fund.events.models import DuplicateResolution, Event
from fund.rolls.services import roll_rows as stored_roll_rows
from imports.allocation import cycle_collection_paused
from imports.records import RollRow
from ledger.money import format_minor


class RollMissing(rules.EntitlementError):
    """The event has no roll to compute from."""


def event_terms(event: Event) -> rules.EventTerms:
    """The plain terms the entitlement rules need."""
    return rules.EventTerms(
        kind="closure" if event.kind == "closure" else "suspension",
        start=event.start_date,
        end=event.end_date,
        sections=frozenset(event.sections) if event.sections is not None else None,
    )


def resolutions(session: Session, event: Event) -> dict[str, str]:
    """The event's resolved duplicates: national ID → the worker ID paid."""
    return dict(
        session.execute(
            select(DuplicateResolution.national_id, DuplicateResolution.paid_worker_id).where(
                DuplicateResolution.event_id == event.id
            )
        )
        .tuples()
        .all()
    )


def roll_rows(session: Session, roll_id: int | None) -> list[RollRow]:
    """The workers of a stored roll version, as the rules read them."""
    if roll_id is None:
        raise RollMissing("the event has no roll yet: import one and attach it to the event")
    return stored_roll_rows(session, roll_id)


def compute_for_event(
    session: Session,
    *,
    event: Event,
    policy_version: PolicyVersion,
    through: date | None,
    actor: User | None,
    rows: Sequence[RollRow] | None = None,
    paid_national_ids: Iterable[str] = (),
) -> EntitlementRun:
    """Compute and store every worker's entitlement for ``event`` (a new run each time)."""
    computed = compute(
        session,
        event=event,
        policy_version=policy_version,
        through=through,
        rows=rows,
        paid_national_ids=paid_national_ids,
    )
    return store_computation(session, computed, event=event, actor=actor)


@dataclass(frozen=True, slots=True)
class Computation:
    """An event's entitlements computed and not yet stored (what ``store_computation`` writes).

    The two halves let a background job compute while holding no write lock (SQLite's is one
    for the whole database) and then store in one short transaction.
    """

    event_id: int
    roll_id: int | None
    policy_version_id: int
    through: date | None
    days_covered: int | None
    currency: str
    results: list[rules.Entitlement]


def compute(
    session: Session,
    *,
    event: Event,
    policy_version: PolicyVersion,
    through: date | None,
    rows: Sequence[RollRow] | None = None,
    paid_national_ids: Iterable[str] = (),
) -> Computation:
    """Every worker's entitlement for ``event`` from its roll, read but not stored."""
    with cycle_collection_paused():
        policy = stored_policy(policy_version)
        terms = event_terms(event)
        if rows is None:
            rows = roll_rows(session, event.roll_id)
        earlier = None
        if policy.suspension is not None and policy.suspension.tiers_per == "calendar_year":
            earlier = (
                earlier_layoff_days(session, event=event) if terms.kind == "suspension" else None
            )
        results = rules.compute_all(
            rows,
            event=terms,
            policy=policy,
            through=through,
            paid_national_ids=paid_national_ids,
            resolved=resolutions(session, event),
            earlier_layoff_days=earlier,
        )
        return Computation(
            event_id=event.id,
            roll_id=event.roll_id,
            policy_version_id=policy_version.id,
            through=through,
            days_covered=(
                len(rules.covered_days(terms, policy, through))
                if terms.kind == "suspension"
                else None
            ),
            currency=policy.currency,
            results=results,
        )


def store_computation(
    session: Session, computed: Computation, *, event: Event, actor: User | None
) -> EntitlementRun:
    """Store a computation as the event's new run, with its audit record (flushed)."""
    if event.id != computed.event_id:
        raise ValueError(f"computation of event {computed.event_id} stored for event {event.id}")
    policy_version = session.get_one(PolicyVersion, computed.policy_version_id)
    with cycle_collection_paused():
        summary = rules.summarise(computed.results)
        run = EntitlementRun(
            event=event,
            roll_id=computed.roll_id,
            policy_version=policy_version,
            through=computed.through,
            days_covered=computed.days_covered,
            currency=computed.currency,
            workers=summary.workers,
            eligible=summary.eligible,
            total_minor=summary.total_minor,
            computed_by=actor,
        )
        session.add(run)
        session.flush()
        store_entitlements(session, run_id=run.id, results=computed.results)
    record(
        session,
        actor=actor,
        action="entitlements.compute",
        object_type="entitlement_run",
        object_id=run.id,
        after={
            "event_id": event.id,
            "roll_id": run.roll_id,
            "policy": policy_version.label,
            "policy_sha256": policy_version.sha256,
            "through": computed.through.isoformat() if computed.through else None,
            "workers": run.workers,
            "eligible": run.eligible,
            "total_minor": run.total_minor,
            "currency": run.currency,
        },
    )
    return run


def earlier_layoff_days(session: Session, *, event: Event) -> dict[str, dict[int, int]]:
    """Days each national ID was paid per calendar year by earlier suspensions, any factory.

    BLA 2006 s.16(4)-(5) count lay-off days "during a calendar year", across lay-offs: each
    earlier suspension's latest computation says how many days each worker was paid; those
    are the first covered days of that suspension, counted in the year they fall in.
    """
    first_year = date(event.start_date.year, 1, 1)
    latest = (
        select(func.max(EntitlementRun.id))
        .join(Event, Event.id == EntitlementRun.event_id)
        .where(
            Event.kind == "suspension",
            Event.id != event.id,
            Event.start_date < event.start_date,
            (Event.end_date.is_(None)) | (Event.end_date >= first_year),
        )
        .group_by(EntitlementRun.event_id)
    )
    runs = session.scalars(select(EntitlementRun).where(EntitlementRun.id.in_(latest))).all()
    found: dict[str, dict[int, int]] = {}
    for run in runs:
        policy = stored_policy(run.policy_version)
        if policy.suspension is None:
            continue
        days = rules.covered_days(event_terms(run.event), policy, run.through)
        paid = session.execute(
            select(Entitlement.national_id, Entitlement.days_paid).where(
                Entitlement.run_id == run.id,
                Entitlement.eligible.is_(True),
                Entitlement.days_paid > 0,
            )
        ).all()
        for national_id, days_paid in paid:
            years = found.setdefault("".join(national_id.split()), {})
            for day in days[:days_paid]:
                if day < event.start_date:
                    years[day.year] = years.get(day.year, 0) + 1
    return found


ENTITLEMENTS: Table = Entitlement.__table__  # type: ignore[assignment]
ENTITLEMENT_LINES: Table = EntitlementLine.__table__  # type: ignore[assignment]
ENTITLEMENT_COLUMNS = (
    "run_id",
    "position",
    "roll_row",
    "worker_id",
    "name",
    "national_id",
    "section",
    "eligible",
    "reason",
    "days_paid",
    "years_of_service",
    "service_months",
    "exact_numerator",
    "exact_denominator",
    "amount_minor",
    "currency",
    "factory_share_minor",
)
LINE_COLUMNS = (
    "run_id",
    "entitlement_position",
    "position",
    "rule",
    "component",
    "monthly_minor",
    "share_text",
    "days",
    "days_per_month",
    "amount_numerator",
    "amount_denominator",
    "basis",
    "bn",
)


def store_entitlements(
    session: Session, *, run_id: int, results: Sequence[rules.Entitlement], chunk: int = 20_000
) -> None:
    """Bulk-insert entitlements and their lines: COPY on PostgreSQL, executemany elsewhere.

    Exact amounts are stored in lowest terms, so the numbers stay small enough for BIGINT.
    """
    connection = session.connection()
    gcd = math.gcd
    for offset in range(0, len(results), chunk):
        part = results[offset : offset + chunk]
        entitlements = []
        lines = []
        for position, result in enumerate(part, start=offset + 1):
            worker = result.worker
            divisor = gcd(result.payable_numerator, result.payable_denominator)
            entitlements.append(
                (
                    run_id,
                    position,
                    worker.row,
                    worker.worker_id,
                    worker.name,
                    worker.national_id,
                    worker.section,
                    result.eligible,
                    result.reason,
                    result.days_paid,
                    result.years_of_service,
                    result.service_months,
                    result.payable_numerator // divisor,
                    result.payable_denominator // divisor,
                    result.amount_minor,
                    result.currency,
                    result.factory_share_minor,
                )
            )
            for number, line in enumerate(result.lines, start=1):
                divisor = gcd(line.numerator, line.denominator)
                lines.append(
                    (
                        run_id,
                        position,
                        number,
                        line.rule,
                        line.component,
                        line.monthly_minor,
                        str(line.share),
                        line.days,
                        line.days_per_month,
                        line.numerator // divisor,
                        line.denominator // divisor,
                        line.basis,
                        line.bn,
                    )
                )
        insert_rows(connection, ENTITLEMENTS, ENTITLEMENT_COLUMNS, entitlements)
        insert_rows(connection, ENTITLEMENT_LINES, LINE_COLUMNS, lines)


def latest_run(session: Session, event: Event) -> EntitlementRun | None:
    """The event's most recent computation."""
    return session.scalar(
        select(EntitlementRun)
        .where(EntitlementRun.event_id == event.id)
        .order_by(EntitlementRun.id.desc())
        .limit(1)
    )


def explain(entitlement: Entitlement) -> list[str]:
    """The amount in plain words, one sentence per step, for the worker page and receipts."""
    from fund.entitlements.export import exact_text
    from fund.entitlements.words import factory_share_sentences, line_sentences

    currency = entitlement.currency
    if not entitlement.eligible:
        reason = rules.REASONS.get(entitlement.reason or "", entitlement.reason or "")
        return [f"{entitlement.name} is not paid for this event: {reason}."]
    sentences = []
    if entitlement.years_of_service is not None:
        months = entitlement.service_months or 0
        sentences.append(
            f"{entitlement.name} served {months // 12} years and {months % 12} months, "
            f"which the policy counts as {entitlement.years_of_service} years of service."
        )
    if entitlement.days_paid is not None:
        sentences.append(f"{entitlement.days_paid} days of the suspension are paid.")
    for line in entitlement.lines:
        sentences.extend(line_sentences(line, currency))
    total = sum((line.amount for line in entitlement.lines), start=Fraction(0))
    payout = stored_policy(entitlement.run.policy_version).payout
    if payout.fund_share != 1:
        sentences.append(
            f"The lines add up to {exact_text(total, currency, grouping=True)} {currency}; "
            f"the fund's share is {payout.fund_share} of it, "
            f"{exact_text(entitlement.exact_payable, currency, grouping=True)} {currency}."
        )
        whole = entitlement.amount_minor
        if not payout.fund_advances:
            whole += entitlement.factory_share_minor
        sentences.extend(
            factory_share_sentences(
                fund_share=payout.fund_share,
                fund_advances=payout.fund_advances,
                factory_minor=entitlement.factory_share_minor,
                whole_minor=whole,
                currency=currency,
            )
        )
    sentences.append(
        f"Rounded once to the policy's unit, the amount paid is "
        f"{format_minor(entitlement.amount_minor, currency)} {currency}."
    )
    return sentences
