"""Reading messy rolls: each kind of real-world mess, with exact rows and problems expected."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
import pytest
import xlsxwriter
from roll_builders import AS_OF, HEADER, csv_bytes, worker, xlsx

from imports import Problem, RollRow, RollUnreadable, error_report_xlsx, read_roll


def read(data: bytes, name: str = "roll.xlsx", **kw: object):  # type: ignore[no-untyped-def]
    return read_roll(data, filename=name, as_of=AS_OF, **kw)  # type: ignore[arg-type]


def codes(reading) -> list[tuple[int | None, str | None, str, str]]:  # type: ignore[no-untyped-def]
    return [(p.row, p.column, p.severity, p.code) for p in reading.problems]


def test_title_rows_bengali_digits_serial_dates_and_totals_row() -> None:
    rows = [
        ["Rupali Knit Ltd"],
        ["Payroll for March 2025"],
        [],
        HEADER,
        worker(1, **{"Worker Name": "রহিমা খাতুন", "Basic Salary": "১২,৫০০", "Gross Salary": None}),
        worker(2, **{"DOJ": 43466, "House Rent": 4000.5, "Gross Salary": 14450.5}),
        worker(
            3,
            **{
                "DOJ": datetime(2018, 7, 15, 0, 0),  # noqa: DTZ001  (Excel datetimes are naive)
                "Basic Salary": "8,000.25",
                "Gross Salary": "14,450.25",
            },
        ),
        [],
        ["Total", None, None, None, None, 28500.75, 12000.5],
    ]
    reading = read(xlsx(rows))
    assert reading.problems == ()
    assert (reading.rows_read, reading.accepted, reading.rejected) == (3, 3, 0)
    assert reading.header_row == 4
    first, second, third = reading.rows
    assert first == RollRow(
        row=5,
        worker_id="W0001",
        name="রহিমা খাতুন",
        national_id="1990000000001",
        join_date=date(2019, 3, 1),
        basic=1_250_000,
        house_rent=400_000,
        medical=75_000,
        transport=45_000,
        food=125_000,
        gross=None,
        section="Sewing A",
        payment_method="mobile",
        wallet_number="01710000001",
    )
    assert (second.row, second.join_date, second.house_rent, second.gross) == (
        6,
        date(2019, 1, 1),
        400_050,
        1_445_050,
    )
    assert (third.join_date, third.basic) == (date(2018, 7, 15), 800_025)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_encodings_and_delimiters(encoding: str, delimiter: str) -> None:
    name = "Zoë Ça" if encoding == "cp1252" else "নাসিমা আক্তার"
    rows = [
        ["Payroll"],
        HEADER,
        worker(1, **{"Worker Name": name, "Basic Salary": "12,500", "Gross Salary": "18,950"}),
        worker(2, **{"DOJ": "2019-03-01"}),
        worker(3, **{"DOJ": "01.03.2019"}),
        worker(4, **{"DOJ": "01-03-2019"}),
    ]
    reading = read(csv_bytes(rows, encoding=encoding, delimiter=delimiter), "roll.csv")
    assert reading.problems == ()
    assert [r.row for r in reading.rows] == [3, 4, 5, 6]
    assert reading.rows[0].name == name
    assert reading.rows[0].basic == 1_250_000
    assert {r.join_date for r in reading.rows} == {date(2019, 3, 1)}


def test_bengali_headers() -> None:
    header = [
        "কার্ড নং",
        "নাম",
        "জাতীয় পরিচয়পত্র নং",
        "সেকশন",
        "গ্রেড",
        "পদবী",
        "যোগদানের তারিখ",
        "অব্যাহতির তারিখ",
        "মূল বেতন",
        "বাড়ি ভাড়া",
        "চিকিৎসা ভাতা",
        "যাতায়াত ভাতা",
        "খাদ্য ভাতা",
        "মোট বেতন",
    ]
    row = [
        "১০১",
        "সালমা বেগম",
        "১২৩৪৫৬৭৮৯০",
        "লাইন ৩",
        "৫",
        "অপারেটর",
        "০১/০৩/২০১৯",
        None,
        "৮০০০",
        "৪০০০",
        "৭৫০",
        "৪৫০",
        "১২৫০",
        "১৪৪৫০",
    ]
    reading = read(xlsx([header, row]))
    assert reading.problems == ()
    (worker_row,) = reading.rows
    assert (worker_row.worker_id, worker_row.national_id, worker_row.join_date) == (
        "101",
        "1234567890",
        date(2019, 3, 1),
    )
    assert (worker_row.grade, worker_row.designation, worker_row.gross) == (
        "৫",
        "অপারেটর",
        1_445_000,
    )


def test_merged_section_is_carried_down_and_whitespace_cleaned() -> None:
    rows = [
        HEADER,
        worker(1, **{"Section": "Cutting", "Worker Name": "  Rina\u00a0 Akter "}),
        worker(2, **{"Section": None}),
        worker(3, **{"Section": None}),
    ]
    reading = read(xlsx(rows, merges=["D2:D4"]))
    assert [r.section for r in reading.rows] == ["Cutting"] * 3
    assert reading.rows[0].name == "Rina Akter"


def test_duplicates_rows_worker_ids_and_national_ids() -> None:
    rows = [
        HEADER,
        worker(1),
        worker(1),
        worker(2),
        worker(3, **{"Card No": "W0002"}),
        worker(4, **{"NID": "1990000000001"}),
    ]
    reading = read(xlsx(rows))
    assert codes(reading) == [
        (2, "NID", "warning", "duplicate_national_id"),
        (3, None, "warning", "duplicate_row"),
        (5, "Card No", "error", "duplicate_worker_id"),
        (6, "NID", "warning", "duplicate_national_id"),
    ]
    # Sharing a national ID holds both workers (entitlements), it does not reject them.
    assert [r.worker_id for r in reading.rows] == ["W0001", "W0002", "W0004"]
    assert (reading.rows_read, reading.rejected) == (4, 1)


def test_every_cell_check_is_located() -> None:
    rows = [
        ["Title"],
        HEADER,
        worker(1, **{"NID": "12345"}),
        worker(2, **{"DOJ": "31/02/2020"}),
        worker(3, **{"DOJ": "01/04/2025"}),
        worker(4, **{"DOJ": "01/01/1949"}),
        worker(5, **{"Basic Salary": "-1"}),
        worker(6, **{"Basic Salary": "8000.125"}),
        worker(7, **{"Basic Salary": "eight"}),
        worker(8, **{"Gross Salary": "15000"}),
        worker(9, **{"bKash": "0171234"}),
        worker(10, **{"Payment Method": "paypal"}),
        worker(11, **{"Worker Name": None}),
        worker(12, **{"Basic Salary": "=B2*2"}),
        worker(13, **{"Payment Method": "mobile", "bKash": None}),
        worker(14, **{"Basic Salary": "12,50"}),
    ]
    reading = read(xlsx(rows))
    assert codes(reading) == [
        (3, "NID", "error", "bad_national_id"),
        (4, "DOJ", "error", "bad_date"),
        (5, "DOJ", "error", "date_in_future"),
        (6, "DOJ", "error", "date_too_early"),
        (7, "Basic Salary", "error", "negative_amount"),
        (7, "Gross Salary", "warning", "gross_mismatch"),
        (8, "Basic Salary", "error", "too_many_decimals"),
        (9, "Basic Salary", "error", "bad_amount"),
        (10, "Gross Salary", "warning", "gross_mismatch"),
        (11, "bKash", "error", "bad_mobile_number"),
        (12, "Payment Method", "error", "bad_payment_method"),
        (13, "Worker Name", "error", "missing_value"),
        # A real formula (openpyxl saves it without a cached value) is named as a formula.
        (14, "Basic Salary", "error", "formula"),
        (15, "bKash", "warning", "missing_payment_details"),
        (16, "Basic Salary", "error", "bad_amount"),
    ]
    assert [r.worker_id for r in reading.rows] == ["W0008", "W0013"]
    assert reading.has_errors
    assert (reading.rows_read, reading.rejected) == (14, 12)


def test_exit_before_join_and_exit_date_synonym() -> None:
    header = ["Employee ID", "Name", "National ID", "Joining Date", "Date of Leaving", "Basic"]
    rows = [
        header,
        ["1", "A", "1234567890", "01/03/2019", "01/02/2019", "8000"],
        ["2", "B", "1234567891", "01/03/2019", "15/01/2024", "8000"],
    ]
    reading = read(xlsx(rows))
    assert codes(reading) == [(2, "Date of Leaving", "error", "exit_before_join")]
    assert reading.rows[0].exit_date == date(2024, 1, 15)


def test_column_mapping_wins_over_synonyms() -> None:
    header = ["Token", "Name", "Smart ID", "Start", "Basic", "Line"]
    rows = [header, ["7", "A", "1234567890", "01/03/2019", "8000", "L1"]]
    with pytest.raises(RollUnreadable, match="National ID, Join Date"):
        read(xlsx(rows))
    mapping = {
        "token": "worker_id",
        "SMART ID": "national_id",
        "Start": "join_date",
        "Line": "grade",
    }
    (row,) = read(xlsx(rows), column_mapping=mapping).rows
    assert (row.worker_id, row.national_id, row.grade, row.section) == (
        "7",
        "1234567890",
        "L1",
        None,
    )


def test_missing_required_column_names_it() -> None:
    rows = [["Employee ID", "Name", "NID", "DOJ"], ["1", "A", "1234567890", "01/03/2019"]]
    with pytest.raises(
        RollUnreadable, match=r"roll.xlsx: the header in row 1 has no column for Basic"
    ):
        read(xlsx(rows))


def test_numeric_cells_for_ids_and_mobile_numbers() -> None:
    rows = [
        HEADER,
        worker(1, **{"Card No": 1001, "NID": 1234567890, "bKash": 1712345678}),
        worker(2, **{"NID": 12345678901234567}),
    ]
    reading = read(xlsx(rows))
    assert (
        reading.rows[0].worker_id,
        reading.rows[0].national_id,
        reading.rows[0].wallet_number,
    ) == ("1001", "1234567890", "01712345678")
    assert codes(reading) == [(3, "NID", "error", "number_too_long")]


def test_error_report_highlights_bad_cells_and_lists_problems() -> None:
    data = xlsx([["Title"], HEADER, worker(1, **{"NID": "12"}), worker(2)])
    reading = read(data)
    report = openpyxl.load_workbook(io.BytesIO(error_report_xlsx(data, reading)))
    roll, problems = report["Roll"], report["Problems"]
    assert roll["C3"].value == "12"
    assert roll["C3"].fill.start_color.rgb.endswith("FFC7CE")
    assert roll["C4"].fill.fill_type is None
    assert [c.value for c in problems[2]] == [
        3,
        "NID",
        "error",
        "bad_national_id",
        reading.problems[0].message,
    ]


def test_problem_is_frozen() -> None:
    problem = Problem(1, "A", "error", "x", "y")
    with pytest.raises(AttributeError):
        problem.code = "z"  # type: ignore[misc]


def test_formula_text_in_csv_is_an_error() -> None:
    rows = [
        HEADER,
        worker(1, **{"Basic Salary": "=SUM(F2:F9)"}),
        worker(2, **{"Worker Name": "=cmd"}),
    ]
    reading = read(csv_bytes(rows), "roll.csv")
    assert codes(reading) == [
        (2, "Basic Salary", "error", "formula"),
        (3, "Worker Name", "error", "formula"),
    ]


def test_formulas_with_cached_values_are_refused_but_a_sum_totals_row_is_skipped() -> None:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["Payroll March 2025"])
    sheet.write_row(1, 0, ["Card No", "Name", "NID", "DOJ", "Basic Salary", "House Rent"])
    sheet.write_row(2, 0, ["A1", "Rahim", "1234567890", "01/03/2019", 8000, 4000])
    sheet.write_row(3, 0, ["A2", "Karim", "1234567891", "01/03/2019", 8000])
    # The cached result looks like a wage, but the cell is a formula: refused, not trusted.
    sheet.write_formula(3, 5, "=E4/2", None, 4000)
    sheet.write_row(4, 0, ["Total", None, None, None])
    sheet.write_formula(4, 4, "=SUM(E3:E4)", None, 16000)
    book.close()
    reading = read(out.getvalue())
    assert codes(reading) == [
        (2, None, "warning", "no_exit_date_column"),
        (4, "House Rent", "error", "formula"),
    ]
    assert [r.worker_id for r in reading.rows] == ["A1"]
    assert "=E4/2" in reading.problems[1].message


def test_a_workbook_declaring_xml_entities_is_refused() -> None:
    import zipfile

    source = xlsx([HEADER, worker(1)])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as old, zipfile.ZipFile(out, "w") as new:
        for item in old.infolist():
            content = old.read(item.filename)
            if item.filename == "xl/workbook.xml":
                declaration = b'<!DOCTYPE w [<!ENTITY lol "lol">]>'
                content = declaration + content
            new.writestr(item, content)
    with pytest.raises(RollUnreadable, match="declares entities"):
        read(out.getvalue())
