"""Sign-in, sign-out, password change and the user list through the real pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from fund.audit.models import AuditEvent
from fund.auth.models import User
from fund.auth.roles import Role
from fund.auth.services import authenticate
from fund.config import load_config

if TYPE_CHECKING:
    from tests.conftest import People

Login = Callable[..., Any]
FormToken = Callable[[FlaskClient, str], str]


def signed_in(client: FlaskClient) -> bool:
    response = client.get("/account/password")
    return response.status_code == 200


def session_cookie_header(response: Any) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, "no session cookie was set"
    return str(cookies[-1])


def test_login_page_renders_a_csrf_protected_form(client: FlaskClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="csrf_token"' in html
    assert 'name="password"' in html


def test_signing_in_leads_home_and_sets_a_safe_cookie(
    client: FlaskClient, users: People, login: Login
) -> None:
    response = login(client, "officer")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    cookie = session_cookie_header(response).lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "secure" in cookie
    assert "Welcome, officer" in client.get("/").get_data(as_text=True)


def test_cookies_are_secure_except_on_the_development_server(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FUND_ENV", raising=False)
    production = load_config(tmp_path, {"SECRET_KEY": "k"})
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["REMEMBER_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    assert production["SESSION_COOKIE_SAMESITE"] == "Lax"
    monkeypatch.setenv("FUND_ENV", "development")
    assert load_config(tmp_path, {"SECRET_KEY": "k"})["SESSION_COOKIE_SECURE"] is False


def test_the_secret_key_is_kept_private_in_the_instance_folder(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load_config(tmp_path / "instance", None)["SECRET_KEY"]
    assert len(first) >= 32
    assert load_config(tmp_path / "instance", None)["SECRET_KEY"] == first
    assert (tmp_path / "instance" / "secret_key").stat().st_mode & 0o077 == 0


def test_a_failed_sign_in_does_not_say_whether_the_user_exists(
    client: FlaskClient, users: People, login: Login
) -> None:
    wrong_password = login(client, "officer", "not the password at all")
    unknown_user = login(client, "nobody-here", "not the password at all")
    # 200 (the form again), so that the failed attempt itself is committed to the audit log.
    assert wrong_password.status_code == unknown_user.status_code == 200

    def message(response: Any) -> str:
        html = response.get_data(as_text=True)
        return html[html.index('class="flash') : html.index("</p>", html.index('class="flash'))]

    assert message(wrong_password) == message(unknown_user)
    assert "do not match" in message(wrong_password)
    assert not signed_in(client)


def test_an_inactive_user_cannot_sign_in(client: FlaskClient, users: People, login: Login) -> None:
    users.by_role[Role.OFFICER].active = False
    users.session.flush()
    response = login(client, "officer")
    assert response.status_code == 200
    assert "do not match" in response.get_data(as_text=True)
    assert not signed_in(client)


def test_signing_in_starts_a_fresh_session(
    client: FlaskClient, users: People, login: Login
) -> None:
    # Whatever a visitor (or an attacker who planted the cookie) put there does not survive.
    with client.session_transaction() as planted:
        planted["planted"] = "by an attacker"
        planted["_user_id"] = f"{users.admin.id}:1"  # forged, but not signed as a sign-in
    assert login(client, "officer").status_code == 302
    with client.session_transaction() as fresh:
        assert "planted" not in fresh
        assert fresh["_user_id"] == users.by_role[Role.OFFICER].get_id()


def test_next_goes_only_to_pages_of_this_site(
    client: FlaskClient, users: People, form_token: FormToken
) -> None:
    def sign_in(next_url: str) -> str:
        token = form_token(client, "/login")
        response = client.post(
            f"/login?next={next_url}",
            data={"csrf_token": token, "username": "officer", "password": users.password},
        )
        assert response.status_code == 302
        location: str = response.headers["Location"]
        client.post("/logout", data={"csrf_token": form_token(client, "/account/password")})
        return location

    assert sign_in("/factories/") == "/factories/"
    assert sign_in("//evil.example/") == "/"
    assert sign_in("https://evil.example/") == "/"
    assert sign_in("/\\evil.example") == "/"


def test_signing_out_ends_the_session(
    client: FlaskClient, users: People, login: Login, form_token: FormToken
) -> None:
    login(client, "officer")
    assert client.get("/logout").status_code == 405  # a link cannot sign anyone out
    response = client.post("/logout", data={"csrf_token": form_token(client, "/")})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert client.get("/").status_code == 302
    assert not signed_in(client)


def test_changing_the_password_signs_out_every_other_session(
    app: Flask, users: People, login: Login, form_token: FormToken
) -> None:
    here, elsewhere = app.test_client(), app.test_client()
    login(here, "officer")
    login(elsewhere, "officer")
    response = here.post(
        "/account/password",
        data={
            "csrf_token": form_token(here, "/account/password"),
            "current": users.password,
            "new": "a different long password",
            "confirm": "a different long password",
        },
    )
    assert response.status_code == 302
    assert signed_in(here)
    assert not signed_in(elsewhere)
    officer = users.session.scalar(select(User).where(User.username == "officer"))
    assert officer is not None
    users.session.refresh(officer)
    assert officer.session_version == 2
    assert authenticate(users.session, username="officer", password="a different long password")


def test_a_wrong_current_password_changes_nothing(
    client: FlaskClient, users: People, login: Login, form_token: FormToken
) -> None:
    login(client, "officer")
    response = client.post(
        "/account/password",
        data={
            "csrf_token": form_token(client, "/account/password"),
            "current": "not my password",
            "new": "a different long password",
            "confirm": "a different long password",
        },
    )
    assert response.status_code == 200
    assert "current password is not right" in response.get_data(as_text=True)
    assert signed_in(client)
    assert authenticate(users.session, username="officer", password=users.password)


def test_a_one_time_password_must_be_changed_before_anything_else(
    client: FlaskClient, users: People, login: Login, form_token: FormToken
) -> None:
    users.make("newcomer", Role.OFFICER, must_change_password=True)
    response = login(client, "newcomer")
    assert response.headers["Location"] == "/account/password"
    for page in ("/", "/factories/", "/brands/"):
        refused = client.get(page)
        assert refused.status_code == 302, page
        assert refused.headers["Location"] == "/account/password"
    client.post(
        "/account/password",
        data={
            "csrf_token": form_token(client, "/account/password"),
            "current": users.password,
            "new": "my very own password",
            "confirm": "my very own password",
        },
    )
    assert client.get("/factories/").status_code == 200


@pytest.mark.parametrize(
    ("path", "who"),
    [
        ("/login", None),
        ("/logout", "officer"),
        ("/account/password", "officer"),
        ("/users", "admin"),
    ],
)
def test_forms_without_a_csrf_token_are_refused(
    client: FlaskClient, users: People, login: Login, path: str, who: str | None
) -> None:
    if who:
        login(client, who)
    data = {"username": "officer", "password": users.password, "role": "officer"}
    response = client.post(path, data=data)
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    if who is None:
        assert not signed_in(client)
    else:
        assert signed_in(client)


def test_a_forged_token_or_a_foreign_referrer_is_refused(
    client: FlaskClient, users: People, form_token: FormToken
) -> None:
    token = form_token(client, "/login")
    data = {"username": "officer", "password": users.password}
    assert client.post("/login", data={**data, "csrf_token": token + "x"}).status_code == 400
    foreign = client.post(
        "/login",
        data={**data, "csrf_token": token},
        headers={"Referer": "https://evil.example/login"},
    )
    assert foreign.status_code == 400
    assert not signed_in(client)


def test_an_admin_adds_a_user_who_then_signs_in_with_the_one_time_password(
    app: Flask, client: FlaskClient, users: People, login: Login, form_token: FormToken
) -> None:
    login(client, "admin")
    response = client.post(
        "/users",
        data={
            "csrf_token": form_token(client, "/users"),
            "username": "shirin",
            "display_name": "Shirin Akter",
            "role": "brand",
            "brand_code": "HAVEN",
        },
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    start = html.index("<code>") + len("<code>")
    one_time = html[start : html.index("</code>", start)]
    created = users.session.scalar(select(User).where(User.username == "shirin"))
    assert created is not None
    assert created.brand is not None
    assert created.brand.code == "HAVEN"
    assert created.must_change_password
    event = users.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "user.create", AuditEvent.actor_name == "admin"
        )
    )
    assert event is not None
    assert event.object_id == str(created.id)
    newcomer = app.test_client()
    assert login(newcomer, "shirin", one_time).headers["Location"] == "/account/password"


def test_the_user_form_explains_a_refusal_and_stores_nothing(
    client: FlaskClient, users: People, login: Login, form_token: FormToken
) -> None:
    login(client, "admin")
    count = len(users.session.scalars(select(User)).all())
    for data, reason in [
        ({"username": "officer", "role": "officer"}, "is taken"),
        ({"username": "b", "role": "brand"}, "needs"),
        ({"username": "c", "role": "officer", "brand_code": "NORD"}, "only brand users"),
    ]:
        response = client.post("/users", data={**data, "csrf_token": form_token(client, "/users")})
        assert reason in response.get_data(as_text=True)
    assert len(users.session.scalars(select(User)).all()) == count


def test_a_session_cookie_does_not_open_the_api(
    client: FlaskClient, users: People, login: Login
) -> None:
    # The API skips CSRF checks, so it must not accept the browser's session instead of a token.
    login(client, "admin")
    response = client.get("/api/v1/me")
    assert response.status_code == 401


def test_sign_in_is_recorded_in_the_audit_log(
    client: FlaskClient, users: People, login: Login
) -> None:
    login(client, "auditor")
    event = users.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "user.login").order_by(AuditEvent.id.desc())
    ).first()
    assert event is not None
    assert event.actor_name == "auditor"


def test_the_sign_in_page_locks_after_repeated_failures(
    client: FlaskClient, users: People, login: Login
) -> None:
    from fund.auth.services import MAX_FAILED_SIGN_INS

    for _ in range(MAX_FAILED_SIGN_INS):
        login(client, "approver", "a wrong guess")
    response = login(client, "approver")
    assert response.status_code == 200
    assert "do not match an active account" in response.get_data(as_text=True)
    assert not signed_in(client)
