"""Case handling around claims: every call logged, case notes, callbacks, referral outcomes,
the filing window, who may see a claim's files, and search.

A call is logged whether or not it becomes a claim: a caller with only a phone number, or a
factory with no event, is still someone the fund spoke to. A claim filed after its event's
filing window is flagged late (never refused, never silently accepted). A referral is not
decided until its outcome comes back. The helpline sees the attachments of the claims it is
handling (filed, called about, or owns the callback of); every opening of one is audited.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from fund.audit.services import record
from fund.auth.models import User
from fund.auth.roles import CLAIM_DECIDERS, CLAIM_FILERS, Role
from fund.claims import persons
from fund.claims.errors import ClaimInvalid, ClaimRefused
from fund.claims.models import (
    LANGUAGES,
    REFERRAL_OUTCOMES,
    Claim,
    ClaimAttachment,
    ClaimCall,
    ClaimNote,
    FilingWindow,
)
from fund.db import utcnow
from fund.display import page_count
from fund.events.models import Event
from fund.factories.models import Factory
from imports.identifiers import IdentifierRefused, parse_national_id, parse_wallet

#: Days after an event ends that claims about it are on time, unless the event sets its own
#: (``set_filing_window``). The fund's own rule, not a legal limit: a year covers a worker who
#: learns late that others were paid, and makes a claim 17 months on stand out for a reason.
DEFAULT_FILING_WINDOW_DAYS = 365


class CaseRefused(ClaimRefused):
    """A case-handling step the rules do not allow."""


def _require(actor: User, roles: frozenset[Role], what: str) -> None:
    if actor.role_enum not in roles:
        raise CaseRefused(f"{actor.username} ({actor.role}) may not {what}")


_phone = persons.clean_phone


def _national_id(text: str) -> str:
    return persons.clean_national_id(text) if text.strip() else ""


# --- the filing window -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Window:
    """Claims about the event are on time through ``closes`` (None: the event is ongoing)."""

    days: int
    closes: date | None
    own: bool  # the event sets its own window


def filing_window(session: Session, *, event: Event) -> Window:
    """The event's filing window: its own, or the fund's default, from the day it ended."""
    row = session.get(FilingWindow, event.id)
    days = row.days if row is not None else DEFAULT_FILING_WINDOW_DAYS
    ended = event.start_date if event.kind == "closure" else event.end_date
    return Window(days, ended + timedelta(days=days) if ended else None, row is not None)


def filed_late(session: Session, *, event: Event, on: date) -> bool:
    """Whether a claim filed ``on`` that day is after the event's filing window."""
    closes = filing_window(session, event=event).closes
    return closes is not None and on > closes


def set_filing_window(session: Session, *, event: Event, days: int, actor: User) -> Window:
    """Give the event its own filing window (days after it ended); audited."""
    _require(actor, CLAIM_DECIDERS, "set filing windows")
    if days < 1:
        raise ClaimInvalid("a filing window is at least one day", "days")
    before = filing_window(session, event=event).days
    row = session.get(FilingWindow, event.id)
    if row is None:
        session.add(FilingWindow(event_id=event.id, days=days, set_by_id=actor.id))
    else:
        row.days, row.set_by_id, row.set_at = days, actor.id, utcnow()
    session.flush()
    record(
        session, actor=actor, action="claims.filing_window", object_type="event",
        object_id=event.id, before={"days": before}, after={"days": days},
    )  # fmt: skip
    return filing_window(session, event=event)


# --- calls, notes, callbacks -------------------------------------------------------------------


def log_call(
    session: Session,
    *,
    actor: User,
    caller_name: str,
    question: str,
    answer: str,
    phone: str = "",
    national_id: str = "",
    factory: Factory | None = None,
    event: Event | None = None,
    claim: Claim | None = None,
    language: str = "bn",
    callback_on: date | None = None,
    callback_owner: User | None = None,
) -> ClaimCall:
    """Record one call: who called, their phone, what they asked and what they were told."""
    _require(actor, CLAIM_FILERS, "log calls")
    if not caller_name.strip():
        raise ClaimInvalid("give the caller's name as they give it", "caller_name")
    if not question.strip():
        raise ClaimInvalid("say what the caller asked", "question")
    if not answer.strip():
        raise ClaimInvalid("say what the caller was told", "answer")
    if language not in LANGUAGES:
        raise ClaimInvalid(f"language must be one of {', '.join(LANGUAGES)}", "language")
    if event is not None and factory is not None and event.factory_id != factory.id:
        raise ClaimInvalid("the event is not the factory's", "event")
    if callback_on is not None and callback_owner is None:
        callback_owner = actor
    call = ClaimCall(
        claim_id=claim.id if claim is not None else None,
        factory_id=(factory.id if factory else event.factory_id if event else None),
        event_id=event.id if event is not None else None,
        caller_name=caller_name.strip()[:200],
        phone=_phone(phone),
        national_id=_national_id(national_id),
        question=question.strip(),
        answer=answer.strip(),
        language=language,
        taken_by_id=actor.id,
        callback_on=callback_on,
        callback_owner_id=callback_owner.id if callback_owner is not None else None,
    )
    session.add(call)
    session.flush()
    record(
        session, actor=actor, action="claims.call", object_type="claim_call", object_id=call.id,
        after={
            "claim": claim.reference if claim is not None else None, "phone": call.phone,
            "factory": call.factory_id, "event": call.event_id, "callback_on":
            callback_on.isoformat() if callback_on else None,
        },
    )  # fmt: skip
    return call


def calls_of(session: Session, claim: Claim) -> list[ClaimCall]:
    """The calls linked to the claim, oldest first."""
    return list(
        session.scalars(
            select(ClaimCall).where(ClaimCall.claim_id == claim.id).order_by(ClaimCall.id)
        )
    )


def add_note(session: Session, *, claim: Claim, body: str, actor: User) -> ClaimNote:
    """A case note: for the fund's eyes only, never on a letter or an SMS."""
    _require(actor, CLAIM_FILERS, "write case notes")
    if not body.strip():
        raise ClaimInvalid("a case note needs some words", "body")
    note = ClaimNote(claim_id=claim.id, body=body.strip(), written_by_id=actor.id)
    session.add(note)
    session.flush()
    record(
        session, actor=actor, action="claims.note", object_type="claim", object_id=claim.id,
        after={"note": note.id},
    )  # fmt: skip
    return note


def notes_of(session: Session, claim: Claim) -> list[ClaimNote]:
    """The claim's case notes, oldest first."""
    return list(
        session.scalars(
            select(ClaimNote).where(ClaimNote.claim_id == claim.id).order_by(ClaimNote.id)
        )
    )


def set_callback(
    session: Session, *, claim: Claim, on: date | None, owner: User | None, actor: User
) -> Claim:
    """Who calls the worker back, and by when (``on=None`` clears it)."""
    _require(actor, CLAIM_FILERS, "set callbacks")
    if on is not None and owner is None:
        raise ClaimInvalid("say who calls back", "owner")
    if owner is not None and owner.role_enum not in CLAIM_FILERS:
        raise ClaimInvalid(f"{owner.username} ({owner.role}) does not call workers", "owner")
    before = {"on": claim.callback_on.isoformat() if claim.callback_on else None}
    claim.callback_on = on
    claim.callback_owner_id = owner.id if (owner is not None and on is not None) else None
    session.flush()
    record(
        session, actor=actor, action="claims.callback", object_type="claim", object_id=claim.id,
        before=before,
        after={"on": on.isoformat() if on else None, "owner": owner.username if owner else None},
    )  # fmt: skip
    return claim


def callbacks_due(session: Session, *, owner: User, today: date) -> list[Claim]:
    """Claims whose callback falls to ``owner`` on or before ``today``, soonest first."""
    return list(
        session.scalars(
            select(Claim)
            .where(Claim.callback_owner_id == owner.id, Claim.callback_on <= today)
            .order_by(Claim.callback_on, Claim.id)
        )
    )


# --- referrals ---------------------------------------------------------------------------------


def record_referral_outcome(
    session: Session, *, claim: Claim, outcome: str, note: str, actor: User
) -> Claim:
    """The review panel or complaints body answered: the referral is decided only now."""
    _require(actor, CLAIM_DECIDERS, "record referral outcomes")
    if claim.status != "referred":
        raise CaseRefused(f"claim {claim.reference} is {claim.status}, not referred")
    if claim.referral_outcome:
        raise CaseRefused(f"claim {claim.reference} already came back: {claim.referral_outcome}")
    if outcome not in REFERRAL_OUTCOMES:
        raise ClaimInvalid(f"outcome must be one of {', '.join(REFERRAL_OUTCOMES)}", "outcome")
    claim.referral_outcome = outcome
    claim.referral_note = note.strip()
    claim.referral_returned_at = utcnow()
    session.flush()
    record(
        session, actor=actor, action="claims.referral_outcome", object_type="claim",
        object_id=claim.id, before={"outcome": None},
        after={"outcome": outcome, "note": claim.referral_note, "to": claim.referred_to},
    )  # fmt: skip
    return claim


# --- who may see a claim's files ---------------------------------------------------------------


def handles(session: Session, *, claim: Claim, user: User) -> bool:
    """Whether the user may open the claim's attachments.

    Fund staff who read claims may; the helpline only for claims it is handling: filed by
    them, a call about it taken by them, or its callback theirs.
    """
    if user.role_enum != Role.HELPLINE:
        return True
    if claim.filed_by_id == user.id or claim.callback_owner_id == user.id:
        return True
    return bool(
        session.scalar(
            select(exists().where(ClaimCall.claim_id == claim.id, ClaimCall.taken_by_id == user.id))
        )
    )


def open_attachment(
    session: Session, *, claim: Claim, attachment: ClaimAttachment, actor: User
) -> ClaimAttachment:
    """Allow and audit one viewing of an attachment (an ID card is personal data)."""
    if attachment.claim_id != claim.id:
        raise CaseRefused(f"attachment {attachment.id} is not claim {claim.reference}'s")
    if not handles(session, claim=claim, user=actor):
        raise CaseRefused(
            f"{actor.username} is not handling claim {claim.reference}: its files are for the"
            " operator who handles it and fund staff"
        )
    record(
        session, actor=actor, action="claims.attachment_viewed", object_type="claim",
        object_id=claim.id, after={"attachment": attachment.id, "name": attachment.original_name},
    )  # fmt: skip
    return attachment


# --- search ------------------------------------------------------------------------------------

PER_PAGE = 50


@dataclass(frozen=True, slots=True)
class Found:
    """One page of claims found."""

    items: list[Claim]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """How many pages the claims found fill (at least one)."""
        return page_count(self.total, self.per_page)


def search(
    session: Session,
    *,
    text: str = "",
    status: str = "",
    kind: str = "",
    overdue_on: date | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Found:
    """Claims by reference, phone, national ID (any of the person's) or name; newest first.

    ``CL-000012`` or ``12`` finds the reference, an 11-digit mobile number the phone, a
    10/13/17-digit number the national ID of every form confirmed as one person, other words
    the name as given (and the phone or national ID containing the digits).
    """
    query = select(Claim)
    words = text.strip()
    if words:
        conditions = []
        reference = words.upper().removeprefix("CL-").lstrip("0")
        if reference.isdecimal() and len(reference) <= 9:
            conditions.append(Claim.id == int(reference))
        for parse, build in (
            (parse_wallet, lambda v: Claim.phone == v),
            (
                parse_national_id,
                lambda v: Claim.national_id.in_(sorted(persons.national_ids_of(session, v))),
            ),
        ):
            with contextlib.suppress(IdentifierRefused):
                conditions.append(build(parse(words)))
        like = f"%{words.replace('%', '').replace('_', '')}%"
        conditions.append(Claim.worker_name.ilike(like))
        digits = "".join(ch for ch in words if ch.isdigit())
        if len(digits) >= 4:
            conditions += [Claim.phone.like(f"%{digits}%"), Claim.national_id.like(f"%{digits}%")]
        query = query.where(or_(*conditions))
    if status:
        query = query.where(Claim.status == status)
    if kind:
        query = query.where(Claim.kind == kind)
    if overdue_on is not None:
        query = query.where(Claim.status == "open", Claim.due_on < overdue_on)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = max(1, page)
    items = session.scalars(
        query.order_by(Claim.id.desc()).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return Found(list(items), total, page, per_page)
