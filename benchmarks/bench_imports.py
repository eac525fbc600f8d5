"""Benchmark: a 100,000-row XLSX roll read raw by calamine, read by ``read_roll``, imported.

Prints figures against the targets (never asserts them): ``read_roll`` at most 2.5x the raw
calamine read, peak memory under 1 GB, check + import end to end under 10 s on SQLite and on
PostgreSQL (``--database-url``).

    python benchmarks/bench_imports.py [--rows 100000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import io
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import python_calamine
import xlsxwriter
from scratch import scratch_database

from imports import read_roll

HEADERS = [
    "Card No",
    "Worker Name",
    "NID",
    "Section",
    "Grade",
    "Designation",
    "DOJ",
    "Basic Salary",
    "House Rent",
    "Medical",
    "Conveyance",
    "Food",
    "Gross Salary",
    "Payment Method",
    "bKash",
    "Bank Account",
    "Date of Exit",
]
AS_OF = date(2025, 3, 31)


def build_roll(rows: int, *, seed: int = 7) -> bytes:
    """A realistic roll: title rows, Bengali and Latin names, date cells, numeric wages."""
    rng = random.Random(seed)
    given = ["রহিমা", "করিম", "Shirin", "Nasima", "আব্দুল", "Rina", "Mofiz", "সালমা", "Jahanara"]
    family = ["খাতুন", "Mia", "Akter", "Begum", "হোসেন", "Islam", "Uddin", "আক্তার"]
    sections = [f"Sewing {c}" for c in "ABCDEFGH"] + ["Cutting", "Finishing", "Quality"]
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True})
    sheet = workbook.add_worksheet("Payroll")
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_string(0, 0, "Bench Knit Ltd — monthly payroll")
    for column, title in enumerate(HEADERS):
        sheet.write_string(2, column, title)
    base = date(2000, 1, 1)
    for index in range(rows):
        r = index + 3
        grade = rng.randint(1, 7)
        basic = 8000 + grade * 500
        house, medical, transport, food = basic // 2, 750, 450, 1250
        method = rng.choice(("mobile", "mobile", "bank", "cash"))
        sheet.write_string(r, 0, f"W{index + 1:06d}")
        sheet.write_string(r, 1, f"{rng.choice(given)} {rng.choice(family)}")
        sheet.write_string(r, 2, f"{1000000000 + index * 7:d}")
        sheet.write_string(r, 3, rng.choice(sections))
        sheet.write_number(r, 4, grade)
        sheet.write_string(r, 5, "Operator")
        sheet.write_datetime(r, 6, base + timedelta(days=rng.randint(0, 8000)), date_format)
        for column, amount in enumerate((basic, house, medical, transport, food), start=7):
            sheet.write_number(r, column, amount)
        sheet.write_number(r, 12, basic + house + medical + transport + food)
        sheet.write_string(r, 13, method)
        if method == "mobile":
            sheet.write_string(r, 14, f"017{index:08d}")
        elif method == "bank":
            sheet.write_string(r, 15, f"0012{index:010d}")
    workbook.close()
    return buffer.getvalue()


def peak_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_read(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "roll.xlsx"
        path.write_bytes(data)
        raw_times, roll_times = [], []
        for _ in range(3):
            start = time.perf_counter()
            python_calamine.load_workbook(str(path)).get_sheet_by_index(0).to_python()
            raw_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            reading = read_roll(path, filename=path.name, as_of=AS_OF)
            roll_times.append(time.perf_counter() - start)
    raw, roll = min(raw_times), min(roll_times)
    print(f"rows accepted: {reading.accepted:,}  problems: {len(reading.problems)}")
    print(f"raw calamine read: {raw:.2f} s")
    print(f"read_roll:         {roll:.2f} s")
    print(f"ratio read_roll / calamine: {roll / raw:.2f}x (target <= 2.5x)")


def bench_import(data: bytes, database_url: str | None) -> None:
    """Check the file (as ``fund rolls check`` does), then import it and commit."""
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    import fund.models  # noqa: F401  (every table)
    from fund.controls.models import RollFinding
    from fund.db import make_engine
    from fund.factories.models import Factory
    from fund.migrate import upgrade
    from fund.rolls.models import RollWorker
    from fund.rolls.services import check_roll, import_roll

    url, cleanup = scratch_database(database_url)
    try:
        engine = make_engine(url)
        upgrade(engine)
        with Session(engine) as session:
            factory = Factory(code="BENCH-1", name="Bench Knit Ltd", country="BD")
            session.add(factory)
            session.commit()
            start = time.perf_counter()
            reading = check_roll(
                session, factory=factory, source=data, filename="roll.xlsx", as_of=AS_OF
            )
            checked = time.perf_counter() - start
            roll = import_roll(
                session,
                factory=factory,
                source=data,
                filename="roll.xlsx",
                as_of=AS_OF,
                actor=None,
            )
            session.commit()
            total = time.perf_counter() - start
            stored = session.scalar(select(func.count()).where(RollWorker.roll_id == roll.id))
            # The next month's roll: imported and compared with this one (roll findings).
            following = build_roll(stored or 0, seed=8)
            start = time.perf_counter()
            second = import_roll(
                session,
                factory=factory,
                source=following,
                filename="roll-2.xlsx",
                as_of=AS_OF,
                actor=None,
            )
            session.commit()
            compared = time.perf_counter() - start
            findings = session.scalar(select(func.count()).where(RollFinding.roll_id == second.id))
        engine.dispose()
    finally:
        cleanup()
    dialect = url.split(":", 1)[0].split("+", 1)[0]
    print(f"[{dialect}] check: {checked:.2f} s ({reading.accepted:,} rows accepted)")
    print(
        f"[{dialect}] import (reads and checks again, stores {stored:,} workers, commits): "
        f"{total - checked:.2f} s"
    )
    print(f"[{dialect}] end to end, check + import: {total:.2f} s (target < 10 s)")
    print(
        f"[{dialect}] next version imported and compared with the first: {compared:.2f} s "
        f"({findings:,} findings)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", help="PostgreSQL (or SQLite) URL for the import figure")
    parser.add_argument("--skip-read", action="store_true", help="only the end-to-end figure")
    args = parser.parse_args()
    start = time.perf_counter()
    data = build_roll(args.rows)
    print(
        f"built a {args.rows:,}-row XLSX ({len(data) / 1e6:.1f} MB) in "
        f"{time.perf_counter() - start:.1f} s"
    )
    if not args.skip_read:
        bench_read(data)
    bench_import(data, args.database_url)
    print(f"peak memory: {peak_mb():.0f} MB (target < 1024 MB)")


if __name__ == "__main__":
    main()
