"""The batch pages and the batch API: four eyes in the UI and the API, confirmations, brands out."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import func, select

from fund.auth.roles import Role
from fund.disbursements.approving import submit
from fund.disbursements.making import create_batch
from fund.disbursements.models import DisbursementBatch
from fund.disbursements.paying import transfer_to_float
from fund.jobs.models import Job
from ledger.models import JournalEntry
from tests.api.openapi_check import check_against_spec
from tests.conftest import csrf_token_from
from tests.disbursements.conftest import EACH, SECRET, World
from tests.entitlements.helpers import taka
from tests.jobs.helpers import ask_in_background, offered

API = "/api/v1"


def signed_in(app: Flask, login: Callable[..., Any], username: str) -> FlaskClient:
    client = app.test_client()
    response = login(client, username)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def jobs(world: World) -> int:
    return int(world.session.scalar(select(func.count(Job.id))) or 0)


def approvals(world: World, batch_id: int) -> int:
    return (
        world.session.scalar(
            select(func.count(JournalEntry.id)).where(
                JournalEntry.idempotency_key == f"batch:{batch_id}:approve"
            )
        )
        or 0
    )


def test_brands_get_403_on_every_batch_page_and_endpoint(
    app: Flask, world: World, login: Callable[..., Any], api_token: Callable[..., str]
) -> None:
    batch = create_batch(world.session, event=world.event, actor=world.officer, secret_key=SECRET)
    web = signed_in(app, login, "nord")
    token = {"Authorization": f"Bearer {api_token(world.people.nord)}"}
    values = {
        "batch_id": batch.id,
        "event_id": world.event.id,
        "line_id": 1,
        "change_id": 1,
        "decision": "approve",
        "file_format": "xlsx",
        "action": "paid",
    }
    home = web.get("/", follow_redirects=True).get_data(as_text=True)
    csrf = {"csrf_token": csrf_token_from(home)}
    checked = 0
    for rule in app.url_map.iter_rules():
        is_page = rule.endpoint.startswith("disbursements.")
        is_api = rule.endpoint.startswith("api.") and "batch" in rule.rule
        if not (is_page or is_api):
            continue
        url = rule.rule
        for name in rule.arguments:
            url = url.replace(f"<int:{name}>", str(values[name])).replace(
                f"<{name}>", str(values[name])
            )
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            client, headers = (web, {}) if is_page else (app.test_client(), token)
            data = csrf if is_page and method == "POST" else None
            response = client.open(url, method=method, headers=headers, data=data)
            assert response.status_code == 403, (method, url, response.status_code)
            checked += 1
    assert checked >= 25


def test_the_web_journey_with_four_eyes_and_confirmations(
    app: Flask, world: World, login: Callable[..., Any], form_token: Callable[..., str]
) -> None:
    world.fund_bank(taka(200_000))
    officer = signed_in(app, login, "officer")
    page = officer.get(f"/batches/?event={world.event.id}")
    assert page.status_code == 200
    token = form_token(officer, f"/batches/?event={world.event.id}")
    made = officer.post(f"/batches/event/{world.event.id}", data={"csrf_token": token})
    assert made.status_code == 302
    batch = world.session.scalar(select(DisbursementBatch).order_by(DisbursementBatch.id.desc()))
    assert batch is not None
    assert batch.line_count == 4
    path = f"/batches/{batch.id}"
    officer.post(f"{path}/submit", data={"csrf_token": form_token(officer, path)})
    world.session.refresh(batch)
    assert batch.state == "submitted"
    # The submitter is told another approver must approve; an officer has no approve form.
    assert "another approver must approve" in officer.get(path).get_data(as_text=True)

    approver = signed_in(app, login, "approver")
    html = approver.get(path).get_data(as_text=True)
    assert "Approve and post" in html
    token = form_token(approver, path)
    unconfirmed = approver.post(f"{path}/approve", data={"csrf_token": token})
    assert unconfirmed.status_code == 302
    world.session.refresh(batch)
    assert batch.state == "submitted"
    assert approvals(world, batch.id) == 0
    for _ in range(2):  # a double click
        approver.post(f"{path}/approve", data={"csrf_token": token, "confirm": "y"})
    world.session.refresh(batch)
    assert batch.state == "approved"
    assert approvals(world, batch.id) == 1

    accountant = signed_in(app, login, "accountant")
    token = form_token(accountant, path)
    accountant.post(f"{path}/pay", data={"csrf_token": token, "confirm": "y"})
    world.session.refresh(batch)
    assert batch.state == "approved"  # the float is empty: refused, with the reason shown
    assert "Mobile-money float" in accountant.get(path).get_data(as_text=True)
    transfer_to_float(
        world.session, amount_minor=2 * EACH, actor=world.accountant, on=batch.approved_at.date()
    )
    accountant.post(f"{path}/pay", data={"csrf_token": token, "confirm": "y"})
    world.session.refresh(batch)
    assert batch.state == "paid"

    for url, kind in (
        (f"{path}/sheet.xlsx", "spreadsheetml"),
        (f"{path}/sheet.pdf", "pdf"),
        (f"{path}/receipts.pdf", "pdf"),
        (f"{path}/payment-mobile.csv", "csv"),
        (f"{path}/payment-bank.csv", "csv"),
    ):
        response = accountant.get(url)
        assert response.status_code == 200, url
        assert kind in response.content_type
    assert approver.get(f"{path}/payment-mobile.csv").status_code == 403
    csv_text = accountant.get(f"{path}/payment-mobile.csv").get_data().decode("utf-8-sig")
    assert csv_text.splitlines()[0] == "Reference,Wallet,Amount,Name"

    token = form_token(accountant, path)
    result = "reference,amount,status\n" + "\n".join(
        f"{line.receipt_number},25000.00,paid" for line in batch.lines if line.method == "mobile"
    )
    for _ in range(2):
        accountant.post(
            f"{path}/reconcile",
            data={"csrf_token": token, "file": (io.BytesIO(result.encode()), "result.csv")},
            content_type="multipart/form-data",
        )
    html = accountant.get(path).get_data(as_text=True)
    assert "imported before: nothing changed" in html
    assert "Result files imported" in html


def test_the_ui_refuses_self_approval_even_to_an_admin(
    app: Flask, world: World, login: Callable[..., Any], form_token: Callable[..., str]
) -> None:
    world.fund_bank(taka(200_000))
    admin = world.people.admin
    batch = create_batch(world.session, event=world.event, actor=admin, secret_key=SECRET)
    submit(world.session, batch=batch, actor=admin)
    client = signed_in(app, login, "admin")
    path = f"/batches/{batch.id}"
    assert "Approve and post" not in client.get(path).get_data(as_text=True)
    client.post(f"{path}/approve", data={"csrf_token": form_token(client, path), "confirm": "y"})
    world.session.refresh(batch)
    assert batch.state == "submitted"
    assert approvals(world, batch.id) == 0


@pytest.fixture
def bearer(world: World, api_token: Callable[..., str]) -> Callable[[Role], dict[str, str]]:
    def headers(role: Role) -> dict[str, str]:
        user = world.people.admin if role is Role.ADMIN else world.people.by_role[role]
        return {"Authorization": f"Bearer {api_token(user)}"}

    return headers


def test_the_api_journey_answers_as_documented(
    client: FlaskClient, world: World, bearer: Callable[[Role], dict[str, str]]
) -> None:
    spec = client.get(f"{API}/openapi.json").json
    assert spec is not None
    world.fund_bank(taka(200_000))
    officer, approver = bearer(Role.OFFICER), bearer(Role.APPROVER)

    made = client.post(
        f"{API}/events/{world.event.id}/batches", json={"workers": ["M-1", "B-2"]}, headers=officer
    )
    assert made.status_code == 201
    check_against_spec(spec, "/events/{event_id}/batches", "post", 201, made.json)
    assert made.json["total"] == "50000.00"
    batch_id = made.json["id"]
    unknown = client.post(
        f"{API}/events/{world.event.id}/batches", json={"workers": ["NOBODY"]}, headers=officer
    )
    assert unknown.status_code == 409
    assert unknown.json["errors"][0]["code"] == "unknown_workers"

    client.post(f"{API}/batches/{batch_id}/submit", json={}, headers=officer)
    admin = bearer(Role.ADMIN)
    refused = client.post(f"{API}/batches/{batch_id}/approve", json={}, headers=officer)
    assert refused.status_code == 403  # an officer may not approve at all
    for _ in range(2):
        approved = client.post(
            f"{API}/batches/{batch_id}/approve", json={"on": "2024-05-02"}, headers=approver
        )
        assert approved.status_code == 200
        check_against_spec(spec, "/batches/{batch_id}/approve", "post", 200, approved.json)
    assert approvals(world, batch_id) == 1
    late = client.post(f"{API}/batches/{batch_id}/approve", json={}, headers=admin)
    assert late.status_code == 409
    check_against_spec(spec, "/batches/{batch_id}/approve", "post", 409, late.json)

    lines = client.get(f"{API}/batches/{batch_id}/lines", headers=approver)
    check_against_spec(spec, "/batches/{batch_id}/lines", "get", 200, lines.json)
    assert [line["amount"] for line in lines.json["items"]] == ["25000.00", "25000.00"]
    assert all("•" in line["national_id_masked"] for line in lines.json["items"])

    cancelled = client.post(
        f"{API}/batches/{batch_id}/cancel", json={"reason": "wrong wallets"}, headers=approver
    )
    assert cancelled.status_code == 200
    assert cancelled.json["state"] == "cancelled"
    pay = client.post(f"{API}/batches/{batch_id}/pay", json={}, headers=bearer(Role.ACCOUNTANT))
    assert pay.status_code == 409
    check_against_spec(spec, "/batches/{batch_id}/pay", "post", 409, pay.json)

    listed = client.get(f"{API}/batches?event_id={world.event.id}", headers=approver)
    check_against_spec(spec, "/batches", "get", 200, listed.json)
    detail = client.get(f"{API}/batches/{batch_id}", headers=approver)
    check_against_spec(spec, "/batches/{batch_id}", "get", 200, detail.json)
    assert [t["to_state"] for t in detail.json["transitions"]] == [
        "draft",
        "submitted",
        "approved",
        "cancelled",
    ]


def test_the_api_refuses_self_approval_by_an_admin(
    client: FlaskClient, world: World, bearer: Callable[[Role], dict[str, str]]
) -> None:
    world.fund_bank(taka(200_000))
    admin = bearer(Role.ADMIN)
    made = client.post(f"{API}/events/{world.event.id}/batches", json={}, headers=admin)
    batch_id = made.json["id"]
    client.post(f"{API}/batches/{batch_id}/submit", json={}, headers=admin)
    refused = client.post(f"{API}/batches/{batch_id}/approve", json={}, headers=admin)
    assert refused.status_code == 403
    assert refused.json["errors"][0]["code"] == "self_approval"
    assert approvals(world, batch_id) == 0


def test_the_api_pays_settles_and_moves_to_unclaimed(
    client: FlaskClient, world: World, bearer: Callable[[Role], dict[str, str]]
) -> None:
    spec = client.get(f"{API}/openapi.json").json
    assert spec is not None
    world.fund_bank(taka(200_000))
    batch = create_batch(
        world.session, event=world.event, actor=world.officer, secret_key=SECRET,
        selection=["M-1"],
    )  # fmt: skip
    submit(world.session, batch=batch, actor=world.officer)
    client.post(f"{API}/batches/{batch.id}/approve", json={}, headers=bearer(Role.APPROVER))
    accountant = bearer(Role.ACCOUNTANT)
    moved = client.post(f"{API}/float", json={"amount": "25000.00"}, headers=accountant)
    assert moved.status_code == 201
    check_against_spec(spec, "/float", "post", 201, moved.json)
    bad = client.post(f"{API}/float", json={"amount": "1.001"}, headers=accountant)
    assert bad.status_code == 422
    paid = client.post(f"{API}/batches/{batch.id}/pay", json={}, headers=accountant)
    assert paid.json["state"] == "paid"
    line_id = client.get(f"{API}/batches/{batch.id}/lines", headers=accountant).json["items"][0][
        "id"
    ]
    failed = client.post(
        f"{API}/batches/{batch.id}/lines/{line_id}/failed",
        json={"reason": "wallet closed"},
        headers=accountant,
    )
    assert failed.status_code == 200
    check_against_spec(spec, "/batches/{batch_id}/lines/{line_id}/failed", "post", 200, failed.json)
    assert failed.json["state"] == "failed"
    assert world.balances()["1020"] == EACH  # the money came back to the float
    expired = client.post(
        f"{API}/batches/{batch.id}/expire-unclaimed", json={"after_days": 0}, headers=accountant
    )
    assert expired.status_code == 200
    check_against_spec(spec, "/batches/{batch_id}/expire-unclaimed", "post", 200, expired.json)
    assert expired.json["line_states"] == {"unclaimed": 1}
    assert world.balances()["2100"] == -EACH
    world.books_sound()


@pytest.mark.parametrize(
    "body", [b"", b"null", b"\x8f\x00garbage{"], ids=["empty", "null", "bytes"]
)
def test_approve_and_pay_refuse_a_body_that_is_not_a_json_object(
    client: FlaskClient, world: World, bearer: Callable[[Role], dict[str, str]], body: bytes
) -> None:
    # Every field of approve and pay is optional: a garbled body once passed as "no options".
    batch = create_batch(world.session, event=world.event, actor=world.officer, secret_key=SECRET)
    submit(world.session, batch=batch, actor=world.officer)
    for step, role in (("approve", Role.APPROVER), ("pay", Role.ACCOUNTANT)):
        response = client.post(
            f"{API}/batches/{batch.id}/{step}",
            data=body,
            content_type="application/json",
            headers=bearer(role),
        )
        assert response.status_code == 422, (step, response.get_data(as_text=True))
        assert response.json["errors"][0]["field"] == "body"  # type: ignore[index]
    world.session.refresh(batch)
    assert batch.state == "submitted"


@pytest.mark.parametrize(
    ("path", "send", "field"),
    [
        ("/batches?event_id=0", {}, "event_id"),
        ("/batches?event_id=", {}, "event_id"),
        ("/batches/{batch}/payment-file?format=zz", {}, "format"),
        ("/batches/{batch}/lines/{line}/failed", {"json": {"on": "2024-05-02"}}, "reason"),
        ("/batches/{batch}/lines/{line}/reissue", {"json": {"method": "post"}}, "method"),
        ("/batches/{batch}/reconcile", {"json": {"file": "result.csv"}}, "file"),
        ("/batches/{batch}/reconcile", {"data": {"file": (io.BytesIO(b""), "")}}, "file"),
    ],
    ids=["id-0", "id-empty", "format", "no-reason", "method", "not-a-file", "no-file-name"],
)
def test_arguments_the_schemas_refuse_are_a_422_naming_them(
    client: FlaskClient,
    world: World,
    bearer: Callable[[Role], dict[str, str]],
    path: str,
    send: dict[str, Any],
    field: str,
) -> None:
    batch = create_batch(world.session, event=world.event, actor=world.officer, secret_key=SECRET)
    url = API + path.format(batch=batch.id, line=batch.lines[0].id)
    method = "POST" if send else "GET"
    response = client.open(url, method=method, headers=bearer(Role.ACCOUNTANT), **send)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.json["errors"][0]["field"] == field  # type: ignore[index]
    world.session.refresh(batch)
    assert {line.state for line in batch.lines} == {"pending"}


def test_a_line_step_the_path_does_not_name_is_a_404(
    client: FlaskClient, world: World, bearer: Callable[[Role], dict[str, str]]
) -> None:
    batch = create_batch(world.session, event=world.event, actor=world.officer, secret_key=SECRET)
    line = f"{API}/batches/{batch.id}/lines/{batch.lines[0].id}"
    settle = client.post(f"{line}/settle", json={}, headers=bearer(Role.ACCOUNTANT))
    assert settle.status_code == 404
    assert "no line action 'settle'" in settle.json["errors"][0]["message"]  # type: ignore[index]


def test_receipts_and_sheet_of_a_large_batch_are_background_jobs(
    app: Flask, world: World, login: Callable[..., Any], tmp_path: Any
) -> None:
    # Every batch counts as large here; the queue runs each job where it is asked.
    app.config.update(BACKGROUND_LINES=0, JOBS_QUEUE="immediate", JOB_FILES=str(tmp_path))
    batch = create_batch(world.session, event=world.event, actor=world.officer, secret_key=SECRET)
    assert len(batch.lines) > 0
    officer = signed_in(app, login, "officer")
    for url, what, start in (
        (f"/batches/{batch.id}/receipts.pdf", "receipts", b"%PDF"),
        (f"/batches/{batch.id}/sheet.xlsx", "sheet-xlsx", b"PK"),
    ):
        jobs_before = jobs(world)
        action, fields = offered(officer, url)
        assert jobs(world) == jobs_before  # the GET shows the button and starts nothing
        assert action == f"/batches/{batch.id}/prepare"
        assert fields["file"] == what
        started = officer.post(action, data=fields)
        assert started.status_code == 302, url
        assert jobs(world) == jobs_before + 1
        progress = officer.get(started.headers["Location"] + ".json").json
        assert progress is not None
        assert progress["state"] == "done", progress["error"]
        assert progress["total"] == len(batch.lines)
        got = officer.get(progress["download"])
        assert got.status_code == 200
        assert got.data.startswith(start)
    # Pressing the button again is the same job.
    receipts = ask_in_background(officer, f"/batches/{batch.id}/receipts.pdf").headers["Location"]
    assert jobs(world) == 2
    pdf = PdfReader(io.BytesIO(officer.get(receipts + "/download").data))
    assert len(pdf.pages) == len(batch.lines)  # one receipt page per worker
    approver = signed_in(app, login, "approver")
    assert approver.get(receipts + "/download").status_code == 404

    # The POST keeps the files' rules: staff only (403 with a valid token), a file it knows
    # (400 naming it), a CSRF token (400), an existing batch (404).
    action, fields = offered(officer, f"/batches/{batch.id}/sheet.pdf")
    assert fields["file"] == "sheet-pdf"
    helpline = signed_in(app, login, "helpline")
    their_token = csrf_token_from(helpline.get("/account/password").get_data(as_text=True))
    assert helpline.post(action, data={**fields, "csrf_token": their_token}).status_code == 403
    unknown = officer.post(action, data={**fields, "file": "payment-mobile"})
    assert unknown.status_code == 400
    assert "file must be" in unknown.get_data(as_text=True)
    assert officer.post(action, data={"file": "sheet-pdf"}).status_code == 400
    assert officer.post("/batches/999999/prepare", data=fields).status_code == 404
    assert jobs(world) == 2
