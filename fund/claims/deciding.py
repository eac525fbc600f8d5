"""Deciding a claim: accept, reject or refer it, once, by a claim decider.

A claim is decided only while open, with the claim row locked so two decisions queue. Rejecting
needs a reason (what the claimant will be told). Accepting reuses the fund's own machinery and
no shortcut: the corrected or missing worker goes into a new roll version through the rolls
import (the same checks as a factory's file), the event is computed again by the entitlements
service, and the worker's difference goes into a top-up batch that is submitted for the usual
four-eyes approval. A worker already paid for the event is refused again at acceptance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fund.audit.services import record
from fund.auth.models import User
from fund.auth.roles import CLAIM_DECIDERS
from fund.claims import persons
from fund.claims.errors import ClaimInvalid as ClaimInvalid
from fund.claims.errors import ClaimRefused as ClaimRefused
from fund.claims.filing import refuse_if_paid
from fund.claims.matching import national_id_key
from fund.claims.models import (
    Claim,
)
from fund.claims.services import ClaimStateError, check_role, masked, snapshot
from fund.controls.approvals import DEFAULT_BANDS, Band
from fund.db import utcnow
from fund.disbursements import approving, making
from fund.disbursements import services as batches
from fund.disbursements.models import DisbursementBatch
from fund.entitlements.models import Entitlement, EntitlementRun
from fund.entitlements.policy_versions import policy_for
from fund.entitlements.rules import REASONS, EntitlementError
from fund.entitlements.services import compute_for_event, latest_run
from fund.events.models import Event
from fund.events.services import set_roll
from fund.rolls.services import RollRejected, import_roll, roll_rows
from imports import RollRow, write_roll_csv
from ledger.money import MoneyError, format_minor, to_minor

# --- deciding ------------------------------------------------------------------------------


def lock_claim(session: Session, claim: Claim) -> None:
    session.execute(select(Claim.id).where(Claim.id == claim.id).with_for_update())
    session.refresh(claim)


def require_open(claim: Claim) -> None:
    if claim.status != "open":
        raise ClaimStateError(f"claim {claim.reference} is already {claim.status}")


_DECISION_ACTIONS = {
    "accepted": "claims.accept",
    "rejected": "claims.reject",
    "referred": "claims.refer",
}


def record_decision(
    session: Session, claim: Claim, status: str, actor: User, note: str, **facts: Any
) -> None:
    before = snapshot(claim)
    claim.status = status
    claim.decided_by_id = actor.id
    claim.decided_at = utcnow()
    claim.decision_note = note.strip()
    session.flush()
    record(
        session,
        actor=actor,
        action=_DECISION_ACTIONS[status],
        object_type="claim",
        object_id=claim.id,
        before=before,
        after={**snapshot(claim), "note": claim.decision_note, **facts},
    )


def reject_claim(session: Session, *, claim: Claim, actor: User, reason: str) -> Claim:
    """Close the claim without paying; the reason is what the claimant will be told."""
    check_role(actor, CLAIM_DECIDERS, "decide claims")
    lock_claim(session, claim)
    require_open(claim)
    if not reason.strip():
        raise ClaimInvalid("say why the claim is not accepted: the worker will be told", "reason")
    record_decision(session, claim, "rejected", actor, reason)
    return claim


def refer_claim(
    session: Session, *, claim: Claim, actor: User, referred_to: str, note: str
) -> Claim:
    """Pass the claim to someone else (the factory, a union, the labour inspectorate)."""
    check_role(actor, CLAIM_DECIDERS, "decide claims")
    lock_claim(session, claim)
    require_open(claim)
    if not referred_to.strip():
        raise ClaimInvalid("say to whom the claim is referred", "referred_to")
    claim.referred_to = referred_to.strip()[:200]
    record_decision(session, claim, "referred", actor, note, referred_to=claim.referred_to)
    return claim


def roll_line(
    *,
    worker_id: str,
    name: str,
    national_id: str,
    join_date: date | None,
    basic: Decimal | None,
    house_rent: Decimal | None = None,
    medical: Decimal | None = None,
    transport: Decimal | None = None,
    food: Decimal | None = None,
    section: str | None = None,
    payment_method: str | None = None,
    wallet_number: str | None = None,
    bank_account: str | None = None,
) -> RollRow:
    """A roll line from what an officer typed (monthly taka); the roll checks still run on it."""
    if not worker_id.strip():
        raise ClaimInvalid("give the worker's ID on the roll", "worker_id")
    if not name.strip():
        raise ClaimInvalid("give the worker's name as the roll should have it", "name")
    if join_date is None:
        raise ClaimInvalid("give the date the worker joined the factory", "join_date")
    if basic is None:
        raise ClaimInvalid("give the worker's monthly basic wage", "basic")
    try:
        wages = {
            label: to_minor(value or Decimal(0), "BDT")
            for label, value in (
                ("basic", basic),
                ("house_rent", house_rent),
                ("medical", medical),
                ("transport", transport),
                ("food", food),
            )
        }
    except MoneyError as error:
        raise ClaimInvalid(f"a wage is not an amount of taka and poisha: {error}") from None
    return RollRow(
        row=0,
        worker_id=worker_id.strip(),
        name=name.strip(),
        national_id=national_id_key(national_id),
        join_date=join_date,
        section=(section or "").strip() or None,
        payment_method=payment_method or None,
        wallet_number=(wallet_number or "").strip() or None,
        bank_account=(bank_account or "").strip() or None,
        basic=wages["basic"],
        house_rent=wages["house_rent"],
        medical=wages["medical"],
        transport=wages["transport"],
        food=wages["food"],
    )


def _supplement_roll(
    session: Session, *, claim: Claim, worker: RollRow, actor: User
) -> tuple[int, str]:
    """A new roll version of the event's factory with ``worker`` added or replaced."""
    event = claim.event
    if event.roll is None:
        raise ClaimRefused(f"event {event.id} has no roll to supplement: attach one first")
    base = event.roll
    rows = roll_rows(session, base.id)
    nid = persons.clean_national_id(worker.national_id)
    refuse_if_paid(session, event=event, kind=claim.kind, national_id=nid)
    by_id = {row.worker_id: row for row in rows}
    holder = next((row for row in rows if row.national_id == nid), None)
    if claim.kind == "not_on_roll":
        if worker.worker_id in by_id:
            raise ClaimInvalid(
                f"worker ID {worker.worker_id} is already on the roll"
                f" ({by_id[worker.worker_id].name}): give the missing worker's own ID",
                "worker_id",
            )
        if holder is not None:
            raise ClaimRefused(
                f"national ID {masked(nid)} is already on the roll as worker {holder.worker_id}"
                f" ({holder.name}): the worker is not missing; correct the data instead"
                " (a wrong-amount claim)"
            )
        new_rows = [*rows, worker]
        change = "added"
    else:
        if worker.worker_id not in by_id:
            raise ClaimInvalid(
                f"worker ID {worker.worker_id} is not on the roll: a correction replaces a"
                " worker the roll has",
                "worker_id",
            )
        if holder is not None and holder.worker_id != worker.worker_id:
            raise ClaimRefused(
                f"national ID {masked(nid)} belongs to worker {holder.worker_id} on the roll"
            )
        # What the officer did not retype stays as the roll had it (grade, designation, exit).
        kept = by_id[worker.worker_id]
        worker = replace(
            worker,
            grade=worker.grade or kept.grade,
            designation=worker.designation or kept.designation,
            exit_date=worker.exit_date or kept.exit_date,
        )
        new_rows = [worker if row.worker_id == worker.worker_id else row for row in rows]
        change = "corrected"
    data = write_roll_csv(new_rows)
    try:
        roll = import_roll(
            session,
            factory=event.factory,
            source=data,
            filename=f"{claim.reference}-supplement-to-v{base.version}.csv",
            as_of=base.as_of,
            actor=actor,
        )
    except RollRejected as error:
        problems = "; ".join(
            f"{p.column}: {p.message}" for p in error.problems if p.severity == "error"
        )
        raise ClaimInvalid(
            f"the worker's details do not pass the roll checks: {problems}"
        ) from None
    set_roll(session, event=event, roll=roll, actor=actor)
    return roll.id, change


def _recompute(session: Session, *, event: Event, actor: User) -> EntitlementRun:
    previous = latest_run(session, event)
    if previous is not None:
        version, through = previous.policy_version, previous.through
    elif event.policy_name:
        version, through = policy_for(session, event.policy_name, event=event), None
    else:
        raise ClaimRefused(
            f"event {event.id} was never computed and names no policy: compute it first"
        )
    try:
        return compute_for_event(
            session, event=event, policy_version=version, through=through, actor=actor
        )
    except EntitlementError as error:
        raise ClaimRefused(f"the event could not be computed again: {error}") from None


def accept_claim(
    session: Session,
    *,
    claim: Claim,
    actor: User,
    secret_key: str,
    note: str = "",
    worker: RollRow | None = None,
    worker_id: str | None = None,
    pay: bool = True,
    bands: Sequence[Band] = DEFAULT_BANDS,
) -> Claim:
    """Accept the claim; with ``pay``, the worker's difference goes to a submitted top-up batch.

    ``worker`` is the roll line as the factory confirmed it: added to a supplementary roll
    version (``not_on_roll``) or replacing the worker's line (a correction). Without it,
    ``worker_id`` names the roll's worker the claim is about. The event is computed again with
    its latest policy version, and a top-up batch of that one worker is made and submitted;
    an approver (not the accepting officer) approves it, as any batch. If the new roll version
    has high findings nobody has acknowledged, the top-up waits as a draft until they are.
    """
    check_role(actor, CLAIM_DECIDERS, "decide claims")
    lock_claim(session, claim)
    require_open(claim)
    event = claim.event
    refuse_if_paid(session, event=event, kind=claim.kind, national_id=claim.national_id)
    if worker is None and claim.kind == "not_on_roll":
        raise ClaimInvalid(
            "a worker missing from the roll is added with their roll details"
            " (worker ID, join date, wages, how they are paid) as the factory confirms them"
        )
    # The claimant is the payee: every check that could refuse runs before anything is written.
    worker_id = persons.payee(session, claim=claim, worker=worker, worker_id=worker_id)
    if pay and worker_id:
        persons.refuse_double_payment(
            session,
            event=event,
            national_id=claim.national_id,
            wallet=persons.wallet_paid(session, claim=claim, worker=worker, worker_id=worker_id),
            worker_id=worker_id,
        )
    if claim.late and not note.strip():
        raise ClaimInvalid(
            "the claim was filed after the event's filing window: say why it is accepted late",
            "note",
        )
    facts: dict[str, Any] = {}
    if worker is not None:
        claim.roll_id, change = _supplement_roll(session, claim=claim, worker=worker, actor=actor)
        facts.update(roll=claim.roll_id, worker=change)
    if worker_id:
        persons.link_worker(session, claim=claim, worker_id=worker_id, actor=actor)
    if claim.late:
        facts.update(late="filed after the event's filing window")
    if pay:
        if not worker_id:
            raise ClaimInvalid(
                "name the roll's worker to pay (a candidate's worker ID)", "worker_id"
            )
        run = _recompute(session, event=event, actor=actor)
        claim.run_id = run.id
        batch = _top_up(session, claim=claim, run=run, worker_id=worker_id, actor=actor,
                        secret_key=secret_key, bands=bands)  # fmt: skip
        claim.batch_id = batch.id
        claim.amount_minor = batch.total_minor
        facts.update(run=run.id, batch=batch.id, amount=format_minor(batch.total_minor, "BDT"))
        if batch.state == "draft":
            facts.update(held="roll findings to acknowledge before the top-up is submitted")
    record_decision(session, claim, "accepted", actor, note, **facts)
    return claim


def _top_up(
    session: Session,
    *,
    claim: Claim,
    run: EntitlementRun,
    worker_id: str,
    actor: User,
    secret_key: str,
    bands: Sequence[Band],
) -> DisbursementBatch:
    entitlement = session.scalar(
        select(Entitlement).where(Entitlement.run_id == run.id, Entitlement.worker_id == worker_id)
    )
    if entitlement is None:
        raise ClaimInvalid(f"worker {worker_id} is not on the event's roll", "worker_id")
    if not entitlement.eligible:
        reason = REASONS.get(entitlement.reason or "", entitlement.reason or "")
        raise ClaimRefused(
            f"worker {worker_id} is not entitled to a payment for this event: {reason}"
        )
    try:
        batch = making.create_batch(
            session,
            event=claim.event,
            actor=actor,
            secret_key=secret_key,
            selection=[worker_id],
            top_up=True,
        )
    except batches.NothingToPay:
        raise ClaimRefused(
            f"worker {worker_id} is already owed their full amount by a live payment line;"
            " nothing more to pay (a failed payment is reissued from its batch page)"
        ) from None
    except batches.BatchRefused as error:
        raise ClaimRefused(str(error)) from None
    try:
        return approving.submit(session, batch=batch, actor=actor, bands=bands)
    except batches.FindingsNotAcknowledged:
        # The control holds the money, not the decision: an officer acknowledges the new roll
        # version's high findings on its page, then submits the draft like any batch.
        return batch
