"""The ledger's value types, chart data and hashes, checked without a database."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger import (
    CHART,
    CurrencyMismatch,
    Entry,
    Posting,
    TooFewPostings,
    UnbalancedEntry,
    UnknownAccount,
    ZeroAmount,
)
from ledger.chain import GENESIS_HASH, entry_hash, request_hash
from ledger.chart import dimension_key
from ledger.models import ACCOUNT_TYPES, Account


def _account(code: str, currency: str, **dimensions: str) -> Account:
    """A transient account (never added to a session): enough for the value rules."""
    line = CHART[code]
    return Account(
        code=code,
        name=line.name,
        type=line.type,
        currency=currency,
        dimension_key=dimension_key(dict(dimensions)),
        **dimensions,
    )


BANK_BDT = _account("1010", "BDT")
FUND_BDT = _account("3000", "BDT")
BANK_USD = _account("1000", "USD")
FUND_USD = _account("3000", "USD")
DAY = date(2026, 3, 1)


def _entry(*lines: tuple[Account, int]) -> Entry:
    return Entry(DAY, "test", "k-1", tuple(Posting(acct, amount) for acct, amount in lines))


def test_a_balanced_entry_in_two_currencies_passes() -> None:
    _entry((BANK_BDT, 500), (FUND_BDT, -500), (BANK_USD, 7), (FUND_USD, -7)).check()


@pytest.mark.parametrize(
    ("lines", "error", "message"),
    [
        (((BANK_BDT, 500), (FUND_BDT, -499)), UnbalancedEntry, "BDT off by 1"),
        # Balanced overall but not per currency: 500 taka do not pay 500 cents.
        (((BANK_BDT, 500), (FUND_USD, -500)), UnbalancedEntry, "BDT off by 500"),
        (((BANK_BDT, 500),), TooFewPostings, "fewer than two"),
        (((BANK_BDT, 0), (FUND_BDT, 0)), ZeroAmount, "posting 1"),
        (((BANK_BDT, 5), (FUND_BDT, 0), (FUND_BDT, -5)), ZeroAmount, "posting 2"),
    ],
)
def test_entries_breaking_a_rule_name_it(
    lines: tuple[tuple[Account, int], ...], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        _entry(*lines).check()


def test_a_posting_in_another_currency_than_its_account_is_named() -> None:
    entry = Entry(DAY, "m", "k", (Posting(BANK_BDT, 5, currency="USD"), Posting(FUND_BDT, -5)))
    with pytest.raises(CurrencyMismatch, match="posting 1 is in USD but account 1010"):
        entry.check()


@pytest.mark.parametrize("amount", [Decimal("5"), 5.0, True])
def test_amounts_are_int_minor_units_only(amount: object) -> None:
    with pytest.raises(TypeError, match="int minor units"):
        _entry((BANK_BDT, amount), (FUND_BDT, -5)).check()  # type: ignore[arg-type]


def test_value_types_are_immutable() -> None:
    entry = _entry((BANK_BDT, 5), (FUND_BDT, -5))
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.memo = "changed"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.postings[0].amount = 6  # type: ignore[misc]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(-(10**12), 10**12).filter(bool), min_size=1, max_size=20))
def test_any_lines_with_a_balancing_line_pass(amounts: list[int]) -> None:
    total = sum(amounts)
    lines = [(BANK_BDT, amount) for amount in amounts]
    if total:  # lines that already cancel out (two or more) need no balancing line
        lines.append((FUND_BDT, -total))
    _entry(*lines).check()
    if total:
        with pytest.raises(UnbalancedEntry):
            _entry(*lines[:-1], (FUND_BDT, -total + 1 if total != 1 else -total - 1)).check()


def test_the_chart_is_the_designed_one() -> None:
    designed = {
        "1000": ("Bank USD", "asset", "USD", ()),
        "1010": ("Bank BDT", "asset", "BDT", ()),
        "1020": ("Mobile-money float BDT", "asset", "BDT", ()),
        "1100": ("Contributions receivable", "asset", None, ("brand",)),
        "1200": ("Factory share receivable", "asset", None, ("factory",)),  # co-payment
        "1900": ("Currency exchange", "asset", None, ()),
        "2000": ("Entitlements payable", "liability", None, ("event",)),
        "2100": ("Unclaimed payouts", "liability", None, ()),
        "3000": ("Fund balance", "net_assets", None, ()),
        "4000": ("Contributions", "income", None, ("brand",)),
        "4200": ("FX gain", "income", "BDT", ()),
        "5000": ("Worker compensation", "expense", None, ("factory", "event")),
        "5100": ("Payment fees", "expense", None, ()),
        "5200": ("FX loss", "expense", "BDT", ()),
    }
    assert {
        code: (line.name, line.type, line.currency, line.dimensions) for code, line in CHART.items()
    } == designed
    assert {line.type for line in CHART.values()} <= set(ACCOUNT_TYPES)


def test_dimension_keys_are_canonical() -> None:
    assert dimension_key({"factory": "DHK-017", "event": 7}) == "event=7;factory=DHK-017"
    assert dimension_key({"event": "7", "factory": "DHK-017", "brand": None}) == (
        "event=7;factory=DHK-017"
    )
    with pytest.raises(UnknownAccount, match="colour"):
        dimension_key({"colour": "red"})


LINES = [("1010", "", "BDT", 500), ("3000", "", "BDT", -500)]
CONTENT: dict[str, object] = {
    "previous_hash": GENESIS_HASH,
    "sequence": 1,
    "effective_date": DAY,
    "recorded_at": datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
    "memo": "gift from NORD",
    "idempotency_key": "pledge:1",
    "reference": "pledge:1",
    "rate": None,
    "reverses_id": None,
    "postings": LINES,
}


def test_the_entry_hash_ignores_posting_order_and_naive_utc() -> None:
    first = entry_hash(**CONTENT)  # type: ignore[arg-type]
    assert len(first) == 64
    reordered = {**CONTENT, "postings": list(reversed(LINES))}
    assert entry_hash(**reordered) == first  # type: ignore[arg-type]
    # SQLite hands the recorded time back without a zone; it is UTC all the same.
    naive = {**CONTENT, "recorded_at": datetime(2026, 3, 1, 9, 30)}  # noqa: DTZ001
    assert entry_hash(**naive) == first  # type: ignore[arg-type]


CHANGES: dict[str, object] = {
    "previous_hash": "1" * 64,
    "sequence": 2,
    "effective_date": DAY + timedelta(days=1),
    "recorded_at": datetime(2026, 3, 1, 9, 30, 0, 1, tzinfo=UTC),
    "memo": "gift from NORE",
    "idempotency_key": "pledge:2",
    "reference": None,
    "rate": "121.5",
    "reverses_id": 4,
    "postings": [("1010", "", "BDT", 501), ("3000", "", "BDT", -501)],
}


@pytest.mark.parametrize("field", sorted(CHANGES))
def test_every_hashed_field_changes_the_hash(field: str) -> None:
    changed = {**CONTENT, field: CHANGES[field]}
    assert entry_hash(**changed) != entry_hash(**CONTENT)  # type: ignore[arg-type]


def test_the_request_hash_covers_what_was_asked_only() -> None:
    asked = {"effective_date": DAY, "memo": "m", "reference": "r", "rate": None, "postings": LINES}
    assert request_hash(**asked) == request_hash(  # type: ignore[arg-type]
        **{**asked, "postings": list(reversed(LINES))}
    )
    assert request_hash(**asked) != request_hash(**{**asked, "memo": "n"})  # type: ignore[arg-type]
    assert request_hash(**asked) != request_hash(**{**asked, "rate": "1"})  # type: ignore[arg-type]
