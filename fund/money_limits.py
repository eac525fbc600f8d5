"""The largest amount each money input of the fund accepts, in minor units (poisha, cents).

Far above any real payment (the biggest separation benefit under the Labour Act 2006 for a
worker of 40 years at 100,000 taka a month is under 1 crore), far below what the ledger's own
bounds refuse (``ledger.limits``: 10**15 per posting), so a typing slip of extra zeros gets a
clear refusal naming the limit, never a database overflow. Each entry point (web form, API,
command line) reaches these through the service that records the amount.
"""

from __future__ import annotations

from typing import Final

from fund.display import display_money

#: One worker's payment line: 1 crore taka (10,000,000.00 BDT).
WORKER_LINE: Final[int] = 10**9
#: One batch (all its lines), and one float transfer: 1,000 crore taka (10,000,000,000.00 BDT).
BATCH: Final[int] = 10**12
#: One pledge: 1,000,000,000.00 in its currency.
PLEDGE: Final[int] = 10**11
#: One contribution received: 1,000,000,000.00 in its currency.
CONTRIBUTION: Final[int] = 10**11
#: One conversion: 1,000,000,000.00 USD sold.
CONVERSION: Final[int] = 10**11


class AmountTooLarge(ValueError):
    """An amount past its documented maximum."""


def check(amount: int, limit: int, *, what: str, currency: str) -> None:
    """Refuse ``amount`` (minor units) when it is past ``limit``, naming both."""
    if amount > limit:
        raise AmountTooLarge(
            f"{what} of {display_money(amount, currency)} is past the maximum of "
            f"{display_money(limit, currency)}"
        )
