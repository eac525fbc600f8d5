"""Run ``fund`` and hold it still at a chosen point, so a test can SIGKILL it there.

    python -m tests.reliability.stall MODULE:FUNCTION [fund arguments ...]

``FUNCTION`` of ``MODULE`` is wrapped: the first time it returns, the process prints one
``stalled`` line saying what it has written so far (rows its open transaction holds, or the
size of the file it is syncing) and then sleeps until it is killed. The kill then lands at a
known point in the middle of the command, not wherever a timer happened to fall.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
import time
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fund.audit.models import AuditEvent
from fund.disbursements.models import BatchTransition, ResultImport
from ledger.models import JournalEntry

STALLED = "stalled"


def written(first: object) -> str:
    """What the stalled call has written: rows its session holds, or the size of its file."""
    if isinstance(first, Session):
        first.flush()
        counts = {
            model.__tablename__: first.scalar(select(func.count()).select_from(model)) or 0
            for model in (JournalEntry, AuditEvent, BatchTransition, ResultImport)
        }
        return " ".join(f"{name}={count}" for name, count in counts.items())
    if isinstance(first, int):  # a file descriptor (os.fsync)
        return f"bytes={os.fstat(first).st_size}"
    return ""


def main(argv: list[str]) -> None:
    """Wrap the named function, then run the command line with the rest of ``argv``."""
    target, *arguments = argv
    module_name, name = target.split(":")
    module = importlib.import_module(module_name)
    original = getattr(module, name)

    @functools.wraps(original)
    def stall(*args: Any, **kwargs: Any) -> Any:
        original(*args, **kwargs)
        print(f"{STALLED} after {target}: {written(args[0] if args else None)}", flush=True)
        while True:  # until the test's SIGKILL
            time.sleep(60)

    setattr(module, name, stall)
    from fund.cli import main as fund

    fund(arguments)


if __name__ == "__main__":
    main(sys.argv[1:])
