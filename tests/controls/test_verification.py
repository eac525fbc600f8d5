"""Verification after payout: a reproducible stratified sample, answers, the claims hook."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import select

from fund.audit.models import AuditEvent
from fund.auth.roles import Role
from fund.controls import verification
from fund.disbursements.making import create_batch
from tests.api.test_api_v1 import check_against_spec
from tests.conftest import csrf_token_from
from tests.controls.helpers import paid_batch
from tests.disbursements.conftest import SECRET, World


@given(
    st.dictionaries(st.sampled_from(["mobile", "bank", "cash"]), st.integers(0, 60), min_size=1),
    st.integers(0, 200),
)
def test_allocation_is_proportional_and_covers_every_method(
    strata: dict[str, int], size: int
) -> None:
    shares = verification.allocate(strata, size)
    assert sum(shares.values()) == min(size, sum(strata.values()))
    assert all(0 <= shares[m] <= strata[m] for m in strata)
    present = [m for m, n in strata.items() if n]
    if size >= len(present):
        assert all(shares[m] >= 1 for m in present)


def test_the_draw_is_reproducible_and_depends_on_the_batch() -> None:
    lines = [(n, "mobile" if n % 3 else "cash") for n in range(1, 301)]
    first = verification.draw_lines(lines, size=20, seed=7)
    assert first == verification.draw_lines(list(reversed(lines)), size=20, seed=7)
    assert first != verification.draw_lines(lines, size=20, seed=8)
    assert len(first) == 20
    methods = dict(lines)
    assert sum(1 for i in first if methods[i] == "cash") == 7  # 100 of 300 → a third of 20


def test_answers_are_recorded_and_not_received_waits_for_a_claim(world: World) -> None:
    session = world.session
    batch = create_batch(session, event=world.event, actor=world.officer, secret_key=SECRET)
    with pytest.raises(verification.VerificationRefused, match="only paid batches"):
        verification.draw_sample(session, batch=batch, actor=world.officer)
    from fund.disbursements.approving import cancel

    cancel(session, batch=batch, actor=world.officer, reason="redo")
    batch = paid_batch(world)
    with pytest.raises(verification.VerificationRefused, match="may not"):
        verification.draw_sample(session, batch=batch, actor=world.accountant)
    # The officer prepared and submitted it: someone else draws (and cannot steer the sample).
    with pytest.raises(verification.VerificationRefused, match="someone else draws"):
        verification.draw_sample(session, batch=batch, actor=world.officer, size=4)
    drawer = world.people.admin
    draw = verification.draw_sample(session, batch=batch, actor=drawer, size=1)
    # Asked for 1, drawn at least the floor: 5 + 1 per 50 paid lines, here all 4 lines.
    assert draw.size == verification.sample_floor(4) == 4
    assert {c.method for c in draw.calls} == {"mobile", "bank", "cash"}  # one of each method
    assert draw.seed is not None
    assert re.fullmatch(r"[0-9a-f]{32}", draw.seed)  # 128 bits from secrets, kept with the draw
    paid = [(line.id, line.method) for line in batch.lines]
    assert verification.draw_lines(paid, size=4, seed=draw.seed) == [c.line_id for c in draw.calls]
    assert verification.draw_sample(session, batch=batch, actor=drawer, size=4) is draw
    first, second, third, _ = draw.calls
    verification.record_answer(session, call=first, actor=world.officer, outcome="received_full")
    verification.record_answer(
        session, call=second, actor=world.officer, outcome="not_received", note="never came"
    )
    with pytest.raises(verification.VerificationRefused, match="one of"):
        verification.record_answer(session, call=third, actor=world.officer, outcome="maybe")
    summary = verification.summary(session, batch.id)
    assert (summary.sampled, summary.answered) == (4, 2)
    assert summary.outcomes["not_received"] == 1
    waiting = verification.not_received_answers(session, batch)
    assert waiting == [second]
    assert second.follow_up == "awaiting_claim"
    verification.claim_opened(session, call=second, reference="CL-1", actor=world.officer)
    assert verification.not_received_answers(session, batch) == []
    with pytest.raises(verification.VerificationRefused, match="claim"):
        verification.record_answer(session, call=second, actor=world.officer, outcome="unreachable")
    actions = session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.action.like("controls.verification%"))
        .order_by(AuditEvent.id)
    ).all()
    assert actions == [
        "controls.verification_draw",
        "controls.verification_answer",
        "controls.verification_answer",
        "controls.verification_claim_opened",
    ]
    rows = verification.call_list_rows(session, batch)
    listed = list(csv.reader(io.StringIO(verification.call_list_csv(rows).decode("utf-8-sig"))))
    assert listed[0][:3] == ["Position", "Receipt", "Worker ID"]
    assert len(listed) == 5
    assert "'@Rina Das" in {row[3] for row in listed}  # a formula-looking name is neutralised
    sheet = load_workbook(io.BytesIO(verification.call_list_xlsx(rows))).active
    assert sheet is not None
    assert sheet.max_row == 5


def test_verification_on_the_web_and_the_api(
    app: Flask, world: World, login: Callable[..., Any], api_token: Callable[..., str]
) -> None:
    batch = paid_batch(world)
    client = app.test_client()
    login(client, "admin")  # the officer prepared the batch: another user draws
    page = client.get(f"/controls/batches/{batch.id}/verification")
    assert page.status_code == 200
    drawn = client.post(
        f"/controls/batches/{batch.id}/verification",
        data={"csrf_token": csrf_token_from(page.get_data(as_text=True)), "size": "2"},
        follow_redirects=True,
    )
    assert "4 worker(s) to call" in drawn.get_data(as_text=True)  # the floor, not the 2 asked
    listing = client.get(f"/controls/batches/{batch.id}/call-list.csv")
    assert listing.status_code == 200
    assert listing.mimetype == "text/csv"
    assert client.get(f"/controls/batches/{batch.id}/call-list.xlsx").status_code == 200
    assert client.get("/controls/").status_code == 200
    home = client.get("/").get_data(as_text=True)
    assert "verification calls answered" in home
    assert "high roll findings to acknowledge" in home

    api = app.test_client()
    token = {"Authorization": f"Bearer {api_token(world.officer)}"}
    spec = api.get("/api/v1/openapi.json").json
    got = api.get(f"/api/v1/batches/{batch.id}/verification", headers=token)
    check_against_spec(spec, "/batches/{batch_id}/verification", "get", 200, got.json)
    assert got.json["sampled"] == 4  # type: ignore[index]
    call_id = got.json["calls"][0]["id"]  # type: ignore[index]
    answered = api.post(
        f"/api/v1/verification-calls/{call_id}/answer",
        headers=token,
        json={"outcome": "not_received"},
    )
    check_against_spec(spec, "/verification-calls/{call_id}/answer", "post", 200, answered.json)
    assert answered.json["follow_up"] == "awaiting_claim"  # type: ignore[index]
    bad = api.post(
        f"/api/v1/verification-calls/{call_id}/answer", headers=token, json={"outcome": "x"}
    )
    check_against_spec(spec, "/verification-calls/{call_id}/answer", "post", 422, bad.json)
    auditor = {"Authorization": f"Bearer {api_token(world.people.by_role[Role.AUDITOR])}"}
    refused = api.post(f"/api/v1/batches/{batch.id}/verification", headers=auditor, json={})
    assert refused.status_code == 403
    again = api.post(f"/api/v1/batches/{batch.id}/verification", headers=token, json={})
    check_against_spec(spec, "/batches/{batch_id}/verification", "post", 201, again.json)
    after = api.get(f"/api/v1/batches/{batch.id}/verification", headers=token).json
    assert after["rate"] == "0.2500"  # type: ignore[index]  # 1 not received of 4 called
    brand = {"Authorization": f"Bearer {api_token(world.people.nord)}"}
    assert api.get(f"/api/v1/batches/{batch.id}/verification", headers=brand).status_code == 403
    assert client.get("/controls/batches/999999/verification").status_code == 404
