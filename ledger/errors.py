"""What the ledger refuses, as named errors a view or a command turns into a clear message."""

from __future__ import annotations


class LedgerError(Exception):
    """Base of every refusal by the ledger; the books are unchanged when one is raised."""


class UnbalancedEntry(LedgerError):
    """Debits do not equal credits in some currency of the entry."""


class ZeroAmount(LedgerError):
    """A posting of zero: it would say nothing and hide mistakes."""


class TooFewPostings(LedgerError):
    """An entry needs at least two postings."""


class CurrencyMismatch(LedgerError):
    """A posting in another currency than its account's."""


class IdempotencyConflict(LedgerError):
    """The idempotency key was used before for different content."""


class PeriodClosed(LedgerError):
    """The effective date falls in a closed period."""


class FutureDate(LedgerError):
    """An effective date after today: the books record what has happened."""


class AmountTooLarge(LedgerError):
    """A posting, or an account's total, past what the databases sum safely."""


class InsufficientFunds(LedgerError):
    """The entry would take a protected account below zero."""


class ReversalRefused(LedgerError):
    """The entry cannot be reversed (not posted, or itself a reversal)."""


class EntryNotFound(LedgerError):
    """No posted entry has that id or idempotency key."""


class UnknownAccount(LedgerError):
    """An account code that is not in the chart of accounts."""
