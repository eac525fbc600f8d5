"""The claim rules: filing, matching, attachments, and deciding (accept, reject, refer).

Services add and flush; the request or the CLI command commits once. Accepting a claim reuses
the fund's own machinery and no shortcut: the corrected or missing worker goes into a new roll
version through the rolls import (the same checks as a factory's file), the event is computed
again by the entitlements service, and the worker's difference goes into a top-up batch that is
submitted for the usual four-eyes approval. A worker already paid for the event cannot be paid
again through a claim: such claims are refused, at filing and again at acceptance.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fund.audit.services import record
from fund.auth.models import User
from fund.auth.roles import CLAIM_DECIDERS, CLAIM_FILERS, Role
from fund.claims import cases, messages, persons
from fund.claims.errors import ClaimInvalid as ClaimInvalid
from fund.claims.errors import ClaimRefused as ClaimRefused
from fund.claims.matching import compare_names, national_id_key, phone_key
from fund.claims.models import (
    CLAIM_KINDS,
    LANGUAGES,
    RAISED_BY,
    REFERRAL_OUTCOMES,
    Claim,
    ClaimAttachment,
)
from fund.controls.approvals import DEFAULT_BANDS, Band
from fund.controls.models import VerificationCall
from fund.controls.verification import claim_opened
from fund.db import utcnow
from fund.disbursements import approving, making
from fund.disbursements import services as batches
from fund.disbursements.models import DisbursementBatch, PaymentLine
from fund.entitlements.models import Entitlement, EntitlementRun
from fund.entitlements.rules import REASONS, EntitlementError
from fund.entitlements.services import compute_for_event, latest_run, policy_for
from fund.events.models import Event
from fund.events.services import set_roll
from fund.rolls.models import RollWorker
from fund.rolls.services import RollRejected, import_roll, roll_rows
from imports import RollRow, write_roll_csv
from ledger.money import MoneyError, format_minor, to_minor

#: Days the fund gives itself to decide a claim, by kind (the app config ``CLAIM_DEADLINES``
#: overrides): money that did not arrive is urgent, a missing worker needs the factory's word.
DEADLINE_DAYS: Mapping[str, int] = {
    "not_received": 7,
    "wrong_amount": 14,
    "not_on_roll": 30,
    "other": 30,
}
#: Largest attachment accepted (the app config ``CLAIM_ATTACHMENT_MAX_BYTES`` overrides).
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
#: What an attachment may be, told by its first bytes (never by its name).
ATTACHMENT_TYPES: tuple[tuple[bytes, str, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"%PDF-", "application/pdf", ".pdf"),
)
_STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(jpg|png|pdf)$")
#: Kinds whose claim would pay the worker again if they were already paid.
PAYING_KINDS = frozenset({"not_on_roll", "not_received"})
KIND_LABELS = {
    "not_on_roll": "not on the roll",
    "wrong_amount": "wrong amount",
    "not_received": "not received",
    "other": "other",
}


class DuplicateClaim(ClaimRefused):
    """The same worker already has an open claim of this kind for the event."""


class AlreadyPaid(ClaimRefused):
    """The worker's payment for the event is recorded as paid: a claim cannot pay it again."""


class ClaimStateError(ClaimRefused):
    """The claim was already decided."""


class AttachmentRefused(ClaimInvalid):
    """A file that is not a JPEG, PNG or PDF, is empty, or is too big."""


class NotAllowed(ClaimRefused):
    """The user's role may not take this step."""


def _check_role(actor: User, allowed: frozenset[Role], what: str) -> None:
    if actor.role_enum not in allowed:
        raise NotAllowed(f"{actor.username} ({actor.role}) may not {what}")


def _snapshot(claim: Claim) -> dict[str, Any]:
    return {
        "reference": claim.reference,
        "event": claim.event_id,
        "kind": claim.kind,
        "status": claim.status,
        "raised_by": claim.raised_by,
        "worker_name": claim.worker_name,
        "national_id": claim.national_id,
        "phone": claim.phone,
        "due_on": claim.due_on.isoformat(),
    }


def deadline_days(kind: str, overrides: Mapping[str, int] | None = None) -> int:
    """How many days the fund has to decide a claim of ``kind``."""
    return int({**DEADLINE_DAYS, **(overrides or {})}[kind])


def masked(national_id: str) -> str:
    """All but the last four digits hidden (the batch sheets' rule)."""
    return batches.masked(national_id)


# --- filing --------------------------------------------------------------------------------


_clean_national_id = persons.clean_national_id
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


def _refuse_if_paid(session: Session, *, event: Event, kind: str, national_id: str) -> None:
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
    _check_role(actor, CLAIM_FILERS, "file claims")
    if kind not in CLAIM_KINDS:
        raise ClaimInvalid(f"kind must be one of {', '.join(CLAIM_KINDS)}", "kind")
    if raised_by not in RAISED_BY:
        raise ClaimInvalid(f"raised by must be one of {', '.join(RAISED_BY)}", "raised_by")
    if not worker_name.strip():
        raise ClaimInvalid("give the worker's name as they give it", "worker_name")
    if language not in LANGUAGES:
        raise ClaimInvalid(f"language must be one of {', '.join(LANGUAGES)}", "language")
    nid = _clean_national_id(national_id)
    mobile = _clean_phone(phone)
    existing = _open_claim(session, event=event, kind=kind, national_id=nid)
    if existing is not None:
        raise DuplicateClaim(
            f"claim {existing.reference} ({KIND_LABELS[kind]}) is already open for national ID"
            f" {masked(nid)} and this event; add to it instead of filing it again"
        )
    _refuse_if_paid(session, event=event, kind=kind, national_id=nid)
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
        after={**_snapshot(claim), **facts},
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
    _check_role(actor, CLAIM_DECIDERS, "open claims from verification answers")
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


# --- attachments ---------------------------------------------------------------------------


def sniff_attachment(data: bytes) -> tuple[str, str]:
    """``(content type, extension)`` of a JPEG, PNG or PDF, told by its first bytes."""
    for magic, content_type, extension in ATTACHMENT_TYPES:
        if data.startswith(magic):
            return content_type, extension
    raise AttachmentRefused(
        "the file is not a JPEG or PNG photo or a PDF (judged by its content, not its name)",
        "file",
    )


def add_attachment(
    session: Session,
    *,
    claim: Claim,
    data: bytes,
    filename: str,
    folder: Path,
    actor: User,
    max_bytes: int = MAX_ATTACHMENT_BYTES,
) -> ClaimAttachment:
    """Keep a photo of an ID card or pay slip with the claim, under a random name in ``folder``.

    The file is written before the row: if the request then fails, an unreferenced file is
    left behind (harmless), never a row pointing at nothing.
    """
    _check_role(actor, CLAIM_FILERS, "add attachments to claims")
    if not data:
        raise AttachmentRefused("the file is empty", "file")
    if len(data) > max_bytes:
        raise AttachmentRefused(
            f"the file has {len(data) / 1024 / 1024:.1f} MB; at most"
            f" {max_bytes / 1024 / 1024:g} MB is accepted (a phone photo at normal quality fits)",
            "file",
        )
    content_type, extension = sniff_attachment(data)
    stored_name = secrets.token_hex(16) + extension
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    with (folder / stored_name).open("xb") as out:
        out.write(data)
    attachment = ClaimAttachment(
        claim_id=claim.id,
        original_name=Path(filename or "attachment").name[:255],
        stored_name=stored_name,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by_id=actor.id,
    )
    session.add(attachment)
    session.flush()
    record(
        session,
        actor=actor,
        action="claims.attach",
        object_type="claim",
        object_id=claim.id,
        after={
            "attachment": attachment.id,
            "name": attachment.original_name,
            "type": content_type,
            "size": attachment.size,
            "sha256": attachment.sha256,
        },
    )
    return attachment


def attachment_path(folder: Path, attachment: ClaimAttachment) -> Path:
    """Where the attachment's file is; only names this module made are ever opened."""
    if not _STORED_NAME.fullmatch(attachment.stored_name):
        raise LookupError(f"attachment {attachment.id} has no stored file")
    return folder / attachment.stored_name


# --- deciding ------------------------------------------------------------------------------


def _lock(session: Session, claim: Claim) -> None:
    session.execute(select(Claim.id).where(Claim.id == claim.id).with_for_update())
    session.refresh(claim)


def _require_open(claim: Claim) -> None:
    if claim.status != "open":
        raise ClaimStateError(f"claim {claim.reference} is already {claim.status}")


_DECISION_ACTIONS = {
    "accepted": "claims.accept",
    "rejected": "claims.reject",
    "referred": "claims.refer",
}


def _decide(
    session: Session, claim: Claim, status: str, actor: User, note: str, **facts: Any
) -> None:
    before = _snapshot(claim)
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
        after={**_snapshot(claim), "note": claim.decision_note, **facts},
    )


def reject_claim(session: Session, *, claim: Claim, actor: User, reason: str) -> Claim:
    """Close the claim without paying; the reason is what the claimant will be told."""
    _check_role(actor, CLAIM_DECIDERS, "decide claims")
    _lock(session, claim)
    _require_open(claim)
    if not reason.strip():
        raise ClaimInvalid("say why the claim is not accepted: the worker will be told", "reason")
    _decide(session, claim, "rejected", actor, reason)
    return claim


def refer_claim(
    session: Session, *, claim: Claim, actor: User, referred_to: str, note: str
) -> Claim:
    """Pass the claim to someone else (the factory, a union, the labour inspectorate)."""
    _check_role(actor, CLAIM_DECIDERS, "decide claims")
    _lock(session, claim)
    _require_open(claim)
    if not referred_to.strip():
        raise ClaimInvalid("say to whom the claim is referred", "referred_to")
    claim.referred_to = referred_to.strip()[:200]
    _decide(session, claim, "referred", actor, note, referred_to=claim.referred_to)
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
    nid = _clean_national_id(worker.national_id)
    _refuse_if_paid(session, event=event, kind=claim.kind, national_id=nid)
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
    _check_role(actor, CLAIM_DECIDERS, "decide claims")
    _lock(session, claim)
    _require_open(claim)
    event = claim.event
    _refuse_if_paid(session, event=event, kind=claim.kind, national_id=claim.national_id)
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
    _decide(session, claim, "accepted", actor, note, **facts)
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


# --- telling the claimant ------------------------------------------------------------------


def outcome_text(claim: Claim, *, helpline: str = "") -> str:
    """The SMS for the claim's current state, in the worker's language (``messages``)."""
    return messages.sms_for(claim, helpline=helpline)


# --- what is late, and reports -------------------------------------------------------------


def overdue(session: Session, *, today: date, limit: int = 50) -> list[Claim]:
    """Open claims past their deadline, oldest deadline first."""
    return list(
        session.scalars(
            select(Claim)
            .where(Claim.status == "open", Claim.due_on < today)
            .order_by(Claim.due_on, Claim.id)
            .limit(limit)
        )
    )


def overdue_count(session: Session, *, today: date) -> int:
    """How many open claims are past their deadline."""
    return (
        session.scalar(
            select(func.count(Claim.id)).where(Claim.status == "open", Claim.due_on < today)
        )
        or 0
    )


#: Age bands of open claims, in days since filing.
AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("0–7 days", 0, 7),
    ("8–14 days", 8, 14),
    ("15–30 days", 15, 30),
    ("over 30 days", 31, None),
)


@dataclass(frozen=True, slots=True)
class ClaimReport:
    """Claims counted by factory, kind, status and age, and how many were decided in time.

    A referral is decided when its outcome comes back (``referrals``), not when it is sent:
    until then it counts in ``referrals_waiting`` and neither in time nor late.
    """

    total: int
    by_factory: dict[str, dict[str, int]]  # factory code → status → count
    by_kind: dict[str, dict[str, int]]  # kind → status → count
    by_status: dict[str, int]
    open_by_age: dict[str, int]
    decided: int
    decided_in_time: int
    overdue: int
    referrals: dict[str, int]  # outcome → count, "" for those still waiting
    late_filed: int

    @property
    def referrals_waiting(self) -> int:
        """Referrals sent whose outcome has not come back."""
        return self.referrals.get("", 0)

    @property
    def share_in_time(self) -> float | None:
        """Decided claims decided by their deadline, as a fraction (None before any)."""
        return self.decided_in_time / self.decided if self.decided else None


def _day(moment: datetime) -> date:
    return moment.date()


def report(session: Session, *, today: date) -> ClaimReport:
    """Counts of every claim: the claims report page, API and CLI all show this."""
    from fund.factories.models import Factory

    rows = session.execute(
        select(
            Claim.kind, Claim.status, Claim.filed_at, Claim.due_on, Claim.decided_at, Factory.code,
            Claim.referral_outcome, Claim.referral_returned_at, Claim.late,
        ).join(Factory, Claim.factory_id == Factory.id)
    ).all()  # fmt: skip
    by_factory: dict[str, Counter[str]] = defaultdict(Counter)
    by_kind: dict[str, Counter[str]] = defaultdict(Counter)
    by_status: Counter[str] = Counter()
    ages: Counter[str] = Counter({label: 0 for label, _, _ in AGE_BANDS})
    referrals: Counter[str] = Counter({"": 0, **dict.fromkeys(REFERRAL_OUTCOMES, 0)})
    decided = in_time = late = late_filed = 0
    for kind, status, filed_at, due_on, decided_at, code, outcome, returned, was_late in rows:
        by_factory[code][status] += 1
        by_kind[kind][status] += 1
        by_status[status] += 1
        late_filed += bool(was_late)
        if status == "referred":
            referrals[outcome] += 1
            decided_at = returned  # decided when the outcome came back
            if decided_at is None:
                late += due_on < today
                continue
        if status == "open":
            age = (today - _day(filed_at)).days
            for label, low, high in AGE_BANDS:
                if age >= low and (high is None or age <= high):
                    ages[label] += 1
                    break
            late += due_on < today
        else:
            decided += 1
            in_time += decided_at is not None and _day(decided_at) <= due_on
    return ClaimReport(
        total=len(rows),
        by_factory={code: dict(counts) for code, counts in sorted(by_factory.items())},
        by_kind={kind: dict(by_kind.get(kind, Counter())) for kind in CLAIM_KINDS},
        by_status={
            status: by_status.get(status, 0)
            for status in ("open", "accepted", "rejected", "referred")
        },
        open_by_age=dict(ages),
        decided=decided,
        decided_in_time=in_time,
        overdue=late,
        referrals=dict(referrals),
        late_filed=late_filed,
    )
