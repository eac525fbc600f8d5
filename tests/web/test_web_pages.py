"""Pages every role meets first, error pages, the health check and response headers."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask.testing import FlaskClient
from sqlalchemy import select

from fund.audit.models import AuditEvent

if TYPE_CHECKING:
    from tests.conftest import People


def test_health_answers_without_signing_in(client: FlaskClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_the_dashboard_counts_and_shows_recent_changes_to_staff(
    client: FlaskClient, users: People, login: Callable[..., Any]
) -> None:
    login(client, "accountant")
    html = client.get("/").get_data(as_text=True)
    assert "<strong>2</strong> factories" in html
    assert "<strong>2</strong> member brands" in html
    newest = users.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert newest is not None
    assert newest.action == "user.login"
    assert "Recent changes" in html
    assert "Signed in" in html  # in plain words, not the stored code
    assert "user.login" not in html


def test_pages_show_what_they_are_about(
    client: FlaskClient, users: People, login: Callable[..., Any]
) -> None:
    login(client, "officer")
    factories = client.get("/factories/").get_data(as_text=True)
    assert "Rupali Knit" in factories
    assert "Meghna Sweaters" in factories
    brands = client.get("/brands/").get_data(as_text=True)
    assert "Nordvik Apparel" in brands
    assert "Haven &amp; Loom" in brands


def test_error_pages_are_pages_not_tracebacks(
    client: FlaskClient, users: People, login: Callable[..., Any]
) -> None:
    login(client, "nord")
    forbidden = client.get("/factories/")
    assert forbidden.status_code == 403
    assert forbidden.mimetype == "text/html"
    assert "403 · Forbidden" in forbidden.get_data(as_text=True)
    missing = client.get("/no/such/page")
    assert missing.status_code == 404
    assert "404 · Not Found" in missing.get_data(as_text=True)


def test_responses_forbid_framing_and_sniffing(client: FlaskClient) -> None:
    for path in ("/login", "/health", "/api/v1/openapi.json", "/no/such/page"):
        headers = client.get(path).headers
        assert headers["X-Frame-Options"] == "DENY", path
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["Referrer-Policy"] == "same-origin", path


def test_the_dashboard_draws_the_funds_cash_for_staff(
    client: FlaskClient, users: People, login: Callable[..., Any]
) -> None:
    from datetime import date

    from ledger import Entry, Posting, account, post

    session = users.session
    post(
        session,
        Entry(
            date(2026, 1, 15),
            "opening",
            "dash-1",
            (
                Posting(account(session, "1010"), 1_250_000),
                Posting(account(session, "3000", currency="BDT"), -1_250_000),
            ),
        ),
    )
    session.flush()
    login(client, "auditor")
    html = client.get("/").get_data(as_text=True)
    assert "<svg" in html
    assert "Cash held against what the fund will need (BDT)" in html
    assert "12,500.00 BDT" in html  # the cash held, from the ledger
