"""Settling a paid batch against the provider's result file (reconciliation).

Each row of the file settles one pending line, as paid or failed, through the same steps as an
officer's; a row that names no line of the batch, or a line already settled differently, is
reported, never ignored. A file is stored once (by its hash) so a repeated import posts nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from fund.audit.services import record
from fund.auth.models import User
from fund.disbursements import reconciliation, step_dates
from fund.disbursements.models import (
    DisbursementBatch,
    PaymentLine,
    ResultImport,
)
from fund.disbursements.paying import post_returns
from fund.disbursements.services import PAYERS, check_role, lock_batch, move_line, require_state

# --- reconciliation ------------------------------------------------------------------------


@dataclass
class ReconciliationResult:
    """What importing a provider's result file did."""

    sha256: str
    repeated: bool  # the same file was imported before: nothing changed
    rows: int
    paid: int
    failed: int
    mismatches: list[str] = field(default_factory=list)


def reconcile(
    session: Session,
    *,
    batch: DisbursementBatch,
    actor: User,
    data: bytes,
    filename: str,
    on: date,
) -> ReconciliationResult:
    """Apply a provider's result file: paid and failed lines, returns posted, mismatches listed.

    The same file (by SHA-256) imported again changes nothing and reports the first result.
    """
    check_role(actor, PAYERS, "reconcile batches")
    # Two imports of one file at once queue on the batch row, so the second finds the first's
    # import and reports it instead of failing on the (batch, digest) unique index.
    lock_batch(session, batch)
    digest = hashlib.sha256(data).hexdigest()
    earlier = session.scalar(
        select(ResultImport).where(ResultImport.batch_id == batch.id, ResultImport.sha256 == digest)
    )
    if earlier is not None:
        return ReconciliationResult(
            sha256=digest,
            repeated=True,
            rows=earlier.rows,
            paid=earlier.paid,
            failed=earlier.failed,
            mismatches=[m for m in earlier.mismatches.splitlines() if m],
        )
    require_state(batch, "paid")
    step_dates.reconciliation_date(session, batch, on)
    results = reconciliation.parse_results(data, filename=filename)
    lines = {
        line.receipt_number: line
        for line in session.scalars(
            select(PaymentLine).where(PaymentLine.batch_id == batch.id, PaymentLine.state != "void")
        )
    }
    plan = reconciliation.match(
        results.rows,
        {
            number: reconciliation.Expected(line.amount_minor, line.state)
            for number, line in lines.items()
        },
        currency=batch.currency,
    )
    mismatches = [*results.problems, *plan.mismatches]
    failed_lines = [lines[row.reference] for row in plan.failed]
    post_returns(session, failed_lines, on=on, key=f"batch:{batch.id}:result:{digest[:32]}")
    for row in plan.paid:
        line = lines[row.reference]
        line.settled_on = row.settled_on or on
        line.provider_reference = row.provider_reference or line.provider_reference
        move_line(session, line, "paid", actor, provider_reference=row.provider_reference)
    for row in plan.failed:
        line = lines[row.reference]
        line.settled_on = row.settled_on or on
        line.failure_reason = (row.message or "failed at the provider")[:200]
        line.provider_reference = row.provider_reference or line.provider_reference
        move_line(session, line, "failed", actor, line.failure_reason)
    session.add(
        ResultImport(
            batch_id=batch.id,
            sha256=digest,
            filename=filename[:255],
            rows=len(results.rows),
            paid=len(plan.paid),
            failed=len(plan.failed),
            mismatches="\n".join(mismatches),
            imported_by_id=actor.id,
        )
    )
    session.flush()
    record(
        session,
        actor=actor,
        action="batches.reconcile",
        object_type="batch",
        object_id=batch.id,
        after={
            "file": filename,
            "sha256": digest,
            "paid": len(plan.paid),
            "failed": len(plan.failed),
            "mismatches": len(mismatches),
        },
    )
    return ReconciliationResult(
        sha256=digest,
        repeated=False,
        rows=len(results.rows),
        paid=len(plan.paid),
        failed=len(plan.failed),
        mismatches=mismatches,
    )
