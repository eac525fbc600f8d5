"""Parsing policy documents: the shipped ones, and every way a document can be wrong."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from fund.entitlements.policy import PolicyInvalid, load_policy, parse_policy

from .helpers import POLICIES, alliance, labour_act

MINIMAL = """
name = "minimal"
currency = "BDT"
days_per_month = 30

[suspension]
[[suspension.tiers]]
days = 10
pay = { gross = "1.00" }
"""


def test_shipped_alliance_policy() -> None:
    policy = alliance()
    assert policy.name == "alliance-wage-replacement"
    assert policy.currency == "BDT"
    assert policy.days_per_month == 30
    assert policy.suspension is not None
    assert policy.suspension.count == "calendar"
    assert [(t.days, t.pay.shares) for t in policy.suspension.tiers] == [
        (120, (("gross", Decimal("1.00")),))
    ]
    assert policy.closure is not None
    notice, service = policy.closure.lines
    assert (notice.rule, notice.kind, notice.days) == ("notice pay", "days", 120)
    assert service.pay is not None
    assert service.pay.shares == (("basic", Decimal("1.00")),)
    assert policy.closure.part_year_counts_after_months == 6
    assert policy.payout.fund_share == Decimal("1.00")
    assert policy.payout.round_to == Decimal("1")
    assert policy.payout.rounding == "half_up"
    assert len(policy.sha256) == 64


def test_shipped_labour_act_policy() -> None:
    policy = labour_act()
    assert policy.suspension is not None
    assert policy.suspension.count == "working"
    assert policy.suspension.weekly_holidays == frozenset({4})  # Friday
    assert policy.suspension.min_service_days == 365
    assert [(t.days, t.pay.shares) for t in policy.suspension.tiers] == [
        (45, (("basic", Decimal("0.50")), ("house_rent", Decimal("1.00")))),
        (15, (("basic", Decimal("0.25")), ("house_rent", Decimal("1.00")))),
    ]
    assert policy.suspension.tiers[0].pay.describe() == "basic × 0.50 + house_rent × 1.00"


def test_minimal_policy_takes_the_defaults() -> None:
    policy = parse_policy(MINIMAL)
    assert policy.suspension is not None
    assert policy.suspension.count == "calendar"
    assert policy.suspension.weekly_holidays == frozenset()
    assert policy.suspension.min_service_days == 0
    assert policy.closure is None
    assert (policy.payout.fund_share, policy.payout.round_to, policy.payout.rounding) == (
        Decimal("1.00"),
        Decimal("1"),
        "half_up",
    )


def test_weekday_names_are_case_insensitive() -> None:
    text = MINIMAL.replace(
        "[suspension]", '[suspension]\ncount = "working"\nweekly_holidays = ["Friday", "saturday"]'
    )
    policy = parse_policy(text)
    assert policy.suspension is not None
    assert policy.suspension.weekly_holidays == frozenset({4, 5})


@pytest.mark.parametrize(
    ("change", "key", "words"),
    [
        (('gross = "1.00"', "gross = 1.0"), "suspension.tiers[1].pay.gross", "as a string"),
        (('gross = "1.00"', "gross = 1"), "suspension.tiers[1].pay.gross", "decimal string"),
        (('gross = "1.00"', 'gross = "one"'), "suspension.tiers[1].pay.gross", "not a decimal"),
        (('gross = "1.00"', 'gross = "-0.5"'), "suspension.tiers[1].pay.gross", "negative"),
        (('gross = "1.00"', 'overtime = "1.00"'), "suspension.tiers[1].pay.overtime", "unknown"),
        (
            ('gross = "1.00"', 'gross = "1.00", basic = "0.5"'),
            "suspension.tiers[1].pay",
            "combined",
        ),
        (("days = 10", "days = 0"), "suspension.tiers[1].days", "≥ 1"),
        (("days = 10", 'days = "10"'), "suspension.tiers[1].days", "whole number"),
        (("days = 10", "days = 10.5"), "suspension.tiers[1].days", "whole number"),
        (("days = 10\n", ""), "suspension.tiers[1].days", "required"),
        (('currency = "BDT"', 'currency = "XYZ"'), "currency", "unknown currency"),
        (('currency = "BDT"\n', ""), "currency", "required"),
        (('name = "minimal"', 'name = " "'), "name", "empty"),
        (("days_per_month = 30", "days_per_month = 0"), "days_per_month", "from 1 to 31"),
        (("days_per_month = 30", "days_per_month = true"), "days_per_month", "whole number"),
        (("[suspension]", '[suspension]\ncount = "weekly"'), "suspension.count", "calendar"),
        (
            ("[suspension]", '[suspension]\nweekly_holidays = ["fri"]'),
            "suspension.weekly_holidays[0]",
            "weekday",
        ),
        (
            ("[suspension]", "[suspension]\nmin_service_days = -1"),
            "suspension.min_service_days",
            "≥ 0",
        ),
        (
            ("[suspension]", "[suspension]\nmin_servce_days = 3"),
            "suspension.min_servce_days",
            "typo",
        ),
        (('name = "minimal"', 'name = "minimal"\nextra = 1'), "extra", "unknown key"),
    ],
)
def test_bad_documents_name_the_key(change: tuple[str, str], key: str, words: str) -> None:
    old, new = change
    assert old in MINIMAL
    with pytest.raises(PolicyInvalid) as caught:
        parse_policy(MINIMAL.replace(old, new, 1))
    assert caught.value.key == key
    assert key in str(caught.value)
    assert words in str(caught.value)


@pytest.mark.parametrize(
    ("payout", "key", "words"),
    [
        ("fund_share = 0.5", "payout.fund_share", "as a string"),
        ('fund_share = "0"', "payout.fund_share", "above 0"),
        ('fund_share = "1.5"', "payout.fund_share", "at most 1"),
        ('round_to = "0.001"', "payout.round_to", "finer"),
        ('round_to = "0"', "payout.round_to", "positive"),
        ('rounding = "up"', "payout.rounding", "unknown rounding"),
    ],
)
def test_bad_payout(payout: str, key: str, words: str) -> None:
    with pytest.raises(PolicyInvalid) as caught:
        parse_policy(MINIMAL + "\n[payout]\n" + payout + "\n")
    assert caught.value.key == key
    assert words in str(caught.value)


def test_closure_needs_every_rule() -> None:
    text = MINIMAL + '\n[closure]\nnotice_days = 30\nnotice_pay = { gross = "1.00" }\n'
    with pytest.raises(PolicyInvalid, match=r"closure\.per_year_days: is required"):
        parse_policy(text)
    text += (
        'per_year_days = 30\nper_year_pay = { basic = "1"}\npart_year_counts_after_months = 12\n'
    )
    with pytest.raises(PolicyInvalid, match=r"closure\.part_year_counts_after_months: must be"):
        parse_policy(text)


def test_structural_errors() -> None:
    with pytest.raises(PolicyInvalid, match="not valid TOML"):
        parse_policy("name = ")
    with pytest.raises(PolicyInvalid, match=r"\[suspension\] or a \[closure\]"):
        parse_policy('name = "x"\ncurrency = "BDT"\ndays_per_month = 30\n')
    with pytest.raises(PolicyInvalid, match=r"suspension\.tiers: at least one"):
        parse_policy(MINIMAL.split("[[suspension.tiers]]")[0] + "tiers = []\n")
    days = '["monday","tuesday","wednesday","thursday","friday","saturday","sunday"]'
    every_day = MINIMAL.replace(
        "[suspension]", f'[suspension]\ncount = "working"\nweekly_holidays = {days}'
    )
    with pytest.raises(PolicyInvalid, match="every day"):
        parse_policy(every_day)


def test_load_policy_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(MINIMAL.replace('"1.00"', "1.0"), encoding="utf-8")
    with pytest.raises(PolicyInvalid, match=r"bad\.toml: suspension\.tiers\[1\]\.pay\.gross"):
        load_policy(path)
    with pytest.raises(PolicyInvalid, match="cannot read"):
        load_policy(tmp_path / "missing.toml")
    assert load_policy(POLICIES / "alliance-wage-replacement.toml").name == (
        "alliance-wage-replacement"
    )
