"""Accessibility: axe-core over every kind of page each demo user can reach, no serious issue.

Each demo user signs in and the test follows every link on every page it reaches (same site,
GET, no downloads, no sign-out), visiting one page of each kind: addresses that differ only in
their numbers (``/batches/1`` and ``/batches/2``) are the same template. axe-core comes from
the ``axe-playwright-python`` package (its bundled ``axe.min.js``), installed by the project's
setup; any serious or critical violation fails the test, naming the page, rule and elements.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from fund.demo import USERS
from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DOWNLOADS = re.compile(r"\.(pdf|xlsx|csv|json)$|/payment-|/export")
SKIP = ("/logout",)
#: A safety bound on pages per user: a crawl that keeps finding new kinds of page is a bug.
MAX_PAGES = 120


def kind_of(path: str) -> str:
    """``/batches/12`` → ``/batches/#``: one visit per template, not per record."""
    return re.sub(r"/\d+", "/#", path)


def links(tab: Any) -> list[str]:
    """Same-site GET links of the page, as paths (with their query)."""
    hrefs = tab.eval_on_selector_all("a[href]", "els => els.map(a => a.href)")
    out = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts.netloc != urlsplit(tab.url).netloc:
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if DOWNLOADS.search(parts.path) or parts.path.startswith(SKIP):
            continue
        out.append(path)
    return out


@pytest.mark.parametrize("username", [user[0] for user in USERS])
def test_every_page_a_demo_user_reaches_has_no_serious_accessibility_issue(
    tab: Any, username: str
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    sign_in(tab, username)
    queue = [urlsplit(tab.url).path]
    seen_kinds: set[str] = set()
    problems: list[str] = []
    visited = 0
    while queue and visited < MAX_PAGES:
        path = queue.pop(0)
        kind = kind_of(path.split("?")[0]) + ("?" if "?" in path else "")
        if kind in seen_kinds:
            continue
        seen_kinds.add(kind)
        response = tab.goto(path)
        if response is None or response.status >= 400:
            continue  # a link the role may not follow answers 403: not a page it reaches
        visited += 1
        results = axe.run(tab)
        for violation in results.response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [", ".join(node["target"]) for node in violation["nodes"][:3]]
                problems.append(
                    f"{path}: {violation['id']} ({violation['impact']}): {violation['help']} "
                    f"— {'; '.join(targets)}"
                )
        queue += [link for link in links(tab) if kind_of(link.split("?")[0]) not in seen_kinds]
    assert visited >= 3, f"only {visited} pages reached"  # a brand: statement, password, home
    assert visited < MAX_PAGES, "the crawl did not end: too many kinds of page"
    assert problems == [], "\n".join(problems)


def test_the_check_can_fail(tab: Any) -> None:
    """axe really runs: an image without text and an unlabelled field are reported."""
    from axe_playwright_python.sync_playwright import Axe

    tab.set_content(
        '<html lang="en"><title>t</title><main><img src="x.png"><input type="text"></main></html>'
    )
    found = {v["id"]: v["impact"] for v in Axe().run(tab).response["violations"]}
    assert found.get("image-alt") == "critical"
    assert found.get("label") == "critical"
