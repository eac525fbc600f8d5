"""Browser fixtures: the real app served over HTTP, and Debian's Chromium driving it.

The server runs in a thread against a SQLite file of its own with the demo data (not the
rolled-back test connection: the server must commit for the browser to see anything). Each test
module gets its own server and database, so one journey's payments never show in another's.
Playwright drives /usr/bin/chromium through ``executable_path``; a browser build is never
downloaded.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from fund import create_app
from fund.db import make_engine
from fund.demo import load_demo
from fund.migrate import upgrade

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
#: The size the tour's screenshots are taken at.
VIEWPORT = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app served over HTTP on a free port, with the demo data committed.

    The second factor is off, as on the development server: journeys sign in with a password.
    """
    yield from serve_demo(tmp_path_factory, REQUIRE_SECOND_FACTOR=False)


def serve_demo(tmp_path_factory: pytest.TempPathFactory, **settings: Any) -> Iterator[str]:
    """Serve the demo data on a free port with ``settings`` over the defaults; yield its URL."""
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
            "UPLOAD_FOLDER": str(tmp_path_factory.mktemp("uploads")),
            "CLAIM_FILES": str(tmp_path_factory.mktemp("claim-files")),
            **settings,
        }
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    engine.dispose()


@pytest.fixture(scope="session")
def system_chromium() -> Iterator[Any]:
    """Debian's Chromium, headless; skipped locally (failed under CI) when it is missing."""
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
    """A fresh browser context (own cookies, downloads allowed) with one 1280×800 tab."""
    context = system_chromium.new_context(
        base_url=live_server, viewport=VIEWPORT, accept_downloads=True
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()
