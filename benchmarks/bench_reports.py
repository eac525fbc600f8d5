"""Benchmark: the journal and the general ledger of 1,000,000 postings exported to XLSX.

Prints each export's wall time and the exporting process's peak RSS against the target
(under 60 s each, in bounded memory: the streaming writer keeps memory flat however long the
books). Each export runs in a fresh child process so its peak memory is its own.

    python benchmarks/bench_reports.py [--total 1000000] [--per-entry 1000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scratch import scratch_database
from sqlalchemy.orm import Session

from fund.db import make_engine
from fund.migrate import upgrade
from fund.reports.services import export_books
from ledger import Account, Entry, Posting, account, post


def _batch_entry(
    expense: list[Account], payable: Account, size: int, day: date, number: int
) -> Entry:
    """A batch approval: one compensation line per factory/event account, one payable line."""
    lines = [
        Posting(expense[(number + i) % len(expense)], 100 + (number * 7 + i) % 9_000)
        for i in range(size - 1)
    ]
    total = sum(line.amount for line in lines)
    return Entry(
        day,
        f"Batch {number} approved",
        f"bench-reports-{number}",
        (*lines, Posting(payable, -total)),
        reference=f"batch:{number}",
    )


def fill(url: str, total: int, per_entry: int) -> None:
    """Write ``total`` postings in entries of ``per_entry`` over a year and a half of days."""
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        expense = [
            account(session, "5000", currency="BDT", factory=f"F{n:03}", event=str(n))
            for n in range(200)
        ]
        payable = account(session, "2000", currency="BDT", event="all")
        session.commit()
        posted, number = 0, 0
        while posted < total:
            size = min(per_entry, total - posted)
            day = date(2025, 1, 1) + timedelta(days=number % 540)
            post(session, _batch_entry(expense, payable, size, day, number))
            posted += size
            number += 1
            if number % 100 == 0:
                session.commit()
        session.commit()
    engine.dispose()


def export_once(url: str, kind: str) -> None:
    """Child process: export ``kind`` and print time, postings and own peak RSS as JSON."""
    engine = make_engine(url)
    with Session(engine) as session, tempfile.TemporaryDirectory() as folder:
        target = os.path.join(folder, f"{kind}.xlsx")
        started = time.perf_counter()
        controls = export_books(session, kind=kind, target=target)  # type: ignore[arg-type]
        elapsed = time.perf_counter() - started
        size = os.path.getsize(target)
    engine.dispose()
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": elapsed,
                "postings": controls.postings if controls else 0,
                "entries": controls.entries if controls else 0,
                "peak_rss_mib": peak_kib / 1024,
                "file_mib": size / 1024 / 1024,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--total", type=int, default=1_000_000)
    parser.add_argument("--per-entry", type=int, default=1_000)
    parser.add_argument("--database-url", help="PostgreSQL server (a scratch database is made)")
    parser.add_argument(
        "--export-only", choices=["journal", "general-ledger"], help=argparse.SUPPRESS
    )
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export_only:
        export_once(args.url, args.export_only)
        return

    url, drop = scratch_database(args.database_url)
    kind = "postgresql" if url.startswith("postgresql") else "sqlite"
    try:
        started = time.perf_counter()
        fill(url, args.total, args.per_entry)
        print(f"[{kind}] wrote {args.total:,} postings in {time.perf_counter() - started:.1f} s")
        for export in ("journal", "general-ledger"):
            child = subprocess.run(
                [sys.executable, __file__, "--export-only", export, "--url", url],
                check=True,
                capture_output=True,
                text=True,
            )
            figures = json.loads(child.stdout.strip().splitlines()[-1])
            print(
                f"[{kind}] {export} of {figures['postings']:,} postings "
                f"({figures['entries']:,} entries) to XLSX: {figures['seconds']:.1f} s "
                f"(target < 60 s); peak RSS {figures['peak_rss_mib']:.0f} MiB; "
                f"file {figures['file_mib']:.0f} MiB"
            )
    finally:
        drop()


if __name__ == "__main__":
    main()
