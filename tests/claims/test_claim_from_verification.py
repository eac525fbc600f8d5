"""A sampled worker says the money never came: a claim opens to trace it, never to pay twice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from fund.audit.models import AuditEvent
from fund.claims import deciding, filing, services
from fund.claims.models import Claim
from fund.controls import verification
from fund.disbursements.models import PaymentLine
from tests.claims.conftest import SECRET
from tests.controls.helpers import paid_batch
from tests.disbursements.conftest import World


def test_a_not_received_answer_opens_one_claim_that_cannot_pay_twice(world: World) -> None:
    session = world.session
    batch = paid_batch(world)
    draw = verification.draw_sample(session, batch=batch, actor=world.people.admin, size=2)
    heard, happy, *_ = draw.calls  # the floor draws every line of a four-line batch
    verification.record_answer(session, call=happy, actor=world.officer, outcome="received_full")
    with pytest.raises(services.ClaimStateError, match="not a 'not received' answer"):
        filing.claim_from_verification(session, call=happy, actor=world.officer)
    verification.record_answer(
        session, call=heard, actor=world.officer, outcome="not_received", note="agent kept it"
    )
    with pytest.raises(services.NotAllowed):
        filing.claim_from_verification(session, call=heard, actor=world.accountant)

    claim = filing.claim_from_verification(session, call=heard, actor=world.officer)
    line = session.get(PaymentLine, heard.line_id)
    assert line is not None
    assert (claim.kind, claim.status, claim.raised_by_name) == (
        "not_received",
        "open",
        "verification call",
    )
    assert line.receipt_number in claim.description
    assert "agent kept it" in claim.description
    assert claim.worker_name == line.name
    assert heard.follow_up == "claim_opened"
    assert heard.claim_reference == claim.reference
    assert verification.not_received_answers(session, batch) == []
    with pytest.raises(services.ClaimStateError):  # the answer is covered now
        filing.claim_from_verification(session, call=heard, actor=world.officer)

    # The line is recorded as paid: the claim traces it; it cannot pay the worker again.
    with pytest.raises(services.AlreadyPaid):
        deciding.accept_claim(
            session, claim=claim, actor=world.officer, secret_key=SECRET, worker_id=line.worker_id
        )
    count = session.scalar(select(func.count()).select_from(Claim))
    assert count == 1
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type.in_(["claim", "verification_call"]))
    ).all()
    assert "claims.file" in actions
    assert "controls.verification_claim_opened" in actions


def test_the_verification_page_opens_the_claim(
    world: World, app: Flask, login: Callable[..., Any], form_token: Callable[..., str]
) -> None:
    session = world.session
    batch = paid_batch(world)
    draw = verification.draw_sample(session, batch=batch, actor=world.people.admin, size=1)
    call, *_ = draw.calls
    verification.record_answer(session, call=call, actor=world.officer, outcome="not_received")
    client = app.test_client()
    assert login(client, world.officer.username).status_code == 302
    page_url = f"/controls/batches/{batch.id}/verification"
    assert "Open a claim" in client.get(page_url).get_data(as_text=True)
    token = form_token(client, page_url)
    opened = client.post(f"/claims/from-verification/{call.id}", data={"csrf_token": token})
    assert opened.status_code == 302
    claim = session.scalars(select(Claim)).one()
    assert opened.location.endswith(f"/claims/{claim.id}")
    assert f"claim {claim.reference}" in client.get(page_url).get_data(as_text=True)
    again = client.post(f"/claims/from-verification/{call.id}", data={"csrf_token": token})
    assert again.status_code == 302  # back to the page, told why
    assert session.scalar(select(func.count()).select_from(Claim)) == 1
