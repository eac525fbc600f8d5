"""Lines that did not reach the worker: unclaimed payouts and reissues.

- unclaimed ``line:{id}:unclaimed``: Dr 2000 / Cr 2100 Unclaimed payouts; lines still pending
  after the unclaimed period (90 days by default) are expired to unclaimed;
- a reissue is a new line for the same worker and amount, paid to the same details (a payer's
  step); new details need an approved payee change (``payee_changes``) and are refused here with
  ``PayeeChangeNeeded``;
- the reissued line's cash goes out under ``line:{id}:release``: Dr 2000 (or 2100) / Cr cash.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fund.auth.models import User
from fund.controls import payment_guard
from fund.disbursements import payees, step_dates
from fund.disbursements.models import (
    DisbursementBatch,
    PaymentLine,
)
from fund.disbursements.paying import payable_for
from fund.disbursements.receipts import verification_code
from fund.disbursements.services import (
    CASH_FOR_METHOD,
    DEFAULT_UNCLAIMED_DAYS,
    PAYERS,
    BatchRefused,
    BatchStateError,
    check_role,
    move_line,
    require_line,
    transition,
)
from ledger import Entry, Posting, account, post


def mark_unclaimed(session: Session, *, line: PaymentLine, actor: User, on: date) -> PaymentLine:
    """A failed payment nobody collected: Dr 2000 / Cr 2100 Unclaimed payouts."""
    check_role(actor, PAYERS, "settle payment lines")
    if line.state == "unclaimed":
        return line
    require_line(line, "failed")
    step_dates.after_failure_date(line, on, "the unclaimed move")
    if line.payable_code != "2000":  # pragma: no cover - only reissues of unclaimed carry 2100
        raise BatchStateError(f"payment line {line.id} is already owed from unclaimed payouts")
    currency = line.batch.currency
    post(
        session,
        Entry(
            effective_date=on,
            memo=f"Payment {line.receipt_number} unclaimed: moved to unclaimed payouts",
            idempotency_key=f"line:{line.id}:unclaimed",
            reference=f"batch:{line.batch_id}",
            postings=(
                Posting(payable_for(session, line, currency), line.amount_minor),
                Posting(account(session, "2100", currency=currency), -line.amount_minor),
            ),
        ),
    )
    line.payable_code = "2100"
    move_line(session, line, "unclaimed", actor)
    return line


def expire_unclaimed(
    session: Session,
    *,
    batch: DisbursementBatch,
    actor: User,
    on: date,
    after_days: int = DEFAULT_UNCLAIMED_DAYS,
) -> list[PaymentLine]:
    """Every failed line of the batch not reissued within ``after_days`` goes unclaimed."""
    try:
        cutoff = on - timedelta(days=after_days)
    except OverflowError:  # before the first calendar day: nothing can have failed that early
        return []
    stale = session.scalars(
        select(PaymentLine)
        .where(
            PaymentLine.batch_id == batch.id,
            PaymentLine.state == "failed",
            PaymentLine.settled_on <= cutoff,
        )
        .order_by(PaymentLine.id)
    ).all()
    return [mark_unclaimed(session, line=line, actor=actor, on=on) for line in stale]


class PayeeChangeNeeded(BatchRefused):
    """Paying a line to other details than the approved ones needs an approved payee change."""


def reissue(
    session: Session,
    *,
    line: PaymentLine,
    actor: User,
    on: date,
    secret_key: str,
    method: str | None = None,
    wallet_number: str | None = None,
    bank_account: str | None = None,
) -> PaymentLine:
    """Pay a failed or unclaimed line again, to the same details; cash goes out.

    Other details (a new wallet, account or method) are a payee change: requested, then
    approved by someone else (``fund.disbursements.payee_changes``); this refuses them.
    """
    check_role(actor, PAYERS, "reissue payments")
    require_line(line, "failed", "unclaimed")
    current = payees.approved(line)
    try:
        wanted = payees.parse_payee(
            current=current, method=method, wallet_number=wallet_number, bank_account=bank_account
        )
    except payees.PayeeDetailsInvalid as error:
        raise BatchRefused(str(error)) from error
    if wanted != current:
        raise PayeeChangeNeeded(
            f"payment line {line.id} ({line.receipt_number}) is approved to pay "
            f"{payees.describe(current)}; paying {payees.describe(wanted)} is a payee change: "
            "request it, and an approver other than you approves it before any money moves"
        )
    return pay_again(session, line=line, actor=actor, on=on, secret_key=secret_key, payee=wanted)


def pay_again(
    session: Session,
    *,
    line: PaymentLine,
    actor: User,
    on: date,
    secret_key: str,
    payee: payees.Payee,
    facts: Mapping[str, Any] | None = None,
    note: str = "",
) -> PaymentLine:
    """The reissue itself, to ``payee``: callers have checked who may and to which details.

    Called by ``reissue`` (same details, a payer) and by the payee change service (other
    details, once an approver other than the requester approved them) only.
    """
    require_line(line, "failed", "unclaimed")
    step_dates.after_failure_date(line, on, "the reissue")
    chosen = payee.method
    wallet = payee.wallet_number if chosen == "mobile" else line.wallet_number
    bank = payee.bank_account if chosen == "bank" else line.bank_account
    old_state = line.state
    line.state = "reissued"
    session.flush()  # the old line leaves the live set before the new one joins it
    depth, root = 1, line
    while root.reissue_of_id is not None:
        depth += 1
        parent = session.get(PaymentLine, root.reissue_of_id)
        assert parent is not None
        root = parent
    number = f"{root.receipt_number}-R{depth}"
    batch = line.batch
    fresh = PaymentLine(
        batch_id=line.batch_id,
        event_id=line.event_id,
        run_id=line.run_id,
        entitlement_id=line.entitlement_id,
        worker_id=line.worker_id,
        name=line.name,
        national_id_masked=line.national_id_masked,
        section=line.section,
        method=chosen,
        wallet_number=wallet if chosen == "mobile" else line.wallet_number,
        bank_account=bank if chosen == "bank" else line.bank_account,
        amount_minor=line.amount_minor,
        state="pending",
        receipt_number=number,
        verification_code=verification_code(
            secret_key,
            receipt_number=number,
            worker_id=line.worker_id,
            amount_minor=line.amount_minor,
            currency=batch.currency,
            event_id=line.event_id,
        ),
        payable_code=line.payable_code,
        released=True,
        reissue_of_id=line.id,
    )
    session.add(fresh)
    session.flush()
    payment_guard.move(session, from_line=line.id, to_line=fresh.id)
    cash = account(session, CASH_FOR_METHOD[chosen])
    post(
        session,
        Entry(
            effective_date=on,
            memo=f"Payment {number} reissued (was {line.receipt_number}, {old_state})",
            idempotency_key=f"line:{fresh.id}:release",
            reference=f"batch:{batch.id}",
            postings=(
                Posting(payable_for(session, fresh, batch.currency), fresh.amount_minor),
                Posting(cash, -fresh.amount_minor),
            ),
        ),
        no_overdraft=[cash],
    )
    transition(
        session, batch, before=old_state, after="reissued", actor=actor, line=line, note=note,
        facts={"new_line": fresh.id, "method": chosen, **(facts or {})},
    )  # fmt: skip
    transition(session, batch, before=None, after="pending", actor=actor, line=fresh)
    return fresh
