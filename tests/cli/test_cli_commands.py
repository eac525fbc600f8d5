"""The ``fund`` command run through click, each test against a fresh database of its own.

SQLite by default; when ``TEST_DATABASE_URL`` names PostgreSQL, a fresh PostgreSQL database.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from fund import create_app
from fund.audit.models import AuditEvent
from fund.auth.models import User
from fund.auth.services import authenticate
from fund.brands.models import Brand
from fund.cli import main
from fund.db import make_engine
from fund.demo import BRANDS, DEMO_PASSWORD, FACTORIES, USERS

Fund = Callable[..., Result]


@pytest.fixture
def cli_database_url(tmp_path: Path) -> Iterator[str]:
    base = os.environ.get("TEST_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'cli.sqlite'}"
        return
    url = make_url(base)
    name = f"{url.database}_cli_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def fund(cli_database_url: str) -> Fund:
    """``fund(*args)``: run the command line against the test's database."""
    # The demo's users have no authenticator app; tests/cli/test_cli_step_up.py has it on.
    return fund_runner(cli_database_url, FUND_REQUIRE_SECOND_FACTOR="0")


def fund_runner(cli_database_url: str, **settings: str) -> Fund:
    """``fund(*args)`` in production mode on the database, with ``settings`` in its environment."""
    runner = CliRunner()
    env = {
        "DATABASE_URL": cli_database_url,
        "SECRET_KEY": "cli-test",
        "FUND_ENV": "production",
        **settings,
    }

    def run(*args: str, expect: int = 0) -> Result:
        result = runner.invoke(main, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == expect, (args, result.output, result.stderr)
        return result

    return run


@pytest.fixture
def database(cli_database_url: str) -> Iterator[Session]:
    """A session on the command line's database, to look at what the commands left."""
    engine = make_engine(cli_database_url)
    with Session(engine) as session:
        yield session
    engine.dispose()


def count(session: Session, model: type) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_init_db_creates_the_schema_and_can_run_again(fund: Fund, database: Session) -> None:
    first = fund("init-db")
    assert "newest schema" in first.output
    assert "cli-test" not in first.output
    fund("init-db")
    assert count(database, User) == 0
    assert database.execute(text("SELECT version_num FROM alembic_version")).scalar_one()


@pytest.mark.slow
def test_demo_loads_once_and_a_second_run_adds_nothing(fund: Fund, database: Session) -> None:
    fund("init-db")
    first = fund("demo").output
    # Other areas extend the demo; the count must match the list, and hold the foundation's.
    count_text, _, listed = first.partition(" records (")
    added = [item.strip() for item in listed.rstrip().rstrip(")").split(",")]
    assert int(count_text.rsplit(" ", 1)[1]) == len(added)
    foundation = (
        [f"brand {code}" for code, *_ in BRANDS]
        + [f"factory {code}" for code, *_ in FACTORIES]
        + [f"user {username}" for username, *_ in USERS]
    )
    assert set(foundation) <= set(added)
    events = count(database, AuditEvent)
    second = fund("demo")
    assert "added 0 records" in second.output
    assert count(database, Brand) == len(BRANDS)
    assert count(database, User) == len(USERS)
    assert count(database, AuditEvent) == events
    # Every demo user signs in with the documented password, without a forced change.
    for username, _, role, _ in USERS:
        user = authenticate(database, username=username, password=DEMO_PASSWORD)
        assert user is not None
        assert user.role == role.value
        assert not user.must_change_password


def test_demo_if_empty_leaves_a_database_with_users_alone(fund: Fund, database: Session) -> None:
    fund("init-db")
    fund("users", "create", "first", "--role", "admin")
    assert "not loaded" in fund("demo", "--if-empty").output
    assert count(database, Brand) == 0


def test_demo_if_empty_loads_an_empty_database(fund: Fund, database: Session) -> None:
    fund("init-db")
    fund("demo", "--if-empty")
    assert count(database, User) == len(USERS)


def test_users_create_prints_a_one_time_password(fund: Fund, database: Session) -> None:
    fund("init-db")
    fund("demo")
    output = fund("users", "create", "rina", "--role", "brand", "--brand", "HAVEN").output
    password = output.rsplit("one-time password: ", 1)[1].strip()
    user = authenticate(database, username="rina", password=password)
    assert user is not None
    assert user.brand is not None
    assert user.brand.code == "HAVEN"
    assert user.must_change_password
    event = database.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event is not None
    assert (event.action, event.object_id) == ("user.create", str(user.id))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["admin", "--role", "officer"], "is taken"),
        (["x", "--role", "brand"], "needs --brand"),
        (["x", "--role", "brand", "--brand", "NOPE"], "no brand"),
        (["x", "--role", "officer", "--brand", "NORD"], "only brand users"),
        (["x", "--role", "emperor"], "emperor"),
    ],
)
def test_users_create_refuses_with_a_reason_and_stores_nothing(
    fund: Fund, database: Session, args: list[str], message: str
) -> None:
    fund("init-db")
    fund("demo")
    users_before = count(database, User)
    result = fund("users", "create", *args, expect=2)
    assert message in result.output
    assert count(database, User) == users_before


def test_a_cli_token_opens_the_api(fund: Fund, cli_database_url: str) -> None:
    fund("init-db")
    fund("demo")
    secret = fund("users", "token", "auditor", "--name", "reporting").output.strip()
    assert secret.startswith("wf_")
    app = create_app({"DATABASE_URL": cli_database_url, "SECRET_KEY": "x", "TESTING": True})
    response = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert response.json is not None
    assert response.json["username"] == "auditor"
    assert "no user 'ghost'" in fund("users", "token", "ghost", expect=2).output


def test_audit_verify_passes_then_names_the_tampered_event(
    fund: Fund, database: Session, cli_database_url: str
) -> None:
    fund("init-db")
    fund("demo")
    events = count(database, AuditEvent)
    assert f"audit log intact: {events} events" in fund("audit-verify").output
    report = json.loads(fund("audit-verify", "--json").output)
    assert report == {"events": events, "ok": True, "first_bad_event": None, "reason": None}

    victim = database.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()[2]
    with database.get_bind().connect() as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER audit_events_no_update"))
        conn.execute(
            text("UPDATE audit_events SET actor_name = 'mallory' WHERE id = :id"), {"id": victim}
        )
    result = fund("audit-verify", expect=1)
    assert f"broken at event {victim}" in result.stderr
    report = json.loads(fund("audit-verify", "--json", expect=1).output)
    assert report["first_bad_event"] == victim
    assert report["ok"] is False


def test_the_command_lists_its_commands(fund: Fund) -> None:
    output = fund("--help").output
    for command in ("init-db", "demo", "serve", "users", "audit-verify"):
        assert command in output
    assert "--production" in fund("serve", "--help").output


def test_the_default_database_lives_in_a_created_instance_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fund.config import load_config

    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    instance = tmp_path / "fresh-clone" / "instance"
    config = load_config(instance, None)
    assert config["DATABASE_URL"] == f"sqlite:///{instance / 'fund.sqlite'}"
    assert config["SECRET_KEY"] == "from-the-environment"
    assert instance.is_dir()
    monkeypatch.setenv("DATABASE_URL", "sqlite:///elsewhere.sqlite")
    assert load_config(tmp_path / "other", None)["DATABASE_URL"] == "sqlite:///elsewhere.sqlite"


def test_a_revoked_token_stops_opening_the_api(fund: Fund, cli_database_url: str) -> None:
    fund("init-db")
    fund("demo")
    keep = fund("users", "token", "auditor", "--name", "keep").output.strip()
    drop = fund("users", "token", "auditor", "--name", "drop").output.strip()
    assert "revoked 1 token(s)" in fund("users", "revoke-token", "auditor", "--name", "drop").output
    app = create_app({"DATABASE_URL": cli_database_url, "SECRET_KEY": "x", "TESTING": True})
    client = app.test_client()

    def status(secret: str) -> int:
        return client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code

    assert (status(keep), status(drop)) == (200, 401)
    assert "revoked 1 token(s)" in fund("users", "revoke-token", "auditor").output
    assert status(keep) == 401
    assert "revoked 0 token(s)" in fund("users", "revoke-token", "auditor").output
    assert "no user 'ghost'" in fund("users", "revoke-token", "ghost", expect=2).output


def test_deactivation_ends_sessions_and_tokens_and_a_lost_phone_is_reset(
    fund: Fund, database: Session
) -> None:
    from fund.auth.services import user_for_token

    fund("init-db")
    fund("demo")
    secret = fund("users", "token", "accountant").output.strip()
    before = database.scalar(select(User.session_version).where(User.username == "accountant"))
    assert "deactivated" in fund("users", "deactivate", "accountant").output
    database.rollback()  # a fresh snapshot: the command committed
    accountant = database.scalar(select(User).where(User.username == "accountant"))
    assert accountant is not None
    assert not accountant.active
    assert accountant.session_version == (before or 0) + 1
    assert user_for_token(database, secret) is None
    assert authenticate(database, username="accountant", password=DEMO_PASSWORD) is None
    database.rollback()
    fund("users", "activate", "accountant")
    assert authenticate(database, username="accountant", password=DEMO_PASSWORD) is not None
    assert user_for_token(database, secret) is None  # revoked tokens stay revoked
    database.rollback()
    accountant = database.scalar(select(User).where(User.username == "accountant"))
    assert accountant is not None
    accountant.totp_secret = "JBSWY3DPEHPK3PXP"
    database.commit()
    fund("users", "reset-second-factor", "accountant")
    database.rollback()  # a fresh snapshot: the command committed
    assert database.scalar(select(User.totp_secret).where(User.username == "accountant")) is None
    fund("users", "deactivate", "nobody", expect=2)
