"""Option parsing shared by the area commands of ``fund``."""

from __future__ import annotations

from datetime import date, datetime

import click


def calendar_date(value: str | None, option: str) -> date | None:
    """``"2026-03-01"`` → a date; anything else is a usage error naming ``option``."""
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()  # noqa: DTZ007  (a calendar date)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date like 2024-03-01", param_hint=option
        ) from None
