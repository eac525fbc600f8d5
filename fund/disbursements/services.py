"""What every batch step shares: who may take a step, why one is refused, and how it is written.

The batches are made (``making``), submitted and approved (``approving``), paid out and their
lines settled (``paying``, ``settling``), failed or unclaimed lines reissued (``reissuing``), and
their sheets and receipts read (``outputs``). This module holds only what those steps share:
- the roles of each step (preparers, approvers, payers) and ``check_role``, which refuses anyone
  else with ``NotAllowed``;
- the refusals, all ``BatchRefused``, each message saying why;
- ``transition``: every change of a batch or a line writes a ``BatchTransition`` row and an audit
  event, in the caller's transaction;
- the batch row is locked (``lock_batch``) before a step that moves money, so two clicks queue;
- a line is moved only from the states a step names, and only once its batch has been paid out
  (``require_line``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fund.audit.services import record
from fund.auth.models import User
from fund.auth.roles import Role
from fund.disbursements.models import (
    BatchTransition,
    DisbursementBatch,
    PaymentLine,
)
from ledger import InsufficientFunds

__all__ = [
    "BatchRefused",
    "BatchStateError",
    "DoublePaymentRefused",
    "FindingsNotAcknowledged",
    "InsufficientFunds",
    "NotAllowed",
    "NothingToPay",
    "SelfApprovalRefused",
    "UnknownPaymentLine",
    "UnknownWorkers",
]

PAYOUT_CURRENCY = "BDT"
CASH_ACCOUNTS = ("1010", "1020")
#: The cash account each payment method's money leaves from.
CASH_FOR_METHOD = {"mobile": "1020", "bank": "1010", "cash": "1010"}
#: Fee per payment line in poisha, by method (the app config ``DISBURSEMENT_FEES`` overrides).
DEFAULT_FEES: Mapping[str, int] = {"mobile": 0, "bank": 0, "cash": 0}
DEFAULT_UNCLAIMED_DAYS = 90

PREPARERS = frozenset({Role.ADMIN, Role.OFFICER})
APPROVERS = frozenset({Role.ADMIN, Role.APPROVER})
PAYERS = frozenset({Role.ADMIN, Role.OFFICER, Role.ACCOUNTANT})


class BatchRefused(Exception):
    """A batch operation the rules do not allow; the message says why."""


class BatchStateError(BatchRefused):
    """The batch or line is not in a state that allows this step."""


class SelfApprovalRefused(BatchRefused):
    """The submitter tried to approve their own batch."""


class NothingToPay(BatchRefused):
    """Every eligible worker of the event is already paid in full by live batches."""


class UnknownWorkers(BatchRefused):
    """A selection named workers the event's computation does not pay."""


class UnknownPaymentLine(BatchRefused, LookupError):
    """No payment line with that id or receipt number in the batch."""


class NotAllowed(BatchRefused):
    """The user's role may not take this step."""


class FindingsNotAcknowledged(BatchRefused):
    """The batch's roll has HIGH findings no officer has acknowledged yet."""


class DoublePaymentRefused(BatchRefused):
    """A worker (by national ID) would be paid again for days or a separation already paid."""


# --- helpers -------------------------------------------------------------------------------


def check_role(actor: User, allowed: frozenset[Role], what: str) -> None:
    """Refuse with ``NotAllowed`` unless the actor's role is one of ``allowed``."""
    if actor.role_enum not in allowed:
        names = ", ".join(sorted(r.value for r in allowed))
        raise NotAllowed(f"{actor.username} ({actor.role}) may not {what}; only {names} may")


def transition(
    session: Session,
    batch: DisbursementBatch,
    *,
    before: str | None,
    after: str,
    actor: User,
    note: str = "",
    line: PaymentLine | None = None,
    facts: dict[str, Any] | None = None,
    action: str | None = None,
) -> None:
    """Write the batch's (or line's) ``BatchTransition`` row and its audit event."""
    session.add(
        BatchTransition(
            batch_id=batch.id,
            line_id=line.id if line is not None else None,
            from_state=before,
            to_state=after,
            actor_id=actor.id,
            note=note[:500],
        )
    )
    session.flush()
    what = "line" if line is not None else "batch"
    record(
        session,
        actor=actor,
        action=action or f"{'payment_lines' if line is not None else 'batches'}.{after}",
        object_type=what,
        object_id=line.id if line is not None else batch.id,
        before={"state": before} if before else None,
        after={"state": after, **({"note": note} if note else {}), **(facts or {})},
    )


def move_batch(
    session: Session, batch: DisbursementBatch, to: str, actor: User, note: str = ""
) -> None:
    """Move the batch to state ``to`` and write the transition."""
    before = batch.state
    batch.state = to
    transition(session, batch, before=before, after=to, actor=actor, note=note)


def lock_batch(session: Session, batch: DisbursementBatch) -> None:
    """Hold the batch row (PostgreSQL ``FOR UPDATE``) and re-read it: two clicks queue here."""
    session.execute(
        select(DisbursementBatch.id).where(DisbursementBatch.id == batch.id).with_for_update()
    )
    session.refresh(batch)


def require_state(batch: DisbursementBatch, *states: str) -> None:
    """Refuse with ``BatchStateError`` unless the batch is in one of ``states``."""
    if batch.state not in states:
        raise BatchStateError(
            f"batch {batch.id} is {batch.state}; this needs it {' or '.join(states)}"
        )


def masked(national_id: str) -> str:
    """``"•••••••••6789"``: enough to tell workers apart, not enough to misuse."""
    return "•" * max(0, len(national_id) - 4) + national_id[-4:]


def receipt_number(batch_id: int, position: int, reissue: int = 0) -> str:
    """``"WF-000012-00034"``, with ``-R1``, ``-R2`` … for reissues."""
    base = f"WF-{batch_id:06d}-{position:05d}"
    return f"{base}-R{reissue}" if reissue else base


# --- payment lines -------------------------------------------------------------------------


def get_line(session: Session, *, batch: DisbursementBatch, line_id: int) -> PaymentLine:
    """The batch's payment line with this id."""
    line = session.get(PaymentLine, line_id)
    if line is None or line.batch_id != batch.id:
        raise UnknownPaymentLine(f"batch {batch.id} has no payment line {line_id}")
    return line


def require_line(line: PaymentLine, *states: str) -> None:
    """Refuse unless the line is in one of ``states`` and its batch has been paid out."""
    if line.state not in states:
        raise BatchStateError(
            f"payment line {line.id} ({line.receipt_number}) is {line.state}; "
            f"this needs it {' or '.join(states)}"
        )
    if not line.released:
        raise BatchStateError(f"payment line {line.id}: its batch has not been paid out yet")


def move_line(
    session: Session, line: PaymentLine, to: str, actor: User, note: str = "", **facts: Any
) -> None:
    """Move the line to state ``to`` and write the transition (with ``facts``)."""
    before = line.state
    line.state = to
    session.flush()
    transition(
        session, line.batch, before=before, after=to, actor=actor, note=note, line=line, facts=facts
    )
