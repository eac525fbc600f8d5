"""Plans: what an entitlement computation works out once per event and policy, before any
worker: the covered days and tiers, the line specifications, the one common denominator every
line is written over, the fund's share and rounding unit.

Rules: every line is wage × share × days / days per month, a whole number of 1/denominator of
a poisha over the plan's denominator (the lcm of every line's), so a worker's lines are integer
multiplications; closure lines depend on months served (and, where the policy says, class and
roll dues) and are cached per plan.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from fund.entitlements.counting import covered_days, tier_days, years_of_service
from fund.entitlements.outcomes import EntitlementError, EventTerms
from fund.entitlements.policy import AMOUNT_FIELDS, LineRule, Pay, Policy
from imports.records import RollRow
from ledger.money import minor_digits


@dataclass(frozen=True, slots=True)
class LineSpec:
    """One line a plan pays: its rule, component, share and days, as a factor per poisha of wage."""

    rule: str
    component: str
    share: Decimal
    days: int
    factor: int  # amount numerator over the plan's common denominator per minor unit of wage
    basis: str = ""
    bn: str = ""


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything that depends on the event and the policy only, worked out once."""

    event: EventTerms
    policy: Policy
    min_service_days: int
    days_paid: int | None
    lines: tuple[LineSpec, ...]  # suspension lines; closures build theirs per worker
    denominator: int
    sections: frozenset[str] | None
    share_numerator: int  # the fund's share as a ratio of integers
    share_denominator: int
    step_minor: int  # the policy's rounding unit in minor units (100 = whole taka)
    half_even: bool
    fund_advances: bool = False
    classes: frozenset[str] | None = None
    # tiers counted per calendar year: covered days per year, in order
    years: tuple[tuple[int, int], ...] = ()
    # closures: whether lines depend on the worker's class or roll dues, and specs worked out
    by_worker: bool = False
    closure_cache: dict[object, tuple[tuple[LineSpec, ...], ...]] = field(default_factory=dict)


def common_denominator(
    policy: Policy, pays: Iterable[Pay], amount_shares: Iterable[Decimal] = ()
) -> int:
    """The one denominator over which every line of these pays is a whole number."""
    # Every line is wage × share × days / days_per_month: a whole number of
    # 1 / (days_per_month × share's denominator), so their lcm holds every line exactly;
    # an amount due × share is a whole number of 1 / share's denominator.
    denominator = policy.days_per_month
    for pay in pays:
        for _, share in pay.shares:
            denominator = math.lcm(denominator, policy.days_per_month * Fraction(share).denominator)
    for share in amount_shares:
        denominator = math.lcm(denominator, Fraction(share).denominator)
    return denominator


def line_factor(share: Decimal, days: int, days_per_month: int, denominator: int) -> int:
    """A line's amount per poisha of monthly wage, over the common denominator."""
    # amount = wage × share × days / days_per_month, written over the common denominator
    exact = Fraction(share) * days / days_per_month * denominator
    assert exact.denominator == 1
    return exact.numerator


def make_plan(event: EventTerms, policy: Policy, through: date | None) -> Plan:
    """Work out what the event and the policy fix for every worker (refused: rules missing)."""
    if event.kind == "suspension":
        rules = policy.suspension
        if rules is None:
            raise EntitlementError(f"policy {policy.name!r} has no [suspension] rules")
        days = covered_days(event, policy, through)
        denominator = common_denominator(policy, (tier.pay for tier in rules.tiers))
        years: tuple[tuple[int, int], ...] = ()
        if rules.tiers_per == "calendar_year":
            years = tuple(sorted(Counter(day.year for day in days).items()))
        specs = suspension_specs(policy, tier_segments(years, len(days), None), denominator)
        paid = sum({spec.rule: spec.days for spec in specs}.values())
        sections = None
        if event.sections is not None:
            sections = frozenset(section_key(section) for section in event.sections)
        return Plan(
            event=event,
            policy=policy,
            min_service_days=rules.min_service_days,
            days_paid=paid,
            lines=tuple(specs),
            denominator=denominator,
            sections=sections,
            classes=rules.classes,
            years=years,
            **payout_terms(policy),
        )
    closure = policy.closure
    if closure is None:
        raise EntitlementError(f"policy {policy.name!r} has no [closure] rules")
    return Plan(
        event=event,
        policy=policy,
        min_service_days=closure.min_service_days,
        days_paid=None,
        lines=(),
        denominator=common_denominator(policy, closure.pays, closure.amount_shares),
        sections=None,
        classes=closure.classes,
        by_worker=closure.by_worker,
        **payout_terms(policy),
    )


def tier_segments(
    years: tuple[tuple[int, int], ...], count: int, earlier: Mapping[int, int] | None
) -> tuple[tuple[int, int], ...]:
    """The runs of days the tiers place: (days already counted, days to place)."""
    # per event: one run from position 0; per calendar year: each year's days start after
    # the days the worker was already laid off that year
    if not years:
        return ((0, count),)
    return tuple(((earlier or {}).get(year, 0), days) for year, days in years)


@functools.lru_cache(maxsize=1024)
def suspension_specs(
    policy: Policy, segments: tuple[tuple[int, int], ...], denominator: int
) -> tuple[LineSpec, ...]:
    """A suspension's lines: each tier's days (placed from ``segments``) × its pay."""
    rules = policy.suspension
    assert rules is not None
    capacities = [None if tier.repeat else tier.days for tier in rules.tiers]
    specs = []
    for number, (tier, days) in enumerate(
        zip(rules.tiers, tier_days(capacities, segments), strict=True), start=1
    ):
        if days == 0:
            continue
        for component, share in tier.pay.shares:
            specs.append(
                LineSpec(
                    rule=f"suspension tier {number}",
                    component=component,
                    share=share,
                    days=days,
                    factor=line_factor(share, days, policy.days_per_month, denominator),
                    basis=tier.basis,
                    bn=tier.bn,
                )
            )
    return tuple(specs)


def payout_terms(policy: Policy) -> dict[str, Any]:
    """The fund's share as a ratio of integers, the rounding unit in minor units and mode."""
    share = Fraction(policy.payout.fund_share)
    step = Fraction(policy.payout.round_to) * 10 ** minor_digits(policy.currency)
    assert step.denominator == 1  # the policy parser refuses a unit finer than the currency's
    return {
        "share_numerator": share.numerator,
        "share_denominator": share.denominator,
        "step_minor": step.numerator,
        "half_even": policy.payout.rounding == "half_even",
        "fund_advances": policy.payout.fund_advances,
    }


def section_key(section: str) -> str:
    """A section's name compared loosely (spaces folded, case ignored)."""
    # Rolls spell sections inconsistently ("Sewing-3 ", "sewing-3"); compare them loosely.
    return " ".join(section.split()).casefold()


def worker_class(worker: RollRow, policy: Policy) -> str:
    """The roll's worker class, or the policy's reading of a roll that does not say."""
    return worker.worker_class or policy.worker_class_when_missing


@functools.lru_cache(maxsize=4096)
def closure_specs(
    policy: Policy,
    months: int,
    klass: str,
    fields: tuple[int, ...],
    denominator: int,
) -> tuple[tuple[LineSpec, ...], ...]:
    """A closure's lines for months served, class and roll dues: always paid, then each
    alternative's."""
    # the same for every worker with as many months, of the same class and roll-field values
    # (mostly none): worked out once; [0] = lines always paid, then each alternative's
    closure = policy.closure
    assert closure is not None
    values = dict(zip(("earned_leave_days", *AMOUNT_FIELDS), fields, strict=True))

    def specs_of(rules: Sequence[LineRule]) -> tuple[LineSpec, ...]:
        specs = []
        for rule in rules:
            if rule.classes is not None and klass not in rule.classes:
                continue
            if rule.kind == "amount_from":
                assert rule.field is not None
                if not values[rule.field]:
                    continue
                factor = Fraction(rule.share) * denominator
                assert factor.denominator == 1
                specs.append(
                    LineSpec(
                        rule.rule, rule.field, rule.share, 0, factor.numerator, rule.basis, rule.bn
                    )
                )
                continue
            if rule.kind == "days":
                days = rule.days
            elif rule.kind == "days_from":
                assert rule.field is not None
                days = values[rule.field]
            else:
                part_year = rule.part_year_counts_after_months
                if part_year is None:
                    part_year = closure.part_year_counts_after_months
                years = years_of_service(months, part_year)
                days = years * rule.days_per_year(years)
            if days == 0:
                continue
            assert rule.pay is not None
            for component, share in rule.pay.shares:
                factor_days = line_factor(share, days, policy.days_per_month, denominator)
                specs.append(
                    LineSpec(rule.rule, component, share, days, factor_days, rule.basis, rule.bn)
                )
        return tuple(specs)

    return (specs_of(closure.lines), *(specs_of(alt.lines) for alt in closure.greater_of))
