"""Payee changes: paying a line to other details than the approved ones takes four eyes.

The approver of a batch fixed who gets paid. When a payment fails and the worker gives a new
wallet, account or method, that is a *request* (by staff, or the claims desk for a worker's
claim); an approver other than the requester approves it, and only then is the line reissued
to the new details and the money moved. Re-sending to the same details after a failure stays
a payer's step (``reissuing.reissue``). Every entry point — web, API, command line, claims —
calls this module, and the wallet or account is read by the roll import's own parsers.
The batch history shows both people: the request (by the requester) and the reissue (by the
approver, naming the requester).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from fund.audit.services import record
from fund.auth.models import User
from fund.db import utcnow
from fund.disbursements import payees
from fund.disbursements.models import PayeeChange, PaymentLine
from fund.disbursements.reissuing import pay_again
from fund.disbursements.services import (
    APPROVERS,
    PAYERS,
    BatchRefused,
    BatchStateError,
    SelfApprovalRefused,
    check_role,
    require_line,
    transition,
)

#: Who may ask for a payee change: those who pay (the claims desk files through them too).
REQUESTERS = PAYERS
#: Who may approve one: the batch approvers (never the requester).
DECIDERS = APPROVERS


class PayeeChangeRefused(BatchRefused):
    """A payee change the rules do not allow; the message says why."""


class UnknownPayeeChange(PayeeChangeRefused, LookupError):
    """No payee change with that id."""


def get_change(session: Session, change_id: int) -> PayeeChange:
    """The payee change with this id."""
    change = session.get(PayeeChange, change_id)
    if change is None:
        raise UnknownPayeeChange(f"there is no payee change {change_id}")
    return change


def open_changes(session: Session, *, batch_id: int) -> list[PayeeChange]:
    """The batch's payee changes waiting for an approver, oldest first."""
    return list(
        session.scalars(
            select(PayeeChange)
            .where(PayeeChange.batch_id == batch_id, PayeeChange.state == "requested")
            .order_by(PayeeChange.id)
        )
    )


def request_payee_change(
    session: Session,
    *,
    line: PaymentLine,
    actor: User,
    reason: str,
    method: str | None = None,
    wallet_number: str | None = None,
    bank_account: str | None = None,
    source: str = "staff",
) -> PayeeChange:
    """Ask to pay a failed or unclaimed line to other details; nothing moves until approved.

    ``method`` / ``wallet_number`` / ``bank_account`` not given are kept from the line; the
    wallet or account is parsed as in the roll import (refused if it is not one). ``source``
    says where the request came from (``"staff"``, ``"claim:17"``). Refused when the details
    are the line's own (re-send with ``reissuing.reissue``) or a request is already open.
    """
    check_role(actor, REQUESTERS, "request payee changes")
    require_line(line, "failed", "unclaimed")
    why = reason.strip()
    if not why:
        raise PayeeChangeRefused("say why the details change (who asked, how it was checked)")
    current = payees.approved(line)
    try:
        wanted = payees.parse_payee(
            current=current, method=method, wallet_number=wallet_number, bank_account=bank_account
        )
    except payees.PayeeDetailsInvalid as error:
        raise PayeeChangeRefused(str(error)) from error
    if wanted == current:
        raise PayeeChangeRefused(
            f"payment line {line.id} already pays {payees.describe(current)}: re-send it "
            "(reissue) instead"
        )
    waiting = session.scalar(
        select(PayeeChange.id).where(
            PayeeChange.line_id == line.id, PayeeChange.state == "requested"
        )
    )
    if waiting is not None:
        raise PayeeChangeRefused(
            f"payee change {waiting} for payment line {line.id} is still waiting for an approver"
        )
    change = PayeeChange(
        batch_id=line.batch_id,
        line_id=line.id,
        state="requested",
        method=wanted.method,
        wallet_number=wanted.wallet_number,
        bank_account=wanted.bank_account,
        reason=why[:500],
        source=source[:20],
        requested_by_id=actor.id,
    )
    session.add(change)
    session.flush()
    transition(
        session, line.batch, before=line.state, after=line.state, actor=actor, line=line,
        note=f"payee change {change.id} requested: {payees.describe(wanted)} ({why})",
        action="payment_lines.payee_change_requested",
        facts={"payee_change": change.id, "to": payees.describe(wanted), "source": source},
    )  # fmt: skip
    return change


def _decidable(change: PayeeChange, actor: User) -> None:
    if change.state != "requested":
        raise BatchStateError(f"payee change {change.id} is already {change.state}")
    if change.requested_by_id == actor.id:
        raise SelfApprovalRefused(
            f"payee change {change.id}: the approver must be someone other than the requester"
        )
    check_role(actor, DECIDERS, "approve payee changes")


def approve_payee_change(
    session: Session, *, change: PayeeChange, actor: User, on: date, secret_key: str
) -> PaymentLine:
    """Approve the change (never the requester) and reissue the line to it: the money moves."""
    _decidable(change, actor)
    line = change.line
    requester = change.requested_by
    change.state = "approved"
    change.decided_by_id = actor.id
    change.decided_at = utcnow()
    fresh = pay_again(
        session,
        line=line,
        actor=actor,
        on=on,
        secret_key=secret_key,
        payee=payees.Payee(change.method, change.wallet_number, change.bank_account),
        note=f"payee change {change.id}: requested by {requester.username}, "
        f"approved by {actor.username}",
        facts={"payee_change": change.id, "requested_by": requester.username},
    )
    change.new_line_id = fresh.id
    session.flush()
    record(
        session,
        actor=actor,
        action="payee_changes.approved",
        object_type="payee_change",
        object_id=change.id,
        before={"state": "requested"},
        after={"state": "approved", "new_line": fresh.id, "requested_by": requester.username},
    )
    return fresh


def reject_payee_change(
    session: Session, *, change: PayeeChange, actor: User, note: str
) -> PayeeChange:
    """Turn the change down (never the requester); the line stays as it was."""
    _decidable(change, actor)
    if not note.strip():
        raise PayeeChangeRefused("say why the change is turned down")
    change.state = "rejected"
    change.decided_by_id = actor.id
    change.decided_at = utcnow()
    change.decision_note = note.strip()[:500]
    session.flush()
    transition(
        session, change.line.batch, before=change.line.state, after=change.line.state,
        actor=actor, line=change.line, note=f"payee change {change.id} rejected: {note.strip()}",
        action="payment_lines.payee_change_rejected", facts={"payee_change": change.id},
    )  # fmt: skip
    return change
