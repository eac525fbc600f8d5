"""Roll comparison: each rule on plain records, then a padded roll caught end to end."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from fund.audit.models import AuditEvent
from fund.auth.models import User
from fund.auth.roles import Role
from fund.controls.models import RollFinding
from fund.controls.roll_review import (
    FindingRefused,
    RollEntry,
    Thresholds,
    acknowledge,
    compare,
    findings,
    unacknowledged_high,
)
from fund.disbursements.approving import submit
from fund.disbursements.making import create_batch
from fund.disbursements.models import DisbursementBatch
from fund.disbursements.services import FindingsNotAcknowledged
from tests.api.test_api_v1 import check_against_spec
from tests.conftest import People, csrf_token_from
from tests.controls.helpers import GHOST_WALLET, padded_event
from tests.disbursements.conftest import SECRET

REFERENCE = date(2024, 3, 1)


def entry(worker_id: str, **changes: Any) -> RollEntry:
    values: dict[str, Any] = {
        "worker_id": worker_id,
        "name": f"Worker {worker_id}",
        "national_id": f"19900000{worker_id[-5:]:0>5}",
        "join_date": date(2019, 8, 1),
        "gross": 1_250_000,
        "grade": "7",
    }
    values.update(changes)
    return RollEntry(**values)


def codes(current: list[RollEntry], **kwargs: Any) -> dict[str, str]:
    drafts = compare(
        current,
        previous=kwargs.pop("previous", None),
        previous_version=1,
        reference=REFERENCE,
        reference_name="the event's start",
        reference_subject="event:1",
        **kwargs,
    )
    return {d.code: d.severity for d in drafts}


def test_a_clean_roll_with_no_history_has_no_findings() -> None:
    assert codes([entry("W-1"), entry("W-2")]) == {}


def test_workers_joined_shortly_before_the_event_are_high() -> None:
    found = codes([entry("W-1"), entry("W-2", join_date=date(2024, 2, 20))])
    assert found == {"joined_shortly_before": "high"}
    # outside the window (more than 30 days before), or after the start: nothing
    assert codes([entry("W-2", join_date=date(2024, 1, 30))]) == {}
    assert codes([entry("W-2", join_date=date(2024, 1, 1))], thresholds=Thresholds(60)) == {
        "joined_shortly_before": "high"
    }


def test_one_wallet_or_bank_account_for_several_workers_is_high() -> None:
    shared = [entry(f"W-{n}", wallet_number="01711000001") for n in range(3)]
    drafts = compare(
        shared,
        previous=None,
        reference=REFERENCE,
        reference_name="x",
        reference_subject="x",
    )
    assert [(d.code, d.severity, len(d.workers)) for d in drafts] == [("shared_account", "high", 3)]
    banked = [entry("W-1", bank_account="0123"), entry("W-2", bank_account="0123")]
    assert codes(banked) == {"shared_account": "high"}


def test_changes_since_the_previous_version() -> None:
    previous = [entry(f"W-{n}") for n in range(10)]
    current = [
        entry("W-0", gross=1_450_000),  # +16 %: above 15 %
        entry("W-1", gross=1_430_000),  # +14.4 %: not
        entry("W-2", grade="6"),
        *[entry(f"W-{n}") for n in range(3, 10)],
        entry("W-10"),
        entry("W-11"),  # 12 workers against 10: +20 %
    ]
    assert codes(current, previous=previous) == {
        "added_since_previous": "medium",
        "headcount_jump": "medium",
        "wage_increase": "medium",
        "grade_change": "low",
    }
    # +10 % exactly is not a jump; no wage or grade change: only the newcomer
    assert codes([*previous, entry("W-10")], previous=previous) == {
        "added_since_previous": "medium"
    }


def test_national_ids_on_another_factorys_roll_are_medium() -> None:
    current = [entry("W-1"), entry("W-2")]
    elsewhere = {current[1].national_id: ("GZP-2", "X-9")}
    drafts = compare(
        current,
        previous=None,
        reference=REFERENCE,
        reference_name="x",
        reference_subject="x",
        elsewhere=elsewhere,
    )
    assert [(d.code, d.workers[0]["detail"]) for d in drafts] == [
        ("national_id_elsewhere", "also worker X-9 at GZP-2")
    ]


def test_a_padded_roll_is_caught_and_its_batch_waits_for_acknowledgements(
    session: Session, users: People
) -> None:
    officer, approver = users.by_role[Role.OFFICER], users.by_role[Role.APPROVER]
    event = padded_event(session, users.factories["DHK-1"], users.admin)
    assert event.roll is not None
    found = {(f.code, f.severity) for f in findings(session, event.roll.id)}
    assert found >= {
        ("joined_shortly_before", "high"),
        ("shared_account", "high"),
        ("added_since_previous", "medium"),
        ("headcount_jump", "medium"),
    }
    shared = next(f for f in findings(session, event.roll.id) if f.code == "shared_account")
    assert GHOST_WALLET in shared.message
    assert sorted(w["worker_id"] for w in shared.workers) == ["G-1", "G-2", "G-3"]
    # each finding is in the audit log
    logged = session.scalars(
        select(AuditEvent.object_id).where(AuditEvent.action == "controls.roll_finding")
    ).all()
    assert {str(f.id) for f in findings(session, event.roll.id)} <= set(logged)

    batch = create_batch(session, event=event, actor=officer, secret_key=SECRET)
    with pytest.raises(FindingsNotAcknowledged, match="high finding"):
        submit(session, batch=batch, actor=officer)
    assert batch.state == "draft"
    high = unacknowledged_high(session, event.roll.id)
    with pytest.raises(FindingRefused, match="note"):
        acknowledge(session, finding=high[0], actor=officer, note="  ")
    with pytest.raises(FindingRefused, match="may not"):
        acknowledge(session, finding=high[0], actor=approver, note="looked")
    for finding in high[:-1]:
        acknowledge(session, finding=finding, actor=officer, note="visited the factory")
    with pytest.raises(FindingsNotAcknowledged):
        submit(session, batch=batch, actor=officer)  # one is still open
    acknowledge(session, finding=high[-1], actor=officer, note="wallet is the line chief's")
    with pytest.raises(FindingRefused, match="already acknowledged"):
        acknowledge(session, finding=high[-1], actor=officer, note="again")
    submit(session, batch=batch, actor=officer)
    assert batch.state == "submitted"
    acknowledged = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "controls.roll_finding_acknowledged")
    ).all()
    assert len(acknowledged) == len(high)


def test_reviewing_again_adds_nothing_and_keeps_acknowledgements(
    session: Session, users: People
) -> None:
    from fund.controls.roll_review import review_roll

    event = padded_event(session, users.factories["DHK-1"], users.admin)
    assert event.roll is not None
    before = session.scalars(select(RollFinding.id)).all()
    assert review_roll(session, roll=event.roll, actor=users.admin, event=event) == []
    assert session.scalars(select(RollFinding.id)).all() == before


def test_submit_refusal_on_the_web_and_the_api(
    app: Flask,
    session: Session,
    users: People,
    login: Callable[..., Any],
    api_token: Callable[..., str],
) -> None:
    event = padded_event(session, users.factories["DHK-1"], users.admin)
    officer = users.by_role[Role.OFFICER]
    batch = create_batch(session, event=event, actor=officer, secret_key=SECRET)
    client = app.test_client()
    login(client, officer.username)
    page = client.get(f"/batches/{batch.id}")
    response = client.post(
        f"/batches/{batch.id}/submit",
        data={"csrf_token": csrf_token_from(page.get_data(as_text=True))},
        follow_redirects=True,
    )
    assert "not yet acknowledged" in response.get_data(as_text=True)
    assert session.get(DisbursementBatch, batch.id).state == "draft"  # type: ignore[union-attr]

    api = app.test_client()
    token = {"Authorization": f"Bearer {api_token(officer)}"}
    refused = api.post(f"/api/v1/batches/{batch.id}/submit", headers=token, json={})
    assert refused.status_code == 409
    assert refused.json["errors"][0]["code"] == "findings_not_acknowledged"  # type: ignore[index]
    spec = api.get("/api/v1/openapi.json").json
    check_against_spec(spec, "/batches/{batch_id}/submit", "post", 409, refused.json)

    assert event.roll is not None
    listed = api.get(f"/api/v1/rolls/{event.roll.id}/findings", headers=token)
    assert listed.status_code == 200
    check_against_spec(spec, "/rolls/{roll_id}/findings", "get", 200, listed.json)
    for finding in listed.json["findings"]:  # type: ignore[index]
        if finding["severity"] == "high":
            done = api.post(
                f"/api/v1/findings/{finding['id']}/acknowledge",
                headers=token,
                json={"note": "checked the attendance register"},
            )
            assert done.status_code == 200
            check_against_spec(spec, "/findings/{finding_id}/acknowledge", "post", 200, done.json)
    again = api.post(
        f"/api/v1/findings/{finding['id']}/acknowledge", headers=token, json={"note": "x"}
    )
    check_against_spec(
        spec, "/findings/{finding_id}/acknowledge", "post", again.status_code, again.json
    )
    submitted = api.post(f"/api/v1/batches/{batch.id}/submit", headers=token, json={})
    assert submitted.status_code == 200
    assert submitted.json["state"] == "submitted"  # type: ignore[index]

    # the roll page lists the findings with the workers concerned
    roll_page = client.get(f"/rolls/{event.roll.id}").get_data(as_text=True)
    assert "Findings of the roll comparison" in roll_page
    assert "G-2 Ghost 2" in roll_page


def test_the_importer_of_a_roll_does_not_acknowledge_its_high_findings(
    session: Session, users: People, client: FlaskClient, api_token: Callable[[User], str]
) -> None:
    officer = users.by_role[Role.OFFICER]
    event = padded_event(session, users.factories["DHK-1"], users.admin, importer=officer)
    assert event.roll is not None
    assert event.roll.imported_by_id == officer.id
    high = unacknowledged_high(session, event.roll.id)
    with pytest.raises(FindingRefused, match="someone else acknowledges"):
        acknowledge(session, finding=high[0], actor=officer, note="looked")
    # Through the API too: the same service refuses it.
    token = {"Authorization": f"Bearer {api_token(officer)}"}
    answer = client.post(
        f"/api/v1/findings/{high[0].id}/acknowledge", json={"note": "looked"}, headers=token
    )
    assert answer.status_code in (403, 409), answer.json
    assert high[0].acknowledged_at is None
    colleague = users.make("officer2", Role.OFFICER)
    acknowledge(session, finding=high[0], actor=colleague, note="visited the factory")
    assert high[0].acknowledged_by_id == colleague.id
