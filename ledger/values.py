"""Immutable value types: what a caller asks the ledger to post."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ledger.errors import CurrencyMismatch, TooFewPostings, UnbalancedEntry, ZeroAmount
from ledger.models import Account


@dataclass(frozen=True, slots=True)
class Posting:
    """One line: ``amount`` in minor units of the account's currency, debit positive."""

    account: Account
    amount: int
    currency: str | None = None  # defaults to the account's; given, it must match

    @property
    def posting_currency(self) -> str:
        """The currency the amount is in."""
        return self.currency or self.account.currency


@dataclass(frozen=True, slots=True)
class Entry:
    """A journal entry to post: balanced per currency, dated, keyed for idempotency."""

    effective_date: date
    memo: str
    idempotency_key: str
    postings: tuple[Posting, ...]
    reference: str | None = None
    rate: Decimal | None = None

    def check(self) -> None:
        """Raise the first rule the entry breaks (the database checks the same again)."""
        if len(self.postings) < 2:
            raise TooFewPostings(f"entry {self.idempotency_key!r} has fewer than two postings")
        totals: dict[str, int] = defaultdict(int)
        for number, posting in enumerate(self.postings, start=1):
            if isinstance(posting.amount, bool) or not isinstance(posting.amount, int):
                raise TypeError(f"posting {number}: amount must be int minor units")
            if posting.amount == 0:
                raise ZeroAmount(f"posting {number} on {posting.account.label} is zero")
            if posting.posting_currency != posting.account.currency:
                raise CurrencyMismatch(
                    f"posting {number} is in {posting.posting_currency} but account "
                    f"{posting.account.label} is in {posting.account.currency}"
                )
            totals[posting.account.currency] += posting.amount
        unbalanced = {currency: total for currency, total in totals.items() if total != 0}
        if unbalanced:
            detail = ", ".join(f"{c} off by {t} minor units" for c, t in sorted(unbalanced.items()))
            raise UnbalancedEntry(f"entry {self.idempotency_key!r} does not balance: {detail}")
