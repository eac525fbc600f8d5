"""The real app in a real browser: Debian's Chromium through Playwright, never a downloaded one.

The server runs in a thread against a SQLite file of its own with the demo data (not the
rolled-back test connection: the server must commit for the browser to see anything).
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from fund import create_app
from fund.db import make_engine
from fund.demo import DEMO_PASSWORD, load_demo
from fund.migrate import upgrade

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app served over HTTP on a free port, with the demo data committed."""
    from sqlalchemy.orm import Session

    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'fund.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        load_demo(session)
        session.commit()
    # As `make run` serves it: plain http on the loopback, so no Secure-only cookies.
    app = create_app(
        {
            "DB_BIND": engine,
            "SECRET_KEY": "browser-test",
            "SESSION_COOKIE_SECURE": False,
            "PREFERRED_URL_SCHEME": "http",
        }
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    engine.dispose()


@pytest.fixture(scope="module")
def system_chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium (make browser)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message + " — browser tests skipped locally")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def tab(system_chromium: Any, live_server: str) -> Iterator[Any]:
    """A fresh browser context (own cookies) with one tab."""
    context = system_chromium.new_context(base_url=live_server)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def sign_in(tab: Any, username: str, password: str = DEMO_PASSWORD) -> None:
    tab.goto("/login")
    tab.fill("input[name=username]", username)
    tab.fill("input[name=password]", password)
    tab.click("main button[type=submit]")
    tab.wait_for_load_state()


def nav_links(tab: Any) -> list[str]:
    return [text.strip() for text in tab.locator("nav a").all_inner_texts()]


def test_the_login_page_renders(tab: Any) -> None:
    tab.goto("/")
    assert tab.url.endswith("/login?next=%2F") or "/login" in tab.url
    assert tab.title() == "Sign in · Worker Fund"
    assert tab.locator("input[name=csrf_token]").count() == 1
    assert tab.locator("input[name=password]").get_attribute("type") == "password"


def test_a_wrong_password_shows_an_error(tab: Any) -> None:
    sign_in(tab, "admin", "not the demo password")
    assert "/login" in tab.url
    assert "do not match an active account" in tab.locator(".flash.error").inner_text()


def test_the_admin_sees_the_dashboard_and_every_menu(tab: Any) -> None:
    sign_in(tab, "admin")
    assert tab.url.endswith("/")
    assert "Welcome, Ayesha Rahman" in tab.locator("h1").inner_text()
    # Other areas add their own menus; these are the foundation's.
    assert {"Home", "Factories", "Brands", "Audit log", "Users"} <= set(nav_links(tab))
    tab.click("nav >> text=Factories")
    assert "Rupali Knit Composite Ltd" in tab.content()


def test_a_brand_user_sees_only_its_own_brand(tab: Any) -> None:
    sign_in(tab, "nordvik")
    assert tab.url.endswith("/brands/NORD")
    assert "Nordvik Apparel" in tab.content()
    assert "Our statement" in nav_links(tab)
    assert not {"Factories", "Brands", "Audit log", "Users", "Events"} & set(nav_links(tab))
    assert tab.goto("/brands/HAVEN").status == 404
    assert "Haven & Loom" not in tab.content()
    assert tab.goto("/factories/").status == 403
    assert tab.goto("/audit/").status == 403


def test_signing_out_works(tab: Any) -> None:
    sign_in(tab, "officer")
    tab.click("text=Sign out")
    tab.wait_for_load_state()
    assert "/login" in tab.url
    assert "You are signed out." in tab.content()
    tab.goto("/factories/")
    assert "/login" in tab.url


def test_csrf_protected_forms_work_in_the_browser(
    tab: Any, system_chromium: Any, live_server: str
) -> None:
    # The admin adds a user through the form; the newcomer signs in and chooses a password.
    username = f"new-{uuid.uuid4().hex[:6]}"
    sign_in(tab, "admin")
    tab.goto("/users")
    tab.fill("input[name=username]", username)
    tab.select_option("select[name=role]", "officer")
    tab.click("text=Add user")
    tab.wait_for_load_state()
    one_time = tab.locator(".flash.info code").inner_text().strip()
    assert len(one_time) >= 12

    newcomer = system_chromium.new_context(base_url=live_server)
    other = newcomer.new_page()
    sign_in(other, username, one_time)
    assert other.url.endswith("/account/password")
    other.fill("input[name=current]", one_time)
    other.fill("input[name=new]", "my own long password")
    other.fill("input[name=confirm]", "my own long password")
    other.click("main button[type=submit]")
    other.wait_for_load_state()
    assert other.url.endswith("/")
    assert "Your password is changed." in other.content()
    newcomer.close()


def test_a_form_posted_without_its_token_is_refused(tab: Any) -> None:
    sign_in(tab, "admin")
    tab.goto("/users")
    tab.evaluate("document.querySelector('main input[name=csrf_token]').remove()")
    tab.fill("input[name=username]", "no-token-user")
    tab.click("text=Add user")
    tab.wait_for_load_state()
    assert "The CSRF token is missing." in tab.content()
