"""Benchmark: a brand's statement PDF over ten years of demo-scale activity.

Ten years of months, each with a brand's contribution, two events approved and paid out and
a failed line returned, then the whole-period statement (with its charts) is rendered as the
brand would ask for it. Prints the time (target: a few seconds); never asserts it.

    python benchmarks/bench_statement.py [--years 10] [--database-url URL]
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

from fund.brands.models import Brand
from fund.brands.services import statement_pdf_file
from fund.brands.statement import brand_statement
from fund.db import make_engine
from fund.migrate import upgrade
from ledger import Entry, Posting, account, post_many


def fill(session: Session, years: int, first: date) -> None:
    """Monthly: money in, two events approved and paid, one failed payment returned."""
    bank = account(session, "1010")
    income = account(session, "4000", currency="BDT", brand="NORD")
    entries = []
    for month in range(years * 12):
        day = first + timedelta(days=30 * month)
        key = f"m{month}"
        entries.append(Entry(day, "contribution", f"{key}-in", (
            Posting(bank, 50_000_000), Posting(income, -50_000_000))))  # fmt: skip
        for n in range(2):
            event = str(month * 2 + n)
            expense = account(session, "5000", currency="BDT", factory=f"F{n}", event=event)
            payable = account(session, "2000", currency="BDT", event=event)
            entries += [
                Entry(day, "approved", f"{key}-{n}-a", (
                    Posting(expense, 20_000_000), Posting(payable, -20_000_000))),
                Entry(day, "paid", f"{key}-{n}-p", (
                    Posting(payable, 20_000_000), Posting(bank, -20_000_000)),
                    reference=f"batch:{event}"),
                Entry(day, "returned", f"{key}-{n}-r", (
                    Posting(bank, 25_000), Posting(payable, -25_000)),
                    reference=f"batch:{event}"),
            ]  # fmt: skip
    post_many(session, entries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--database-url", help="PostgreSQL server (a scratch database is made)")
    args = parser.parse_args()
    url, drop = scratch_database(args.database_url)
    kind = "postgresql" if url.startswith("postgresql") else "sqlite"
    try:
        engine = make_engine(url)
        upgrade(engine)
        today = date.today()
        first = today - timedelta(days=365 * args.years)
        with Session(engine) as session:
            brand = Brand(code="NORD", name="Nordvik", country="SE")
            session.add(brand)
            session.flush()
            fill(session, args.years, first)
            session.commit()
            started = time.perf_counter()
            statement = brand_statement(session, brand=brand, end=today)
            data = statement_pdf_file(session, statement)
            seconds = time.perf_counter() - started
            print(
                f"[{kind}] statement PDF over {args.years} years: {seconds:.2f} s "
                f"(target: a few seconds), {len(data) / 1024:.0f} KiB"
            )
        engine.dispose()
    finally:
        drop()


if __name__ == "__main__":
    main()
