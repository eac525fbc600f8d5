"""Checking a receipt someone holds: is it ours, for this amount, and what became of it.

A receipt carries a number and a verification code, an HMAC of its facts under the app's secret
key (``receipts.verification_code``). The code is recomputed from the payment line as stored, so
a receipt whose amount, worker or event was altered on paper does not check out, and neither does
a number the fund never issued.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from fund.disbursements.models import PaymentLine
from fund.disbursements.receipts import verification_code

#: What people type: any case, with or without the dashes, spaces around.
_CODE = re.compile(r"^[0-9A-F]{12}$")


@dataclass(frozen=True, slots=True)
class ReceiptCheck:
    """The verdict on one receipt; ``line`` is set only when the receipt is genuine."""

    genuine: bool
    reason: str
    line: PaymentLine | None = None


def normalise_code(code: str) -> str:
    """``" 7f3a 09c2-b41d "`` → ``"7F3A-09C2-B41D"``; anything else is returned as typed."""
    compact = re.sub(r"[\s-]", "", code).upper()
    if not _CODE.match(compact):
        return code.strip()
    return f"{compact[:4]}-{compact[4:8]}-{compact[8:]}"


def check_receipt(
    session: Session, *, receipt_number: str, code: str, secret_key: str | bytes
) -> ReceiptCheck:
    """Whether the receipt with this number and code was issued by the fund, as it stands."""
    number = receipt_number.strip().upper()
    line = session.scalar(select(PaymentLine).where(PaymentLine.receipt_number == number))
    if line is None:
        return ReceiptCheck(False, f"the fund issued no receipt numbered {number!r}")
    expected = verification_code(
        secret_key,
        receipt_number=line.receipt_number,
        worker_id=line.worker_id,
        amount_minor=line.amount_minor,
        currency=line.batch.currency,
        event_id=line.event_id,
    )
    # Both the stored code and the recomputed one must match: the stored one is what was printed.
    typed = normalise_code(code)
    if not (
        hmac.compare_digest(typed, expected) and hmac.compare_digest(typed, line.verification_code)
    ):
        return ReceiptCheck(
            False,
            "the verification code does not match this receipt number: the receipt was not issued"
            " as shown, or the code was mistyped",
        )
    return ReceiptCheck(True, "issued by the fund", line)
