"""Journey: the administrator adds a passkey, then signs in and steps up with it.

Chromium's virtual authenticator (DevTools' WebAuthn domain: CTAP2, resident keys, user
verification that always succeeds) plays the phone's fingerprint reader. With the second
factor required, ``admin`` enrols the authenticator app (the fallback), adds a passkey on the
account page, signs out, and signs in again with the password and the passkey instead of a
code. Past the step-up window the passkey confirms a role change too. No page breaks the CSP.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pyotp
import pytest

from tests.browser.conftest import VIEWPORT, serve_demo
from tests.browser.helpers import (
    Screenshots,
    change_role,
    csp_violations,
    flashes,
    sign_in,
    sign_out,
)

pytestmark = pytest.mark.browser

STEP_UP_SECONDS = 6


@pytest.fixture(scope="module")
def passkey_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo with the second factor required, served as http://localhost:PORT.

    WebAuthn needs a domain for the relying-party id (an IP address is refused) and a secure
    context: ``localhost`` is both, so the browser goes there rather than to 127.0.0.1.
    """
    for url in serve_demo(
        tmp_path_factory, REQUIRE_SECOND_FACTOR=True, STEP_UP_SECONDS=STEP_UP_SECONDS
    ):
        yield url.replace("127.0.0.1", "localhost")


@pytest.fixture
def passkey_tab(system_chromium: Any, passkey_server: str) -> Iterator[Any]:
    """A tab with a virtual platform authenticator attached (its user is always verified)."""
    context = system_chromium.new_context(base_url=passkey_server, viewport=VIEWPORT)
    context.set_default_timeout(15_000)
    page = context.new_page()
    devtools = context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    yield page
    context.close()


def use_passkey(tab: Any) -> None:
    """On the second-factor page: press *Use a passkey* and wait for the page it leads to."""
    assert tab.url.split("?")[0].endswith("/account/second-factor")
    with tab.expect_navigation():
        tab.click("text=Use a passkey")
    tab.wait_for_load_state()


def test_a_passkey_signs_in_and_confirms_a_role_change(passkey_tab: Any) -> None:
    tab = passkey_tab
    shot = Screenshots("passkey")
    violations = csp_violations(tab)

    # 1. The password, then the authenticator app (the fallback every such user keeps).
    sign_in(tab, "admin")
    secret = tab.locator("#totp-secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret)
    tab.fill("input[name=code]", pyotp.TOTP(secret).now())
    tab.click("main button[type=submit]")
    tab.wait_for_load_state()
    tab.click("text=I have kept them: go on")
    tab.wait_for_load_state()

    # 2. The account page adds a passkey: the browser makes it, the fund checks and keeps it.
    tab.click("header >> text=Passkeys")
    tab.wait_for_load_state()
    assert "You have no passkey yet." in tab.content()
    tab.fill("#passkey-name", "Laptop fingerprint")
    with tab.expect_navigation():
        tab.click("text=Add a passkey")
    tab.wait_for_load_state()
    assert "Your passkey is added" in flashes(tab)
    assert tab.locator("main table td").first.inner_text() == "Laptop fingerprint"
    shot(tab, "passkey-added")

    # 3. Signing in again: the passkey stands in for the code.
    sign_out(tab)
    sign_in(tab, "admin")
    assert tab.locator("text=Use a passkey").is_visible()
    shot(tab, "sign-in-offers-the-passkey")
    use_passkey(tab)
    assert not tab.url.split("?")[0].endswith("/account/second-factor")
    tab.goto("/users")
    assert tab.url.endswith("/users")

    # 4. Past the step-up window, a role change asks again, and the passkey answers.
    time.sleep(STEP_UP_SECONDS + 1)
    change_role(tab, "helpline", "auditor")
    use_passkey(tab)
    assert tab.url.endswith("/users")
    change_role(tab, "helpline", "auditor")
    assert "helpline is now auditor" in flashes(tab)
    shot(tab, "role-changed-after-passkey-step-up")

    # 5. The passkey was used twice: the page says when.
    tab.goto("/account/passkeys")
    assert "never" not in tab.locator("main table tbody").inner_text()
    assert violations == []
