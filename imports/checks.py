"""The checks of a roll's parsed columns: required cells, lengths, dates, amounts, payment
details, duplicates, the header's unread columns and a trailing totals row.

Each finding is a ``Problem`` located at the row (and column) the user sees, collected by
``Findings`` and sorted into the order the file is read in; errors reject their row.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from typing import Any

from openpyxl.utils import get_column_letter

from imports.columns import DATE_FIELDS, MONEY_FIELDS
from imports.headers import HeaderRow
from imports.records import Problem, Severity
from imports.vocabulary import FIELD_LABELS, FIELDS, REQUIRED_FIELDS, normalise_header

EARLIEST_DATE = date(1950, 1, 1)
MAX_LENGTHS: dict[str, int] = {
    "worker_id": 50,
    "name": 200,
    "national_id": 17,
    "section": 100,
    "grade": 50,
    "designation": 100,
    "wallet_number": 11,
    "bank_account": 50,
    "routing_number": 9,
}
_TOTALS = re.compile(r"^(?:grand |sub )?totals?\b|^(?:সর্বমোট|মোট|সর্ব মোট)")


class Findings:
    """Problems found so far, sortable into the order the user reads the file."""

    def __init__(self, numbers: list[int], labels: dict[str, str]) -> None:
        self.numbers = numbers
        self.labels = labels
        self.position = {name: place for place, name in enumerate(FIELDS)}
        self.items: list[tuple[int, int, int, Problem]] = []
        self.rejected: set[int] = set()

    def add(
        self, index: int, name: str | None, severity: Severity, code: str, message: str
    ) -> None:
        row = self.numbers[index]
        column = self.labels[name] if name is not None else None
        place = self.position[name] if name is not None else -1
        self.items.append(
            (row, place, len(self.items), Problem(row, column, severity, code, message))
        )
        if severity == "error":
            self.rejected.add(index)

    def add_header(
        self, row: int, column: str | None, severity: Severity, code: str, message: str
    ) -> None:
        """A finding about the header row itself (a column read by nothing, or ambiguous)."""
        self.items.append((row, -1, len(self.items), Problem(row, column, severity, code, message)))

    def sorted(self) -> tuple[Problem, ...]:
        return tuple(item[3] for item in sorted(self.items, key=lambda item: item[:3]))


def check_header(
    header: HeaderRow,
    row: int,
    columns: list[tuple[Any, ...]],
    skip: set[int],
    found: Findings,
) -> None:
    """Every column is read or reported (DESIGN §4): nothing on a roll is dropped silently."""
    for column, meaning in sorted(header.others.items()):
        text = header.texts[column]
        if meaning.ambiguous:
            names = " or ".join(FIELD_LABELS[f] for f in meaning.ambiguous)
            found.add_header(
                row,
                text,
                "error",
                "ambiguous_header",
                f"column {text!r} could mean {names}: rename the header or map it to one field",
            )
        elif meaning.serial:
            found.add_header(
                row,
                text,
                "warning",
                "serial_column",
                f"column {text!r} numbers the rows; it is not read, on purpose",
            )
        elif meaning.field is not None:
            used = header.labels[meaning.field]
            found.add_header(
                row,
                text,
                "warning",
                "unused_column",
                f"column {text!r} is not read: column {used!r} already gives"
                f" {FIELD_LABELS[meaning.field]}",
            )
        else:
            closest = (
                f" (closest field: {FIELD_LABELS[meaning.closest]})"
                if meaning.closest is not None
                else ""
            )
            found.add_header(
                row,
                text,
                "warning",
                "unused_column",
                f"column {text!r} is not read: no field has this header{closest}; map it to a"
                " field for this factory if it should be read",
            )
    read = set(header.columns.values()) | set(header.others)
    for column, cells in enumerate(columns):
        if column in read:
            continue
        if any(cell not in ("", None) for i, cell in enumerate(cells) if i not in skip):
            letter = get_column_letter(column + 1)
            text = header.texts.get(column, "")
            found.add_header(
                row,
                text or f"column {letter}",
                "warning",
                "unused_column",
                f"column {letter} ({text!r}) has no header a field could have, but holds"
                " values; they are not read"
                if text
                else f"column {letter} has no header but holds values; they are not read",
            )
    if "exit_date" not in header.columns:
        found.add_header(
            row,
            None,
            "warning",
            "no_exit_date_column",
            "the roll has no exit-date column: every worker on it is taken to be still employed;"
            " importing it needs the officer to confirm that nobody on it has left",
        )


def mask(indices: list[int], count: int) -> bytearray:
    mask = bytearray(count)
    for index in indices:
        mask[index] = 1
    return mask


def check_columns(
    parsed: dict[str, list[Any]],
    live: list[int],
    is_live: bytearray,
    bad_cells: set[tuple[int, str]],
    found: Findings,
    as_of: date,
) -> None:
    """The checks of one cell or a pair of cells, done a column at a time."""
    labels = found.labels
    for name in REQUIRED_FIELDS:
        for index in [i for i, v in enumerate(parsed[name]) if v is None]:
            if is_live[index] and (index, name) not in bad_cells:
                found.add(index, name, "error", "missing_value", f"{labels[name]} is required")
    for name, limit in MAX_LENGTHS.items():
        if max(map(len, filter(None, parsed[name])), default=0) <= limit:
            continue
        for index in [i for i, v in enumerate(parsed[name]) if v is not None and len(v) > limit]:
            if is_live[index]:
                found.add(
                    index,
                    name,
                    "error",
                    "too_long",
                    f"{labels[name]} is longer than {limit} characters",
                )
    for name in DATE_FIELDS:
        column = parsed[name]
        for index in [
            i for i, v in enumerate(column) if v is not None and not EARLIEST_DATE <= v <= as_of
        ]:
            if not is_live[index]:
                continue
            when = column[index]
            if when > as_of:
                found.add(
                    index,
                    name,
                    "error",
                    "date_in_future",
                    f"{labels[name]} {when:%d/%m/%Y} is after the roll's date {as_of:%d/%m/%Y}",
                )
            else:
                found.add(
                    index,
                    name,
                    "error",
                    "date_too_early",
                    f"{labels[name]} {when:%d/%m/%Y} is before 1950",
                )
    joins, exits = parsed["join_date"], parsed["exit_date"]
    for index in live:
        leave = exits[index]
        if leave is not None and joins[index] is not None and leave < joins[index]:
            found.add(
                index,
                "exit_date",
                "error",
                "exit_before_join",
                f"{labels['exit_date']} {leave:%d/%m/%Y} is before the join date"
                f" {joins[index]:%d/%m/%Y}",
            )
    for name in MONEY_FIELDS:
        for index in [i for i, v in enumerate(parsed[name]) if v is not None and v < 0]:
            if is_live[index]:
                found.add(index, name, "error", "negative_amount", f"{labels[name]} is negative")
    methods = parsed["payment_method"]
    needs = {
        "mobile": ("wallet_number", "a wallet number"),
        "bank": ("bank_account", "a bank account"),
    }
    for index in [i for i, v in enumerate(methods) if v == "mobile" or v == "bank"]:
        name, what = needs[methods[index]]
        if is_live[index] and parsed[name][index] is None and (index, name) not in bad_cells:
            # Hold, don't block (DESIGN §4): the worker is computed but kept out of batches
            # until the details arrive by an approved payee change or a new roll version.
            found.add(
                index,
                name,
                "warning",
                "missing_payment_details",
                f"payment method {methods[index]} needs {what}: the worker is held out of"
                " payment batches until it is given",
            )


def check_duplicates(parsed: dict[str, list[Any]], live: list[int], found: Findings) -> None:
    """Later rows reusing a worker ID; every row sharing a national ID with another worker."""
    workers, national_ids = parsed["worker_id"], parsed["national_id"]
    counts = Counter(workers[index] for index in live)
    counts.pop(None, None)
    if any(n > 1 for n in counts.values()):
        first_row: dict[str, int] = {}
        for index in live:
            worker = workers[index]
            if worker is None or counts[worker] < 2:
                continue
            if worker in first_row:
                found.add(
                    index,
                    "worker_id",
                    "error",
                    "duplicate_worker_id",
                    f"worker ID {worker} is already used in row {first_row[worker]}",
                )
            else:
                first_row[worker] = found.numbers[index]
    holders: dict[str, list[int]] = {}
    nid_counts = Counter(national_ids[index] for index in live)
    nid_counts.pop(None, None)
    for index in live:
        national_id = national_ids[index]
        if national_id is not None and nid_counts[national_id] > 1 and workers[index] is not None:
            holders.setdefault(national_id, []).append(index)
    for national_id, indices in holders.items():
        if len({workers[i] for i in indices}) < 2:
            continue  # one worker twice is already a duplicate worker ID
        for index in indices:
            others = ", ".join(str(found.numbers[j]) for j in indices if j != index)
            # Hold, don't block (DESIGN §5): both import, and entitlements hold every worker
            # sharing the ID until an officer resolves them.
            found.add(
                index,
                "national_id",
                "warning",
                "duplicate_national_id",
                f"national ID {national_id} is also given in row {others} under another worker"
                " ID: both are held until an officer resolves them",
            )


def trailing_totals(
    rows: list[list[Any]],
    keys: list[tuple[Any, ...]],
    blank: tuple[Any, ...],
    fields: list[str],
) -> set[int]:
    """Indices of a totals row (or rows) at the end of the roll, which are not workers."""
    skip: set[int] = set()
    money = [fields.index(name) for name in MONEY_FIELDS if name in fields]
    identity = [fields.index(name) for name in ("worker_id", "name", "national_id")]
    index = len(rows) - 1
    while index >= 0:
        key = keys[index]
        if key == blank:
            index -= 1
            continue
        says_total = any(
            isinstance(cell, str) and _TOTALS.match(normalise_header(cell)) for cell in rows[index]
        )
        no_worker = all(key[i] is None for i in identity) and any(key[i] is not None for i in money)
        if not (says_total or no_worker):
            break
        skip.add(index)
        index -= 1
    return skip
