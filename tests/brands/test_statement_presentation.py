"""The brand statement as a brand reads it: events by name, workers helped (counts only), one
embedded font family in the PDF, chart titles that say their currency once."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import Any

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fund.auth.roles import Role
from fund.brands.fund_use_events import country_name, use_events, workers_helped_total
from fund.disbursements.models import PaymentLine
from fund.disbursements.paying import mark_failed, mark_paid, mobile_needed, pay, transfer_to_float
from tests.brands.books import write_books
from tests.conftest import People
from tests.disbursements.bengali import NAMES, approved_bengali_batch
from tests.pdf_tools import fonts, text

PAID_ON = date(2024, 5, 10)


@pytest.fixture
def nord(app: Flask, login: Callable[..., Any]) -> FlaskClient:
    client = app.test_client()
    assert login(client, "nord").status_code == 302
    return client


@pytest.fixture
def settled(users: People) -> tuple[int, int]:
    """A Bengali roll's batch paid; all but the last two lines confirmed paid, one failed.

    Returns the event id and how many lines were confirmed paid."""
    session = users.session
    batch = approved_bengali_batch(session, users)
    accountant = users.by_role[Role.ACCOUNTANT]
    transfer_to_float(
        session, amount_minor=mobile_needed(session, batch), actor=accountant, on=PAID_ON
    )
    pay(session, batch=batch, actor=accountant, on=PAID_ON)
    lines = sorted(batch.lines, key=lambda line: line.id)
    for line in lines[:-2]:
        mark_paid(session, line=line, actor=accountant, on=PAID_ON)
    mark_failed(session, line=lines[-1], actor=accountant, on=PAID_ON, reason="wallet closed")
    return batch.event_id, len(lines) - 2


def test_workers_helped_counts_lines_confirmed_paid_in_the_period(
    users: People, settled: tuple[int, int]
) -> None:
    session: Session = users.session
    event_id, paid = settled
    # Tied to the payment lines: distinct workers whose line the provider confirmed paid.
    confirmed = session.scalar(
        select(func.count(func.distinct(PaymentLine.worker_id))).where(
            PaymentLine.event_id == event_id, PaymentLine.state == "paid"
        )
    )
    assert confirmed == paid == len(NAMES) - 2
    named = use_events(session, [str(event_id)], start=None, end=date(2024, 12, 31))
    assert named[str(event_id)].workers_helped == paid
    assert named[str(event_id)].title == "Suspension of DHK-1 from 2024-03-01 to 2024-04-29"
    assert workers_helped_total(session, [str(event_id)], start=None, end=PAID_ON) == paid
    # Outside the period nobody was helped; an id the ledger may carry but no event has: none.
    assert workers_helped_total(session, [str(event_id)], start=None, end=date(2024, 5, 9)) == 0
    assert (
        workers_helped_total(
            session, [str(event_id)], start=date(2024, 5, 11), end=date(2025, 1, 1)
        )
        == 0
    )
    assert use_events(session, ["x"], start=None, end=PAID_ON) == {}


def test_the_page_and_pdf_name_events_and_count_workers_and_no_one_by_name(
    users: People, settled: tuple[int, int], nord: FlaskClient
) -> None:
    _, paid = settled
    page = nord.get("/brands/NORD?to=2024-12-31").get_data(as_text=True)
    assert "Member brand based in Sweden." in page
    assert "from SE" not in page
    assert "Suspension of DHK-1 from 2024-03-01 to 2024-04-29" in page
    assert f"{paid} workers helped in the period" in page
    assert not any(name in page for name in NAMES)  # counts only
    pdf = nord.get("/brands/NORD/statement.pdf?to=2024-12-31").data
    extracted = " ".join(text(pdf).split())
    assert "Suspension of DHK-1 from 2024-03-01 to 2024-04-29" in extracted
    assert f"Workers helped in the period: {paid}" in extracted
    assert not any(name in extracted for name in NAMES)
    book = openpyxl.load_workbook(
        io.BytesIO(nord.get("/brands/NORD/statement.xlsx?to=2024-12-31").data)
    )
    rows = list(book["Fund use"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Factory", "Event", "Workers helped")
    assert rows[1][:3] == (
        "DHK-1",
        "Suspension of DHK-1 from 2024-03-01 to 2024-04-29",
        paid,
    )
    assert rows[-1][0] == "Total"
    assert rows[-1][2] == paid


def test_the_statement_pdf_embeds_one_font_family_and_says_bdt_once(
    users: People, nord: FlaskClient
) -> None:
    write_books(users.session, users.brands, users.admin)
    pdf = nord.get("/brands/NORD/statement.pdf?to=2026-03-31").data
    listed = fonts(pdf)
    assert listed
    assert all(embedded for _, embedded in listed), listed
    assert {name.split("+", 1)[1] for name, _ in listed} <= {"NotoSans-Regular", "NotoSans-Bold"}
    extracted = text(pdf)
    assert "Worker compensation by factory and month (BDT)" in extracted  # a chart's title
    assert "(BDT) (BDT)" not in extracted


def test_a_country_code_reads_as_its_name() -> None:
    assert country_name("SE") == "Sweden"
    assert country_name("bd") == "Bangladesh"
    assert country_name("XQ") == "XQ"  # not a country: shown as given, not dropped
