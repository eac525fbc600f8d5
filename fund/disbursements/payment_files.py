"""Payment files for the providers, as CSV bytes (pure builders).

Mobile-money bulk disbursement (bKash/Nagad style), UTF-8, CRLF, one header row::

    Reference,Wallet,Amount,Name
    WF-000012-00001,01711000001,25000.00,রহিমা খাতুন

Bank transfer (BEFTN style)::

    Reference,Account Number,Account Name,Amount,Narration
    WF-000012-00002,0123456789012,করিম মিয়া,25000.00,Worker Fund batch 12

``Reference`` is the line's receipt number: the provider's result file must echo it, so
reconciliation can match. Amounts are decimal strings with two places; a cell that begins with
``= + - @`` is neutralised. Cash lines are not in any file: they are paid against the sheet's
signature column.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from imports.writing import neutralise
from ledger.money import from_minor

FORMATS = ("mobile", "bank")
MOBILE_COLUMNS = ("Reference", "Wallet", "Amount", "Name")
BANK_COLUMNS = ("Reference", "Account Number", "Account Name", "Amount", "Narration")


def build_payment_file(
    rows: Iterable[tuple[str, str, int, str]],
    *,
    file_format: str,
    currency: str,
    narration: str = "",
) -> bytes:
    """CSV bytes from (reference, wallet or account, amount in minor units, name) tuples."""
    if file_format not in FORMATS:
        raise ValueError(f"payment file format {file_format!r} is not mobile or bank")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(MOBILE_COLUMNS if file_format == "mobile" else BANK_COLUMNS)
    for reference, where, amount, name in rows:
        money = str(from_minor(amount, currency))
        if file_format == "mobile":
            writer.writerow([reference, neutralise(where), money, neutralise(name)])
        else:
            writer.writerow(
                [reference, neutralise(where), neutralise(name), money, neutralise(narration)]
            )
    return buffer.getvalue().encode("utf-8")
