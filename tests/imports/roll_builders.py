"""Messy rolls built by the tests themselves: XLSX via openpyxl, CSV in any encoding."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from typing import Any

from openpyxl import Workbook

AS_OF = date(2025, 3, 31)
HEADER = [
    "Card No",
    "Worker Name",
    "NID",
    "Section",
    "DOJ",
    "Date of Exit",
    "Basic Salary",
    "House Rent",
    "Medical",
    "Conveyance",
    "Food",
    "Gross Salary",
    "Payment Method",
    "bKash",
]


def worker(n: int, **changes: Any) -> list[Any]:
    """A good data row for HEADER (worker ``n``), with cells overridden by header name."""
    cells: dict[str, Any] = {
        "Card No": f"W{n:04d}",
        "Worker Name": f"Worker {n}",
        "NID": f"{1990000000000 + n}",
        "Section": "Sewing A",
        "DOJ": "01/03/2019",
        "Date of Exit": None,
        "Basic Salary": "8000",
        "House Rent": "4000",
        "Medical": "750",
        "Conveyance": "450",
        "Food": "1250",
        "Gross Salary": "14450",
        "Payment Method": "bKash",
        "bKash": f"0171{n:07d}",
    }
    cells.update(changes)
    return [cells[title] for title in HEADER]


def xlsx(rows: Sequence[Sequence[Any]], *, merges: Sequence[str] = ()) -> bytes:
    """An XLSX whose first sheet holds ``rows`` from A1 (``None`` = empty cell)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    for merge in merges:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(
    rows: Sequence[Sequence[Any]], *, encoding: str = "utf-8", delimiter: str = ","
) -> bytes:
    """CSV text of ``rows`` in ``encoding`` (``utf-8-sig`` and ``utf-16`` write a BOM)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    return buffer.getvalue().encode(encoding)
