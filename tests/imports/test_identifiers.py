"""Identifiers have one meaning: every script's digits fold to ASCII, or the value is refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from imports.identifiers import (
    IdentifierRefused,
    fold_digits,
    parse_bank_account,
    parse_national_id,
    parse_routing_number,
    parse_wallet,
)

# Zero of each script's digit block: digit d is chr(zero + d).
ZEROS = {
    "bengali": 0x09E6,
    "arabic_indic": 0x0660,
    "extended_arabic_indic": 0x06F0,
    "devanagari": 0x0966,
    "fullwidth": 0xFF10,
    "mathematical_bold": 0x1D7CE,
}
SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"


def in_script(digits: str, script: str) -> str:
    if script == "superscript":
        return "".join(SUPERSCRIPTS[int(d)] for d in digits)
    return "".join(chr(ZEROS[script] + int(d)) for d in digits)


SCRIPTS = [*ZEROS, "superscript"]


@pytest.mark.parametrize("script", SCRIPTS)
def test_every_script_folds_to_the_same_national_id(script: str) -> None:
    assert parse_national_id(in_script("1977000000101", script)) == "1977000000101"


def test_the_superscript_from_the_issue_is_the_same_person() -> None:
    assert parse_national_id("197700000010¹") == parse_national_id("1977000000101")


def test_mixed_scripts_and_separators() -> None:
    assert parse_national_id("১৯৭৭ 00-০০ ٠٠ １０１") == "1977000000101"
    assert parse_national_id("19770\u00a000000101") == "1977000000101"  # non-breaking space
    assert parse_national_id("1977\u201100000\u20130101") == "1977000000101"  # dashes


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("197700000010½", "not a single digit"),
        ("1977000000.101", "only digits"),
        ("1977/000000101", "only digits"),
        ("A977000000101", "only digits"),
        ("12345", "has 5 digits"),
        ("", "no digits"),
        ("- -", "no digits"),
        ("19770000001011", "has 14 digits"),
    ],
)
def test_national_ids_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(IdentifierRefused, match=reason) as refused:
        parse_national_id(text)
    assert isinstance(refused.value, ValueError)
    assert refused.value.kind == "national ID"


@pytest.mark.parametrize(
    "text",
    [
        "01711000001",
        "+8801711000001",
        "+880 1711-000001",
        "8801711000001",
        "008801711000001",
        "০১৭১১০০০০০১",
        "+৮৮০১৭১১০০০০০১",
        "０１７１１０００００１",
        "٠١٧١١٠٠٠٠٠١",
        "0171 100 0001",
    ],
)
def test_wallet_forms_fold_to_eleven_digits(text: str) -> None:
    assert parse_wallet(text) == "01711000001"


@pytest.mark.parametrize(
    "text",
    ["01211000001", "0171100000", "017110000012", "+9101711000001", "1711000001", "017-ABC-0001"],
)
def test_wallets_that_are_not_bangladeshi_mobiles_are_refused(text: str) -> None:
    with pytest.raises(IdentifierRefused):
        parse_wallet(text)


def test_bank_accounts_and_routing_numbers() -> None:
    assert parse_bank_account("0123-4567 8901") == "012345678901"
    assert parse_bank_account("০১২৩৪৫৬৭৮৯") == "0123456789"
    assert parse_routing_number("০৯০ ২৬১ ৭২৫") == "090261725"
    with pytest.raises(IdentifierRefused, match="has 8 digits"):
        parse_routing_number("09026172")
    with pytest.raises(IdentifierRefused, match="only digits"):
        parse_bank_account("SB-0123456")
    with pytest.raises(IdentifierRefused, match="has 3 digits"):
        parse_bank_account("012")


def test_fold_digits_leaves_ascii_alone_and_refuses_fractions() -> None:
    assert fold_digits("W-১২") == "W-12"
    assert fold_digits("abc 12") == "abc 12"
    with pytest.raises(IdentifierRefused):
        fold_digits("Ⅻ")  # NFKC would make it "XII"
    assert fold_digits("①②") == "12"


# --- properties ---------------------------------------------------------------------------

nid_digits = st.sampled_from([10, 13, 17]).flatmap(
    lambda n: st.text(alphabet="0123456789", min_size=n, max_size=n)
)


@given(nid_digits, st.lists(st.sampled_from(SCRIPTS), min_size=17, max_size=17))
def test_any_mix_of_scripts_parses_to_the_ascii_id(digits: str, scripts: list[str]) -> None:
    typed = "".join(in_script(d, s) for d, s in zip(digits, scripts, strict=False))
    assert parse_national_id(typed) == digits


@given(nid_digits, st.lists(st.sampled_from([" ", "-", "\u00a0", "\u2013"]), max_size=5), st.data())
def test_separators_never_change_the_id(digits: str, seps: list[str], data: st.DataObject) -> None:
    typed = digits
    for sep in seps:
        at = data.draw(st.integers(min_value=1, max_value=len(typed) - 1))
        typed = typed[:at] + sep + typed[at:]
    assert parse_national_id(typed) == digits


@given(st.text(max_size=25))
def test_parsed_values_are_ascii_digits_or_refused(text: str) -> None:
    for parse in (parse_national_id, parse_wallet, parse_bank_account, parse_routing_number):
        try:
            value = parse(text)
        except IdentifierRefused:
            continue
        assert value.isascii()
        assert value.isdigit()
        assert parse(value) == value  # folding is idempotent


@given(nid_digits, nid_digits)
def test_different_ids_never_fold_together(first: str, second: str) -> None:
    if first != second:
        assert parse_national_id(in_script(first, "bengali")) != parse_national_id(second)
