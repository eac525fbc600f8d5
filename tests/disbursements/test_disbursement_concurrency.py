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
from fund.disbursements.models import (
    BatchTransition,
    DisbursementBatch,
    PaymentLine,
    ResultImport,
)
from fund.disbursements.services import (
    InsufficientFunds,
    NothingToPay,
    ReconciliationResult,
    reconcile,
)
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
from tests.entitlements.helpers import taka
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
