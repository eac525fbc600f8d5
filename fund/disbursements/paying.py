"""Paying a batch out, settling its lines one by one, and moving money to the mobile float.

Postings, each under an idempotency key so a retry or a double-click posts once:
- pay ``batch:{id}:pay``: Dr 2000 / Cr 1010 (bank and cash lines) and Cr 1020 (mobile lines),
  fees Dr 5100 / Cr 1010; neither cash account may go below zero. Lines stay ``pending`` until
  the provider's result file (or an officer) says paid or failed;
- a failed line ``line:{id}:failed``: the money came back, Dr 1010/1020 / Cr its payable;
- a float transfer moves BDT from the bank (1010) to the mobile-money float (1020).
Only payers take these steps.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from fund import money_limits
from fund.audit.services import record
from fund.auth.models import User
from fund.db import utcnow
from fund.disbursements import step_dates
from fund.disbursements.approving import batch_fees
from fund.disbursements.models import (
    DisbursementBatch,
    PaymentLine,
)
from fund.disbursements.services import (
    CASH_ACCOUNTS,
    CASH_FOR_METHOD,
    DEFAULT_FEES,
    PAYERS,
    BatchRefused,
    check_role,
    lock_batch,
    move_batch,
    move_line,
    require_line,
    require_state,
)
from ledger import Account, Entry, Posting, account, post
from ledger.models import JournalEntry
from ledger.money import format_minor


def pay(
    session: Session,
    *,
    batch: DisbursementBatch,
    actor: User,
    on: date,
    fees: Mapping[str, int] = DEFAULT_FEES,
) -> DisbursementBatch:
    """Release an approved batch's money: Dr 2000 / Cr 1010 and 1020 by method, fees to 5100."""
    check_role(actor, PAYERS, "pay batches")
    lock_batch(session, batch)
    if batch.state == "paid":
        return batch  # a retry: the money left once
    require_state(batch, "approved")
    step_dates.payment_date(session, batch, on)
    by_cash: dict[str, int] = defaultdict(int)
    for method, total in session.execute(
        select(PaymentLine.method, func.sum(PaymentLine.amount_minor))
        .where(PaymentLine.batch_id == batch.id, PaymentLine.state == "pending")
        .group_by(PaymentLine.method)
    ):
        by_cash[CASH_FOR_METHOD[method]] += int(total)
    fee_total = sum(batch_fees(session, batch, fees).values())
    by_cash["1010"] += fee_total
    payable = account(session, "2000", currency=batch.currency, event=str(batch.event_id))
    cash = {code: account(session, code) for code in CASH_ACCOUNTS}
    postings = [Posting(payable, batch.total_minor)]
    if fee_total:
        postings.append(Posting(account(session, "5100", currency=batch.currency), fee_total))
    postings.extend(
        Posting(cash[code], -amount) for code, amount in sorted(by_cash.items()) if amount
    )
    entry = post(
        session,
        Entry(
            effective_date=on,
            memo=f"Batch {batch.id} paid out: {batch.line_count} workers"
            + (f", fees {format_minor(fee_total, batch.currency)}" if fee_total else ""),
            idempotency_key=f"batch:{batch.id}:pay",
            reference=f"batch:{batch.id}",
            postings=tuple(postings),
        ),
        no_overdraft=list(cash.values()),
    )
    session.execute(
        update(PaymentLine)
        .where(PaymentLine.batch_id == batch.id, PaymentLine.state == "pending")
        .values(released=True)
    )
    batch.paid_by_id = actor.id
    batch.paid_at = utcnow()
    batch.payment_entry_id = entry.id
    move_batch(session, batch, "paid", actor, f"journal entry {entry.id}")
    return batch


def _to_settle(session: Session, *, line: PaymentLine, actor: User, on: date, into: str) -> bool:
    """Whether the line is to be settled as ``into`` now; False when it already is (a rerun).

    Only a payer settles, only a pending line, and not before its batch was paid out.
    """
    check_role(actor, PAYERS, "settle payment lines")
    if line.state == into:
        return False
    require_line(line, "pending")
    step_dates.settlement_date(session, line, on)
    return True


def mark_paid(
    session: Session,
    *,
    line: PaymentLine,
    actor: User,
    on: date,
    provider_reference: str | None = None,
) -> PaymentLine:
    """The provider (or the cash desk) confirms the worker got the money."""
    if not _to_settle(session, line=line, actor=actor, on=on, into="paid"):
        return line
    line.settled_on = on
    line.provider_reference = provider_reference or line.provider_reference
    move_line(session, line, "paid", actor, provider_reference=provider_reference)
    return line


def mark_failed(
    session: Session, *, line: PaymentLine, actor: User, on: date, reason: str
) -> PaymentLine:
    """The payment did not reach the worker; the money is back: Dr cash / Cr the payable."""
    if not _to_settle(session, line=line, actor=actor, on=on, into="failed"):
        return line
    post_returns(session, [line], on=on, key=f"line:{line.id}:failed")
    line.settled_on = on
    line.failure_reason = reason[:200]
    move_line(session, line, "failed", actor, reason)
    return line


def payable_for(session: Session, line: PaymentLine, currency: str) -> Account:
    """The payable the line's money is owed from: 2000 [event], or 2100 once it is unclaimed."""
    if line.payable_code == "2100":
        return account(session, "2100", currency=currency)
    return account(session, "2000", currency=currency, event=str(line.event_id))


def post_returns(
    session: Session, lines: Sequence[PaymentLine], *, on: date, key: str
) -> JournalEntry | None:
    """Money of failed lines back in the bank or float: Dr cash / Cr the payable."""
    if not lines:
        return None
    currency = lines[0].batch.currency
    debit: dict[str, int] = defaultdict(int)
    credit: dict[tuple[str, int], int] = defaultdict(int)
    for line in lines:
        debit[CASH_FOR_METHOD[line.method]] += line.amount_minor
        credit[(line.payable_code, line.event_id)] += line.amount_minor
    postings = [Posting(account(session, code), amount) for code, amount in sorted(debit.items())]
    for (code, event_id), amount in sorted(credit.items()):
        target = (
            account(session, "2100", currency=currency)
            if code == "2100"
            else account(session, "2000", currency=currency, event=str(event_id))
        )
        postings.append(Posting(target, -amount))
    return post(
        session,
        Entry(
            effective_date=on,
            memo=f"{len(lines)} payment(s) failed and returned (batch {lines[0].batch_id})",
            idempotency_key=key,
            reference=f"batch:{lines[0].batch_id}",
            postings=tuple(postings),
        ),
    )


def transfer_to_float(
    session: Session, *, amount_minor: int, actor: User, on: date
) -> JournalEntry:
    """Move BDT from the bank to the mobile-money float (Dr 1020 / Cr 1010), before mobile pays."""
    check_role(actor, PAYERS, "fund the mobile-money float")
    if amount_minor <= 0:
        raise BatchRefused("the amount to move must be positive")
    try:
        money_limits.check(
            amount_minor, money_limits.BATCH, what="a float transfer", currency="BDT"
        )
    except money_limits.AmountTooLarge as error:
        raise BatchRefused(str(error)) from error
    bank = account(session, "1010")
    entry = post(
        session,
        Entry(
            effective_date=on,
            memo=f"Mobile-money float funded: {format_minor(amount_minor, 'BDT')} BDT",
            idempotency_key=f"float:{on.isoformat()}:{amount_minor}:{actor.id}",
            reference="float",
            postings=(
                Posting(account(session, "1020"), amount_minor),
                Posting(bank, -amount_minor),
            ),
        ),
        no_overdraft=[bank],
    )
    record(
        session,
        actor=actor,
        action="batches.fund_float",
        object_type="journal_entry",
        object_id=entry.id,
        after={"amount": format_minor(amount_minor, "BDT")},
    )
    return entry


def mobile_needed(session: Session, batch: DisbursementBatch) -> int:
    """What the batch's pending mobile lines will take from the float."""
    total = session.scalar(
        select(func.coalesce(func.sum(PaymentLine.amount_minor), 0)).where(
            PaymentLine.batch_id == batch.id,
            PaymentLine.method == "mobile",
            PaymentLine.state == "pending",
        )
    )
    return int(total or 0)
