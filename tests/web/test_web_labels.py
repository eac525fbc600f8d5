"""Every page each role can reach names its controls, so a screen reader can fill in each form."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from fund.demo import USERS, load_demo

DEMO_PASSWORD = "worker-fund-demo"
#: Downloads and actions are not pages; one page of each shape is enough.
SKIP = re.compile(r"\.(pdf|xlsx|csv)$|/logout$")
PAGES_PER_ROLE = 60


class Controls(HTMLParser):
    """The form controls of a page and whether each has an accessible name."""

    def __init__(self) -> None:
        super().__init__()
        self.labelled_ids: set[str] = set()
        self.controls: list[tuple[str, dict[str, str]]] = []
        self.links: list[str] = []
        self.label_depth = 0
        self.button: dict[str, str] | None = None
        self.button_text = ""
        self.unnamed_buttons: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "label":
            self.label_depth += 1
            if values.get("for"):
                self.labelled_ids.add(values["for"])
        elif tag in ("input", "select", "textarea"):
            if values.get("type") not in ("hidden", "submit", "button", "reset"):
                values["_inside_label"] = "yes" if self.label_depth else ""
                self.controls.append((tag, values))
        elif tag == "button":
            self.button, self.button_text = values, ""
        elif tag == "a" and values.get("href"):
            self.links.append(values["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.label_depth -= 1
        elif tag == "button" and self.button is not None:
            if not (self.button_text.strip() or self.button.get("aria-label")):
                self.unnamed_buttons.append(str(self.button))
            self.button = None

    def handle_data(self, data: str) -> None:
        if self.button is not None:
            self.button_text += data

    def unnamed(self) -> list[str]:
        """Controls with no label, no wrapping label and no aria name."""
        return [
            f"<{tag} name={values.get('name')!r}>"
            for tag, values in self.controls
            if not (
                values["_inside_label"]
                or values.get("id") in self.labelled_ids
                or values.get("aria-label")
                or values.get("aria-labelledby")
            )
        ] + self.unnamed_buttons


def shape(path: str) -> str:
    """``/batches/12?event=3`` and ``/batches/15?event=4`` are one page to check."""
    return re.sub(r"\d+", "N", path)


@pytest.mark.slow
@pytest.mark.parametrize("username", [user[0] for user in USERS])
def test_every_control_on_every_reachable_page_has_a_label(
    app: Flask, session: Session, login: Callable[..., object], username: str
) -> None:
    load_demo(session)
    client = app.test_client()
    signed = login(client, username, DEMO_PASSWORD)
    assert getattr(signed, "status_code", None) == 302
    queue, seen, checked = ["/"], set[str](), 0
    problems: dict[str, list[str]] = {}
    while queue and checked < PAGES_PER_ROLE:
        url = queue.pop(0)
        if shape(url) in seen:
            continue
        seen.add(shape(url))
        response = client.get(url)
        if response.status_code in (301, 302, 303) and response.location.startswith("/"):
            queue.append(response.location)
            seen.discard(shape(response.location))
            continue
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        checked += 1
        page = Controls()
        page.feed(response.get_data(as_text=True))
        if page.unnamed():
            problems[url] = page.unnamed()
        for href in page.links:
            target = urlsplit(urljoin("http://localhost" + url, href))
            expensive = SKIP.search(target.path) or "verify=" in target.query
            if target.netloc == "localhost" and not expensive:
                queue.append(target.path + (f"?{target.query}" if target.query else ""))
    # A brand's user has its statement and its password page; staff reach far more.
    assert checked >= 2, f"{username} reached almost nothing: {sorted(seen)}"
    assert problems == {}


def test_the_check_finds_unnamed_controls_and_accepts_named_ones() -> None:
    page = Controls()
    page.feed(
        '<label for="a">A</label><input id="a" name="a"><label>B <select name="b"></select></label>'
        '<input name="c" aria-label="C"><input type="hidden" name="csrf">'
        '<input name="lost"><textarea name="why"></textarea><button type="submit"> </button>'
    )
    assert page.unnamed() == [
        "<input name='lost'>",
        "<textarea name='why'>",
        "{'type': 'submit'}",
    ]


def test_the_menu_marks_the_section_the_user_is_in(
    app: Flask, session: Session, login: Callable[..., object]
) -> None:
    load_demo(session)
    client = app.test_client()
    login(client, "officer", DEMO_PASSWORD)
    for path, section in (("/", "Home"), ("/events/", "Events"), ("/batches/1", "Batches")):
        page = client.get(path).get_data(as_text=True)
        current = re.findall(r'<a href="[^"]*" aria-current="page"[^>]*>([^<]*)</a>', page)
        assert current == [section], (path, current)
