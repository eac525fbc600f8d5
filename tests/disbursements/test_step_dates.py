"""Batch steps are dated in order and never after today, through the service, API and CLI."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from fund.auth.models import User
from fund.db import utcnow
from fund.disbursements.approving import approve, submit
from fund.disbursements.making import create_batch
from fund.disbursements.models import PaymentLine
from fund.disbursements.paying import mark_failed, pay, transfer_to_float
from fund.disbursements.reissuing import mark_unclaimed, reissue
from fund.disbursements.step_dates import StepDateRefused
from ledger.errors import FutureDate
from tests.cli.test_cli_commands import Fund, cli_database_url, database, fund  # noqa: F401
from tests.disbursements.conftest import EACH, SECRET, World
from tests.entitlements.helpers import taka


def test_each_step_follows_the_one_before(world: World) -> None:
    s = world.session
    world.fund_bank(taka(200_000))
    batch = create_batch(
        s, event=world.event, actor=world.officer, secret_key=SECRET, selection=["M-1"]
    )
    submit(s, batch=batch, actor=world.officer)
    with pytest.raises(StepDateRefused, match="before the event's start"):
        approve(s, batch=batch, actor=world.approver, on=date(1999, 1, 1))  # the date
    with pytest.raises(StepDateRefused, match="after today"):
        approve(s, batch=batch, actor=world.approver, on=utcnow().date() + timedelta(days=1))
    approve(s, batch=batch, actor=world.approver, on=date(2024, 5, 2))
    transfer_to_float(s, amount_minor=EACH, actor=world.accountant, on=date(2024, 5, 2))
    with pytest.raises(StepDateRefused, match="before the approval"):
        pay(s, batch=batch, actor=world.accountant, on=date(2024, 5, 1))
    pay(s, batch=batch, actor=world.accountant, on=date(2024, 5, 3))
    line = s.scalars(select(PaymentLine).where(PaymentLine.batch_id == batch.id)).one()
    with pytest.raises(StepDateRefused, match="before the payment out"):
        mark_failed(s, line=line, actor=world.accountant, on=date(2024, 5, 2), reason="x")
    mark_failed(s, line=line, actor=world.accountant, on=date(2024, 5, 10), reason="x")
    with pytest.raises(StepDateRefused, match="before the failure"):
        reissue(s, line=line, actor=world.accountant, on=date(2024, 5, 9), secret_key=SECRET)
    with pytest.raises(StepDateRefused, match="before the failure"):
        mark_unclaimed(s, line=line, actor=world.accountant, on=date(2024, 5, 9))
    assert (batch.state, line.state) == ("paid", "failed")
    world.books_sound()


def test_the_api_answers_409_bad_date(
    client: FlaskClient, world: World, api_token: Callable[[User], str]
) -> None:
    world.fund_bank(taka(200_000))
    batch = create_batch(world.session, event=world.event, actor=world.officer, secret_key=SECRET)
    submit(world.session, batch=batch, actor=world.officer)
    token = {"Authorization": f"Bearer {api_token(world.approver)}"}
    answer = client.post(
        f"/api/v1/batches/{batch.id}/approve", json={"on": "1999-01-01"}, headers=token
    )
    assert answer.status_code == 409
    assert answer.json is not None
    assert answer.json["errors"][0]["code"] == "bad_date"
    later = client.post(
        f"/api/v1/batches/{batch.id}/approve", json={"on": "2999-01-01"}, headers=token
    )
    assert later.status_code == 409
    assert batch.state == "submitted"


def test_the_ledger_refuses_a_future_entry(world: World) -> None:
    with pytest.raises(FutureDate):
        transfer_to_float(
            world.session, amount_minor=1, actor=world.accountant,
            on=utcnow().date() + timedelta(days=1),
        )  # fmt: skip


@pytest.mark.slow
def test_a_backdated_float_on_demo_data_is_refused(fund: Fund, database: Session) -> None:  # noqa: F811
    fund("init-db")
    fund("demo")
    # The command: fits no day's balance from 2 January on (the bank got its money later).
    refused = fund(
        "batches", "fund-float", "5000000", "--on", "2026-01-02", "--as", "accountant", expect=1
    )
    assert "Bank BDT" in refused.stderr
    assert "ledger intact" in fund("ledger", "verify").output
