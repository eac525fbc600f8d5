"""``fund serve`` really serves: what ``make run`` does, on a fresh SQLite file (subprocesses)."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from fund.demo import DEMO_PASSWORD

pytestmark = pytest.mark.slow

FUND = str(Path(sys.executable).parent / "fund")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'served.sqlite'}",
        "SECRET_KEY": "serve-test",
        "FUND_ENV": "development",
    }
    for step in (["init-db"], ["demo", "--if-empty"]):
        subprocess.run([FUND, *step], env=env, check=True, capture_output=True, timeout=120)
    return env


def answers(url: str) -> bool:
    """Whether the server answers ``url`` now (any failure to connect or read is a no)."""
    try:
        urllib.request.urlopen(url, timeout=2).close()  # noqa: S310
    except OSError:  # URLError, ConnectionError, a bare TimeoutError under load: all OSError
        return False
    return True


def serve(args: list[str], env: dict[str, str], stopped: list[int] | None = None) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [FUND, "serve", "--port", str(port), *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not answers(f"{base}/health"):
            assert process.poll() is None, "the server exited before it answered"
            assert time.monotonic() < deadline, "the server did not answer within 60 s"
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        if stopped is not None:
            stopped.append(port)


def sign_in_over_http(base: str) -> str:
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    page = opener.open(f"{base}/login", timeout=10).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token is not None
    form = urllib.parse.urlencode(
        {"csrf_token": token.group(1), "username": "admin", "password": DEMO_PASSWORD}
    ).encode()
    home = opener.open(f"{base}/login", data=form, timeout=10)
    body: str = home.read().decode()
    assert home.geturl() == f"{base}/"
    return body


def names_no_version(base: str) -> None:
    """The Server header says what serves, never which version (nothing to look up)."""
    with urllib.request.urlopen(f"{base}/health", timeout=10) as answer:  # noqa: S310
        server = answer.headers.get("Server", "")
    assert not re.search(r"\d", server), server
    assert "Python" not in server


def test_the_development_server_serves_sign_in_and_the_demo(environment: dict[str, str]) -> None:
    for base in serve([], environment):
        assert "Welcome, Ayesha Rahman" in sign_in_over_http(base)
        names_no_version(base)


def test_the_production_server_runs_under_gunicorn(environment: dict[str, str]) -> None:
    production = {key: value for key, value in environment.items() if key != "FUND_ENV"}
    stopped: list[int] = []
    for base in serve(["--production", "--workers", "1"], production, stopped):
        response = urllib.request.urlopen(f"{base}/login", timeout=10)  # noqa: S310
        assert response.status == 200
        cookies = [c for c in response.headers.get_all("Set-Cookie") if c.startswith("session=")]
        assert cookies, "the login form's CSRF token lives in the session cookie"
        cookie = cookies[0]
        assert "Secure" in cookie
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie
        names_no_version(base)
    # `fund serve` became gunicorn: the stop signal it got stopped the server, workers and all.
    assert stopped
    deadline = time.monotonic() + 30
    while answers(f"http://127.0.0.1:{stopped[0]}/health"):
        assert time.monotonic() < deadline, "gunicorn still answers after `fund serve` stopped"
        time.sleep(0.2)
