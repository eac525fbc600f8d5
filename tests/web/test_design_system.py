"""The design system: Bootstrap 5 served from the installed package, under the strict CSP."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask.testing import FlaskClient

from fund import CONTENT_SECURITY_POLICY

if TYPE_CHECKING:
    from tests.conftest import People


def test_bootstrap_is_served_from_the_package_not_a_cdn(
    client: FlaskClient, login: Callable[..., Any], users: People
) -> None:
    login(client, "officer")
    answer = client.get("/")
    page = answer.get_data(as_text=True)
    assert answer.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    assert stylesheets == ["/bootstrap/static/css/bootstrap.min.css", "/static/app.css"]
    assert all(src.startswith("/static/") for src in re.findall(r'<script src="([^"]+)"', page))
    css = client.get(stylesheets[0])
    assert css.status_code == 200
    assert css.mimetype == "text/css"
    assert b"Bootstrap  v5" in css.data[:200]
    assert "no-store" not in css.headers.get("Cache-Control", "")  # a static file: cacheable
    assert not re.search(r"\sstyle\s*=|<style\b", page)  # the CSP allows no inline style
    client.post("/logout")
    assert client.get(stylesheets[0]).status_code == 200  # the sign-in page needs it too
