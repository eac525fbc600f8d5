"""Reading a whole roll: header, cells, checks, duplicates — ``read_roll``.

The work is done column by column (each column parsed with one parser, repeated values
cached) and then row by row only for the checks that need the whole row. Rows are numbered
as the user sees them: spreadsheet row (1-based, title rows counted) or CSV line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from ledger.money import format_minor

from imports.headers import (
    FIELD_LABELS,
    FIELDS,
    REQUIRED_FIELDS,
    HeaderRow,
    find_header,
    normalise_header,
    normalise_mapping,
)
from imports.records import WAGE_COMPONENTS, Problem, RollRow, Severity
from imports.sources import Grid, Limits, RollUnreadable, load_grid, read_bytes
from imports.values import (
    Bad,
    clean_text,
    digits_only,
    parse_date,
    parse_identifier,
    parse_mobile,
    parse_money,
    parse_payment_method,
    parse_text,
)

EARLIEST_DATE = date(1950, 1, 1)
NATIONAL_ID_LENGTHS = (10, 13, 17)
MAX_LENGTHS: dict[str, int] = {
    "worker_id": 50,
    "name": 200,
    "national_id": 17,
    "section": 100,
    "grade": 50,
    "designation": 100,
    "wallet_number": 11,
    "bank_account": 50,
}
MONEY_FIELDS: tuple[str, ...] = (*WAGE_COMPONENTS, "gross")
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
    grid = load_grid(data, filename=filename, limits=limits)
    header = locate_header(grid, filename=filename, column_mapping=column_mapping, limits=limits)
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


def _column(rows: list[list[Any]], index: int, rectangular: bool) -> list[Any]:
    if rectangular:
        return [row[index] for row in rows]
    return [row[index] if index < len(row) else "" for row in rows]


def _cached(parser: Callable[[Any, str], Any], label: str) -> Callable[[Any], Any]:
    cache: dict[Any, Any] = {}

    def parse(value: Any) -> Any:
        if value is None:
            return None
        try:
            return cache[value]
        except KeyError:
            result = cache[value] = parser(value, label)
            return result
        except TypeError:  # unhashable: never from calamine or csv, but be safe
            return parser(value, label)

    return parse


def _parse_national_id(value: Any, label: str) -> str | Bad | None:
    text = parse_identifier(value, label)
    if not isinstance(text, str):
        return text
    digits = digits_only(text)
    if not digits.isdigit() or len(digits) not in NATIONAL_ID_LENGTHS:
        return Bad(
            "bad_national_id",
            f"{label} {value!r} is not a national ID: a Bangladeshi NID has 10 digits (smart card)"
            " or 13 or 17 digits (older cards); a birth registration number is not accepted",
        )
    return digits


def _parse_worker_id(value: Any, label: str) -> str | Bad | None:
    return parse_identifier(value, label)


def _parse_plain(value: Any, label: str) -> str | Bad | None:
    return parse_text(value)


def _parse_name(value: Any, label: str) -> str | Bad | None:
    if isinstance(value, float | int):
        return Bad("bad_value", f"{label} {value!r} is a number, not a name")
    return parse_text(value)


_PARSERS: dict[str, Callable[[Any, str], Any]] = {
    "worker_id": _parse_worker_id,
    "name": _parse_name,
    "national_id": _parse_national_id,
    "section": _parse_plain,
    "grade": _parse_plain,
    "designation": _parse_plain,
    "join_date": parse_date,
    "exit_date": parse_date,
    **{name: parse_money for name in MONEY_FIELDS},
    "payment_method": parse_payment_method,
    "wallet_number": parse_mobile,
    "bank_account": parse_identifier,
}
# Columns whose values repeat a lot (dates, grades, wages): worth a cache per distinct value.
_CACHED = frozenset({"section", "grade", "designation", "join_date", "exit_date",
                     "payment_method", *MONEY_FIELDS})


def _parse_money_column(cells: list[Any], label: str) -> list[Any]:
    # The hot path of a large roll: whole-taka floats need neither a cache nor Decimal.
    out: list[Any] = []
    append = out.append
    slow = _cached(parse_money, label)
    for value in cells:
        if value.__class__ is float and value.is_integer() and -1e15 < value < 1e15:
            append(int(value) * 100)
        elif value is None:
            append(None)
        else:
            append(slow(value))
    return out


class _Collector:
    def __init__(self) -> None:
        self.problems: list[tuple[int, int, Problem]] = []
        self.rejected: set[int] = set()

    def add(
        self, index: int, row: int, column: str | None, severity: Severity, code: str, message: str
    ) -> None:
        self.problems.append(
            (row, len(self.problems), Problem(row, column, severity, code, message))
        )
        if severity == "error":
            self.rejected.add(index)


def _check(
    grid: Grid, header: HeaderRow, *, filename: str, limits: Limits, as_of: date
) -> RollReading:
    _fill_merged(grid, header)
    rows = grid.rows[header.index + 1 :]
    numbers = grid.row_numbers[header.index + 1 :]
    if len(rows) > limits.max_rows:
        raise RollUnreadable(
            filename, f"the roll has {len(rows):,} rows after the header; the limit is {limits.max_rows:,}"
        )
    rectangular = grid.kind == "xlsx"
    fields = [name for name in FIELDS if name in header.columns]
    labels = {name: header.labels.get(name, FIELD_LABELS[name]) for name in FIELDS}

    cleaned: dict[str, list[Any]] = {
        name: list(map(clean_text, _column(rows, header.columns[name], rectangular)))
        for name in fields
    }
    row_keys = list(zip(*(cleaned[name] for name in fields), strict=True))
    blank = (None,) * len(fields)
    skip = _trailing_totals(grid, rows, row_keys, blank, fields, header)

    parsed: dict[str, list[Any]] = {}
    for name in fields:
        if name in MONEY_FIELDS:
            parsed[name] = _parse_money_column(cleaned[name], labels[name])
        elif name in _CACHED:
            parsed[name] = list(map(_cached(_PARSERS[name], labels[name]), cleaned[name]))
        else:
            parser, label = _PARSERS[name], labels[name]
            parsed[name] = [None if v is None else parser(v, label) for v in cleaned[name]]
    for name in FIELDS:
        if name not in parsed:
            parsed[name] = [None] * len(rows)

    found = _Collector()
    seen_rows: dict[tuple[Any, ...], int] = {}
    first_by_worker: dict[str, int] = {}
    by_national_id: dict[str, list[tuple[int, str]]] = {}
    candidates: list[tuple[int, RollRow | None]] = []
    columns = [parsed[name] for name in FIELDS]
    for index, values in enumerate(zip(*columns, strict=True)):
        key = row_keys[index]
        if key == blank or index in skip:
            continue
        row = numbers[index]
        earlier = seen_rows.get(key)
        if earlier is not None:
            found.add(index, row, None, "warning", "duplicate_row",
                      f"row {row} repeats row {earlier} exactly; the repeat is skipped")
            continue
        seen_rows[key] = row
        worker_id, national_id = values[0], values[2]  # FIELDS order: worker_id, name, national_id
        record = _check_row(index, row, dict(zip(FIELDS, values, strict=True)), labels, as_of, found)
        candidates.append((index, record))
        if isinstance(worker_id, str):
            first = first_by_worker.get(worker_id)
            if first is None:
                first_by_worker[worker_id] = row
            else:
                found.add(index, row, labels["worker_id"], "error", "duplicate_worker_id",
                          f"worker ID {worker_id} is already used in row {first}")
            if isinstance(national_id, str):
                by_national_id.setdefault(national_id, []).append((index, worker_id))

    _flag_shared_national_ids(by_national_id, numbers, labels, found)
    accepted = tuple(r for i, r in candidates if r is not None and i not in found.rejected)
    found.problems.sort(key=lambda item: (item[0], item[1]))
    return RollReading(
        rows=accepted,
        problems=tuple(problem for _, _, problem in found.problems),
        rows_read=len(candidates),
        rejected=len(candidates) - len(accepted),
        header_row=grid.row_numbers[header.index],
        columns={name: labels[name] for name in fields},
    )


def _trailing_totals(
    grid: Grid,
    rows: list[list[Any]],
    keys: list[tuple[Any, ...]],
    blank: tuple[Any, ...],
    fields: list[str],
    header: HeaderRow,
) -> set[int]:
    """Indices of a totals row (or rows) at the end of the roll, which are not workers."""
    skip: set[int] = set()
    identity = [fields.index(name) for name in ("worker_id", "name", "national_id")]
    money = [fields.index(name) for name in MONEY_FIELDS if name in fields]
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


def _check_row(
    index: int,
    row: int,
    values: dict[str, Any],
    labels: dict[str, str],
    as_of: date,
    found: _Collector,
) -> RollRow | None:
    bad: set[str] = set()
    for name, value in values.items():
        if isinstance(value, Bad):
            found.add(index, row, labels[name], "error", value.code, value.message)
            values[name] = None
            bad.add(name)
    for name in REQUIRED_FIELDS:
        if values[name] is None and name not in bad:
            found.add(index, row, labels[name], "error", "missing_value",
                      f"{labels[name]} is required")
    for name, limit in MAX_LENGTHS.items():
        text = values[name]
        if text is not None and len(text) > limit:
            found.add(index, row, labels[name], "error", "too_long",
                      f"{labels[name]} is longer than {limit} characters")
            values[name] = None
    for name in DATE_FIELDS:
        when = values[name]
        if when is None:
            continue
        if when > as_of:
            found.add(index, row, labels[name], "error", "date_in_future",
                      f"{labels[name]} {when:%d/%m/%Y} is after the roll's date {as_of:%d/%m/%Y}")
        elif when < EARLIEST_DATE:
            found.add(index, row, labels[name], "error", "date_too_early",
                      f"{labels[name]} {when:%d/%m/%Y} is before 1950")
    join, leave = values["join_date"], values["exit_date"]
    if join is not None and leave is not None and leave < join:
        found.add(index, row, labels["exit_date"], "error", "exit_before_join",
                  f"{labels['exit_date']} {leave:%d/%m/%Y} is before the join date {join:%d/%m/%Y}")
    for name in MONEY_FIELDS:
        amount = values[name]
        if amount is not None and amount < 0:
            found.add(index, row, labels[name], "error", "negative_amount",
                      f"{labels[name]} is negative")
    method = values["payment_method"]
    if method == "mobile" and values["wallet_number"] is None and "wallet_number" not in bad:
        found.add(index, row, labels["wallet_number"], "error", "missing_value",
                  "payment method mobile needs a wallet number")
    if method == "bank" and values["bank_account"] is None and "bank_account" not in bad:
        found.add(index, row, labels["bank_account"], "error", "missing_value",
                  "payment method bank needs a bank account")
    if index in found.rejected:
        return None
    for name in WAGE_COMPONENTS:
        if values[name] is None:
            values[name] = 0
    record = RollRow(row=row, **values)
    if record.gross is not None and record.gross != record.component_sum:
        found.add(index, row, labels["gross"], "warning", "gross_mismatch",
                  f"{labels['gross']} {format_minor(record.gross, 'BDT')} differs from the"
                  f" components' sum {format_minor(record.component_sum, 'BDT')}")
    return record


def _flag_shared_national_ids(
    by_national_id: dict[str, list[tuple[int, str]]],
    numbers: list[int],
    labels: dict[str, str],
    found: _Collector,
) -> None:
    for national_id, entries in by_national_id.items():
        if len(entries) < 2 or len({worker for _, worker in entries}) < 2:
            continue  # one worker twice is already a duplicate worker ID
        for index, _ in entries:
            others = ", ".join(str(numbers[j]) for j, _ in entries if j != index)
            found.add(index, numbers[index], labels["national_id"], "error",
                      "duplicate_national_id",
                      f"national ID {national_id} is also given in row {others}"
                      " under another worker ID")
