"""Small roll files for the rolls area's tests."""

from __future__ import annotations

import csv
import io
from datetime import date

AS_OF = date(2025, 3, 31)
HEADER = [
    "Card No",
    "Worker Name",
    "NID",
    "Section",
    "DOJ",
    "Basic Salary",
    "House Rent",
    "Payment Method",
    "bKash",
    "Date of Exit",
]


def roll_csv(
    count: int = 3, *, first: int = 1, bad_nid_row: int | None = None, nid_base: int = 1990000000000
) -> bytes:
    """A CSV roll of ``count`` workers; worker ``bad_nid_row`` gets a 5-digit national ID."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Rupali Knit — payroll"])
    writer.writerow(HEADER)
    for n in range(first, first + count):
        nid = "12345" if n == bad_nid_row else str(nid_base + n)
        writer.writerow(
            [
                f"W{n:04d}",
                f"শ্রমিক {n}",
                nid,
                "Sewing A",
                "01/03/2019",
                "12,500",
                "6250",
                "bKash",
                f"0171{n:07d}",
                "",
            ]
        )
    return out.getvalue().encode("utf-8")
