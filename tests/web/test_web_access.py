"""Who may use what: every route declares its audience, and the app keeps to it.

These tests walk ``app.url_map``, so routes added later by any area are covered too: a route
without ``allow(...)``/``public`` fails the audit, and a brand user must get 403 on every route
whose declared roles leave brands out, whatever arguments it takes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import IntegerConverter, Rule

from fund import STATIC_ENDPOINTS
from fund.auth.roles import EVERYONE, Role

if TYPE_CHECKING:
    from tests.conftest import People

# Public on purpose; a new public route must be added here, after thinking about it.
PUBLIC_ENDPOINTS = {"auth.login", "dashboard.health", "api.openapi"}
# Real objects of the ``users`` fixture, so detail pages can answer 200 where allowed.
KNOWN_ARGUMENTS = {
    ("brands.detail", "code"): "NORD",
    ("api.brand", "code"): "NORD",
    ("factories.detail", "code"): "DHK-1",
    ("api.factory", "code"): "DHK-1",
}
# Read-only methods a role matrix may send without changing anything.
SAFE = "GET"


def routes(app: Flask) -> Iterator[Rule]:
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in STATIC_ENDPOINTS:  # files anyone may fetch (CSS, scripts)
            yield rule


def allowed_roles(app: Flask, rule: Rule) -> frozenset[Role]:
    roles: frozenset[Role] = getattr(app.view_functions[rule.endpoint], "allowed_roles")  # noqa: B009
    return roles


def url_for_rule(rule: Rule) -> str:
    """The rule's URL with real arguments where known, otherwise harmless dummies."""
    values: dict[str, Any] = {}
    for name in rule.arguments:
        known = KNOWN_ARGUMENTS.get((rule.endpoint, name))
        if known is not None:
            values[name] = known
        elif isinstance(rule._converters[name], IntegerConverter):
            values[name] = 999_999
        else:
            values[name] = "NO-SUCH-THING"
    built = rule.build(values, append_unknown=False)
    assert built is not None
    return built[1]


def is_api(rule: Rule) -> bool:
    return rule.rule.startswith("/api/")


def test_every_route_declares_who_may_use_it(app: Flask) -> None:
    undeclared = []
    for rule in routes(app):
        view = app.view_functions[rule.endpoint]
        roles = getattr(view, "allowed_roles", None)
        if roles is None:
            undeclared.append(f"{rule.endpoint} ({rule.rule})")
        elif not roles and not getattr(view, "is_public", False):
            undeclared.append(f"{rule.endpoint} ({rule.rule}) allows nobody")
    assert undeclared == [], "routes without @allow(...) or @public"


def test_only_the_known_routes_are_public(app: Flask) -> None:
    public = {
        rule.endpoint
        for rule in routes(app)
        if getattr(app.view_functions[rule.endpoint], "is_public", False)
    }
    assert public == PUBLIC_ENDPOINTS


def test_the_route_audit_notices_an_undeclared_view(app: Flask) -> None:
    # The audit itself must bite: a view registered without allow() has no declaration.
    app.add_url_rule("/sneaky", "sneaky", lambda: "hello")
    rule = next(rule for rule in routes(app) if rule.endpoint == "sneaky")
    assert getattr(app.view_functions[rule.endpoint], "allowed_roles", None) is None


@pytest.fixture
def signed_in(
    app: Flask, users: People, login: Callable[..., Any]
) -> Callable[[Role], FlaskClient]:
    """A client signed in as the fixture user of ``role`` (NORD's user for brand)."""
    clients: dict[Role, FlaskClient] = {}

    def client_for(role: Role) -> FlaskClient:
        if role not in clients:
            client = app.test_client()
            response = login(client, users.by_role[role].username)
            assert response.status_code == 302, response.get_data(as_text=True)
            clients[role] = client
        return clients[role]

    return client_for


@pytest.fixture
def bearer(users: People, api_token: Callable[..., str]) -> Callable[[Role], dict[str, str]]:
    tokens: dict[Role, dict[str, str]] = {}

    def headers_for(role: Role) -> dict[str, str]:
        if role not in tokens:
            tokens[role] = {"Authorization": f"Bearer {api_token(users.by_role[role])}"}
        return tokens[role]

    return headers_for


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_each_role_gets_what_each_page_declares(
    app: Flask,
    role: Role,
    signed_in: Callable[[Role], FlaskClient],
    bearer: Callable[[Role], dict[str, str]],
) -> None:
    wrong = []
    for rule in routes(app):
        if SAFE not in (rule.methods or ()) or not allowed_roles(app, rule):
            continue
        url = url_for_rule(rule)
        if is_api(rule):
            response = app.test_client().get(url, headers=bearer(role))
        else:
            response = signed_in(role).get(url)
        allowed = role in allowed_roles(app, rule)
        if allowed:
            # Dummy arguments may find nothing (404), but never a refusal or a crash.
            ok = response.status_code not in (401, 403) and response.status_code < 500
            if response.status_code == 302:
                ok = "/login" not in response.headers["Location"]
        else:
            ok = response.status_code == 403
        if not ok:
            wrong.append(f"{url}: {response.status_code} (allowed={allowed})")
    assert wrong == []


def test_known_pages_answer_200_to_allowed_roles(
    signed_in: Callable[[Role], FlaskClient],
) -> None:
    staff_pages = ["/brands/", "/brands/NORD", "/factories/", "/factories/DHK-1"]
    for role in (Role.OFFICER, Role.APPROVER, Role.ACCOUNTANT, Role.AUDITOR, Role.ADMIN):
        for page in [*staff_pages, "/", "/account/password"]:
            assert signed_in(role).get(page).status_code == 200, (role, page)
    for role in (Role.ADMIN, Role.AUDITOR):
        assert signed_in(role).get("/audit/").status_code == 200
    assert signed_in(Role.ADMIN).get("/users").status_code == 200
    assert signed_in(Role.BRAND).get("/brands/NORD").status_code == 200


def test_strangers_are_sent_to_sign_in_or_told_401(app: Flask, users: People) -> None:
    client = app.test_client()
    for rule in routes(app):
        if not allowed_roles(app, rule):
            continue
        url = url_for_rule(rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            if is_api(rule):
                assert response.status_code == 401, (method, url)
                assert response.json is not None
                assert response.json["errors"][0]["code"] == "unauthorized"
            elif method == "GET":
                assert response.status_code == 302, (method, url)
                assert response.headers["Location"].startswith("/login?next=")
            else:
                # Without a session there is no CSRF token either: refused before the view.
                assert response.status_code in (302, 400), (method, url)


def test_brand_user_gets_403_on_every_route_closed_to_brands(
    app: Flask,
    signed_in: Callable[[Role], FlaskClient],
    bearer: Callable[[Role], dict[str, str]],
    form_token: Callable[[FlaskClient, str], str],
) -> None:
    web = signed_in(Role.BRAND)
    token = form_token(web, "/account/password")
    checked = []
    for rule in routes(app):
        roles = allowed_roles(app, rule)
        if not roles or Role.BRAND in roles:
            continue
        url = url_for_rule(rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if is_api(rule):
                response = app.test_client().open(url, method=method, headers=bearer(Role.BRAND))
            else:
                # A valid CSRF token, so that the refusal comes from the role check itself.
                response = web.open(url, method=method, data={"csrf_token": token})
            assert response.status_code == 403, (method, url, response.status_code)
            checked.append(url)
    # The foundation alone has factories, users and the audit log closed to brands.
    assert {"/factories/", "/users", "/audit/", "/api/v1/factories"} <= set(checked)


def test_brand_user_cannot_see_another_brand(
    signed_in: Callable[[Role], FlaskClient],
    bearer: Callable[[Role], dict[str, str]],
    app: Flask,
) -> None:
    nord = signed_in(Role.BRAND)
    assert nord.get("/brands/HAVEN").status_code == 404
    # The same answer as for a brand that does not exist: membership does not leak.
    assert nord.get("/brands/NOBODY").status_code == 404
    assert nord.get("/brands/").status_code == 403
    api = app.test_client()
    assert api.get("/api/v1/brands/HAVEN", headers=bearer(Role.BRAND)).status_code == 404
    listing = api.get("/api/v1/brands", headers=bearer(Role.BRAND)).json
    assert listing is not None
    assert [brand["code"] for brand in listing["items"]] == ["NORD"]
    assert listing["total"] == 1


def test_brand_user_lands_on_its_own_statement(signed_in: Callable[[Role], FlaskClient]) -> None:
    response = signed_in(Role.BRAND).get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/brands/NORD"
    page = signed_in(Role.BRAND).get("/brands/NORD").get_data(as_text=True)
    assert "Nordvik Apparel" in page
    assert "Haven" not in page
    # The navigation offers nothing a brand may not open.
    assert "/factories/" not in page
    assert "/audit/" not in page


def test_everyone_is_every_role() -> None:
    assert frozenset(Role) == EVERYONE
