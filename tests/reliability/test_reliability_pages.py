"""Absurd page numbers on every list: a 400 (web) or a documented 422 (API), never a 500.

The routes are found, not listed: every GET route of the URL map is asked with each absurd
``page`` and ``per_page`` (its ids filled in from a world with a roll, a computed event and a
batch), so a list added later is covered too. The API's paged lists are the operations whose
OpenAPI parameters name ``page``; they must refuse with 422, as documented.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.routing import Rule

from fund.arguments import MAX_PAGE
from fund.disbursements.making import create_batch
from fund.entitlements.models import Entitlement, EntitlementRun
from tests.disbursements.conftest import SECRET, World, world  # noqa: F401

API = "/api/v1"
ABSURD = [
    f"page={10**30}",
    f"page={2**63}",
    "page=-1",
    "page=0",
    "page=abc",
    "page=²",  # str.isdigit() says yes, int() says no
    "page=1e3",
    f"page={MAX_PAGE + 1}",
    f"per_page={10**30}",
    "per_page=-1",
    "per_page=abc",
]
#: Answers that show a page or file, or refuse with a reason; never a server error.
ANSWERS = {200, 302, 400, 404, 422}
#: Routes that cannot be reached by a GET with made-up arguments: the static files.
SKIPPED = {"static"}


def _signed_in(app: Flask, login: Callable[..., Any], username: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def _fill(rule: Rule, values: dict[str, Any]) -> str:
    """The rule's path with its arguments replaced by real values of the world."""
    url = rule.rule
    for name in rule.arguments:
        value = values.get(name, 999_999)  # an object the world lacks: its page answers 404
        if name == "code":  # a brand's code on brand routes, a factory's elsewhere
            value = "NORD" if "brand" in rule.endpoint else "DHK-1"
        if name == "file_format":
            value = {"events.download": "csv", "disbursements.payment_file": "mobile"}.get(
                rule.endpoint, "xlsx"
            )
        url = (
            url.replace(f"<int:{name}>", str(value))
            .replace(f"<path:{name}>", str(value))
            .replace(f"<{name}>", str(value))
        )
    return url


def _paged_api_paths(app: Flask) -> set[str]:
    """OpenAPI paths (``/rolls/{roll_id}``) whose GET takes a ``page`` parameter."""
    document = app.test_client().get(f"{API}/openapi.json").json
    assert document is not None
    return {
        path
        for path, operations in document["paths"].items()
        if any(p.get("name") == "page" for p in operations.get("get", {}).get("parameters", []))
    }


def _as_openapi(rule: Rule) -> str:
    path = rule.rule.removeprefix(API)
    for name in rule.arguments:
        path = path.replace(f"<int:{name}>", f"{{{name}}}").replace(f"<{name}>", f"{{{name}}}")
    return path


@pytest.fixture
def paged_world(world: World) -> dict[str, Any]:  # noqa: F811
    """Ids of a stored roll, its computed event and run, an entitlement and a draft batch."""
    session = world.session
    batch = create_batch(session, event=world.event, actor=world.officer, secret_key=SECRET)
    run = session.scalar(select(EntitlementRun).where(EntitlementRun.event_id == world.event.id))
    assert run is not None
    entitlement = session.scalar(select(Entitlement.id).where(Entitlement.run_id == run.id))
    return {
        "roll_id": world.event.roll_id,
        "event_id": world.event.id,
        "batch_id": batch.id,
        "entitlement_id": entitlement,
        "version_id": run.policy_version_id,
        "digest": "0" * 64,
        "kind": "journal",
        "code": "DHK-1",
        "file_format": "xlsx",
    }


@pytest.mark.slow
@pytest.mark.parametrize("argument", ABSURD)
def test_every_list_refuses_an_absurd_page_and_nothing_is_a_500(
    app: Flask,
    world: World,  # noqa: F811
    paged_world: dict[str, Any],
    login: Callable[..., Any],
    api_token: Callable[..., str],
    argument: str,
) -> None:
    web = _signed_in(app, login, "admin")
    api = app.test_client()
    token = {"Authorization": f"Bearer {api_token(world.people.admin)}"}
    paged = _paged_api_paths(app)
    assert len(paged) >= 5  # brands, factories, rolls, entitlements, batches, lines …
    refused_pages: set[str] = set()
    asked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()) or rule.endpoint in SKIPPED:
            continue
        url = f"{_fill(rule, paged_world)}?{argument}"
        is_api = rule.rule.startswith(API)
        response = api.get(url, headers=token) if is_api else web.get(url)
        asked += 1
        text = response.get_data().decode("utf-8", "replace")  # files are bytes
        assert response.status_code in ANSWERS, (url, response.status_code, text[:300])
        assert "Traceback" not in text
        if is_api and _as_openapi(rule) in paged:
            assert response.status_code == 422, (url, response.status_code)
            assert response.json is not None
            assert response.json["errors"][0]["field"] == argument.partition("=")[0]
        elif response.status_code == 400:
            refused_pages.add(rule.endpoint)
            assert argument.partition("=")[0] in text
    assert asked >= 40
    if argument.startswith("page="):
        # The web's paged lists (a roll's workers, an event's entitlements) say why.
        assert {"rolls.detail", "events.detail"} <= refused_pages


def test_the_last_page_that_can_be_asked_for_is_answered_empty(
    app: Flask,
    world: World,  # noqa: F811
    paged_world: dict[str, Any],
    login: Callable[..., Any],
    api_token: Callable[..., str],
) -> None:
    web = _signed_in(app, login, "admin")
    page = web.get(f"/rolls/{paged_world['roll_id']}?page={MAX_PAGE}")
    assert page.status_code == 200
    token = {"Authorization": f"Bearer {api_token(world.people.admin)}"}
    listed = app.test_client().get(
        f"{API}/rolls/{paged_world['roll_id']}?page={MAX_PAGE}&per_page=500", headers=token
    )
    assert listed.status_code == 200
    assert listed.json is not None
    assert listed.json["items"] == []
    assert listed.json["total"] == 4
