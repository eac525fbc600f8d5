"""``fund events …`` and the policy commands of ``fund entitlements``."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from fund.audit.models import AuditEvent
from fund.entitlements.cli import entitlements_cli
from fund.events.cli import events_cli
from fund.events.models import Event
from tests.entitlements.helpers import POLICIES, stored_roll

if TYPE_CHECKING:
    from tests.conftest import People


def test_create_change_and_list(app: Flask, session: Session, users: People) -> None:
    roll = stored_roll(session, users.factories["DHK-1"])
    session.flush()
    runner = app.test_cli_runner()
    created = runner.invoke(
        events_cli,
        [
            *("create", "DHK-1", "--kind", "suspension", "--start", "2024-03-01"),
            *("--sections", "Sewing-3,Cutting", "--reference", "Panel 17", "--as", "officer"),
            *("--policy", "alliance-wage-replacement"),
        ],
    )
    assert created.exit_code == 0, created.output
    assert "Partial suspension of DHK-1 from 2024-03-01 (ongoing)" in created.stdout
    event = session.scalars(select(Event)).one()
    assert event.roll_id == roll.id
    assert event.sections == ["Cutting", "Sewing-3"]
    assert event.created_by is not None
    assert event.created_by.username == "officer"
    changed = runner.invoke(
        events_cli,
        ["change-end", str(event.id), "--end", "2024-04-29", "--reason", "factory reopened"],
    )
    assert changed.exit_code == 0, changed.output
    session.refresh(event)
    assert event.end_date == date(2024, 4, 29)
    listed = json.loads(runner.invoke(events_cli, ["list", "--json"]).stdout)
    assert listed == [
        {
            "id": event.id,
            "factory": "DHK-1",
            "kind": "suspension",
            "scope": "partial",
            "sections": ["Cutting", "Sewing-3"],
            "start": "2024-03-01",
            "end": "2024-04-29",
            "reference": "Panel 17",
            "roll_version": 1,
            "policy": "alliance-wage-replacement",
        }
    ]
    assert "Panel 17" in runner.invoke(events_cli, ["list"]).stdout
    used = runner.invoke(events_cli, ["use-roll", str(event.id), "--roll-version", "1"])
    assert used.exit_code == 0, used.output
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "event").order_by(AuditEvent.id)
    ).all()
    assert actions == ["events.create", "events.change_end", "events.set_roll"]


def test_bad_input_exits_2(app: Flask, session: Session, users: People) -> None:
    runner = app.test_cli_runner()
    cases = [
        (["create", "NOPE", "--kind", "closure", "--start", "2024-03-01"], "no factory 'NOPE'"),
        (
            [
                "create",
                "DHK-1",
                "--kind",
                "closure",
                "--start",
                "2024-03-01",
                "--end",
                "2024-03-09",
            ],
            "one date",
        ),
        (["create", "DHK-1", "--kind", "closure", "--start", "1/3/2024"], "not a date"),
        (
            [
                "create",
                "DHK-1",
                "--kind",
                "closure",
                "--start",
                "2024-03-01",
                "--roll-version",
                "3",
            ],
            "no roll version 3",
        ),
        (["change-end", "999999", "--reason", "x"], "no event 999999"),
        (["use-roll", "999999"], "no event 999999"),
        (
            ["resolve-duplicate", "999999", "1234567890", "--pay", "A-1", "--note", "checked"],
            "no event 999999",
        ),
    ]
    for args, message in cases:
        result = runner.invoke(events_cli, args)
        assert result.exit_code == 2, args
        assert message in result.stderr, (args, result.stderr)
    assert session.scalars(select(Event)).all() == []


def test_policy_commands(app: Flask, tmp_path: Path, users: People) -> None:
    runner = app.test_cli_runner()
    path = POLICIES / "alliance-wage-replacement.toml"
    first = runner.invoke(entitlements_cli, ["policy-add", str(path), "--as", "admin"])
    assert first.exit_code == 0, first.output
    assert first.stdout.startswith("alliance-wage-replacement v1 (")
    again = runner.invoke(entitlements_cli, ["policy-add", str(path)])
    assert again.stdout == first.stdout
    broken = tmp_path / "broken.toml"
    broken.write_text(path.read_text(encoding="utf-8").replace('"1.00"', "1.0"), encoding="utf-8")
    refused = runner.invoke(entitlements_cli, ["policy-add", str(broken)])
    assert refused.exit_code == 2
    assert "broken.toml: suspension.tiers[1].pay.gross" in refused.stderr
    listing = runner.invoke(entitlements_cli, ["policies"]).stdout
    assert "alliance-wage-replacement v1" in listing
    assert "editable" in listing


def test_resolve_duplicate(app: Flask, session: Session, users: People) -> None:
    runner = app.test_cli_runner()
    created = runner.invoke(
        events_cli, ["create", "DHK-1", "--kind", "closure", "--start", "2024-03-01"]
    )
    assert created.exit_code == 0, created.output
    event = session.scalars(select(Event)).one()
    args = ["resolve-duplicate", str(event.id), "1990123456789", "--pay", "W-7"]
    result = runner.invoke(events_cli, [*args, "--note", "card checked", "--as", "officer"])
    assert result.exit_code == 0, result.output
    assert "paid once, as W-7" in result.stdout
    again = runner.invoke(events_cli, [*args, "--note", "again"])
    assert again.exit_code == 2
    assert "already resolved" in again.stderr
