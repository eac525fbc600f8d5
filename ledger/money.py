"""Exact money: integer minor units in storage, ``Decimal`` at the edges.

One place converts between the two and rounds, always with a named rounding mode;
floats are refused so that a binary fraction can never reach the books.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from fractions import Fraction
from math import gcd
from typing import Final

#: Digits after the decimal point per ISO 4217 currency the fund deals in.
MINOR_DIGITS: Final[dict[str, int]] = {"BDT": 2, "USD": 2, "EUR": 2, "GBP": 2}

ROUNDING_MODES: Final[dict[str, str]] = {
    "half_up": ROUND_HALF_UP,
    "half_even": ROUND_HALF_EVEN,
}


class MoneyError(ValueError):
    """An amount or currency that cannot be represented exactly."""


def minor_digits(currency: str) -> int:
    """Digits after the decimal point for ``currency``; unknown currencies are refused."""
    try:
        return MINOR_DIGITS[currency]
    except KeyError:
        raise MoneyError(f"unknown currency {currency!r}") from None


def to_decimal(value: Decimal | int | str | Fraction) -> Decimal:
    """Parse an exact amount; floats are refused, strings must be plain decimals."""
    if isinstance(value, bool | float):
        raise MoneyError(f"refusing {type(value).__name__} {value!r}: money is never a float")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, Fraction):
        result = Decimal(value.numerator) / Decimal(value.denominator)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise MoneyError(f"not an amount: {value!r}") from None
    else:
        raise MoneyError(f"not an amount: {value!r}")
    if not result.is_finite():
        raise MoneyError(f"not a finite amount: {value!r}")
    return result


def round_amount(value: Decimal | Fraction, *, step: Decimal, mode: str) -> Decimal:
    """Round ``value`` to a multiple of ``step`` (e.g. ``Decimal("1")`` for whole taka)."""
    if step <= 0:
        raise MoneyError(f"rounding step must be positive, not {step}")
    try:
        rounding = ROUNDING_MODES[mode]
    except KeyError:
        raise MoneyError(f"unknown rounding mode {mode!r}") from None
    exact = Fraction(value) / Fraction(step)
    # Decimal division of two exact integers keeps enough digits for a correct half-way test.
    quotient = Decimal(exact.numerator) / Decimal(exact.denominator)
    whole = quotient.quantize(Decimal(1), rounding=rounding)
    if Fraction(whole) != exact and _is_tie(exact):
        whole = Decimal(_round_tie(exact, mode))
    return whole * step


def _is_tie(exact: Fraction) -> bool:
    return (exact - (exact.numerator // exact.denominator)) == Fraction(1, 2)


def _round_tie(exact: Fraction, mode: str) -> int:
    floor = exact.numerator // exact.denominator
    if mode == "half_up":
        return floor + 1 if exact > 0 else floor
    return floor if floor % 2 == 0 else floor + 1


def to_minor(
    value: Decimal | int | str | Fraction, currency: str, *, rounding: str | None = None
) -> int:
    """Convert a major-unit amount to integer minor units.

    Without ``rounding`` the amount must already be exact to the minor unit.
    """
    amount = to_decimal(value) if not isinstance(value, Fraction) else value
    digits = minor_digits(currency)
    scaled = Fraction(amount) * 10**digits
    if scaled.denominator == 1:
        return int(scaled)
    if rounding is None:
        raise MoneyError(f"{value} {currency} has more than {digits} decimal places")
    return int(round_amount(scaled, step=Decimal(1), mode=rounding))


def from_minor(minor: int, currency: str) -> Decimal:
    """Integer minor units back to a ``Decimal`` with the currency's places."""
    if isinstance(minor, bool) or not isinstance(minor, int):
        raise MoneyError(f"minor units must be an int, not {type(minor).__name__}")
    digits = minor_digits(currency)
    # Enough precision for any int: the default 28 digits would fail past 10**26 minor units.
    with localcontext() as context:
        context.prec = max(28, len(str(abs(minor))) + digits + 1)
        return Decimal(minor).scaleb(-digits).quantize(Decimal(1).scaleb(-digits))


def format_minor(minor: int, currency: str, *, grouping: bool = True) -> str:
    """``1250000, "BDT"`` → ``"12,500.00"`` (or ``"12500.00"`` without grouping).

    Integer arithmetic, not a ``Decimal`` per call: the receipts and sheets format an amount
    per cell, tens of thousands of times (the same text ``from_minor`` would print).
    """
    if isinstance(minor, bool) or not isinstance(minor, int):
        raise MoneyError(f"minor units must be an int, not {type(minor).__name__}")
    digits = minor_digits(currency)
    whole, part = divmod(-minor if minor < 0 else minor, 10**digits)
    text = f"{whole:,}" if grouping else f"{whole}"
    if digits:
        text = f"{text}.{part:0{digits}d}"
    return f"-{text}" if minor < 0 else text


def format_exact(numerator: int, denominator: int, currency: str, *, grouping: bool) -> str:
    """An exact amount of ``numerator / denominator`` minor units, in major units.

    A terminating amount shows every digit, and at least the currency's places ("335.00",
    "2,880.505"); any other shows 6 places rounded half up and ``…`` ("1.333333…"). Integer
    arithmetic throughout, so no digit is lost however large the amount.
    """
    if denominator <= 0:
        raise MoneyError(f"an amount's denominator must be positive, not {denominator}")
    digits = minor_digits(currency)
    magnitude = -numerator if numerator < 0 else numerator
    scale = denominator * 10**digits  # the amount is magnitude / scale major units
    common = gcd(magnitude, scale)
    magnitude, scale = magnitude // common, scale // common
    twos = fives = 0
    rest = scale
    while rest % 2 == 0:
        rest //= 2
        twos += 1
    while rest % 5 == 0:
        rest //= 5
        fives += 1
    if rest == 1:
        places = max(twos, fives, digits)
        scaled = magnitude * 10**places // scale  # exact: scale divides 10**places
        mark = ""
    else:
        places = 6
        scaled, remainder = divmod(magnitude * 10**places, scale)
        if 2 * remainder >= scale:
            scaled += 1  # half up: away from zero, as ROUND_HALF_UP
        mark = "…"
    whole, part = divmod(scaled, 10**places)
    text = f"{whole:,}" if grouping else f"{whole}"
    if places:
        text = f"{text}.{part:0{places}d}"
    return f"-{text}{mark}" if numerator < 0 else f"{text}{mark}"
