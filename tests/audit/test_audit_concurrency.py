"""Two writers at once cannot fork the audit chain (a fresh database: the writers commit)."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from fund.audit.models import AuditEvent
from fund.audit.services import record, verify
from fund.db import make_engine
from fund.migrate import upgrade


@pytest.fixture
def committed_engine(tmp_path: Path) -> Iterator[Engine]:
    """A migrated database of this test's own, SQLite or (with TEST_DATABASE_URL) PostgreSQL."""
    base = os.environ.get("TEST_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        engine = make_engine(f"sqlite:///{tmp_path / 'audit.sqlite'}")
        upgrade(engine)
        yield engine
        engine.dispose()
        return
    url = make_url(base)
    name = f"{url.database}_audit_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(url.set(database=name).render_as_string(hide_password=False))
    upgrade(engine)
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def write(session: Session, n: int) -> AuditEvent:
    return record(session, actor=None, action="test.write", object_type="x", object_id=n)


def test_a_second_writer_waits_for_the_first_and_links_to_it(committed_engine: Engine) -> None:
    first = Session(committed_engine)
    first_hash = write(first, 1).hash  # holds the head row (PostgreSQL) / write lock (SQLite)
    outcome: dict[str, object] = {}

    def second_writer() -> None:
        with Session(committed_engine) as second:
            try:
                outcome["event_previous"] = write(second, 2).previous_hash
                second.commit()
            except OperationalError as error:  # SQLite may refuse a stale snapshot outright
                outcome["refused"] = str(error)
                second.rollback()

    thread = threading.Thread(target=second_writer)
    thread.start()
    thread.join(timeout=1.0)
    # The second writer is still waiting: it may not append until the first is done.
    assert thread.is_alive() or "refused" in outcome
    first.commit()
    first.close()
    thread.join(timeout=30)
    assert not thread.is_alive()

    with Session(committed_engine) as check:
        assert verify(check).ok
        events = check.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        if "refused" in outcome:
            assert committed_engine.dialect.name == "sqlite"
            assert [event.object_id for event in events] == ["1"]
        else:
            assert [event.object_id for event in events] == ["1", "2"]
            assert outcome["event_previous"] == first_hash
