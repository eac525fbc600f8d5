"""The app's database: declarative base, engine, and one session per request or command.

Services add and flush; only the request boundary (``fund/__init__.py``) or a CLI command
commits, once, or rolls back.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, ClassVar

from flask import current_app, g
from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every model in ``fund/``; the ledger keeps its own tables in ``ledger.models``."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: DateTime(timezone=True)}


def utcnow() -> datetime:
    """The current time, timezone-aware, as stored in every ``recorded_at`` column."""
    return datetime.now(UTC)


def make_engine(url: str, *, write_lock_first: bool = False, **kwargs: Any) -> Engine:
    """An engine for ``url`` with SQLite made to behave: foreign keys on, real SAVEPOINTs.

    ``write_lock_first`` (the served app) makes SQLite transactions take the write lock at
    BEGIN, so concurrent writers queue instead of failing.
    """
    # Every table registered, and every area's listeners (the roll review on the roll signals)
    # connected, before anything can write: `import fund` itself stays cheap for `fund --help`.
    import fund.models  # noqa: F401

    if url.startswith("sqlite"):
        _private_sqlite_file(url)
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
            # pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection: Any) -> None:
            # A deferred transaction that turns into a write fails at once when another writer
            # holds the lock; IMMEDIATE waits for it (busy timeout) instead.
            connection.exec_driver_sql("BEGIN IMMEDIATE" if write_lock_first else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _private_sqlite_file(url: str) -> None:
    """Make the SQLite file readable by the app's user only (0600) before the first connect.

    It holds workers' national IDs and wallet numbers. SQLite gives its -wal and -shm files the
    main file's permissions, so they follow.
    """
    path = make_url(url).database
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    if not os.path.exists(path):
        if not os.path.isdir(os.path.dirname(os.path.abspath(path))):
            return  # SQLite reports the missing folder itself, in its own words
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    if os.stat(path).st_mode & 0o077:
        os.chmod(path, 0o600)


def session_factory() -> sessionmaker[Session]:
    """The app's session factory, made in ``create_app``."""
    factory: sessionmaker[Session] = current_app.extensions["fund.sessionmaker"]
    return factory


def get_session() -> Session:
    """The session of the current request (or CLI command), created on first use."""
    if "db_session" not in g:
        g.db_session = session_factory()()
    session: Session = g.db_session
    return session


def close_session(exc: BaseException | None = None) -> None:
    """End the request's session: anything not committed is rolled back."""
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        if exc is not None:
            session.rollback()
        session.close()


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """One transaction for a CLI command: commit if the block finishes, else roll back."""
    session = get_session()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
