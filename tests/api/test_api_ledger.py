"""``/api/v1/ledger/…``: Excel exports, closing a month and reopening it."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook

from fund.auth.roles import Role
from ledger import account, closed_through
from tests.api.openapi_check import check_against_spec, expect

if TYPE_CHECKING:
    from tests.conftest import People

API = "/api/v1"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Headers = Callable[[Role], dict[str, str]]


@pytest.fixture
def booked(client: FlaskClient, users: People, headers: Headers) -> People:
    """NORD's taka contribution of 150,000 is in the books (Dr 1010 / Cr 4000)."""
    received = client.post(
        f"{API}/brands/NORD/contributions",
        json={
            "bank_reference": "BANK-1",
            "amount": "150000.00",
            "currency": "BDT",
            "value_date": "2024-01-10",
        },
        headers=headers(Role.ACCOUNTANT),
    )
    assert received.status_code == 201, received.get_data(as_text=True)
    return users


def _workbook_text(data: bytes) -> str:
    book = load_workbook(io.BytesIO(data), read_only=True)
    return " ".join(
        str(cell)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    )


@pytest.mark.parametrize("kind", ["journal", "general-ledger", "trial-balance"])
@pytest.mark.parametrize("role", [Role.ACCOUNTANT, Role.AUDITOR, Role.ADMIN], ids=str)
def test_the_books_download_as_workbooks_that_open(
    client: FlaskClient, booked: People, headers: Headers, kind: str, role: Role
) -> None:
    response = client.get(
        f"{API}/ledger/export/{kind}.xlsx?from=2024-01-01&to=2024-12-31", headers=headers(role)
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == XLSX
    assert f"filename={kind}.xlsx" in response.headers["Content-Disposition"]
    text = _workbook_text(response.data)
    assert "1010" in text
    assert "150000" in text.replace(",", "")


def test_an_account_statement_needs_an_existing_account(
    client: FlaskClient, booked: People, headers: Headers, spec: dict[str, Any]
) -> None:
    path = "/ledger/export/{kind}.xlsx"
    accountant = headers(Role.ACCOUNTANT)
    bank = account(booked.session, "1010")
    good = client.get(
        f"{API}/ledger/export/account-statement.xlsx?account={bank.id}", headers=accountant
    )
    assert good.status_code == 200
    assert good.mimetype == XLSX
    assert "150000" in _workbook_text(good.data).replace(",", "")
    for query in ("", "?account=999999"):
        missing = client.get(
            f"{API}/ledger/export/account-statement.xlsx{query}", headers=accountant
        )
        expect(spec, missing, path, "get", 404)
    for query in (f"?account={2**40}", "?account=²"):  # no id of ours: refused as such
        absurd = client.get(
            f"{API}/ledger/export/account-statement.xlsx{query}", headers=accountant
        )
        assert expect(spec, absurd, path, "get", 422)["errors"][0]["field"] == "account"


@pytest.mark.parametrize(
    ("query", "status"),
    [("?from=2024-13-01", 422), ("?to=yesterday", 422), ("?from=2024-06-01&to=2024-01-01", 409)],
    ids=str,
)
def test_bad_export_periods_answer_in_the_error_shape(
    client: FlaskClient,
    booked: People,
    headers: Headers,
    spec: dict[str, Any],
    query: str,
    status: int,
) -> None:
    response = client.get(
        f"{API}/ledger/export/journal.xlsx{query}", headers=headers(Role.ACCOUNTANT)
    )
    body = expect(spec, response, "/ledger/export/{kind}.xlsx", "get", status)
    assert body["errors"][0]["message"]


def test_an_unknown_export_is_404(
    client: FlaskClient, booked: People, headers: Headers, spec: dict[str, Any]
) -> None:
    response = client.get(f"{API}/ledger/export/secret_key.xlsx", headers=headers(Role.ACCOUNTANT))
    expect(spec, response, "/ledger/export/{kind}.xlsx", "get", 404)


@pytest.mark.parametrize("role", [Role.OFFICER, Role.APPROVER, Role.BRAND], ids=str)
def test_exports_are_for_the_books_readers_only(
    client: FlaskClient, booked: People, headers: Headers, spec: dict[str, Any], role: Role
) -> None:
    response = client.get(f"{API}/ledger/export/journal.xlsx", headers=headers(role))
    expect(spec, response, "/ledger/export/{kind}.xlsx", "get", 403)


def test_an_accountant_closes_a_month_and_an_admin_reopens_it(
    client: FlaskClient, booked: People, headers: Headers, spec: dict[str, Any]
) -> None:
    accountant, admin = headers(Role.ACCOUNTANT), headers(Role.ADMIN)
    closed = client.post(f"{API}/ledger/close", json={"through": "2024-01-31"}, headers=accountant)
    assert expect(spec, closed, "/ledger/close", "post", 200) == {"closed_through": "2024-01-31"}
    assert str(closed_through(booked.session)) == "2024-01-31"

    again = client.post(f"{API}/ledger/close", json={"through": "2024-01-31"}, headers=accountant)
    assert expect(spec, again, "/ledger/close", "post", 409)["errors"][0]["code"] == "refused"
    late = client.post(
        f"{API}/brands/NORD/contributions",
        json={
            "bank_reference": "BANK-2",
            "amount": "1.00",
            "currency": "BDT",
            "value_date": "2024-01-20",
        },
        headers=accountant,
    )
    assert late.status_code == 409  # dated in the closed month: refused by the rules

    refused = client.post(
        f"{API}/ledger/reopen", json={"reason": "late bank advice"}, headers=accountant
    )
    expect(spec, refused, "/ledger/reopen", "post", 403)
    reopened = client.post(
        f"{API}/ledger/reopen", json={"through": None, "reason": "late bank advice"}, headers=admin
    )
    assert expect(spec, reopened, "/ledger/reopen", "post", 200) == {"closed_through": None}
    assert closed_through(booked.session) is None


@pytest.mark.parametrize(
    ("path", "body", "field", "status"),
    [
        ("/ledger/close", {"through": "2024-01-30"}, "through", 409),
        ("/ledger/close", {"through": "January"}, "through", 422),
        ("/ledger/close", {}, "through", 422),
        ("/ledger/reopen", {"through": "2024-01-15", "reason": "x"}, "through", 409),
        ("/ledger/reopen", {"reason": "  "}, "reason", 422),
        ("/ledger/reopen", {"reason": "x" * 201}, "reason", 422),
    ],
    ids=str,
)
def test_bad_close_and_reopen_input_is_named_and_changes_nothing(
    client: FlaskClient,
    booked: People,
    headers: Headers,
    spec: dict[str, Any],
    path: str,
    body: dict[str, Any],
    field: str,
    status: int,
) -> None:
    response = client.post(f"{API}{path}", json=body, headers=headers(Role.ADMIN))
    errors = expect(spec, response, path, "post", status)["errors"]
    assert [error["field"] for error in errors] == [field]
    assert closed_through(booked.session) is None


def test_reopening_open_books_is_a_conflict(
    client: FlaskClient, booked: People, headers: Headers, spec: dict[str, Any]
) -> None:
    response = client.post(
        f"{API}/ledger/reopen", json={"reason": "x"}, headers=headers(Role.ADMIN)
    )
    expect(spec, response, "/ledger/reopen", "post", 409)


@pytest.mark.parametrize("role", [Role.OFFICER, Role.APPROVER, Role.AUDITOR, Role.BRAND], ids=str)
def test_only_accountants_and_admins_close(
    client: FlaskClient, booked: People, headers: Headers, spec: dict[str, Any], role: Role
) -> None:
    response = client.post(
        f"{API}/ledger/close", json={"through": "2024-01-31"}, headers=headers(role)
    )
    check_against_spec(spec, "/ledger/close", "post", 403, response.json)
    assert response.status_code == 403
    reopen = client.post(f"{API}/ledger/reopen", json={"reason": "x"}, headers=headers(role))
    expect(spec, reopen, "/ledger/reopen", "post", 403)
    assert closed_through(booked.session) is None
