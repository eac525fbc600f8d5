"""Period close: postings dated on or before the closed-through date are refused.

Closes and reopens are appended rows (the latest wins), so the history of who closed or
reopened what stays in the books; the database refuses entries in a closed period too.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from ledger.errors import PeriodClosed
from ledger.models import PeriodClose
from ledger.posting import closed_through


def close_period(session: Session, *, through: date, by: str, note: str = "") -> PeriodClose:
    """Close the books through ``through`` (inclusive); closing never moves backwards."""
    current = closed_through(session)
    if current is not None and through <= current:
        raise PeriodClosed(f"the books are already closed through {current}")
    row = PeriodClose(
        closed_through=through, recorded_at=datetime.now(UTC), recorded_by=by, note=note
    )
    session.add(row)
    session.flush()
    return row


def reopen_period(session: Session, *, through: date | None, by: str, note: str) -> PeriodClose:
    """Move the close back to ``through`` (None: everything open); a reason is required."""
    current = closed_through(session)
    if current is None or (through is not None and through >= current):
        raise PeriodClosed(f"nothing to reopen: the books are closed through {current}")
    if not note.strip():
        raise PeriodClosed("reopening a closed period needs a reason")
    row = PeriodClose(
        closed_through=through, recorded_at=datetime.now(UTC), recorded_by=by, note=note
    )
    session.add(row)
    session.flush()
    return row
