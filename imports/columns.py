"""Parsing a roll a column at a time: one parser per field, repeated values parsed once.

Cells arrive as the sheet holds them (text, numbers, dates); each field's column is parsed
by its parser from ``values``, with a fast path for cells already in their final form, and a
cell that cannot be read becomes a ``Bad`` (reported by ``checks`` as an error on that cell).
A merged cell is spread over its range first, as the sheet shows it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from itertools import zip_longest
from typing import Any

from imports.headers import HeaderRow
from imports.identifiers import BANK_ACCOUNT_LENGTHS, NATIONAL_ID_LENGTHS
from imports.records import DUE_FIELDS, WAGE_COMPONENTS, RollRow
from imports.sources import Grid
from imports.values import (
    Bad,
    clean_text,
    parse_bank_account_cell,
    parse_date,
    parse_days,
    parse_identifier,
    parse_language,
    parse_mobile,
    parse_money,
    parse_national_id_cell,
    parse_payment_method,
    parse_routing,
    parse_text,
    parse_worker_class,
)

WAGE_FIELDS: tuple[str, ...] = (*WAGE_COMPONENTS, "gross")
MONEY_FIELDS: tuple[str, ...] = (*WAGE_FIELDS, *DUE_FIELDS)
DATE_FIELDS: tuple[str, ...] = ("join_date", "exit_date")


def fill_merged(grid: Grid, header: HeaderRow) -> None:
    # A merged cell shows its value across the whole range, so every row in it carries the value
    # (typically a section or line merged down over its workers).
    for r0, c0, r1, c1 in grid.merged:
        if r1 <= header.index or r0 < 0 or c0 < 0:
            continue
        top = grid.rows[r0][c0] if c0 < len(grid.rows[r0]) else ""
        for r in range(max(r0, header.index + 1), r1 + 1):
            row = grid.rows[r]
            for c in range(c0, min(c1, len(row) - 1) + 1):
                if (r, c) != (r0, c0) and row[c] == "":
                    row[c] = top


def transpose(rows: list[list[Any]], rectangular: bool) -> list[tuple[Any, ...]]:
    # Transposing at C speed beats picking cells out row by row.
    if rectangular:
        return list(zip(*rows, strict=True))
    return list(zip_longest(*rows, fillvalue=""))


def _formula_guard(parser: Callable[[Any, str], Any]) -> Callable[[Any, str], Any]:
    # A cell whose text starts with "=" is a formula saved as text or an uncached formula.
    def parse(value: Any, label: str) -> Any:
        if value is None or isinstance(value, Bad):
            return value
        if value.__class__ is str and value[0] == "=":
            return Bad("formula", f"{label} holds a formula ({value[:40]}), not a value")
        return parser(value, label)

    return parse


def _parse_name(value: Any, label: str) -> str | Bad | None:
    if isinstance(value, float | int):
        return Bad("bad_value", f"{label} {value!r} is a number, not a name")
    return parse_text(value)


def _parse_plain(value: Any, label: str) -> str | Bad | None:
    return parse_text(value)


_PARSERS: dict[str, Callable[[Any, str], Any]] = {
    name: _formula_guard(parser)
    for name, parser in {
        "worker_id": parse_identifier,
        "name": _parse_name,
        "national_id": parse_national_id_cell,
        "section": _parse_plain,
        "grade": _parse_plain,
        "designation": _parse_plain,
        "join_date": parse_date,
        "exit_date": parse_date,
        **dict.fromkeys(MONEY_FIELDS, parse_money),
        "payment_method": parse_payment_method,
        "wallet_number": parse_mobile,
        "bank_account": parse_bank_account_cell,
        "routing_number": parse_routing,
        "worker_class": parse_worker_class,
        "earned_leave_days": parse_days,
        "language": parse_language,
    }.items()
}
_NID_LENGTHS = frozenset(NATIONAL_ID_LENGTHS)
_ACCOUNT_LENGTHS = frozenset(BANK_ACCOUNT_LENGTHS)


def _cleaning(
    parser: Callable[[Any, str], Any], label: str, bad: list[int]
) -> Callable[[Any], Any]:
    # The slow path: clean the text (whitespace, formulas), parse, and note that a Bad was seen.
    def parse(value: Any) -> Any:
        result = parser(clean_text(value), label)
        if result.__class__ is Bad:
            bad.append(1)
        return result

    return parse


def parse_column(name: str, cells: list[Any], label: str) -> tuple[list[Any], bool]:
    """Parse a whole column (and whether any cell was bad); well-formed cells go a fast path."""
    bad: list[int] = []
    slow = _cleaning(_PARSERS[name], label, bad)
    out: list[Any]
    if name in MONEY_FIELDS:
        out = [
            int(v) * 100
            if v.__class__ is float and v.is_integer() and -1e15 < v < 1e15
            else slow(v)
            for v in cells
        ]
    elif name == "worker_id":
        out = [
            v
            if v.__class__ is str and v.isascii() and v.isalnum()
            else None
            if v == ""
            else slow(v)
            for v in cells
        ]
    elif name == "name":
        out = [
            text
            if v.__class__ is str and (text := " ".join(v.split())) and text[0] != "="
            else slow(v)
            for v in cells
        ]
    elif name == "bank_account":
        out = [
            v
            if v.__class__ is str and v.isascii() and v.isdigit() and len(v) in _ACCOUNT_LENGTHS
            else None
            if v == ""
            else slow(v)
            for v in cells
        ]
    elif name == "national_id":
        out = [
            v
            if v.__class__ is str and v.isascii() and v.isdigit() and len(v) in _NID_LENGTHS
            else slow(v)
            for v in cells
        ]
    elif name == "wallet_number":
        out = [
            v
            if v.__class__ is str
            and len(v) == 11
            and v.isascii()
            and v.isdigit()
            and v[:2] == "01"
            and v[2] > "2"
            else None
            if v == ""
            else slow(v)
            for v in cells
        ]
    else:
        # Repetitive columns (dates, sections, grades, methods): parse each distinct value once.
        cache: dict[Any, Any] = {"": None}
        out = []
        append = out.append
        for v in cells:
            try:
                append(cache[v])
            except KeyError:
                append(cache.setdefault(v, slow(v)))
    return out, bool(bad)


# RollRow's positional field order after ``row``, read from the record itself (one list to keep).
RECORD_ORDER: tuple[str, ...] = tuple(field.name for field in fields(RollRow))[1:]
