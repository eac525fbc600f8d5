"""Security headers: strict CSP, HSTS over HTTPS, no-store on everything but static files."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from flask.testing import FlaskClient

from fund import CONTENT_SECURITY_POLICY
from fund.auth.models import User

if TYPE_CHECKING:
    from tests.conftest import People

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_every_page_has_a_strict_policy_and_is_not_stored(client: FlaskClient) -> None:
    answer = client.get("/login")
    policy = answer.headers["Content-Security-Policy"]
    assert policy == CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert answer.headers["Cache-Control"] == "no-store"


def test_hsts_only_over_https(client: FlaskClient) -> None:
    plain = client.get("/login", base_url="http://localhost")
    assert "Strict-Transport-Security" not in plain.headers
    secure = client.get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_pages_and_downloads_with_personal_data_are_not_stored(
    client: FlaskClient,
    users: People,
    login: Callable[..., object],
    api_token: Callable[[User], str],
) -> None:
    login(client, "accountant")
    for path in ("/", "/ledger/", "/ledger/export/trial-balance.xlsx"):
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["Cache-Control"] == "no-store", path
    api = client.get("/api/v1/me", headers={"Authorization": f"Bearer {api_token(users.admin)}"})
    assert api.headers["Cache-Control"] == "no-store"


def test_static_files_may_be_cached(client: FlaskClient) -> None:
    answer = client.get("/static/app.css")
    assert answer.status_code == 200
    assert "no-store" not in answer.headers.get("Cache-Control", "")


def test_templates_hold_no_inline_script_style_or_handler() -> None:
    offenders: list[str] = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        for pattern in (
            r"<script(?![^>]*\bsrc=)[^>]*>",
            r"<style\b",
            r"\sstyle\s*=",
            r"\son[a-z]+\s*=",
            r"javascript:",
        ):
            offenders += [f"{template.name}: {m.group(0)}" for m in re.finditer(pattern, text)]
    assert offenders == []
