"""The entitlement rules, worked by hand: every expected figure is derived in the comments."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from fund.entitlements.policy import parse_policy
from fund.entitlements.rules import (
    DUPLICATE_NATIONAL_ID,
    EXITED_BEFORE_START,
    NOT_EMPLOYED_AT_START,
    SECTION_NOT_AFFECTED,
    SERVICE_TOO_SHORT,
    EntitlementError,
    EventTerms,
    compute_all,
    compute_entitlement,
    covered_days,
    months_of_service,
    summarise,
    years_of_service,
)

from .helpers import alliance, grade5, labour_act, labour_act_calendar, taka

# 1 March 2024 is a Friday; 1 March .. 29 April 2024 is 60 calendar days (31 + 29).
SIXTY_DAYS = EventTerms(kind="suspension", start=date(2024, 3, 1), end=date(2024, 4, 29))


def suspension(days: int, start: date = date(2024, 3, 1)) -> EventTerms:
    return EventTerms(kind="suspension", start=start, end=start + timedelta(days=days - 1))


def closure(on: date) -> EventTerms:
    return EventTerms(kind="closure", start=on)


# --- hand-worked examples: the grade-5 worker (gross 12,500 BDT) --------------------------


def test_alliance_pays_sixty_days_of_gross() -> None:
    # 60 calendar days × 12,500 / 30 = 60 × 416.666… = 25,000.00 BDT, exactly.
    result = compute_entitlement(grade5(), event=SIXTY_DAYS, policy=alliance())
    assert result.eligible
    assert result.reason is None
    assert result.days_paid == 60
    assert result.exact_total == taka(25_000)
    assert result.amount_minor == taka(25_000)
    [line] = result.lines
    assert (line.rule, line.component, line.days) == ("suspension tier 1", "gross", 60)
    assert line.monthly_minor == taka(12_500)
    assert line.daily_rate == Fraction(taka(12_500), 30)  # 416.666… BDT a day
    assert line.amount == taka(25_000)


def test_labour_act_pays_sixty_days_without_fridays() -> None:
    # Fridays in 1 Mar .. 29 Apr 2024: Mar 1, 8, 15, 22, 29, Apr 5, 12, 19, 26 = 9;
    # 60 - 9 = 51 lay-off days: tier 1 takes 45, tier 2 the remaining 6.
    # tier 1 basic:      6,700 × 0.50 / 30 × 45 = 6,700 × 0.75 = 5,025.00
    # tier 1 house rent: 3,350 × 1.00 / 30 × 45 = 3,350 × 1.50 = 5,025.00
    # tier 2 basic:      6,700 × 0.25 / 30 × 6  = 6,700 × 0.05 =   335.00
    # tier 2 house rent: 3,350 × 1.00 / 30 × 6  = 3,350 × 0.20 =   670.00
    # total 11,055.00 BDT
    result = compute_entitlement(grade5(), event=SIXTY_DAYS, policy=labour_act())
    assert result.eligible
    assert result.days_paid == 51
    assert [(line.rule, line.component, line.days, line.amount) for line in result.lines] == [
        ("suspension tier 1", "basic", 45, taka(5_025)),
        ("suspension tier 1", "house_rent", 45, taka(5_025)),
        ("suspension tier 2", "basic", 6, taka(335)),
        ("suspension tier 2", "house_rent", 6, taka(670)),
    ]
    assert result.amount_minor == taka(11_055)


def test_labour_act_counted_in_calendar_days_rounds_half_up_once() -> None:
    # tier 1 (45 days) as above: 5,025 + 5,025 = 10,050.00
    # tier 2 (15 days): basic 6,700 × 0.25 / 30 × 15 = 837.50; house rent 3,350 / 2 = 1,675.00
    # exact total 12,562.50 → half up to whole taka: 12,563
    result = compute_entitlement(grade5(), event=SIXTY_DAYS, policy=labour_act_calendar())
    assert result.days_paid == 60
    assert result.exact_total == Fraction(1_256_250)
    assert result.amount_minor == taka(12_563)
    # the same rules rounding half to even: 12,562.50 → 12,562
    text = labour_act_calendar().source.replace('rounding = "half_up"', 'rounding = "half_even"')
    half_even = compute_entitlement(grade5(), event=SIXTY_DAYS, policy=parse_policy(text))
    assert half_even.amount_minor == taka(12_562)


def test_alliance_closure_after_four_years_seven_months() -> None:
    # joined 1 Aug 2019, closed 1 Mar 2024: 4 years 7 months = 55 months;
    # 7 remaining months > 6, so 5 years.
    # notice pay:  120 days × 12,500 / 30 = 50,000.00
    # service pay: 5 × 30 = 150 days × 6,700 / 30 = 33,500.00
    # total 83,500.00
    result = compute_entitlement(grade5(), event=closure(date(2024, 3, 1)), policy=alliance())
    assert result.eligible
    assert result.service_months == 55
    assert result.years_of_service == 5
    assert result.days_paid is None
    assert [(line.rule, line.component, line.days, line.amount) for line in result.lines] == [
        ("notice pay", "gross", 120, taka(50_000)),
        ("service pay", "basic", 150, taka(33_500)),
    ]
    assert result.amount_minor == taka(83_500)


def test_labour_act_closure_after_four_years_seven_months() -> None:
    # only completed years count: 4.
    # notice pay:  30 days × 12,500 / 30 = 12,500.00
    # service pay: 4 × 30 = 120 days × 6,700 / 30 = 26,800.00
    # total 39,300.00
    result = compute_entitlement(grade5(), event=closure(date(2024, 3, 1)), policy=labour_act())
    assert result.years_of_service == 4
    assert result.amount_minor == taka(39_300)


def test_part_year_of_exactly_six_months_does_not_count() -> None:
    # joined 1 Sep 2019 → 1 Mar 2024 = 4 years 6 months; 6 is not more than 6: 4 years.
    # notice 50,000 + service 4 × 30 = 120 days × 6,700 / 30 = 26,800 → 76,800
    six = compute_entitlement(
        grade5(join_date=date(2019, 9, 1)), event=closure(date(2024, 3, 1)), policy=alliance()
    )
    assert (six.service_months, six.years_of_service) == (54, 4)
    assert six.amount_minor == taka(76_800)
    # one day short of 7 months is still 6 whole months
    almost = compute_entitlement(
        grade5(join_date=date(2019, 8, 2)), event=closure(date(2024, 3, 1)), policy=alliance()
    )
    assert (almost.service_months, almost.years_of_service) == (54, 4)


def test_fund_share_applies_before_the_single_rounding() -> None:
    # 7 days of gross 12,345: 12,345 × 7 / 30 = 2,880.50; × 0.5 = 1,440.25 → 1,440
    # (rounding each line or before the share would give 2,881 × 0.5 = 1,440.50 → 1,441)
    text = alliance().source.replace('fund_share = "1.00"', 'fund_share = "0.50"')
    worker = grade5(gross=taka(12_345))
    result = compute_entitlement(worker, event=suspension(7), policy=parse_policy(text))
    assert result.exact_total == Fraction(28_805_000, 100)
    assert result.exact_payable == Fraction(14_402_500, 100)
    assert result.amount_minor == taka(1_440)


def test_round_to_fifty_poisha() -> None:
    # 12,345 × 7 / 30 = 2,880.50 exactly: already a multiple of 0.50
    text = alliance().source.replace('round_to = "1"', 'round_to = "0.50"')
    result = compute_entitlement(
        grade5(gross=taka(12_345)), event=suspension(7), policy=parse_policy(text)
    )
    assert result.amount_minor == 288_050


# --- eligibility ---------------------------------------------------------------------------


def test_joined_on_the_start_date_is_covered_without_minimum_service() -> None:
    start = date(2024, 3, 1)
    result = compute_entitlement(grade5(join_date=start), event=suspension(10), policy=alliance())
    assert result.eligible
    late = compute_entitlement(
        grade5(join_date=start + timedelta(days=1)), event=suspension(10), policy=alliance()
    )
    assert (late.eligible, late.reason, late.amount_minor) == (False, NOT_EMPLOYED_AT_START, 0)


def test_minimum_service_boundary() -> None:
    # 365 days before 1 Mar 2024 is 2 Mar 2023 (the span holds 29 Feb 2024).
    start = date(2024, 3, 1)
    enough = grade5(join_date=date(2023, 3, 2))
    short = grade5(join_date=date(2023, 3, 3))
    assert compute_entitlement(enough, event=suspension(10), policy=labour_act()).eligible
    result = compute_entitlement(short, event=suspension(10), policy=labour_act())
    assert (result.eligible, result.reason) == (False, SERVICE_TOO_SHORT)
    assert start - timedelta(days=365) == date(2023, 3, 2)


def test_exit_the_day_before_the_start_is_not_covered() -> None:
    start = date(2024, 3, 1)
    gone = compute_entitlement(
        grade5(exit_date=start - timedelta(days=1)), event=suspension(10), policy=alliance()
    )
    assert (gone.eligible, gone.reason, gone.lines) == (False, EXITED_BEFORE_START, ())
    on_start = compute_entitlement(grade5(exit_date=start), event=suspension(10), policy=alliance())
    assert on_start.eligible


def test_partial_suspension_pays_affected_sections_only() -> None:
    event = EventTerms(
        kind="suspension",
        start=date(2024, 3, 1),
        end=date(2024, 3, 10),
        sections=frozenset({"Sewing-3", "Cutting"}),
    )
    sewing = compute_entitlement(grade5(section=" sewing-3"), event=event, policy=alliance())
    finishing = compute_entitlement(grade5(section="Finishing"), event=event, policy=alliance())
    unknown = compute_entitlement(grade5(section=None), event=event, policy=alliance())
    assert sewing.eligible
    assert (finishing.eligible, finishing.reason) == (False, SECTION_NOT_AFFECTED)
    assert (unknown.eligible, unknown.reason) == (False, SECTION_NOT_AFFECTED)


def test_workers_sharing_a_national_id_are_all_held() -> None:
    rows = [
        grade5(worker_id="A", national_id="1990123456789"),
        grade5(worker_id="B", national_id="1990 1234 56789", row=3),
        grade5(worker_id="C", national_id="5551234567", row=4),
        grade5(worker_id="D", national_id="7771234567", row=5),
    ]
    results = compute_all(
        rows, event=suspension(30), policy=alliance(), paid_national_ids=["7771234567"]
    )
    assert [(r.worker_id, r.eligible, r.reason) for r in results] == [
        ("A", False, DUPLICATE_NATIONAL_ID),
        ("B", False, DUPLICATE_NATIONAL_ID),
        ("C", True, None),
        ("D", False, DUPLICATE_NATIONAL_ID),
    ]
    summary = summarise(results)
    # only C is paid: 30 days × 12,500 / 30 = 12,500
    assert (summary.workers, summary.eligible, summary.total_minor) == (4, 1, taka(12_500))
    assert summary.ineligible_by_reason == {DUPLICATE_NATIONAL_ID: 3}


# --- counting days -------------------------------------------------------------------------


def test_leap_february_has_twenty_nine_days() -> None:
    leap = EventTerms(kind="suspension", start=date(2024, 2, 1), end=date(2024, 3, 1))
    common = EventTerms(kind="suspension", start=date(2023, 2, 1), end=date(2023, 3, 1))
    assert len(covered_days(leap, alliance(), None)) == 30
    assert len(covered_days(common, alliance(), None)) == 29
    # 30 days of 12,500 / 30 = 12,500; 29 days = 12,083.33… → 12,083
    assert compute_entitlement(grade5(), event=leap, policy=alliance()).amount_minor == taka(12_500)
    assert compute_entitlement(grade5(), event=common, policy=alliance()).amount_minor == taka(
        12_083
    )


def test_service_months_across_a_leap_day() -> None:
    # joined 29 Feb 2020: a year is complete on 28 Feb 2021, the last day of that February
    assert months_of_service(date(2020, 2, 29), date(2021, 2, 28)) == 12
    assert months_of_service(date(2020, 2, 29), date(2021, 2, 27)) == 11
    assert months_of_service(date(2024, 1, 31), date(2024, 2, 29)) == 1
    assert months_of_service(date(2024, 1, 31), date(2024, 3, 30)) == 1
    assert months_of_service(date(2024, 3, 15), date(2024, 4, 14)) == 0
    assert months_of_service(date(2024, 3, 15), date(2024, 3, 1)) == 0
    assert years_of_service(19, 6) == 2
    assert years_of_service(18, 6) == 1
    assert years_of_service(23, 0) == 1


def test_working_count_skips_fridays() -> None:
    # Fri 1 Mar .. Thu 7 Mar 2024: one Friday → 6 working days
    week = suspension(7)
    assert len(covered_days(week, labour_act(), None)) == 6
    assert len(covered_days(week, alliance(), None)) == 7  # calendar: holidays are paid


@pytest.mark.parametrize(
    ("days", "tier1", "tier2"),
    [(44, 44, 0), (45, 45, 0), (46, 45, 1), (59, 45, 14), (60, 45, 15), (61, 45, 15)],
)
def test_tier_boundaries(days: int, tier1: int, tier2: int) -> None:
    # per tier-1 day: basic 6,700 × 0.5 / 30 + house rent 3,350 / 30 = 111.666… + 111.666…
    # per tier-2 day: 6,700 × 0.25 / 30 + 3,350 / 30 = 55.833… + 111.666…
    result = compute_entitlement(grade5(), event=suspension(days), policy=labour_act_calendar())
    assert result.days_paid == tier1 + tier2
    expected = tier1 * (Fraction(335_000, 30) + Fraction(335_000, 30)) + tier2 * (
        Fraction(167_500, 30) + Fraction(335_000, 30)
    )
    assert result.exact_total == expected
    assert {line.rule for line in result.lines} == (
        {"suspension tier 1", "suspension tier 2"} if tier2 else {"suspension tier 1"}
    )


def test_through_clips_the_event() -> None:
    # computed through 10 Mar: 10 days × 12,500 / 30 = 4,166.67 → 4,167
    result = compute_entitlement(
        grade5(), event=SIXTY_DAYS, policy=alliance(), through=date(2024, 3, 10)
    )
    assert result.days_paid == 10
    assert result.amount_minor == taka(4_167)
    before = compute_entitlement(
        grade5(), event=SIXTY_DAYS, policy=alliance(), through=date(2024, 2, 28)
    )
    assert (before.eligible, before.days_paid, before.amount_minor) == (True, 0, 0)
    after = compute_entitlement(
        grade5(), event=SIXTY_DAYS, policy=alliance(), through=date(2024, 12, 31)
    )
    assert after.days_paid == 60


def test_ongoing_suspension_needs_through() -> None:
    ongoing = EventTerms(kind="suspension", start=date(2024, 3, 1))
    with pytest.raises(EntitlementError, match="through"):
        compute_entitlement(grade5(), event=ongoing, policy=alliance())
    result = compute_entitlement(
        grade5(), event=ongoing, policy=alliance(), through=date(2024, 3, 30)
    )
    assert result.days_paid == 30
    assert result.amount_minor == taka(12_500)


def test_bad_event_terms_are_refused() -> None:
    with pytest.raises(EntitlementError, match="before it starts"):
        EventTerms(kind="suspension", start=date(2024, 3, 2), end=date(2024, 3, 1))
    with pytest.raises(EntitlementError, match="one date"):
        EventTerms(kind="closure", start=date(2024, 3, 2), end=date(2024, 3, 3))
    with pytest.raises(EntitlementError, match="section"):
        EventTerms(kind="suspension", start=date(2024, 3, 2), sections=frozenset())
    no_closure = parse_policy(
        alliance().source.split("[closure]")[0] + '[payout]\nround_to = "1"\n'
    )
    with pytest.raises(EntitlementError, match="closure"):
        compute_entitlement(grade5(), event=closure(date(2024, 3, 1)), policy=no_closure)


def test_breakdown_lines_add_up_to_the_total() -> None:
    result = compute_entitlement(grade5(), event=SIXTY_DAYS, policy=labour_act())
    assert sum((line.amount for line in result.lines), Fraction(0)) == result.exact_total
    for line in result.lines:
        assert line.amount == line.daily_rate * line.days
        assert isinstance(line.share, Decimal)


def test_resolved_duplicates_pay_the_chosen_worker_only() -> None:
    rows = [
        grade5(worker_id="A", national_id="2222222222"),
        grade5(worker_id="B", national_id="2222222222", row=3),
        grade5(worker_id="C", national_id="2222222222", row=4),
    ]
    results = compute_all(
        rows, event=suspension(30), policy=alliance(), resolved={"2222222222": "C"}
    )
    assert [(r.worker_id, r.reason, r.amount_minor) for r in results] == [
        ("A", "duplicate_resolved", 0),
        ("B", "duplicate_resolved", 0),
        ("C", None, taka(12_500)),  # 30 days × 12,500 / 30
    ]
    # already paid for the event (by an earlier batch): everyone carrying it is held
    again = compute_all(
        rows[2:],
        event=suspension(30),
        policy=alliance(),
        resolved={"2222222222": "C"},
        paid_national_ids=["2222222222"],
    )
    assert [(r.worker_id, r.reason) for r in again] == [("C", DUPLICATE_NATIONAL_ID)]
