"""The receipts' and the sheet's data, gathered by Core SELECTs, equal what the ORM code gave.

``old_receipts`` and ``old_sheet_rows`` are the code as it was before it was made fast (ORM
objects per line, a ``Decimal`` per amount, a ``Fraction`` sum per worker), kept here as the
reference: on a seeded batch with every wording a receipt can carry (a co-payment share, a
rounding, a top-up, a reissue; settled, failed, void and reissued lines) both print the same.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date
from fractions import Fraction

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from fund.disbursements import bengali
from fund.disbursements.making import create_batch
from fund.disbursements.models import DisbursementBatch, PaymentLine
from fund.disbursements.outputs import receipts, sheet_rows
from fund.disbursements.receipts import Receipt, standing
from fund.disbursements.sheets import SheetRow
from fund.entitlements.export import exact_text
from fund.entitlements.models import Entitlement, EntitlementLine
from fund.entitlements.policy_versions import policy_for
from fund.entitlements.services import compute_for_event
from fund.entitlements.words import Worded, line_words
from fund.events.services import create_event
from ledger.money import format_minor
from tests.conftest import People
from tests.disbursements.conftest import SECRET
from tests.entitlements.helpers import stored_roll

HEADER = (
    "worker_id,name,national_id,section,join_date,exit_date,basic,house_rent,medical,"
    "transport,food,payment_method,wallet_number,bank_account\n"
)


def seeded_roll(count: int, seed: int) -> str:
    """``count`` workers with odd wages (so lines have fractions), by every method."""
    rng = random.Random(seed)
    rows = []
    for index in range(count):
        basic = f"{rng.randrange(6_700, 20_000)}{rng.choice(['', '.37', '.5', '.01'])}"
        method = rng.choice(["bkash", "bank", "cash"])
        wallet = f"0171{index:07d}" if method == "bkash" else ""
        bank = f"0123{index:09d}" if method == "bank" else ""
        name = rng.choice(["রহিমা খাতুন", "Karim Mia", "সালমা আক্তার", "Rina Das"])
        rows.append(
            f"S-{index},{name},{1990000000000 + 1000 * seed + index},{rng.choice(['Sewing', ''])},"
            f"{rng.choice(['2012-03-04', '2019-08-01', '2023-11-30'])},,{basic},"
            f"{rng.randrange(3_000, 9_000)},750,450,1250,{method},{wallet},{bank}"
        )
    return HEADER + "\n".join(rows) + "\n"


def old_sheet_rows(session: Session, batch: DisbursementBatch) -> list[SheetRow]:
    """The sheet's rows as the ORM code read them."""
    rows = session.execute(
        select(
            PaymentLine.receipt_number, PaymentLine.worker_id, PaymentLine.name,
            PaymentLine.national_id_masked, PaymentLine.section, PaymentLine.method,
            PaymentLine.wallet_number, PaymentLine.bank_account, PaymentLine.amount_minor,
            PaymentLine.state, Entitlement.factory_share_minor,
        )
        .join(Entitlement, Entitlement.id == PaymentLine.entitlement_id)
        .where(PaymentLine.batch_id == batch.id, PaymentLine.state != "reissued")
        .order_by(PaymentLine.receipt_number)
    )  # fmt: skip
    return [
        SheetRow(
            receipt_number=r.receipt_number,
            worker_id=r.worker_id,
            name=r.name,
            national_id_masked=r.national_id_masked,
            section=r.section or "",
            method=r.method,
            account=_account(r.method, r.wallet_number, r.bank_account),
            amount_minor=r.amount_minor,
            state=r.state,
            factory_share_minor=r.factory_share_minor,
        )
        for r in rows
    ]


def _account(method: str, wallet: str | None, bank: str | None) -> str:
    if method == "mobile":
        return wallet or ""
    if method == "bank":
        return bank or ""
    return ""


def old_receipts(session: Session, batch: DisbursementBatch) -> list[Receipt]:
    """The receipts as the ORM code made them."""
    event = batch.event
    lines = session.execute(
        select(PaymentLine, Entitlement.position, Entitlement.days_paid,
               Entitlement.years_of_service, Entitlement.amount_minor,
               Entitlement.exact_numerator, Entitlement.exact_denominator)
        .join(Entitlement, Entitlement.id == PaymentLine.entitlement_id)
        .where(PaymentLine.batch_id == batch.id, PaymentLine.state.not_in(("void", "reissued")))
        .order_by(PaymentLine.receipt_number)
    ).all()  # fmt: skip
    breakdown: dict[tuple[int, int], list[Worded]] = defaultdict(list)
    sums: dict[tuple[int, int], Fraction] = defaultdict(Fraction)
    run_ids = {line.run_id for line, *_ in lines}
    for item in session.execute(
        select(EntitlementLine)
        .where(EntitlementLine.run_id.in_(run_ids))
        .order_by(
            EntitlementLine.run_id, EntitlementLine.entitlement_position, EntitlementLine.position
        )
    ).scalars():
        key = (item.run_id, item.entitlement_position)
        breakdown[key].append(line_words(item, batch.currency))
        sums[key] += Fraction(item.amount_numerator, item.amount_denominator)
    factory = f"{event.factory.code} {event.factory.name}"
    out = []
    currency = batch.currency
    for line, position, days, years, entitled, numerator, denominator in lines:
        words = list(breakdown.get((line.run_id, position), []))
        payable = Fraction(numerator, denominator)
        lines_total = sums[(line.run_id, position)]
        if lines_total != payable:
            added = exact_text(lines_total, currency, grouping=True)
            share = exact_text(payable, currency, grouping=True)
            words.append(bengali.sentence("share", currency, total=added, share=share))
        if payable != entitled:
            rounded = format_minor(entitled, currency)
            words.append(bengali.sentence("rounded", currency, amount=rounded))
        if line.amount_minor != entitled:
            owed = format_minor(entitled, currency)
            before = format_minor(entitled - line.amount_minor, currency)
            words.append(bengali.sentence("difference", currency, owed=owed, before=before))
        if line.reissue_of_id is not None:
            words.append(bengali.sentence("reissue", currency))
        service = (
            bengali.sentence("years", currency, count=years)
            if years is not None
            else bengali.sentence("days", currency, count=days or 0)
        )
        moment = batch.paid_at or batch.approved_at or batch.created_at
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
                account=_account(line.method, line.wallet_number, line.bank_account),
                amount_minor=line.amount_minor,
                currency=batch.currency,
                service=service,
                explanation=tuple(words),
                status=standing(batch.state, line.state),
                dated=line.settled_on
                if line.settled_on is not None
                else (moment.date() if moment is not None else None),
                event_bn=event.title_bn,
            )
        )
    return out


def seeded_batch(session: Session, users: People, policy: str, seed: int) -> DisbursementBatch:
    """A draft batch over a seeded roll, with lines moved into every state a receipt shows."""
    factory = users.factories[("DHK-1", "GZP-2")[seed]]
    roll = stored_roll(session, factory, seeded_roll(40, seed))
    event = create_event(
        session,
        factory=factory,
        actor=users.admin,
        kind="suspension",
        start=date(2024, 3, 1),
        end=date(2024, 4, 16),  # 47 days: thirds of a 30-day month
        roll=roll,
    )
    compute_for_event(
        session, event=event, policy_version=policy_for(session, policy), through=None,
        actor=users.admin,
    )  # fmt: skip
    batch = create_batch(session, event=event, actor=users.admin, secret_key=SECRET)
    ids = session.scalars(
        select(PaymentLine.id).where(PaymentLine.batch_id == batch.id).order_by(PaymentLine.id)
    ).all()
    table = PaymentLine.__table__
    changes = [
        (ids[0], {"amount_minor": PaymentLine.amount_minor - 12_345}),  # a top-up's difference
        (ids[1], {"state": "paid", "settled_on": date(2024, 5, 9)}),
        (ids[2], {"state": "failed", "settled_on": date(2024, 5, 8)}),
        (ids[3], {"state": "void"}),
        (ids[4], {"state": "reissued"}),
        (ids[5], {"reissue_of_id": ids[4]}),
        (ids[6], {"state": "unclaimed"}),
    ]
    for line_id, values in changes:
        session.execute(update(table).where(table.c.id == line_id).values(**values))
    session.flush()
    session.expire_all()
    return session.get_one(DisbursementBatch, batch.id)


def test_the_new_data_is_the_old_data_word_for_word(session: Session, users: People) -> None:
    for seed, policy in enumerate(("alliance-wage-share", "alliance-wage-replacement")):
        batch = seeded_batch(session, users, policy, seed)
        new, old = receipts(session, batch), old_receipts(session, batch)
        assert new == old
        assert len(new) == batch.line_count - 2  # the void and the reissued line have none
        said = [sentence for r in new for worded in r.explanation for sentence in worded]
        wordings = "\n".join(said)
        assert "was paid before" in wordings
        assert "replaces an earlier one" in wordings
        assert "আগে" in wordings  # both in Bengali too
        assert "পৌঁছায়নি" in wordings
        assert all(worded.bengali for r in new for worded in r.explanation)  # every line has both
        if policy == "alliance-wage-share":
            assert "the fund pays its share" in wordings
            assert "Rounded once to the policy's unit" in wordings
            assert any("…" in sentence for sentence in said)
        assert {receipt.status for receipt in new} >= {"draft", "paid", "failed", "unclaimed"}
        assert sheet_rows(session, batch) == old_sheet_rows(session, batch)
