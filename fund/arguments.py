"""Numbers and dates in query strings (page numbers, ids, dates), checked before they reach the
database.

``"²".isdigit()`` is true and ``int("²")`` fails, and ``10**30`` overflows PostgreSQL's
integers: either was a 500. These read only ASCII digits, within the range the columns hold,
and answer anything else with a 400 that names the argument. A date is written as the pages
show dates (``31 Mar 2026``) or in ISO 8601 (``2026-03-31``); anything else is a 400 naming it
too, or, for a page's date filters, a message beside the input (``date_filters``). A form's
button that carries a page's dates in hidden fields has them read the same way (``posted``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from flask import abort, request

from fund.display import DateNotUnderstood, parse_display_date

#: Ids are PostgreSQL ``integer`` columns: anything beyond is no id of ours.
MAX_ID = 2**31 - 1
#: Far beyond any list the fund holds, and keeps a row offset inside a 64-bit integer.
MAX_PAGE = 1_000_000_000
_WHOLE_NUMBER = re.compile(r"[0-9]{1,19}")


def _bounded(name: str, highest: int) -> int | None:
    text = request.args.get(name, "").strip()
    if not text:
        return None
    if not _WHOLE_NUMBER.fullmatch(text) or not 1 <= int(text) <= highest:
        abort(400, description=f"{name} must be a whole number from 1 to {highest:,}")
    return int(text)


def page_number() -> int:
    """The ``?page=`` of a web list: 1 when absent, a 400 unless a whole number in range."""
    return _bounded("page", MAX_PAGE) or 1


def id_argument(name: str) -> int | None:
    """An id given as ``?NAME=``: None when absent, a 400 unless a whole number in range."""
    return _bounded(name, MAX_ID)


def _read_date(name: str, *, posted: bool = False) -> date | None:
    """``?NAME=`` (``posted``: the POST's field NAME) read by the one date parser: None when
    absent; ``DateNotUnderstood`` else."""
    text = (request.form if posted else request.args).get(name, "").strip()
    return parse_display_date(text) if text else None


def date_argument(name: str, *, posted: bool = False) -> date | None:
    """A date given as ``?NAME=31 Mar 2026`` (as pages show dates) or ISO ``2026-03-31``:
    None when absent, a 400 naming NAME otherwise. ``posted``: a POST's field NAME instead."""
    try:
        return _read_date(name, posted=posted)
    except DateNotUnderstood:
        abort(400, description=f"{name} must be a date like 31 Mar 2026 or 2026-03-31")


@dataclass(frozen=True)
class DateFilters:
    """A page's date filters (``?from=&to=``): the dates understood, and the text typed in
    those that were not, which the page shows back beside its message instead of a bare 400."""

    dates: dict[str, date | None] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> date | None:
        """The date given as ``name``; None when absent or not understood."""
        return self.dates.get(name)


def date_filters(*names: str) -> DateFilters:
    """The dates ``?NAME=`` of a filter form, each read as ``date_argument`` reads it, with
    those not understood set aside (and None) for the page to say so."""
    dates: dict[str, date | None] = {}
    refused: dict[str, str] = {}
    for name in names:
        try:
            dates[name] = _read_date(name)
        except DateNotUnderstood:
            dates[name] = None
            refused[name] = request.args.get(name, "").strip()
    return DateFilters(dates, refused)
