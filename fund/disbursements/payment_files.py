"""Payment files for the providers, as CSV bytes (pure builders).

Mobile-money bulk disbursement (bKash/Nagad style), UTF-8 with a byte-order mark, CRLF, one
header row::

    Reference,Wallet,Amount,Name
    WF-000012-00001,01711000001,25000.00,রহিমা খাতুন

Bank transfer (BEFTN style), the same encoding, with the payee bank branch's 9-digit routing
number from the roll (empty where the roll has none or the line was reissued to another
account, whose routing number the fund was not given)::

    Reference,Account Number,Routing Number,Account Name,Amount,Narration
    WF-000012-00002,0123456789012,225261732,করিম মিয়া,25000.00,Worker Fund batch 12

The byte-order mark is what Excel and LibreOffice need to open the file by double-click with
Bengali names intact (Excel's own "CSV UTF-8" files carry it); a provider whose upload refuses
it is set in ``PAYMENT_FILE_BOM`` (``FUND_PAYMENT_FILE_BOM``). Wallets, accounts and routing
numbers stay the digits the provider reads: a CSV cannot mark a cell as text without a formula
(``="0171…"``), which a provider's parser would take literally; people read them from the
disbursement sheet (XLSX), where they are text cells.

``Reference`` is the line's receipt number: the provider's result file must echo it, so
reconciliation can match. Amounts are decimal strings with two places; a cell that begins with
``= + - @`` is neutralised. Cash lines are not in any file: they are paid against the sheet's
signature column.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from imports.writing import neutralise
from ledger.money import from_minor

FORMATS = ("mobile", "bank")
MOBILE_COLUMNS = ("Reference", "Wallet", "Amount", "Name")
BANK_COLUMNS = (
    "Reference",
    "Account Number",
    "Routing Number",
    "Account Name",
    "Amount",
    "Narration",
)
#: Which formats start with a UTF-8 byte-order mark unless configured otherwise.
BOM_BY_DEFAULT = FORMATS


def build_payment_file(
    rows: Iterable[Sequence[str | int]],
    *,
    file_format: str,
    currency: str,
    narration: str = "",
    bom: bool = True,
) -> bytes:
    """CSV bytes from (reference, wallet or account, amount in minor units, name[, routing])."""
    if file_format not in FORMATS:
        raise ValueError(f"payment file format {file_format!r} is not mobile or bank")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(MOBILE_COLUMNS if file_format == "mobile" else BANK_COLUMNS)
    for row in rows:
        reference, where, amount, name = str(row[0]), str(row[1]), int(row[2]), str(row[3])
        money = str(from_minor(amount, currency))
        if file_format == "mobile":
            writer.writerow([reference, neutralise(where), money, neutralise(name)])
        else:
            routing = str(row[4]) if len(row) > 4 else ""
            writer.writerow(
                [
                    reference,
                    neutralise(where),
                    routing,
                    neutralise(name),
                    money,
                    neutralise(narration),
                ]
            )
    return buffer.getvalue().encode("utf-8-sig" if bom else "utf-8")
