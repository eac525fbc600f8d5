"""Benchmark: entitlements for 100,000 workers, computed (rules only) and stored.

Prints figures against the targets (never asserts them): computation well under 2 s, compute
and store under 5 s, on SQLite (a temporary file) or on PostgreSQL (``--database-url``).

    python benchmarks/bench_entitlements.py [--workers 100000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from fund.db import make_engine
from fund.entitlements.policy import load_policy
from fund.entitlements.policy_versions import install_shipped_policies
from fund.entitlements.rules import EventTerms, compute_all, summarise
from fund.entitlements.services import compute_for_event
from fund.events.services import create_event
from fund.factories.models import Factory
from fund.migrate import upgrade
from fund.rolls.models import Roll, RollWorker
from imports.records import RollRow
from ledger.money import format_minor

POLICIES = Path(__file__).resolve().parent.parent / "fund" / "policies"
SUSPENSION = EventTerms(kind="suspension", start=date(2024, 3, 1), end=date(2024, 6, 28))
CLOSURE = EventTerms(kind="closure", start=date(2024, 3, 1))


def build_rows(count: int, *, seed: int = 11) -> list[RollRow]:
    """A factory-sized roll: varied wages, join dates, sections, some leavers and duplicates."""
    rng = random.Random(seed)
    sections = [f"Sewing {c}" for c in "ABCDEFGH"] + ["Cutting", "Finishing"]
    rows = []
    for index in range(count):
        basic = rng.randrange(6_700, 20_000) * 100
        national_id = str(1_000_000_000 + index) if rng.random() > 0.001 else "1999999999"
        joined = date(2010, 1, 1) + timedelta(days=rng.randrange(0, 5_200))
        rows.append(
            RollRow(
                row=index + 3,
                worker_id=f"W{index:06d}",
                name=f"Worker {index}",
                national_id=national_id,
                join_date=joined,
                basic=basic,
                house_rent=basic // 2,
                medical=75_000,
                transport=45_000,
                food=125_000,
                section=rng.choice(sections),
                exit_date=date(2024, 2, 1) if rng.random() < 0.01 else None,
            )
        )
    return rows


def timed(label: str, target: float, work: Callable[[], object]) -> object:
    """Run ``work`` once, print its wall time against ``target``, return its result."""
    started = time.perf_counter()
    result = work()
    elapsed = time.perf_counter() - started
    verdict = "met" if elapsed < target else "MISSED"
    print(f"{label:<62} {elapsed:6.2f} s  (target < {target:.1f} s: {verdict})")
    return result


def store_roll(session: Session, factory: Factory, rows: list[RollRow]) -> int:
    """Write the rows as a stored roll (straight into the tables: import speed is not measured)."""
    roll = Roll(
        factory=factory,
        version=1,
        as_of=date(2024, 2, 29),
        source_filename="bench.csv",
        sha256="0" * 64,
        rows_read=len(rows),
        worker_count=len(rows),
        warning_count=0,
    )
    session.add(roll)
    session.flush()
    session.execute(
        insert(RollWorker),
        [{"roll_id": roll.id, **dataclasses.asdict(row)} for row in rows],
    )
    return roll.id


def temporary_postgres(url: str) -> tuple[str, str]:
    name = f"bench_entitlements_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False), name


def drop_postgres(url: str, name: str) -> None:
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=100_000)
    parser.add_argument("--database-url", help="PostgreSQL server (a scratch database is made)")
    args = parser.parse_args()

    rows = build_rows(args.workers)
    alliance = load_policy(POLICIES / "alliance-wage-replacement.toml")
    labour_act = load_policy(POLICIES / "bangladesh-labour-act-layoff.toml")
    print(f"{args.workers:,} workers")
    for label, event, policy in (
        ("compute: suspension, alliance (1 line each)", SUSPENSION, alliance),
        ("compute: suspension, Labour Act (4 lines each)", SUSPENSION, labour_act),
        ("compute: closure, alliance (2 lines each)", CLOSURE, alliance),
    ):
        results = timed(label, 2.0, lambda e=event, p=policy: compute_all(rows, event=e, policy=p))
        assert isinstance(results, list)
        summary = summarise(results)
        total = format_minor(summary.total_minor, policy.currency)
        print(f"    {summary.eligible:,} eligible, total {total} {policy.currency}")

    scratch: tuple[str, str] | None = None
    if args.database_url:
        scratch = temporary_postgres(args.database_url)
        url = scratch[0]
    else:
        url = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    engine = make_engine(url)
    try:
        upgrade(engine)
        with Session(engine) as session:
            factory = Factory(code="BENCH", name="Bench Knit Ltd", country="BD")
            session.add(factory)
            versions = {v.name: v for v in install_shipped_policies(session)}
            event = create_event(
                session,
                factory=factory,
                kind="suspension",
                start=SUSPENSION.start,
                end=SUSPENSION.end,
                actor=None,
            )
            session.commit()
            for name in ("alliance-wage-replacement", "bangladesh-labour-act-layoff"):

                def store(name: str = name) -> None:
                    compute_for_event(
                        session,
                        event=event,
                        policy_version=versions[name],
                        through=None,
                        actor=None,
                        rows=rows,
                    )
                    session.commit()

                timed(f"compute + store ({engine.dialect.name}): {name}", 5.0, store)
            # As `fund entitlements compute` does it: the roll read back from the database too.
            event.roll_id = store_roll(session, factory, rows)
            session.commit()
            for name in ("alliance-wage-replacement", "bangladesh-labour-act-layoff"):

                def from_roll(name: str = name) -> None:
                    compute_for_event(
                        session,
                        event=event,
                        policy_version=versions[name],
                        through=None,
                        actor=None,
                    )
                    session.commit()

                timed(
                    f"read roll + compute + store ({engine.dialect.name}): {name}", 5.0, from_roll
                )
    finally:
        engine.dispose()
        if scratch is not None:
            drop_postgres(args.database_url, scratch[1])


if __name__ == "__main__":
    main()
