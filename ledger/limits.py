"""How large an amount the books accept, and which accounts may never go below zero.

Both databases sum postings in 64-bit integers (SQLite's INTEGER, PostgreSQL's BIGINT): a
sum past 2**63 − 1 is an error, and a posted entry cannot be taken back. So the ledger refuses
any posting that would take an account's *gross* total (the sum of the absolute amounts of
all its postings) past ``ACCOUNT_GROSS_LIMIT``; every partial sum any query makes of that
account then fits, whatever order the database adds in, and so do the per-currency totals of
the reports (about 900 accounts would all have to be full to reach 2**63).
"""

from __future__ import annotations

from typing import Final

#: One posting, in minor units: 10**15 poisha is 10 trillion taka, far beyond any fund.
POSTING_LIMIT: Final[int] = 10**15
#: The sum of |amount| over all postings of one account, in minor units (10**16).
ACCOUNT_GROSS_LIMIT: Final[int] = 10**16
#: Cash accounts (bank and mobile-money float): never below zero as of any day, whoever posts.
CASH_CODES: Final[frozenset[str]] = frozenset({"1000", "1010", "1020"})
