"""Benchmark: post one entry of 100,000 postings; trial balance over 1,000,000 postings.

The million are one entry of 100,000 postings plus 90,000 entries of ten (``post_many``), so
the trial balance joins postings to many entries, as real books do.

Prints figures against the targets (never asserts them): posting at least 20,000 postings/s on
SQLite and on PostgreSQL, the trial balance over a million postings under 1 s on PostgreSQL.

    python benchmarks/bench_ledger.py [--postings 100000] [--total 1000000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scratch import scratch_database
from sqlalchemy.orm import Session

from fund.db import make_engine
from fund.migrate import upgrade
from ledger import Account, Entry, Posting, account, post, post_many, verify
from ledger.queries import trial_balance


def _payout_entry(
    accounts: list[Account], payable: Account, postings: int, day: date, key: str, first: int = 0
) -> Entry:
    """One batch approval: an expense line per worker account, one payable line against them."""
    lines = [
        Posting(accounts[(first + i) % len(accounts)], 100 + i % 9_000) for i in range(postings - 1)
    ]
    total = sum(line.amount for line in lines)
    return Entry(day, "batch approval", key, (*lines, Posting(payable, -total)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postings", type=int, default=100_000)
    parser.add_argument("--total", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="PostgreSQL server (a scratch database is made)")
    args = parser.parse_args()

    url, drop = scratch_database(args.database_url)
    engine = make_engine(url)
    try:
        upgrade(engine)
        kind = engine.dialect.name
        with Session(engine) as session:
            expense = [
                account(session, "5000", currency="BDT", factory=f"F{n:03}", event=str(n))
                for n in range(200)
            ]
            payable = account(session, "2000", currency="BDT", event="all")
            session.commit()

            entry = _payout_entry(expense, payable, args.postings, date(2026, 1, 1), "bench-0")
            started = time.perf_counter()
            post(session, entry)
            session.commit()
            elapsed = time.perf_counter() - started
            rate = args.postings / elapsed
            print(
                f"[{kind}] one entry of {args.postings:,} postings: {elapsed:.2f} s "
                f"= {rate:,.0f} postings/s (target >= 20,000/s)"
            )

            # The rest as the books really grow: many small entries (one per worker payout,
            # ten postings each), written by post_many in chunks of 10,000 entries.
            posted, entries, chunk = args.postings, 1, 10_000
            day = date(2026, 1, 1)
            started = time.perf_counter()
            while posted < args.total:
                day += timedelta(days=1)
                count = min(chunk, (args.total - posted) // 10)
                if count == 0:
                    break
                batch = [
                    _payout_entry(expense, payable, 10, day, f"bench-{entries + n}", n)
                    for n in range(count)
                ]
                post_many(session, batch)
                session.commit()
                posted += 10 * count
                entries += count
            elapsed = time.perf_counter() - started
            print(
                f"[{kind}] filled to {posted:,} postings in {entries:,} entries with post_many: "
                f"{elapsed:.1f} s = {(posted - args.postings) / elapsed:,.0f} postings/s"
            )

            for label in ("cold", "warm"):
                started = time.perf_counter()
                report = trial_balance(session)
                elapsed = time.perf_counter() - started
                print(
                    f"[{kind}] trial balance over {posted:,} postings ({label}): {elapsed:.3f} s "
                    f"(target < 1 s on PostgreSQL); balanced={report.balanced}"
                )

            started = time.perf_counter()
            result = verify(session)
            print(
                f"[{kind}] verify {result.entries} entries / {posted:,} postings: "
                f"{time.perf_counter() - started:.2f} s ok={result.ok}"
            )
    finally:
        engine.dispose()
        drop()


if __name__ == "__main__":
    main()
