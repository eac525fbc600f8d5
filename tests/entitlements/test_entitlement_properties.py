"""The rules against a deliberately plain re-implementation: one day at a time, in fractions.

The reference below shares no code with ``fund.entitlements.rules``: it walks the calendar day
by day, pays each covered day at its tier's shares, counts months of service by stepping a
month at a time, and rounds with integer arithmetic.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fund.entitlements.policy import parse_policy
from fund.entitlements.rules import EventTerms, compute_all, round_once
from imports.records import RollRow
from ledger.money import round_amount

SHARES = ["0", "0.25", "0.5", "0.50", "0.75", "1", "1.00", "0.333", "1.5"]
COMPONENTS = ["basic", "house_rent", "medical", "transport", "food"]
DAY_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def reference_months(joined: date, until: date) -> int:
    months = 0
    while add_months(joined, months + 1) <= until:
        months += 1
    return months


def reference_round(value: Fraction, step: Fraction, mode: str) -> Fraction:
    units = value / step
    floor = units.numerator // units.denominator
    rest = units - floor
    if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and (mode == "half_up" or floor % 2 == 1)):
        floor += 1
    return floor * step


def reference_amount(
    worker: RollRow,
    kind: str,
    start: date,
    end: date | None,
    through: date | None,
    sections: frozenset[str] | None,
    spec: dict[str, object],
    duplicate: bool,
) -> tuple[bool, int]:
    """(eligible, amount in poisha) computed the long way."""
    dpm = spec["days_per_month"]
    assert isinstance(dpm, int)

    def wage(component: str) -> int:
        if component == "gross":
            return (
                worker.gross
                if worker.gross is not None
                else (
                    worker.basic
                    + worker.house_rent
                    + worker.medical
                    + worker.transport
                    + worker.food
                )
            )
        return int(getattr(worker, component))

    min_service = spec["min_service_days"]
    assert isinstance(min_service, int)
    if duplicate or worker.join_date > start or (start - worker.join_date).days < min_service:
        return False, 0
    if worker.exit_date is not None and worker.exit_date < start:
        return False, 0
    if sections is not None and (
        worker.section is None or worker.section.strip().lower() not in sections
    ):
        return False, 0
    total = Fraction(0)
    if kind == "suspension":
        tiers = spec["tiers"]
        assert isinstance(tiers, list)
        holidays = spec["holidays"]
        assert isinstance(holidays, set)
        last = end if through is None else (through if end is None else min(end, through))
        assert last is not None
        day, counted = start, 0
        while day <= last:
            if spec["count"] == "calendar" or DAY_NAMES[day.weekday()] not in holidays:
                counted += 1
                reached = 0
                for tier_days, pay in tiers:
                    reached += tier_days
                    if counted <= reached:
                        for component, share in pay:
                            total += Fraction(wage(component)) * Fraction(Decimal(share)) / dpm
                        break
            day += timedelta(days=1)
    else:
        months = reference_months(worker.join_date, start)
        years = months // 12
        threshold = spec["part_year"]
        assert isinstance(threshold, int)
        if threshold != 0 and months % 12 > threshold:
            years += 1
        notice = spec["notice"]
        per_year = spec["per_year"]
        assert isinstance(notice, tuple)
        assert isinstance(per_year, tuple)
        for days, pay in (notice, (years * per_year[0], per_year[1])):
            for _ in range(days):
                for component, share in pay:
                    total += Fraction(wage(component)) * Fraction(Decimal(share)) / dpm
    payable = total * Fraction(Decimal(str(spec["fund_share"]))) / 100
    step = Fraction(Decimal(str(spec["round_to"])))
    rounded = reference_round(payable, step, str(spec["rounding"]))
    return True, int(rounded * 100)


pays = st.lists(
    st.tuples(st.sampled_from(COMPONENTS), st.sampled_from(SHARES)),
    min_size=1,
    max_size=3,
    unique_by=lambda pair: pair[0],
) | st.tuples(st.just("gross"), st.sampled_from(SHARES)).map(lambda pair: [pair])


@st.composite
def policies(draw: st.DrawFn) -> dict[str, object]:
    return {
        "days_per_month": draw(st.sampled_from([26, 30, 31])),
        "count": draw(st.sampled_from(["calendar", "working"])),
        "holidays": set(draw(st.lists(st.sampled_from(DAY_NAMES), max_size=2))),
        "min_service_days": draw(st.sampled_from([0, 30, 365])),
        "tiers": draw(st.lists(st.tuples(st.integers(1, 50), pays), min_size=1, max_size=3)),
        "notice": (draw(st.integers(0, 120)), draw(pays)),
        "per_year": (draw(st.integers(0, 45)), draw(pays)),
        "part_year": draw(st.integers(0, 11)),
        "fund_share": draw(st.sampled_from(["1", "1.00", "0.5", "0.85", "0.333"])),
        "round_to": draw(st.sampled_from(["1", "0.01", "0.50", "5"])),
        "rounding": draw(st.sampled_from(["half_up", "half_even"])),
    }


def to_toml(spec: dict[str, object]) -> str:
    def pay(pairs: object) -> str:
        assert isinstance(pairs, list)
        return "{ " + ", ".join(f'{c} = "{s}"' for c, s in pairs) + " }"

    holidays = spec["holidays"]
    assert isinstance(holidays, set)
    tiers = spec["tiers"]
    notice = spec["notice"]
    per_year = spec["per_year"]
    assert isinstance(tiers, list)
    assert isinstance(notice, tuple)
    assert isinstance(per_year, tuple)
    lines = [
        'name = "generated"',
        'currency = "BDT"',
        f"days_per_month = {spec['days_per_month']}",
        "[suspension]",
        f'count = "{spec["count"]}"',
        "weekly_holidays = [" + ", ".join(f'"{d}"' for d in sorted(holidays)) + "]",
        f"min_service_days = {spec['min_service_days']}",
    ]
    for days, tier_pay in tiers:
        lines += ["[[suspension.tiers]]", f"days = {days}", f"pay = {pay(tier_pay)}"]
    lines += [
        "[closure]",
        f"min_service_days = {spec['min_service_days']}",
        f"notice_days = {notice[0]}",
        f"notice_pay = {pay(notice[1])}",
        f"per_year_days = {per_year[0]}",
        f"per_year_pay = {pay(per_year[1])}",
        f"part_year_counts_after_months = {spec['part_year']}",
        "[payout]",
        f'fund_share = "{spec["fund_share"]}"',
        f'round_to = "{spec["round_to"]}"',
        f'rounding = "{spec["rounding"]}"',
    ]
    return "\n".join(lines) + "\n"


dates = st.dates(min_value=date(2015, 1, 1), max_value=date(2026, 12, 31))
wages = st.integers(min_value=0, max_value=5_000_000)


@st.composite
def workers(draw: st.DrawFn, index: int) -> RollRow:
    joined = draw(dates)
    return RollRow(
        row=index + 2,
        worker_id=f"W{index}",
        name="Worker",
        national_id=draw(st.sampled_from(["1111111111", "2222222222", "3333333333"]))
        + str(draw(st.integers(0, 3))),
        join_date=joined,
        basic=draw(wages),
        house_rent=draw(wages),
        medical=draw(wages),
        transport=draw(wages),
        food=draw(wages),
        gross=draw(st.none() | wages),
        section=draw(st.sampled_from([None, "Sewing", "cutting", "Finishing"])),
        exit_date=draw(st.none() | dates),
    )


@st.composite
def rolls(draw: st.DrawFn) -> list[RollRow]:
    size = draw(st.integers(1, 6))
    return [draw(workers(index)) for index in range(size)]


@settings(max_examples=300, deadline=None)
@given(
    spec=policies(),
    roll=rolls(),
    kind=st.sampled_from(["suspension", "closure"]),
    start=dates,
    length=st.none() | st.integers(0, 150),
    through_offset=st.none() | st.integers(-5, 160),
    sections=st.none() | st.sets(st.sampled_from(["sewing", "cutting"]), min_size=1),
)
def test_rules_agree_with_the_day_by_day_reference(
    spec: dict[str, object],
    roll: list[RollRow],
    kind: str,
    start: date,
    length: int | None,
    through_offset: int | None,
    sections: set[str] | None,
) -> None:
    policy = parse_policy(to_toml(spec))
    if kind == "closure":
        end = None
        through = None
        section_set = None
    else:
        end = None if length is None else start + timedelta(days=length)
        through = None if through_offset is None else start + timedelta(days=through_offset)
        if end is None and through is None:
            through = start + timedelta(days=40)
        section_set = None if sections is None else frozenset(sections)
    event = EventTerms(kind=kind, start=start, end=end, sections=section_set)  # type: ignore[arg-type]
    results = compute_all(roll, event=event, policy=policy, through=through)
    ids = [row.national_id for row in roll]
    for row, result in zip(roll, results, strict=True):
        eligible, amount = reference_amount(
            row, kind, start, end, through, section_set, spec, ids.count(row.national_id) > 1
        )
        assert (result.eligible, result.amount_minor) == (eligible, amount), row
        assert sum((line.amount for line in result.lines), Fraction(0)) == result.exact_total


@given(
    numerator=st.integers(min_value=0, max_value=10**15),
    denominator=st.integers(min_value=1, max_value=10**6),
    step=st.sampled_from([1, 50, 100, 500, 1_000]),
    mode=st.sampled_from(["half_up", "half_even"]),
)
def test_integer_rounding_is_the_ledgers_rounding(
    numerator: int, denominator: int, step: int, mode: str
) -> None:
    # the rules round in integers for speed; ledger.money.round_amount is the reference
    expected = round_amount(Fraction(numerator, denominator), step=Decimal(step), mode=mode)
    assert round_once(numerator, denominator, step, mode == "half_even") == int(expected)


@pytest.mark.parametrize(
    ("numerator", "step", "half_up", "half_even"),
    [(250, 100, 300, 200), (350, 100, 400, 400), (249, 100, 200, 200), (75, 50, 100, 100)],
)
def test_integer_rounding_ties(numerator: int, step: int, half_up: int, half_even: int) -> None:
    assert round_once(numerator, 1, step, False) == half_up
    assert round_once(numerator, 1, step, True) == half_even
