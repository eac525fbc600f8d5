"""The Labour Act as the shipped policies compute it: hand-worked examples, arithmetic written out.

The worker is the grade-5 sewing operator of ``helpers.grade5``: basic 6,700, house rent 3,350,
gross 12,500 BDT a month, joined 1 August 2019. Days are divided by 30 (the policy's
``days_per_month``). The lay-off counts working days: Fridays, the weekly holiday, are not paid
(BLA 2006 s.16(1)).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from fund.entitlements.policy import PolicyInvalid, load_policy, parse_policy
from fund.entitlements.rules import (
    CLASS_NOT_COVERED,
    SERVICE_TOO_SHORT,
    EventTerms,
    compute_all,
    compute_entitlement,
    tier_days,
)

from .helpers import POLICIES, grade5, labour_act, taka

ACT_2006 = load_policy(POLICIES / "bangladesh-labour-act-2006.toml")
ACT_2025 = load_policy(POLICIES / "bangladesh-labour-act-2025-amendment.toml")
SHARE = load_policy(POLICIES / "alliance-wage-share.toml")

# 2 March 2024 is a Saturday: 120 days to 29 June 2024 (a Saturday) are 17 weeks and a day,
# so 17 Fridays and 120 - 17 = 103 working days of lay-off.
LAYOFF_120 = EventTerms("suspension", date(2024, 3, 2), date(2024, 6, 29))


def fridays(first: date, last: date) -> int:
    return sum(1 for n in range((last - first).days + 1) if (first + timedelta(n)).weekday() == 4)


def test_the_120_day_example_has_103_working_days() -> None:
    assert fridays(LAYOFF_120.start, LAYOFF_120.end or LAYOFF_120.start) == 17
    assert (date(2024, 6, 29) - date(2024, 3, 2)).days + 1 == 120


def test_old_layoff_file_stops_after_60_days() -> None:
    # tier 1: 45 days × (6,700 × 0.50 + 3,350) / 30 = 45 × 223.33… = 10,050.00
    # tier 2: 15 days × (6,700 × 0.25 + 3,350) / 30 = 15 × 167.50  =  2,512.50
    # total 12,562.50, rounded half up once: 12,563 (what issue 18 found: the Act pays more)
    result = compute_entitlement(grade5(), event=LAYOFF_120, policy=labour_act())
    assert result.days_paid == 60
    assert result.exact_total == taka(10_050) + Fraction(taka(2_512_5), 10)
    assert result.amount_minor == taka(12_563)


def test_section_16_5_pays_the_whole_subsequent_lay_off() -> None:
    # s.16(2),(4): first 45 days at half the basic + full house rent
    #   45 × (3,350 + 3,350) / 30 = 45 × 223.33… = 10,050.00
    # s.16(5): the remaining 103 - 45 = 58 days at a quarter of the basic + full house rent
    #   58 × (1,675 + 3,350) / 30 = 58 × 167.50 = 9,715.00
    # total 19,765.00 (the figure issue 18 worked out from the Act)
    result = compute_entitlement(grade5(), event=LAYOFF_120, policy=ACT_2006)
    assert result.days_paid == 103
    tiers = {(line.rule, line.component): (line.days, line.amount) for line in result.lines}
    assert tiers[("suspension tier 1", "basic")] == (45, taka(3_350) * 45 / 30)
    assert tiers[("suspension tier 2", "basic")] == (58, Fraction(taka(1_675)) * 58 / 30)
    assert tiers[("suspension tier 2", "house_rent")] == (58, Fraction(taka(3_350)) * 58 / 30)
    assert result.amount_minor == taka(19_765)
    assert {line.basis for line in result.lines} == {
        "BLA 2006 s.16(2), s.16(4)",
        "BLA 2006 s.16(5)",
    }


def test_amended_section_16_5_pays_half_the_basic_after_45_days() -> None:
    # 45 × (3,350 + 3,350) / 30 = 10,050.00; then 58 × (3,350 + 3,350) / 30 = 12,953.33…
    # total 23,003.33… → 23,003
    result = compute_entitlement(grade5(), event=LAYOFF_120, policy=ACT_2025)
    assert result.exact_total == Fraction(taka(6_700)) * 103 / 30
    assert result.amount_minor == taka(23_003)


def test_amendment_covers_three_months_service() -> None:
    # joined 100 days before the lay-off: short of the Act's one year (s.16(1)), enough for
    # the amended three months (90 days)
    joined = LAYOFF_120.start - timedelta(days=100)
    worker = grade5(join_date=joined)
    before = compute_entitlement(worker, event=LAYOFF_120, policy=ACT_2006)
    after = compute_entitlement(worker, event=LAYOFF_120, policy=ACT_2025)
    assert (before.eligible, before.reason) == (False, SERVICE_TOO_SHORT)
    assert after.eligible
    assert after.amount_minor == taka(23_003)


def test_casual_workers_are_not_covered_by_section_16() -> None:
    result = compute_entitlement(grade5(worker_class="casual"), event=LAYOFF_120, policy=ACT_2006)
    assert (result.eligible, result.reason, result.amount_minor) == (False, CLASS_NOT_COVERED, 0)
    # s.16(3): a badli with a year's service is paid like anyone else
    badli = compute_entitlement(grade5(worker_class="badli"), event=LAYOFF_120, policy=ACT_2006)
    assert badli.amount_minor == taka(19_765)


def test_45_days_are_counted_per_calendar_year_across_lay_offs() -> None:
    # s.16(4): 45 first-rate days in a calendar year. The worker was paid 30 days of lay-off
    # earlier in 2024 (another factory), so 15 first-rate days are left:
    #   15 × 223.33… = 3,350.00, then 103 - 15 = 88 days × 167.50 = 14,740.00; total 18,090
    result = compute_entitlement(
        grade5(), event=LAYOFF_120, policy=ACT_2006, earlier_layoff_days={2024: 30}
    )
    assert [(line.rule, line.days) for line in result.lines][::2] == [
        ("suspension tier 1", 15),
        ("suspension tier 2", 88),
    ]
    assert result.amount_minor == taka(18_090)
    # days from another year do not count against 2024
    other_year = compute_entitlement(
        grade5(), event=LAYOFF_120, policy=ACT_2006, earlier_layoff_days={2023: 45}
    )
    assert other_year.amount_minor == taka(19_765)


def test_a_new_calendar_year_starts_the_45_days_again() -> None:
    # 16 November 2024 (Saturday) to 31 January 2025 (Friday):
    #   2024: 15 days of November with 2 Fridays (22, 29) = 13; December 31 - 4 Fridays = 27
    #   2025: January 31 - 5 Fridays (3, 10, 17, 24, 31) = 26
    event = EventTerms("suspension", date(2024, 11, 16), date(2025, 1, 31))
    # counted per calendar year: 40 days in 2024 and 26 in 2025, all first-rate:
    #   66 × 223.33… = 14,740.00
    result = compute_entitlement(grade5(), event=event, policy=ACT_2006)
    assert result.days_paid == 66
    assert result.amount_minor == taka(14_740)
    # with 10 days already paid in 2024: 35 first-rate and 5 at the s.16(5) rate in 2024, 26
    # first-rate in 2025: 61 × 223.33… + 5 × 167.50 = 13,623.33… + 837.50 = 14,460.83… → 14,461
    earlier = compute_entitlement(
        grade5(), event=event, policy=ACT_2006, earlier_layoff_days={2024: 10}
    )
    assert earlier.amount_minor == taka(14_461)


def test_tier_days_places_each_run_after_the_days_already_counted() -> None:
    # tiers of 45 days and a repeating tier: 30 days already counted, 103 to place
    assert tier_days([45, None], [(30, 103)]) == [15, 88]
    # non-repeating tiers leave days beyond them unpaid
    assert tier_days([45, 15], [(0, 103)]) == [45, 15]
    assert tier_days([45, 15], [(50, 30)]) == [0, 10]
    assert tier_days([45, None], [(0, 40), (0, 26)]) == [66, 0]


CLOSURE = EventTerms("closure", date(2025, 4, 15))


def dues(**changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "arrears_due": taka(5_000),
        "earned_leave_days": 12,
        "festival_bonus_due": taka(3_350),
        "overtime_due": 123_450,  # 1,234.50
    }
    values.update(changes)
    return values


def test_closure_of_a_permanent_worker_pays_notice_gratuity_and_every_due() -> None:
    # joined 1 Aug 2019, closure 15 Apr 2025: 5 years 8 months of service
    # notice pay, s.26(1)(a): 120 days × 12,500 / 30            = 50,000.00
    # s.20(2)(c) service pay: 5 completed years × 30 × 6,700 / 30 = 33,500.00
    # gratuity, s.2(10): 8 months > 6 count, 6 years × 30 × 6,700 / 30 = 40,200.00 (greater)
    # unpaid wages (s.30) 5,000.00; overtime (s.108) 1,234.50; festival bonus 3,350.00
    # earned leave not taken (s.11): 12 days × 12,500 / 30      =  5,000.00
    # total 50,000 + 40,200 + 5,000 + 1,234.50 + 5,000 + 3,350 = 104,784.50 → 104,785
    result = compute_entitlement(grade5(**dues()), event=CLOSURE, policy=ACT_2006)
    paid = {line.rule: line.amount for line in result.lines}
    assert paid == {
        "notice pay": taka(50_000),
        "unpaid wages": taka(5_000),
        "overtime due": 123_450,
        "earned leave not taken": taka(5_000),
        "festival bonus": taka(3_350),
        "gratuity": taka(40_200),
    }
    assert "service pay" not in paid  # the lesser of the two
    assert result.amount_minor == taka(104_785)
    bases = {line.rule: line.basis for line in result.lines}
    assert bases["gratuity"] == "BLA 2006 s.2(10), s.20(2)(c)"
    assert bases["notice pay"] == "BLA 2006 s.26(1)(a), s.26(3)"


def test_gratuity_steps_to_45_days_a_year_after_ten_years() -> None:
    # joined 1 Jan 2013, closure 15 Apr 2025: 12 years 3 months (3 months do not count)
    # gratuity: 12 years > 10, so 45 days a year: 12 × 45 × 6,700 / 30 = 120,600.00
    # service pay: 12 × 30 × 6,700 / 30 = 80,400.00 (lesser); notice 50,000.00
    # total 170,600
    result = compute_entitlement(grade5(join_date=date(2013, 1, 1)), event=CLOSURE, policy=ACT_2006)
    paid = {line.rule: (line.days, line.amount) for line in result.lines}
    assert paid["gratuity"] == (540, taka(120_600))
    assert result.amount_minor == taka(170_600)


def test_service_pay_wins_when_it_is_greater() -> None:
    # a policy whose gratuity is smaller: 10 days a year against 30
    text = (POLICIES / "bangladesh-labour-act-2006.toml").read_text(encoding="utf-8")
    smaller = text.replace(
        "per_year_days = 30                   # s.2(10)", "per_year_days = 10  # s.2(10)"
    ).replace("from_years = 11, per_year_days = 45", "from_years = 11, per_year_days = 10")
    policy = parse_policy(smaller)
    # 5 completed years × 30 × 6,700 / 30 = 33,500 against 6 × 10 × 6,700 / 30 = 13,400
    result = compute_entitlement(grade5(), event=CLOSURE, policy=policy)
    paid = {line.rule: line.amount for line in result.lines}
    assert paid["service pay"] == taka(33_500)
    assert "gratuity" not in paid
    # notice 50,000 + service pay 33,500
    assert result.amount_minor == taka(83_500)


def test_a_casual_worker_gets_60_days_notice() -> None:
    # s.26(1)(b): 60 days × 12,500 / 30 = 25,000; plus gratuity 40,200 (as above) = 65,200
    result = compute_entitlement(grade5(worker_class="casual"), event=CLOSURE, policy=ACT_2006)
    paid = {line.rule: (line.days, line.amount) for line in result.lines}
    assert paid["notice pay"] == (60, taka(25_000))
    assert result.amount_minor == taka(65_200)


def test_co_payment_splits_the_whole_once_rounded() -> None:
    # 7 calendar days × 12,500 / 30 = 2,916.66… → the whole, rounded once: 2,917
    # the fund's half: 1,458.33… → 1,458; the factory owes the rest: 2,917 - 1,458 = 1,459
    # fund_advances: the fund pays the worker the whole 2,917 and recovers 1,459
    event = EventTerms("suspension", date(2024, 3, 2), date(2024, 3, 8))
    result = compute_entitlement(grade5(), event=event, policy=SHARE)
    assert result.exact_payable == Fraction(taka(12_500) * 7, 30) / 2
    assert result.factory_share_minor == taka(1_459)
    assert result.amount_minor == taka(2_917)
    without_advance = parse_policy(
        (POLICIES / "alliance-wage-share.toml")
        .read_text(encoding="utf-8")
        .replace("fund_advances = true", "fund_advances = false")
    )
    own = compute_entitlement(grade5(), event=event, policy=without_advance)
    assert (own.amount_minor, own.factory_share_minor) == (taka(1_458), taka(1_459))


def test_full_share_leaves_nothing_to_the_factory() -> None:
    results = compute_all([grade5()], event=LAYOFF_120, policy=ACT_2006)
    assert results[0].factory_share_minor == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("repeat = true\npay = { basic", "only the last tier can repeat"),
        ('tiers_per = "calendar_year"', "must be"),
        ('classes = ["permanent"', "unknown worker class"),
        ('amount_from = "arrears_due"', "not a roll amount field"),
        ("from_years = 11, per_year_days = 45", "from_years must rise"),
        ("effective_to = 2025-11-16", "is before"),
    ],
)
def test_the_new_keys_are_checked(change: str, message: str) -> None:
    text = (POLICIES / "bangladesh-labour-act-2006.toml").read_text(encoding="utf-8")
    broken = {
        "repeat = true\npay = { basic": None,
        'tiers_per = "calendar_year"': 'tiers_per = "month"',
        'classes = ["permanent"': 'classes = ["owner"',
        'amount_from = "arrears_due"': 'amount_from = "basic"',
        "from_years = 11, per_year_days = 45": (
            "from_years = 11, per_year_days = 45 }, { from_years = 5, per_year_days = 40"
        ),
        "effective_to = 2025-11-16": "effective_from = 2026-01-01\neffective_to = 2025-11-16",
    }[change]
    if broken is None:
        # a repeating tier that is not the last
        broken_text = text.replace(
            "days = 45                            # s.16(4)", "days = 45\nrepeat = true"
        )
    else:
        broken_text = text.replace(change, broken, 1)
    assert broken_text != text
    with pytest.raises(PolicyInvalid, match=message):
        parse_policy(broken_text)


def test_fund_advances_needs_a_share_below_one() -> None:
    text = (POLICIES / "alliance-wage-share.toml").read_text(encoding="utf-8")
    with pytest.raises(PolicyInvalid, match="fund_advances"):
        parse_policy(text.replace('fund_share = "0.50"', 'fund_share = "1"'))


def test_every_line_of_the_shipped_act_names_its_basis() -> None:
    for policy in (ACT_2006, ACT_2025):
        assert policy.suspension is not None
        assert policy.closure is not None
        assert all(tier.basis and tier.bn for tier in policy.suspension.tiers)
        rules = [*policy.closure.lines, *(r for a in policy.closure.greater_of for r in a.lines)]
        assert all(rule.basis and rule.bn for rule in rules)
    assert ACT_2006.payout.fund_share == Decimal("1.00")
