"""Benchmark: a 100,000-row XLSX roll read raw by calamine, read by ``read_roll``, imported.

Prints figures against the targets (never asserts them): ``read_roll`` at most 2.5x the raw
calamine read; check + import + commit (the path of ``fund rolls import`` and the web upload)
at most 2.5x its floor, python-calamine's read plus a raw executemany into the same tables,
both measured in the same run, interleaved, ratio of the minimums; on SQLite and on
PostgreSQL (``--database-url``); peak memory under 1 GB.

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
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

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


_FLOOR_COLUMNS = (
    "roll_id, row, worker_id, name, national_id, section, grade, designation, join_date,"
    " basic, house_rent, medical, transport, food, gross, payment_method, wallet_number,"
    " bank_account, exit_date"
)


def _floor_rows(roll_id: int, cells: list[list[object]]) -> list[tuple[object, ...]]:
    """The least a roll import can do: the cells as the columns' types, nothing checked."""

    def money(value: object) -> int:
        return int(value) * 100  # type: ignore[call-overload]

    def text(value: object) -> object:
        return value if value != "" else None

    out = []
    for number, r in enumerate(cells[3:], start=4):
        joined = r[6]
        out.append(
            (
                roll_id, number, r[0], r[1], r[2], r[3], str(int(r[4])), r[5],  # type: ignore[call-overload]
                joined.date() if isinstance(joined, datetime) else joined,
                *(money(v) for v in r[7:13]), r[13], text(r[14]), text(r[15]), text(r[16]),
            )
        )  # fmt: skip
    return out


def _floor(engine: Any, path: Path, factory_id: int, version: int) -> float:
    """python-calamine's read plus a raw executemany into the same tables, committed."""
    start = time.perf_counter()
    cells = python_calamine.load_workbook(str(path)).get_sheet_by_index(0).to_python()
    with engine.begin() as connection:
        roll_id = connection.exec_driver_sql(
            "INSERT INTO rolls (factory_id, version, as_of, source_filename, sha256, imported_at,"
            " rows_read, worker_count, warning_count) VALUES"
            f" ({factory_id}, {version}, '2025-03-31', 'floor.xlsx', 'x', '2025-04-01', 0, 0, 0)"
            " RETURNING id"
        ).scalar_one()
        rows = _floor_rows(roll_id, cells)
        marks = ", ".join(["%s" if engine.dialect.name == "postgresql" else "?"] * len(rows[0]))
        sql = f"INSERT INTO roll_workers ({_FLOOR_COLUMNS}) VALUES ({marks})"
        driver = connection.connection.driver_connection
        cursor = driver.cursor()
        cursor.executemany(sql, rows)
        cursor.close()
    return time.perf_counter() - start


def _project(engine: Any, path: Path, code: str) -> tuple[float, int]:
    """The CLI's path: check the file, import what the check read, commit (a new factory)."""
    from sqlalchemy.orm import Session

    from fund.factories.models import Factory
    from fund.rolls.services import check_file, import_roll

    with Session(engine) as session:
        factory = Factory(code=code, name="Bench Knit Ltd", country="BD")
        session.add(factory)
        session.commit()
        start = time.perf_counter()
        checked = check_file(session, factory=factory, source=path, filename=path.name, as_of=AS_OF)
        roll = import_roll(
            session,
            factory=factory,
            checked=checked,
            filename=path.name,
            as_of=AS_OF,
            actor=None,
        )
        session.commit()
        return time.perf_counter() - start, roll.worker_count


def _next_version(engine: Any, workers: int) -> tuple[float, int]:
    """The next month's roll of BENCH-1, imported and compared with the first: (s, findings)."""
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from fund.controls.models import RollFinding
    from fund.factories.models import Factory
    from fund.rolls.services import import_roll

    following = build_roll(workers, seed=8)
    with Session(engine) as session:
        factory = session.scalars(select(Factory).where(Factory.code == "BENCH-1")).one()
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
    return compared, findings or 0


def bench_import(data: bytes, database_url: str | None, repeats: int) -> None:
    """Check + import + commit beside its floor, interleaved, ratio of the minimums."""
    from sqlalchemy.orm import Session

    import fund.models  # noqa: F401  (every table)
    from fund.db import make_engine
    from fund.factories.models import Factory
    from fund.migrate import upgrade

    folder = tempfile.TemporaryDirectory()
    path = Path(folder.name) / "roll.xlsx"
    path.write_bytes(data)
    floors, projects = [], []
    try:
        for attempt in range(repeats):
            # A fresh database each time: the project's path first (and the next version,
            # once), then the floor, whose national IDs the project's checks would refuse.
            url, cleanup = scratch_database(database_url)
            try:
                engine = make_engine(url)
                upgrade(engine)
                elapsed, stored = _project(engine, path, "BENCH-1")
                projects.append(elapsed)
                if attempt == repeats - 1:
                    compared, findings = _next_version(engine, stored)
                with Session(engine) as session:
                    floor_factory = Factory(code="FLOOR", name="Floor", country="BD")
                    session.add(floor_factory)
                    session.commit()
                    floor_id = floor_factory.id
                floors.append(_floor(engine, path, floor_id, 1))
                engine.dispose()
            finally:
                cleanup()
    finally:
        folder.cleanup()
    dialect = url.split(":", 1)[0].split("+", 1)[0]
    floor, project = min(floors), min(projects)
    print(
        f"[{dialect}] check + import + commit, {stored:,} workers: {project:.2f} s;"
        f" floor (python-calamine read + raw executemany into the same tables) {floor:.2f} s;"
        f" ratio {project / floor:.2f}x (target <= 2.5x; min of {repeats}, interleaved)"
    )
    print(
        f"[{dialect}] next version imported (read, check, store) and compared with the first:"
        f" {compared:.2f} s ({findings:,} findings)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", help="PostgreSQL (or SQLite) URL for the import figure")
    parser.add_argument("--skip-read", action="store_true", help="only the end-to-end figure")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved runs of each path")
    args = parser.parse_args()
    start = time.perf_counter()
    data = build_roll(args.rows)
    print(
        f"built a {args.rows:,}-row XLSX ({len(data) / 1e6:.1f} MB) in "
        f"{time.perf_counter() - start:.1f} s"
    )
    if not args.skip_read:
        bench_read(data)
    bench_import(data, args.database_url, args.repeats)
    print(f"peak memory: {peak_mb():.0f} MB (target < 1024 MB)")


if __name__ == "__main__":
    main()
