"""A session ends on the server: sign-out, deactivation, idle and absolute lifetimes."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from fund.auth.roles import Role
from fund.auth.services import change_role, set_active

if TYPE_CHECKING:
    from tests.conftest import People

Login = Callable[..., Any]
FormToken = Callable[[FlaskClient, str], str]


def copy_of_cookie(source: FlaskClient, app: Flask) -> FlaskClient:
    """A second browser that replays the session cookie ``source`` holds now."""
    cookie = source.get_cookie("session", domain="localhost")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value, domain="localhost")
    return thief


def reads_the_ledger(client: FlaskClient) -> bool:
    return client.get("/ledger/").status_code == 200


def test_a_cookie_replayed_after_sign_out_is_refused(
    app: Flask, client: FlaskClient, users: People, login: Login, form_token: FormToken
) -> None:
    login(client, "accountant")
    thief = copy_of_cookie(client, app)
    assert reads_the_ledger(thief)  # the copy works while the session lives
    token = form_token(client, "/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    answer = thief.get("/ledger/")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/login")
    assert not reads_the_ledger(thief)


def test_deactivation_and_a_role_change_end_every_session_at_once(
    app: Flask, users: People, login: Login
) -> None:
    first, second = app.test_client(), app.test_client()
    login(first, "accountant")
    login(second, "officer")
    assert reads_the_ledger(first)
    assert second.get("/").status_code == 200
    set_active(users.session, user=users.by_role[Role.ACCOUNTANT], active=False, actor=users.admin)
    change_role(users.session, user=users.by_role[Role.OFFICER], role=Role.AUDITOR, actor=None)
    assert not reads_the_ledger(first)
    assert second.get("/").status_code == 302
    assert login(app.test_client(), "accountant").status_code == 200  # refused: inactive


@pytest.mark.parametrize(
    ("setting", "value", "wait"),
    [("SESSION_IDLE_MINUTES", 5, 5 * 60 + 1), ("SESSION_MAX_HOURS", 1, 3600 + 1)],
)
def test_a_session_ends_after_its_idle_or_absolute_lifetime(
    app: Flask,
    client: FlaskClient,
    users: People,
    login: Login,
    monkeypatch: pytest.MonkeyPatch,
    setting: str,
    value: int,
    wait: int,
) -> None:
    import fund.auth.lifetimes as lifetimes

    app.config[setting] = value
    now = [1_800_000_000.0]
    monkeypatch.setattr(lifetimes.time, "time", lambda: now[0])
    login(client, "accountant")
    # Busy in steps shorter than the idle limit: the idle clock restarts, the absolute one not.
    step = min(wait - 1, 4 * 60)
    elapsed = 0
    while elapsed + step < wait:
        now[0] += step
        elapsed += step
        assert reads_the_ledger(client), elapsed
    if setting == "SESSION_IDLE_MINUTES":
        now[0] += wait  # then away for longer than the idle limit
    else:
        now[0] += wait - elapsed
    answer = client.get("/ledger/")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/login")
    assert not reads_the_ledger(client)


def test_lifetimes_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from pathlib import Path

    from fund.config import ConfigInvalid, load_config

    monkeypatch.setenv("FUND_SESSION_IDLE_MINUTES", "10")
    monkeypatch.setenv("FUND_SESSION_MAX_HOURS", "2")
    config = load_config(Path("/tmp/issue19-instance"), {"SECRET_KEY": "x", "DB_BIND": object()})
    assert (config["SESSION_IDLE_MINUTES"], config["SESSION_MAX_HOURS"]) == (10, 2)
    monkeypatch.setenv("FUND_SESSION_IDLE_MINUTES", "0")
    with pytest.raises(ConfigInvalid, match="FUND_SESSION_IDLE_MINUTES"):
        load_config(Path("/tmp/issue19-instance"), {"SECRET_KEY": "x", "DB_BIND": object()})
