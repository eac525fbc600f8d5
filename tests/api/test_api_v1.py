"""``/api/v1``: bearer tokens, one error shape, pages, and answers that match the OpenAPI file."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask, current_app
from flask.testing import FlaskClient
from sqlalchemy import select

from fund import create_app
from fund.api import openapi
from fund.auth.models import ApiToken
from fund.auth.roles import Role
from fund.db import utcnow
from tests.api.openapi_check import check_against_spec

if TYPE_CHECKING:
    from tests.conftest import People

API = "/api/v1"
# Real objects of the ``users`` fixture for path parameters; anything else gets a dummy.
KNOWN_PATH_VALUES = {"/brands/{code}": {"code": "NORD"}, "/factories/{code}": {"code": "DHK-1"}}


def test_the_openapi_document_is_public_and_describes_bearer_tokens(spec: dict[str, Any]) -> None:
    assert spec["openapi"].startswith("3.")
    assert spec["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}
    assert {"/me", "/brands", "/brands/{code}", "/factories", "/factories/{code}"} <= set(
        spec["paths"]
    )


def test_the_document_is_built_once_per_app_and_shared_with_the_argument_check(
    app: Flask,
    client: FlaskClient,
    headers: Callable[[Role], dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built: list[Flask] = []  # the app each build was for
    build = openapi.build_spec

    def counted() -> dict[str, Any]:
        built.append(current_app._get_current_object())  # type: ignore[attr-defined]
        return build()

    monkeypatch.setattr(openapi, "build_spec", counted)
    # the query-argument check reads the document first, then /openapi.json serves the same one
    unread = client.get(f"{API}/events?knd=closure", headers=headers(Role.OFFICER))
    assert unread.status_code == 422
    assert unread.json["errors"][0]["field"] == "knd"  # type: ignore[index]
    first, second = client.get(f"{API}/openapi.json"), client.get(f"{API}/openapi.json")
    assert first.status_code == second.status_code == 200
    assert first.json == second.json
    assert "/events" in first.json["paths"]  # type: ignore[index]
    assert built == [app]
    # another app builds its own, once
    other_app = create_app(
        {"DB_BIND": app.config["DB_BIND"], "SECRET_KEY": "test", "TESTING": True}
    )
    other = other_app.test_client()
    assert other.get(f"{API}/openapi.json").json == first.json
    assert other.get(f"{API}/events?knd=closure").status_code == 422
    assert other.get(f"{API}/openapi.json").json == first.json
    assert built == [app, other_app]


def test_every_api_route_is_documented(app: Flask, spec: dict[str, Any]) -> None:
    documented = {
        (path, method.upper())
        for path, operations in spec["paths"].items()
        for method in operations
    }
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API + "/") or rule.endpoint == "api.openapi":
            continue
        path = rule.rule[len(API) :]
        for name in rule.arguments:
            path = path.replace(f"<{name}>", f"{{{name}}}")
            for converter in ("int", "string", "path"):
                path = path.replace(f"<{converter}:{name}>", f"{{{name}}}")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            if (path, method) not in documented:
                missing.append(f"{method} {path}")
    assert missing == []


@pytest.mark.parametrize("role", [Role.ADMIN, Role.AUDITOR, Role.BRAND], ids=str)
def test_every_documented_get_answers_as_documented(
    client: FlaskClient,
    spec: dict[str, Any],
    headers: Callable[[Role], dict[str, str]],
    role: Role,
) -> None:
    for path, operations in spec["paths"].items():
        if "get" not in operations:
            continue
        values = KNOWN_PATH_VALUES.get(path, {})
        url = path
        for parameter in operations["get"].get("parameters", []):
            if parameter["in"] == "path":
                name = parameter["name"]
                is_int = parameter.get("schema", {}).get("type") == "integer"
                dummy = "999999" if is_int else "NO-SUCH-THING"
                url = url.replace(f"{{{name}}}", str(values.get(name, dummy)))
        response = client.get(API + url, headers=headers(role))
        check_against_spec(spec, path, "get", response.status_code, response.json)


def test_me_names_the_token_user_and_never_the_password(
    client: FlaskClient, headers: Callable[[Role], dict[str, str]], spec: dict[str, Any]
) -> None:
    response = client.get(f"{API}/me", headers=headers(Role.BRAND))
    assert response.status_code == 200
    assert response.json == {
        "username": "nord",
        "display_name": "nord",
        "role": "brand",
        "brand": "NORD",
    }
    check_against_spec(spec, "/me", "get", 200, response.json)


def test_factories_list_with_their_brands(
    client: FlaskClient, headers: Callable[[Role], dict[str, str]]
) -> None:
    body = client.get(f"{API}/factories", headers=headers(Role.OFFICER)).json
    assert body is not None
    assert {item["code"]: item["brands"] for item in body["items"]} == {
        "DHK-1": ["HAVEN", "NORD"],
        "GZP-2": ["HAVEN"],
    }
    one = client.get(f"{API}/factories/GZP-2", headers=headers(Role.OFFICER)).json
    assert one is not None
    assert one["name"] == "Meghna Sweaters"


def test_pages_split_the_list_and_report_the_total(
    client: FlaskClient, headers: Callable[[Role], dict[str, str]]
) -> None:
    def page(number: int) -> Any:
        response = client.get(f"{API}/brands?page={number}&per_page=1", headers=headers(Role.ADMIN))
        assert response.status_code == 200
        return response.json

    first, second, beyond = page(1), page(2), page(3)
    assert (first["page"], first["per_page"], first["total"]) == (1, 1, 2)
    assert [first["items"][0]["code"], second["items"][0]["code"]] == ["HAVEN", "NORD"]
    assert beyond["items"] == []
    assert beyond["total"] == 2


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=0", "page"),
        ("per_page=501", "per_page"),
        ("page=abc", "page"),
        ("per_page=0", "per_page"),
    ],
)
def test_bad_page_arguments_are_named(
    client: FlaskClient,
    headers: Callable[[Role], dict[str, str]],
    spec: dict[str, Any],
    query: str,
    field: str,
) -> None:
    response = client.get(f"{API}/brands?{query}", headers=headers(Role.ADMIN))
    assert response.status_code == 422
    check_against_spec(spec, "/brands", "get", 422, response.json)
    assert response.json is not None
    assert [error["field"] for error in response.json["errors"]] == [field]
    assert all(error["code"] and error["message"] for error in response.json["errors"])


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer ", "Bearer wf_not-a-real-token", "Basic YWRtaW46eA==", "wf_x"],
)
def test_missing_or_unknown_tokens_get_401_in_the_error_shape(
    client: FlaskClient, users: People, spec: dict[str, Any], authorization: str | None
) -> None:
    response = client.get(
        f"{API}/me", headers={"Authorization": authorization} if authorization is not None else {}
    )
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    check_against_spec(spec, "/me", "get", 401, response.json)
    assert response.json is not None
    error = response.json["errors"][0]
    assert set(error) == {"field", "code", "message"}
    assert error["code"] == "unauthorized"


def test_revoked_tokens_and_inactive_users_get_401(
    client: FlaskClient, users: People, api_token: Callable[..., str]
) -> None:
    secret = api_token(users.admin)
    assert client.get(f"{API}/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    token = users.session.scalars(select(ApiToken).where(ApiToken.user_id == users.admin.id)).one()
    token.revoked_at = utcnow()
    users.session.flush()
    assert client.get(f"{API}/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    other = api_token(users.by_role[Role.OFFICER])
    users.by_role[Role.OFFICER].active = False
    users.session.flush()
    assert client.get(f"{API}/me", headers={"Authorization": f"Bearer {other}"}).status_code == 401


def test_using_a_token_records_when_it_was_last_used(
    client: FlaskClient, users: People, api_token: Callable[..., str]
) -> None:
    secret = api_token(users.admin)
    client.get(f"{API}/me", headers={"Authorization": f"Bearer {secret}"})
    token = users.session.scalars(select(ApiToken).where(ApiToken.user_id == users.admin.id)).one()
    users.session.refresh(token)
    assert token.last_used_at is not None


def test_refusals_use_the_error_shape(
    client: FlaskClient, headers: Callable[[Role], dict[str, str]], spec: dict[str, Any]
) -> None:
    forbidden = client.get(f"{API}/factories", headers=headers(Role.BRAND))
    assert forbidden.status_code == 403
    check_against_spec(spec, "/factories", "get", 403, forbidden.json)
    hidden = client.get(f"{API}/brands/HAVEN", headers=headers(Role.BRAND))
    assert hidden.status_code == 404
    check_against_spec(spec, "/brands/{code}", "get", 404, hidden.json)
    missing = client.get(f"{API}/factories/NOPE", headers=headers(Role.ADMIN))
    assert missing.status_code == 404
    assert missing.json is not None
    assert missing.json["errors"][0]["message"] == "no factory 'NOPE'"
    unknown = client.get(f"{API}/no-such-endpoint", headers=headers(Role.ADMIN))
    assert unknown.status_code == 404
    assert unknown.json is not None
    assert unknown.json["errors"][0]["code"] == "not_found"
    wrong_method = client.delete(f"{API}/brands/NORD", headers=headers(Role.ADMIN))
    assert wrong_method.status_code == 405
    assert wrong_method.json is not None
    assert wrong_method.json["errors"][0]["code"] == "method_not_allowed"


def test_an_unexpected_error_is_a_plain_500_and_changes_nothing(
    connection: Any, users: People
) -> None:
    # A fresh app, so a failing route can be added before its first request.
    from fund import create_app
    from fund.audit.models import AuditEvent
    from fund.audit.services import record
    from fund.auth.access import public
    from fund.db import get_session

    app = create_app({"DB_BIND": connection, "SECRET_KEY": "t", "TESTING": True})

    @public
    def half_done() -> str:
        record(get_session(), actor=None, action="test.half", object_type="x", object_id=1)
        raise RuntimeError("secret internals")

    app.add_url_rule(f"{API}/boom", "api_boom", half_done)
    app.add_url_rule("/boom", "web_boom", half_done)
    client = app.test_client()
    api = client.get(f"{API}/boom")
    assert api.status_code == 500
    assert api.json == {
        "errors": [
            {"field": None, "code": "internal_error", "message": "the server could not do that"}
        ]
    }
    web = client.get("/boom")
    assert web.status_code == 500
    assert "secret internals" not in web.get_data(as_text=True)
    assert "Nothing was changed" in web.get_data(as_text=True)
    assert users.session.scalar(select(AuditEvent).where(AuditEvent.action == "test.half")) is None


def test_the_spec_check_itself_rejects_a_wrong_body(spec: dict[str, Any]) -> None:
    good = {"username": "a", "display_name": "A", "role": "admin", "brand": None}
    check_against_spec(spec, "/me", "get", 200, good)
    for bad in ({**good, "brand": 7}, {key: good[key] for key in ("username", "role")}):
        with pytest.raises(AssertionError):
            check_against_spec(spec, "/me", "get", 200, bad)
    with pytest.raises(AssertionError, match="not documented"):
        check_against_spec(spec, "/me", "get", 418, good)


def test_api_writes_skip_csrf_but_need_a_bearer_token(
    connection: Any,
    users: People,
    api_token: Callable[..., str],
    login: Callable[..., Any],
) -> None:
    # A write endpoint of the API blueprint ("api." endpoint), added to a fresh app.
    from fund import create_app
    from fund.auth.access import acting_user, allow
    from fund.auth.roles import EVERYONE

    app = create_app(
        {"DB_BIND": connection, "SECRET_KEY": "t", "TESTING": True, "SERVER_NAME": "localhost"}
    )

    @allow(EVERYONE)
    def echo() -> dict[str, str]:
        user = acting_user()
        assert user is not None
        return {"by": user.username}

    app.add_url_rule(f"{API}/test-echo", "api.test_echo", echo, methods=["POST"])
    client = app.test_client()
    assert client.post(f"{API}/test-echo").status_code == 401
    token = {"Authorization": f"Bearer {api_token(users.admin)}"}
    response = client.post(f"{API}/test-echo", json={}, headers=token)
    assert response.status_code == 200  # no CSRF token needed: nothing rides on cookies
    assert response.json == {"by": "admin"}
    # A browser session (which a forged cross-site request would carry) opens nothing.
    browser = app.test_client()
    browser.environ_base["HTTP_REFERER"] = "https://localhost/"
    login(browser, "admin")
    assert browser.post(f"{API}/test-echo").status_code == 401


def test_every_paged_list_names_a_bad_page_argument(
    client: FlaskClient, spec: dict[str, Any], headers: Callable[[Role], dict[str, str]]
) -> None:
    paged = [
        path
        for path, operations in spec["paths"].items()
        if "get" in operations
        and any(p["name"] == "page" for p in operations["get"].get("parameters", []))
        and "{" not in path
    ]
    assert {"/brands", "/factories"} <= set(paged)
    for path in paged:
        response = client.get(f"{API}{path}?page=0", headers=headers(Role.ADMIN))
        assert response.status_code == 422, path
        check_against_spec(spec, path, "get", 422, response.json)
