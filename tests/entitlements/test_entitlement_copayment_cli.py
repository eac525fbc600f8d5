"""The co-payment and policy-choice commands go through the same services as the pages."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING

from flask import Flask
from sqlalchemy.orm import Session

from fund.entitlements.cli import entitlements_cli
from fund.entitlements.policy_versions import install_shipped_policies, policy_for
from fund.events.services import create_event
from tests.disbursements.test_batches import fund_the_bank

from .helpers import taka
from .test_entitlement_copayment import approved, shared_event

if TYPE_CHECKING:
    from tests.conftest import People


def test_factory_share_statement_and_payment(app: Flask, session: Session, users: People) -> None:
    fund_the_bank(session, taka(100_000))
    approved(session, users, shared_event(session, users))
    session.flush()
    runner = app.test_cli_runner()
    paid = runner.invoke(
        entitlements_cli,
        ["factory-share", "DHK-1", "--paid", "10,000", "--on", "2024-06-01",
         "--reference", "DBBL-1", "--as", users.admin.username, "--json"],
    )  # fmt: skip
    assert paid.exit_code == 0, paid.output
    assert json.loads(paid.output) == {
        "factory": "DHK-1",
        "currency": "BDT",
        "owed": "37500.00",
        "paid": "10000.00",
        "still_owed": "27500.00",
        "owed_to_workers_directly": "0.00",
    }
    too_much = runner.invoke(
        entitlements_cli,
        ["factory-share", "DHK-1", "--paid", "30000", "--on", "2024-06-02",
         "--reference", "DBBL-2", "--as", users.admin.username],
    )  # fmt: skip
    assert too_much.exit_code == 2
    assert "owes 27,500.00" in too_much.output


def test_choose_policy_needs_a_reason(app: Flask, session: Session, users: People) -> None:
    install_shipped_policies(session)
    event = create_event(
        session, factory=users.factories["DHK-1"], actor=users.admin, kind="suspension",
        start=date(2025, 12, 1), end=date(2025, 12, 10), policy_name="bangladesh-labour-act",
    )  # fmt: skip
    session.flush()
    runner = app.test_cli_runner()
    args = ["choose-policy", str(event.id), "--version", "1", "--as", users.admin.username]
    refused = runner.invoke(entitlements_cli, [*args, "--reason", " "])
    assert refused.exit_code == 2
    assert "say why" in refused.output
    done = runner.invoke(entitlements_cli, [*args, "--reason", "notice served before"])
    assert done.exit_code == 0, done.output
    session.expire_all()
    assert policy_for(session, "bangladesh-labour-act", event=event).version == 1
