"""How the web pages show dates: one format everywhere, unambiguous in every locale.

Dates read ``2 Dec 2026`` and times ``2 Dec 2026 14:05`` (UTC): a month name cannot be mistaken
for a day, which ``02/12/2026`` can (2 December here, 12 February to a US reader). Files for
machines (CSV, JSON, the API) keep ISO 8601.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from ledger.money import format_minor

#: The display formats (documented in README, "Dates and money on screen").
DATE_FORMAT = "%d %b %Y"
DATETIME_FORMAT = "%d %b %Y %H:%M"


def display_date(value: date | datetime | None) -> str:
    """``date(2026, 12, 2)`` → ``"2 Dec 2026"``; None → ``"—"``."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = value.date()
    return value.strftime(DATE_FORMAT).lstrip("0")


def display_datetime(value: datetime | None) -> str:
    """``datetime(2026, 12, 2, 14, 5)`` → ``"2 Dec 2026 14:05"``; None → ``"—"``."""
    if value is None:
        return "—"
    return value.strftime(DATETIME_FORMAT).lstrip("0")


def display_money(minor: int, currency: str) -> str:
    """``1250000, "BDT"`` → ``"12,500.00 BDT"``: separators, and the currency once."""
    return f"{format_minor(minor, currency)} {currency}"


def page_count(total: int, per_page: int) -> int:
    """How many pages ``total`` rows fill at ``per_page`` a page; at least one, even empty."""
    return max(1, -(-total // per_page))


#: Month names and their three-letter abbreviations, in English as the display format writes them.
_MONTHS = {
    name: number
    for number, full in enumerate(
        (
            "january", "february", "march", "april", "may", "june",
            "july", "august", "september", "october", "november", "december",
        ),
        start=1,
    )
    for name in (full, full[:3], "sept" if full == "september" else full[:3])
}  # fmt: skip
_DISPLAYED = re.compile(r"(\d{1,2})\s+([A-Za-z]+)\.?,?\s+(\d{4})")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


class DateNotUnderstood(ValueError):
    """A typed date that is neither the display format nor ISO 8601."""


def parse_display_date(text: str) -> date:
    """``"2 Dec 2026"`` (or ``"2 December 2026"``, any case) → ``date(2026, 12, 2)``.

    What a date input accepts: the display format, and ISO 8601 (``2026-12-02``, as files and
    older bookmarks write it). ``02/12/2026`` is refused, not guessed: it is 2 December here and
    12 February to a US reader.
    """
    typed = " ".join(text.split())
    try:
        if _ISO.fullmatch(typed):
            return date.fromisoformat(typed)
        found = _DISPLAYED.fullmatch(typed)
        if found and found.group(2).lower() in _MONTHS:
            day, month, year = found.groups()
            return date(int(year), _MONTHS[month.lower()], int(day))
    except ValueError:
        pass  # 31 Feb, 2026-13-01: a real day is needed
    raise DateNotUnderstood(f"{text!r} is not a date written as 2 Dec 2026")


#: The months in Bengali, as a Bengali date writes them (``২ মে ২০২৪``).
BENGALI_MONTHS = (
    "জানুয়ারি", "ফেব্রুয়ারি", "মার্চ", "এপ্রিল", "মে", "জুন",
    "জুলাই", "আগস্ট", "সেপ্টেম্বর", "অক্টোবর", "নভেম্বর", "ডিসেম্বর",
)  # fmt: skip
#: Bengali digits for ASCII ones: how a Bengali line writes its numbers.
_BENGALI_DIGITS = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")


def bengali_digits(text: str) -> str:
    """ASCII digits as Bengali digits (``"2024"`` → ``"২০২৪"``); everything else unchanged."""
    return text.translate(_BENGALI_DIGITS)


def bengali_number(number: str) -> str:
    """A number in Bengali digits and lakh grouping: ``"1,234,567.5…"`` → ``"১২,৩৪,৫৬৭.৫…"``.

    The South Asian grouping (the last three digits, then pairs) is how Bangladeshi wage slips
    and bank advices write taka; a leading sign and anything after the point are kept.
    """
    sign = "-" if number.startswith("-") else ""
    whole, point, fraction = number.removeprefix("-").replace(",", "").partition(".")
    head, pairs = whole[:-3], [whole[-3:]]
    while head:
        pairs.insert(0, head[-2:])
        head = head[:-2]
    return bengali_digits(f"{sign}{','.join(pairs)}{point}{fraction}")


def bengali_date(day: date) -> str:
    """``date(2024, 5, 2)`` → ``"২ মে ২০২৪"``: the display format's order, in Bengali."""
    return bengali_digits(f"{day.day} {BENGALI_MONTHS[day.month - 1]} {day.year}")
