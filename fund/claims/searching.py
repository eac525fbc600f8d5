"""Who a claim may be about: the event's roll workers and payments, scored, with the reasons.

Read-only. A candidate scores for the same national ID, a name that is the same or sounds the
same (``matching``) and the same phone; its payment lines of the event are listed beside it.
National IDs are shown masked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from fund.claims.errors import ClaimInvalid as ClaimInvalid
from fund.claims.errors import ClaimRefused as ClaimRefused
from fund.claims.matching import compare_names, national_id_key, phone_key
from fund.claims.models import (
    Claim,
)
from fund.claims.services import masked
from fund.disbursements.models import PaymentLine
from fund.entitlements.models import Entitlement
from fund.rolls.models import RollWorker

# --- matching ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PaymentSeen:
    """One payment line of the event for a candidate."""

    batch_id: int
    receipt_number: str
    state: str
    amount_minor: int


@dataclass(slots=True)
class Candidate:
    """A worker on the event's roll or in its payments who may be the claimant, and why."""

    worker_id: str
    name: str
    national_id_masked: str
    section: str | None
    on_roll: bool
    reasons: list[str] = field(default_factory=list)
    score: int = 0
    payments: list[PaymentSeen] = field(default_factory=list)


_NAME_SCORE = {"same": 2, "sounds the same": 2, "sounds similar": 1}


def _judge(claim: Claim, name: str, national_id: str, phone: str | None) -> tuple[list[str], int]:
    reasons: list[str] = []
    score = 0
    if national_id_key(national_id) == claim.national_id:
        reasons.append("national ID is the same")
        score += 4
    if claim.phone and phone and phone_key(phone) == claim.phone:
        reasons.append("phone is the wallet number on the roll")
        score += 2
    name_match = compare_names(claim.worker_name, name)
    if name_match is not None:
        reasons.append(name_match.detail)
        score += _NAME_SCORE[name_match.strength]
    return reasons, score


def candidates(session: Session, claim: Claim, *, limit: int = 20) -> list[Candidate]:
    """Workers of the event's roll and payments who may be the claimant, best first, with why."""
    event = claim.event
    found: dict[str, Candidate] = {}
    if event.roll_id is not None:
        workers = session.execute(
            select(
                RollWorker.worker_id,
                RollWorker.name,
                RollWorker.national_id,
                RollWorker.wallet_number,
                RollWorker.section,
            ).where(RollWorker.roll_id == event.roll_id)
        )
        for worker_id, name, national_id, wallet, section in workers:
            reasons, score = _judge(claim, name, national_id, wallet)
            if reasons:
                found[worker_id] = Candidate(
                    worker_id, name, masked(national_id), section, True, reasons, score
                )
    lines = session.execute(
        select(
            PaymentLine.worker_id,
            PaymentLine.name,
            Entitlement.national_id,
            PaymentLine.wallet_number,
            PaymentLine.section,
            PaymentLine.batch_id,
            PaymentLine.receipt_number,
            PaymentLine.state,
            PaymentLine.amount_minor,
        )
        .join(Entitlement, PaymentLine.entitlement_id == Entitlement.id)
        .where(PaymentLine.event_id == event.id)
        .order_by(PaymentLine.id)
    )
    for worker_id, name, national_id, wallet, section, batch_id, receipt, state, amount in lines:
        candidate = found.get(worker_id)
        if candidate is None:
            reasons, score = _judge(claim, name, national_id, wallet)
            if not reasons:
                continue
            candidate = Candidate(
                worker_id, name, masked(national_id), section, False, reasons, score
            )
            found[worker_id] = candidate
        candidate.payments.append(PaymentSeen(batch_id, receipt, state, amount))
    ranked = sorted(found.values(), key=lambda c: (-c.score, c.worker_id))
    return ranked[:limit]
