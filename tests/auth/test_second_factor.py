"""The second factor: enrolment, sign-in, step-up for money and roles, API step-up tokens."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from fund.auth.access import STEP_UP
from fund.auth.errors import SecondFactorRefused
from fund.auth.models import ApiToken, User
from fund.auth.roles import Role
from fund.auth.second_factor import (
    MAX_FAILED_CODES,
    confirm_enrolment,
    start_enrolment,
    verify,
)
from fund.config import load_config
from fund.db import utcnow

if TYPE_CHECKING:
    from tests.conftest import People

Login = Callable[..., Any]
FormToken = Callable[[FlaskClient, str], str]


@pytest.fixture
def strict(app: Flask) -> Flask:
    """The app with the second factor required, as in production."""
    app.config["REQUIRE_SECOND_FACTOR"] = True
    return app


def code_at(secret: str, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows now (or ``steps_ahead`` 30-second steps later)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


def enrol(client: FlaskClient, users: People, username: str, form_token: FormToken) -> str:
    """Enrol ``username`` through the page; returns the shared secret."""
    page = client.get("/account/second-factor")
    html = page.get_data(as_text=True)
    assert "<svg" in html  # the QR code, inline
    match = re.search(r'id="totp-secret">([A-Z2-7]+)<', html)
    assert match is not None
    secret = match.group(1)
    answer = client.post(
        "/account/second-factor",
        data={"csrf_token": form_token(client, "/account/second-factor"), "code": code_at(secret)},
    )
    assert answer.status_code == 200
    assert answer.get_data(as_text=True).count("<li><code>") == 10  # recovery codes, once
    return secret


def test_a_money_role_must_enrol_before_anything_else(
    strict: Flask, client: FlaskClient, users: People, login: Login, form_token: FormToken
) -> None:
    answer = login(client, "approver")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/account/second-factor")
    assert client.get("/").headers["Location"].startswith("/account/second-factor")
    wrong = client.post(
        "/account/second-factor",
        data={"csrf_token": form_token(client, "/account/second-factor"), "code": "000000"},
    )
    assert "not right" in wrong.get_data(as_text=True)
    enrol(client, users, "approver", form_token)
    assert client.get("/").status_code == 200
    approver = users.by_role[Role.APPROVER]
    users.session.refresh(approver)
    assert approver.totp_confirmed_at is not None


def test_an_enrolled_user_gives_a_code_at_every_sign_in(
    strict: Flask, users: People, login: Login, form_token: FormToken
) -> None:
    first = strict.test_client()
    login(first, "accountant")
    secret = enrol(first, users, "accountant", form_token)
    second = strict.test_client()
    login(second, "accountant")
    assert second.get("/ledger/").status_code == 302
    page = second.get("/account/second-factor").get_data(as_text=True)
    assert "<svg" not in page  # no new QR code: the factor is in force
    answer = second.post(
        "/account/second-factor?next=/ledger/",
        data={
            "csrf_token": form_token(second, "/account/second-factor"),
            "code": code_at(secret, 1),
        },
    )
    assert answer.headers["Location"] == "/ledger/"
    assert second.get("/ledger/").status_code == 200


def test_a_role_without_money_signs_in_with_the_password_alone(
    strict: Flask, client: FlaskClient, users: People, login: Login
) -> None:
    login(client, "auditor")
    assert client.get("/ledger/").status_code == 200


def test_a_role_change_needs_a_recent_code(
    strict: Flask, client: FlaskClient, users: People, login: Login, form_token: FormToken
) -> None:
    login(client, "admin")
    secret = enrol(client, users, "admin", form_token)
    with client.session_transaction() as cookie:
        cookie["second_factor_at"] = int(time.time()) - 3600  # an hour ago: too old
    data = {
        "csrf_token": form_token(client, "/users"),
        "change-username": "auditor",
        "change-role": "officer",
    }
    answer = client.post("/users/role", data=data)
    assert answer.headers["Location"].startswith("/account/second-factor")
    users.session.refresh(users.by_role[Role.AUDITOR])
    assert users.by_role[Role.AUDITOR].role == "auditor"  # nothing changed
    client.post(
        "/account/second-factor",
        data={
            "csrf_token": form_token(client, "/account/second-factor"),
            "code": code_at(secret, 1),
        },
    )
    assert client.post("/users/role", data=data).status_code == 302
    users.session.refresh(users.by_role[Role.AUDITOR])
    assert users.by_role[Role.AUDITOR].role == "officer"


def test_every_route_that_approves_pays_or_grants_roles_asks_for_a_step_up(
    strict: Flask,
) -> None:
    guarded = {
        rule.rule
        for rule in strict.url_map.iter_rules()
        if getattr(strict.view_functions[rule.endpoint], STEP_UP, False)
    }
    money = {
        rule.rule
        for rule in strict.url_map.iter_rules()
        if "POST" in (rule.methods or set())
        and (
            rule.rule.endswith(("/approve", "/pay", "/reconcile", "/float"))
            or "/lines/<int:line_id>" in rule.rule
            or rule.rule in ("/users", "/users/role")
        )
    }
    assert money
    assert money <= guarded


def test_the_api_approves_and_pays_only_with_a_step_up_token(
    strict: Flask,
    client: FlaskClient,
    users: People,
    api_token: Callable[[User], str],
) -> None:
    approver = users.by_role[Role.APPROVER]
    start_enrolment(users.session, user=approver)
    assert approver.totp_secret is not None
    confirm_enrolment(users.session, user=approver, code=code_at(approver.totp_secret))
    plain = {"Authorization": f"Bearer {api_token(approver)}"}
    refused = client.post("/api/v1/batches/999/approve", json={}, headers=plain)
    assert refused.status_code == 403
    assert "step-up token" in refused.get_json()["errors"][0]["message"]
    wrong = client.post("/api/v1/tokens/step-up", json={"code": "123456"}, headers=plain)
    assert wrong.status_code == 403
    control = client.post("/api/v1/tokens/step-up", json={"code": "12\x0034"}, headers=plain)
    assert control.status_code == 422
    issued = client.post(
        "/api/v1/tokens/step-up", json={"code": code_at(approver.totp_secret, 1)}, headers=plain
    )
    assert issued.status_code == 201
    body = issued.get_json()
    assert body["scope"] == "money"
    scoped = {"Authorization": f"Bearer {body['token']}"}
    # Past the guard: the batch does not exist, so 404 (not 403).
    assert client.post("/api/v1/batches/999/approve", json={}, headers=scoped).status_code == 404
    token = users.session.scalar(select(ApiToken).where(ApiToken.scope == "money"))
    assert token is not None
    token.expires_at = utcnow() - timedelta(seconds=1)
    users.session.flush()
    assert client.post("/api/v1/batches/999/approve", json={}, headers=scoped).status_code == 401


def test_codes_open_once_recovery_codes_once_and_guessing_is_throttled(users: People) -> None:
    session = users.session
    accountant = users.by_role[Role.ACCOUNTANT]
    start_enrolment(session, user=accountant)
    assert accountant.totp_secret is not None
    secret = accountant.totp_secret
    recovery = confirm_enrolment(session, user=accountant, code=code_at(secret))
    with pytest.raises(SecondFactorRefused):
        verify(session, user=accountant, code=code_at(secret))  # the same code again: replay
    verify(session, user=accountant, code=recovery[0])
    with pytest.raises(SecondFactorRefused):
        verify(session, user=accountant, code=recovery[0])
    for _ in range(MAX_FAILED_CODES - 1):  # with the reused recovery code: the limit
        with pytest.raises(SecondFactorRefused, match="not right"):
            verify(session, user=accountant, code="000000")
    with pytest.raises(SecondFactorRefused, match="too many wrong codes"):
        verify(session, user=accountant, code=code_at(secret, 1))


def test_the_second_factor_is_on_by_default_in_production_only(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    base = {"SECRET_KEY": "x", "DB_BIND": object()}
    monkeypatch.setenv("FUND_ENV", "production")
    monkeypatch.delenv("FUND_REQUIRE_SECOND_FACTOR", raising=False)
    assert load_config(tmp_path, base)["REQUIRE_SECOND_FACTOR"] is True
    assert load_config(tmp_path, base | {"TESTING": True})["REQUIRE_SECOND_FACTOR"] is False
    monkeypatch.setenv("FUND_ENV", "development")
    assert load_config(tmp_path, base)["REQUIRE_SECOND_FACTOR"] is False
    monkeypatch.setenv("FUND_REQUIRE_SECOND_FACTOR", "on")
    assert load_config(tmp_path, base)["REQUIRE_SECOND_FACTOR"] is True
