"""Journey: the administrator enrols a second factor, then steps up to change a role.

With the second factor required (as in production), ``admin`` signs in with the password, is
sent to set up an authenticator app (QR code), types its code, keeps the recovery codes, and
reaches the user list. Later (past the step-up window) she gives the helpline user the auditor
role: the fund asks for a fresh code first, then takes the change. Codes are computed with
pyotp from the key the page shows, as the phone would. No page breaks the CSP.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pyotp
import pytest

from tests.browser.conftest import VIEWPORT, serve_demo
from tests.browser.helpers import Screenshots, change_role, csp_violations, flashes, sign_in

pytestmark = pytest.mark.browser

#: A short step-up window, so the journey waits seconds rather than minutes.
STEP_UP_SECONDS = 6


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo served with the second factor required and a short step-up window."""
    yield from serve_demo(
        tmp_path_factory, REQUIRE_SECOND_FACTOR=True, STEP_UP_SECONDS=STEP_UP_SECONDS
    )


@pytest.fixture
def strict_tab(system_chromium: Any, strict_server: str) -> Iterator[Any]:
    context = system_chromium.new_context(base_url=strict_server, viewport=VIEWPORT)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_enrolment_then_step_up_before_a_role_change(strict_tab: Any) -> None:
    tab = strict_tab
    shot = Screenshots("second-factor")
    violations = csp_violations(tab)

    # 1. The password alone leads to the enrolment page, with a QR code and the key.
    sign_in(tab, "admin")
    assert tab.url.split("?")[0].endswith("/account/second-factor")
    assert tab.locator("figure.qr svg").count() == 1
    secret = tab.locator("#totp-secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret)
    shot(tab, "enrol-with-qr-code")
    tab.goto("/users")  # nothing else opens before the code
    assert tab.url.split("?")[0].endswith("/account/second-factor")

    # 2. The code from the "phone" puts the factor in force; recovery codes are shown once.
    totp = pyotp.TOTP(secret)
    tab.fill("input[name=code]", totp.now())
    tab.click("main button[type=submit]")
    tab.wait_for_load_state()
    codes = tab.locator("ul.recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    shot(tab, "recovery-codes")
    tab.click("text=I have kept them: go on")
    tab.wait_for_load_state()
    tab.goto("/users")
    assert tab.url.endswith("/users")

    # 3. Past the step-up window, a role change asks for a fresh code first ...
    time.sleep(STEP_UP_SECONDS + 1)
    change_role(tab, "helpline", "auditor")
    assert tab.url.split("?")[0].endswith("/account/second-factor")
    assert "Confirm with a code" in flashes(tab)
    shot(tab, "step-up-asks-for-a-code")
    tab.fill("input[name=code]", totp.at(time.time() + 30))  # the next code: each opens once
    tab.click("main button[type=submit]")
    tab.wait_for_load_state()
    assert tab.url.endswith("/users")

    # 4. ... and then takes it.
    change_role(tab, "helpline", "auditor")
    assert "helpline is now auditor" in flashes(tab)
    shot(tab, "role-changed-after-step-up")
    assert violations == []
