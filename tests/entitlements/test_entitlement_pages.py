"""Event pages, worker pages and the entitlement API, for staff; brand users get 403."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

import openpyxl
import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from fund.auth.roles import Role
from fund.entitlements.models import Entitlement, EntitlementRun
from fund.entitlements.policy_versions import policy_for, register_policy
from fund.entitlements.services import compute_for_event
from fund.events.models import Event
from fund.events.services import create_event, extend_event

from .helpers import POLICIES, grade5

if TYPE_CHECKING:
    from tests.conftest import People


@pytest.fixture
def computed(session: Session, users: People) -> tuple[Event, EntitlementRun]:
    """A 60-day suspension under the Labour Act policy: one paid worker, two held, one late."""
    event = create_event(
        session,
        factory=users.factories["DHK-1"],
        kind="suspension",
        start=date(2024, 3, 1),
        end=date(2024, 4, 15),
        reference="Panel 2024/17",
        actor=users.admin,
    )
    extend_event(
        session, event=event, new_end=date(2024, 4, 29), reason="remediation late", actor=None
    )
    rows = [
        grade5(),
        grade5(
            row=3, worker_id="W-2", name="Karim Mia", national_id="1", join_date=date(2024, 1, 1)
        ),
        grade5(row=4, worker_id="W-3", name="Nasima Khatun", national_id="2222222222"),
        grade5(row=5, worker_id="W-4", name="Jamal Hossain", national_id="2222222222"),
    ]
    run = compute_for_event(
        session,
        event=event,
        policy_version=policy_for(session, "bangladesh-labour-act-layoff"),
        through=None,
        actor=users.admin,
        rows=rows,
    )
    return event, run


def entitlement_of(session: Session, run: EntitlementRun, worker_id: str) -> Entitlement:
    return session.scalars(
        select(Entitlement).where(Entitlement.run_id == run.id, Entitlement.worker_id == worker_id)
    ).one()


def test_event_page_summarises(
    client: FlaskClient,
    login: Callable[..., Any],
    computed: tuple[Event, EntitlementRun],
) -> None:
    event, _ = computed
    login(client, "auditor")
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Suspension of DHK-1 from 2024-03-01 to 2024-04-29" in page
    assert "Panel 2024/17" in page
    assert "remediation late" in page
    assert "<dt>Workers covered</dt><dd>4</dd>" in page
    assert "<dt>Eligible</dt><dd>1</dd>" in page
    # 11,055.00 worked by hand in test_entitlement_rules
    assert "11,055.00 BDT" in page
    assert "2: shares a national ID" in page
    assert "1: had not served the policy&#39;s minimum service" in page
    assert "Rahima Begum" in page
    assert "Jamal Hossain" in page
    index = client.get("/events/").get_data(as_text=True)
    assert f'href="/events/{event.id}"' in index
    assert "11,055.00 BDT" in index


def test_event_page_search(
    client: FlaskClient, login: Callable[..., Any], computed: tuple[Event, EntitlementRun]
) -> None:
    event, _ = computed
    login(client, "officer")
    page = client.get(f"/events/{event.id}?q=karim").get_data(as_text=True)
    assert "Karim Mia" in page
    assert "Rahima Begum" not in page
    page = client.get(f"/events/{event.id}?show=eligible").get_data(as_text=True)
    assert "Rahima Begum" in page
    assert "Karim Mia" not in page
    page = client.get(f"/events/{event.id}?q=%25").get_data(as_text=True)  # '%' is literal
    assert "No worker matches." in page
    assert client.get(f"/events/{event.id}?run=999999").status_code == 404


def test_worker_page_explains(
    client: FlaskClient,
    login: Callable[..., Any],
    session: Session,
    computed: tuple[Event, EntitlementRun],
) -> None:
    _, run = computed
    paid = entitlement_of(session, run, "W-0007")
    login(client, "auditor")
    page = client.get(f"/entitlements/{paid.id}").get_data(as_text=True)
    assert "51 days of the suspension are paid." in page
    assert (
        "Suspension tier 1: 45 days × basic of 6,700.00 a month × 0.50 ÷ 30 days = 5,025.00 BDT"
        in page
    )
    assert "the amount paid is 11,055.00 BDT." in page
    assert "1990123456789" not in page  # an auditor sees the national ID masked
    assert "•••••••••6789" in page
    login(client, "officer")
    officer_client = client
    assert "1990123456789" in officer_client.get(f"/entitlements/{paid.id}").get_data(as_text=True)
    held = entitlement_of(session, run, "W-4")
    page = client.get(f"/entitlements/{held.id}").get_data(as_text=True)
    assert "is not paid for this event: shares a national ID" in page
    assert client.get("/entitlements/999999").status_code == 404


def test_event_without_computation(
    client: FlaskClient, login: Callable[..., Any], session: Session, users: People
) -> None:
    event = create_event(
        session,
        factory=users.factories["GZP-2"],
        kind="closure",
        start=date(2024, 3, 1),
        actor=users.admin,
    )
    login(client, "admin")
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Not computed yet" in page
    assert client.get("/events/999999").status_code == 404


def test_brand_users_are_refused(
    client: FlaskClient,
    login: Callable[..., Any],
    session: Session,
    computed: tuple[Event, EntitlementRun],
    users: People,
    api_token: Callable[..., str],
) -> None:
    event, run = computed
    paid = entitlement_of(session, run, "W-0007")
    login(client, "nord")
    for path in ("/events/", f"/events/{event.id}", f"/entitlements/{paid.id}"):
        assert client.get(path).status_code == 403, path
    bearer = {"Authorization": f"Bearer {api_token(users.by_role[Role.BRAND])}"}
    for path in (f"/api/v1/events/{event.id}/entitlements", f"/api/v1/entitlements/{paid.id}"):
        assert client.get(path, headers=bearer).status_code == 403, path


def test_api_pages_and_one_entitlement(
    client: FlaskClient,
    session: Session,
    computed: tuple[Event, EntitlementRun],
    users: People,
    api_token: Callable[..., str],
) -> None:
    event, _run = computed
    bearer = {"Authorization": f"Bearer {api_token(users.by_role[Role.ACCOUNTANT])}"}
    response = client.get(f"/api/v1/events/{event.id}/entitlements?per_page=2", headers=bearer)
    assert response.status_code == 200
    body = response.json
    assert body is not None
    assert (body["total"], body["page"], body["per_page"]) == (4, 1, 2)
    assert body["run"]["total"] == "11055.00"
    assert body["run"]["policy"] == "bangladesh-labour-act-layoff v1"
    first = body["items"][0]
    assert (first["worker_id"], first["amount"], first["days_paid"]) == ("W-0007", "11055.00", 51)
    assert first["lines"][2] == {
        "rule": "suspension tier 2",
        "component": "basic",
        "monthly": "6700.00",
        "share": "0.25",
        "days": 6,
        "days_per_month": 30,
        "daily_rate": "55.833333…",  # 6,700 × 0.25 / 30
        "amount": "335.00",
    }
    second = client.get(f"/api/v1/events/{event.id}/entitlements?page=2&per_page=2", headers=bearer)
    assert [i["worker_id"] for i in second.json["items"]] == ["W-3", "W-4"]  # type: ignore[index]
    one = client.get(f"/api/v1/entitlements/{first['id']}", headers=bearer)
    assert one.status_code == 200
    assert one.json == first
    assert client.get("/api/v1/entitlements/999999", headers=bearer).status_code == 404


def test_api_event_not_computed(
    client: FlaskClient, session: Session, users: People, api_token: Callable[..., str]
) -> None:
    event = create_event(
        session,
        factory=users.factories["GZP-2"],
        kind="closure",
        start=date(2024, 3, 1),
        actor=None,
    )
    bearer = {"Authorization": f"Bearer {api_token(users.admin)}"}
    response = client.get(f"/api/v1/events/{event.id}/entitlements", headers=bearer)
    assert response.status_code == 404
    assert "no computed entitlements" in response.get_data(as_text=True)


def test_policy_text_is_kept_verbatim(session: Session, users: People) -> None:
    text = (POLICIES / "alliance-wage-replacement.toml").read_text(encoding="utf-8")
    assert register_policy(session, text=text, actor=users.admin).toml == text


def test_download_a_run(
    client: FlaskClient,
    login: Callable[..., Any],
    computed: tuple[Event, EntitlementRun],
) -> None:
    event, run = computed
    login(client, "accountant")
    response = client.get(f"/events/{event.id}/entitlements.csv?run={run.id}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert f"run{run.id}.csv" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    header, first = text.splitlines()[:2]
    assert header.startswith("worker_id,eligible,reason,days_paid,years_of_service,amount")
    assert "suspension tier 2: house_rent" in header
    # 11,055.00 and its lines, worked by hand in test_entitlement_rules
    assert first == "W-0007,yes,,51,,11055.00,5025.00,5025.00,335.00,670.00"
    assert "total,11055.00" in text
    workbook = client.get(f"/events/{event.id}/entitlements.xlsx")
    assert workbook.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.get_data()))["Entitlements"]
    assert sheet["A2"].value == "W-0007"
    assert sheet["F2"].value == 11055
    assert client.get(f"/events/{event.id}/entitlements.pdf").status_code == 404
    assert client.get(f"/events/{event.id}/entitlements.csv?run=999999").status_code == 404


def test_officer_resolves_a_shared_national_id(
    client: FlaskClient,
    login: Callable[..., Any],
    form_token: Callable[[FlaskClient, str], str],
    session: Session,
    computed: tuple[Event, EntitlementRun],
) -> None:
    event, run = computed
    held = entitlement_of(session, run, "W-3")
    page = f"/entitlements/{held.id}"
    login(client, "auditor")
    assert "Resolve the shared national ID" not in client.get(page).get_data(as_text=True)
    login(client, "officer")
    assert "Resolve the shared national ID" in client.get(page).get_data(as_text=True)
    done = client.post(
        f"{page}/resolve",
        data={"csrf_token": form_token(client, page), "note": "NID card seen; same person"},
        follow_redirects=True,
    )
    assert "W-3 is paid once" in done.get_data(as_text=True)
    again = client.post(
        f"{page}/resolve",
        data={"csrf_token": form_token(client, page), "note": "again"},
        follow_redirects=True,
    )
    assert "already resolved" in again.get_data(as_text=True)
    rerun = compute_for_event(
        session,
        event=event,
        policy_version=run.policy_version,
        through=None,
        actor=None,
        rows=[
            grade5(),
            grade5(row=4, worker_id="W-3", name="Nasima Khatun", national_id="2222222222"),
            grade5(row=5, worker_id="W-4", name="Jamal Hossain", national_id="2222222222"),
        ],
    )
    # W-0007 and now W-3: 2 × 11,055.00 (worked by hand in test_entitlement_rules)
    assert (rerun.eligible, rerun.total_minor) == (2, 2 * 1_105_500)
