"""Worker Fund's double-entry books, usable without Flask.

``post(session, Entry(...))`` writes a balanced, hash-chained, idempotent journal entry;
``reverse`` corrects one; ``convert`` moves money between currencies; ``ledger.queries`` reads
balances and reports; ``verify`` proves the chain. The database enforces the same rules
(``ledger.guards``), so nothing — not even raw SQL — posts an unbalanced or changed entry.
"""

from ledger.chart import CHART, account, install_chart
from ledger.errors import (
    CurrencyMismatch,
    EntryNotFound,
    IdempotencyConflict,
    InsufficientFunds,
    LedgerError,
    PeriodClosed,
    ReversalRefused,
    TooFewPostings,
    UnbalancedEntry,
    UnknownAccount,
    ZeroAmount,
)
from ledger.models import Account, JournalEntry
from ledger.periods import close_period, reopen_period
from ledger.posting import closed_through, convert, post, post_many, reverse
from ledger.values import Entry, Posting
from ledger.verify import Verification, verify

__all__ = [
    "CHART",
    "Account",
    "CurrencyMismatch",
    "Entry",
    "EntryNotFound",
    "IdempotencyConflict",
    "InsufficientFunds",
    "JournalEntry",
    "LedgerError",
    "PeriodClosed",
    "Posting",
    "ReversalRefused",
    "TooFewPostings",
    "UnbalancedEntry",
    "UnknownAccount",
    "Verification",
    "ZeroAmount",
    "account",
    "close_period",
    "closed_through",
    "convert",
    "install_chart",
    "post",
    "post_many",
    "reopen_period",
    "reverse",
    "verify",
]
