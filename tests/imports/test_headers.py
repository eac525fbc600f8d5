"""Headers as people write them: every column is read or reported, and renaming or reordering
columns never changes what is read (issue 15)."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from roll_builders import AS_OF, csv_bytes, xlsx

from imports import FIELD_LABELS, read_roll
from imports.headers import HeaderMeaning, meaning_of
from imports.vocabulary import SERIAL_HEADERS, synonyms_markdown

#: Header text as found on wage sheets → the field it means.
CORPUS: dict[str, str] = {
    "Date of Exit": "exit_date",
    "DOE": "exit_date",
    "Exit Dt.": "exit_date",
    "Date of Leaving": "exit_date",
    "Leaving Date": "exit_date",
    "Date of Separation": "exit_date",
    "Resign Date": "exit_date",
    "চাকরি ছাড়ার তারিখ": "exit_date",
    "অব্যাহতির তারিখ": "exit_date",
    "Date of Joining": "join_date",
    "DOJ": "join_date",
    "D.O.J": "join_date",
    "Joining Dt": "join_date",
    "Joining Date": "join_date",
    "JOINING   DATE": "join_date",
    "যোগদানের তারিখ": "join_date",
    "Bank A/C No": "bank_account",
    "A/C No.": "bank_account",
    "Acc. No": "bank_account",
    "Account #": "bank_account",
    "Account Number": "bank_account",
    "No. of Bank Account": "bank_account",
    "ব্যাংক হিসাব নং": "bank_account",
    "bKash/Nagad No": "wallet_number",
    "Mobile Banking No": "wallet_number",
    "bKash Number": "wallet_number",
    "Nagad": "wallet_number",
    "বিকাশ নম্বর": "wallet_number",
    "Card No": "worker_id",
    "ID No": "worker_id",
    "Emp. ID": "worker_id",
    "Employee No.": "worker_id",
    "ID Number": "worker_id",
    "কার্ড নং": "worker_id",
    "Name of the Employee": "name",
    "Employee Name": "name",
    "শ্রমিকের নাম": "name",
    "NID": "national_id",
    "NID No.": "national_id",
    "National ID Card No": "national_id",
    "No. National ID": "national_id",
    "জাতীয় পরিচয়পত্র নং": "national_id",
    "Basic Salary (Tk.)": "basic",
    "Salary Basic": "basic",
    "মূল বেতন": "basic",
    "House Rent (Tk)": "house_rent",
    "H.R.A": "house_rent",
    "Gross Salary": "gross",
    "মোট বেতন": "gross",
    "Payment Mode": "payment_method",
    "Routing No.": "routing_number",
    "Worker Category": "worker_class",
    "শ্রমিকের শ্রেণী": "worker_class",
    "Arrears Amount": "arrears_due",
    "EL Days": "earned_leave_days",
    "অর্জিত ছুটি": "earned_leave_days",
    "Festival Bonus (Tk.)": "festival_bonus_due",
    "উৎসব ভাতা": "festival_bonus_due",
    "OT Amount": "overtime_due",
    "Conveyance": "transport",
}


def test_the_corpus_is_big_enough() -> None:
    assert len(CORPUS) >= 40


@pytest.mark.parametrize(("header", "field"), CORPUS.items())
def test_each_header_variant_means_its_field(header: str, field: str) -> None:
    assert meaning_of(header, {}).field == field


@pytest.mark.parametrize("header", [*SERIAL_HEADERS, "Sl.", "SL NO", "S/N", "ক্রমিক নং"])
def test_serial_columns_are_recognised(header: str) -> None:
    assert meaning_of(header, {}).serial


@pytest.mark.parametrize(
    ("header", "fields"),
    [
        ("Joining/Exit Date", ("join_date", "exit_date")),
        ("Basic & Gross", ("basic", "gross")),
        ("Worker ID / NID", ("worker_id", "national_id")),
    ],
)
def test_a_header_that_could_mean_two_fields_is_ambiguous(
    header: str, fields: tuple[str, ...]
) -> None:
    assert meaning_of(header, {}).ambiguous == fields


def test_a_near_miss_is_reported_never_guessed() -> None:
    # "OT Hours" contains the overtime synonym "OT" but is hours, not money: not read.
    meaning = meaning_of("OT Hours", {})
    assert (meaning.field, meaning.closest) == (None, "overtime_due")


# --- a roll, its header variants, and what is read --------------------------------------------

BASE = {
    "worker_id": "Worker ID",
    "name": "Name",
    "national_id": "National ID",
    "section": "Section",
    "join_date": "Join Date",
    "exit_date": "Exit Date",
    "basic": "Basic",
    "house_rent": "House Rent",
    "gross": "Gross",
    "payment_method": "Payment Method",
    "wallet_number": "Wallet Number",
    "bank_account": "Bank Account",
    "routing_number": "Routing Number",
    "worker_class": "Worker Class",
    "arrears_due": "Arrears",
    "earned_leave_days": "EL Days",
    "festival_bonus_due": "Festival Bonus",
    "overtime_due": "Overtime",
}
VARIANTS: dict[str, list[str]] = {field: [label] for field, label in BASE.items()}
for _header, _field in CORPUS.items():
    if _field in VARIANTS:
        VARIANTS[_field].append(_header)

ROWS = [
    {
        "worker_id": "W1",
        "name": "রহিমা খাতুন",
        "national_id": "1990000000001",
        "section": "Sewing",
        "join_date": "01/03/2019",
        "exit_date": "",
        "basic": "8000",
        "house_rent": "4000",
        "gross": "12000",
        "payment_method": "bank",
        "wallet_number": "",
        "bank_account": "0123456789",
        "routing_number": "090261725",
        "worker_class": "permanent",
        "arrears_due": "100",
        "earned_leave_days": "12",
        "festival_bonus_due": "8000",
        "overtime_due": "312.50",
    },
    {
        "worker_id": "W2",
        "name": "Karim Mia",
        "national_id": "1990000000002",
        "section": "Cutting",
        "join_date": "15/06/2020",
        "exit_date": "31/01/2025",
        "basic": "9000",
        "house_rent": "4500",
        "gross": "13500",
        "payment_method": "bkash",
        "wallet_number": "01711000002",
        "bank_account": "",
        "routing_number": "",
        "worker_class": "badli",
        "arrears_due": "",
        "earned_leave_days": "3",
        "festival_bonus_due": "",
        "overtime_due": "0",
    },
]


def roll_file(headers: dict[str, str], order: list[str], rows: list[dict[str, str]]) -> bytes:
    return csv_bytes(
        [["Rupali Knit — payroll"], [headers[f] for f in order]]
        + [[row[f] for f in order] for row in rows]
    )


def without_rows(reading_rows: tuple[object, ...]) -> list[object]:
    return [dataclasses.replace(r, row=0) for r in reading_rows]  # type: ignore[type-var]


EXPECTED = read_roll(roll_file(BASE, list(BASE), ROWS), filename="r.csv", as_of=AS_OF)


def test_the_base_roll_reads_cleanly() -> None:
    assert EXPECTED.problems == ()
    assert len(EXPECTED.rows) == 2
    assert set(EXPECTED.columns) == set(BASE)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_renaming_or_shuffling_columns_reads_the_same_roll(data: st.DataObject) -> None:
    headers = {f: data.draw(st.sampled_from(VARIANTS[f]), label=f) for f in BASE}
    order = data.draw(st.permutations(list(BASE)))
    reading = read_roll(roll_file(headers, order, ROWS), filename="r.csv", as_of=AS_OF)
    assert reading.problems == ()
    assert reading.rows == EXPECTED.rows


CHANGES = {
    "worker_id": "W9",
    "name": "Salma Akter",
    "national_id": "1990000000009",
    "section": "Finishing",
    "join_date": "02/03/2019",
    "exit_date": "28/02/2025",
    "basic": "8001",
    "house_rent": "4001",
    "gross": "12001",
    "payment_method": "cash",
    "wallet_number": "01811000001",
    "bank_account": "9876543210",
    "routing_number": "175261725",
    "worker_class": "casual",
    "arrears_due": "101",
    "earned_leave_days": "13",
    "festival_bonus_due": "8001",
    "overtime_due": "312.51",
}


@pytest.mark.parametrize("field", list(BASE))
def test_changing_any_mapped_value_changes_the_parsed_record(field: str) -> None:
    changed = [{**ROWS[0], field: CHANGES[field]}, ROWS[1]]
    reading = read_roll(roll_file(BASE, list(BASE), changed), filename="r.csv", as_of=AS_OF)
    assert reading.rows[0] != EXPECTED.rows[0], f"{field} was read and then dropped"
    assert reading.rows[1] == EXPECTED.rows[1]


def means_nothing(meaning: HeaderMeaning) -> bool:
    """A header that names no field, no serial column, and contains no field's synonym."""
    return (
        meaning.field is None
        and not meaning.serial
        and not meaning.ambiguous
        and meaning.inside is None
    )


@settings(max_examples=40, deadline=None)
@given(
    st.text(
        alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd", "Zs")),
        min_size=1,
        max_size=20,
    ).filter(lambda t: t.strip() and means_nothing(meaning_of(t, {}))),
    st.integers(min_value=0, max_value=len(BASE)),
)
def test_an_unknown_column_is_always_reported(header: str, at: int) -> None:
    order = list(BASE)
    headers = {**BASE, "extra": header}
    order.insert(at, "extra")
    rows = [{**row, "extra": "something"} for row in ROWS]
    reading = read_roll(roll_file(headers, order, rows), filename="r.csv", as_of=AS_OF)
    unused = [p for p in reading.problems if p.code == "unused_column"]
    assert [(p.row, p.column, p.severity) for p in unused] == [
        (2, " ".join(header.split()), "warning")
    ]
    assert reading.rows == EXPECTED.rows


def test_the_issues_roll_reports_what_it_does_not_read() -> None:
    rows = [
        ["Sl.", "Card No", "Name", "NID", "DOJ", "Basic Salary", "OT Hrs", ""],
        ["1", "W1", "A", "1990000000001", "01/03/2019", "8000", "12", "x"],
        ["2", "W2", "B", "1990000000002", "01/03/2019", "8000", "3", ""],
    ]
    reading = read_roll(xlsx(rows), filename="r.xlsx", as_of=AS_OF)
    found = [(p.row, p.column, p.severity, p.code) for p in reading.problems]
    assert found == [
        (1, "Sl.", "warning", "serial_column"),
        (1, "OT Hrs", "warning", "unused_column"),
        (1, "column H", "warning", "unused_column"),
        (1, None, "warning", "no_exit_date_column"),
    ]
    assert "closest field: Overtime Due" in reading.problems[1].message
    assert len(reading.rows) == 2


def test_an_ambiguous_header_is_an_error_naming_both_fields() -> None:
    rows = [
        ["Card No", "Name", "NID", "DOJ", "Basic", "Joining/Exit Date"],
        ["W1", "A", "1990000000001", "01/03/2019", "8000", "01/03/2019"],
    ]
    reading = read_roll(xlsx(rows), filename="r.xlsx", as_of=AS_OF)
    (ambiguous,) = [p for p in reading.problems if p.code == "ambiguous_header"]
    assert ambiguous.severity == "error"
    assert "Join Date or Exit Date" in ambiguous.message
    assert reading.has_errors


def test_the_readme_prints_every_synonym() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    assert synonyms_markdown() in readme
    for field, label in FIELD_LABELS.items():
        assert f"`{field}` ({label})" in synonyms_markdown()


def test_exit_date_read_from_date_of_exit() -> None:
    # Issue 15: "Date of Exit" was dropped silently and leavers were paid in full.
    rows = [
        ["Card No", "Name", "NID", "DOJ", "Basic", "Date of Exit"],
        ["W1", "A", "1990000000001", "01/03/2019", "8000", "15/01/2025"],
    ]
    (row,) = read_roll(xlsx(rows), filename="r.xlsx", as_of=AS_OF).rows
    assert row.exit_date == date(2025, 1, 15)
