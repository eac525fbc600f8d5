"""``/api/v1/brands/<code>/statement.pdf`` and ``.xlsx``: a brand's token for its own only."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook

from fund.auth.roles import Role
from tests.api.openapi_check import expect

if TYPE_CHECKING:
    from tests.conftest import People

API = "/api/v1"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Headers = Callable[[Role], dict[str, str]]
FILES = {"pdf": "application/pdf", "xlsx": XLSX}


@pytest.fixture
def pledged(client: FlaskClient, users: People, headers: Headers) -> People:
    """NORD pledged 50,000 USD and HAVEN 20,000 USD."""
    for code, amount in (("NORD", "50000.00"), ("HAVEN", "20000.00")):
        made = client.post(
            f"{API}/brands/{code}/pledges",
            json={
                "reference": f"{code}-2024",
                "amount": amount,
                "currency": "USD",
                "pledged_on": "2024-01-05",
                "due_date": "2024-06-30",
            },
            headers=headers(Role.ACCOUNTANT),
        )
        assert made.status_code == 201, made.get_data(as_text=True)
    return users


def _cells(data: bytes) -> list[Any]:
    book = load_workbook(io.BytesIO(data), read_only=True)
    return [
        cell
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    ]


@pytest.mark.parametrize("suffix", ["pdf", "xlsx"])
def test_a_brand_downloads_its_own_statement(
    client: FlaskClient, pledged: People, headers: Headers, suffix: str
) -> None:
    response = client.get(f"{API}/brands/NORD/statement.{suffix}", headers=headers(Role.BRAND))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == FILES[suffix]
    assert f"NORD-statement.{suffix}" in response.headers["Content-Disposition"]
    if suffix == "pdf":
        assert response.data.startswith(b"%PDF")
    else:
        cells = " ".join(map(str, _cells(response.data)))
        assert "NORD-2024" in cells
        assert "HAVEN" not in cells  # nothing of another brand


@pytest.mark.parametrize("suffix", ["pdf", "xlsx"])
def test_another_brands_statement_is_404_like_one_that_does_not_exist(
    client: FlaskClient, pledged: People, headers: Headers, spec: dict[str, Any], suffix: str
) -> None:
    path = f"/brands/{{code}}/statement.{suffix}"
    nord = headers(Role.BRAND)
    hidden = expect(
        spec, client.get(f"{API}/brands/HAVEN/statement.{suffix}", headers=nord), path, "get", 404
    )
    absent = expect(
        spec, client.get(f"{API}/brands/NOPE/statement.{suffix}", headers=nord), path, "get", 404
    )
    assert hidden["errors"][0]["code"] == absent["errors"][0]["code"] == "not_found"


@pytest.mark.parametrize("role", [Role.ACCOUNTANT, Role.AUDITOR, Role.OFFICER], ids=str)
def test_fund_staff_download_any_brands_statement(
    client: FlaskClient, pledged: People, headers: Headers, role: Role
) -> None:
    pdf = client.get(f"{API}/brands/HAVEN/statement.pdf", headers=headers(role))
    assert (pdf.status_code, pdf.mimetype) == (200, "application/pdf")
    assert pdf.data.startswith(b"%PDF")
    xlsx = client.get(
        f"{API}/brands/HAVEN/statement.xlsx?from=2024-01-01&to=2024-12-31", headers=headers(role)
    )
    assert (xlsx.status_code, xlsx.mimetype) == (200, XLSX)
    assert "HAVEN-2024" in " ".join(map(str, _cells(xlsx.data)))


@pytest.mark.parametrize(
    ("query", "status"),
    [("?from=2024-02-30", 422), ("?to=soon", 422), ("?from=2024-06-01&to=2024-01-01", 400)],
    ids=str,
)
@pytest.mark.parametrize("suffix", ["pdf", "xlsx"])
def test_a_bad_period_is_refused_in_the_error_shape(
    client: FlaskClient,
    pledged: People,
    headers: Headers,
    spec: dict[str, Any],
    query: str,
    status: int,
    suffix: str,
) -> None:
    # Not a date: 422 naming the argument; two dates the books cannot give: 400.
    response = client.get(
        f"{API}/brands/NORD/statement.{suffix}{query}", headers=headers(Role.BRAND)
    )
    expect(spec, response, f"/brands/{{code}}/statement.{suffix}", "get", status)


def test_the_statement_files_need_a_token(
    client: FlaskClient, pledged: People, spec: dict[str, Any]
) -> None:
    response = client.get(f"{API}/brands/NORD/statement.pdf")
    expect(spec, response, "/brands/{code}/statement.pdf", "get", 401)
