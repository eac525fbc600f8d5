"""What a batch shows and hands out: state counts, the payment sheet, receipts, payment files.

Read-only: nothing here posts or moves a batch. National IDs are masked on every output, and
every figure is read from the payment lines the postings were made from.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from fractions import Fraction

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fund.disbursements.languages import worker_languages
from fund.disbursements.models import (
    DisbursementBatch,
    PaymentLine,
)
from fund.disbursements.receipts import Receipt, standing
from fund.disbursements.sheets import SheetHeader, SheetRow
from fund.entitlements.export import exact_text
from fund.entitlements.models import Entitlement, EntitlementLine, EntitlementRun
from fund.entitlements.words import line_sentences
from fund.rolls.models import RollWorker
from ledger.money import format_minor

# --- what the outputs read -----------------------------------------------------------------


def state_counts(session: Session, batch: DisbursementBatch) -> dict[str, int]:
    """How many of the batch's lines are in each state."""
    rows = session.execute(
        select(PaymentLine.state, func.count(PaymentLine.id))
        .where(PaymentLine.batch_id == batch.id)
        .group_by(PaymentLine.state)
    )
    return {state: int(count) for state, count in rows}


def sheet_header(batch: DisbursementBatch) -> SheetHeader:
    """The facts at the top of the disbursement sheet."""
    event = batch.event
    return SheetHeader(
        batch_id=batch.id,
        state=batch.state,
        kind=batch.kind,
        factory=f"{event.factory.code} {event.factory.name}",
        event=event.title,
        currency=batch.currency,
        total_minor=batch.total_minor,
        line_count=batch.line_count,
        approved_by=batch.approved_by.display_name or batch.approved_by.username
        if batch.approved_by
        else "",
        approved_at=batch.approved_at.date().isoformat() if batch.approved_at else "",
        approval_entry_id=batch.approval_entry_id,
    )


def live_line_count(session: Session, batch: DisbursementBatch) -> int:
    """How many lines the batch's sheet lists (a reissued line counts as its replacement)."""
    return int(
        session.scalar(
            select(func.count(PaymentLine.id)).where(
                PaymentLine.batch_id == batch.id, PaymentLine.state != "reissued"
            )
        )
        or 0
    )


def sheet_rows(session: Session, batch: DisbursementBatch) -> list[SheetRow]:
    """The batch's live lines (a reissued line shows as its replacement), in receipt order."""
    rows = session.execute(
        select(
            PaymentLine.receipt_number,
            PaymentLine.worker_id,
            PaymentLine.name,
            PaymentLine.national_id_masked,
            PaymentLine.section,
            PaymentLine.method,
            PaymentLine.wallet_number,
            PaymentLine.bank_account,
            PaymentLine.amount_minor,
            PaymentLine.state,
            Entitlement.factory_share_minor,
        )
        .join(Entitlement, Entitlement.id == PaymentLine.entitlement_id)
        .where(PaymentLine.batch_id == batch.id, PaymentLine.state != "reissued")
        .order_by(PaymentLine.receipt_number)
    )
    return [
        SheetRow(
            receipt_number=r.receipt_number,
            worker_id=r.worker_id,
            name=r.name,
            national_id_masked=r.national_id_masked,
            section=r.section or "",
            method=r.method,
            account=_payee_account(r.method, r.wallet_number, r.bank_account),
            amount_minor=r.amount_minor,
            state=r.state,
            factory_share_minor=r.factory_share_minor,
        )
        for r in rows
    ]


def _payee_account(method: str, wallet: str | None, bank: str | None) -> str:
    if method == "mobile":
        return wallet or ""
    if method == "bank":
        return bank or ""
    return ""


def receipts(session: Session, batch: DisbursementBatch) -> list[Receipt]:
    """One ``Receipt`` per live line, with each entitlement line in plain words."""
    event = batch.event
    lines = session.execute(
        select(PaymentLine, Entitlement.position, Entitlement.days_paid,
               Entitlement.years_of_service, Entitlement.amount_minor,
               Entitlement.exact_numerator, Entitlement.exact_denominator,
               Entitlement.national_id)
        .join(Entitlement, Entitlement.id == PaymentLine.entitlement_id)
        .where(PaymentLine.batch_id == batch.id, PaymentLine.state.not_in(("void", "reissued")))
        .order_by(PaymentLine.receipt_number)
    ).all()  # fmt: skip
    breakdown: dict[tuple[int, int], list[str]] = defaultdict(list)
    sums: dict[tuple[int, int], Fraction] = defaultdict(Fraction)
    run_ids = {line.run_id for line, *_ in lines}
    for item in session.execute(
        select(EntitlementLine)
        .where(EntitlementLine.run_id.in_(run_ids))
        .order_by(
            EntitlementLine.run_id,
            EntitlementLine.entitlement_position,
            EntitlementLine.position,
        )
    ).scalars():
        key = (item.run_id, item.entitlement_position)
        breakdown[key].extend(line_sentences(item, batch.currency))
        sums[key] += Fraction(item.amount_numerator, item.amount_denominator)
    factory = f"{event.factory.code} {event.factory.name}"
    out = []
    currency = batch.currency
    languages = worker_languages(session, {row[-1] for row in lines})
    for line, position, days, years, entitled, numerator, denominator, national_id in lines:
        words = list(breakdown.get((line.run_id, position), []))
        payable = Fraction(numerator, denominator)
        lines_total = sums[(line.run_id, position)]
        if lines_total != payable:
            added = exact_text(lines_total, currency, grouping=True)
            share = exact_text(payable, currency, grouping=True)
            words.append(
                f"The lines add up to {added} {currency}; "
                f"the fund pays its share, {share} {currency}."
            )
        if payable != entitled:
            words.append(
                f"Rounded once to the policy's unit: {format_minor(entitled, currency)} {currency}."
            )
        if line.amount_minor != entitled:
            words.append(
                f"The worker is owed {format_minor(entitled, batch.currency)} {batch.currency} in "
                f"all; {format_minor(entitled - line.amount_minor, batch.currency)} was paid "
                "before, so this payment is the difference."
            )
        if line.reissue_of_id is not None:
            words.append("This payment replaces an earlier one that did not reach the worker.")
        service = f"{years} years of service" if years is not None else f"{days or 0} days paid"
        out.append(
            Receipt(
                receipt_number=line.receipt_number,
                verification_code=line.verification_code,
                factory=factory,
                event=event.title,
                batch_id=batch.id,
                worker_id=line.worker_id,
                name=line.name,
                national_id_masked=line.national_id_masked,
                method=line.method,
                account=_payee_account(line.method, line.wallet_number, line.bank_account),
                amount_minor=line.amount_minor,
                currency=batch.currency,
                service=service,
                explanation=tuple(words),
                status=standing(batch.state, line.state),
                dated=_slip_date(batch, line),
                language=languages.get(national_id, "bn"),
            )
        )
    return out


def _slip_date(batch: DisbursementBatch, line: PaymentLine) -> date | None:
    """The day the slip's claim became true: settled, released, approved or drafted."""
    if line.settled_on is not None:
        return line.settled_on
    moment = batch.paid_at or batch.approved_at or batch.created_at
    return moment.date() if moment is not None else None


def payment_file(
    session: Session, batch: DisbursementBatch, *, file_format: str, bom_formats: Sequence[str]
) -> bytes:
    """The provider's file of the batch's pending ``file_format`` lines (README: formats)."""
    from fund.disbursements.payment_files import build_payment_file

    return build_payment_file(
        payment_rows(session, batch, method=file_format),
        file_format=file_format,
        currency=batch.currency,
        narration=f"Worker Fund batch {batch.id}",
        bom=file_format in bom_formats,
    )


def payment_rows(
    session: Session, batch: DisbursementBatch, *, method: str
) -> list[tuple[str, str, int, str, str]]:
    """(reference, wallet or account, amount, name, routing number) of pending ``method`` lines.

    The routing number is the roll's for the same worker and the same account; a line
    reissued to another account has none (the fund was not given that branch's).
    """
    rows = session.execute(
        select(
            PaymentLine.receipt_number,
            PaymentLine.wallet_number,
            PaymentLine.bank_account,
            PaymentLine.amount_minor,
            PaymentLine.name,
            RollWorker.routing_number,
        )
        .join(EntitlementRun, EntitlementRun.id == PaymentLine.run_id)
        .outerjoin(
            RollWorker,
            (RollWorker.roll_id == EntitlementRun.roll_id)
            & (RollWorker.worker_id == PaymentLine.worker_id)
            & (RollWorker.bank_account == PaymentLine.bank_account),
        )
        .where(
            PaymentLine.batch_id == batch.id,
            PaymentLine.method == method,
            PaymentLine.state == "pending",
        )
        .order_by(PaymentLine.receipt_number)
    )
    return [
        (
            number,
            (wallet if method == "mobile" else bank) or "",
            amount,
            name,
            (routing or "") if method == "bank" else "",
        )
        for number, wallet, bank, amount, name, routing in rows
    ]
