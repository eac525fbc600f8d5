"""Claims on the web and the API: who may do what, attachments, the accept journey, the spec."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from fund.auth.roles import Role
from fund.claims.models import Claim, ClaimAttachment
from fund.disbursements.models import DisbursementBatch
from tests.api.test_api_v1 import check_against_spec
from tests.claims.conftest import EACH, MISSING_NID, World, nasrin_claim
from tests.web.test_web_access import allowed_roles, routes, url_for_rule

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tests.conftest import People

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
API = "/api/v1"
#: What the helpline may use besides the claims: signing out, its password, home, who am I.
HELPLINE_BASICS = {"auth.logout", "auth.password", "dashboard.home", "api.me"}
CLAIM_ENDPOINTS = {
    "api.claims", "api.file_claim", "api.claims_report", "api.claim", "api.claim_message",
    "api.claim_attach",
}  # fmt: skip


@pytest.fixture
def files(app: Flask, tmp_path: Path) -> Path:
    """Attachments go to a throwaway folder, not the instance folder."""
    app.config["CLAIM_FILES"] = str(tmp_path / "claim-files")
    return tmp_path / "claim-files"


def signed_in(app: Flask, login: Callable[..., Any], username: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def claim_form(world: World, token: str, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "csrf_token": token,
        "event": str(world.event.id),
        "kind": "not_on_roll",
        "raised_by": "helpline",
        "worker_name": "Nasrin Akter",
        "national_id": MISSING_NID,
        "phone": "01711000009",
        "section": "Sewing",
        "description": "Not on the list",
    }
    data.update(changes)
    return data


def test_the_helpline_files_a_claim_with_a_photo_and_sees_only_claims(
    app: Flask,
    world: World,
    users: People,
    session: Session,
    login: Callable[..., Any],
    form_token: Callable[[FlaskClient, str], str],
    files: Path,
) -> None:
    helpline = signed_in(app, login, "helpline")
    assert "Nothing waits for you" in helpline.get("/").get_data(as_text=True)  # no claim due yet
    token = form_token(helpline, "/claims/new")
    response = helpline.post(
        "/claims/new",
        data=claim_form(world, token, file=(io.BytesIO(PNG), "id-card.png")),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    claim = session.scalars(select(Claim)).one()
    page = helpline.get(response.headers["Location"]).get_data(as_text=True)
    assert claim.reference in page
    assert "Who on the roll" not in page  # candidates are other workers' data: staff only
    attachment = claim.attachments[0]
    assert attachment.content_type == "image/png"
    # Stored under a random name outside the web root, served only by the guarded view.
    assert (files / attachment.stored_name).read_bytes() == PNG
    assert "id-card" not in attachment.stored_name
    url = f"/claims/{claim.id}/attachments/{attachment.id}"
    served = helpline.get(url)
    assert (served.status_code, served.mimetype, served.data) == (200, "image/png", PNG)
    assert served.headers["Content-Security-Policy"].startswith("sandbox")
    assert signed_in(app, login, "approver").get(url).status_code == 403
    assert signed_in(app, login, "nord").get(url).status_code == 403
    assert signed_in(app, login, "nord").get("/claims/").status_code == 403
    assert helpline.get("/events/").status_code == 403
    assert helpline.get("/batches/").status_code == 403
    assert helpline.get("/brands/NORD").status_code == 403


def test_every_route_outside_claims_is_closed_to_the_helpline(app: Flask) -> None:
    open_to_helpline = {
        rule.endpoint for rule in routes(app) if Role.HELPLINE in allowed_roles(app, rule)
    }
    outside = {
        endpoint
        for endpoint in open_to_helpline - HELPLINE_BASICS - CLAIM_ENDPOINTS
        if not endpoint.startswith("claims.")
    }
    assert outside == set()
    # And the helpline decides nothing: accept, reject, refer are officers' and admins'.
    for endpoint in ("claims.accept", "claims.reject", "claims.refer", "api.claim_accept"):
        rule = next(rule for rule in routes(app) if rule.endpoint == endpoint)
        assert Role.HELPLINE not in allowed_roles(app, rule)
        assert url_for_rule(rule)


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        ((b"MZ\x90\x00 not a photo", "id-card.png"), "not a JPEG or PNG photo or a PDF"),
        ((b"", "empty.jpg"), "empty"),
        ((b"\xff\xd8\xff" + b"\x00" * 300, "big.jpg"), "at most"),
    ],
    ids=["wrong-type", "empty", "too-big"],
)
def test_a_bad_attachment_is_refused_and_nothing_is_stored(
    app: Flask,
    world: World,
    session: Session,
    login: Callable[..., Any],
    form_token: Callable[[FlaskClient, str], str],
    files: Path,
    upload: tuple[bytes, str],
    message: str,
) -> None:
    app.config["CLAIM_ATTACHMENT_MAX_BYTES"] = 200
    helpline = signed_in(app, login, "helpline")
    token = form_token(helpline, "/claims/new")
    data, name = upload
    response = helpline.post(
        "/claims/new",
        data=claim_form(world, token, file=(io.BytesIO(data), name)),
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert "Nasrin Akter" in page  # the form comes back as typed
    # Nothing kept: neither the claim nor a row nor a file (checks come before the write).
    assert session.scalar(select(func.count(Claim.id))) == 0
    assert session.scalar(select(func.count(ClaimAttachment.id))) == 0
    assert not files.exists() or not any(files.iterdir())


def test_an_officer_accepts_a_missing_worker_on_the_page(
    app: Flask,
    world: World,
    users: People,
    session: Session,
    login: Callable[..., Any],
    form_token: Callable[[FlaskClient, str], str],
) -> None:
    claim = nasrin_claim(world, session, users)
    officer = signed_in(app, login, "officer")
    page = f"/claims/{claim.id}"
    assert "Nobody on the event" in officer.get(page).get_data(as_text=True)
    token = form_token(officer, page)
    form = {
        "csrf_token": token, "note": "Factory letter of 12 May", "worker_id": "M-9",
        "with_roll_line": "y", "name": "নাসরিন আক্তার", "national_id": MISSING_NID,
        "section": "Sewing", "join_date": "2019-08-01", "basic": "6700", "house_rent": "3350",
        "medical": "750", "transport": "450", "food": "1250", "payment_method": "mobile",
        "wallet_number": "01711000009", "pay": "y",
    }  # fmt: skip
    refused = officer.post(f"{page}/accept", data=form)
    assert refused.status_code == 400  # not confirmed
    assert claim.status == "open"
    done = officer.post(f"{page}/accept", data={**form, "confirm": "y"})
    assert done.status_code == 302, done.get_data(as_text=True)
    session.refresh(claim)
    assert claim.status == "accepted"
    batch = session.get(DisbursementBatch, claim.batch_id)
    assert batch is not None
    assert (batch.kind, batch.state, batch.total_minor) == ("top_up", "submitted", EACH)
    letter = officer.get(f"{page}/letter").get_data(as_text=True)
    assert f"your claim {claim.reference} is accepted." in letter
    assert "25,000.00 BDT will be paid to you" in letter
    # The other language beside the worker's own, after it.
    assert letter.index("25,000.00 BDT will be paid") < letter.index("২৫,০০০.০০ টাকা")
    assert signed_in(app, login, "helpline").post(f"{page}/reject").status_code in (400, 403)


def test_the_claims_api_answers_as_documented(
    app: Flask,
    world: World,
    users: People,
    session: Session,
    api_token: Callable[..., str],
    files: Path,
) -> None:
    client = app.test_client()
    spec = client.get(f"{API}/openapi.json").json
    assert spec is not None

    def headers(role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {api_token(users.by_role[role])}"}

    def call(method: str, path: str, template: str, role: Role, status: int, **kw: Any) -> Any:
        response = client.open(f"{API}{path}", method=method, headers=headers(role), **kw)
        assert response.status_code == status, response.get_data(as_text=True)
        if response.is_json:
            check_against_spec(spec, template, method.lower(), status, response.json)
        return response.json

    body = {
        "event_id": world.event.id, "kind": "not_on_roll", "raised_by": "union",
        "raised_by_name": "Garment Workers' Union", "worker_name": "Nasrin Akter",
        "national_id": MISSING_NID, "phone": "01711000009",
    }  # fmt: skip
    filed = call("POST", "/claims", "/claims", Role.HELPLINE, 201, json=body)
    claim_id = filed["id"]
    call("POST", "/claims", "/claims", Role.HELPLINE, 409, json=body)  # the same claim again
    call("POST", "/claims", "/claims", Role.HELPLINE, 409, json={**body, "national_id": "12"})
    # A NUL or other control character is refused field by field (PostgreSQL cannot store NUL).
    for field in ("worker_name", "description", "section"):
        hostile = {**body, "national_id": "1990000000077", field: "Nasrin\x00Akter"}
        refused = call("POST", "/claims", "/claims", Role.HELPLINE, 422, json=hostile)
        assert refused["errors"][0]["field"] == field
    call("POST", "/claims", "/claims", Role.BRAND, 403, json=body)
    call("GET", "/claims", "/claims", Role.HELPLINE, 200)
    call("GET", f"/claims/{claim_id}", "/claims/{claim_id}", Role.AUDITOR, 200)
    call(
        "GET", f"/claims/{claim_id}/candidates", "/claims/{claim_id}/candidates", Role.HELPLINE, 403
    )
    call(
        "GET", f"/claims/{claim_id}/candidates", "/claims/{claim_id}/candidates", Role.OFFICER, 200
    )
    attached = call(
        "POST", f"/claims/{claim_id}/attachments", "/claims/{claim_id}/attachments",
        Role.HELPLINE, 201, data={"file": (io.BytesIO(b"%PDF-1.4 slip"), "slip.pdf")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert attached["content_type"] == "application/pdf"
    call(
        "POST", f"/claims/{claim_id}/attachments", "/claims/{claim_id}/attachments",
        Role.HELPLINE, 409, data={"file": (io.BytesIO(b"GIF89a"), "x.pdf")},
        content_type="multipart/form-data",
    )  # fmt: skip
    accept = {
        "note": "Factory confirmed",
        "worker": {
            "worker_id": "M-9", "name": "Nasrin Akter", "national_id": MISSING_NID,
            "join_date": "2019-08-01", "basic": "6700.00", "house_rent": "3350",
            "medical": "750", "transport": "450", "food": "1250",
            "payment_method": "mobile", "wallet_number": "01711000009",
        },
    }  # fmt: skip
    path = f"/claims/{claim_id}/accept"
    call("POST", path, "/claims/{claim_id}/accept", Role.HELPLINE, 403, json=accept)
    done = call("POST", path, "/claims/{claim_id}/accept", Role.OFFICER, 200, json=accept)
    assert (done["status"], done["amount"]) == ("accepted", "25000.00")
    call("POST", path, "/claims/{claim_id}/accept", Role.OFFICER, 409, json=accept)
    sms = call(
        "GET", f"/claims/{claim_id}/message", "/claims/{claim_id}/message", Role.HELPLINE, 200
    )
    assert sms["length"] <= 160
    assert "25,000.00 BDT will be paid" in sms["text"]
    report = call("GET", "/claims/report", "/claims/report", Role.HELPLINE, 200)
    assert report["by_status"]["accepted"] == 1
    assert report["deadlines"]["not_received"] == 7
    other = call("POST", "/claims", "/claims", Role.OFFICER, 201, json={**body, "kind": "other"})
    call(
        "POST", f"/claims/{other['id']}/reject", "/claims/{claim_id}/reject", Role.OFFICER, 200,
        json={"reason": "Not a matter for the fund"},
    )  # fmt: skip
