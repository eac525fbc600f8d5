"""Filing a claim: from a worker, a helpline call or a verification call that found no money.

A worker already paid for the event cannot be paid again through a claim: a claim of a paying
kind (``not_on_roll``, ``not_received``) for a national ID a live line already paid is refused
at filing (and again at acceptance, ``deciding``). One open claim per event, kind and person
(any of their national IDs): a second is refused as a duplicate. Each filing records its
deadline, whether it came after the event's filing window, and an audit event naming the
workers the claim may be about (``searching``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fund.audit.services import record
from fund.auth.models import User
from fund.auth.roles import CLAIM_DECIDERS, CLAIM_FILERS
from fund.claims import cases, persons
from fund.claims.errors import ClaimInvalid as ClaimInvalid
from fund.claims.errors import ClaimRefused as ClaimRefused
from fund.claims.models import (
    CLAIM_KINDS,
    LANGUAGES,
    RAISED_BY,
    Claim,
)
from fund.claims.searching import candidates
from fund.claims.services import (
    KIND_LABELS,
    PAYING_KINDS,
    AlreadyPaid,
    ClaimStateError,
    DuplicateClaim,
    check_role,
    deadline_days,
    masked,
    snapshot,
)
from fund.controls.models import VerificationCall
from fund.controls.verification import claim_opened
from fund.db import utcnow
from fund.disbursements.models import PaymentLine
from fund.entitlements.models import Entitlement
from fund.events.models import Event
from ledger.money import format_minor

# --- filing --------------------------------------------------------------------------------


_clean_phone = persons.clean_phone


def paid_line(session: Session, *, event_id: int, national_id: str) -> PaymentLine | None:
    """The largest payment line of the event that paid this person (any of their IDs), if any."""
    lines = _person_lines(session, event_id=event_id, national_id=national_id, states=("paid",))
    return lines[0] if lines else None


def _person_lines(
    session: Session, *, event_id: int, national_id: str, states: Sequence[str]
) -> list[PaymentLine]:
    """The event's lines in ``states`` to any ID of the person, largest amount first."""
    return list(
        session.scalars(
            select(PaymentLine)
            .join(Entitlement, PaymentLine.entitlement_id == Entitlement.id)
            .where(
                PaymentLine.event_id == event_id,
                PaymentLine.state.in_(states),
                Entitlement.national_id.in_(sorted(persons.national_ids_of(session, national_id))),
            )
            .order_by(PaymentLine.amount_minor.desc(), PaymentLine.id)
        )
    )


def refuse_if_paid(session: Session, *, event: Event, kind: str, national_id: str) -> None:
    if kind not in PAYING_KINDS:
        return
    lines = _person_lines(
        session, event_id=event.id, national_id=national_id, states=persons.LIVE_STATES
    )
    paid = [line for line in lines if line.state == "paid"]
    # "Not received" is a fair question while any of the person's payments is still on its
    # way: a small paid top-up does not answer for a main payment still pending.
    if not paid or (kind == "not_received" and len(paid) < len(lines)):
        return
    line = paid[0]
    when = f" on {line.settled_on:%d/%m/%Y}" if line.settled_on else ""
    raise AlreadyPaid(
        f"national ID {masked(national_id)} was already paid for this event: receipt "
        f"{line.receipt_number}, {format_minor(line.amount_minor, 'BDT')} BDT{when}"
        f" (worker {line.worker_id}, {line.name}). A claim cannot pay the worker twice; if the"
        " worker says the money never arrived,"
        " check the receipt with the provider."
    )


def file_claim(
    session: Session,
    *,
    event: Event,
    kind: str,
    raised_by: str,
    worker_name: str,
    national_id: str,
    actor: User,
    phone: str = "",
    section: str = "",
    description: str = "",
    raised_by_name: str = "",
    language: str = "en",
    today: date | None = None,
    deadlines: Mapping[str, int] | None = None,
    reopens: Claim | None = None,
) -> Claim:
    """Record a worker's claim about ``event``; refuse duplicates and already-paid workers.

    A claim filed after the event's filing window is flagged ``late`` (accepting it then needs
    a reason); ``reopens`` links a new claim to the decided claim it reopens.
    """
    check_role(actor, CLAIM_FILERS, "file claims")
    if kind not in CLAIM_KINDS:
        raise ClaimInvalid(f"kind must be one of {', '.join(CLAIM_KINDS)}", "kind")
    if raised_by not in RAISED_BY:
        raise ClaimInvalid(f"raised by must be one of {', '.join(RAISED_BY)}", "raised_by")
    if not worker_name.strip():
        raise ClaimInvalid("give the worker's name as they give it", "worker_name")
    if language not in LANGUAGES:
        raise ClaimInvalid(f"language must be one of {', '.join(LANGUAGES)}", "language")
    nid = persons.clean_national_id(national_id)
    mobile = _clean_phone(phone)
    existing = _open_claim(session, event=event, kind=kind, national_id=nid)
    if existing is not None:
        raise DuplicateClaim(
            f"claim {existing.reference} ({KIND_LABELS[kind]}) is already open for national ID"
            f" {masked(nid)} and this event; add to it instead of filing it again"
        )
    refuse_if_paid(session, event=event, kind=kind, national_id=nid)
    claim = _new_claim(
        session,
        event=event,
        kind=kind,
        actor=actor,
        filed=today,
        deadlines=deadlines,
        raised_by=raised_by,
        raised_by_name=raised_by_name.strip()[:200],
        worker_name=worker_name.strip()[:200],
        national_id=nid,
        phone=mobile,
        section=section.strip()[:100],
        description=description.strip(),
    )
    claim.language = language
    claim.late = cases.filed_late(session, event=event, on=today or utcnow().date())
    claim.reopened_from_id = reopens.id if reopens is not None else None
    found = candidates(session, claim)
    facts: dict[str, Any] = {"candidates": [c.worker_id for c in found]}
    if claim.late:
        facts["late"] = "filed after the event's filing window"
    if reopens is not None:
        facts["reopens"] = reopens.reference
    _audit_filing(session, claim, actor, **facts)
    return claim


def _open_claim(session: Session, *, event: Event, kind: str, national_id: str) -> Claim | None:
    """The claim of this kind still open for the person (any of their IDs) and event, if any."""
    return session.scalar(
        select(Claim).where(
            Claim.event_id == event.id,
            Claim.national_id.in_(sorted(persons.national_ids_of(session, national_id))),
            Claim.kind == kind,
            Claim.status == "open",
        )
    )


def _new_claim(
    session: Session,
    *,
    event: Event,
    kind: str,
    actor: User,
    filed: date | None,
    deadlines: Mapping[str, int] | None,
    **details: str,
) -> Claim:
    day = filed or utcnow().date()
    claim = Claim(
        event_id=event.id,
        factory_id=event.factory_id,
        kind=kind,
        status="open",
        filed_by_id=actor.id,
        due_on=day + timedelta(days=deadline_days(kind, deadlines)),
        **details,
    )
    session.add(claim)
    session.flush()
    return claim


def _audit_filing(session: Session, claim: Claim, actor: User, **facts: object) -> None:
    record(
        session,
        actor=actor,
        action="claims.file",
        object_type="claim",
        object_id=claim.id,
        after={**snapshot(claim), **facts},
    )


def claim_from_verification(
    session: Session,
    *,
    call: VerificationCall,
    actor: User,
    today: date | None = None,
    deadlines: Mapping[str, int] | None = None,
) -> Claim:
    """A ``not_received`` claim for a sampled worker who told the helpline the money never came.

    The line is recorded as paid, so this claim is a trace with the provider, not a second
    payment: accepting it with pay is refused like any claim for a paid worker; a payment the
    provider confirms as failed is reissued from its batch.
    """
    check_role(actor, CLAIM_DECIDERS, "open claims from verification answers")
    if call.outcome != "not_received" or call.follow_up != "awaiting_claim":
        raise ClaimStateError(
            f"verification call {call.id} is not a 'not received' answer awaiting a claim"
        )
    line = session.get(PaymentLine, call.line_id)
    assert line is not None  # a call is always about a line
    entitlement = session.get(Entitlement, line.entitlement_id)
    assert entitlement is not None
    event = session.get(Event, line.event_id)
    assert event is not None
    nid = entitlement.national_id or ""
    existing = _open_claim(session, event=event, kind="not_received", national_id=nid)
    if existing is None:
        existing = _new_claim(
            session,
            event=event,
            kind="not_received",
            actor=actor,
            filed=today,
            deadlines=deadlines,
            raised_by="helpline",
            raised_by_name="verification call",
            worker_name=line.name,
            national_id=nid,
            phone=line.wallet_number or "",
            section=line.section or "",
            description=(
                f"Verification call {call.position} of batch {line.batch_id}: receipt "
                f"{line.receipt_number}, {format_minor(line.amount_minor, 'BDT')} BDT recorded as "
                f"paid ({line.method}), the worker says it was not received. {call.note}"
            ).strip(),
        )
        _audit_filing(session, existing, actor, verification_call=call.id)
    claim_opened(session, call=call, reference=existing.reference, actor=actor)
    return existing
