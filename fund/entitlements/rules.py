"""The entitlement rules of DESIGN §5 as pure functions on plain values.

``compute_entitlement`` takes one roll row, the event's terms and a policy and returns an
``Entitlement`` whose breakdown lines say which rule paid which component for how many days
at which daily rate. Amounts stay exact until the worker's total, which is multiplied by the
fund's share and rounded once (``round_once``, the ledger's half-up/half-even rounding done in
integers). The day counting and tiers depend only on the event and the policy, so
``compute_all`` plans them once; every line is then a whole number of 1/denominator of a
poisha over one shared denominator, so a worker costs a few integer multiplications (exposed
as ``Fraction`` properties for whoever reads them).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta

from fund.entitlements.counting import (
    covered_days,
    months_of_service,
    round_once,
    tier_days,
    years_of_service,
)
from fund.entitlements.outcomes import (
    CLASS_NOT_COVERED,
    DUPLICATE_NATIONAL_ID,
    DUPLICATE_RESOLVED,
    EXITED_BEFORE_START,
    NOT_EMPLOYED_AT_START,
    REASONS,
    SECTION_NOT_AFFECTED,
    SERVICE_TOO_SHORT,
    BreakdownLine,
    Entitlement,
    EntitlementError,
    EventKind,
    EventTerms,
    Outcome,
    Summary,
    ThroughMissing,
    summarise,
)
from fund.entitlements.plans import (
    LineSpec,
    Plan,
    closure_specs,
    make_plan,
    section_key,
    suspension_specs,
    tier_segments,
    worker_class,
)
from fund.entitlements.policy import AMOUNT_FIELDS, Policy
from imports.allocation import cycle_collection_paused
from imports.identifiers import national_id_key
from imports.records import RollRow

# The rules' values and counting live in ``outcomes``, ``counting`` and ``plans``; callers
# import them from here, the entry point of the computation.
__all__ = [
    "CLASS_NOT_COVERED",
    "DUPLICATE_NATIONAL_ID",
    "DUPLICATE_RESOLVED",
    "EXITED_BEFORE_START",
    "NOT_EMPLOYED_AT_START",
    "REASONS",
    "SECTION_NOT_AFFECTED",
    "SERVICE_TOO_SHORT",
    "BreakdownLine",
    "Entitlement",
    "EntitlementError",
    "EventKind",
    "EventTerms",
    "Outcome",
    "Summary",
    "ThroughMissing",
    "compute_all",
    "compute_entitlement",
    "covered_days",
    "months_of_service",
    "round_once",
    "summarise",
    "tier_days",
    "worker_class",
    "years_of_service",
]


def _ineligibility(worker: RollRow, plan: Plan) -> str | None:
    start = plan.event.start
    if worker.join_date > start:
        return NOT_EMPLOYED_AT_START
    if worker.join_date > start - timedelta(days=plan.min_service_days):
        return SERVICE_TOO_SHORT
    if worker.exit_date is not None and worker.exit_date < start:
        return EXITED_BEFORE_START
    if plan.sections is not None and (
        worker.section is None or section_key(worker.section) not in plan.sections
    ):
        return SECTION_NOT_AFFECTED
    if plan.classes is not None and worker_class(worker, plan.policy) not in plan.classes:
        return CLASS_NOT_COVERED
    return None


def _compute(
    worker: RollRow,
    plan: Plan,
    hold: str | None,
    earlier: Mapping[int, int] | None = None,
) -> Entitlement:
    policy = plan.policy
    event = plan.event
    service_months = years = None
    if event.kind == "closure":
        service_months = months_of_service(worker.join_date, event.start)
        assert policy.closure is not None
        years = years_of_service(service_months, policy.closure.part_year_counts_after_months)
    reason = hold or _ineligibility(worker, plan)
    if reason is not None:
        return Entitlement(
            worker=worker,
            eligible=False,
            reason=reason,
            days_paid=0 if event.kind == "suspension" else None,
            years_of_service=years,
            service_months=service_months,
            lines=(),
            total_numerator=0,
            payable_numerator=0,
            denominator=1,
            payable_denominator=1,
            amount_minor=0,
            currency=policy.currency,
        )
    denominator = plan.denominator
    days_paid = plan.days_paid
    if service_months is not None:
        specs = _closure_worker_specs(worker, plan, service_months)
    elif earlier and plan.years:
        specs = suspension_specs(
            policy, tier_segments(plan.years, sum(n for _, n in plan.years), earlier), denominator
        )
        days_paid = sum({spec.rule: spec.days for spec in specs}.values())
    else:
        specs = plan.lines
    lines, numerator = _lines(worker, specs, policy.days_per_month, denominator)
    payable = numerator * plan.share_numerator
    payable_denominator = denominator * plan.share_denominator
    fund_part = round_once(payable, payable_denominator, plan.step_minor, plan.half_even)
    factory_part = 0
    if plan.share_numerator != plan.share_denominator:
        # the two parts add up to the whole rounded once: the factory owes the rest
        whole = round_once(numerator, denominator, plan.step_minor, plan.half_even)
        factory_part = max(whole - fund_part, 0)
    return Entitlement(
        worker=worker,
        eligible=True,
        reason=None,
        days_paid=days_paid,
        years_of_service=years,
        service_months=service_months,
        lines=lines,
        total_numerator=numerator,
        payable_numerator=payable,
        denominator=denominator,
        payable_denominator=payable_denominator,
        amount_minor=fund_part + factory_part if plan.fund_advances else fund_part,
        currency=policy.currency,
        factory_share_minor=factory_part,
    )


def _lines(
    worker: RollRow, specs: Sequence[LineSpec], days_per_month: int, denominator: int
) -> tuple[tuple[BreakdownLine, ...], int]:
    lines = []
    numerator = 0
    for spec in specs:
        if spec.component in AMOUNT_FIELDS:
            monthly = getattr(worker, spec.component) or 0
        else:
            monthly = worker.component(spec.component)
        part = monthly * spec.factor
        numerator += part
        lines.append(
            BreakdownLine(
                spec.rule,
                spec.component,
                monthly,
                spec.share,
                spec.days,
                days_per_month,
                part,
                denominator,
                spec.basis,
                spec.bn,
            )
        )
    return tuple(lines), numerator


def _closure_worker_specs(worker: RollRow, plan: Plan, months: int) -> tuple[LineSpec, ...]:
    policy = plan.policy
    fields = (
        worker.earned_leave_days or 0,
        worker.arrears_due or 0,
        worker.festival_bonus_due or 0,
        worker.overtime_due or 0,
    )
    # Most rolls give no class or dues: then the lines depend on the months served only, and
    # a dict keyed by them (on the plan) spares hashing the policy once per worker.
    key: object = (months, worker.worker_class, fields) if plan.by_worker else months
    specs = plan.closure_cache.get(key)
    if specs is None:
        specs = closure_specs(
            policy, months, worker_class(worker, policy), fields, plan.denominator
        )
        plan.closure_cache[key] = specs
    if len(specs) == 1:
        return specs[0]
    # the greater of the alternatives, by what they pay this worker (the first on a tie)
    best = max(
        specs[1:],
        key=lambda alternative: sum(
            worker.component(spec.component) * spec.factor
            if spec.component not in AMOUNT_FIELDS
            else (getattr(worker, spec.component) or 0) * spec.factor
            for spec in alternative
        ),
    )
    return specs[0] + best


def compute_entitlement(
    worker: RollRow,
    *,
    event: EventTerms,
    policy: Policy,
    through: date | None = None,
    earlier_layoff_days: Mapping[int, int] | None = None,
) -> Entitlement:
    """One worker's entitlement, ignoring the rest of the roll (no duplicate check)."""
    return _compute(worker, make_plan(event, policy, through), None, earlier_layoff_days)


def compute_all(
    rows: Sequence[RollRow],
    *,
    event: EventTerms,
    policy: Policy,
    through: date | None = None,
    paid_national_ids: Iterable[str] = (),
    resolved: Mapping[str, str] | None = None,
    earlier_layoff_days: Mapping[str, Mapping[int, int]] | None = None,
) -> list[Entitlement]:
    """Every worker's entitlement, in roll order; workers sharing a national ID are held.

    ``resolved`` maps a shared national ID to the worker ID an officer chose to pay: that
    worker is computed as usual and the others are marked ``duplicate_resolved``. A national
    ID in ``paid_national_ids`` (already paid for the event) holds every worker carrying it.
    ``earlier_layoff_days`` maps a national ID to the days paid per calendar year by earlier
    lay-offs (any factory), for a policy whose tiers count per calendar year.
    """
    plan = make_plan(event, policy, through)
    keys = [_national_id_key(row.national_id) for row in rows]
    counts = Counter(keys)
    already_paid = {_national_id_key(value) for value in paid_national_ids}
    chosen = {_national_id_key(key): worker_id for key, worker_id in (resolved or {}).items()}

    def hold(row: RollRow, key: str) -> str | None:
        if not key:
            return None
        if key in already_paid:
            return DUPLICATE_NATIONAL_ID
        if counts[key] > 1:
            if key not in chosen:
                return DUPLICATE_NATIONAL_ID
            return None if row.worker_id == chosen[key] else DUPLICATE_RESOLVED
        return None

    earlier = (
        {_national_id_key(key): days for key, days in (earlier_layoff_days or {}).items()}
        if plan.years
        else {}
    )
    with cycle_collection_paused():
        return [
            _compute(
                row,
                plan,
                hold(row, key) if counts[key] > 1 or key in already_paid else None,
                earlier.get(key) if earlier else None,
            )
            for row, key in zip(rows, keys, strict=True)
        ]


def _national_id_key(national_id: str) -> str:
    # One meaning per identifier: digits of every script folded (imports.identifiers).
    return national_id_key(national_id)
