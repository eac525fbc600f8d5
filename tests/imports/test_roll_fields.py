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
