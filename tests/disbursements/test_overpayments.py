"""A recomputation that lowers amounts: what live lines hold beyond it is reported, not lost."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from flask import Flask

from fund.disbursements.approving import cancel
from fund.disbursements.making import create_batch, overpayments
from fund.disbursements.services import NothingToPay
from fund.entitlements.policy_versions import policy_for
from fund.entitlements.services import compute_for_event
from fund.events.services import change_end
from tests.disbursements.conftest import EACH, SECRET, World
from tests.entitlements.helpers import taka


def recompute(world: World, new_end: date) -> None:
    change_end(world.session, event=world.event, new_end=new_end, reason="corrected", actor=None)
    compute_for_event(
        world.session,
        event=world.event,
        policy_version=policy_for(world.session, "alliance-wage-replacement"),
        through=None,
        actor=world.officer,
    )


def test_nothing_is_overpaid_while_the_computation_stands(world: World) -> None:
    assert overpayments(world.session, event=world.event) == []
    create_batch(world.session, event=world.event, actor=world.officer, secret_key=SECRET)
    assert overpayments(world.session, event=world.event) == []


def test_a_shorter_suspension_reports_each_workers_excess_exactly(world: World) -> None:
    batch = create_batch(world.session, event=world.event, actor=world.officer, secret_key=SECRET)
    # The suspension really ended after 30 days (1–30 March): half of the 60 days paid.
    recompute(world, date(2024, 3, 30))
    owed_now = taka(12_500)  # 30 days of a 12,500 monthly gross under the alliance policy
    found = overpayments(world.session, event=world.event)
    assert [over.worker_id for over in found] == ["B-2", "C-3", "M-1", "M-4"]
    for over in found:
        assert over.committed_minor == EACH
        assert over.entitled_minor == owed_now
        assert over.excess_minor == EACH - owed_now
    assert sum(over.excess_minor for over in found) == batch.total_minor - 4 * owed_now
    # A top-up never pays a difference downwards.
    with pytest.raises(NothingToPay):
        create_batch(
            world.session, event=world.event, actor=world.officer, secret_key=SECRET, top_up=True
        )
    # Cancelling the batch releases what it held: nothing is overpaid any more.
    cancel(world.session, batch=batch, actor=world.officer, reason="recomputed lower")
    assert overpayments(world.session, event=world.event) == []


def test_the_event_batches_page_lists_the_overpaid(
    app: Flask, world: World, login: Callable[..., Any]
) -> None:
    create_batch(world.session, event=world.event, actor=world.officer, secret_key=SECRET)
    recompute(world, date(2024, 3, 30))
    client = app.test_client()
    login(client, "officer")
    body = client.get("/batches/", query_string={"event": world.event.id}).get_data(as_text=True)
    assert "Paid beyond the latest computation" in body
    assert body.count("12,500.00") >= 4  # each worker's excess: 25,000 held, 12,500 entitled
