"""Fixtures shared by the whole suite.

The database is SQLite unless ``TEST_DATABASE_URL`` names a PostgreSQL server; there each
test worker gets a fresh database of its own, created here and dropped at the end. The schema
is built once per run by the real Alembic migrations, and every test runs inside a
transaction that is rolled back, so tests never see each other's rows.
"""

from __future__ import annotations

import functools
import inspect
import os
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash
from werkzeug.test import TestResponse

from fund import create_app
from fund.auth.models import User
from fund.auth.roles import Role
from fund.auth.services import create_user, issue_token
from fund.brands.models import Brand
from fund.db import make_engine
from fund.factories.models import Factory
from fund.migrate import upgrade


def _fresh_postgres_database(base_url: str, worker: str) -> tuple[str, str]:
    url = make_url(base_url)
    name = f"{url.database or 'worker_fund_test'}_{worker}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False), name


def _drop_postgres_database(base_url: str, name: str) -> None:
    admin = create_engine(make_url(base_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[str]:
    """A fresh, empty database for this test worker."""
    base = os.environ.get("TEST_DATABASE_URL")
    if base and base.startswith("postgresql"):
        url, name = _fresh_postgres_database(base, worker_id)
        yield url
        _drop_postgres_database(base, name)
    else:
        path: Path = tmp_path_factory.mktemp("db") / "fund.sqlite"
        yield f"sqlite:///{path}"


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    """The migrated database's engine, shared by every test of this worker."""
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        if outer.is_active:
            outer.rollback()


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    """An ORM session whose commits become savepoints of the test's transaction."""
    with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
        yield session


@pytest.fixture
def dialect(engine: Engine) -> str:
    """``"sqlite"`` or ``"postgresql"``: for the few tests whose expectations differ."""
    return engine.dialect.name


# --- The web app on the test's connection: app, client, people of every role, sign-in helpers ---

# Fixture users all share this password; it passes the service's strength rule.
PASSWORD = "correct horse battery staple"


class BrowserLikeClient(FlaskClient):
    """A test client that, like a browser posting a same-site form, sends a Referer.

    The app speaks https outside development, and Flask-WTF then checks that form posts come
    from the same origin.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.environ_base["HTTP_REFERER"] = "https://localhost/"


@pytest.fixture
def app(connection: Connection) -> Flask:
    """The app bound to the test's connection (CSRF on, as in production)."""
    app = create_app(
        {"DB_BIND": connection, "SECRET_KEY": "test", "TESTING": True, "SERVER_NAME": "localhost"}
    )
    app.test_client_class = BrowserLikeClient
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser-like test client with its own cookie jar."""
    return app.test_client()


@dataclass
class People:
    """One user per role, brand users of NORD and HAVEN, and their brands and factories."""

    session: Session
    by_role: dict[Role, User]
    brands: dict[str, Brand]
    factories: dict[str, Factory]
    password: str = PASSWORD
    extra: dict[str, User] = field(default_factory=dict)

    @property
    def admin(self) -> User:
        return self.by_role[Role.ADMIN]

    @property
    def nord(self) -> User:
        """The brand user of NORD (``by_role[Role.BRAND]``)."""
        return self.by_role[Role.BRAND]

    @property
    def haven(self) -> User:
        """The brand user of HAVEN."""
        return self.extra["haven"]

    def make(self, username: str, role: Role, *, brand: str | None = None, **kw: Any) -> User:
        """Add another user (password ``PASSWORD``, no forced change unless asked)."""
        must_change = kw.pop("must_change_password", False)
        user, _ = create_user(
            self.session,
            username=username,
            role=role,
            brand_code=brand,
            password=kw.pop("password", PASSWORD),
            **kw,
        )
        user.must_change_password = must_change
        self.session.flush()
        self.extra[username] = user
        return user


@pytest.fixture
def users(session: Session, monkeypatch: pytest.MonkeyPatch) -> People:
    """Brands NORD, HAVEN; factories DHK-1 (NORD, HAVEN) and GZP-2 (HAVEN); a user per role.

    Passwords set during the test are hashed with a cheap work factor (still a real salted
    hash that ``check_password_hash`` verifies): the production cost would dominate the suite.
    """
    monkeypatch.setattr(
        "fund.auth.services.generate_password_hash",
        functools.partial(generate_password_hash, method="pbkdf2:sha256:1000"),
    )
    brands = {
        "NORD": Brand(code="NORD", name="Nordvik Apparel", country="SE"),
        "HAVEN": Brand(code="HAVEN", name="Haven & Loom", country="US"),
    }
    session.add_all(brands.values())
    factories = {
        "DHK-1": Factory(
            code="DHK-1", name="Rupali Knit", country="BD", brands=[brands["NORD"], brands["HAVEN"]]
        ),
        "GZP-2": Factory(
            code="GZP-2", name="Meghna Sweaters", country="BD", brands=[brands["HAVEN"]]
        ),
    }
    session.add_all(factories.values())
    session.flush()
    people = People(session=session, by_role={}, brands=brands, factories=factories)
    for role in Role:
        if role is Role.BRAND:
            continue
        people.by_role[role] = people.make(role.value, role)
    people.by_role[Role.BRAND] = people.make("nord", Role.BRAND, brand="NORD")
    people.make("haven", Role.BRAND, brand="HAVEN")
    return people


_CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    """The CSRF token of the first form in ``html``."""
    match = _CSRF_FIELD.search(html)
    assert match is not None, "the page has no CSRF token"
    return match.group(1)


@pytest.fixture
def form_token() -> Callable[[FlaskClient, str], str]:
    """``form_token(client, path)``: GET the page and return its form's CSRF token."""

    def fetch(client: FlaskClient, path: str) -> str:
        page = client.get(path)
        assert page.status_code == 200, (path, page.status_code)
        return csrf_token_from(page.get_data(as_text=True))

    return fetch


@pytest.fixture
def login(form_token: Callable[[FlaskClient, str], str]) -> Callable[..., TestResponse]:
    """``login(client, username, password=PASSWORD)``: sign in through the real form."""

    def sign_in(client: FlaskClient, username: str, password: str = PASSWORD) -> TestResponse:
        token = form_token(client, "/login")
        return client.post(
            "/login", data={"csrf_token": token, "username": username, "password": password}
        )

    return sign_in


@pytest.fixture
def api_token(session: Session) -> Callable[[User], str]:
    """``api_token(user)``: issue a bearer token for ``user`` and return its secret."""

    def issue(user: User) -> str:
        return issue_token(session, user=user, name="test").secret

    return issue


# --- On PostgreSQL, the tests that open a database ---------------------------------------------

#: Words in a test's module or a fixture's module that show it opens a database of its own.
_DATABASE_WORDS = ("TEST_DATABASE_URL", "database_url", "make_engine", "create_engine")


@functools.cache
def _mentions_a_database(path: str | None) -> bool:
    if not path or not path.endswith(".py"):
        return False
    source = Path(path).read_text(encoding="utf-8")
    return any(word in source for word in _DATABASE_WORDS)


def _opens_a_database(item: pytest.Item) -> bool:
    """Whether a test reaches a database: through ``database_url``, or a module (its own or a
    fixture's) that opens one. Conservative: a mention in the module is enough."""
    if "database_url" in getattr(item, "fixturenames", ()):
        return True
    module = getattr(item, "module", None)
    if module is not None and _mentions_a_database(getattr(module, "__file__", None)):
        return True
    definitions = getattr(item, "_fixtureinfo", None)
    for fixturedefs in definitions.name2fixturedefs.values() if definitions else ():
        for fixturedef in fixturedefs:
            if _mentions_a_database(inspect.getsourcefile(fixturedef.func)):
                return True
    return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under PostgreSQL (``make test-postgres``) run the tests that open a database; the rest
    (parsers, PDF text, pure rules) never reach one and ran the same on SQLite."""
    if not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"):
        return
    elsewhere = [item for item in items if not _opens_a_database(item)]
    if elsewhere:
        config.hook.pytest_deselected(items=elsewhere)
        items[:] = [item for item in items if _opens_a_database(item)]
