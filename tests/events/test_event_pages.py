"""Officers record events, change end dates and compute entitlements on the web."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from fund.entitlements.models import EntitlementRun
from fund.events.models import Event
from tests.entitlements.helpers import stored_roll

if TYPE_CHECKING:
    from tests.conftest import People

Token = Callable[[FlaskClient, str], str]


def test_officer_records_and_computes(
    client: FlaskClient,
    login: Callable[..., Any],
    form_token: Token,
    session: Session,
    users: People,
) -> None:
    roll = stored_roll(session, users.factories["DHK-1"])
    login(client, "officer")
    response = client.post(
        "/events/new",
        data={
            "csrf_token": form_token(client, "/events/new"),
            "factory": "DHK-1",
            "kind": "suspension",
            "start": "2024-03-01",
            "end": "2024-03-30",
            "sections": "",
            "reference": "Panel 2024/17",
            "policy": "alliance-wage-replacement",
        },
    )
    assert response.status_code == 302
    event = session.scalars(select(Event)).one()
    assert (event.roll_id, event.policy_name) == (roll.id, "alliance-wage-replacement")
    page = f"/events/{event.id}"
    computed = client.post(
        f"{page}/compute",
        data={"csrf_token": form_token(client, page), "policy": "alliance-wage-replacement"},
        follow_redirects=True,
    )
    # the roll's two workers, 30 days × 12,500 / 30 = 12,500 each
    assert "Computed 2 workers, 2 eligible, total 25,000.00 BDT." in computed.get_data(as_text=True)
    assert f'href="/batches/?event={event.id}">Batches of this event' in computed.get_data(
        as_text=True
    )
    changed = client.post(
        f"{page}/end",
        data={"csrf_token": form_token(client, page), "end": "", "reason": "not reopened yet"},
        follow_redirects=True,
    )
    assert "(ongoing)" in changed.get_data(as_text=True)
    refused = client.post(
        f"{page}/compute",
        data={"csrf_token": form_token(client, page), "policy": "alliance-wage-replacement"},
        follow_redirects=True,
    )
    assert "Not computed: an ongoing suspension needs a through date" in refused.get_data(
        as_text=True
    )
    assert len(session.scalars(select(EntitlementRun)).all()) == 1


def test_new_event_form_errors(
    client: FlaskClient,
    login: Callable[..., Any],
    form_token: Token,
    session: Session,
    users: People,
) -> None:
    login(client, "admin")
    response = client.post(
        "/events/new",
        data={
            "csrf_token": form_token(client, "/events/new"),
            "factory": "DHK-1",
            "kind": "suspension",
            "start": "2024-03-05",
            "end": "2024-03-01",
            "reference": "x",
            "policy": "alliance-wage-replacement",
        },
    )
    assert response.status_code == 200
    assert "ends (2024-03-01) before it starts (2024-03-05)" in response.get_data(as_text=True)
    assert session.scalars(select(Event)).all() == []


def test_only_officers_change_things(
    client: FlaskClient,
    login: Callable[..., Any],
    form_token: Token,
    session: Session,
    users: People,
) -> None:
    from fund.events.services import create_event

    event = create_event(
        session,
        factory=users.factories["DHK-1"],
        kind="suspension",
        start=date(2024, 3, 1),
        actor=None,
    )
    login(client, "auditor")
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Compute entitlements" not in page
    assert "Change the end date" not in page
    assert client.get("/events/new").status_code == 403
    token = form_token(client, f"/events/{event.id}")
    for action in ("compute", "end"):
        posted = client.post(f"/events/{event.id}/{action}", data={"csrf_token": token})
        assert posted.status_code == 403, action
    login(client, "officer")
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    # no roll yet: the officer is told to attach one, not shown a button that could only fail
    assert "Compute entitlements</button>" not in page
    assert "Entitlements are computed from a roll" in page
    assert "Change the end date" in page


def test_officer_points_an_event_at_a_newer_roll(
    client: FlaskClient,
    login: Callable[..., Any],
    form_token: Token,
    session: Session,
    users: People,
) -> None:
    from fund.events.services import create_event

    factory = users.factories["DHK-1"]
    event = create_event(
        session, factory=factory, kind="suspension", start=date(2024, 3, 1), actor=None
    )
    assert event.roll_id is None  # recorded before the factory sent its payroll
    roll = stored_roll(session, factory)
    page = f"/events/{event.id}"
    login(client, "auditor")
    assert "Use this roll" not in client.get(page).get_data(as_text=True)
    refused = client.post(
        f"{page}/roll", data={"csrf_token": form_token(client, page), "version": "1"}
    )
    assert refused.status_code == 403
    login(client, "officer")
    unknown = client.post(
        f"{page}/roll",
        data={"csrf_token": form_token(client, page), "version": "7"},
        follow_redirects=True,
    )
    assert "Choose one of the factory&#39;s roll versions." in unknown.get_data(as_text=True)
    session.refresh(event)
    assert event.roll_id is None
    used = client.post(
        f"{page}/roll",
        data={"csrf_token": form_token(client, page), "version": "1"},
        follow_redirects=True,
    )
    assert "The event now uses roll version 1 (2 workers)" in used.get_data(as_text=True)
    session.refresh(event)
    assert event.roll_id == roll.id
