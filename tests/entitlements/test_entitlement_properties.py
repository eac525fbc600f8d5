"""The rules against a deliberately plain re-implementation: one day at a time, in fractions.

The reference below shares no code with ``fund.entitlements.rules``: it walks the calendar day
by day, pays each covered day at its tier's shares, counts months of service by stepping a
month at a time, and rounds with integer arithmetic.
"""

from __future__ import annotations

import calendar
from dataclasses import replace
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


# ----- the policy language's later keys, against the same day-by-day walk ---------------------

CLASSES = ["permanent", "probationer", "temporary", "casual", "badli", "apprentice"]
AMOUNT_NAMES = ["arrears_due", "festival_bonus_due", "overtime_due"]


@st.composite
def line_specs(draw: st.DrawFn) -> dict[str, object]:
    kind = draw(st.sampled_from(["days", "per_year", "days_from", "amount_from"]))
    line: dict[str, object] = {
        "kind": kind,
        "classes": draw(st.none() | st.sets(st.sampled_from(CLASSES), min_size=1, max_size=3)),
    }
    if kind == "days":
        line["days"] = draw(st.integers(0, 130))
    if kind == "per_year":
        line["per_year_days"] = draw(st.integers(0, 45))
        line["steps"] = draw(
            st.lists(
                st.tuples(st.integers(1, 15), st.integers(0, 60)),
                max_size=2,
                unique_by=lambda s: s[0],
            ).map(sorted)
        )
        line["part_year"] = draw(st.none() | st.integers(0, 11))
    if kind == "amount_from":
        line["field"] = draw(st.sampled_from(AMOUNT_NAMES))
        line["share"] = draw(st.sampled_from(SHARES))
    else:
        line["pay"] = draw(pays)
    return line


@st.composite
def later_policies(draw: st.DrawFn) -> dict[str, object]:
    spec = draw(policies())
    tiers = spec["tiers"]
    assert isinstance(tiers, list)
    spec["repeat"] = draw(st.booleans())
    spec["tiers_per"] = draw(st.sampled_from(["event", "calendar_year"]))
    spec["suspension_classes"] = draw(
        st.none() | st.sets(st.sampled_from(CLASSES), min_size=1, max_size=4)
    )
    spec["closure_classes"] = draw(
        st.none() | st.sets(st.sampled_from(CLASSES), min_size=1, max_size=4)
    )
    spec["lines"] = draw(st.lists(line_specs(), min_size=1, max_size=4))
    spec["greater_of"] = draw(
        st.just([])
        | st.lists(st.lists(line_specs(), min_size=1, max_size=2), min_size=2, max_size=3)
    )
    spec["missing_class"] = draw(st.sampled_from(CLASSES))
    share = spec["fund_share"]
    spec["fund_advances"] = share not in ("1", "1.00") and draw(st.booleans())
    return spec


def later_toml(spec: dict[str, object]) -> str:
    def pay(pairs: object) -> str:
        assert isinstance(pairs, list)
        return "{ " + ", ".join(f'{c} = "{s}"' for c, s in pairs) + " }"

    def classes(value: object) -> list[str]:
        if value is None:
            return []
        assert isinstance(value, set)
        return ["classes = [" + ", ".join(f'"{c}"' for c in sorted(value)) + "]"]

    def line(table: str, number: int, item: dict[str, object]) -> list[str]:
        out = [f"[[{table}]]", f'rule = "line {number}"', 'basis = "test"']
        kind = item["kind"]
        if kind == "days":
            out.append(f"days = {item['days']}")
        elif kind == "per_year":
            out.append(f"per_year_days = {item['per_year_days']}")
            steps = item["steps"]
            assert isinstance(steps, list)
            if steps:
                out.append(
                    "steps = ["
                    + ", ".join(f"{{ from_years = {y}, per_year_days = {d} }}" for y, d in steps)
                    + "]"
                )
            if item["part_year"] is not None:
                out.append(f"part_year_counts_after_months = {item['part_year']}")
        elif kind == "days_from":
            out.append('days_from = "earned_leave_days"')
        else:
            out.append(f'amount_from = "{item["field"]}"')
            out.append(f'share = "{item["share"]}"')
        if kind != "amount_from":
            out.append(f"pay = {pay(item['pay'])}")
        return out + classes(item["classes"])

    holidays = spec["holidays"]
    tiers = spec["tiers"]
    assert isinstance(holidays, set)
    assert isinstance(tiers, list)
    out = [
        'name = "generated"',
        'currency = "BDT"',
        f"days_per_month = {spec['days_per_month']}",
        f'worker_class_when_missing = "{spec["missing_class"]}"',
        "[suspension]",
        f'count = "{spec["count"]}"',
        "weekly_holidays = [" + ", ".join(f'"{d}"' for d in sorted(holidays)) + "]",
        f"min_service_days = {spec['min_service_days']}",
        f'tiers_per = "{spec["tiers_per"]}"',
        *classes(spec["suspension_classes"]),
    ]
    for number, (days, tier_pay) in enumerate(tiers, start=1):
        out += ["[[suspension.tiers]]", f"days = {days}", f"pay = {pay(tier_pay)}"]
        if number == len(tiers) and spec["repeat"]:
            out.append("repeat = true")
    out += [
        "[closure]",
        f"min_service_days = {spec['min_service_days']}",
        f"part_year_counts_after_months = {spec['part_year']}",
        *classes(spec["closure_classes"]),
    ]
    lines = spec["lines"]
    assert isinstance(lines, list)
    for number, item in enumerate(lines, start=1):
        out += line("closure.lines", number, item)
    alternatives = spec["greater_of"]
    assert isinstance(alternatives, list)
    for number, alternative in enumerate(alternatives, start=1):
        out += ["[[closure.greater_of]]", f'name = "alternative {number}"']
        for index, item in enumerate(alternative, start=1):
            out += line("closure.greater_of.lines", 10 * number + index, item)
    out += [
        "[payout]",
        f'fund_share = "{spec["fund_share"]}"',
        f"fund_advances = {'true' if spec['fund_advances'] else 'false'}",
        f'round_to = "{spec["round_to"]}"',
        f'rounding = "{spec["rounding"]}"',
    ]
    return "\n".join(out) + "\n"


def reference_later(
    worker: RollRow,
    kind: str,
    event: EventTerms,
    through: date | None,
    spec: dict[str, object],
    earlier: dict[int, int],
) -> tuple[bool, int, int]:
    """(eligible, amount the fund pays, factory's part) computed the long way."""
    dpm = spec["days_per_month"]
    assert isinstance(dpm, int)
    klass = worker.worker_class or str(spec["missing_class"])

    def daily(pairs: object) -> Fraction:
        assert isinstance(pairs, list)
        total = Fraction(0)
        for component, share in pairs:
            total += Fraction(worker.component(component)) * Fraction(Decimal(share)) / dpm
        return total

    start = event.start
    min_service = spec["min_service_days"]
    assert isinstance(min_service, int)
    if worker.join_date > start or (start - worker.join_date).days < min_service:
        return False, 0, 0
    if worker.exit_date is not None and worker.exit_date < start:
        return False, 0, 0
    covered = spec["suspension_classes" if kind == "suspension" else "closure_classes"]
    if covered is not None and klass not in covered:  # type: ignore[operator]
        return False, 0, 0
    total = Fraction(0)
    if kind == "suspension":
        tiers = spec["tiers"]
        holidays = spec["holidays"]
        assert isinstance(tiers, list)
        assert isinstance(holidays, set)
        last = (
            event.end
            if through is None
            else (through if event.end is None else min(event.end, through))
        )
        assert last is not None
        counted: dict[object, int] = {}
        day = start
        while day <= last:
            if spec["count"] == "calendar" or DAY_NAMES[day.weekday()] not in holidays:
                key: object = day.year if spec["tiers_per"] == "calendar_year" else "event"
                before = earlier.get(day.year, 0) if key != "event" else 0
                counted[key] = counted.get(key, before) + 1
                position = counted[key]  # this day is the position-th of its year (or event)
                reached = 0
                for number, (tier_days_, pay) in enumerate(tiers, start=1):
                    reached += tier_days_
                    if position <= reached or (number == len(tiers) and spec["repeat"]):
                        total += daily(pay)
                        break
            day += timedelta(days=1)
    else:
        months = reference_months(worker.join_date, start)

        def line_total(item: dict[str, object]) -> Fraction:
            wanted = item["classes"]
            if wanted is not None and klass not in wanted:  # type: ignore[operator]
                return Fraction(0)
            if item["kind"] == "amount_from":
                value = getattr(worker, str(item["field"])) or 0
                return Fraction(value) * Fraction(Decimal(str(item["share"])))
            if item["kind"] == "days":
                days = item["days"]
            elif item["kind"] == "days_from":
                days = worker.earned_leave_days or 0
            else:
                part = item["part_year"] if item["part_year"] is not None else spec["part_year"]
                years = months // 12
                if part and months % 12 > part:  # type: ignore[operator]
                    years += 1
                per_year = item["per_year_days"]
                for from_years, stepped in item["steps"]:  # type: ignore[attr-defined]
                    if years >= from_years:
                        per_year = stepped
                days = years * per_year  # type: ignore[operator]
            amount = Fraction(0)
            for _ in range(days):  # type: ignore[call-overload]
                amount += daily(item["pay"])
            return amount

        for item in spec["lines"]:  # type: ignore[attr-defined]
            total += line_total(item)
        best: Fraction | None = None
        for alternative in spec["greater_of"]:  # type: ignore[attr-defined]
            value = sum((line_total(item) for item in alternative), Fraction(0))
            if best is None or value > best:
                best = value
        total += best or 0
    step = Fraction(Decimal(str(spec["round_to"]))) * 100
    mode = str(spec["rounding"])
    share = Fraction(Decimal(str(spec["fund_share"])))
    fund = int(reference_round(total * share, step, mode))
    factory = 0 if share == 1 else int(reference_round(total, step, mode)) - fund
    return True, fund + factory if spec["fund_advances"] else fund, factory


@st.composite
def later_workers(draw: st.DrawFn, index: int) -> RollRow:
    worker = draw(workers(index))
    return replace(
        worker,
        national_id=f"{index}{worker.national_id}",  # no duplicates: that rule is tested above
        worker_class=draw(st.none() | st.sampled_from(CLASSES)),
        arrears_due=draw(st.none() | wages),
        earned_leave_days=draw(st.none() | st.integers(0, 40)),
        festival_bonus_due=draw(st.none() | wages),
        overtime_due=draw(st.none() | wages),
    )


@settings(max_examples=300, deadline=None)
@given(
    spec=later_policies(),
    data=st.data(),
    kind=st.sampled_from(["suspension", "closure"]),
    start=dates,
    length=st.integers(0, 400),
)
def test_later_policy_keys_agree_with_the_day_by_day_reference(
    spec: dict[str, object], data: st.DataObject, kind: str, start: date, length: int
) -> None:
    policy = parse_policy(later_toml(spec))
    roll = [data.draw(later_workers(index)) for index in range(data.draw(st.integers(1, 4)))]
    earlier = {
        row.national_id: data.draw(
            st.dictionaries(st.sampled_from([start.year - 1, start.year]), st.integers(0, 70))
        )
        for row in roll
    }
    if kind == "closure":
        event = EventTerms("closure", start)
    else:
        event = EventTerms("suspension", start, start + timedelta(days=length))
    results = compute_all(
        roll,
        event=event,
        policy=policy,
        earlier_layoff_days=earlier if kind == "suspension" else None,
    )
    for row, result in zip(roll, results, strict=True):
        expected = reference_later(
            row, kind, event, None, spec, earlier[row.national_id] if kind == "suspension" else {}
        )
        assert (result.eligible, result.amount_minor, result.factory_share_minor) == expected, row
        assert sum((line.amount for line in result.lines), Fraction(0)) == result.exact_total
