"""Batches raced on real connections: one approval posted, money spent once, one batch made.

On PostgreSQL the threads really overlap (the batch row, the event row and the cash accounts
are locked ``FOR UPDATE``); on SQLite they queue behind the write lock and the same assertions
hold.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from fund.auth.models import User
from fund.auth.roles import Role
from fund.auth.services import create_user
from fund.disbursements.models import BatchTransition, DisbursementBatch
from fund.disbursements.services import (
    InsufficientFunds,
    NothingToPay,
    approve,
    create_batch,
    submit,
)
from fund.entitlements.services import compute_for_event, install_shipped_policies
from fund.events.models import Event
from fund.events.services import create_event
from fund.factories.models import Factory
from ledger import Entry, Posting, account, post, verify
from ledger.models import JournalEntry
from ledger.queries import trial_balance
from tests.cli.test_cli_commands import cli_database_url  # noqa: F401
from tests.entitlements.helpers import grade7, taka
from tests.reliability.conftest import at_once, committed_engine, committed_url  # noqa: F401

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
SECRET = "race"
EACH = taka(25_000)  # 60 days of a grade-7 gross under the alliance policy


@pytest.fixture
def people(committed_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:  # noqa: F811
    """Committed: an officer, an approver, a factory with two suspended events, computed."""
    monkeypatch.setattr(
        "fund.auth.services.generate_password_hash",
        functools.partial(generate_password_hash, method="pbkdf2:sha256:1000"),
    )
    with Session(committed_engine) as session:
        ids = {}
        for name, role in (("officer", Role.OFFICER), ("approver", Role.APPROVER)):
            user, _ = create_user(session, username=name, role=role, password="race-pass-1234")
            session.flush()
            ids[name] = user.id
        factory = Factory(code="DHK-1", name="Rupali Knit", country="BD")
        session.add(factory)
        versions = {v.name: v for v in install_shipped_policies(session)}
        for number in (1, 2):
            event = create_event(
                session,
                factory=factory,
                kind="suspension",
                start=date(2024, 3, number),
                end=date(2024, 3, number) + timedelta(days=59),
                actor=None,
            )
            compute_for_event(
                session,
                event=event,
                policy_version=versions["alliance-wage-replacement"],
                through=None,
                actor=None,
                rows=[
                    # other people in each event: the same ones would be a double payment
                    grade7(row=2 + n, worker_id=f"W-{n}", national_id=f"{number}{n:012d}")
                    for n in range(2)
                ],
            )
            ids[f"event{number}"] = event.id
        session.commit()
    return ids


def _fund(engine: Engine, amount: int) -> None:
    with Session(engine) as session:
        post(
            session,
            Entry(
                date(2024, 1, 2),
                "opening",
                "opening",
                (
                    Posting(account(session, "1010"), amount),
                    Posting(account(session, "3000", currency="BDT"), -amount),
                ),
            ),
        )
        session.commit()


def _submitted(engine: Engine, people: dict[str, int], event_key: str) -> int:
    with Session(engine) as session:
        officer = session.get(User, people["officer"])
        event = session.get(Event, people[event_key])
        assert officer is not None
        assert event is not None
        batch = create_batch(session, event=event, actor=officer, secret_key=SECRET)
        submit(session, batch=batch, actor=officer)
        session.commit()
        return batch.id


def _approve(engine: Engine, people: dict[str, int], batch_id: int) -> str:
    with Session(engine) as session:
        batch = session.get(DisbursementBatch, batch_id)
        approver = session.get(User, people["approver"])
        assert batch is not None
        assert approver is not None
        approve(session, batch=batch, actor=approver, on=date(2024, 5, 2))
        session.commit()
        return batch.state


def test_four_clicks_on_approve_at_once_post_once(
    committed_engine: Engine,  # noqa: F811
    people: dict[str, int],
) -> None:
    _fund(committed_engine, taka(1_000_000))
    batch_id = _submitted(committed_engine, people, "event1")
    results, errors = at_once(4, lambda _n: _approve(committed_engine, people, batch_id))
    assert errors == []
    assert results == ["approved"] * 4
    with Session(committed_engine) as session:
        key = f"batch:{batch_id}:approve"
        assert (
            session.scalar(
                select(func.count(JournalEntry.id)).where(JournalEntry.idempotency_key == key)
            )
            == 1
        )
        assert (
            session.scalar(
                select(func.count(BatchTransition.id)).where(
                    BatchTransition.batch_id == batch_id, BatchTransition.to_state == "approved"
                )
            )
            == 1
        )
        assert trial_balance(session).balanced
        assert verify(session).ok


def test_two_batches_cannot_both_spend_the_same_money(
    committed_engine: Engine,  # noqa: F811
    people: dict[str, int],
) -> None:
    _fund(committed_engine, 3 * EACH)  # enough for one batch of two workers, not for two
    first = _submitted(committed_engine, people, "event1")
    second = _submitted(committed_engine, people, "event2")
    results, errors = at_once(2, lambda n: _approve(committed_engine, people, (first, second)[n]))
    assert results == ["approved"]
    assert len(errors) == 1
    assert isinstance(errors[0], InsufficientFunds)
    with Session(committed_engine) as session:
        assert trial_balance(session).balanced
        assert verify(session).ok


def test_two_officers_making_a_batch_of_one_event_at_once_make_one(
    committed_engine: Engine,  # noqa: F811
    people: dict[str, int],
) -> None:
    def make(_n: int) -> int:
        return _submitted(committed_engine, people, "event1")

    results, errors = at_once(3, make)
    assert len(results) == 1
    assert len(errors) == 2
    assert all(isinstance(error, NothingToPay) for error in errors)
