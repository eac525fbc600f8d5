"""The claims API through its schemas: the list's filters, the upload's form, the deadlines."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from fund.auth.roles import Role
from fund.claims import deciding
from fund.claims.models import Claim
from fund.db import utcnow
from tests.claims.conftest import World, nasrin_claim

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tests.conftest import People

API = "/api/v1"


@pytest.fixture
def helpline(app: Flask, users: People, api_token: Callable[..., str]) -> Callable[..., Any]:
    """``helpline(method, path, **kw)``: the helpline's token calls ``/api/v1{path}``."""
    client: FlaskClient = app.test_client()
    token = {"Authorization": f"Bearer {api_token(users.by_role[Role.HELPLINE])}"}

    def call(method: str, path: str, **kw: Any) -> Any:
        return client.open(f"{API}{path}", method=method, headers=token, **kw)

    return call


@pytest.fixture
def two_claims(world: World, session: Session, users: People) -> list[Claim]:
    """Nasrin's claim, open since 2024 (past its deadline), and a rejected one of another kind."""
    open_claim = nasrin_claim(world, session, users)
    other = nasrin_claim(world, session, users, kind="wrong_amount", national_id="1990000000077")
    deciding.reject_claim(
        session, claim=other, actor=users.by_role[Role.OFFICER], reason="Paid in full"
    )
    session.flush()
    return [open_claim, other]


@pytest.mark.parametrize(
    "query",
    [{}, {"status": "open"}, {"status": "rejected"}, {"kind": "wrong_amount"}, {"overdue": "true"},
     {"overdue": "false", "kind": "not_on_roll"}, {"status": "referred"}],
)  # fmt: skip
def test_the_list_filters_by_status_kind_and_overdue(
    helpline: Callable[..., Any], two_claims: list[Claim], query: dict[str, str]
) -> None:
    def wanted(claim: Claim) -> bool:
        overdue = claim.status == "open" and claim.due_on < utcnow().date()
        return (
            query.get("status", claim.status) == claim.status
            and query.get("kind", claim.kind) == claim.kind
            and (query.get("overdue") != "true" or overdue)
        )

    response = helpline("GET", "/claims", query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)
    listed = [item["id"] for item in response.json["items"]]
    assert listed == [c.id for c in sorted(two_claims, key=lambda c: -c.id) if wanted(c)]
    assert response.json["total"] == len(listed)


@pytest.mark.parametrize(
    ("query", "field"),
    [("status=lost", "status"), ("kind=", "kind"), ("overdue=maybe", "overdue"),
     ("status=open&status=open", "status"), ("stat=open", "stat")],
)  # fmt: skip
def test_a_bad_list_argument_is_a_422_naming_it(
    helpline: Callable[..., Any], two_claims: list[Claim], query: str, field: str
) -> None:
    response = helpline("GET", f"/claims?{query}")
    assert response.status_code == 422, response.get_data(as_text=True)
    assert [error["field"] for error in response.json["errors"]] == [field]


def test_an_upload_is_a_multipart_file_and_without_one_a_422_naming_it(
    app: Flask, helpline: Callable[..., Any], two_claims: list[Claim]
) -> None:
    spec = app.test_client().get(f"{API}/openapi.json").json
    assert spec is not None
    body = spec["paths"]["/claims/{claim_id}/attachments"]["post"]["requestBody"]
    form = body["content"]["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert spec["components"]["schemas"][form]["required"] == ["file"]
    path = f"/claims/{two_claims[0].id}/attachments"
    empty = helpline("POST", path, data={}, content_type="multipart/form-data")
    assert empty.status_code == 422, empty.get_data(as_text=True)
    assert empty.json["errors"][0]["field"] == "file"
    misnamed = {"photo": (io.BytesIO(b"%PDF-1.4 slip"), "slip.pdf")}
    assert helpline("POST", path, data=misnamed).status_code == 422
    assert two_claims[0].attachments == []


def test_the_report_states_the_configured_deadlines(
    app: Flask, helpline: Callable[..., Any], two_claims: list[Claim]
) -> None:
    app.config["CLAIM_DEADLINES"] = {"other": 3}
    report = helpline("GET", "/claims/report").json
    assert report["deadlines"]["other"] == 3
    assert report["deadlines"]["not_received"] == 7  # the default, not overridden
    assert report["by_status"] == {"open": 1, "accepted": 0, "rejected": 1, "referred": 0}
