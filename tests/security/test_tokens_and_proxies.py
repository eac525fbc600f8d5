"""Plain API tokens expire; X-Forwarded-For is believed only behind configured proxies."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from fund import create_app
from fund.audit.models import AuditEvent
from fund.auth.models import ApiToken
from fund.auth.roles import Role
from fund.auth.services import DEFAULT_API_TOKEN_DAYS, issue_token
from fund.config import ConfigInvalid, load_config
from fund.db import make_engine, utcnow
from fund.migrate import upgrade
from tests.conftest import BrowserLikeClient

if TYPE_CHECKING:
    from tests.conftest import People

FormToken = Callable[[FlaskClient, str], str]


def test_a_plain_token_lives_ninety_days_and_then_answers_401(
    client: FlaskClient, users: People
) -> None:
    issued = issue_token(users.session, user=users.by_role[Role.AUDITOR], name="reports")
    assert issued.token.scope is None
    assert issued.token.expires_at is not None
    life = issued.token.expires_at - utcnow()
    assert (
        timedelta(days=DEFAULT_API_TOKEN_DAYS - 1) < life <= timedelta(days=DEFAULT_API_TOKEN_DAYS)
    )
    bearer = {"Authorization": f"Bearer {issued.secret}"}
    assert client.get("/api/v1/me", headers=bearer).status_code == 200
    issued.token.expires_at = utcnow() - timedelta(seconds=1)
    users.session.flush()
    expired = client.get("/api/v1/me", headers=bearer)
    assert expired.status_code == 401
    message = expired.get_json()["errors"][0]["message"]
    assert "expired" in message
    assert "ask for a new one" in message
    assert expired.headers["WWW-Authenticate"].startswith("Bearer")


def test_token_days_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FUND_API_TOKEN_DAYS", "30")
    monkeypatch.setenv("FUND_TRUSTED_PROXIES", "2")
    config = load_config(tmp_path, {"SECRET_KEY": "x"})
    assert config["API_TOKEN_DAYS"] == 30
    assert config["TRUSTED_PROXIES"] == 2
    monkeypatch.setenv("FUND_API_TOKEN_DAYS", "0")
    with pytest.raises(ConfigInvalid, match="FUND_API_TOKEN_DAYS"):
        load_config(tmp_path, {"SECRET_KEY": "x"})
    monkeypatch.delenv("FUND_API_TOKEN_DAYS")
    monkeypatch.setenv("FUND_TRUSTED_PROXIES", "one")
    with pytest.raises(ConfigInvalid, match="FUND_TRUSTED_PROXIES"):
        load_config(tmp_path, {"SECRET_KEY": "x"})


def test_the_migration_gives_old_tokens_ninety_days(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    upgrade(engine, "0010")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (id, username, display_name, password_hash, role, active,"
                " must_change_password, session_version, created_at) VALUES"
                " (1, 'old', 'Old', 'x', 'auditor', 1, 0, 1, '2025-01-01 00:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO api_tokens (user_id, name, token_hash, created_at)"
                " VALUES (1, 'old', 'abc', '2025-01-01 00:00:00')"
            )
        )
    upgrade(engine)
    with engine.connect() as conn:
        token = Session(bind=conn).scalars(select(ApiToken)).one()
        assert token.expires_at is not None
        expires = token.expires_at
        if expires.tzinfo is None:  # SQLite hands back naive UTC
            expires = expires.replace(tzinfo=UTC)
        life = expires - utcnow()
        assert timedelta(days=89) < life <= timedelta(days=90)
    engine.dispose()


@pytest.mark.parametrize(
    ("proxies", "forwarded", "seen"),
    [
        (0, "203.0.113.7", "127.0.0.1"),  # no proxy configured: the header is anyone's to forge
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # only the hop our proxy added
        (2, "198.51.100.1, 203.0.113.7", "198.51.100.1"),
    ],
)
def test_the_sign_in_limit_counts_the_forwarded_address_only_behind_configured_proxies(
    connection: Connection,
    users: People,
    form_token: FormToken,
    proxies: int,
    forwarded: str,
    seen: str,
) -> None:
    app: Flask = create_app(
        {
            "DB_BIND": connection,
            "SECRET_KEY": "test",
            "TESTING": True,
            "SERVER_NAME": "localhost",
            "TRUSTED_PROXIES": proxies,
        }
    )
    app.test_client_class = BrowserLikeClient
    client = app.test_client()
    client.post(
        "/login",
        data={
            "csrf_token": form_token(client, "/login"),
            "username": "nobody",
            "password": "a wrong guess",
        },
        headers={"X-Forwarded-For": forwarded},
    )
    failed = users.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "user.login_failed")
    ).all()
    assert failed
    assert failed[-1].after is not None
    assert failed[-1].after["address"] == seen
