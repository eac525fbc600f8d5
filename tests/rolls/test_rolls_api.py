"""Roll endpoints of /api/v1: list, one roll with workers, import (201, 422, 409); brands 403."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import TYPE_CHECKING

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fund.auth.roles import Role
from fund.rolls.models import Roll

from .roll_files import AS_OF, roll_csv

if TYPE_CHECKING:
    from tests.conftest import People


def bearer(users: People, api_token: Callable[..., str], role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token(users.by_role[role])}"}


def post_roll(
    client: FlaskClient, headers: dict[str, str], data: bytes, as_of: str = AS_OF.isoformat()
):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/factories/DHK-1/rolls",
        headers=headers,
        data={"file": (io.BytesIO(data), "march.csv"), "as_of": as_of},
        content_type="multipart/form-data",
    )


def test_import_list_and_read_a_roll(
    client: FlaskClient, users: People, api_token: Callable[..., str]
) -> None:
    officer = bearer(users, api_token, Role.OFFICER)
    created = post_roll(client, officer, roll_csv(3))
    assert created.status_code == 201, created.json
    body = created.json
    assert body is not None
    assert (body["factory"], body["version"], body["worker_count"]) == ("DHK-1", 1, 3)
    listed = client.get("/api/v1/factories/DHK-1/rolls", headers=officer).json
    assert listed is not None
    assert [r["id"] for r in listed["items"]] == [body["id"]]
    one = client.get(f"/api/v1/rolls/{body['id']}?per_page=2", headers=officer).json
    assert one is not None
    assert one["total"] == 3
    assert len(one["items"]) == 2
    assert one["items"][0]["national_id"] == "1990000000001"
    assert one["items"][0]["basic"] == "12500.00"
    # Optional roll fields the file did not give are null, never a guessed 0.
    assert one["items"][0]["arrears_due"] is None
    assert one["items"][0]["worker_class"] is None
    assert one["items"][0]["language"] is None  # no language column: the slips decide (bn)
    approver = bearer(users, api_token, Role.APPROVER)
    masked = client.get(f"/api/v1/rolls/{body['id']}", headers=approver).json
    assert masked is not None
    assert masked["items"][0]["national_id"] == "•••••••••0001"
    auditor = bearer(users, api_token, Role.AUDITOR)
    full = client.get(f"/api/v1/rolls/{body['id']}", headers=auditor).json
    assert full is not None
    assert full["items"][0]["national_id"] == "1990000000001"
    again = post_roll(client, officer, roll_csv(3))
    assert again.status_code == 409


def test_rejected_roll_is_422_with_problems_and_nothing_stored(
    client: FlaskClient, users: People, api_token: Callable[..., str], session: Session
) -> None:
    officer = bearer(users, api_token, Role.OFFICER)
    response = post_roll(client, officer, roll_csv(3, bad_nid_row=1))
    assert response.status_code == 422
    body = response.json
    assert body is not None
    assert (body["rows"], body["accepted"], body["rejected"]) == (3, 2, 1)
    assert [(p["row"], p["column"], p["code"]) for p in body["problems"]] == [
        (3, "NID", "bad_national_id")
    ]
    unreadable = post_roll(client, officer, b"%PDF-1.4")
    assert unreadable.status_code == 422
    assert unreadable.json is not None
    assert unreadable.json["errors"][0]["code"] == "roll_unreadable"
    refused = post_roll(client, officer, roll_csv(1), as_of="yesterday")
    assert refused.status_code == 422
    assert refused.json is not None
    assert [e["field"] for e in refused.json["errors"]] == ["as_of"]
    for upload in ({}, {"file": (io.BytesIO(roll_csv(1)), "")}):
        no_file = client.post(
            "/api/v1/factories/DHK-1/rolls",
            headers=officer,
            data={**upload, "as_of": AS_OF.isoformat()},
            content_type="multipart/form-data",
        )
        assert no_file.status_code == 422
        assert no_file.json is not None
        assert [e["field"] for e in no_file.json["errors"]] == ["file"]
    assert session.scalar(select(func.count()).select_from(Roll)) == 0


def test_brands_and_readers(
    client: FlaskClient, users: People, api_token: Callable[..., str]
) -> None:
    brand = bearer(users, api_token, Role.BRAND)
    assert client.get("/api/v1/factories/DHK-1/rolls", headers=brand).status_code == 403
    assert client.get("/api/v1/rolls/1", headers=brand).status_code == 403
    assert post_roll(client, brand, roll_csv(1)).status_code == 403
    auditor = bearer(users, api_token, Role.AUDITOR)
    assert post_roll(client, auditor, roll_csv(1)).status_code == 403
    assert client.get("/api/v1/factories/DHK-1/rolls", headers=auditor).status_code == 200
    assert client.get("/api/v1/factories/NOPE/rolls", headers=auditor).status_code == 404
