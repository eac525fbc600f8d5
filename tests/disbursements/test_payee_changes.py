"""Payee changes are four-eyes: service, API, web and command line all go through one service.

A payer alone cannot redirect a failed payment to a new wallet (the issue's insider case); a
request waits for an approver other than the requester; the wallet is read by the roll's own
parser (``hello`` and ``=HYPERLINK(1)`` refused, Bengali digits folded); the batch history
shows both people; re-sending to the same details stays a payer's step.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from fund.auth.roles import Role
from fund.disbursements.approving import approve, submit
from fund.disbursements.making import create_batch
from fund.disbursements.models import BatchTransition, PayeeChange, PaymentLine
from fund.disbursements.payee_changes import (
    PayeeChangeRefused,
    approve_payee_change,
    reject_payee_change,
    request_payee_change,
)
from fund.disbursements.paying import mark_failed, pay, transfer_to_float
from fund.disbursements.reissuing import PayeeChangeNeeded, reissue
from fund.disbursements.services import NotAllowed, SelfApprovalRefused
from tests.api.openapi_check import check_against_spec
from tests.conftest import csrf_token_from
from tests.disbursements.conftest import EACH, SECRET, World
from tests.entitlements.helpers import taka

API = "/api/v1"
ON = date(2024, 5, 3)


def failed_line(world: World) -> PaymentLine:
    """M-1's mobile payment, paid out and failed: its money is back in the float."""
    s = world.session
    world.fund_bank(taka(200_000))
    batch = create_batch(
        s, event=world.event, actor=world.officer, secret_key=SECRET, selection=["M-1"]
    )
    submit(s, batch=batch, actor=world.officer)
    approve(s, batch=batch, actor=world.approver, on=ON)
    transfer_to_float(s, amount_minor=EACH, actor=world.accountant, on=ON)
    pay(s, batch=batch, actor=world.accountant, on=ON)
    line = s.scalars(select(PaymentLine).where(PaymentLine.batch_id == batch.id)).one()
    return mark_failed(s, line=line, actor=world.accountant, on=ON, reason="wallet closed")


def test_a_payer_alone_cannot_redirect_a_failed_payment(world: World) -> None:
    line = failed_line(world)
    before = world.balances()
    with pytest.raises(PayeeChangeNeeded, match="payee change"):
        reissue(
            world.session, line=line, actor=world.accountant, on=ON, secret_key=SECRET,
            wallet_number="01999999999",
        )  # fmt: skip
    with pytest.raises(PayeeChangeNeeded):
        reissue(
            world.session, line=line, actor=world.people.admin, on=ON, secret_key=SECRET,
            method="cash",
        )  # fmt: skip
    assert world.balances() == before
    assert line.state == "failed"


@pytest.mark.parametrize("typed", ["hello", "=HYPERLINK(1)", "0199999999", "+44 7700 900000"])
def test_a_wallet_that_is_not_one_is_refused_at_the_request(world: World, typed: str) -> None:
    line = failed_line(world)
    with pytest.raises(PayeeChangeRefused, match="wallet"):
        request_payee_change(
            world.session, line=line, actor=world.accountant, reason="asked",
            wallet_number=typed,
        )  # fmt: skip
    assert world.session.scalars(select(PayeeChange)).all() == []


def test_a_change_is_approved_by_someone_else_and_the_history_names_both(world: World) -> None:
    s = world.session
    line = failed_line(world)
    # Bengali digits fold to the same wallet the roll parser would store.
    change = request_payee_change(
        s, line=line, actor=world.accountant, reason="worker called", wallet_number="০১৯৯৯৯৯৯৯৯৯"
    )
    assert (change.state, change.wallet_number) == ("requested", "01999999999")
    float_before = world.balances()["1020"]
    with pytest.raises(PayeeChangeRefused, match="still waiting"):
        request_payee_change(
            s, line=line, actor=world.officer, reason="again", wallet_number="01888888888"
        )
    with pytest.raises(NotAllowed):  # an officer may not approve payee changes
        approve_payee_change(s, change=change, actor=world.officer, on=ON, secret_key=SECRET)
    assert world.balances()["1020"] == float_before  # nothing moved while it waits

    fresh = approve_payee_change(s, change=change, actor=world.approver, on=ON, secret_key=SECRET)
    assert (fresh.state, fresh.method, fresh.wallet_number) == ("pending", "mobile", "01999999999")
    assert world.balances()["1020"] == float_before - EACH  # the money moves only now
    assert (change.state, change.decided_by_id, change.new_line_id) == (
        "approved",
        world.approver.id,
        fresh.id,
    )
    history = s.scalars(
        select(BatchTransition)
        .where(BatchTransition.line_id == line.id)
        .order_by(BatchTransition.id)
    ).all()
    requested = [t for t in history if "requested" in t.note]
    reissued = [t for t in history if t.to_state == "reissued"]
    assert requested[0].actor_id == world.accountant.id
    assert reissued[0].actor_id == world.approver.id
    assert world.accountant.username in reissued[0].note
    world.books_sound()


def test_the_requester_never_approves_even_as_admin(world: World) -> None:
    s = world.session
    line = failed_line(world)
    admin = world.people.admin
    change = request_payee_change(
        s, line=line, actor=admin, reason="asked", bank_account="0123 4567 89", method="bank"
    )
    with pytest.raises(SelfApprovalRefused):
        approve_payee_change(s, change=change, actor=admin, on=ON, secret_key=SECRET)
    # The database refuses it too.
    change.state, change.decided_by_id = "approved", admin.id
    with pytest.raises(IntegrityError), s.begin_nested():
        s.flush()


def test_a_rejected_change_leaves_the_line_and_same_details_resend_is_a_payers_step(
    world: World,
) -> None:
    s = world.session
    line = failed_line(world)
    change = request_payee_change(
        s, line=line, actor=world.accountant, reason="asked", wallet_number="01999999999"
    )
    with pytest.raises(PayeeChangeRefused, match="say why"):
        reject_payee_change(s, change=change, actor=world.approver, note=" ")
    reject_payee_change(s, change=change, actor=world.approver, note="not the worker's number")
    assert (change.state, line.state) == ("rejected", "failed")
    with pytest.raises(PayeeChangeRefused, match="re-send"):
        request_payee_change(
            s, line=line, actor=world.accountant, reason="same", wallet_number="01711000001"
        )
    again = reissue(s, line=line, actor=world.accountant, on=ON, secret_key=SECRET)
    assert (again.state, again.wallet_number) == ("pending", "01711000001")
    world.books_sound()


@pytest.fixture
def bearer(world: World, api_token: Callable[..., str]) -> Callable[[Role], dict[str, str]]:
    def headers(role: Role) -> dict[str, str]:
        user = world.people.admin if role is Role.ADMIN else world.people.by_role[role]
        return {"Authorization": f"Bearer {api_token(user)}"}

    return headers


def test_the_api_takes_a_request_and_a_different_approver(
    client: FlaskClient, world: World, bearer: Callable[[Role], dict[str, str]]
) -> None:
    spec = client.get(f"{API}/openapi.json").json
    assert spec is not None
    line = failed_line(world)
    path = f"{API}/batches/{line.batch_id}/lines/{line.id}"
    accountant, approver = bearer(Role.ACCOUNTANT), bearer(Role.APPROVER)
    # The case: reissue straight to any wallet.
    direct = client.post(
        f"{path}/reissue", json={"wallet_number": "01999999999"}, headers=accountant
    )
    assert direct.status_code == 409
    assert direct.json["errors"][0]["code"] == "payee_change_needed"
    hostile = client.post(
        f"{path}/payee-change", json={"wallet_number": "=HYPERLINK(1)", "reason": "x"},
        headers=accountant,
    )  # fmt: skip
    assert hostile.status_code == 409
    asked = client.post(
        f"{path}/payee-change", json={"wallet_number": "01999999999", "reason": "helpline"},
        headers=accountant,
    )  # fmt: skip
    assert asked.status_code == 201, asked.json
    check_against_spec(
        spec, "/batches/{batch_id}/lines/{line_id}/payee-change", "post", 201, asked.json
    )
    change_id = asked.json["id"]
    assert asked.json["requested_by"] == world.accountant.username
    own = client.post(
        f"{API}/payee-changes/{change_id}/approve", json={}, headers=bearer(Role.ACCOUNTANT)
    )
    assert own.status_code == 403  # an accountant may not approve (and is the requester)
    done = client.post(
        f"{API}/payee-changes/{change_id}/approve", json={"on": "2024-05-03"}, headers=approver
    )
    assert done.status_code == 200, done.json
    check_against_spec(spec, "/payee-changes/{change_id}/approve", "post", 200, done.json)
    assert (done.json["wallet_number"], done.json["state"]) == ("01999999999", "pending")
    world.books_sound()


def test_the_api_rejects_a_change_only_with_a_reason_and_on_a_named_decision(
    client: FlaskClient, world: World, bearer: Callable[[Role], dict[str, str]]
) -> None:
    change = request_payee_change(
        world.session, line=failed_line(world), actor=world.accountant, reason="helpline",
        wallet_number="01999999999",
    )  # fmt: skip
    path, approver = f"{API}/payee-changes/{change.id}", bearer(Role.APPROVER)
    unnamed = client.post(f"{path}/maybe", json={"reason": "no"}, headers=approver)
    assert unnamed.status_code == 404
    bare = client.post(f"{path}/reject", json={}, headers=approver)
    assert bare.status_code == 422
    assert bare.json["errors"][0]["field"] == "reason"
    world.session.refresh(change)
    assert change.state == "requested"
    rejected = client.post(f"{path}/reject", json={"reason": "not the worker"}, headers=approver)
    assert rejected.status_code == 200, rejected.json
    spec = client.get(f"{API}/openapi.json").json
    check_against_spec(spec, "/payee-changes/{change_id}/reject", "post", 200, rejected.json)
    assert (rejected.json["state"], rejected.json["decided_by"]) == (
        "rejected",
        world.approver.username,
    )


def test_the_web_form_turns_a_new_wallet_into_a_request(
    app: Flask, world: World, login: Callable[..., Any]
) -> None:
    line = failed_line(world)
    page = f"/batches/{line.batch_id}"
    accountant = app.test_client()
    login(accountant, world.accountant.username)
    token = csrf_token_from(accountant.get(page).get_data(as_text=True))
    asked = accountant.post(
        f"{page}/lines/{line.id}",
        data={
            "csrf_token": token, "action": "reissue", "wallet": "01999999999",
            "reason": "worker called", "confirm": "y",
        },
        follow_redirects=True,
    )  # fmt: skip
    assert "Payee change" in asked.get_data(as_text=True)
    change = world.session.scalars(select(PayeeChange)).one()
    assert line.state == "failed"
    approver = app.test_client()
    login(approver, world.approver.username)
    shown = approver.get(page).get_data(as_text=True)
    assert "Payee changes waiting for an approver" in shown
    approver.post(
        f"{page}/payee-changes/{change.id}",
        data={"csrf_token": csrf_token_from(shown), "decision": "approve"},
    )
    world.session.refresh(change)
    assert change.state == "approved"
    assert change.decided_by_id == world.approver.id
