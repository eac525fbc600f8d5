"""``fund entitlements compute EVENT``: stored runs from the event's roll."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from fund.entitlements import services
from fund.entitlements.cli import entitlements_cli
from fund.entitlements.models import EntitlementRun
from fund.events.services import create_event
from imports.records import RollRow

from .helpers import grade7

if TYPE_CHECKING:
    from tests.conftest import People


@pytest.fixture
def roll(monkeypatch: pytest.MonkeyPatch) -> list[RollRow]:
    """Roll 7 holds the grade-7 worker and one who joined too late; read as the rolls area would."""
    rows = [grade7(), grade7(row=3, worker_id="W-2", national_id="1", join_date=date(2024, 5, 1))]

    def roll_rows(session: Session, roll_id: int | None) -> list[RollRow]:
        if roll_id != 7:
            raise services.RollMissing("the event has no roll yet")
        return rows

    monkeypatch.setattr(services, "roll_rows", roll_rows)
    return rows


def test_compute_stores_a_run(
    app: Flask, session: Session, users: People, roll: list[RollRow]
) -> None:
    event = create_event(
        session,
        factory=users.factories["DHK-1"],
        kind="suspension",
        start=date(2024, 3, 1),
        roll_id=7,
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
    # ongoing suspension through 30 March: 30 days × 12,500 / 30 = 12,500
    assert summary["workers"] == 2
    assert summary["eligible"] == 1
    assert summary["total"] == "12500.00"
    assert summary["policy"] == "alliance-wage-replacement v1"
    run = session.scalars(select(EntitlementRun).where(EntitlementRun.event_id == event.id)).one()
    assert run.roll_id == 7
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
    assert "bangladesh-labour-act-layoff v1" in plain.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["999999"], "no event 999999"),
        (["{event}"], "through"),
        (["{event}", "--through", "2024-03-30", "--policy", "nope"], "no policy called 'nope'"),
        (["{event}", "--through", "2024-03-30", "--as", "nobody"], "no user 'nobody'"),
    ],
)
def test_compute_refuses_bad_input(
    app: Flask,
    session: Session,
    users: People,
    roll: list[RollRow],
    args: list[str],
    message: str,
) -> None:
    event = create_event(
        session,
        factory=users.factories["DHK-1"],
        kind="suspension",
        start=date(2024, 3, 1),
        roll_id=7,
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
