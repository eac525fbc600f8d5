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

import calendar
import contextlib
import functools
import gc
import math
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal, NamedTuple, Protocol

from fund.entitlements.policy import AMOUNT_FIELDS, LineRule, Pay, Policy
from imports.identifiers import national_id_key
from imports.records import RollRow
from ledger.money import minor_digits

EventKind = Literal["suspension", "closure"]

# Why a worker is not paid (stored and shown; the web pages explain each in words).
NOT_EMPLOYED_AT_START = "not_employed_at_start"
SERVICE_TOO_SHORT = "service_too_short"
EXITED_BEFORE_START = "exited_before_start"
SECTION_NOT_AFFECTED = "section_not_affected"
DUPLICATE_NATIONAL_ID = "duplicate_national_id"
DUPLICATE_RESOLVED = "duplicate_resolved"
CLASS_NOT_COVERED = "class_not_covered"

REASONS: dict[str, str] = {
    NOT_EMPLOYED_AT_START: "joined the factory after the event started",
    SERVICE_TOO_SHORT: "had not served the policy's minimum service before the event started",
    EXITED_BEFORE_START: "had left the factory before the event started",
    SECTION_NOT_AFFECTED: "works in a section the partial suspension does not affect",
    CLASS_NOT_COVERED: "is of a class of worker (e.g. badli, casual) the policy does not cover",
    DUPLICATE_NATIONAL_ID: (
        "shares a national ID with another worker; held until an officer resolves it"
    ),
    DUPLICATE_RESOLVED: (
        "is the same person as another worker on the roll, who is paid instead (resolved by "
        "an officer)"
    ),
}


class EntitlementError(ValueError):
    """Event terms or a policy that cannot produce entitlements."""


class ThroughMissing(EntitlementError):
    """An ongoing suspension computed without the day to compute up to."""


@dataclass(frozen=True, slots=True)
class EventTerms:
    """What the rules need to know about an event; ``end`` None = still ongoing."""

    kind: EventKind
    start: date
    end: date | None = None
    sections: frozenset[str] | None = None  # None = the whole factory

    def __post_init__(self) -> None:
        if self.kind not in ("suspension", "closure"):
            raise EntitlementError(f"event kind must be suspension or closure, not {self.kind!r}")
        if self.kind == "closure" and (self.end is not None or self.sections is not None):
            raise EntitlementError("a closure has one date and covers the whole factory")
        if self.end is not None and self.end < self.start:
            raise EntitlementError(f"event ends ({self.end}) before it starts ({self.start})")
        if self.sections is not None and not self.sections:
            raise EntitlementError("a partial suspension must name at least one section")


class BreakdownLine(NamedTuple):
    """One rule paying one wage component: ``days × monthly × share / days_per_month``.

    The exact amount is ``numerator / denominator`` minor units, before the fund's share and
    rounding (a tuple of integers: a hundred thousand workers' lines are built in a blink).
    """

    rule: str  # "suspension tier 1", "notice pay", "service pay"
    component: str
    monthly_minor: int
    share: Decimal
    days: int
    days_per_month: int
    numerator: int
    denominator: int
    basis: str = ""  # the law or agreement that pays the line ("BLA 2006 s.16(5)")
    bn: str = ""  # what the line pays, in Bengali, as the policy words it

    @property
    def amount(self) -> Fraction:
        """Exact amount in minor units, before the fund's share and rounding."""
        return Fraction(self.numerator, self.denominator)

    @property
    def daily_rate(self) -> Fraction:
        """Exact daily amount in minor units: monthly × share / days per month."""
        return Fraction(self.monthly_minor) * Fraction(self.share) / self.days_per_month

    @property
    def from_amount(self) -> bool:
        """A line paying a roll field's amount due (arrears, bonus), not days of wages."""
        return self.component in AMOUNT_FIELDS


@dataclass(frozen=True, slots=True)
class Entitlement:
    """One worker's entitlement for an event; ineligible workers have a reason and 0."""

    worker: RollRow
    eligible: bool
    reason: str | None
    days_paid: int | None  # suspensions only
    years_of_service: int | None  # closures only
    service_months: int | None  # closures only: whole calendar months served
    lines: tuple[BreakdownLine, ...]
    total_numerator: int  # the lines' sum is total_numerator / denominator minor units
    payable_numerator: int  # after the fund's share: payable_numerator / payable_denominator
    denominator: int
    payable_denominator: int
    amount_minor: int  # rounded once, per the policy's payout: what the fund pays
    currency: str
    factory_share_minor: int = 0  # co-payment: the factory's part of the rounded whole

    @property
    def worker_id(self) -> str:
        """The factory's own ID for the worker."""
        return self.worker.worker_id

    @property
    def exact_total(self) -> Fraction:
        """Exact sum of the breakdown lines, minor units."""
        return Fraction(self.total_numerator, self.denominator)

    @property
    def exact_payable(self) -> Fraction:
        """``exact_total`` × the fund's share, before the one rounding (minor units)."""
        return Fraction(self.payable_numerator, self.payable_denominator)


@dataclass(frozen=True, slots=True)
class _LineSpec:
    rule: str
    component: str
    share: Decimal
    days: int
    factor: int  # amount numerator over the plan's common denominator per minor unit of wage
    basis: str = ""
    bn: str = ""


@dataclass(frozen=True, slots=True)
class _Plan:
    """Everything that depends on the event and the policy only, worked out once."""

    event: EventTerms
    policy: Policy
    min_service_days: int
    days_paid: int | None
    lines: tuple[_LineSpec, ...]  # suspension lines; closures build theirs per worker
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
    closure_cache: dict[object, tuple[tuple[_LineSpec, ...], ...]] = field(default_factory=dict)


def covered_days(event: EventTerms, policy: Policy, through: date | None) -> list[date]:
    """Days of a suspension that count: event dates clipped to ``through``, minus holidays."""
    rules = policy.suspension
    if rules is None:
        raise EntitlementError(f"policy {policy.name!r} has no [suspension] rules")
    last = event.end
    if through is not None:
        last = through if last is None else min(last, through)
    if last is None:
        raise ThroughMissing("an ongoing suspension needs a through date to compute up to")
    days = []
    day = event.start
    while day <= last:
        if day.weekday() not in rules.weekly_holidays:
            days.append(day)
        day += timedelta(days=1)
    return days


def months_of_service(joined: date, until: date) -> int:
    """Whole calendar months from ``joined`` to ``until``.

    A month is complete on the same day of a later month or, when that month is shorter,
    on its last day (joined 31 January: one month on 28/29 February).
    """
    if until < joined:
        return 0
    months = (until.year - joined.year) * 12 + (until.month - joined.month)
    last_day = calendar.monthrange(until.year, until.month)[1]
    if until.day < joined.day and until.day != last_day:
        months -= 1
    return months


def years_of_service(months: int, part_year_counts_after_months: int) -> int:
    """Completed years, plus one when the remaining months exceed the threshold (0 = never)."""
    years, remaining = divmod(months, 12)
    if part_year_counts_after_months and remaining > part_year_counts_after_months:
        years += 1
    return years


def _denominator(policy: Policy, pays: Iterable[Pay], amount_shares: Iterable[Decimal] = ()) -> int:
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


def tier_days(capacities: Sequence[int | None], segments: Iterable[tuple[int, int]]) -> list[int]:
    """Days each tier pays: ``segments`` are (days already counted, days to place) runs.

    A tier's capacity is its days (None: a repeating last tier, without end). Each run starts
    at the tier position its already-counted days reach (a calendar year's earlier lay-offs).
    """
    paid = [0] * len(capacities)
    for already, count in segments:
        position = already
        start = 0
        for index, capacity in enumerate(capacities):
            if count == 0:
                break
            end = None if capacity is None else start + capacity
            if end is None or position < end:
                placed = count if end is None else min(count, end - max(position, start))
                paid[index] += placed
                count -= placed
                position += placed
            start = start if end is None else end
    return paid


def _factor(share: Decimal, days: int, days_per_month: int, denominator: int) -> int:
    # amount = wage × share × days / days_per_month, written over the common denominator
    exact = Fraction(share) * days / days_per_month * denominator
    assert exact.denominator == 1
    return exact.numerator


def _plan(event: EventTerms, policy: Policy, through: date | None) -> _Plan:
    if event.kind == "suspension":
        rules = policy.suspension
        if rules is None:
            raise EntitlementError(f"policy {policy.name!r} has no [suspension] rules")
        days = covered_days(event, policy, through)
        denominator = _denominator(policy, (tier.pay for tier in rules.tiers))
        years: tuple[tuple[int, int], ...] = ()
        if rules.tiers_per == "calendar_year":
            years = tuple(sorted(Counter(day.year for day in days).items()))
        specs = _suspension_specs(policy, _segments(years, len(days), None), denominator)
        paid = sum({spec.rule: spec.days for spec in specs}.values())
        sections = None
        if event.sections is not None:
            sections = frozenset(_section_key(section) for section in event.sections)
        return _Plan(
            event=event,
            policy=policy,
            min_service_days=rules.min_service_days,
            days_paid=paid,
            lines=tuple(specs),
            denominator=denominator,
            sections=sections,
            classes=rules.classes,
            years=years,
            **_payout_terms(policy),
        )
    closure = policy.closure
    if closure is None:
        raise EntitlementError(f"policy {policy.name!r} has no [closure] rules")
    return _Plan(
        event=event,
        policy=policy,
        min_service_days=closure.min_service_days,
        days_paid=None,
        lines=(),
        denominator=_denominator(policy, closure.pays, closure.amount_shares),
        sections=None,
        classes=closure.classes,
        by_worker=closure.by_worker,
        **_payout_terms(policy),
    )


def _segments(
    years: tuple[tuple[int, int], ...], count: int, earlier: Mapping[int, int] | None
) -> tuple[tuple[int, int], ...]:
    # per event: one run from position 0; per calendar year: each year's days start after
    # the days the worker was already laid off that year
    if not years:
        return ((0, count),)
    return tuple(((earlier or {}).get(year, 0), days) for year, days in years)


@functools.lru_cache(maxsize=1024)
def _suspension_specs(
    policy: Policy, segments: tuple[tuple[int, int], ...], denominator: int
) -> tuple[_LineSpec, ...]:
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
                _LineSpec(
                    rule=f"suspension tier {number}",
                    component=component,
                    share=share,
                    days=days,
                    factor=_factor(share, days, policy.days_per_month, denominator),
                    basis=tier.basis,
                    bn=tier.bn,
                )
            )
    return tuple(specs)


def _payout_terms(policy: Policy) -> dict[str, Any]:
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


def _section_key(section: str) -> str:
    # Rolls spell sections inconsistently ("Sewing-3 ", "sewing-3"); compare them loosely.
    return " ".join(section.split()).casefold()


def _ineligibility(worker: RollRow, plan: _Plan) -> str | None:
    start = plan.event.start
    if worker.join_date > start:
        return NOT_EMPLOYED_AT_START
    if worker.join_date > start - timedelta(days=plan.min_service_days):
        return SERVICE_TOO_SHORT
    if worker.exit_date is not None and worker.exit_date < start:
        return EXITED_BEFORE_START
    if plan.sections is not None and (
        worker.section is None or _section_key(worker.section) not in plan.sections
    ):
        return SECTION_NOT_AFFECTED
    if plan.classes is not None and worker_class(worker, plan.policy) not in plan.classes:
        return CLASS_NOT_COVERED
    return None


def worker_class(worker: RollRow, policy: Policy) -> str:
    """The roll's worker class, or the policy's reading of a roll that does not say."""
    return worker.worker_class or policy.worker_class_when_missing


def _compute(
    worker: RollRow,
    plan: _Plan,
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
        specs = _suspension_specs(
            policy, _segments(plan.years, sum(n for _, n in plan.years), earlier), denominator
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
    worker: RollRow, specs: Sequence[_LineSpec], days_per_month: int, denominator: int
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


def _closure_worker_specs(worker: RollRow, plan: _Plan, months: int) -> tuple[_LineSpec, ...]:
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
        specs = _closure_specs(
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


@functools.lru_cache(maxsize=4096)
def _closure_specs(
    policy: Policy,
    months: int,
    klass: str,
    fields: tuple[int, ...],
    denominator: int,
) -> tuple[tuple[_LineSpec, ...], ...]:
    # the same for every worker with as many months, of the same class and roll-field values
    # (mostly none): worked out once; [0] = lines always paid, then each alternative's
    closure = policy.closure
    assert closure is not None
    values = dict(zip(("earned_leave_days", *AMOUNT_FIELDS), fields, strict=True))

    def specs_of(rules: Sequence[LineRule]) -> tuple[_LineSpec, ...]:
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
                    _LineSpec(
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
                factor_days = _factor(share, days, policy.days_per_month, denominator)
                specs.append(
                    _LineSpec(rule.rule, component, share, days, factor_days, rule.basis, rule.bn)
                )
        return tuple(specs)

    return (specs_of(closure.lines), *(specs_of(alt.lines) for alt in closure.greater_of))


def round_once(numerator: int, denominator: int, step_minor: int, half_even: bool) -> int:
    """Round ``numerator / denominator`` minor units to a multiple of ``step_minor``, half up
    (or half to even), in integers.

    This is ``ledger.money.round_amount`` for non-negative exact ratios, without building a
    ``Fraction`` and a ``Decimal`` per worker; the tests hold the two to the same answers.
    """
    whole = denominator * step_minor
    quotient, remainder = divmod(numerator, whole)
    twice = 2 * remainder
    if twice > whole or (twice == whole and (not half_even or quotient % 2 == 1)):
        quotient += 1
    return quotient * step_minor


def compute_entitlement(
    worker: RollRow,
    *,
    event: EventTerms,
    policy: Policy,
    through: date | None = None,
    earlier_layoff_days: Mapping[int, int] | None = None,
) -> Entitlement:
    """One worker's entitlement, ignoring the rest of the roll (no duplicate check)."""
    return _compute(worker, _plan(event, policy, through), None, earlier_layoff_days)


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
    plan = _plan(event, policy, through)
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
    with collector_paused():
        return [
            _compute(
                row,
                plan,
                hold(row, key) if counts[key] > 1 or key in already_paid else None,
                earlier.get(key) if earlier else None,
            )
            for row, key in zip(rows, keys, strict=True)
        ]


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for a bulk computation (re-entrant)."""
    # A big roll creates hundreds of thousands of small acyclic objects; the cyclic garbage
    # collector would walk all of them again and again (half the run time) to free nothing.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _national_id_key(national_id: str) -> str:
    # One meaning per identifier: digits of every script folded (imports.identifiers).
    return national_id_key(national_id)


class Outcome(Protocol):
    """What a summary needs of an entitlement, computed here or stored."""

    @property
    def eligible(self) -> bool: ...

    @property
    def reason(self) -> str | None: ...

    @property
    def amount_minor(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Summary:
    """Totals of a computation: how many workers, how many paid, why the others are not."""

    workers: int
    eligible: int
    total_minor: int
    ineligible_by_reason: dict[str, int]


def summarise(entitlements: Iterable[Outcome]) -> Summary:
    """Count eligible workers, total the rounded amounts and tally the reasons."""
    workers = eligible = total = 0
    reasons: Counter[str] = Counter()
    for entitlement in entitlements:
        workers += 1
        if entitlement.eligible:
            eligible += 1
            total += entitlement.amount_minor
        elif entitlement.reason is not None:
            reasons[entitlement.reason] += 1
    return Summary(workers, eligible, total, dict(sorted(reasons.items())))
