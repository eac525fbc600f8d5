"""Each breakdown line in both languages: every shipped policy line has Bengali words, a line
without them falls back to English visibly, and numbers are written as each language writes the
receipt's amount (Bengali digits and lakh grouping in Bengali)."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fund.disbursements.outputs import StoredLine
from fund.display import bengali_number
from fund.entitlements.policy import parse_policy
from fund.entitlements.policy_versions import SHIPPED_POLICIES
from fund.entitlements.words import BN_ENGLISH_ONLY, line_sentence_bn, line_words

SHIPPED = sorted(SHIPPED_POLICIES.glob("*.toml"))
BENGALI_LETTER = re.compile(r"[\u0985-\u09b9]")  # vowels and consonants, not digits or signs
LATIN_TO_BENGALI = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")


def test_the_shipped_policies_are_all_read() -> None:
    assert len(SHIPPED) >= 5  # the folder moved or emptied would make the next test vacuous


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.name)
def test_every_line_of_every_shipped_policy_says_in_bengali_what_it_pays(path: object) -> None:
    policy = parse_policy(path.read_text(encoding="utf-8"))  # type: ignore[attr-defined]
    lines: list[tuple[str, str]] = []
    if policy.suspension:
        lines += [(f"tier {n}", tier.bn) for n, tier in enumerate(policy.suspension.tiers, 1)]
    if policy.closure:
        lines += [(line.rule, line.bn) for line in policy.closure.lines]
        lines += [
            (f"{alternative.name}: {line.rule}", line.bn)
            for alternative in policy.closure.greater_of
            for line in alternative.lines
        ]
    assert lines
    missing = [name for name, bn in lines if not BENGALI_LETTER.search(bn)]
    assert missing == []  # a worker would read these lines in English only


def line(bn: str = "মোট মজুরি", **changes: object) -> StoredLine:
    facts: dict[str, object] = {
        "rule": "suspension tier 1", "component": "gross", "monthly_minor": 1_234_567_00,
        "share": Decimal("0.50"), "days": 45, "days_per_month": 30,
        "amount": Fraction(1_234_567_00 * 45, 2 * 30), "basis": "BLA 2006 s.16(2)", "bn": bn,
    }  # fmt: skip
    facts.update(changes)
    return StoredLine(**facts)  # type: ignore[arg-type]


def test_a_bengali_line_writes_its_numbers_as_the_receipt_writes_the_amount() -> None:
    english, bengali = line_words(line(), "BDT")
    assert english == (
        "Suspension tier 1: 45 days × gross of 1,234,567.00 a month × 0.50 ÷ 30 days "
        "= 925,925.25 BDT (basis: BLA 2006 s.16(2))."
    )
    assert bengali == (
        "মোট মজুরি: ৪৫ দিন × মোট মজুরি ১২,৩৪,৫৬৭.০০ × ০.৫০ ÷ ৩০ = ৯,২৫,৯২৫.২৫ টাকা "
        "(আইনি ভিত্তি: BLA 2006 s.16(2))।"
    )
    # The citation is the law's own; every other number is in Bengali digits.
    assert not re.search(r"[0-9]", bengali.replace("BLA 2006 s.16(2)", ""))


@given(
    st.integers(min_value=0, max_value=10**9),
    st.integers(min_value=1, max_value=10**7),
    st.integers(min_value=1, max_value=400),
)
def test_each_language_states_the_same_amount(monthly: int, denominator: int, days: int) -> None:
    amount = Fraction(monthly * days, denominator)
    stored = line(monthly_minor=monthly, days=days, amount=amount, basis="")
    english, bengali = line_words(stored, "BDT")
    english_amount = english.rsplit("= ", 1)[1].removesuffix(" BDT.")
    bengali_amount = bengali.rsplit("= ", 1)[1].removesuffix(" টাকা।")
    assert bengali_amount == bengali_number(english_amount)
    assert bengali_amount.replace(",", "") == english_amount.replace(",", "").translate(
        LATIN_TO_BENGALI
    )


def test_a_line_without_bengali_words_falls_back_to_english_visibly() -> None:
    worded = line(bn="")
    assert line_sentence_bn(worded, "BDT") is None
    english, bengali = line_words(worded, "BDT")
    assert bengali == ""
    for bengali_first in (True, False):
        (only,) = line_words(worded, "BDT").in_order(bengali_first)
        assert only == f"{BN_ENGLISH_ONLY} {english}"
    assert line_words(line(), "BDT").in_order(True)[0].startswith("মোট মজুরি:")
    assert line_words(line(), "BDT").in_order(False)[0].startswith("Suspension tier 1:")


@given(st.integers(min_value=-(10**15), max_value=10**15), st.sampled_from(["", ".5", ".25…"]))
def test_lakh_grouping_keeps_the_number(whole: int, fraction: str) -> None:
    written = bengali_number(f"{whole:,}{fraction}")
    latin = written.translate(str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789"))
    assert latin.replace(",", "") == f"{whole}{fraction}"
    groups = latin.lstrip("-").partition(".")[0].split(",")
    assert len(groups[-1]) == 3 or len(groups) == 1
    assert all(len(group) == 2 for group in groups[1:-1])
    assert 1 <= len(groups[0]) <= (3 if len(groups) == 1 else 2)
