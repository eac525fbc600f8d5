"""Passkeys over HTTP: the JSON endpoints the page script calls, their guards and refusals."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from fund.auth.models import WebAuthnChallenge
from fund.auth.roles import Role
from fund.auth.second_factor import confirm_enrolment, start_enrolment
from tests.auth.soft_authenticator import SoftPasskey

if TYPE_CHECKING:
    from tests.conftest import People

Login = Callable[..., Any]
FormToken = Callable[[FlaskClient, str], str]


@pytest.fixture
def strict(app: Flask) -> Flask:
    """The app with the second factor required, as in production."""
    app.config["REQUIRE_SECOND_FACTOR"] = True
    return app


def test_add_a_passkey_then_sign_in_with_it_once_per_challenge(
    strict: Flask, client: FlaskClient, users: People, login: Login, form_token: FormToken
) -> None:
    approver = users.by_role[Role.APPROVER]
    start_enrolment(users.session, user=approver)
    assert approver.totp_secret is not None
    totp = pyotp.TOTP(approver.totp_secret)
    confirm_enrolment(users.session, user=approver, code=totp.at(time.time() - 30))
    key = SoftPasskey(rp_id="localhost", origin="https://localhost")

    login(client, "approver")
    # Nothing about adding passkeys opens before the second factor of this sign-in ...
    early = {"X-CSRFToken": form_token(client, "/account/second-factor")}
    assert client.post("/account/passkeys/options", json={}, headers=early).status_code == 302
    client.post(
        "/account/second-factor",
        data={"csrf_token": form_token(client, "/account/second-factor"), "code": totp.now()},
    )
    # ... and every call needs the page's CSRF token, in a header.
    assert client.post("/account/passkeys/options", json={}).status_code == 400
    headers = {"X-CSRFToken": form_token(client, "/account/passkeys")}
    options = client.post("/account/passkeys/options", json={}, headers=headers)
    assert options.status_code == 200
    added = client.post(
        "/account/passkeys",
        json={"credential": key.create(options.get_data(as_text=True)), "name": "phone"},
        headers=headers,
    )
    assert added.get_json() == {"redirect": "/account/passkeys"}
    assert "phone" in client.get("/account/passkeys").get_data(as_text=True)

    # Signed in again: the passkey stands in for the code, and sends the user on.
    headers = {"X-CSRFToken": form_token(client, "/account/passkeys")}
    client.post("/logout", data={"csrf_token": headers["X-CSRFToken"]})
    login(client, "approver")
    page = client.get("/account/second-factor?next=/batches/").get_data(as_text=True)
    assert "Use a passkey" in page
    headers = {"X-CSRFToken": form_token(client, "/account/second-factor")}
    options = client.post("/account/second-factor/passkey/options", json={}, headers=headers)
    answer = key.get(options.get_data(as_text=True))
    signed = client.post(
        "/account/second-factor/passkey",
        json={"credential": answer, "next": "/batches/"},
        headers=headers,
    )
    assert signed.get_json() == {"redirect": "/batches/"}
    assert client.get("/batches/").status_code == 200

    # The same answer again: refused, and the challenge stays used although the answer is 400.
    again = client.post(
        "/account/second-factor/passkey", json={"credential": answer}, headers=headers
    )
    assert again.status_code == 400
    assert "used up" in again.get_json()["error"]
    used = users.session.scalars(
        select(WebAuthnChallenge).where(WebAuthnChallenge.purpose == "authenticate")
    ).all()
    assert [challenge.used_at is not None for challenge in used] == [True]


def test_a_user_without_a_passkey_is_not_offered_one(
    strict: Flask, client: FlaskClient, users: People, login: Login, form_token: FormToken
) -> None:
    accountant = users.by_role[Role.ACCOUNTANT]
    start_enrolment(users.session, user=accountant)
    assert accountant.totp_secret is not None
    confirm_enrolment(users.session, user=accountant, code=pyotp.TOTP(accountant.totp_secret).now())
    login(client, "accountant")
    assert "Use a passkey" not in client.get("/account/second-factor").get_data(as_text=True)
    headers = {"X-CSRFToken": form_token(client, "/account/second-factor")}
    refused = client.post("/account/second-factor/passkey/options", json={}, headers=headers)
    assert refused.status_code == 400
    assert refused.get_json() == {"error": "this account has no passkey"}
