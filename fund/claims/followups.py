"""Claims that grow out of earlier contact: a logged call whose worker's ID is found, and a
decided claim reopened. Both file through ``filing.file_claim`` (every filing rule applies)
and keep the history linked: the calls point at the claim, the new claim at the one it reopens.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from fund.audit.services import record
from fund.auth.models import User
from fund.auth.roles import CLAIM_DECIDERS
from fund.claims import filing, services
from fund.claims.cases import CaseRefused
from fund.claims.models import Claim, ClaimCall
from fund.events.models import Event


def claim_from_call(
    session: Session,
    *,
    call: ClaimCall,
    event: Event,
    kind: str,
    national_id: str,
    actor: User,
    worker_name: str = "",
    section: str = "",
    today: date | None = None,
) -> Claim:
    """File the claim a logged call was about, now that the worker's national ID is found.

    The call, and the earlier calls from the same phone that became no claim, are linked to it.
    """
    if call.claim_id is not None:
        raise CaseRefused(f"call {call.id} already belongs to a claim")
    if call.factory_id is not None and call.factory_id != event.factory_id:
        raise CaseRefused(f"call {call.id} was about another factory")
    claim = filing.file_claim(
        session,
        event=event,
        kind=kind,
        raised_by="helpline",
        raised_by_name=actor.username,
        worker_name=worker_name or call.caller_name,
        national_id=national_id,
        phone=call.phone,
        section=section,
        description=f"From call {call.id}: {call.question}\nAnswer given: {call.answer}",
        language=call.language,
        actor=actor,
        today=today,
    )
    linked = [call.id]
    if call.phone:
        linked += list(
            session.scalars(
                select(ClaimCall.id).where(
                    ClaimCall.phone == call.phone,
                    ClaimCall.claim_id.is_(None),
                    ClaimCall.id != call.id,
                )
            )
        )
    session.execute(
        update(ClaimCall)
        .where(ClaimCall.id.in_(linked))
        .values(claim_id=claim.id, event_id=event.id, factory_id=event.factory_id)
    )
    session.refresh(call)
    record(
        session, actor=actor, action="claims.from_call", object_type="claim", object_id=claim.id,
        after={"calls": sorted(linked)},
    )  # fmt: skip
    return claim


def reopen_claim(
    session: Session, *, claim: Claim, actor: User, reason: str, today: date | None = None
) -> Claim:
    """A new open claim for a rejected claim, or a referral that came back; the old one stays.

    The new claim points at the one it reopens, so its history (decision, notes, calls) is one
    click away; the filing rules run again (a paid worker is still refused).
    """
    if actor.role_enum not in CLAIM_DECIDERS:
        raise services.NotAllowed(f"{actor.username} ({actor.role}) may not reopen claims")
    if not reason.strip():
        raise services.ClaimInvalid("say why the claim is reopened", "reason")
    if claim.status not in ("rejected", "referred") or (
        claim.status == "referred" and not claim.referral_outcome
    ):
        raise CaseRefused(
            f"claim {claim.reference} is {claim.status}"
            + (" and its referral has not come back" if claim.status == "referred" else "")
            + ": only a rejected claim or a referral that came back is reopened"
        )
    later = session.scalar(select(Claim).where(Claim.reopened_from_id == claim.id))
    if later is not None:
        raise CaseRefused(f"claim {claim.reference} was already reopened as {later.reference}")
    return filing.file_claim(
        session,
        event=claim.event,
        kind=claim.kind,
        raised_by=claim.raised_by,
        raised_by_name=claim.raised_by_name,
        worker_name=claim.worker_name,
        national_id=claim.national_id,
        phone=claim.phone,
        section=claim.section,
        description=f"Reopens {claim.reference}: {reason.strip()}\n\n{claim.description}",
        language=claim.language,
        actor=actor,
        today=today,
        reopens=claim,
    )
