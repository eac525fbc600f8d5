"""Digests of what today's shipped policy files pay on the demo rolls and the test rolls.

``scenarios()`` computes every worker of the demo rolls (and the grade-5 fixture) under the
shipped files for a set of suspensions and a closure, and digests each worker's outcome and
lines (rule, component, wage, share, days, exact amount). The digests in
``data/golden-entitlements.json`` were written by this module running on the code before the
policy language grew (``python -m tests.entitlements.golden > …``); the test holds today's code
to them, so an old policy file still pays exactly what it paid.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

from fund.entitlements.policy import load_policy
from fund.entitlements.rules import EventTerms, compute_all
from fund.rolls.demo import DEMO_AS_OF, DEMO_ROLLS, demo_roll_csv
from imports.roll import read_roll

POLICIES = Path(__file__).resolve().parents[2] / "fund" / "policies"
OLD_FILES = ("alliance-wage-replacement.toml", "bangladesh-labour-act-layoff.toml")
GOLDEN = Path(__file__).resolve().parent / "data" / "golden-entitlements.json"


def _events() -> dict[str, tuple[EventTerms, date | None]]:
    start = date(2025, 4, 1)
    events: dict[str, tuple[EventTerms, date | None]] = {}
    for days in (1, 30, 45, 60, 61, 90, 120, 200):
        end = start + timedelta(days=days - 1)
        events[f"suspension-{days}"] = (EventTerms("suspension", start, end), None)
    events["suspension-ongoing"] = (EventTerms("suspension", start), date(2025, 5, 20))
    events["closure"] = (EventTerms("closure", date(2025, 4, 15)), None)
    return events


def scenarios() -> dict[str, dict[str, Any]]:
    """Scenario name → {workers, total_minor, sha256} for every roll, file and event."""
    result: dict[str, dict[str, Any]] = {}
    for code, (workers, prefix) in sorted(DEMO_ROLLS.items()):
        source = demo_roll_csv(code, workers, prefix)
        reading = read_roll(source, filename="roll.csv", as_of=DEMO_AS_OF)
        rows = list(reading.rows)
        for file_name in OLD_FILES:
            policy = load_policy(POLICIES / file_name)
            for name, (event, through) in _events().items():
                digest = hashlib.sha256()
                total = 0
                for item in compute_all(rows, event=event, policy=policy, through=through):
                    lines = [
                        [
                            line.rule,
                            line.component,
                            line.monthly_minor,
                            str(line.share),
                            line.days,
                            line.days_per_month,
                            str(Fraction(line.numerator, line.denominator)),
                        ]
                        for line in item.lines
                    ]
                    outcome = [
                        item.worker.worker_id,
                        item.eligible,
                        item.reason,
                        item.days_paid,
                        item.years_of_service,
                        item.amount_minor,
                        lines,
                    ]
                    digest.update(json.dumps(outcome, ensure_ascii=False).encode("utf-8"))
                    total += item.amount_minor
                result[f"{code} {file_name} {name}"] = {
                    "workers": len(rows),
                    "total_minor": total,
                    "sha256": digest.hexdigest(),
                }
    return result


if __name__ == "__main__":
    print(json.dumps(scenarios(), indent=1, sort_keys=True))
