"""One person, not one ID: the national IDs an officer confirmed as one worker, and what the
event already pays that person or their wallet.

A Bangladeshi worker may hold a 10-digit smart-card NID, a 13- or 17-digit older NID and a
birth registration number. Nothing in the digits says two of them are one person, so the fund
does not guess: an officer who has seen both cards confirms it (``confirm_same_person``), and
from then on every rule that asks "was this person paid?" asks it of all their IDs:

- filing and accepting a claim (``payments_to``, ``refuse_double_payment``);
- the database double-payment guard, whose ``payment_claims`` rows carry the *person key* (the
  first ID confirmed) rather than whichever ID the roll line had (``person_keys`` in
  ``fund/controls/payment_guard.py``).

A wallet is a second way to reach one person: a claim may not pay a wallet the event already
pays to another worker line, whatever ID the caller gives.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from fund.audit.services import record
from fund.auth.models import User
from fund.auth.roles import CLAIM_DECIDERS
from fund.claims.errors import ClaimInvalid, ClaimRefused
from fund.claims.models import Claim, PersonNationalId
from fund.controls.guards import refused_by_payment_guard
from fund.controls.models import PaymentClaim
from fund.controls.payment_guard import person_keys
from fund.disbursements.models import PaymentLine
from fund.entitlements.models import Entitlement
from fund.events.models import Event
from fund.rolls.models import RollWorker
from fund.rolls.schemas import masked
from imports import RollRow
from imports.identifiers import IdentifierRefused, parse_national_id, parse_wallet
from ledger.money import format_minor

#: Payment lines that still pay (or paid) the worker: a void or reissued line pays nobody.
LIVE_STATES = ("pending", "paid", "failed", "unclaimed")


class PersonRefused(ClaimRefused):
    """Linking IDs or paying a person the rules do not allow; the message says why."""


class PaysTwice(PersonRefused):
    """The person or the wallet is already paid by the event: a claim cannot pay them again."""


def clean_national_id(text: str) -> str:
    """A national ID as typed, read by the shared parser; refused with the field named."""
    try:
        return parse_national_id(text)
    except IdentifierRefused as error:
        raise ClaimInvalid(str(error), "national_id") from None


def clean_phone(text: str) -> str:
    """A Bangladeshi mobile number as typed ("" if none), read by the shared wallet parser."""
    if not text.strip():
        return ""
    try:
        return parse_wallet(text)
    except IdentifierRefused as error:
        raise ClaimInvalid(str(error), "phone") from None


def person_key(session: Session, national_id: str) -> str:
    """The national ID's person key."""
    return person_keys(session, [national_id])[national_id]


def national_ids_of(session: Session, national_id: str) -> set[str]:
    """Every national ID confirmed as the same person as ``national_id`` (itself included)."""
    key = person_key(session, national_id)
    linked = session.scalars(
        select(PersonNationalId.national_id).where(PersonNationalId.person_key == key)
    )
    return {national_id, key, *linked}


def same_person(session: Session, first: str, second: str) -> bool:
    """Whether two national IDs are one person (equal, or confirmed by an officer)."""
    if first == second:
        return True
    keys = person_keys(session, [first, second])
    return keys[first] == keys[second]


def confirm_same_person(
    session: Session, *, national_id: str, same_as: str, actor: User, evidence: str
) -> str:
    """Record that ``national_id`` and ``same_as`` are one person's IDs; their person key.

    The double-payment guard's live claims of the first ID move to the person key, so the
    database refuses from now on what either ID would pay twice. If both IDs were already paid
    for the same days the move is refused and nothing is recorded: that is a double payment
    made, to recover, not a link to file quietly.
    """
    if actor.role_enum not in CLAIM_DECIDERS:
        raise PersonRefused(f"{actor.username} ({actor.role}) may not confirm who a worker is")
    if not evidence.strip():
        raise PersonRefused("say what shows the two IDs are one person (both cards seen, …)")
    national_id, same_as = clean_national_id(national_id), clean_national_id(same_as)
    if national_id == same_as:
        raise PersonRefused("the two national IDs are the same number")
    keys = person_keys(session, [national_id, same_as])
    old, new = keys[national_id], keys[same_as]
    if old == new:
        return new
    members = set(
        session.scalars(
            select(PersonNationalId.national_id).where(PersonNationalId.person_key == old)
        )
    ) | {national_id, old}
    existing = {
        row.national_id: row
        for row in session.scalars(
            select(PersonNationalId).where(
                PersonNationalId.national_id.in_(sorted(members | {same_as}))
            )
        )
    }
    try:
        # One savepoint for the links and the guard's move: a refusal leaves neither behind.
        with session.begin_nested():
            for nid in sorted(members | {same_as}):
                row = existing.get(nid)
                if row is None:
                    session.add(
                        PersonNationalId(
                            national_id=nid,
                            person_key=new,
                            confirmed_by_id=actor.id,
                            evidence=evidence.strip(),
                        )
                    )
                elif row.person_key != new:
                    row.person_key = new
            session.flush()
            session.execute(
                update(PaymentClaim)
                .where(PaymentClaim.national_id.in_(sorted(members)))
                .values(national_id=new)
            )
    except DatabaseError as error:
        if not refused_by_payment_guard(error):
            raise
        raise PaysTwice(
            f"national IDs {masked(national_id)} and {masked(same_as)} are both already paid for"
            " the same days: one person was paid twice. Nothing was recorded; recover the"
            " second payment first."
        ) from None
    record(
        session,
        actor=actor,
        action="claims.same_person",
        object_type="person",
        object_id=new,
        after={
            "national_ids": sorted(masked(nid) for nid in members | {same_as}),
            "evidence": evidence.strip(),
        },
    )
    return new


@dataclass(frozen=True, slots=True)
class PaymentMade:
    """A payment line of the event that reaches the person or their wallet, and why it is shown."""

    worker_id: str
    name: str
    national_id_masked: str
    wallet_number: str | None
    batch_id: int
    receipt_number: str
    state: str
    amount_minor: int
    why: str

    @property
    def amount(self) -> str:
        """The amount as taka and poisha."""
        return format_minor(self.amount_minor, "BDT")


def payments_to(
    session: Session,
    *,
    event: Event,
    national_id: str,
    wallets: Collection[str] = (),
) -> list[PaymentMade]:
    """Every live payment line of the event to any ID of the person or to one of ``wallets``."""
    ids = national_ids_of(session, national_id) if national_id else set()
    numbers = sorted({wallet for wallet in wallets if wallet})
    conditions = []
    if ids:
        conditions.append(Entitlement.national_id.in_(sorted(ids)))
    if numbers:
        conditions.append(PaymentLine.wallet_number.in_(numbers))
    if not conditions:
        return []
    rows = session.execute(
        select(PaymentLine, Entitlement.national_id)
        .join(Entitlement, PaymentLine.entitlement_id == Entitlement.id)
        .where(
            PaymentLine.event_id == event.id,
            PaymentLine.state.in_(LIVE_STATES),
            or_(*conditions),
        )
        .order_by(PaymentLine.id)
    )
    found = []
    for line, nid in rows:
        reasons = []
        if nid in ids:
            reasons.append(
                "same national ID" if nid == national_id else "another ID of the same person"
            )
        if line.wallet_number in numbers:
            reasons.append(f"same wallet {line.wallet_number}")
        found.append(
            PaymentMade(
                line.worker_id, line.name, masked(nid or ""), line.wallet_number, line.batch_id,
                line.receipt_number, line.state, line.amount_minor, ", ".join(reasons),
            )
        )  # fmt: skip
    return found


def refuse_double_payment(
    session: Session,
    *,
    event: Event,
    national_id: str,
    wallet: str | None,
    worker_id: str | None,
) -> None:
    """Refuse a claim's payment to a person or wallet the event already pays under another line.

    Lines of ``worker_id`` itself are left to the top-up rule (the difference only); any other
    live line of the same person (any of their IDs) or to the same wallet would pay the same
    days twice.
    """
    made = [
        payment
        for payment in payments_to(
            session, event=event, national_id=national_id, wallets=[wallet] if wallet else []
        )
        if payment.worker_id != worker_id
    ]
    if made:
        shown = "; ".join(
            f"{p.worker_id} ({p.name}), receipt {p.receipt_number}, {p.amount} BDT {p.state}"
            f" — {p.why}"
            for p in made[:5]
        )
        raise PaysTwice(
            f"this event already pays this person or wallet: {shown}. A claim cannot pay the"
            " same days twice; if the worker says the money never arrived, trace that receipt."
        )


# --- the claimant is the payee -------------------------------------------------------------


def roll_worker(session: Session, *, event: Event, worker_id: str) -> RollWorker | None:
    """The worker of the event's current roll with this worker ID."""
    if event.roll_id is None:
        return None
    return session.scalar(
        select(RollWorker).where(
            RollWorker.roll_id == event.roll_id, RollWorker.worker_id == worker_id.strip()
        )
    )


def require_claimant(session: Session, *, claim: Claim, national_id: str, what: str) -> None:
    """Refuse unless ``national_id`` is the claimant's, or an ID confirmed as the same person."""
    if not same_person(session, national_id, claim.national_id):
        raise PersonRefused(
            f"{what} has national ID {masked(national_id)}, the claimant gave"
            f" {masked(claim.national_id)}: a claim only changes or pays its own claimant."
            " If both are one person's IDs, confirm that first (both cards seen)."
        )


def link_worker(session: Session, *, claim: Claim, worker_id: str, actor: User) -> RollWorker:
    """Record that the claim is about the roll's worker ``worker_id`` (the same person).

    A claim can only correct or pay the worker it is linked to; once linked, another worker
    is refused. The link is audited, and so is every refusal's reason in the message.
    """
    if actor.role_enum not in CLAIM_DECIDERS:
        raise PersonRefused(f"{actor.username} ({actor.role}) may not link claims to workers")
    worker = roll_worker(session, event=claim.event, worker_id=worker_id)
    if worker is None:
        raise ClaimInvalid(f"worker {worker_id} is not on the event's roll", "worker_id")
    if claim.worker_id and claim.worker_id != worker.worker_id:
        raise PersonRefused(
            f"claim {claim.reference} is linked to worker {claim.worker_id}; it cannot change or"
            f" pay worker {worker.worker_id}"
        )
    require_claimant(
        session, claim=claim, national_id=worker.national_id, what=f"worker {worker.worker_id}"
    )
    if claim.worker_id != worker.worker_id:
        claim.worker_id = worker.worker_id
        session.flush()
        record(
            session,
            actor=actor,
            action="claims.link",
            object_type="claim",
            object_id=claim.id,
            after={
                "worker": worker.worker_id,
                "name": worker.name,
                "national_id": masked(worker.national_id),
                "roll": worker.roll_id,
            },
        )
    return worker


def payee(
    session: Session,
    *,
    claim: Claim,
    worker: RollRow | None,
    worker_id: str | None,
) -> str | None:
    """The worker the claim may change or pay: the claimant, and the one it is linked to."""
    if worker is not None:
        require_claimant(
            session,
            claim=claim,
            national_id=clean_national_id(worker.national_id),
            what=f"the roll line given for {worker.worker_id}",
        )
        target = worker.worker_id.strip()
    else:
        target = (worker_id or "").strip() or (claim.worker_id or "")
    if not target:
        return None
    if claim.worker_id and claim.worker_id != target:
        raise PersonRefused(
            f"claim {claim.reference} is linked to worker {claim.worker_id}; it cannot change or"
            f" pay worker {target}"
        )
    on_roll = roll_worker(session, event=claim.event, worker_id=target)
    if on_roll is not None:
        # A correction replaces a line the roll has: that line must be the claimant's too.
        require_claimant(
            session, claim=claim, national_id=on_roll.national_id, what=f"worker {target}"
        )
    elif worker is None:
        raise ClaimInvalid(f"worker {target} is not on the event's roll", "worker_id")
    return target


def wallet_paid(
    session: Session, *, claim: Claim, worker: RollRow | None, worker_id: str
) -> str | None:
    """The wallet the claim's payment would go to: the new roll line's, else the roll's."""
    if worker is not None:
        return worker.wallet_number
    on_roll = roll_worker(session, event=claim.event, worker_id=worker_id)
    return on_roll.wallet_number if on_roll is not None else None
