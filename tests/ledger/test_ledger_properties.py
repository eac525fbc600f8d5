"""Properties of the books, checked by hypothesis against the real database.

A state machine posts random entries, reversals, conversions and period closes, and tries
refused operations; after every step each currency's trial balance is zero, the balances equal
a model kept in plain Python, and a refused operation changed nothing.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from sqlalchemy import Connection, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ledger import (
    Account,
    Entry,
    InsufficientFunds,
    JournalEntry,
    LedgerError,
    Posting,
    account,
    close_period,
    convert,
    post,
    post_many,
    reverse,
    verify,
)
from ledger.money import from_minor, to_minor
from ledger.queries import balance, trial_balance

pytestmark = pytest.mark.slow

START = date(2026, 1, 1)
amounts = st.integers(min_value=1, max_value=10**9)


class Books(RuleBasedStateMachine):
    """Random bookkeeping against a model of what every balance must be."""

    engine: Engine

    def __init__(self) -> None:
        super().__init__()
        self.connection: Connection = self.engine.connect()
        self.transaction = self.connection.begin()
        self.session = Session(bind=self.connection, join_transaction_mode="create_savepoint")
        self.expected: dict[int, int] = defaultdict(int)
        self.entries: list[tuple[JournalEntry, dict[int, int]]] = []
        self.reversed: set[int] = set()
        self.reversals: list[JournalEntry] = []
        self.requests: list[tuple[Entry, int]] = []  # what was asked, and the entry it made
        self.closed: date | None = None
        self.day = START
        self.keys = 0

    @initialize()
    def open_accounts(self) -> None:
        s = self.session
        self.bdt: list[Account] = [
            account(s, "1010"),
            account(s, "1020"),
            account(s, "3000", currency="BDT"),
            account(s, "5000", currency="BDT", factory="F1", event="1"),
        ]
        self.usd: list[Account] = [account(s, "1000"), account(s, "3000", currency="USD")]

    def teardown(self) -> None:
        self.session.close()
        self.transaction.rollback()
        self.connection.close()

    def _key(self) -> str:
        self.keys += 1
        return f"key-{self.keys}"

    def _overdraws(self, change: dict[int, int]) -> bool:
        """Whether ``change`` takes a cash account below zero (entries are never backdated here)."""
        cash = {self.bdt[0].id, self.bdt[1].id, self.usd[0].id}
        return any(
            delta < 0 and self.expected[account_id] + delta < 0
            for account_id, delta in change.items()
            if account_id in cash
        )

    def _refused(self, request: Entry, *, many: list[Entry] | None = None) -> None:
        """Post what the ledger must refuse (cash below zero) and check nothing changed."""
        before = self._snapshot()
        with pytest.raises(InsufficientFunds):
            post_many(self.session, many) if many is not None else post(self.session, request)
        assert self._snapshot() == before

    def _snapshot(self) -> tuple[int, int]:
        row = self.connection.execute(
            text(
                "SELECT (SELECT count(*) FROM ledger_entries),"
                " (SELECT count(*) FROM ledger_postings)"
            )
        ).one()
        return int(row[0]), int(row[1])

    @rule(
        pairs=st.lists(
            st.tuples(st.integers(0, 3), st.integers(0, 3), amounts), min_size=1, max_size=4
        ),
        days=st.integers(0, 3),
    )
    def post_transfers(self, pairs: list[tuple[int, int, int]], days: int) -> None:
        self.day += timedelta(days=days)
        assume(self.closed is None or self.day > self.closed)
        assume(all(debit != credit for debit, credit, _ in pairs))
        lines = []
        change: dict[int, int] = defaultdict(int)
        for debit, credit, amount in pairs:
            lines += [Posting(self.bdt[debit], amount), Posting(self.bdt[credit], -amount)]
            change[self.bdt[debit].id] += amount
            change[self.bdt[credit].id] -= amount
        request = Entry(self.day, "transfer", self._key(), tuple(lines))
        if self._overdraws(change):
            self._refused(request)
            return
        entry = post(self.session, request)
        self.requests.append((request, entry.id))
        self.entries.append((entry, dict(change)))
        for account_id, amount in change.items():
            self.expected[account_id] += amount

    @rule(amount=amounts)
    def receive_usd(self, amount: int) -> None:
        assume(self.closed is None or self.day > self.closed)
        bank, fund = self.usd
        request = Entry(
            self.day, "usd in", self._key(), (Posting(bank, amount), Posting(fund, -amount))
        )
        entry = post(self.session, request)
        self.requests.append((request, entry.id))
        change = {bank.id: amount, fund.id: -amount}
        self.entries.append((entry, change))
        for account_id, delta in change.items():
            self.expected[account_id] += delta

    @rule(share=st.integers(1, 100), rate=st.decimals("0.01", "500", places=4))
    def convert_usd(self, share: int, rate: Decimal) -> None:
        assume(self.closed is None or self.day > self.closed)
        bank = self.usd[0]
        held = self.expected[bank.id]
        amount = held * share // 100
        assume(amount > 0)
        target = to_minor(from_minor(amount, "USD") * rate, "BDT", rounding="half_up")
        assume(target > 0)
        convert(
            self.session,
            source=bank,
            target=self.bdt[0],
            source_amount=amount,
            rate=rate,
            effective_date=self.day,
            memo="fx",
            idempotency_key=self._key(),
        )
        self.expected[bank.id] -= amount
        self.expected[self.bdt[0].id] += target
        self.expected[account(self.session, "1900", currency="USD").id] += amount
        self.expected[account(self.session, "1900", currency="BDT").id] -= target

    @rule(pick=st.integers(min_value=0))
    def reverse_an_entry(self, pick: int) -> None:
        assume(self.entries)
        assume(self.closed is None or self.day > self.closed)
        entry, change = self.entries[pick % len(self.entries)]
        assume(entry.id not in self.reversed)
        if self._overdraws({account_id: -amount for account_id, amount in change.items()}):
            before = self._snapshot()
            with pytest.raises(InsufficientFunds):
                reverse(self.session, entry, effective_date=self.day)
            assert self._snapshot() == before
            return
        self.reversals.append(reverse(self.session, entry, effective_date=self.day))
        self.reversed.add(entry.id)
        for account_id, amount in change.items():
            self.expected[account_id] -= amount

    @rule(pick=st.integers(min_value=0))
    def retry_a_request(self, pick: int) -> None:
        assume(self.requests)
        request, entry_id = self.requests[pick % len(self.requests)]
        before = self._snapshot()
        # A true retry answers with the first entry, even after its period closed.
        assert post(self.session, request).id == entry_id
        assert self._snapshot() == before

    @rule(
        batch=st.lists(
            st.tuples(st.integers(0, 3), st.integers(0, 3), amounts), min_size=1, max_size=5
        )
    )
    def post_a_batch(self, batch: list[tuple[int, int, int]]) -> None:
        assume(self.closed is None or self.day > self.closed)
        assume(all(debit != credit for debit, credit, _ in batch))
        requests = [
            Entry(
                self.day,
                "batch line",
                self._key(),
                (Posting(self.bdt[debit], amount), Posting(self.bdt[credit], -amount)),
            )
            for debit, credit, amount in batch
        ]
        total: dict[int, int] = defaultdict(int)
        for debit, credit, amount in batch:
            total[self.bdt[debit].id] += amount
            total[self.bdt[credit].id] -= amount
        if self._overdraws(total):
            self._refused(requests[0], many=requests)
            return
        ids = post_many(self.session, requests)
        for request, entry_id, (debit, credit, amount) in zip(requests, ids, batch, strict=True):
            self.requests.append((request, entry_id))
            entry = self.session.get(JournalEntry, entry_id)
            assert entry is not None
            change = {self.bdt[debit].id: amount, self.bdt[credit].id: -amount}
            self.entries.append((entry, change))
            for account_id, delta in change.items():
                self.expected[account_id] += delta

    @rule()
    def close_the_books_through_yesterday(self) -> None:
        through = self.day - timedelta(days=1)
        assume(self.closed is None or through > self.closed)
        close_period(self.session, through=through, by="property test")
        self.closed = through

    @rule(data=st.data())
    def refused_operations_change_nothing(self, data: st.DataObject) -> None:
        before = self._snapshot()
        kind = data.draw(
            st.sampled_from(
                [
                    "unbalanced",
                    "closed",
                    "retry-conflict",
                    "overdraft",
                    "reverse-a-reversal",
                    "reverse-into-closed",
                ]
            )
        )
        try:
            if kind == "unbalanced":
                amount = data.draw(amounts)
                post(
                    self.session,
                    Entry(
                        self.day,
                        "bad",
                        self._key(),
                        (Posting(self.bdt[0], amount), Posting(self.bdt[2], 1 - amount)),
                    ),
                )
            elif kind == "closed":
                assume(self.closed is not None)
                assert self.closed is not None
                post(
                    self.session,
                    Entry(
                        self.closed,
                        "late",
                        self._key(),
                        (Posting(self.bdt[0], 1), Posting(self.bdt[2], -1)),
                    ),
                )
            elif kind == "retry-conflict":
                assume(self.entries)
                entry, _ = self.entries[-1]
                post(
                    self.session,
                    Entry(
                        self.day,
                        "other",
                        entry.idempotency_key,
                        (Posting(self.bdt[0], 7), Posting(self.bdt[2], -7)),
                    ),
                )
            elif kind == "reverse-a-reversal":
                assume(self.reversals)
                reversal = self.reversals[data.draw(st.integers(0, len(self.reversals) - 1))]
                reverse(self.session, reversal, effective_date=self.day)
            elif kind == "reverse-into-closed":
                assume(self.closed is not None)
                assert self.closed is not None
                candidates = [e for e, _ in self.entries if e.id not in self.reversed]
                assume(candidates)
                reverse(self.session, candidates[-1], effective_date=self.closed)
            else:
                bank = self.bdt[1]
                held = self.expected[bank.id]
                post(
                    self.session,
                    Entry(
                        self.day,
                        "too much",
                        self._key(),
                        (
                            Posting(self.bdt[3], max(held, 0) + 1),
                            Posting(bank, -(max(held, 0) + 1)),
                        ),
                    ),
                    no_overdraft=[bank] if held >= 0 else [],
                )
                assume(held >= 0)
        except LedgerError:
            pass
        else:
            raise AssertionError(f"{kind} was not refused")
        assert self._snapshot() == before

    @invariant()
    def books_balance_and_match_the_model(self) -> None:
        if not hasattr(self, "bdt"):
            return
        report = trial_balance(self.session)
        assert report.balanced
        for acct in [*self.bdt, *self.usd]:
            assert balance(self.session, acct) == self.expected[acct.id]

    def check_chain_at_the_end(self) -> None:
        assert verify(self.session).ok


@pytest.fixture
def books(engine: Engine) -> type[Books]:
    Books.engine = engine
    return Books


def test_bookkeeping_keeps_every_currency_balanced(books: type[Books]) -> None:
    # A full verify after every step would be slow; the last state's chain is checked below.
    class Checked(books):  # type: ignore[valid-type, misc]
        def teardown(self) -> None:
            self.check_chain_at_the_end()
            super().teardown()

    Checked.TestCase.settings = settings(
        max_examples=25,
        stateful_step_count=15,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    Checked.TestCase().runTest()


# Every stored value the chain covers: the entry's own columns, its link, and its postings.
HASHED_FIELDS = [
    "memo",
    "idempotency_key",
    "reference",
    "effective_date",
    "rate",
    "recorded_at",
    "sequence",
    "previous_hash",
    "hash",
    "postings.amount",
    "postings.currency",
    "postings.account_id",
]


def _flip_text(original: str, position: int, bit: int) -> str:
    """``original`` with one bit of one character flipped (never to NUL, which PG refuses)."""
    index = position % len(original)
    flipped = chr(ord(original[index]) ^ (1 << bit))
    if flipped == "\x00":
        flipped = chr(ord(original[index]) ^ (1 << ((bit + 1) % 7)))
    return original[:index] + flipped + original[index + 1 :]


@pytest.mark.parametrize("field", HASHED_FIELDS)
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    which=st.integers(0, 2),
    position=st.integers(0, 100),
    bit=st.integers(0, 6),
)
def test_any_single_changed_byte_is_detected(
    engine: Engine, field: str, which: int, position: int, bit: int
) -> None:
    with engine.connect() as connection, connection.begin():
        session = Session(bind=connection, join_transaction_mode="create_savepoint")
        usd, bdt = account(session, "1000"), account(session, "1010")
        fund = account(session, "3000", currency="USD")
        accounts = [usd, bdt, fund, account(session, "3000", currency="BDT")]
        entries = [
            post(
                session,
                Entry(
                    date(2026, 2, 1),
                    "gift from NORD",
                    "g-1",
                    (Posting(usd, 50_000), Posting(fund, -50_000)),
                    reference="pledge:1",
                ),
            ),
            convert(
                session,
                source=usd,
                target=bdt,
                source_amount=20_000,
                rate=Decimal("121.37"),
                effective_date=date(2026, 2, 2),
                memo="to taka",
                idempotency_key="fx-1",
                reference="fx:1",
            ),
            post(
                session,
                Entry(
                    date(2026, 2, 3),
                    "second gift",
                    "g-2",
                    (Posting(usd, 700), Posting(fund, -700)),
                    reference="pledge:2",
                ),
            ),
        ]
        session.flush()
        target = entries[which]
        if field == "rate" and target.rate is None:
            field = "memo"
        if connection.dialect.name == "postgresql":
            # Also switches off foreign keys: an attacker may point a posting anywhere.
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            connection.execute(text("DROP TRIGGER ledger_entries_update"))
            connection.execute(text("DROP TRIGGER ledger_postings_update"))
        table, column = "ledger_entries", field
        if field.startswith("postings."):
            table, column = "ledger_postings", field.removeprefix("postings.")
            ids = connection.execute(
                text("SELECT id FROM ledger_postings WHERE entry_id = :id ORDER BY id"),
                {"id": target.id},
            ).scalars()
            row_id = list(ids)[position % 2]
        else:
            row_id = target.id
        original = connection.execute(
            text(f"SELECT {column} FROM {table} WHERE id = :id"),
            {"id": row_id},
        ).scalar_one()
        changed: object
        if column == "effective_date":
            # A date must stay a date for the database to hold it: move it a day instead.
            changed = date.fromisoformat(str(original)) + timedelta(days=1 + bit)
        elif column == "recorded_at":
            moment = (
                original if isinstance(original, datetime) else datetime.fromisoformat(original)
            )
            changed = moment + timedelta(microseconds=1 << bit)
        elif column == "sequence":
            changed = int(original) + 10 + bit  # still unique: only three entries exist
        elif column in ("amount", "account_id"):
            changed = int(original) ^ (1 << bit)
            if column == "account_id":  # another of the test's accounts, never itself
                others = [a.id for a in accounts if a.id != original]
                changed = others[(position + bit) % len(others)]
        else:
            changed = _flip_text(str(original), position, bit)
        connection.execute(
            text(f"UPDATE {table} SET {column} = :value WHERE id = :id"),
            {"value": changed, "id": row_id},
        )
        session.expire_all()
        result = verify(session)
        assert not result.ok
        assert result.first_bad_entry == target.id
        session.close()
        connection.rollback()
