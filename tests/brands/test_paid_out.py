""" "Paid out" on a brand's statement is money that reached workers: cash sent, net of returns.

A scenario with a cancelled batch, a failed line re-sent, a failed line moved to unclaimed and
reissued to new details (a payee change), and a failed line left failed. Every statement
(service, web, API, XLSX, PDF) shows the same figure, which equals a ledger query (cash that
left for the batches' entries) and the live payment lines' amounts.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Flask
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from fund.auth.models import User
from fund.brands.statement import brand_statement
from fund.db import utcnow
from fund.disbursements.approving import approve, cancel, submit
from fund.disbursements.making import create_batch
from fund.disbursements.models import DisbursementBatch, PaymentLine
from fund.disbursements.payee_changes import approve_payee_change, request_payee_change
from fund.disbursements.paying import mark_failed, mark_paid, pay, transfer_to_float
from fund.disbursements.reissuing import mark_unclaimed, reissue
from ledger.models import Account, JournalEntry, Posting
from ledger.money import format_minor
from tests.disbursements.conftest import EACH, SECRET, World, world  # noqa: F401
from tests.entitlements.helpers import taka


def _day(n: int) -> date:
    return date(2024, 5, n)


def scenario(scene: World) -> None:
    s = scene.session
    scene.fund_bank(taka(500_000))
    dropped = create_batch(
        s, event=scene.event, actor=scene.officer, secret_key=SECRET, selection=["M-1"]
    )
    submit(s, batch=dropped, actor=scene.officer)
    approve(s, batch=dropped, actor=scene.approver, on=_day(2))
    cancel(s, batch=dropped, actor=scene.approver, reason="wrong roll", on=_day(2))
    batch = create_batch(s, event=scene.event, actor=scene.officer, secret_key=SECRET)
    submit(s, batch=batch, actor=scene.officer)
    approve(s, batch=batch, actor=scene.approver, on=_day(2))
    transfer_to_float(s, amount_minor=2 * EACH, actor=scene.accountant, on=_day(2))
    pay(s, batch=batch, actor=scene.accountant, on=_day(3))
    lines = {line.worker_id: line for line in batch.lines if line.state == "pending"}
    a = scene.accountant
    mark_paid(s, line=lines["M-1"], actor=a, on=_day(4))
    for worker in ("M-4", "B-2", "C-3"):
        mark_failed(s, line=lines[worker], actor=a, on=_day(4), reason="failed")
    again = reissue(s, line=lines["M-4"], actor=a, on=_day(5), secret_key=SECRET)
    mark_paid(s, line=again, actor=a, on=_day(6))
    mark_unclaimed(s, line=lines["B-2"], actor=a, on=_day(5))
    change = request_payee_change(
        s, line=lines["B-2"], actor=a, reason="came to the office", method="cash"
    )
    approve_payee_change(s, change=change, actor=scene.approver, on=_day(6), secret_key=SECRET)


def ledger_paid_out(scene: World) -> int:
    """Cash that left for the event's batches' entries (no fees in this scenario)."""
    references = [
        f"batch:{batch_id}"
        for batch_id in scene.session.scalars(
            select(DisbursementBatch.id).where(DisbursementBatch.event_id == scene.event.id)
        )
    ]
    total = scene.session.scalar(
        select(func.sum(Posting.amount))
        .join(Account, Account.id == Posting.account_id)
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .where(Account.code.in_(("1010", "1020")), JournalEntry.reference.in_(references))
    )
    return -int(total or 0)


def test_paid_out_is_cash_that_reached_workers_on_every_statement(
    world: World,  # noqa: F811
    app: Flask,
    login: Callable[..., Any],
    api_token: Callable[[User], str],
) -> None:
    scenario(world)
    s = world.session
    sent = s.scalar(
        select(func.sum(PaymentLine.amount_minor)).where(
            PaymentLine.event_id == world.event.id,
            PaymentLine.released,
            PaymentLine.state.in_(("paid", "pending")),
        )
    )
    assert sent == 3 * EACH  # M-1, M-4 re-sent, B-2 reissued by cash; C-3 came back
    assert ledger_paid_out(world) == sent
    brand = world.people.brands["NORD"]
    statement = brand_statement(s, brand=brand, end=utcnow().date())
    assert statement.paid_total == ledger_paid_out(world)

    shown = format_minor(statement.paid_total, "BDT")
    auditor = world.people.by_role[next(r for r in world.people.by_role if r.value == "auditor")]
    token = {"Authorization": f"Bearer {api_token(auditor)}"}
    api = app.test_client()
    body = api.get("/api/v1/brands/NORD/statement", headers=token).json
    assert body is not None
    assert sum(int(u["paid"].replace(".", "")) for u in body["fund_use"]) == statement.paid_total
    book = load_workbook(
        io.BytesIO(api.get("/api/v1/brands/NORD/statement.xlsx", headers=token).data)
    )
    use = book["Fund use"]
    rows = list(use.iter_rows(values_only=True))
    paid_column = next(row for row in rows if "Paid out (BDT)" in row).index("Paid out (BDT)")
    total_row = next(row for row in rows if row[0] == "Total")
    assert round(total_row[paid_column] * 100) == statement.paid_total
    pdf = PdfReader(io.BytesIO(api.get("/api/v1/brands/NORD/statement.pdf", headers=token).data))
    assert shown in "".join(page.extract_text() for page in pdf.pages)
    web = app.test_client()
    login(web, auditor.username)
    assert shown in web.get("/brands/NORD").get_data(as_text=True)
