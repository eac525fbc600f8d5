"""The books on screen: trial balance → an account's postings → the entry → what posted it."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select

from fund.disbursements.approving import approve, submit
from fund.disbursements.making import create_batch
from fund.reports.screens import journal_page
from ledger import account
from ledger.models import JournalEntry
from ledger.queries import balance
from tests.dashboard.test_dashboard_pages import signed_in
from tests.disbursements.conftest import SECRET, World
from tests.entitlements.helpers import taka

ON = date(2024, 5, 2)


def test_drill_down_from_the_trial_balance_to_the_batch(
    app: Flask, world: World, login: Callable[..., Any]
) -> None:
    s = world.session
    world.fund_bank(taka(200_000))
    batch = create_batch(s, event=world.event, actor=world.officer, secret_key=SECRET)
    submit(s, batch=batch, actor=world.officer)
    approve(s, batch=batch, actor=world.approver, on=ON)
    expense = account(s, "5000", currency="BDT", factory="DHK-1", event=str(world.event.id))
    web = signed_in(app, login, "accountant")
    books = web.get("/ledger/").get_data(as_text=True)
    assert "factory=DHK-1" not in books  # dimensions as names
    assert f"Rupali Knit (DHK-1) · {world.event.title}" in books
    assert f'href="/ledger/accounts/{expense.id}"' in books
    postings = web.get(f"/ledger/accounts/{expense.id}").get_data(as_text=True)
    entry = s.scalars(
        select(JournalEntry).where(JournalEntry.idempotency_key == f"batch:{batch.id}:approve")
    ).one()
    assert f'href="/ledger/entries/{entry.id}"' in postings
    closing = balance(s, expense)
    assert f"{closing // 100:,}.00 BDT" in postings  # the closing balance is the ledger's
    page = web.get(f"/ledger/entries/{entry.id}").get_data(as_text=True)
    assert f'href="/batches/{batch.id}">batch {batch.id} (approval)</a>' in page
    assert "2000 Entitlements payable" in page
    assert web.get("/ledger/entries/999999").status_code == 404
    assert signed_in(app, login, "officer").get("/ledger/journal").status_code == 403


def test_the_journal_filters_by_date_and_words(world: World) -> None:
    s = world.session
    world.fund_bank(taka(10), key="gift-1")  # dated 10 January 2024
    entries, total = journal_page(s)
    assert total == len(entries) == 1
    assert journal_page(s, start=date(2024, 1, 11))[1] == 0
    assert journal_page(s, end=date(2024, 1, 10))[1] == 1
    assert journal_page(s, text="brands'")[1] == 1
    assert journal_page(s, text="nothing like it")[1] == 0
    (shown,) = entries
    assert sum(p.amount for p in shown.postings) == 0


def test_an_export_names_the_fund_and_a_real_period_end(
    app: Flask, world: World, login: Callable[..., Any]
) -> None:
    world.fund_bank(taka(10), key="gift-2")  # dated 10 January 2024
    web = signed_in(app, login, "accountant")
    body = web.get("/ledger/export/journal.xlsx").get_data()
    sheet = load_workbook(io.BytesIO(body))["Control totals"]
    assert sheet["D1"].value == "Fund"
    assert sheet["E1"].value == "Worker Fund"
    assert sheet["B2"].value is not None
    assert sheet["B2"].value != "latest"
    assert sheet["B2"].value.date() == date(2024, 1, 10)
