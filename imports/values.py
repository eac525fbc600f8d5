"""Parsing one cell into a field's value: text, identifiers, dates and exact money.

Each parser returns the value, ``None`` for an empty cell, or a ``Bad`` naming what is wrong.
Money never passes through float arithmetic: calamine hands numeric cells over as floats, and
``repr`` of a float is the shortest decimal that reads back to the same float. Excel keeps at
most 15 significant digits, and two different decimals of 15 digits or fewer never share a
float, so ``Decimal(repr(x))`` is exactly the number typed into the cell. Values that need
more than 2 decimal places are refused rather than rounded.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from imports.identifiers import (
    IdentifierRefused,
    fold_digits,
    parse_bank_account,
    parse_national_id,
    parse_routing_number,
    parse_wallet,
)
from ledger.money import MoneyError, to_minor

EXCEL_EPOCH: Final = date(1899, 12, 30)  # serial 1 = 1900-01-01, past Excel's 1900 leap bug
#: Floats at or beyond this lost digits in Excel, which keeps 15 significant digits.
EXACT_FLOAT_LIMIT: Final = 10**15


class Bad:
    """A cell that could not be read as its field's value."""

    __slots__ = ("code", "message")

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"Bad({self.code!r}, {self.message!r})"


def clean_text(value: Any) -> Any:
    """Strip and collapse whitespace (non-breaking spaces too); empty becomes ``None``."""
    if value.__class__ is str:
        if not value:
            return None
        text = " ".join(value.split())
        if not text:
            return None
        if text[0] == "=":
            return Bad("formula", f"the cell holds a formula ({text[:40]}), not a value")
        return text
    if value is None or value == "":
        return None
    return value


def parse_text(value: Any) -> str | Bad | None:
    """A text field: numbers written as text, whole floats without ``.0``."""
    if value is None or value.__class__ is str or isinstance(value, Bad):
        return value
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def parse_identifier(value: Any, label: str) -> str | Bad | None:
    """An ID made of digits and letters; Bengali digits become ASCII, numeric cells whole."""
    if value is None or isinstance(value, Bad):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            return Bad("bad_value", f"{label} {value!r} is not a whole number")
        if abs(value) >= EXACT_FLOAT_LIMIT:
            return Bad(
                "number_too_long",
                f"{label} was stored as a number and Excel kept only 15 digits of it;"
                " format the column as text",
            )
        return str(int(value))
    if isinstance(value, bool) or not isinstance(value, str | int):
        return Bad("bad_value", f"{label} {value!r} is not an identifier")
    return _folded(str(value), label)


def _folded(text: str, label: str) -> str | Bad:
    # Digits of every script as ASCII (imports.identifiers), or a Bad saying why not.
    try:
        return fold_digits(text, kind=label)
    except IdentifierRefused as refused:
        return Bad("bad_digits", f"{label} {text!r} {refused.reason}")


def _identifier(value: Any, label: str, parse: Callable[[str], str], code: str) -> str | Bad | None:
    text = parse_identifier(value, label)
    if not isinstance(text, str):
        return text
    try:
        return parse(text)
    except IdentifierRefused as refused:
        return Bad(code, f"{label} {value!r} {refused.reason}")


def parse_national_id_cell(value: Any, label: str) -> str | Bad | None:
    """A national ID cell, read by the one national ID parser (``imports.identifiers``)."""
    return _identifier(value, label, parse_national_id, "bad_national_id")


def parse_bank_account_cell(value: Any, label: str) -> str | Bad | None:
    """A bank account cell, read by the one bank account parser."""
    return _identifier(value, label, parse_bank_account, "bad_bank_account")


_DMY = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?:[ T]0{1,2}:00(?::00)?)?")
_YMD = re.compile(r"(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})(?:[ T]0{1,2}:00(?::00)?)?")
_SERIAL = re.compile(r"\d{4,5}(?:\.0+)?")


def parse_date(value: Any, label: str) -> date | Bad | None:
    """Excel dates and serials, ``dd/mm/yyyy``, ``dd-mm-yyyy``, ``dd.mm.yyyy``, ``yyyy-mm-dd``."""
    if value is None or isinstance(value, Bad):
        return value
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, float | int) and not isinstance(value, bool):
        return _from_serial(value, label)
    if not isinstance(value, str):
        return Bad("bad_date", f"{label} {value!r} is not a date")
    text = _folded(value, label)
    if isinstance(text, Bad):
        return text
    if match := _DMY.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
    elif match := _YMD.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    elif _SERIAL.fullmatch(text):
        return _from_serial(Decimal(text), label)
    else:
        return Bad(
            "bad_date",
            f"{label} {value!r} is not a date"
            " (use dd/mm/yyyy, dd-mm-yyyy, dd.mm.yyyy or yyyy-mm-dd)",
        )
    try:
        return date(year, month, day)
    except ValueError:
        return Bad("bad_date", f"{label} {value!r} is not a real date")


def _from_serial(serial: float | Decimal, label: str) -> date | Bad:
    # A serial is a day count; the fraction is a time of day, which a roll date does not need.
    if not 1 <= serial < 2958466:
        return Bad("bad_date", f"{label} {serial!r} is not a date")
    return EXCEL_EPOCH + timedelta(days=int(serial))


_GROUPED = re.compile(r"-?\d{1,3}(?:,\d{2})*,\d{3}(?:\.\d+)?")  # 12,500 and lakh 1,25,000
_PLAIN = re.compile(r"-?\d+(?:\.\d+)?|-?\.\d+")
_CURRENCY = re.compile(r"^(?:৳|tk\.?|bdt)\s*|\s*(?:৳|/-|tk\.?|bdt)$", re.IGNORECASE)


def parse_money(value: Any, label: str) -> int | Bad | None:
    """Monthly BDT as integer poisha; at most 2 decimal places, thousands separators allowed."""
    if value is None or isinstance(value, Bad):
        return value
    if value.__class__ is float:
        if value.is_integer() and abs(value) < EXACT_FLOAT_LIMIT:
            return int(value) * 100
        return _exact(repr(value), value, label)
    if isinstance(value, int) and not isinstance(value, bool):
        return value * 100
    if not isinstance(value, str):
        return Bad("bad_amount", f"{label} {value!r} is not an amount")
    folded = _folded(value, label)
    if isinstance(folded, Bad):
        return Bad("bad_amount", folded.message)
    text = _CURRENCY.sub("", folded).replace(" ", "")
    if _GROUPED.fullmatch(text):
        text = text.replace(",", "")
    elif not _PLAIN.fullmatch(text):
        return Bad("bad_amount", f"{label} {value!r} is not an amount")
    return _exact(text, value, label)


def _exact(text: str, original: Any, label: str) -> int | Bad:
    try:
        amount = Decimal(text)
        if not amount.is_finite() or abs(amount) >= EXACT_FLOAT_LIMIT:
            return Bad("bad_amount", f"{label} {original!r} is not a plausible amount")
        return to_minor(amount, "BDT")
    except MoneyError:
        return Bad("too_many_decimals", f"{label} {original!r} has more than 2 decimal places")
    except InvalidOperation:
        return Bad("bad_amount", f"{label} {original!r} is not an amount")


PAYMENT_METHODS: Final[dict[str, str]] = {
    "bank": "bank",
    "bank transfer": "bank",
    "bank account": "bank",
    "eft": "bank",
    "ব্যাংক": "bank",
    "mobile": "mobile",
    "mobile banking": "mobile",
    "mobile money": "mobile",
    "mfs": "mobile",
    "bkash": "mobile",
    "nagad": "mobile",
    "rocket": "mobile",
    "বিকাশ": "mobile",
    "মোবাইল": "mobile",
    "cash": "cash",
    "hand cash": "cash",
    "in cash": "cash",
    "নগদ টাকা": "cash",
}


def parse_payment_method(value: Any, label: str) -> str | Bad | None:
    """``bank``, ``mobile`` or ``cash`` (bKash, Nagad and Rocket count as mobile)."""
    if value is None or isinstance(value, Bad):
        return value
    key = " ".join(str(value).casefold().replace("-", " ").split())
    method = PAYMENT_METHODS.get(key)
    if method is None:
        return Bad("bad_payment_method", f"{label} {value!r} is not bank, mobile or cash")
    return method


def parse_mobile(value: Any, label: str) -> str | Bad | None:
    """A Bangladeshi mobile wallet ``01[3-9]`` + 8 digits (``+880`` prefix and spaces allowed)."""
    if value is None or isinstance(value, Bad):
        return value
    if isinstance(value, float) and value.is_integer() and 10**9 <= value < 2 * 10**9:
        # Excel drops the leading zero of a number typed into a numeric cell: put it back.
        value = "0" + str(int(value))
    return _identifier(value, label, parse_wallet, "bad_mobile_number")


#: What rolls write for each class of worker (Bangladesh Labour Act 2006 s.4(1), in English
#: and in the Act's Bengali text, plus spellings seen on wage sheets).
WORKER_CLASS_NAMES: Final[dict[str, str]] = {
    "permanent": "permanent",
    "perm": "permanent",
    "regular": "permanent",
    "স্থায়ী": "permanent",
    "probationer": "probationer",
    "probation": "probationer",
    "probationary": "probationer",
    "শিক্ষানবিস": "probationer",
    "শিক্ষানবিশ": "probationer",
    "temporary": "temporary",
    "temp": "temporary",
    "অস্থায়ী": "temporary",
    "casual": "casual",
    "সাময়িক": "casual",
    "badli": "badli",
    "badly": "badli",
    "substitute": "badli",
    "বদলী": "badli",
    "বদলি": "badli",
    "apprentice": "apprentice",
    "trainee": "apprentice",
    "শিক্ষাধীন": "apprentice",
}


def parse_worker_class(value: Any, label: str) -> str | Bad | None:
    """A class of worker under the Labour Act s.4: permanent, probationer, temporary, …."""
    return _named(
        value,
        label,
        WORKER_CLASS_NAMES,
        "bad_worker_class",
        "a class of worker (permanent, probationer, temporary, casual, badli or apprentice:"
        " Bangladesh Labour Act 2006 s.4)",
    )


def _named(
    value: Any, label: str, names: Mapping[str, str], code: str, expected: str
) -> str | Bad | None:
    # One of a few words, folded (case, spacing, Unicode form) before it is looked up.
    if value is None or isinstance(value, Bad):
        return value
    found = names.get(" ".join(unicodedata.normalize("NFC", str(value)).casefold().split()))
    if found is None:
        return Bad(code, f"{label} {value!r} is not {expected}")
    return found


#: What rolls write for the worker's language, in English and Bengali.
LANGUAGE_NAMES: Final[dict[str, str]] = {
    "bn": "bn",
    "bangla": "bn",
    "bengali": "bn",
    "বাংলা": "bn",
    "en": "en",
    "english": "en",
    "ইংরেজি": "en",
}


def parse_language(value: Any, label: str) -> str | Bad | None:
    """The worker's language: ``bn`` (Bangla, Bengali, বাংলা) or ``en`` (English, ইংরেজি)."""
    return _named(value, label, LANGUAGE_NAMES, "bad_language", "bn (Bangla) or en (English)")


def parse_days(value: Any, label: str) -> int | Bad | None:
    """A whole, non-negative number of days (digits of any script)."""
    if value is None or isinstance(value, Bad):
        return value
    if isinstance(value, bool):
        return Bad("bad_days", f"{label} {value!r} is not a number of days")
    if isinstance(value, int):
        days = value
    elif isinstance(value, float):
        if not value.is_integer():
            return Bad("bad_days", f"{label} {value!r} is not a whole number of days")
        days = int(value)
    else:
        try:
            text = fold_digits(str(value)).strip()
        except IdentifierRefused as refused:
            return Bad("bad_days", f"{label}: {refused.reason}")
        if not (text.isascii() and text.lstrip("-").isdigit()):
            return Bad("bad_days", f"{label} {value!r} is not a whole number of days")
        days = int(text)
    if days < 0:
        return Bad("bad_days", f"{label} {value!r} is negative")
    return days


def parse_routing(value: Any, label: str) -> str | Bad | None:
    """A Bangladesh Bank routing number (9 digits), via the one routing number parser."""
    return _identifier(value, label, parse_routing_number, "bad_routing_number")
