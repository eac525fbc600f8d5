"""Optional roll fields for closure settlements and payment files, read from their headers."""

from __future__ import annotations

from datetime import date

import pytest
from roll_builders import AS_OF, HEADER, worker, xlsx

from imports import read_roll, write_roll_csv, write_roll_xlsx
from imports.records import WORKER_CLASSES

EXTRA = ["Routing No", "Worker Class", "Arrears", "EL Days", "Festival Bonus", "OT Amount"]


def row(n: int, extra: list[object]) -> list[object]:
    return [*worker(n), *extra]


def test_optional_fields_are_read_into_the_record() -> None:
    data = xlsx(
        [
            [*HEADER, *EXTRA],
            row(1, ["090261725", "Permanent", "1,250.50", 14, "৳ 8000", "312"]),
            row(2, ["০৯০২৬১৭২৫", "বদলী", None, "১২", None, 0]),
            row(3, [None, None, None, None, None, None]),
        ]
    )
    reading = read_roll(data, filename="r.xlsx", as_of=AS_OF)
    assert reading.problems == ()
    first, second, third = reading.rows
    assert (first.routing_number, first.worker_class, first.arrears_due) == (
        "090261725",
        "permanent",
        125050,
    )
    assert (first.earned_leave_days, first.festival_bonus_due, first.overtime_due) == (
        14,
        800000,
        31200,
    )
    assert (second.routing_number, second.worker_class, second.earned_leave_days) == (
        "090261725",
        "badli",
        12,
    )
    assert (second.arrears_due, second.overtime_due) == (None, 0)
    assert third.worker_class is None
    assert third.arrears_due is None
    assert third.earned_leave_days is None


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        (["09026172", None, None, None, None, None], "bad_routing_number"),
        ([None, "contractor", None, None, None, None], "bad_worker_class"),
        ([None, None, "-5", None, None, None], "negative_amount"),
        ([None, None, None, "2.5", None, None], "bad_days"),
        ([None, None, None, -3, None, None], "bad_days"),
        ([None, None, None, None, "12.345", None], "too_many_decimals"),
    ],
)
def test_bad_optional_values_are_errors_naming_the_column(extra: list[object], code: str) -> None:
    reading = read_roll(xlsx([[*HEADER, *EXTRA], row(1, extra)]), filename="r.xlsx", as_of=AS_OF)
    assert [(p.row, p.code) for p in reading.problems] == [(2, code)]
    assert reading.problems[0].column in EXTRA


@pytest.mark.parametrize("worker_class", WORKER_CLASSES)
def test_optional_fields_round_trip_through_exports(worker_class: str) -> None:
    data = xlsx([[*HEADER, *EXTRA], row(1, ["090261725", worker_class, "10.50", 3, "100", "7"])])
    rows = read_roll(data, filename="r.xlsx", as_of=AS_OF).rows
    for out, name in ((write_roll_xlsx(rows), "a.xlsx"), (write_roll_csv(rows), "a.csv")):
        again = read_roll(out, filename=name, as_of=AS_OF)
        assert again.problems == ()
        assert again.rows == rows
    assert rows[0].join_date == date(2019, 3, 1)


#: Every way a roll writes a language, with what it folds to.
LANGUAGE_CELLS = {
    "bn": "bn", "BN": "bn", "Bangla": "bn", " bengali ": "bn", "BENGALI": "bn", "বাংলা": "bn",
    "en": "en", "English": "en", "  ENGLISH": "en", "ইংরেজি": "en", None: None,
}  # fmt: skip


@pytest.mark.parametrize("header", ["Language", "Preferred language", "ভাষা", "পছন্দের ভাষা"])
def test_the_language_column_is_read_in_either_language(header: str) -> None:
    cells = list(LANGUAGE_CELLS)
    data = xlsx([[*HEADER, header], *(row(n, [cell]) for n, cell in enumerate(cells, start=1))])
    reading = read_roll(data, filename="r.xlsx", as_of=AS_OF)
    assert reading.problems == ()
    assert reading.columns["language"] == header
    assert [r.language for r in reading.rows] == list(LANGUAGE_CELLS.values())


@pytest.mark.parametrize("cell", ["Hindi", "b n", "eng", "1", "বাংলা ভাষা"])
def test_a_language_not_bengali_or_english_is_an_error_naming_row_column_and_value(
    cell: str,
) -> None:
    data = xlsx([[*HEADER, "Preferred Language"], row(1, ["English"]), row(2, [cell])])
    reading = read_roll(data, filename="r.xlsx", as_of=AS_OF)
    assert [(p.row, p.column, p.code) for p in reading.problems] == [
        (3, "Preferred Language", "bad_language")
    ]
    assert repr(cell) in reading.problems[0].message
    assert [r.worker_id for r in reading.rows] == ["W0001"]  # the row is rejected


def test_the_language_round_trips_through_exports() -> None:
    data = xlsx([[*HEADER, "ভাষা"], row(1, ["ইংরেজি"]), row(2, ["Bangla"]), row(3, [None])])
    first = read_roll(data, filename="r.xlsx", as_of=AS_OF).rows
    for written, name in ((write_roll_xlsx(first), "r.xlsx"), (write_roll_csv(first), "r.csv")):
        again = read_roll(written, filename=name, as_of=AS_OF)
        assert [r.language for r in again.rows] == ["en", "bn", None]
