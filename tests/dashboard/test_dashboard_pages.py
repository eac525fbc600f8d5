"""The pages that show the queue, an event's life, the approver's panel and honest states."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from fund.audit.words import action_words, fact_words
from fund.disbursements.approving import approve, submit
from fund.disbursements.making import create_batch
from fund.disbursements.paying import pay, transfer_to_float
from fund.disbursements.receipts import standing
from fund.display import display_date, display_datetime, display_money
from fund.events.services import create_event
from tests.disbursements.conftest import ROLL, SECRET, World
from tests.entitlements.helpers import stored_roll, taka

#: The same four workers at GZP-2, with national IDs and wallets of their own.
OTHER_ROLL = ROLL.replace("DHK", "GZP").replace(",19900", ",19800").replace(",017110", ",018110")

ON = date(2024, 5, 2)


def signed_in(app: Flask, login: Callable[..., Any], username: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def test_the_approver_reads_one_batch_awaiting_approval_with_its_decision_panel(
    app: Flask, world: World, login: Callable[..., Any]
) -> None:
    s = world.session
    world.fund_bank(taka(200_000))
    batch = create_batch(s, event=world.event, actor=world.officer, secret_key=SECRET)
    submit(s, batch=batch, actor=world.officer)
    approver = signed_in(app, login, "approver")
    home = approver.get("/").get_data(as_text=True)
    assert "1 batch awaiting approval" in home
    assert "1 batches" not in home
    assert f'href="/batches/{batch.id}#decision">Review and decide</a>' in home
    page = approver.get(f"/batches/{batch.id}").get_data(as_text=True)
    assert 'id="decision"' in page
    assert "100,000.00 BDT" in page  # the total, separators and the currency once
    assert "BDT BDT" not in page
    assert "4 eligible workers" in page
    assert "200,000.00 BDT" in page  # available now
    assert "100,000.00 BDT</strong>" in page  # available after approving
    officer = signed_in(app, login, "officer")
    assert "awaiting approval" not in officer.get("/").get_data(as_text=True).split("Cash")[0]


def test_a_released_batch_says_released_and_its_event_shows_the_next_step(
    app: Flask, world: World, login: Callable[..., Any]
) -> None:
    s = world.session
    world.fund_bank(taka(200_000))
    transfer_to_float(s, amount_minor=taka(60_000), actor=world.accountant, on=ON)
    batch = create_batch(s, event=world.event, actor=world.officer, secret_key=SECRET)
    submit(s, batch=batch, actor=world.officer)
    approve(s, batch=batch, actor=world.approver, on=ON)
    pay(s, batch=batch, actor=world.accountant, on=ON)
    officer = signed_in(app, login, "officer")
    page = officer.get(f"/batches/{batch.id}").get_data(as_text=True)
    assert '<span class="state state-paid">released</span>' in page
    assert "released" in officer.get(f"/batches/?event={world.event.id}").get_data(as_text=True)
    event_page = officer.get(f"/events/{world.event.id}").get_data(as_text=True)
    assert 'data-stage="reconciled"' in event_page
    assert "4 payments await the provider&#39;s result" in event_page
    assert f'href="/batches/{batch.id}#actions">Import the provider&#39;s result file' in event_page


def test_an_event_without_a_roll_offers_the_roll_instead_of_a_failing_button(
    app: Flask, world: World, login: Callable[..., Any]
) -> None:
    s, people = world.session, world.people
    gzp = people.factories["GZP-2"]
    event = create_event(
        s, factory=gzp, actor=people.admin, kind="suspension", start=date(2024, 3, 1)
    )
    officer = signed_in(app, login, "officer")
    page = officer.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Compute entitlements</button>" not in page
    assert "Import GZP-2&#39;s roll" in page
    roll = stored_roll(s, gzp, OTHER_ROLL)
    roll_page = officer.get(f"/rolls/{roll.id}").get_data(as_text=True)
    assert "1 event could use this roll" in roll_page
    assert f'action="/events/{event.id}/roll"' in roll_page
    factory_page = officer.get("/factories/GZP-2").get_data(as_text=True)
    assert event.title in factory_page
    assert "Attach roll version 1" in factory_page
    assert "version 1" in factory_page


def test_audit_facts_read_as_words_with_money_formatted() -> None:
    assert action_words("batches.fund_float") == "topped up the mobile-money float"
    assert fact_words({"amount": 600_000_000, "currency": "BDT"}) == ["amount: 6,000,000.00 BDT"]
    assert fact_words({"total_minor": 12_345, "currency": "USD"}) == ["total: 123.45 USD"]
    assert fact_words({"usd_amount": 15_000_000, "bdt_amount": 1_821_750_000}) == [
        "usd amount: 150,000.00 USD",
        "bdt amount: 18,217,500.00 BDT",
    ]
    assert fact_words({"frozen": True, "note": None}) == ["frozen: yes", "note: none"]


def test_a_slip_claims_paid_only_for_a_line_settled_paid() -> None:
    assert standing("approved", "pending") == "approved"
    assert standing("paid", "pending") == "released"
    assert standing("paid", "paid") == "paid"
    assert standing("paid", "failed") == "failed"
    assert standing("submitted", "pending") == "submitted"
    assert standing("draft", "pending") == "draft"


def test_one_display_format_for_dates_and_money() -> None:
    from datetime import UTC, datetime

    assert display_date(date(2026, 12, 2)) == "2 Dec 2026"
    assert display_date(date(2026, 10, 31)) == "31 Oct 2026"
    assert display_datetime(datetime(2026, 3, 4, 9, 5, tzinfo=UTC)) == "4 Mar 2026 09:05"
    assert display_date(None) == "—"
    assert display_money(28_260_000, "BDT") == "282,600.00 BDT"


def test_receipts_are_dated_and_say_approved_until_the_line_is_paid(world: World) -> None:
    import io

    from pypdf import PdfReader
    from sqlalchemy import select

    from fund.disbursements.models import PaymentLine
    from fund.disbursements.outputs import receipts
    from fund.disbursements.paying import mark_paid
    from fund.disbursements.receipts import render_receipts

    s = world.session
    world.fund_bank(taka(200_000))
    transfer_to_float(s, amount_minor=taka(60_000), actor=world.accountant, on=ON)
    batch = create_batch(s, event=world.event, actor=world.officer, secret_key=SECRET)
    submit(s, batch=batch, actor=world.officer)
    approve(s, batch=batch, actor=world.approver, on=ON)

    def first_page() -> str:
        pdf = render_receipts(receipts(s, batch))
        return PdfReader(io.BytesIO(pdf)).pages[0].extract_text()

    text = first_page()
    assert "Amount approved: 25,000.00 BDT" in text
    assert "Amount paid" not in text
    assert "approval slip: not yet paid" in text
    assert "Dated" in text
    pay(s, batch=batch, actor=world.accountant, on=ON)
    first = s.scalars(
        select(PaymentLine)
        .where(PaymentLine.batch_id == batch.id)
        .order_by(PaymentLine.receipt_number)
    ).first()
    assert first is not None
    assert "Amount sent: 25,000.00 BDT" in first_page()
    mark_paid(s, line=first, actor=world.accountant, on=date(2024, 5, 6))
    text = first_page()
    assert "Amount paid: 25,000.00 BDT" in text
    assert "6 May 2024" in text
