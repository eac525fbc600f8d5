"""The real app in a real browser: signing in and out, menus by role, CSRF on forms.

Fixtures (`live_server`, `system_chromium`, `tab`) are in conftest.py.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.browser.helpers import nav_links, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


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
