"""How the web pages show dates: one format everywhere, unambiguous in every locale.

Dates read ``2 Dec 2026`` and times ``2 Dec 2026 14:05`` (UTC): a month name cannot be mistaken
for a day, which ``02/12/2026`` can (2 December here, 12 February to a US reader). Files for
machines (CSV, JSON, the API) keep ISO 8601.
"""

from __future__ import annotations

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
