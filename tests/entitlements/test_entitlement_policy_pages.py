"""The policies pages: staff read them, only an administrator adds a version."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from fund.entitlements.models import PolicyVersion

from .helpers import POLICIES

if TYPE_CHECKING:
    from tests.conftest import People

TEXT = (POLICIES / "bangladesh-labour-act-layoff.toml").read_text(encoding="utf-8")


def test_admin_adds_a_version(
    client: FlaskClient,
    login: Callable[..., Any],
    form_token: Callable[[FlaskClient, str], str],
    session: Session,
    users: People,
) -> None:
    login(client, "admin")
    token = form_token(client, "/entitlements/policies")
    bad = client.post(
        "/entitlements/policies",
        data={"csrf_token": token, "toml": TEXT.replace('"0.50"', "0.5")},
    )
    assert bad.status_code == 200
    assert "suspension.tiers[1].pay.basic" in bad.get_data(as_text=True)
    assert session.scalars(select(PolicyVersion)).all() == []
    stored = client.post(
        "/entitlements/policies", data={"csrf_token": token, "toml": TEXT}, follow_redirects=True
    )
    page = stored.get_data(as_text=True)
    assert "Stored bangladesh-labour-act-layoff v1." in page
    assert "min_service_days = 365" in page
    version = session.scalars(select(PolicyVersion)).one()
    assert version.created_by is not None
    assert version.created_by.username == "admin"


def test_others_read_only(
    client: FlaskClient,
    login: Callable[..., Any],
    form_token: Callable[[FlaskClient, str], str],
    session: Session,
    users: People,
) -> None:
    login(client, "officer")
    page = client.get("/entitlements/policies").get_data(as_text=True)
    assert "Add or change a policy" not in page
    token = form_token(client, "/events/")  # any page's token: the form is not offered
    client.post("/entitlements/policies", data={"csrf_token": token, "toml": TEXT})
    assert session.scalars(select(PolicyVersion)).all() == []
    login(client, "nord")
    assert client.get("/entitlements/policies").status_code == 403
    assert client.get("/entitlements/policies/1").status_code == 403
