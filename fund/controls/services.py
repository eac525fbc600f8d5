"""What the dashboard shows of each control: one tile each."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from fund.controls import approvals, payment_guard, roll_review, verification


def control_tiles(session: Session) -> dict[str, Any]:
    """Open HIGH findings, batches short of approvers, guarded claims, verification so far."""
    submitted = [
        (batch.approvals_required, given)
        for batch, given in approvals.submitted_with_approvals(session)
    ]
    summaries = verification.summaries(session)
    sampled = sum(s.sampled for s in summaries)
    answered = sum(s.answered for s in summaries)
    return {
        "findings": roll_review.finding_counts(session),
        "awaiting_approval": len(submitted),
        "awaiting_second": sum(1 for needed, given in submitted if given and given < needed),
        "guard": payment_guard.guard_counts(session),
        "sampled": sampled,
        "answered": answered,
        "not_received": sum(s.outcomes["not_received"] for s in summaries),
    }
