"""Reading a whole roll: header, cells, checks, duplicates — ``read_roll``.

The work is done column by column (each column parsed with one parser, repeated values
cached) and then row by row only for the checks that need the whole row. Rows are numbered
as the user sees them: spreadsheet row (1-based, title rows counted) or CSV line.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import compress, zip_longest
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

from imports.allocation import cycle_collection_paused
from imports.headers import (
    FIELD_LABELS,
    FIELDS,
    REQUIRED_FIELDS,
    HeaderRow,
    find_header,
    normalise_header,
    normalise_mapping,
)
from imports.identifiers import BANK_ACCOUNT_LENGTHS
from imports.identifiers import NATIONAL_ID_LENGTHS as NATIONAL_ID_LENGTHS  # claims use it
from imports.records import DUE_FIELDS, WAGE_COMPONENTS, Problem, RollRow, Severity
from imports.sources import Grid, Limits, RollUnreadable, load_grid, read_bytes
from imports.values import (
    Bad,
    clean_text,
    parse_bank_account_cell,
    parse_date,
    parse_days,
    parse_identifier,
    parse_mobile,
    parse_money,
    parse_national_id_cell,
    parse_payment_method,
    parse_routing,
    parse_text,
    parse_worker_class,
)
from ledger.money import format_minor

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
WAGE_FIELDS: tuple[str, ...] = (*WAGE_COMPONENTS, "gross")
MONEY_FIELDS: tuple[str, ...] = (*WAGE_FIELDS, *DUE_FIELDS)
DATE_FIELDS: tuple[str, ...] = ("join_date", "exit_date")
_TOTALS = re.compile(r"^(?:grand |sub )?totals?\b|^(?:সর্বমোট|মোট|সর্ব মোট)")


@dataclass(frozen=True, slots=True)
class RollReading:
    """What reading a roll found: the accepted rows and every problem, located."""

    rows: tuple[RollRow, ...]
    problems: tuple[Problem, ...]
    #: Data rows read: blank rows, a trailing totals row and exact duplicates not counted.
    rows_read: int
    rejected: int
    #: Row number of the header as the user sees it, and field → header text in the file.
    header_row: int | None = None
    columns: Mapping[str, str] = field(default_factory=dict)

    @property
    def accepted(self) -> int:
        """Rows without errors (they may carry warnings)."""
        return len(self.rows)

    @property
    def has_errors(self) -> bool:
        """True when any row was rejected: such a roll cannot be imported."""
        return any(problem.severity == "error" for problem in self.problems)

    @property
    def errors(self) -> tuple[Problem, ...]:
        """The problems that reject rows."""
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """The problems worth a look that reject nothing."""
        return tuple(p for p in self.problems if p.severity == "warning")


def read_roll(
    source: Path | bytes,
    *,
    filename: str,
    column_mapping: Mapping[str, str] | None = None,
    limits: Limits | None = None,
    as_of: date | None = None,
) -> RollReading:
    """Read and check a CSV or XLSX roll; raise ``RollUnreadable`` if it is not a roll at all."""
    limits = limits or Limits()
    data = read_bytes(source, filename=filename, limits=limits)
    with cycle_collection_paused():
        grid = load_grid(data, filename=filename, limits=limits)
        header = locate_header(
            grid, filename=filename, column_mapping=column_mapping, limits=limits
        )
        return _check(grid, header, filename=filename, limits=limits, as_of=as_of or _today())


def _today() -> date:
    return datetime.now(UTC).date()


def locate_header(
    grid: Grid, *, filename: str, column_mapping: Mapping[str, str] | None, limits: Limits
) -> HeaderRow:
    """The header row, with every required column present, or ``RollUnreadable``."""
    if not any(any(cell != "" for cell in row) for row in grid.rows[: limits.header_scan_rows]):
        raise RollUnreadable(filename, "the sheet is empty")
    header = find_header(grid.rows, normalise_mapping(column_mapping), limits.header_scan_rows)
    if header is None:
        raise RollUnreadable(
            filename,
            f"no header row in the first {limits.header_scan_rows} rows: expected columns such as"
            " Employee ID, Name, National ID, Joining Date and Basic Salary",
        )
    missing = [FIELD_LABELS[f] for f in REQUIRED_FIELDS if f not in header.columns]
    if missing:
        row = grid.row_numbers[header.index]
        raise RollUnreadable(
            filename,
            f"the header in row {row} has no column for {', '.join(missing)}"
            " (add the column, or map its header to the field)",
        )
    return header


def _fill_merged(grid: Grid, header: HeaderRow) -> None:
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


def _columns(rows: list[list[Any]], rectangular: bool) -> list[tuple[Any, ...]]:
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


def _parse_column(name: str, cells: list[Any], label: str) -> tuple[list[Any], bool]:
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


# RollRow's positional field order after ``row``.
_RECORD_ORDER: tuple[str, ...] = (
    "worker_id",
    "name",
    "national_id",
    "join_date",
    *WAGE_COMPONENTS,
    "gross",
    "section",
    "grade",
    "designation",
    "exit_date",
    "payment_method",
    "wallet_number",
    "bank_account",
    "routing_number",
    "worker_class",
    "arrears_due",
    "earned_leave_days",
    "festival_bonus_due",
    "overtime_due",
)


class _Findings:
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


def _check(
    grid: Grid, header: HeaderRow, *, filename: str, limits: Limits, as_of: date
) -> RollReading:
    _fill_merged(grid, header)
    rows = grid.rows[header.index + 1 :]
    numbers = grid.row_numbers[header.index + 1 :]
    if len(rows) > limits.max_rows:
        raise RollUnreadable(
            filename,
            f"the roll has {len(rows):,} rows after the header; the limit is {limits.max_rows:,}",
        )
    count = len(rows)
    rectangular = grid.kind == "xlsx"
    fields = [name for name in FIELDS if name in header.columns]
    labels = {name: header.labels.get(name, FIELD_LABELS[name]) for name in FIELDS}

    parsed: dict[str, list[Any]] = {}
    had_bad: set[str] = set()
    columns = _columns(rows, rectangular)
    for name in fields:
        index = header.columns[name]
        cells = list(columns[index]) if index < len(columns) else [""] * count
        parsed[name], bad_seen = _parse_column(name, cells, labels[name])
        if bad_seen:
            had_bad.add(name)
    # Rows compare by their parsed values: "12,500" and 12500 are the same wage.
    keys = list(zip(*(parsed[name] for name in fields), strict=True))
    blank = (None,) * len(fields)
    skip = _trailing_totals(rows, keys, blank, fields)

    found = _Findings(numbers, labels)
    _check_header(header, grid.row_numbers[header.index], columns, skip, found)
    live: list[int] = []
    first_seen: dict[tuple[Any, ...], int] = {}
    for index, key in enumerate(keys):
        if key == blank or index in skip:
            continue
        first = first_seen.setdefault(key, index)
        if first != index:
            found.add(
                index,
                None,
                "warning",
                "duplicate_row",
                f"row {numbers[index]} repeats row {numbers[first]} exactly; the repeat is skipped",
            )
            continue
        live.append(index)
    if not live:
        raise RollUnreadable(
            filename,
            f"the roll has no workers: nothing under the header in row"
            f" {grid.row_numbers[header.index]}",
        )
    is_live = bytearray(count)
    for index in live:
        is_live[index] = 1

    bad_cells: set[tuple[int, str]] = set()
    for name in had_bad:
        column = parsed[name]
        for index in [i for i, v in enumerate(column) if v.__class__ is Bad]:
            if is_live[index]:
                found.add(index, name, "error", column[index].code, column[index].message)
                bad_cells.add((index, name))
            column[index] = None
    for name in FIELDS:
        if name not in parsed:
            parsed[name] = [None] * count

    _check_columns(parsed, live, is_live, bad_cells, found, as_of)
    _check_duplicates(parsed, live, found)

    basic_missing = {i for i, v in enumerate(parsed["basic"]) if v is None}
    for name in WAGE_COMPONENTS:
        column = parsed[name]
        if None in column:
            parsed[name] = [0 if v is None else v for v in column]
    if "gross" in header.columns:
        gross = parsed["gross"]
        # Where a wage cell could not be read, its sum would only add a misleading warning.
        unreadable_wages = {i for i, name in bad_cells if name in WAGE_FIELDS} | basic_missing
        implied = [
            sum(amounts) for amounts in zip(*(parsed[n] for n in WAGE_COMPONENTS), strict=True)
        ]
        for index in [i for i, (g, c) in enumerate(zip(gross, implied, strict=True)) if g != c]:
            if is_live[index] and gross[index] is not None and index not in unreadable_wages:
                found.add(
                    index,
                    "gross",
                    "warning",
                    "gross_mismatch",
                    f"{labels['gross']} {format_minor(gross[index], 'BDT')} differs from the"
                    f" components' sum {format_minor(implied[index], 'BDT')}",
                )

    accepted_indices = [index for index in live if index not in found.rejected]
    record_columns = [parsed[name] for name in _RECORD_ORDER]
    accepted = tuple(
        compress(map(RollRow, numbers, *record_columns), _mask(accepted_indices, count))
    )
    return RollReading(
        rows=accepted,
        problems=found.sorted(),
        rows_read=len(live),
        rejected=len(live) - len(accepted),
        header_row=grid.row_numbers[header.index],
        columns={name: labels[name] for name in fields},
    )


def _check_header(
    header: HeaderRow,
    row: int,
    columns: list[tuple[Any, ...]],
    skip: set[int],
    found: _Findings,
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


def _mask(indices: list[int], count: int) -> bytearray:
    mask = bytearray(count)
    for index in indices:
        mask[index] = 1
    return mask


def _check_columns(
    parsed: dict[str, list[Any]],
    live: list[int],
    is_live: bytearray,
    bad_cells: set[tuple[int, str]],
    found: _Findings,
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


def _check_duplicates(parsed: dict[str, list[Any]], live: list[int], found: _Findings) -> None:
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


def _trailing_totals(
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
