"""``fund entitlements compute EVENT``: stored runs from the event's roll."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from fund.entitlements.cli import entitlements_cli
from fund.entitlements.models import EntitlementRun
from fund.events.services import create_event
from fund.rolls.models import Roll

from .helpers import stored_roll

if TYPE_CHECKING:
    from tests.conftest import People


@pytest.fixture
def roll(session: Session, users: People) -> Roll:
    """DHK-1's roll: the grade-5 worker W-0007 and W-2 who joined on 1 January 2024."""
    return stored_roll(session, users.factories["DHK-1"])


def test_compute_stores_a_run(app: Flask, session: Session, users: People, roll: Roll) -> None:
    event = create_event(
        session,
        factory=users.factories["DHK-1"],
        kind="suspension",
        start=date(2024, 3, 1),
        roll=roll,
        policy_name="alliance-wage-replacement",
        actor=users.admin,
    )
    session.flush()
    runner = app.test_cli_runner()
    result = runner.invoke(
        entitlements_cli,
        ["compute", str(event.id), "--through", "2024-03-30", "--as", "officer", "--json"],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    # ongoing suspension through 30 March: 30 days × 12,500 / 30 = 12,500 for each of the two
    assert summary["workers"] == 2
    assert summary["eligible"] == 2
    assert summary["total"] == "25000.00"
    assert summary["policy"] == "alliance-wage-replacement v1"
    run = session.scalars(select(EntitlementRun).where(EntitlementRun.event_id == event.id)).one()
    assert run.roll_id == roll.id
    assert run.computed_by is not None
    assert run.computed_by.username == "officer"
    plain = runner.invoke(
        entitlements_cli,
        [
            "compute",
            str(event.id),
            "--through",
            "2024-03-30",
            "--policy",
            "bangladesh-labour-act-layoff",
        ],
    )
    assert plain.exit_code == 0, plain.output
    # Labour Act: W-2 is short of a year's service; W-0007 gets 30 days less 5 Fridays = 25
    # days of tier 1: 25 × (6,700 × 0.50 + 3,350) / 30 = 25 × 223.333… = 5,583.33 → 5,583
    assert "2 workers, 1 eligible, total 5,583.00 BDT (bangladesh-labour-act-layoff v1)" in (
        plain.stdout
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["999999"], "no event 999999"),
        (["{event}"], "through"),
        (["{event}", "--through", "2024-03-30", "--policy", "nope"], "no policy called 'nope'"),
        (["{event}", "--through", "2024-03-30", "--as", "nobody"], "no active user 'nobody'"),
    ],
)
def test_compute_refuses_bad_input(
    app: Flask,
    session: Session,
    users: People,
    roll: Roll,
    args: list[str],
    message: str,
) -> None:
    event = create_event(
        session,
        factory=users.factories["DHK-1"],
        kind="suspension",
        start=date(2024, 3, 1),
        roll=roll,
        policy_name="alliance-wage-replacement",
        actor=users.admin,
    )
    session.flush()
    result = app.test_cli_runner().invoke(
        entitlements_cli, ["compute", *(a.format(event=event.id) for a in args)]
    )
    assert result.exit_code == 2
    assert message in result.stderr
    assert session.scalars(select(EntitlementRun)).all() == []


def test_compute_needs_a_roll(app: Flask, session: Session, users: People) -> None:
    event = create_event(
        session,
        factory=users.factories["DHK-1"],
        kind="closure",
        start=date(2024, 3, 1),
        actor=users.admin,
    )
    session.flush()
    result = app.test_cli_runner().invoke(
        entitlements_cli, ["compute", str(event.id), "--policy", "alliance-wage-replacement"]
    )
    assert result.exit_code == 2
    assert "no roll" in result.stderr
