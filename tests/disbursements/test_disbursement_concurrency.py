"""Batches raced on real connections: one approval posted, money spent once, one batch made,
one result file reconciled once.

On PostgreSQL the threads really overlap (the batch row, the event row and the cash accounts
are locked ``FOR UPDATE``); on SQLite they queue behind the write lock and the same assertions
hold.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from fund.audit.models import AuditEvent
from fund.auth.models import User
from fund.controls.models import PaymentClaim
from fund.disbursements.making import create_batch
from fund.disbursements.models import (
    BatchTransition,
    DisbursementBatch,
    PaymentLine,
    ResultImport,
)
from fund.disbursements.services import DoublePaymentRefused, InsufficientFunds, NothingToPay
from fund.disbursements.settling import ReconciliationResult, reconcile
from fund.entitlements.policy_versions import policy_for
from fund.entitlements.services import compute_for_event
from fund.events.models import Event
from fund.events.services import create_event
from ledger import verify
from ledger.models import JournalEntry
from ledger.queries import trial_balance
from tests.cli.test_cli_commands import cli_database_url  # noqa: F401
from tests.disbursements.committed import (
    EACH,
    approve_batch,
    fund_bank,
    paid_batch,
    people,  # noqa: F401
    result_file,
    submitted_batch,
)
from tests.entitlements.helpers import grade5, taka
from tests.reliability.conftest import at_once, committed_engine, committed_url  # noqa: F401

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def test_four_clicks_on_approve_at_once_post_once(
    committed_engine: Engine,  # noqa: F811
    people: dict[str, int],  # noqa: F811
) -> None:
    fund_bank(committed_engine, taka(1_000_000))
    batch_id = submitted_batch(committed_engine, people, "event1")
    results, errors = at_once(4, lambda _n: approve_batch(committed_engine, people, batch_id))
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
    people: dict[str, int],  # noqa: F811
) -> None:
    fund_bank(committed_engine, 3 * EACH)  # enough for one batch of two workers, not for two
    first = submitted_batch(committed_engine, people, "event1")
    second = submitted_batch(committed_engine, people, "event2")
    results, errors = at_once(
        2, lambda n: approve_batch(committed_engine, people, (first, second)[n])
    )
    assert results == ["approved"]
    assert len(errors) == 1
    assert isinstance(errors[0], InsufficientFunds)
    with Session(committed_engine) as session:
        assert trial_balance(session).balanced
        assert verify(session).ok


def test_two_officers_making_a_batch_of_one_event_at_once_make_one(
    committed_engine: Engine,  # noqa: F811
    people: dict[str, int],  # noqa: F811
) -> None:
    def make(_n: int) -> int:
        return submitted_batch(committed_engine, people, "event1")

    results, errors = at_once(3, make)
    assert len(results) == 1
    assert len(errors) == 2
    assert all(isinstance(error, NothingToPay) for error in errors)


def test_one_result_file_reconciled_by_four_at_once_takes_effect_once(
    committed_engine: Engine,  # noqa: F811
    people: dict[str, int],  # noqa: F811
) -> None:
    fund_bank(committed_engine, taka(1_000_000))
    batch_id = paid_batch(committed_engine, people, "event1")
    data = result_file(committed_engine, batch_id)

    def import_it(_n: int) -> ReconciliationResult:
        with Session(committed_engine) as session:
            batch = session.get(DisbursementBatch, batch_id)
            officer = session.get(User, people["officer"])
            assert batch is not None
            assert officer is not None
            result = reconcile(
                session,
                batch=batch,
                actor=officer,
                data=data,
                filename="result.csv",
                on=date(2024, 5, 6),
            )
            session.commit()
            return result

    results, errors = at_once(4, import_it)
    assert errors == []
    assert sorted(result.repeated for result in results) == [False, True, True, True]
    assert {(result.paid, result.failed, tuple(result.mismatches)) for result in results} == {
        (1, 1, ())
    }
    with Session(committed_engine) as session:
        assert session.scalar(select(func.count(ResultImport.id))) == 1
        assert sorted(
            session.scalars(select(PaymentLine.state).where(PaymentLine.batch_id == batch_id)).all()
        ) == ["failed", "paid"]
        moves = session.execute(
            select(BatchTransition.to_state, func.count(BatchTransition.id))
            .where(BatchTransition.batch_id == batch_id, BatchTransition.line_id.is_not(None))
            .group_by(BatchTransition.to_state)
        ).all()
        assert sorted(tuple(row) for row in moves) == [("failed", 1), ("paid", 1)]
        returns = session.scalar(
            select(func.count(JournalEntry.id)).where(
                JournalEntry.idempotency_key.startswith(f"batch:{batch_id}:result:")
            )
        )
        assert returns == 1  # the failed line's money back in the bank, once
        reconciled = session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "batches.reconcile")
        )
        assert reconciled == 1
        assert trial_balance(session).balanced
        assert verify(session).ok


def test_two_batches_paying_the_same_days_at_once_pay_them_once(
    committed_engine: Engine,  # noqa: F811
    people: dict[str, int],  # noqa: F811
) -> None:
    """Neither service check sees the other's uncommitted claims; the trigger's lock does."""
    with Session(committed_engine) as session:
        first = session.get(Event, people["event1"])
        assert first is not None
        overlapping = create_event(
            session,
            factory=first.factory,
            kind="suspension",
            start=date(2024, 3, 15),
            end=date(2024, 4, 13),
            actor=None,
        )
        compute_for_event(
            session,
            event=overlapping,
            policy_version=policy_for(session, "alliance-wage-replacement"),
            through=None,
            actor=None,
            rows=[  # event 1's two workers again: the same national IDs
                grade5(row=2 + n, worker_id=f"W-{n}", national_id=f"1{n:012d}") for n in range(2)
            ],
        )
        session.commit()
        events = {0: people["event1"], 1: overlapping.id}

    def make(n: int) -> int:
        with Session(committed_engine) as session:
            officer = session.get(User, people["officer"])
            event = session.get(Event, events[n])
            assert officer is not None
            assert event is not None
            batch = create_batch(session, event=event, actor=officer, secret_key="race")
            session.commit()
            return batch.id

    results, errors = at_once(2, make)
    assert len(results) == 1, errors
    assert len(errors) == 1
    assert isinstance(errors[0], DoublePaymentRefused), errors[0]
    with Session(committed_engine) as session:
        made = session.scalar(
            select(func.count()).where(DisbursementBatch.event_id.in_(list(events.values())))
        )
        assert made == 1
        claims = session.scalar(
            select(func.count()).select_from(PaymentClaim).where(PaymentClaim.active)
        )
        assert claims == 2  # one claim per worker, from the one batch
