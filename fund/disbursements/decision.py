"""What an approver needs to decide a batch, on one panel, and the state a batch honestly shows.

The panel reads the batch's lines, its computation, the roll it was computed from and the
factory's previous roll version, the roll's findings, and the fund's available balance (the
same ``available_funds`` the approval checks), so every figure ties to the rows that decide.

The shown state is derived from the lines: the stored state ``paid`` means the money left the
fund (the provider has it); the batch is only *paid* once every line is settled. The stored
state machine is not changed here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from fund.controls.models import RollFinding
from fund.disbursements.approving import available_funds
from fund.disbursements.models import DisbursementBatch, PaymentLine
from fund.entitlements.models import Entitlement
from fund.entitlements.rules import DUPLICATE_NATIONAL_ID, REASONS
from fund.rolls.models import Roll, RollWorker

#: Who carries each method's money to the worker (the payment file or sheet it goes out on).
CARRIERS = {
    "mobile": "mobile-money provider (mobile payment file, float 1020)",
    "bank": "bank transfer (bank payment file, bank 1010)",
    "cash": "cash at the factory (signed disbursement sheet, bank 1010)",
}


@dataclass(frozen=True, slots=True)
class MethodTotal:
    """Lines and amount of one payment method in the batch."""

    method: str
    carrier: str
    lines: int
    amount_minor: int


@dataclass(frozen=True, slots=True)
class RollChange:
    """The batch's roll against the factory's previous version: headcount and wage bill."""

    version: int
    previous_version: int | None
    headcount: int
    previous_headcount: int | None
    wage_bill_minor: int
    previous_wage_bill_minor: int | None

    @property
    def headcount_change(self) -> int | None:
        """Workers added (positive) or gone (negative) since the previous version."""
        if self.previous_headcount is None:
            return None
        return self.headcount - self.previous_headcount

    @property
    def wage_bill_change_minor(self) -> int | None:
        """Monthly gross wage bill change since the previous version, in poisha."""
        if self.previous_wage_bill_minor is None:
            return None
        return self.wage_bill_minor - self.previous_wage_bill_minor


@dataclass(frozen=True, slots=True)
class Decision:
    """Everything the approver's panel shows."""

    methods: list[MethodTotal]
    in_batch: int
    eligible_elsewhere: int  # eligible, not in this batch (another batch, or held for details)
    held: int  # shared national ID, waiting for an officer
    ineligible: list[tuple[str, str, int]]  # reason code, words, count
    roll: RollChange | None
    open_findings: dict[str, int]  # severity → unacknowledged count
    roll_id: int | None
    available_minor: int
    available_after_minor: int


def method_totals(session: Session, batch: DisbursementBatch) -> list[MethodTotal]:
    """Live lines and amounts by payment method."""
    rows = session.execute(
        select(PaymentLine.method, func.count(PaymentLine.id), func.sum(PaymentLine.amount_minor))
        .where(PaymentLine.batch_id == batch.id, PaymentLine.state.not_in(("void", "reissued")))
        .group_by(PaymentLine.method)
        .order_by(PaymentLine.method)
    )
    return [
        MethodTotal(method, CARRIERS.get(method, method), int(n), int(total or 0))
        for method, n, total in rows
    ]


def _wage_bill(session: Session, roll_id: int) -> tuple[int, int]:
    gross = func.coalesce(
        RollWorker.gross,
        RollWorker.basic
        + RollWorker.house_rent
        + RollWorker.medical
        + RollWorker.transport
        + RollWorker.food,
    )
    count, bill = session.execute(
        select(func.count(RollWorker.id), func.coalesce(func.sum(gross), 0)).where(
            RollWorker.roll_id == roll_id
        )
    ).one()
    return int(count), int(bill)


def roll_change(session: Session, roll_id: int) -> RollChange:
    """Headcount and monthly wage bill of the roll and of the factory's previous version."""
    roll = session.get(Roll, roll_id)
    assert roll is not None  # a run's roll is stored
    headcount, bill = _wage_bill(session, roll.id)
    previous = session.scalar(
        select(Roll)
        .where(Roll.factory_id == roll.factory_id, Roll.version < roll.version)
        .order_by(Roll.version.desc())
        .limit(1)
    )
    if previous is None:
        return RollChange(roll.version, None, headcount, None, bill, None)
    old_count, old_bill = _wage_bill(session, previous.id)
    return RollChange(roll.version, previous.version, headcount, old_count, bill, old_bill)


def decision(session: Session, batch: DisbursementBatch) -> Decision:
    """The approver's panel for ``batch``."""
    in_batch = set(
        session.scalars(
            select(PaymentLine.entitlement_id).where(
                PaymentLine.batch_id == batch.id, PaymentLine.state.not_in(("void", "reissued"))
            )
        )
    )
    counts = session.execute(
        select(Entitlement.eligible, Entitlement.reason, func.count(Entitlement.id))
        .where(Entitlement.run_id == batch.run_id)
        .group_by(Entitlement.eligible, Entitlement.reason)
    ).all()
    eligible = sum(int(n) for ok, _, n in counts if ok)
    held = sum(int(n) for ok, reason, n in counts if not ok and reason == DUPLICATE_NATIONAL_ID)
    ineligible = sorted(
        (reason or "", REASONS.get(reason or "", reason or "no reason given"), int(n))
        for ok, reason, n in counts
        if not ok and reason != DUPLICATE_NATIONAL_ID
    )
    roll_id = batch.run.roll_id
    findings: dict[str, int] = {}
    if roll_id is not None:
        findings = {
            severity: int(n)
            for severity, n in session.execute(
                select(RollFinding.severity, func.count(RollFinding.id))
                .where(RollFinding.roll_id == roll_id, RollFinding.acknowledged_at.is_(None))
                .group_by(RollFinding.severity)
            )
        }
    available = available_funds(session, currency=batch.currency)
    # Before approval the batch is not yet owed; once approved, 2000 already counts it.
    after = available - batch.total_minor if batch.state in ("draft", "submitted") else available
    return Decision(
        methods=method_totals(session, batch),
        in_batch=len(in_batch),
        eligible_elsewhere=eligible - len(in_batch),
        held=held,
        ineligible=ineligible,
        roll=roll_change(session, roll_id) if roll_id is not None else None,
        open_findings=findings,
        roll_id=roll_id,
        available_minor=available,
        available_after_minor=after,
    )


def shown_state(session: Session, batch: DisbursementBatch) -> str:
    """The state a person reads: ``released`` until every line is settled, then ``paid`` or
    ``partly paid`` (some lines failed or went unclaimed); other states as stored."""
    if batch.state != "paid":
        return batch.state
    return shown_states(session, [batch])[batch.id]


def shown_states(session: Session, batches: list[DisbursementBatch]) -> dict[int, str]:
    """``shown_state`` of many batches in one query."""
    states = {b.id: b.state for b in batches}
    paid = [b.id for b in batches if b.state == "paid"]
    if not paid:
        return states
    rows = session.execute(
        select(
            PaymentLine.batch_id,
            func.count(case((PaymentLine.state == "pending", 1))),
            func.count(case((PaymentLine.state.in_(("failed", "unclaimed")), 1))),
        )
        .where(PaymentLine.batch_id.in_(paid))
        .group_by(PaymentLine.batch_id)
    )
    for batch_id, pending, unpaid in rows:
        if pending:
            states[batch_id] = "released"
        elif unpaid:
            states[batch_id] = "partly paid"
        else:
            states[batch_id] = "paid"
    return states
