"""Where a batch line came from when a claim made it: the claim, and the roll findings about
its worker with who acknowledged each, for the approver to weigh before approving.

The officer who accepted a claim should not be the one who waved its findings through; the
approver's page says so when it happened, instead of leaving it to be found in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from fund.claims.models import Claim
from fund.controls.models import RollFinding


@dataclass(frozen=True, slots=True)
class FindingSeen:
    """One roll finding about the claim's worker and how it stands."""

    severity: str
    message: str
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    note: str
    by_the_decider: bool  # acknowledged by the officer who accepted the claim


@dataclass(slots=True)
class ClaimLine:
    """A claim whose acceptance made a line of the batch."""

    reference: str
    claim_id: int
    kind: str
    worker_id: str | None
    worker_name: str
    decided_by: str | None
    late: bool
    findings: list[FindingSeen] = field(default_factory=list)


def _names_worker(finding: RollFinding, worker_id: str | None) -> bool:
    if worker_id is None:
        return False
    return any(entry.get("worker_id") == worker_id for entry in finding.workers or [])


def claims_in_batch(session: Session, *, batch_id: int) -> list[ClaimLine]:
    """The claims that made lines of the batch, each with the findings about its worker."""
    claims = session.scalars(
        select(Claim)
        .where(Claim.batch_id == batch_id)
        .options(joinedload(Claim.decided_by))
        .order_by(Claim.id)
    ).all()
    rolls = sorted({claim.roll_id for claim in claims if claim.roll_id is not None})
    findings = (
        session.scalars(
            select(RollFinding)
            .where(RollFinding.roll_id.in_(rolls))
            .options(joinedload(RollFinding.acknowledged_by))
            .order_by(RollFinding.id)
        ).all()
        if rolls
        else []
    )
    shown = []
    for claim in claims:
        line = ClaimLine(
            claim.reference, claim.id, claim.kind, claim.worker_id, claim.worker_name,
            claim.decided_by.username if claim.decided_by else None, claim.late,
        )  # fmt: skip
        for finding in findings:
            if finding.roll_id == claim.roll_id and _names_worker(finding, claim.worker_id):
                line.findings.append(
                    FindingSeen(
                        finding.severity,
                        finding.message,
                        finding.acknowledged_by.username if finding.acknowledged_by else None,
                        finding.acknowledged_at,
                        finding.acknowledgement,
                        finding.acknowledged_by_id is not None
                        and finding.acknowledged_by_id == claim.decided_by_id,
                    )
                )
        shown.append(line)
    return shown
