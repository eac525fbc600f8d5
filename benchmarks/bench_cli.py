"""Benchmark: how long ``fund`` takes to start, beside Python's own start (the floor).

Runs, interleaved, ``python -c pass`` (the floor), ``fund --help`` (no app is built) and
``fund ledger trial-balance --json`` on an empty SQLite database (the app is built, one query),
and prints the fastest of each with its ratio to the floor. The target: ``fund --help`` under
0.5 s. Prints, never asserts.

    python benchmarks/bench_cli.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FUND = str(Path(sys.executable).with_name("fund"))


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "FUND_ENV": "development",
            "DATABASE_URL": f"sqlite:///{folder}/cli.sqlite",
            "SECRET_KEY": "bench",
        }
        subprocess.run([FUND, "init-db"], env=env, check=True, stdout=subprocess.DEVNULL)
        commands = {
            "python -c pass (floor)": [sys.executable, "-c", "pass"],
            "fund --help": [FUND, "--help"],
            "fund ledger trial-balance --json": [FUND, "ledger", "trial-balance", "--json"],
        }
        best = {name: float("inf") for name in commands}
        for _ in range(runs):
            for name, command in commands.items():
                best[name] = min(best[name], timed(command, env))
    floor = best["python -c pass (floor)"]
    for name, seconds in best.items():
        target = " (target < 0.5 s)" if name == "fund --help" else ""
        print(f"{name:<36} {seconds:6.3f} s  {seconds / floor:5.1f}× floor{target}")


if __name__ == "__main__":
    main()
