"""The API as its document says: bodies, empty query dates, 405's Allow, timestamps' zone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from flask.testing import FlaskClient

from fund.auth.roles import Role
from fund.entitlements.schemas import EntitlementRunOut
from fund.rolls.schemas import RollOut
from tests.api.conftest import API

Headers = Callable[[Role], dict[str, str]]

#: Writes on no stored object (approve and pay: tests/disbursements/test_disbursement_web.py).
WRITES = [
    ("/ledger/close", Role.ACCOUNTANT),
    ("/ledger/reopen", Role.ADMIN),
    ("/events", Role.OFFICER),
    ("/claims", Role.OFFICER),
]


@pytest.mark.parametrize(
    "body",
    [b"", b"null", b"[]", b'"text"', b"\x8f\x00garbage{"],
    ids=["empty", "null", "array", "string", "bytes"],
)
@pytest.mark.parametrize(("path", "role"), WRITES)
def test_a_write_without_a_json_object_is_a_422_naming_the_body(
    client: FlaskClient, headers: Headers, path: str, role: Role, body: bytes
) -> None:
    response = client.post(
        f"{API}{path}", data=body, content_type="application/json", headers=headers(role)
    )
    assert response.status_code == 422, response.get_data(as_text=True)
    errors: list[dict[str, Any]] = response.json["errors"]  # type: ignore[index]
    assert errors[0]["field"] == "body"


@pytest.mark.parametrize(
    ("path", "role", "field"),
    [
        ("/ledger/trial-balance?as_of=", Role.ACCOUNTANT, "as_of"),
        ("/ledger/export/journal.xlsx?to=", Role.ACCOUNTANT, "to"),
        ("/ledger/export/journal.xlsx?from=&to=2026-01-31", Role.ACCOUNTANT, "from"),
        ("/brands/NORD/statement?to=", Role.BRAND, "to"),
        ("/brands/NORD/statement?to=31/01/2026", Role.BRAND, "to"),
    ],
)
def test_an_empty_or_bad_query_date_is_a_422_naming_it(
    client: FlaskClient, headers: Headers, path: str, role: Role, field: str
) -> None:
    # Read as "no end", an empty date would quietly give the books to today.
    response = client.get(f"{API}{path}", headers=headers(role))
    assert response.status_code == 422, response.get_data(as_text=True)
    errors: list[dict[str, Any]] = response.json["errors"]  # type: ignore[index]
    assert [error["field"] for error in errors] == [field]


@pytest.mark.parametrize(
    "query",
    ["kind=suspension&kind=zz", "factory=a&factory=b", "page=1&page=x", "knd=closure", "=false"],
)
def test_a_query_argument_given_twice_or_not_taken_is_a_422_naming_it(
    client: FlaskClient, headers: Headers, query: str
) -> None:
    # Read as its first value, or ignored, the rest would be dropped silently (and a
    # malformed query taken as a good one: schemathesis's negative cases send these).
    response = client.get(f"{API}/events?{query}", headers=headers(Role.OFFICER))
    assert response.status_code == 422, response.get_data(as_text=True)
    errors: list[dict[str, Any]] = response.json["errors"]  # type: ignore[index]
    name = query.split("=", 1)[0]
    assert errors[0]["field"] == (name or "_schema")  # a nameless argument: the query as a whole


def test_absent_query_dates_still_mean_everything(client: FlaskClient, headers: Headers) -> None:
    assert (
        client.get(f"{API}/ledger/trial-balance", headers=headers(Role.ACCOUNTANT)).status_code
        == 200
    )


def test_a_405_names_the_methods_that_work(client: FlaskClient, headers: Headers) -> None:
    response = client.delete(f"{API}/events", headers=headers(Role.OFFICER))
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    response = client.put(f"{API}/ledger/close", headers=headers(Role.ACCOUNTANT))
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]


def test_imported_at_and_computed_at_carry_their_timezone() -> None:
    # SQLite hands stored UTC times back naive: the answer still says they are UTC.
    naive = datetime(2026, 3, 1, 9, 30)  # noqa: DTZ001
    assert RollOut().fields["imported_at"].serialize("t", {"t": naive}).endswith("+00:00")
    assert EntitlementRunOut().fields["computed_at"].serialize("t", {"t": naive}).endswith("+00:00")


def test_a_failed_line_documents_its_required_reason(spec: dict[str, Any]) -> None:
    # One operation per body: "failed" needs a reason, the other settlements take payee fields.
    def body(path: str) -> dict[str, Any]:
        operation = spec["paths"][path]["post"]
        assert operation["requestBody"]["required"] is True
        reference = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        named: dict[str, Any] = spec["components"]["schemas"][reference.rsplit("/", 1)[1]]
        return named

    failed = body("/batches/{batch_id}/lines/{line_id}/failed")
    assert "reason" in failed["required"]
    others = body("/batches/{batch_id}/lines/{line_id}/{action}")
    assert {"on", "method", "wallet_number", "bank_account"} <= set(others["properties"])
    assert "reason" not in others["properties"]
