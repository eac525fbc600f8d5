"""The event page and the API answer in the same number of queries for 3 or 60 workers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Any

from flask.testing import FlaskClient
from sqlalchemy import Connection, event
from sqlalchemy.orm import Session

from fund.auth.roles import Role
from fund.entitlements.policy_versions import policy_for
from fund.entitlements.services import compute_for_event
from fund.events.models import Event
from fund.events.services import create_event

from .helpers import grade5

if TYPE_CHECKING:
    from tests.conftest import People


@contextmanager
def counting(connection: Connection) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(connection, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", record)


def computed_event(session: Session, users: People, workers: int, code: str) -> Event:
    suspension = create_event(
        session,
        factory=users.factories[code],
        kind="suspension",
        start=date(2024, 3, 1),
        end=date(2024, 4, 29),
        actor=None,
    )
    rows = [
        grade5(row=i + 2, worker_id=f"W-{i}", national_id=f"{1_000_000_000 + i}")
        for i in range(workers)
    ]
    compute_for_event(
        session,
        event=suspension,
        policy_version=policy_for(session, "bangladesh-labour-act-layoff"),
        through=None,
        actor=None,
        rows=rows,
    )
    return suspension


def test_no_query_per_worker(
    client: FlaskClient,
    login: Callable[..., Any],
    session: Session,
    connection: Connection,
    users: People,
    api_token: Callable[..., str],
) -> None:
    small = computed_event(session, users, 3, "DHK-1")
    large = computed_event(session, users, 60, "GZP-2")
    bearer = {"Authorization": f"Bearer {api_token(users.by_role[Role.OFFICER])}"}
    login(client, "officer")
    counts = []
    for suspension in (small, large):
        with counting(connection) as page:
            assert client.get(f"/events/{suspension.id}").status_code == 200
        with counting(connection) as api:
            response = client.get(
                f"/api/v1/events/{suspension.id}/entitlements?per_page=100", headers=bearer
            )
            assert response.status_code == 200
        counts.append((len(page), len(api)))
    assert counts[0][0] > 0
    assert counts[0][1] > 0
    assert counts[0] == counts[1], counts
