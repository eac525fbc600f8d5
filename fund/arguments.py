"""Numbers and dates in query strings (page numbers, ids, dates), checked before they reach the
database.

``"²".isdigit()`` is true and ``int("²")`` fails, and ``10**30`` overflows PostgreSQL's
integers: either was a 500. These read only ASCII digits, within the range the columns hold,
and answer anything else with a 400 that names the argument. A date is ISO 8601
(``2026-03-31``); anything else is a 400 naming it too.
"""

from __future__ import annotations

import re
from datetime import date

from flask import abort, request

from fund.display import parse_display_date

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


def date_argument(name: str) -> date | None:
    """A date given as ``?NAME=31 Mar 2026`` (as pages show dates) or ISO ``2026-03-31``:
    None when absent, a 400 naming NAME otherwise."""
    text = request.args.get(name, "").strip()
    if not text:
        return None
    try:
        return parse_display_date(text)
    except ValueError:
        abort(400, description=f"{name} must be a date like 31 Mar 2026 or 2026-03-31")
