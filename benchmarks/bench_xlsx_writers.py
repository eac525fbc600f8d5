"""Benchmark: the journal's XLSX by XlsxWriter (the project's writer) and by a Rust-backed one.

The same 1,000,000 postings (made in memory, so the database is not in the figure) are written
by ``write_journal`` (XlsxWriter, constant memory, exact ``Decimal`` amounts) and by
``rustpy-xlsxwriter`` (rust_xlsxwriter under a records API), each with its control sheet, in
the same run, alternately; CPU time (every thread of the process) and wall time are printed.
It also prints how the Rust writer stores an amount past a double's 15–17 digits, the reason it
is not adopted (README, "The books"). Needs the optional ``bench`` extra (``make bench``).

    python benchmarks/bench_xlsx_writers.py [--rows 1000000] [--rounds 1]
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fund.reports.exports import JOURNAL_COLUMNS, write_journal
from fund.reports.workbook import Period
from ledger.models import Account
from ledger.queries import JournalLine, TrialBalance

ACCOUNTS = [
    Account(
        id=n + 1,
        code="5000" if n else "2000",
        name="Compensation expense" if n else "Compensation payable",
        type="expense" if n else "liability",
        currency="BDT",
        dimension_key=f"factory=F{n:03};event={n}",
    )
    for n in range(200)
]


def journal_lines(rows: int) -> Iterator[JournalLine]:
    """``rows`` postings in entries of 1,000 (999 expense lines and the payable)."""
    for number in range(rows):
        entry, position = divmod(number, 1_000)
        amount = 100 + (number * 7) % 9_000
        yield JournalLine(
            entry_id=entry + 1,
            sequence=entry + 1,
            effective_date=date(2025, 1, 1) + timedelta(days=entry % 540),
            memo=f"Batch {entry} approved",
            reference=f"batch:{entry}",
            rate=None,
            account=ACCOUNTS[1 + position % 199] if position < 999 else ACCOUNTS[0],
            amount=amount if position < 999 else -amount,
        )


def with_xlsxwriter(target: str, rows: int) -> None:
    """The project's journal export (XlsxWriter)."""
    period = Period(
        start=None,
        end=None,
        opening={},
        closing=TrialBalance(as_of=None, lines=()),
        accounts={account.id: account for account in ACCOUNTS},
    )
    write_journal(target, journal_lines(rows), period)


def with_rust(target: str, rows: int) -> None:
    """The same columns through rustpy-xlsxwriter's records API (amounts can only be floats)."""
    import rustpy_xlsxwriter

    titles = [title for title, _ in JOURNAL_COLUMNS]

    def records() -> Iterator[dict[str, Any]]:
        for line in journal_lines(rows):
            account = line.account
            amount = abs(line.amount) / 100  # its only number type: a float, never a Decimal
            yield dict(
                zip(
                    titles,
                    (
                        line.entry_id, line.sequence, line.effective_date, line.memo,
                        line.reference, account.code, account.name, account.dimension_key,
                        account.currency, amount if line.amount > 0 else None,
                        amount if line.amount < 0 else None, None, None,
                    ),
                    strict=True,
                )
            )  # fmt: skip

    controls = [{"Control": "Postings", "Value": rows}]
    rustpy_xlsxwriter.write_worksheets(
        [("Journal", records()), ("Control totals", controls)],
        target,
        freeze_panes={"Journal": {"row": 1, "col": 0}},
        float_format="#,##0.00;-#,##0.00",
        datetime_format="yyyy-mm-dd",
        bold_headers=True,
        autofilter={"Journal": True},
    )


def measure(work: Callable[[str, int], None], rows: int) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, file bytes) of one write to a temporary file."""
    with tempfile.TemporaryDirectory() as folder:
        target = os.path.join(folder, "journal.xlsx")
        wall, cpu = time.perf_counter(), time.process_time()
        work(target, rows)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        return wall, cpu, os.path.getsize(target)


def rust_digits() -> str:
    """What the Rust writer puts in the file for an amount of 18 significant digits."""
    import rustpy_xlsxwriter

    buffer = io.BytesIO()
    rustpy_xlsxwriter.write_worksheet([{"Amount": Decimal("123456789012345678.01")}], buffer)
    sheet = zipfile.ZipFile(buffer).read("xl/worksheets/sheet1.xml").decode()
    return sheet.split("<v>")[1].split("</v>")[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    figures: dict[str, list[tuple[float, float, int]]] = {"xlsxwriter": [], "rust": []}
    for _ in range(args.rounds):
        figures["rust"].append(measure(with_rust, args.rows))
        figures["xlsxwriter"].append(measure(with_xlsxwriter, args.rows))
    best = {name: min(runs) for name, runs in figures.items()}
    for name, label in (
        ("xlsxwriter", "XlsxWriter (write_journal)"),
        ("rust", "rustpy-xlsxwriter"),
    ):
        wall = min(run[0] for run in figures[name])
        cpu = min(run[1] for run in figures[name])
        print(
            f"journal of {args.rows:,} postings, {label:<27} wall {wall:6.1f} s   "
            f"CPU {cpu:6.1f} s   file {best[name][2] / 2**20:5.1f} MiB"
        )
    print(
        "rustpy-xlsxwriter writes Decimal('123456789012345678.01') as "
        f"{rust_digits()} (XlsxWriter: 123456789012345678.01)"
    )


if __name__ == "__main__":
    main()
