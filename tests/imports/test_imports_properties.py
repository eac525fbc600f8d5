"""Properties: any valid roll survives export and re-reading; one bad cell is found exactly."""

from __future__ import annotations

import dataclasses
import string
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from roll_builders import AS_OF

from imports import RollRow, RollUnreadable, read_roll, write_roll_csv, write_roll_xlsx

names = st.text(
    alphabet=st.sampled_from(list(string.ascii_letters) + list("রহিমাখতুনসলবেগআক্তর")),
    min_size=1,
    max_size=12,
).map(lambda s: s.strip() or "A")
amounts = st.integers(min_value=0, max_value=5_000_000)  # poisha, up to 50,000 taka
dates = st.dates(min_value=date(1950, 1, 1), max_value=AS_OF)


@st.composite
def rolls(draw: st.DrawFn) -> list[RollRow]:
    count = draw(st.integers(min_value=1, max_value=12))
    ids = draw(st.lists(st.integers(1, 99_999), min_size=count, max_size=count, unique=True))
    result = []
    for index, ident in enumerate(ids):
        join = draw(dates)
        method = draw(st.sampled_from([None, "bank", "mobile", "cash"]))
        components = [draw(amounts) for _ in range(5)]
        gross = draw(st.sampled_from([None, sum(components)]))
        result.append(
            RollRow(
                row=index + 2,
                worker_id=f"W{ident}",
                name=draw(names),
                national_id=str(1_000_000_000 + ident),
                join_date=join,
                basic=components[0],
                house_rent=components[1],
                medical=components[2],
                transport=components[3],
                food=components[4],
                gross=gross,
                section=draw(st.sampled_from([None, "Sewing A", "কাটিং"])),
                grade=draw(st.sampled_from([None, "3", "7"])),
                exit_date=draw(st.sampled_from([None, join])),
                payment_method=method,
                wallet_number=f"017{ident:08d}" if method == "mobile" else None,
                bank_account=f"0012{ident:06d}" if method == "bank" else None,
            )
        )
    return result


def without_row(rows: tuple[RollRow, ...] | list[RollRow]) -> list[RollRow]:
    return [dataclasses.replace(r, row=0) for r in rows]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rolls())
def test_round_trip_through_xlsx_and_csv(roll: list[RollRow]) -> None:
    for data, name in ((write_roll_xlsx(roll), "r.xlsx"), (write_roll_csv(roll), "r.csv")):
        reading = read_roll(data, filename=name, as_of=AS_OF)
        assert reading.problems == ()
        assert list(reading.rows) == roll  # rows numbered from 2, right under the header
        again = read_roll(write_roll_xlsx(reading.rows), filename="again.xlsx", as_of=AS_OF)
        assert without_row(again.rows) == without_row(roll)


CORRUPTIONS = [
    ("National ID", "12ab", "bad_national_id"),
    ("Join Date", "32/01/2020", "bad_date"),
    ("Basic", "-5", "negative_amount"),
    ("Basic", "1.234", "too_many_decimals"),
    ("Name", "", "missing_value"),
    ("Payment Method", "cheque", "bad_payment_method"),
]


@settings(max_examples=30, deadline=None)
@given(rolls(), st.data())
def test_one_corrupted_cell_is_reported_at_its_row_and_column(
    roll: list[RollRow], data: st.DataObject
) -> None:
    text = write_roll_csv(roll).decode("utf-8-sig")
    lines = text.split("\r\n")
    header = lines[0].split(",")
    victim = data.draw(st.integers(min_value=1, max_value=len(roll)))
    column, value, code = data.draw(st.sampled_from(CORRUPTIONS))
    import csv
    import io

    cells = next(csv.reader(io.StringIO(lines[victim])))
    cells[header.index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(cells)
    lines[victim] = out.getvalue()
    reading = read_roll("\r\n".join(lines).encode(), filename="r.csv", as_of=AS_OF)
    errors = [(p.row, p.column, p.code) for p in reading.problems if p.severity == "error"]
    assert errors == [(victim + 1, column, code)]
    assert reading.rejected == 1
    assert reading.accepted == len(roll) - 1


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_never_crash(junk: bytes) -> None:
    try:
        reading = read_roll(junk, filename="junk", as_of=AS_OF)
    except RollUnreadable:
        return
    assert reading.rows_read >= reading.rejected


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.text(max_size=8), max_size=6), max_size=6))
def test_random_csv_cells_under_a_real_header_never_crash(cells: list[list[str]]) -> None:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Employee ID", "Name", "NID", "DOJ", "Basic"])
    writer.writerows(cells)
    try:
        reading = read_roll(out.getvalue().encode(), filename="r.csv", as_of=AS_OF)
    except RollUnreadable:
        return
    assert reading.accepted + reading.rejected == reading.rows_read
