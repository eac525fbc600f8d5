"""``/api/v1/events…``: record, read, list, change the end, choose the roll, compute, resolve.

Every JSON answer is checked against ``/api/v1/openapi.json``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from fund.auth.roles import Role
from fund.entitlements.models import Entitlement
from fund.entitlements.policy_versions import policy_for
from fund.entitlements.services import compute_for_event
from fund.events.models import DuplicateResolution, Event
from tests.api.openapi_check import expect
from tests.entitlements.helpers import grade5, stored_roll

if TYPE_CHECKING:
    from werkzeug.test import TestResponse

    from tests.conftest import People

API = "/api/v1"
Headers = Callable[[Role], dict[str, str]]
POLICY = "alliance-wage-replacement"
ROLL = (
    "worker_id,name,national_id,section,join_date,basic,house_rent,medical,transport,food\n"
    "W-1,Rahima Begum,1990000000001,Sewing,2019-08-01,6700,3350,750,450,1250\n"
    "W-2,Karim Mia,1990000000002,Cutting,2019-08-01,6700,3350,750,450,1250\n"
    "W-3,Salma Akter,1990000000003,Cutting,2023-01-15,6700,3350,750,450,1250\n"
)
SUSPENSION = {
    "factory": "DHK-1",
    "kind": "suspension",
    "start": "2024-03-01",
    "end": "2024-04-29",
    "reference": "Panel 2024/17",
    "policy": POLICY,
}


def events(users: People) -> int:
    return users.session.scalar(select(func.count(Event.id))) or 0


@pytest.fixture
def rolled(users: People) -> People:
    """DHK-1 has a stored roll of three workers."""
    stored_roll(users.session, users.factories["DHK-1"], ROLL)
    return users


def test_an_officer_records_an_event_on_the_newest_roll_and_reads_it(
    client: FlaskClient, rolled: People, headers: Headers, spec: dict[str, Any]
) -> None:
    officer = headers(Role.OFFICER)
    made = client.post(
        f"{API}/events", json={**SUSPENSION, "sections": ["Sewing", " Cutting "]}, headers=officer
    )
    body = expect(spec, made, "/events", "post", 201)
    assert (body["factory"], body["kind"], body["scope"]) == ("DHK-1", "suspension", "partial")
    assert body["sections"] == ["Cutting", "Sewing"]
    assert body["roll_id"] is not None  # the factory's newest roll, as the web form does
    assert (body["created_by"], body["policy_name"], body["latest_run"]) == (
        "officer",
        POLICY,
        None,
    )

    read = client.get(f"{API}/events/{body['id']}", headers=headers(Role.AUDITOR))
    assert expect(spec, read, "/events/{event_id}", "get", 200)["title"] == body["title"]
    missing = client.get(f"{API}/events/999999", headers=officer)
    expect(spec, missing, "/events/{event_id}", "get", 404)


def test_a_closure_ignores_sections_as_the_web_form_does(
    client: FlaskClient, rolled: People, headers: Headers, spec: dict[str, Any]
) -> None:
    made = client.post(
        f"{API}/events",
        json={**SUSPENSION, "kind": "closure", "end": None, "sections": ["Sewing"]},
        headers=headers(Role.ADMIN),
    )
    body = expect(spec, made, "/events", "post", 201)
    assert (body["kind"], body["scope"], body["sections"], body["end_date"]) == (
        "closure",
        "full",
        None,
        None,
    )


def test_the_list_is_paged_and_filtered_by_factory_and_kind(
    client: FlaskClient, rolled: People, headers: Headers, spec: dict[str, Any]
) -> None:
    officer = headers(Role.OFFICER)
    for factory, kind, start in (
        ("DHK-1", "suspension", "2024-03-01"),
        ("DHK-1", "closure", "2024-06-01"),
        ("GZP-2", "suspension", "2024-05-01"),
    ):
        body = {**SUSPENSION, "factory": factory, "kind": kind, "start": start, "end": None}
        expect(
            spec, client.post(f"{API}/events", json=body, headers=officer), "/events", "post", 201
        )

    def listed(query: str) -> list[tuple[str, str]]:
        page = expect(
            spec, client.get(f"{API}/events?{query}", headers=officer), "/events", "get", 200
        )
        return [(item["factory"], item["start_date"]) for item in page["items"]]

    assert listed("") == [("DHK-1", "2024-06-01"), ("GZP-2", "2024-05-01"), ("DHK-1", "2024-03-01")]
    assert listed("factory=DHK-1") == [("DHK-1", "2024-06-01"), ("DHK-1", "2024-03-01")]
    assert listed("factory=DHK-1&kind=suspension") == [("DHK-1", "2024-03-01")]
    assert listed("kind=closure") == [("DHK-1", "2024-06-01")]
    assert listed("factory=NOPE") == []
    second = client.get(f"{API}/events?per_page=2&page=2", headers=officer)
    page = expect(spec, second, "/events", "get", 200)
    assert (page["total"], len(page["items"])) == (3, 1)
    for query, field in (("kind=strike", "kind"), ("page=0", "page"), ("factory=%00", "factory")):
        bad = expect(
            spec, client.get(f"{API}/events?{query}", headers=officer), "/events", "get", 422
        )
        assert [error["field"] for error in bad["errors"]] == [field]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"factory": None}, "factory"),
        ({"kind": "strike"}, "kind"),
        ({"start": "31/31/2024"}, "start"),
        ({"start": None}, "start"),
        ({"sections": ["ok", ""]}, "sections.1"),
        ({"reference": "   "}, "reference"),
        ({"reference": "x" * 201}, "reference"),
        ({"reference": "Panel\x00"}, "reference"),
    ],
    ids=str,
)
def test_a_body_that_does_not_fit_the_schema_is_422_by_field_and_stores_nothing(
    client: FlaskClient,
    rolled: People,
    headers: Headers,
    spec: dict[str, Any],
    change: dict[str, Any],
    field: str,
) -> None:
    before = events(rolled)
    body = {key: value for key, value in {**SUSPENSION, **change}.items() if value is not None}
    if "end" in change and change["end"] is None:
        body["end"] = None
    refused = client.post(f"{API}/events", json=body, headers=headers(Role.OFFICER))
    errors = expect(spec, refused, "/events", "post", 422)["errors"]
    assert [error["field"] for error in errors] == [field]
    assert all(error["code"] and error["message"] for error in errors)
    assert events(rolled) == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"factory": "NOPE"}, "factory"),
        ({"policy": "no-such-policy"}, "policy"),
        ({"end": "2024-02-01"}, "end"),
        ({"sections": []}, "sections"),
    ],
    ids=str,
)
def test_a_well_formed_event_the_service_refuses_is_409_by_field_and_stores_nothing(
    client: FlaskClient,
    rolled: People,
    headers: Headers,
    spec: dict[str, Any],
    change: dict[str, Any],
    field: str,
) -> None:
    body = {**SUSPENSION, **change}
    refused = client.post(f"{API}/events", json=body, headers=headers(Role.OFFICER))
    errors = expect(spec, refused, "/events", "post", 409)["errors"]
    assert [(error["field"], error["code"]) for error in errors] == [(field, "refused")]
    assert errors[0]["message"]
    assert events(rolled) == 0


@pytest.mark.parametrize(
    "role", [Role.APPROVER, Role.ACCOUNTANT, Role.AUDITOR, Role.BRAND], ids=str
)
def test_only_officers_and_admins_record_events(
    client: FlaskClient, rolled: People, headers: Headers, spec: dict[str, Any], role: Role
) -> None:
    refused = client.post(f"{API}/events", json=SUSPENSION, headers=headers(role))
    assert expect(spec, refused, "/events", "post", 403)["errors"][0]["code"] == "forbidden"
    assert events(rolled) == 0


def test_brands_see_no_events(
    client: FlaskClient, rolled: People, headers: Headers, spec: dict[str, Any]
) -> None:
    made = client.post(f"{API}/events", json=SUSPENSION, headers=headers(Role.OFFICER)).json
    nord = headers(Role.BRAND)
    expect(spec, client.get(f"{API}/events", headers=nord), "/events", "get", 403)
    one = client.get(f"{API}/events/{made['id']}", headers=nord)
    expect(spec, one, "/events/{event_id}", "get", 403)


def test_the_end_date_is_extended_ended_and_reopened_with_its_history(
    client: FlaskClient, rolled: People, headers: Headers, spec: dict[str, Any]
) -> None:
    officer = headers(Role.OFFICER)
    event_id = client.post(f"{API}/events", json=SUSPENSION, headers=officer).json["id"]
    path = "/events/{event_id}/end"
    url = f"{API}/events/{event_id}/end"
    extended = client.post(url, json={"end": "2024-05-31", "reason": "more work"}, headers=officer)
    body = expect(spec, extended, path, "post", 200)
    assert (body["end_date"], body["ongoing"]) == ("2024-05-31", False)
    reopened = client.post(url, json={"end": None, "reason": "not safe yet"}, headers=officer)
    body = expect(spec, reopened, path, "post", 200)
    assert (body["end_date"], body["ongoing"]) == (None, True)
    assert [(x["previous_end"], x["new_end"], x["reason"]) for x in body["extensions"]] == [
        ("2024-04-29", "2024-05-31", "more work"),
        ("2024-05-31", None, "not safe yet"),
    ]
    for bad, field, status in (
        ({"end": "2024-06-30", "reason": " "}, "reason", 422),
        ({"end": "2024-06-30"}, "reason", 422),
        ({"end": "June", "reason": "typo"}, "end", 422),
        ({"end": "2024-01-01", "reason": "typo"}, "end", 409),  # before the start
        ({"end": None, "reason": "again"}, "end", 409),  # already ongoing
    ):
        refused = client.post(url, json=bad, headers=officer)
        errors = expect(spec, refused, path, "post", status)["errors"]
        assert [e["field"] for e in errors] == [field]
    forbidden = client.post(
        url, json={"end": "2024-06-30", "reason": "x"}, headers=headers(Role.APPROVER)
    )
    expect(spec, forbidden, path, "post", 403)
    missing = client.post(f"{API}/events/999999/end", json={"reason": "x"}, headers=officer)
    expect(spec, missing, path, "post", 404)
    closure = client.post(
        f"{API}/events", json={**SUSPENSION, "kind": "closure", "end": None}, headers=officer
    ).json
    refused = client.post(
        f"{API}/events/{closure['id']}/end",
        json={"end": "2024-05-01", "reason": "x"},
        headers=officer,
    )
    assert expect(spec, refused, path, "post", 409)["errors"][0]["code"] == "refused"


def test_compute_needs_a_roll_a_policy_and_while_ongoing_a_through_date(
    client: FlaskClient, users: People, headers: Headers, spec: dict[str, Any]
) -> None:
    officer = headers(Role.OFFICER)
    path = "/events/{event_id}/compute"
    event = client.post(f"{API}/events", json={**SUSPENSION, "end": None}, headers=officer).json
    assert event["roll_id"] is None  # recorded before the factory sent its roll
    url = f"{API}/events/{event['id']}/compute"
    no_roll = client.post(url, json={"through": "2024-03-31"}, headers=officer)
    assert expect(spec, no_roll, path, "post", 409)["errors"][0]["code"] == "no_roll"

    stored_roll(users.session, users.factories["DHK-1"], ROLL)
    roll_path = "/events/{event_id}/roll"
    wrong = client.post(f"{API}/events/{event['id']}/roll", json={"version": 9}, headers=officer)
    assert expect(spec, wrong, roll_path, "post", 409)["errors"][0]["field"] == "version"
    attached = client.post(f"{API}/events/{event['id']}/roll", json={}, headers=officer)
    assert expect(spec, attached, roll_path, "post", 200)["roll_id"] is not None
    forbidden = client.post(
        f"{API}/events/{event['id']}/roll", json={}, headers=headers(Role.AUDITOR)
    )
    expect(spec, forbidden, roll_path, "post", 403)

    for body, field, status in (
        ({"through": "not a day"}, "through", 422),
        ({}, "through", 409),  # ongoing: computed up to when?
        ({"through": "2024-03-31", "policy": "no-such-policy"}, "policy", 409),
    ):
        refused = client.post(url, json=body, headers=officer)
        errors = expect(spec, refused, path, "post", status)["errors"]
        assert [e["field"] for e in errors] == [field]
    expect(
        spec,
        client.post(url, json={"through": "2024-03-31"}, headers=headers(Role.APPROVER)),
        path,
        "post",
        403,
    )
    expect(
        spec,
        client.post(url, json={"through": "2024-03-31"}, headers=headers(Role.BRAND)),
        path,
        "post",
        403,
    )

    run = expect(
        spec, client.post(url, json={"through": "2024-03-31"}, headers=officer), path, "post", 201
    )
    assert (run["event_id"], run["workers"], run["eligible"], run["through"]) == (
        event["id"],
        3,
        3,
        "2024-03-31",
    )
    assert run["policy"].startswith(POLICY)
    detail = client.get(f"{API}/events/{event['id']}", headers=officer)
    assert expect(spec, detail, "/events/{event_id}", "get", 200)["latest_run"]["id"] == run["id"]


def test_a_held_worker_is_resolved_once_and_paid_at_the_next_computation(
    client: FlaskClient, rolled: People, headers: Headers, spec: dict[str, Any]
) -> None:
    officer = headers(Role.OFFICER)
    event_id = client.post(f"{API}/events", json=SUSPENSION, headers=officer).json["id"]
    # A roll is refused when two of its workers share a national ID, so the pair held here
    # comes in as rows given to the computation (as a cross-check against other rolls would).
    rows = [
        grade5(),
        grade5(row=3, worker_id="D-2", national_id="2222222222"),
        grade5(row=4, worker_id="D-3", national_id="2222222222"),
    ]
    session = rolled.session
    event = session.get(Event, event_id)
    assert event is not None

    def compute() -> dict[str, tuple[int, bool, str | None]]:
        run = compute_for_event(
            session,
            event=event,
            policy_version=policy_for(session, POLICY),
            through=None,
            actor=rolled.by_role[Role.OFFICER],
            rows=rows,
        )
        held = session.scalars(select(Entitlement).where(Entitlement.run_id == run.id))
        return {e.worker_id: (e.id, e.eligible, e.reason) for e in held}

    by_worker = compute()
    assert by_worker["D-2"][1:] == (False, "duplicate_national_id")
    path = "/entitlements/{entitlement_id}/resolve"

    def resolve(worker: str, body: dict[str, Any], role: Role = Role.OFFICER) -> TestResponse:
        url = f"{API}/entitlements/{by_worker[worker][0]}/resolve"
        return client.post(url, json=body, headers=headers(role))

    blank = expect(spec, resolve("D-2", {"note": "  "}), path, "post", 422)
    assert blank["errors"][0]["field"] == "note"
    assert expect(spec, resolve("D-2", {}), path, "post", 422)["errors"][0]["field"] == "note"
    not_held = expect(spec, resolve("W-0007", {"note": "checked"}), path, "post", 409)
    assert "not held" in not_held["errors"][0]["message"]
    assert not_held["errors"][0]["code"] == "refused"
    for role in (Role.APPROVER, Role.AUDITOR, Role.BRAND):
        expect(spec, resolve("D-2", {"note": "checked"}, role), path, "post", 403)
    unknown = client.post(f"{API}/entitlements/999999/resolve", json={"note": "x"}, headers=officer)
    expect(spec, unknown, path, "post", 404)
    assert session.scalar(select(func.count(DuplicateResolution.id))) == 0

    note = "Same NID card seen at the office; D-3 is a typo of D-2"
    done = expect(spec, resolve("D-2", {"note": note}), path, "post", 201)
    assert (done["paid_worker_id"], done["national_id"], done["resolved_by"]) == (
        "D-2",
        "2222222222",
        "officer",
    )
    again = expect(spec, resolve("D-3", {"note": "again"}), path, "post", 409)
    assert "already resolved" in again["errors"][0]["message"]

    assert {worker: held[1:] for worker, held in compute().items()} == {
        "W-0007": (True, None),
        "D-2": (True, None),
        "D-3": (False, "duplicate_resolved"),
    }
