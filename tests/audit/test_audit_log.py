"""The audit log: chained by hash, append-only in the database, tampering named by ``verify``."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, func, select, text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from fund.audit.models import AuditChainHead, AuditEvent
from fund.audit.services import GENESIS_HASH, SYSTEM_ACTOR, event_hash, record, verify

if TYPE_CHECKING:
    from flask.testing import FlaskClient

    from tests.conftest import People


def write_events(session: Session, count: int) -> list[AuditEvent]:
    return [
        record(
            session,
            actor=None,
            action="test.change",
            object_type="thing",
            object_id=n,
            before={"n": n},
            after={"n": n + 1, "note": "ক খ"},
        )
        for n in range(count)
    ]


@contextmanager
def guards_off(connection: Connection, dialect: str) -> Iterator[None]:
    """Inside a savepoint, lift the append-only guard (as an attacker with DBA rights would)."""
    savepoint = connection.begin_nested()
    if dialect == "postgresql":
        connection.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
    else:
        connection.execute(text("DROP TRIGGER audit_events_no_update"))
        connection.execute(text("DROP TRIGGER audit_events_no_delete"))
    try:
        yield
    finally:
        savepoint.rollback()


def test_events_form_a_chain_from_the_genesis_hash(session: Session) -> None:
    events = write_events(session, 3)
    start = events[0].previous_hash
    # Earlier tests of this worker may have committed nothing; the chain starts at the head.
    assert start == GENESIS_HASH or len(start) == 64
    for earlier, later in itertools.pairwise(events):
        assert later.previous_hash == earlier.hash
    for event in events:
        assert event.hash == event_hash(event)
        assert event.actor_name == SYSTEM_ACTOR
    head = session.get(AuditChainHead, 1)
    assert head is not None
    assert (head.last_event_id, head.last_hash) == (events[-1].id, events[-1].hash)
    assert verify(session).ok


def test_the_hash_survives_the_round_trip_through_the_database(session: Session) -> None:
    events = write_events(session, 2)
    session.expunge_all()
    for event in events:
        stored = session.get(AuditEvent, event.id)
        assert stored is not None
        assert event_hash(stored) == event.hash


def test_the_head_row_exists_from_the_migration_on(connection: Connection) -> None:
    # Two first writers must not race to create it.
    head = connection.execute(text("SELECT id FROM audit_chain_head")).scalars().all()
    assert head == [1]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET action = 'nothing.happened' WHERE id = :id",
        "UPDATE audit_events SET hash = previous_hash",
        "DELETE FROM audit_events WHERE id = :id",
        "DELETE FROM audit_events",
    ],
)
def test_the_database_refuses_to_change_or_remove_events(
    session: Session, connection: Connection, statement: str
) -> None:
    event = write_events(session, 2)[0]
    with pytest.raises(DatabaseError, match="append-only"), connection.begin_nested():
        connection.execute(text(statement), {"id": event.id})
    assert connection.execute(
        text("SELECT action FROM audit_events WHERE id = :id"), {"id": event.id}
    ).scalar_one() == ("test.change")


def test_the_whole_table_cannot_be_emptied_at_once(
    session: Session, connection: Connection, dialect: str
) -> None:
    # PostgreSQL's TRUNCATE fires no row triggers, so it has a guard of its own; SQLite turns
    # an unqualified DELETE into a truncate unless a trigger is there to stop it.
    write_events(session, 1)
    statement = "TRUNCATE audit_events" if dialect == "postgresql" else "DELETE FROM audit_events"
    with pytest.raises(DatabaseError, match="append-only"), connection.begin_nested():
        connection.execute(text(statement))
    assert connection.execute(text("SELECT count(*) FROM audit_events")).scalar_one() >= 1


@pytest.mark.parametrize(
    ("column", "new_value"),
    [
        ("actor_name", "mallory"),
        ("action", "test.chanGe"),
        ("object_id", "7"),
        ("object_type", "thinG"),
    ],
)
def test_verify_names_the_event_whose_content_was_changed(
    session: Session, connection: Connection, dialect: str, column: str, new_value: str
) -> None:
    events = write_events(session, 5)
    target = events[2]
    with guards_off(connection, dialect):
        connection.execute(
            text(f"UPDATE audit_events SET {column} = :value WHERE id = :id"),
            {"value": new_value, "id": target.id},
        )
        session.expire_all()
        result = verify(session)
        assert result.first_bad_event == target.id
        assert result.reason == "content does not match its hash"
    session.expire_all()
    assert verify(session).ok


def test_verify_names_the_event_after_one_that_was_removed(
    session: Session, connection: Connection, dialect: str
) -> None:
    ids = [event.id for event in write_events(session, 4)]
    with guards_off(connection, dialect):
        connection.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": ids[1]})
        session.expire_all()
        result = verify(session)
        assert result.first_bad_event == ids[2]
        assert result.reason == "link to the previous event is broken"


def test_verify_notices_that_the_newest_events_were_removed(
    session: Session, connection: Connection, dialect: str
) -> None:
    newest = write_events(session, 3)[-1].id
    with guards_off(connection, dialect):
        connection.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": newest})
        session.expire_all()
        result = verify(session)
        assert result.first_bad_event == newest
        assert result.reason == "events after the last were removed"


def test_verify_notices_a_rewritten_event_with_a_recomputed_hash(
    session: Session, connection: Connection, dialect: str
) -> None:
    # Forging one event's hash to match is not enough: the next event's link gives it away.
    events = write_events(session, 3)
    forged = AuditEvent(
        occurred_at=events[1].occurred_at,
        actor_id=None,
        actor_name="mallory",
        action=events[1].action,
        object_type=events[1].object_type,
        object_id=events[1].object_id,
        before=events[1].before,
        after=events[1].after,
        previous_hash=events[1].previous_hash,
    )
    with guards_off(connection, dialect):
        connection.execute(
            text("UPDATE audit_events SET actor_name = 'mallory', hash = :hash WHERE id = :id"),
            {"hash": event_hash(forged), "id": events[1].id},
        )
        session.expire_all()
        result = verify(session)
        assert result.first_bad_event == events[2].id


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    which=st.integers(min_value=0, max_value=3),
    column=st.sampled_from(["actor_name", "action", "object_type", "object_id", "after"]),
    position=st.integers(min_value=0, max_value=200),
    data=st.data(),
)
def test_any_single_changed_character_is_detected(
    session: Session,
    connection: Connection,
    dialect: str,
    which: int,
    column: str,
    position: int,
    data: st.DataObject,
) -> None:
    events = write_events(session, 4)
    target = events[which]
    stored: str = connection.execute(
        text(f"SELECT {column} FROM audit_events WHERE id = :id"),
        {"id": target.id},
    ).scalar_one()
    if not isinstance(stored, str):  # the JSON column comes back parsed on PostgreSQL
        stored = connection.execute(
            text(f"SELECT CAST({column} AS TEXT) FROM audit_events WHERE id = :id"),
            {"id": target.id},
        ).scalar_one()
    index = position % len(stored)
    replacement = data.draw(st.sampled_from("0123456789xyz"), label="replacement")
    if column == "after":
        # Keep the JSON well-formed: change a digit of a number inside it.
        digits = [i for i, char in enumerate(stored) if char.isdigit()]
        index = digits[position % len(digits)]
        replacement = data.draw(st.sampled_from("0123456789"), label="digit")
    changed = stored[:index] + replacement + stored[index + 1 :]
    if changed == stored:
        return
    with guards_off(connection, dialect):
        connection.execute(
            text(f"UPDATE audit_events SET {column} = :value WHERE id = :id"),
            {"value": changed, "id": target.id},
        )
        session.expire_all()
        assert verify(session).first_bad_event == target.id
    session.expire_all()


def test_audit_page_lists_events_and_verifies_the_chain(
    client: FlaskClient, users: People, login: Callable[..., Any]
) -> None:
    login(client, "auditor")
    page = client.get("/audit/").get_data(as_text=True)
    assert "Signed in" in page  # user.login, in words
    assert "Added a user" in page  # user.create
    verified = client.get("/audit/?verify=1").get_data(as_text=True)
    assert "Chain verified" in verified
    total = users.session.scalar(select(func.count(AuditEvent.id)))
    assert f"{total} events" in verified


def test_a_refused_request_leaves_no_audit_event(
    client: FlaskClient, users: People, login: Callable[..., Any], form_token: Callable[..., str]
) -> None:
    # The event and the change commit together: a request answered 4xx rolls both back.
    login(client, "admin")
    before = users.session.scalar(select(func.count(AuditEvent.id)))
    refused = client.post("/users", data={"username": "x", "role": "officer"})  # no CSRF token
    assert refused.status_code == 400
    assert users.session.scalar(select(func.count(AuditEvent.id))) == before
