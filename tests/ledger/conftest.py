"""Ledger fixtures: a tiny helper to write entries the way an accountant reads them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy.orm import Session

from ledger import Account, Entry, JournalEntry, Posting, account, post

PostFn = Callable[..., JournalEntry]


@pytest.fixture
def bank(session: Session) -> Account:
    """1010 Bank BDT."""
    return account(session, "1010")


@pytest.fixture
def fund_balance(session: Session) -> Account:
    """3000 Fund balance in BDT."""
    return account(session, "3000", currency="BDT")


@pytest.fixture
def post_lines(session: Session) -> PostFn:
    """``post_lines("key", (bank, 500), (fund, -500), on=date(...))``."""

    def write(
        key: str,
        *lines: tuple[Account, int],
        on: date = date(2026, 3, 1),
        memo: str = "test",
        **options: object,
    ) -> JournalEntry:
        entry = Entry(
            effective_date=on,
            memo=memo,
            idempotency_key=key,
            postings=tuple(Posting(acct, amount) for acct, amount in lines),
        )
        return post(session, entry, **options)  # type: ignore[arg-type]

    return write
