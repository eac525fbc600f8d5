"""Concurrent writers on real connections: exactly one effect each, books balanced, chains whole.

Each guarantee and the mechanism that gives it (README, "What the fund guarantees"):
- ledger chain: one head row locked ``FOR UPDATE`` per post, so sequences are contiguous;
- overdraft: the protected accounts are locked ``FOR UPDATE`` in id order before the balance
  is read, so two posters cannot both spend the same money;
- idempotency: the head lock orders the retries, and a unique key on ``idempotency_key``
  backs it;
- audit chain: its own head row, locked ``FOR UPDATE``;
- roll versions: the factory row is locked ``FOR UPDATE`` before the current version is read,
  and ``(factory_id, version)`` is unique.
On SQLite every transaction takes the database's write lock at BEGIN, so the same races run
one after another; the assertions are the same.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from fund.audit.models import AuditEvent
from fund.audit.services import record
from fund.audit.services import verify as verify_audit
from fund.rolls.models import Roll, RollWorker
from fund.rolls.services import RollAlreadyImported, factory_by_code, import_roll
from ledger import Entry, InsufficientFunds, Posting, account, post, verify
from ledger.models import JournalEntry
from ledger.models import Posting as PostingRow
from ledger.queries import balance, trial_balance
from tests.reliability.conftest import AS_OF, at_once, open_books
from tests.rolls.roll_files import roll_csv

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

WRITERS = 8


def test_concurrent_posters_keep_the_chain_contiguous_and_the_books_balanced(
    committed_engine: Engine,
) -> None:
    open_books(committed_engine, 1_000_000, expense_accounts=WRITERS)
    per_writer = 5

    def post_entries(number: int) -> int:
        for n in range(per_writer):
            with Session(committed_engine) as session:
                expense = account(session, "5000", currency="BDT", factory=f"F{number}", event="1")
                bank = account(session, "1010")
                amount = 100 * (number + 1) + n
                post(
                    session,
                    Entry(
                        date(2026, 3, 2),
                        "payout",
                        f"payout-{number}-{n}",
                        (Posting(expense, amount), Posting(bank, -amount)),
                    ),
                )
                session.commit()
        return number

    done, errors = at_once(WRITERS, post_entries)
    assert errors == []
    assert sorted(done) == list(range(WRITERS))
    expected_spend = sum(100 * (w + 1) + n for w in range(WRITERS) for n in range(per_writer))
    with Session(committed_engine) as session:
        sequences = session.scalars(select(JournalEntry.sequence).order_by(JournalEntry.sequence))
        assert list(sequences) == list(range(1, WRITERS * per_writer + 2))
        result = verify(session)
        assert result.ok, result
        totals = trial_balance(session).totals
        assert set(totals) == {"BDT"}
        debit, credit = totals["BDT"]
        assert debit == credit
        assert balance(session, account(session, "1010")) == 1_000_000 - expected_spend


def test_two_posters_draining_one_bank_pay_exactly_what_it_holds(committed_engine: Engine) -> None:
    opening, withdrawal, tries = 1_000, 70, 10
    open_books(committed_engine, opening, expense_accounts=WRITERS)
    observed: list[int] = []

    def drain(number: int) -> int:
        paid = 0
        for attempt in range(tries):
            with Session(committed_engine) as session:
                bank = account(session, "1010")
                expense = account(session, "5000", currency="BDT", factory=f"F{number}", event="1")
                entry = Entry(
                    date(2026, 3, 2),
                    "payout",
                    f"drain-{number}-{attempt}",
                    (Posting(expense, withdrawal), Posting(bank, -withdrawal)),
                )
                try:
                    post(session, entry, no_overdraft=[bank])
                except InsufficientFunds:
                    session.rollback()
                    continue
                observed.append(balance(session, bank))  # inside the lock: what it left
                session.commit()
                paid += 1
        return paid

    paid, errors = at_once(2, drain)
    assert errors == []
    assert sum(paid) == opening // withdrawal
    assert min(observed) >= 0
    with Session(committed_engine) as session:
        assert balance(session, account(session, "1010")) == opening % withdrawal
        assert verify(session).ok


def test_one_idempotency_key_posted_from_two_threads_at_once_is_one_entry(
    committed_engine: Engine,
) -> None:
    open_books(committed_engine, 1_000, expense_accounts=WRITERS)

    def gift(_number: int) -> int:
        with Session(committed_engine) as session:
            bank, fund_balance = account(session, "1010"), account(session, "3000", currency="BDT")
            entry = Entry(
                date(2026, 3, 3),
                "NORD gift",
                "gift-once",
                (Posting(bank, 500), Posting(fund_balance, -500)),
            )
            posted = post(session, entry).id
            session.commit()
            return posted

    ids, errors = at_once(4, gift)
    assert errors == []
    assert len(set(ids)) == 1
    with Session(committed_engine) as session:
        assert session.scalar(select(func.count()).select_from(JournalEntry)) == 2
        assert session.scalar(select(func.count()).select_from(PostingRow)) == 4
        assert balance(session, account(session, "1010")) == 1_500
        assert verify(session).ok


def test_concurrent_audit_writers_never_fork_the_chain(committed_engine: Engine) -> None:
    per_writer = 10

    def write(number: int) -> int:
        for n in range(per_writer):
            with Session(committed_engine) as session:
                record(
                    session,
                    actor=None,
                    action="test.race",
                    object_type="x",
                    object_id=f"{number}-{n}",
                )
                session.commit()
        return number

    _, errors = at_once(WRITERS, write)
    assert errors == []
    with Session(committed_engine) as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert len(events) == WRITERS * per_writer
        # One chain: every event links to the one before it, none shares a predecessor.
        assert len({event.previous_hash for event in events}) == len(events)
        assert verify_audit(session).ok


def _import(engine: Engine, code: str, data: bytes) -> str:
    with Session(engine) as session:
        factory = factory_by_code(session, code)
        assert factory is not None
        try:
            roll = import_roll(
                session, factory=factory, source=data, filename="roll.csv", as_of=AS_OF, actor=None
            )
        except RollAlreadyImported:
            session.rollback()
            return "already"
        session.commit()
        return f"version {roll.version}"


def test_the_same_roll_imported_twice_at_once_is_one_version(
    committed_engine: Engine, factory_code: str
) -> None:
    data = roll_csv(300)
    outcomes, errors = at_once(2, lambda _n: _import(committed_engine, factory_code, data))
    assert errors == []  # the loser is told "already imported", not a constraint error
    assert sorted(outcomes) == ["already", "version 1"]
    with Session(committed_engine) as session:
        assert session.scalar(select(func.count()).select_from(Roll)) == 1
        assert session.scalar(select(func.count()).select_from(RollWorker)) == 300
        assert verify_audit(session).ok


def test_two_different_rolls_imported_at_once_become_two_versions(
    committed_engine: Engine, factory_code: str
) -> None:
    files = [roll_csv(200), roll_csv(250)]
    outcomes, errors = at_once(2, lambda n: _import(committed_engine, factory_code, files[n]))
    assert errors == []
    assert sorted(outcomes) == ["version 1", "version 2"]
    with Session(committed_engine) as session:
        versions = session.execute(
            select(Roll.version, Roll.worker_count).order_by(Roll.version)
        ).all()
        assert [v for v, _ in versions] == [1, 2]
        assert {count for _, count in versions} == {200, 250}
