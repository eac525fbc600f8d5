"""Who a payment line pays: its method and wallet or account, read by the roll's own parsers.

A wallet or account typed anywhere (web form, API, command line, claims desk) goes through
``imports.identifiers`` like the roll import, so ``০১৭১১০০০০০৪`` and ``01711000004`` are one
wallet and ``hello`` or ``=HYPERLINK(1)`` is refused, whoever typed it.
"""

from __future__ import annotations

from dataclasses import dataclass

from fund.disbursements.models import PaymentLine
from imports.identifiers import IdentifierRefused, parse_bank_account, parse_wallet

METHODS = ("mobile", "bank", "cash")


class PayeeDetailsInvalid(ValueError):
    """A method, wallet or account that cannot be paid to."""


@dataclass(frozen=True, slots=True)
class Payee:
    """Where a line's money goes: the method and the one detail it needs."""

    method: str
    wallet_number: str | None = None
    bank_account: str | None = None


def of_line(line: PaymentLine) -> Payee:
    """The details a line pays to (only the one its method uses)."""
    return Payee(
        line.method,
        line.wallet_number if line.method == "mobile" else None,
        line.bank_account if line.method == "bank" else None,
    )


def approved(line: PaymentLine) -> Payee:
    """The line's details as the parser reads them, so a retyped same wallet is the same one."""
    current = of_line(line)
    try:
        return parse_payee(current=current, method=None, wallet_number=None, bank_account=None)
    except PayeeDetailsInvalid:
        return current  # details stored before the parser: compared as they are


def parse_payee(
    *,
    current: Payee,
    method: str | None,
    wallet_number: str | None,
    bank_account: str | None,
) -> Payee:
    """The details asked for, with what is not given kept from ``current``; parsed and checked."""
    # A wallet or account typed without a method says which one; never silently ignored.
    chosen = method or ("mobile" if wallet_number else "bank" if bank_account else current.method)
    if wallet_number and chosen != "mobile":
        raise PayeeDetailsInvalid(f"a wallet number is for mobile payments, not {chosen}")
    if bank_account and chosen != "bank":
        raise PayeeDetailsInvalid(f"a bank account is for bank payments, not {chosen}")
    if chosen not in METHODS:
        raise PayeeDetailsInvalid(f"payment method {chosen!r} is not mobile, bank or cash")
    try:
        if chosen == "mobile":
            wallet = wallet_number if wallet_number is not None else current.wallet_number
            if not wallet:
                raise PayeeDetailsInvalid("a mobile payment needs a wallet number")
            return Payee("mobile", wallet_number=parse_wallet(wallet))
        if chosen == "bank":
            bank = bank_account if bank_account is not None else current.bank_account
            if not bank:
                raise PayeeDetailsInvalid("a bank payment needs a bank account")
            return Payee("bank", bank_account=parse_bank_account(bank))
    except IdentifierRefused as refused:
        raise PayeeDetailsInvalid(str(refused)) from refused
    return Payee("cash")


def describe(payee: Payee) -> str:
    """``"mobile 01711000004"``, ``"bank 0123456789"`` or ``"cash"``, for the batch history."""
    detail = payee.wallet_number or payee.bank_account
    return f"{payee.method} {detail}" if detail else payee.method
