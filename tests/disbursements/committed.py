"""Committed disbursement data for tests on real connections (races, kills, lost databases).

``people`` makes an officer, an approver and a factory with two suspended events, each
computed for two grade-5 workers paid in cash; the helpers take a batch through its steps,
each in a session of its own that commits.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from fund.auth.models import User
from fund.auth.roles import Role
from fund.auth.services import create_user
from fund.disbursements.approving import approve, submit
from fund.disbursements.making import create_batch
from fund.disbursements.models import DisbursementBatch, PaymentLine
from fund.disbursements.paying import pay
from fund.entitlements.policy_versions import install_shipped_policies
from fund.entitlements.services import compute_for_event
from fund.events.models import Event
from fund.events.services import create_event
from fund.factories.models import Factory
from ledger import Entry, Posting, account, post
from tests.entitlements.helpers import grade5, taka

SECRET = "race"
EACH = taka(25_000)  # 60 days of a grade-5 gross under the alliance policy
PASSWORD = "race-pass-1234"


@pytest.fixture
def people(committed_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Committed: an officer, an approver, a factory with two suspended events, computed."""
    monkeypatch.setattr(
        "fund.auth.services.generate_password_hash",
        functools.partial(generate_password_hash, method="pbkdf2:sha256:1000"),
    )
    with Session(committed_engine) as session:
        ids = {}
        for name, role in (("officer", Role.OFFICER), ("approver", Role.APPROVER)):
            user, _ = create_user(session, username=name, role=role, password=PASSWORD)
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
                    grade5(row=2 + n, worker_id=f"W-{n}", national_id=f"{number}{n:012d}")
                    for n in range(2)
                ],
            )
            ids[f"event{number}"] = event.id
        session.commit()
    return ids


def fund_bank(engine: Engine, amount: int) -> None:
    """Put BDT in the bank (Dr 1010 / Cr 3000), committed."""
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


def submitted_batch(engine: Engine, people: dict[str, int], event_key: str) -> int:
    """A batch of the event made and submitted by the officer, committed."""
    with Session(engine) as session:
        officer = session.get(User, people["officer"])
        event = session.get(Event, people[event_key])
        assert officer is not None
        assert event is not None
        batch = create_batch(session, event=event, actor=officer, secret_key=SECRET)
        submit(session, batch=batch, actor=officer)
        session.commit()
        return batch.id


def approve_batch(engine: Engine, people: dict[str, int], batch_id: int) -> str:
    """The approver approves the batch in a session of its own; its state afterwards."""
    with Session(engine) as session:
        batch = session.get(DisbursementBatch, batch_id)
        approver = session.get(User, people["approver"])
        assert batch is not None
        assert approver is not None
        approve(session, batch=batch, actor=approver, on=date(2024, 5, 2))
        session.commit()
        return batch.state


def paid_batch(engine: Engine, people: dict[str, int], event_key: str) -> int:
    """A batch of the event submitted, approved and paid out, committed."""
    batch_id = submitted_batch(engine, people, event_key)
    approve_batch(engine, people, batch_id)
    with Session(engine) as session:
        batch = session.get(DisbursementBatch, batch_id)
        officer = session.get(User, people["officer"])
        assert batch is not None
        assert officer is not None
        pay(session, batch=batch, actor=officer, on=date(2024, 5, 3))
        session.commit()
    return batch_id


def result_file(engine: Engine, batch_id: int) -> bytes:
    """The provider's answer: the first line paid, the second failed."""
    with Session(engine) as session:
        numbers = session.scalars(
            select(PaymentLine.receipt_number)
            .where(PaymentLine.batch_id == batch_id)
            .order_by(PaymentLine.receipt_number)
        ).all()
    assert len(numbers) == 2
    return (
        "reference,amount,status,message\n"
        f"{numbers[0]},25000.00,paid,\n"
        f"{numbers[1]},25000.00,failed,wallet closed\n"
    ).encode()
