"""What a batch shows and hands out: state counts, the payment sheet, receipts, payment files.

Read-only: nothing here posts or moves a batch. National IDs are masked on every output, and
every figure is read from the payment lines the postings were made from.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any, NamedTuple, cast

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from fund.disbursements import bengali
from fund.disbursements.languages import worker_languages
from fund.disbursements.models import (
    DisbursementBatch,
    PaymentLine,
)
from fund.disbursements.receipts import Receipt, Sentence, standing
from fund.disbursements.sheets import SheetHeader, SheetRow
from fund.entitlements.export import exact_text
from fund.entitlements.models import Entitlement, EntitlementLine, EntitlementRun
from fund.entitlements.words import DeferredWords, Worded, line_words
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


#: The tables the sheet and the receipts read with plain Core SELECTs: tens of thousands of rows
#: come back as tuples, not as ORM objects the session would track.
_LINES = PaymentLine.__table__.c
_ENTITLEMENTS = Entitlement.__table__.c
_ITEMS = EntitlementLine.__table__.c
_LINES_AND_ENTITLEMENTS = PaymentLine.__table__.join(
    Entitlement.__table__, _ENTITLEMENTS.id == _LINES.entitlement_id
)


def sheet_query(batch_id: int) -> Select[Any]:
    """The sheet's SELECT: live lines with the factory's share, in receipt order.

    Its columns are ``SheetRow``'s, the payee's account picked by the database, so each row
    becomes a ``SheetRow`` as it is.
    """
    account = case(
        (_LINES.method == "mobile", func.coalesce(_LINES.wallet_number, "")),
        (_LINES.method == "bank", func.coalesce(_LINES.bank_account, "")),
        else_="",
    )
    return (
        select(
            _LINES.receipt_number, _LINES.worker_id, _LINES.name, _LINES.national_id_masked,
            func.coalesce(_LINES.section, ""), _LINES.method, account,
            _LINES.amount_minor, _LINES.state, _ENTITLEMENTS.factory_share_minor,
        )
        .select_from(_LINES_AND_ENTITLEMENTS)
        .where(_LINES.batch_id == batch_id, _LINES.state != "reissued")
        .order_by(_LINES.receipt_number)
    )  # fmt: skip


def receipt_lines_query(batch_id: int) -> Select[Any]:
    """The receipts' SELECT of the lines with their entitlements (void and reissued left out)."""
    return (
        select(
            _LINES.receipt_number, _LINES.verification_code, _LINES.worker_id, _LINES.name,
            _LINES.national_id_masked, _LINES.method, _LINES.wallet_number, _LINES.bank_account,
            _LINES.amount_minor, _LINES.state, _LINES.reissue_of_id, _LINES.settled_on,
            _LINES.run_id, _ENTITLEMENTS.position, _ENTITLEMENTS.days_paid,
            _ENTITLEMENTS.years_of_service, _ENTITLEMENTS.amount_minor,
            _ENTITLEMENTS.exact_numerator, _ENTITLEMENTS.exact_denominator,
            _ENTITLEMENTS.national_id,
        )
        .select_from(_LINES_AND_ENTITLEMENTS)
        .where(_LINES.batch_id == batch_id, _LINES.state.not_in(("void", "reissued")))
        .order_by(_LINES.receipt_number)
    )  # fmt: skip


def breakdown_query(run_ids: set[int]) -> Select[Any]:
    """The receipts' SELECT of the runs' breakdown lines, in each entitlement's order."""
    return (
        select(
            _ITEMS.run_id, _ITEMS.entitlement_position, _ITEMS.rule, _ITEMS.component,
            _ITEMS.monthly_minor, _ITEMS.share_text, _ITEMS.days, _ITEMS.days_per_month,
            _ITEMS.amount_numerator, _ITEMS.amount_denominator, _ITEMS.basis, _ITEMS.bn,
        )
        .where(_ITEMS.run_id.in_(run_ids))
        .order_by(_ITEMS.run_id, _ITEMS.entitlement_position, _ITEMS.position)
    )  # fmt: skip


def sheet_rows(session: Session, batch: DisbursementBatch) -> list[SheetRow]:
    """The batch's live lines (a reissued line shows as its replacement), in receipt order."""
    return [SheetRow._make(row) for row in session.execute(sheet_query(batch.id))]


def _payee_account(method: str, wallet: str | None, bank: str | None) -> str:
    if method == "mobile":
        return wallet or ""
    if method == "bank":
        return bank or ""
    return ""


class StoredLine(NamedTuple):
    """A stored breakdown line as ``line_words`` reads it (``export.Line``), from a row."""

    rule: str
    component: str
    monthly_minor: int
    share: Decimal
    days: int
    days_per_month: int
    amount: Fraction
    basis: str
    bn: str


@lru_cache(maxsize=1 << 14)
def _stored_words(facts: tuple[Any, ...], currency: str) -> Worded:
    """A stored line's words from its row (``breakdown_query``'s columns after the first two);
    remembered, as a batch's workers share most lines word for word."""
    rule, component, monthly, share, days, per_month, numerator, denominator, basis, bn = facts
    line = StoredLine(
        rule, component, monthly, Decimal(share), days, per_month,
        Fraction(numerator, denominator), basis, bn,
    )  # fmt: skip
    return line_words(line, currency)


def _breakdown(
    session: Session, run_ids: set[int], currency: str
) -> tuple[dict[tuple[int, int], list[Sentence]], dict[tuple[int, int], tuple[int, int]]]:
    """Each entitlement's lines (worded when a slip is drawn), and their exact sum.

    The sums stay integer pairs (numerator, denominator), made a ``Fraction`` only where one
    is shown.
    """
    words: dict[tuple[int, int], list[Sentence]] = {}
    sums: dict[tuple[int, int], tuple[int, int]] = {}
    for row in session.execute(breakdown_query(run_ids)).all():
        key: tuple[int, int] = (row[0], row[1])  # (run, position in the run)
        sentences = DeferredWords(cast(tuple[Any, ...], row[2:]), currency, _stored_words)
        numerator, denominator = row[8], row[9]
        found = words.get(key)
        if found is None:
            words[key] = [sentences]
            sums[key] = (numerator, denominator)
            continue
        found.append(sentences)
        added, over = sums[key]
        sums[key] = (
            (added + numerator, over)
            if over == denominator
            else (added * denominator + numerator * over, over * denominator)
        )
    return words, sums


def _share_words(facts: tuple[int, ...], currency: str) -> Worded:
    """The lines add up to more than the fund's share of them (a co-payment)."""
    added, over, numerator, denominator, *_ = facts
    total = exact_text(Fraction(added, over), currency, grouping=True)
    share = exact_text(Fraction(numerator, denominator), currency, grouping=True)
    return bengali.sentence("share", currency, total=total, share=share)


def _rounded_words(facts: tuple[int, ...], currency: str) -> Worded:
    """The exact amount was rounded once, to the policy's unit."""
    return bengali.sentence("rounded", currency, amount=format_minor(facts[4], currency))


def _difference_words(facts: tuple[int, ...], currency: str) -> Worded:
    """Part of what the worker is owed was paid before: this line pays the rest."""
    entitled, amount = facts[4], facts[5]
    owed, before = format_minor(entitled, currency), format_minor(entitled - amount, currency)
    return bengali.sentence("difference", currency, owed=owed, before=before)


def _reissue_words(facts: tuple[int, ...], currency: str) -> Worded:
    """The line replaces a payment that did not reach the worker."""
    return bengali.sentence("reissue", currency)


#: A slip's own sentences after its lines, in the order ``receipts`` tests when each is true.
_SLIP_SENTENCES = (_share_words, _rounded_words, _difference_words, _reissue_words)


def receipts(session: Session, batch: DisbursementBatch) -> list[Receipt]:
    """One ``Receipt`` per live line, with each entitlement line in plain words (both languages).

    Two Core SELECTs (the lines with their entitlements, then the breakdown lines) and plain
    values from there: the batch's facts are read once, not once per receipt.
    """
    event = batch.event
    currency, batch_id, batch_state = batch.currency, batch.id, batch.state
    lines = session.execute(receipt_lines_query(batch_id)).all()
    run_ids = {line[12] for line in lines}  # run_id: by position, as the loop below reads it
    breakdown, sums = _breakdown(session, run_ids, currency)
    factory = f"{event.factory.code} {event.factory.name}"
    title, title_bn = event.title, event.title_bn
    moment = batch.paid_at or batch.approved_at or batch.created_at
    # The day the slip's claim became true: settled, else released, approved or drafted.
    batch_day = moment.date() if moment is not None else None
    standings: dict[str, str] = {}
    services: dict[tuple[int | None, int | None], Worded] = {}
    languages = worker_languages(session, {row[19] for row in lines}, run_ids=run_ids)
    out = []
    for (
        number, code, worker_id, name, national_id, method, wallet, bank, amount, state,
        reissue_of, settled_on, run_id, position, days, years, entitled, numerator, denominator,
        worker_national_id,
    ) in lines:  # fmt: skip
        key = (run_id, position)
        words: list[Sentence] = breakdown.get(key, [])
        added, over = sums.get(key, (0, 1))
        # The slip's own sentences, each only where it is true: worded when drawn, too.
        shared = added * denominator != numerator * over
        rounded = numerator != entitled * denominator
        if shared or rounded or amount != entitled or reissue_of is not None:
            said = (shared, rounded, amount != entitled, reissue_of is not None)
            facts = (added, over, numerator, denominator, entitled, amount)
            words = words + [
                DeferredWords(facts, currency, word)
                for word, true in zip(_SLIP_SENTENCES, said, strict=True)
                if true
            ]
        status = standings.get(state)
        if status is None:
            status = standings[state] = standing(batch_state, state)
        service = services.get((years, days))
        if service is None:
            service = services[years, days] = (
                bengali.sentence("years", currency, count=years)
                if years is not None
                else bengali.sentence("days", currency, count=days or 0)
            )
        out.append(
            Receipt(
                number,
                code,
                factory,
                title,
                batch_id,
                worker_id,
                name,
                national_id,
                method,
                _payee_account(method, wallet, bank),
                amount,
                currency,
                service,
                tuple(words),
                status,
                settled_on if settled_on is not None else batch_day,
                languages[worker_national_id],
                title_bn,
            )
        )
    return out


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
