"""What the browser tests do again and again: sign in, read the menu, take the tour's pictures."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fund.demo import DEMO_PASSWORD

#: Where the journeys leave their screenshots; `scripts/tour-screenshots` picks from here.
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def sign_in(tab: Any, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the login form as a person would."""
    tab.goto("/login")
    tab.fill("input[name=username]", username)
    tab.fill("input[name=password]", password)
    tab.click("main button[type=submit]")
    tab.wait_for_load_state()


def sign_out(tab: Any) -> None:
    """Press *Sign out* and land on the login page."""
    tab.click("text=Sign out")
    tab.wait_for_load_state()


def csp_violations(tab: Any) -> list[str]:
    """A list that collects every Content-Security-Policy complaint the tab logs from now on."""
    found: list[str] = []
    tab.on(
        "console",
        lambda message: (
            found.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return found


def change_role(tab: Any, username: str, role: str) -> None:
    """On the user list: give ``username`` the role ``role`` with the *Change role* form."""
    form = tab.locator("form", has=tab.locator("button:text('Change role')"))
    form.locator("input[name=change-username]").fill(username)
    form.locator("select[name=change-role]").select_option(role)
    form.locator("button").click()
    tab.wait_for_load_state()


def nav_links(tab: Any) -> list[str]:
    """The menu's link texts."""
    return [text.strip() for text in tab.locator("nav a").all_inner_texts()]


def flashes(tab: Any) -> str:
    """Every message the last page flashed, as one text."""
    return " ".join(tab.locator(".flash").all_inner_texts())


class Screenshots:
    """Numbered screenshots of one journey: ``artifacts/screenshots/<journey>/NN-step.png``."""

    def __init__(self, journey: str) -> None:
        self.folder = SCREENSHOTS / journey
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):  # a shorter rerun must not leave stale steps
            old.unlink()
        self.taken = 0

    def __call__(self, tab: Any, step: str) -> Path:
        """Save the visible part of the page as the journey's next step."""
        if not re.fullmatch(r"[a-z0-9-]+", step):
            raise ValueError(f"step names are lowercase words and dashes, not {step!r}")
        self.taken += 1
        path = self.folder / f"{self.taken:02d}-{step}.png"
        tab.screenshot(path=str(path))
        return path


def scroll_to(tab: Any, selector: str) -> None:
    """Bring an element to the top of the window, so a screenshot shows what follows it."""
    tab.locator(selector).first.evaluate("element => element.scrollIntoView({block: 'start'})")
