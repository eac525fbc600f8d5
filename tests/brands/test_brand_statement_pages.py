"""Brand statements on the web, as PDF and XLSX, and through the API: each brand sees its own."""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from fund.auth.roles import Role
from fund.brands.models import Pledge
from tests.api.test_api_v1 import check_against_spec
from tests.brands.books import write_books

if TYPE_CHECKING:
    from tests.conftest import People

API = "/api/v1"


@pytest.fixture
def books(users: People) -> People:
    write_books(users.session, users.brands, users.admin)
    return users


@pytest.fixture
def signed_in(app: Flask, users: People, login: Callable[..., Any]) -> Callable[[str], FlaskClient]:
    clients: dict[str, FlaskClient] = {}

    def client_for(username: str) -> FlaskClient:
        if username not in clients:
            client = app.test_client()
            assert login(client, username).status_code == 302
            clients[username] = client
        return clients[username]

    return client_for


@pytest.fixture
def bearer(users: People, api_token: Callable[..., str]) -> Callable[[str], dict[str, str]]:
    def headers(username: str) -> dict[str, str]:
        user = users.extra[username]
        return {"Authorization": f"Bearer {api_token(user)}"}

    return headers


@pytest.fixture
def spec(client: FlaskClient) -> dict[str, Any]:
    document: dict[str, Any] = client.get(f"{API}/openapi.json").json  # type: ignore[assignment]
    return document


def test_a_brand_sees_its_statement_and_not_another_brands(
    books: People, signed_in: Callable[[str], FlaskClient]
) -> None:
    nord = signed_in("nord")
    page = nord.get("/brands/NORD?to=2026-02-28")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "NORD-P1" in text
    assert "6,000.00" in text
    assert "<svg" in text
    assert "HAVEN-P1" not in text
    assert "BEFTN-1" not in text
    for url in (
        "/brands/HAVEN",
        "/brands/HAVEN/statement.pdf",
        "/brands/HAVEN/statement.xlsx",
        "/brands/NOBODY/statement.pdf",
    ):
        assert nord.get(url).status_code == 404, url
    assert nord.get("/brands/NORD/statement.pdf").status_code == 200
    assert nord.get("/brands/NORD/statement.xlsx").status_code == 200


def test_the_api_statement_is_the_brands_own_and_matches_the_spec(
    books: People,
    client: FlaskClient,
    bearer: Callable[[str], dict[str, str]],
    spec: dict[str, Any],
) -> None:
    own = client.get(f"{API}/brands/NORD/statement?to=2026-02-28", headers=bearer("nord"))
    assert own.status_code == 200
    check_against_spec(spec, "/brands/{code}/statement", "get", 200, own.json)
    assert own.json is not None
    assert own.json["positions"] == [
        {
            "currency": "USD",
            "pledged": "10000.00",
            "received": "4000.00",
            "outstanding": "6000.00",
            "overdue": "2000.00",
        }
    ]
    # Fund use is sums by factory and event: nothing about any worker.
    whole = client.get(f"{API}/brands/NORD/statement", headers=bearer("nord")).json
    assert whole is not None
    assert whole["fund_use"]
    assert all(
        set(use) == {"factory", "event", "compensation", "paid"} for use in whole["fund_use"]
    )
    other = client.get(f"{API}/brands/HAVEN/statement", headers=bearer("nord"))
    assert other.status_code == 404
    check_against_spec(spec, "/brands/{code}/statement", "get", 404, other.json)
    bad = client.get(f"{API}/brands/NORD/statement?to=31-02", headers=bearer("nord"))
    assert bad.status_code == 422
    check_against_spec(spec, "/brands/{code}/statement", "get", 422, bad.json)


def test_staff_see_all_brands_side_by_side(
    books: People, signed_in: Callable[[str], FlaskClient]
) -> None:
    page = signed_in("auditor").get("/brands/?to=2026-03-31").get_data(as_text=True)
    assert "NORD" in page
    assert "HAVEN" in page
    assert "300,000.00" in page  # HAVEN's overdue taka
    assert "Contributions received by brand" in page


def test_the_pdf_statement_has_pages_totals_and_no_worker(
    books: People, signed_in: Callable[[str], FlaskClient]
) -> None:
    pypdf = pytest.importorskip("pypdf")
    response = signed_in("nord").get("/brands/NORD/statement.pdf?to=2026-03-31")
    assert response.mimetype == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) > 0
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Nordvik Apparel" in text
    assert "NORD-P1" in text
    assert "4,000.00" in text
    assert "DHK-1" in text  # fund use by factory
    assert "HAVEN" not in text  # no other brand's money, not even in a chart


def test_the_xlsx_statement_totals_agree_with_the_page(
    books: People, signed_in: Callable[[str], FlaskClient]
) -> None:
    response = signed_in("haven").get("/brands/HAVEN/statement.xlsx?to=2026-03-31")
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    summary = next(iter(workbook["Summary"].iter_rows(min_row=2, max_row=2, values_only=True)))
    assert summary[0] == "BDT"
    amounts = [Decimal(str(value)) for value in summary[1:5]]
    assert amounts == [Decimal(500000), Decimal(200000), Decimal(300000), Decimal(300000)]
    assert workbook["Summary"].freeze_panes == "A2"
    assert workbook["Pledges"]["B2"].is_date
    assert workbook["Pledges"]["F2"].number_format == "#,##0.00;-#,##0.00"


def test_staff_record_pledges_and_payments_through_the_api(
    users: People,
    client: FlaskClient,
    bearer: Callable[[str], dict[str, str]],
    spec: dict[str, Any],
) -> None:
    pledge = {
        "reference": "API-1",
        "amount": "1500.50",
        "currency": "USD",
        "pledged_on": "2026-01-02",
        "due_date": "2026-02-28",
    }
    created = client.post(f"{API}/brands/NORD/pledges", json=pledge, headers=bearer("officer"))
    assert created.status_code == 201, created.json
    check_against_spec(spec, "/brands/{code}/pledges", "post", 201, created.json)
    assert created.json is not None
    assert created.json["amount"] == "1500.50"
    retry = client.post(f"{API}/brands/NORD/pledges", json=pledge, headers=bearer("officer"))
    assert retry.status_code == 201
    assert retry.json == created.json
    changed = client.post(
        f"{API}/brands/NORD/pledges", json={**pledge, "amount": "1"}, headers=bearer("officer")
    )
    assert changed.status_code == 409
    check_against_spec(spec, "/brands/{code}/pledges", "post", 409, changed.json)
    cents = client.post(
        f"{API}/brands/NORD/pledges",
        json={**pledge, "reference": "API-2", "amount": "1.234"},
        headers=bearer("officer"),
    )
    assert cents.status_code == 422
    check_against_spec(spec, "/brands/{code}/pledges", "post", 422, cents.json)
    # An officer records promises; money received is the accountant's.
    payment = {
        "bank_reference": "SWIFT-API",
        "amount": "500.00",
        "currency": "USD",
        "value_date": "2026-02-01",
        "pledge_reference": "API-1",
    }
    refused = client.post(
        f"{API}/brands/NORD/contributions", json=payment, headers=bearer("officer")
    )
    assert refused.status_code == 403
    paid = client.post(
        f"{API}/brands/NORD/contributions", json=payment, headers=bearer("accountant")
    )
    assert paid.status_code == 201, paid.json
    check_against_spec(spec, "/brands/{code}/contributions", "post", 201, paid.json)
    assert paid.json is not None
    assert paid.json["pledge_reference"] == "API-1"
    missing = client.post(
        f"{API}/brands/NORD/contributions",
        json={**payment, "bank_reference": "X", "pledge_reference": "NOPE"},
        headers=bearer("accountant"),
    )
    assert missing.status_code == 409
    hidden = client.post(f"{API}/brands/NORD/pledges", json=pledge, headers=bearer("nord"))
    assert hidden.status_code == 403


def test_an_officer_records_a_pledge_on_the_page(
    users: People,
    signed_in: Callable[[str], FlaskClient],
    form_token: Callable[[FlaskClient, str], str],
) -> None:
    officer = signed_in("officer")
    token = form_token(officer, "/brands/HAVEN")
    response = officer.post(
        "/brands/HAVEN/pledges",
        data={
            "csrf_token": token,
            "reference": "WEB-1",
            "amount": "2500.00",
            "currency": "BDT",
            "pledged_on": "2026-01-03",
            "due_date": "2026-03-31",
        },
    )
    assert response.status_code == 302
    stored = users.session.scalars(select(Pledge).where(Pledge.reference == "WEB-1")).one()
    assert (stored.amount, stored.currency) == (250_000, "BDT")
    page = officer.get("/brands/HAVEN").get_data(as_text=True)
    assert "WEB-1" in page
    # The officer sees no payment form: payments are the accountant's.
    assert "Record a payment received" not in page
    assert (
        signed_in("accountant")
        .get("/brands/HAVEN")
        .get_data(as_text=True)
        .count("Record a payment received")
        == 1
    )
    count = users.session.scalar(select(func.count()).select_from(Pledge))
    assert count == 1
    assert Role.OFFICER.value == "officer"


def test_a_refused_pledge_or_payment_shows_the_form_again_as_typed(
    users: People,
    signed_in: Callable[[str], FlaskClient],
    form_token: Callable[[FlaskClient, str], str],
) -> None:
    officer = signed_in("officer")
    token = form_token(officer, "/brands/HAVEN")
    typed = {
        "csrf_token": token,
        "reference": "WEB-CENTS",
        "amount": "2500.005",
        "currency": "BDT",
        "pledged_on": "2026-01-03",
        "due_date": "2026-03-31",
    }
    refused = officer.post("/brands/HAVEN/pledges", data=typed)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert 'aria-invalid="true"' in page
    for value in ("WEB-CENTS", "3 Jan 2026", "31 Mar 2026"):  # dates as the pages show them
        assert f'value="{value}"' in page
    due_before = officer.post(
        "/brands/HAVEN/pledges", data={**typed, "amount": "10", "due_date": "2025-01-01"}
    )
    assert due_before.status_code == 400
    assert 'value="1 Jan 2025"' in due_before.get_data(as_text=True)
    assert users.session.scalar(select(func.count()).select_from(Pledge)) == 0

    accountant = signed_in("accountant")
    token = form_token(accountant, "/brands/HAVEN")
    payment = {
        "csrf_token": token,
        "bank_reference": "BANK-77",
        "amount": "",
        "currency": "BDT",
        "value_date": "2026-02-01",
        "pledge": "",
    }
    missing = accountant.post("/brands/HAVEN/contributions", data=payment)
    assert missing.status_code == 400
    assert 'value="BANK-77"' in missing.get_data(as_text=True)


def test_a_control_character_in_a_form_is_refused_before_anything_is_stored(
    users: People,
    signed_in: Callable[[str], FlaskClient],
    form_token: Callable[[FlaskClient, str], str],
) -> None:
    officer = signed_in("officer")
    token = form_token(officer, "/brands/HAVEN")
    pledge = {
        "csrf_token": token,
        "reference": "WEB\x00NUL",  # PostgreSQL cannot store it; no fund record holds one
        "amount": "2500.00",
        "currency": "BDT",
        "pledged_on": "2026-01-03",
        "due_date": "2026-03-31",
    }
    refused = officer.post("/brands/HAVEN/pledges", data=pledge)
    assert refused.status_code == 400
    assert "control character" in refused.get_data(as_text=True)
    assert users.session.scalar(select(func.count()).select_from(Pledge)) == 0
    assert officer.get("/brands/HAVEN?from=2026-01-01\x1b").status_code == 400
    # Tabs and line breaks are text, not control: a note may have several lines.
    fine = officer.post("/brands/HAVEN/pledges", data={**pledge, "reference": "WEB-1\t(Q1)"})
    assert fine.status_code == 302
