"""Writing rolls back out: XLSX and CSV exports that read back identically, and error reports.

Builders are pure functions returning bytes. Amounts are written from integer poisha as exact
decimals (never floats); text cells that begin with ``= + - @`` are neutralised so a
spreadsheet program never runs them as formulas.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from imports.columns import MONEY_FIELDS
from imports.records import Problem, RollRow
from imports.roll import RollReading, locate_header
from imports.sources import Limits, load_grid, read_bytes
from imports.vocabulary import FIELD_LABELS, FIELDS
from ledger.money import from_minor

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

# openpyxl is imported by the functions that write (it costs a program's start a lot).

_FORMULA_STARTS = ("=", "+", "-", "@")
# Whitespace of any script and C0/C1 control characters a spreadsheet passes over.
_LEADING_BLANKS = re.compile(r"^[\s\x00-\x1f\x7f-\x9f\u200b-\u200f\u2060\ufeff]+")


def neutralise(text: str) -> str:
    """Text safe to put in a spreadsheet cell: one that starts a formula gets a quote before it.

    Spreadsheets skip leading spaces, tabs, line breaks and other control characters before
    they read ``= + - @`` (a tab before ``=HYPERLINK(...)`` still runs), so the check looks
    past them; a cell that starts with a tab or carriage return is quoted as well (OWASP).
    """
    first = _LEADING_BLANKS.sub("", text)
    if first.startswith(_FORMULA_STARTS) or text.startswith(("\t", "\r")):
        return "'" + text
    return text


def _export_value(row: RollRow, name: str) -> Any:
    value = getattr(row, name)
    if value is None:
        return None
    if name in MONEY_FIELDS:
        amount: Decimal = from_minor(value, "BDT")
        return amount
    if isinstance(value, date):
        return value
    return neutralise(str(value))


def write_roll_xlsx(rows: Iterable[RollRow]) -> bytes:
    """An XLSX roll with the canonical headers; ``read_roll`` gives the same rows back."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Roll")
    sheet.append([FIELD_LABELS[name] for name in FIELDS])
    for row in rows:
        cells: list[Any] = []
        for name in FIELDS:
            value = _export_value(row, name)
            if isinstance(value, date):
                cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]
                cell.number_format = "DD/MM/YYYY"
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_roll_csv(rows: Iterable[RollRow]) -> bytes:
    """A UTF-8 CSV roll (with BOM, so Excel shows Bengali names); reads back identically."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([FIELD_LABELS[name] for name in FIELDS])
    for row in rows:
        out: list[str] = []
        for name in FIELDS:
            value = _export_value(row, name)
            if value is None:
                out.append("")
            elif isinstance(value, date):
                out.append(value.strftime("%d/%m/%Y"))
            else:
                out.append(str(value))
        writer.writerow(out)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def error_report_xlsx(
    source: Path | bytes,
    reading: RollReading,
    *,
    filename: str = "roll",
    limits: Limits | None = None,
) -> bytes:
    """The original cells with the bad ones highlighted, and a sheet listing every problem."""
    limits = limits or Limits()
    grid = load_grid(
        read_bytes(source, filename=filename, limits=limits), filename=filename, limits=limits
    )
    header_labels: dict[str, int] = {}
    if reading.header_row is not None:
        header_index = grid.row_numbers.index(reading.header_row)
        for column, cell in enumerate(grid.rows[header_index]):
            header_labels.setdefault(" ".join(str(cell).split()), column)
    else:  # pragma: no cover - a reading always has a header; kept for hand-made readings
        header = locate_header(grid, filename=filename, column_mapping=None, limits=limits)
        header_labels = {label: header.columns[f] for f, label in header.labels.items()}

    marks: dict[tuple[int, int], list[Problem]] = {}
    for problem in reading.problems:
        if problem.row is not None and problem.column in header_labels:
            marks.setdefault((problem.row, header_labels[problem.column]), []).append(problem)

    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Roll")
    for number, cells in zip(grid.row_numbers, grid.rows, strict=True):
        sheet.append(
            [
                _report_cell(sheet, number, column, value, marks)
                for column, value in enumerate(cells)
            ]
        )
    _problems_sheet(workbook.create_sheet("Problems"), reading.problems)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _report_cell(
    sheet: Worksheet,
    number: int,
    column: int,
    value: Any,
    marks: dict[tuple[int, int], list[Problem]],
) -> Any:
    if isinstance(value, str):
        value = neutralise(value)
    found = marks.get((number, column))
    if not found:
        return value
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    colour = "FFC7CE" if any(p.severity == "error" for p in found) else "FFEB9C"
    cell = WriteOnlyCell(sheet, value=value)
    cell.fill = PatternFill(start_color=colour, end_color=colour, fill_type="solid")
    cell.comment = Comment("\n".join(p.message for p in found), "Worker Fund")
    return cell


def _problems_sheet(sheet: Any, problems: Iterable[Problem]) -> None:
    titles = ["Row", "Column", "Severity", "Code", "Message"]
    sheet.append([_bold(sheet, title) for title in titles])
    for problem in problems:
        sheet.append(
            [
                problem.row,
                neutralise(problem.column or ""),
                problem.severity,
                problem.code,
                neutralise(problem.message),
            ]
        )
    from openpyxl.utils import get_column_letter

    for index, width in enumerate((8, 24, 10, 24, 90), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _bold(sheet: Any, text: str) -> Any:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    cell = WriteOnlyCell(sheet, value=text)
    cell.font = Font(bold=True)
    return cell
