"""Reading a whole roll: header, cells, checks, duplicates — ``read_roll``.

The work is done column by column (each column parsed with one parser, repeated values
cached: ``columns``) and then row by row only for the checks that need the whole row
(``checks``). Rows are numbered as the user sees them: spreadsheet row (1-based, title rows
counted) or CSV line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import compress
from pathlib import Path
from typing import Any

from imports.allocation import cycle_collection_paused
from imports.checks import (
    Findings,
    check_columns,
    check_duplicates,
    check_header,
    mask,
    trailing_totals,
)
from imports.columns import RECORD_ORDER, WAGE_FIELDS, fill_merged, parse_column, transpose
from imports.headers import HeaderRow, find_header, normalise_mapping
from imports.records import WAGE_COMPONENTS, Problem, RollRow
from imports.sources import Grid, Limits, RollUnreadable, load_grid, read_bytes
from imports.values import Bad
from imports.vocabulary import FIELD_LABELS, FIELDS, REQUIRED_FIELDS
from ledger.money import format_minor


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


def _check(
    grid: Grid, header: HeaderRow, *, filename: str, limits: Limits, as_of: date
) -> RollReading:
    fill_merged(grid, header)
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
    columns = transpose(rows, rectangular)
    for name in fields:
        index = header.columns[name]
        cells = list(columns[index]) if index < len(columns) else [""] * count
        parsed[name], bad_seen = parse_column(name, cells, labels[name])
        if bad_seen:
            had_bad.add(name)
    # Rows compare by their parsed values: "12,500" and 12500 are the same wage.
    keys = list(zip(*(parsed[name] for name in fields), strict=True))
    blank = (None,) * len(fields)
    skip = trailing_totals(rows, keys, blank, fields)

    found = Findings(numbers, labels)
    check_header(header, grid.row_numbers[header.index], columns, skip, found)
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

    check_columns(parsed, live, is_live, bad_cells, found, as_of)
    check_duplicates(parsed, live, found)

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
    record_columns = [parsed[name] for name in RECORD_ORDER]
    accepted = tuple(
        compress(map(RollRow, numbers, *record_columns), mask(accepted_indices, count))
    )
    return RollReading(
        rows=accepted,
        problems=found.sorted(),
        rows_read=len(live),
        rejected=len(live) - len(accepted),
        header_row=grid.row_numbers[header.index],
        columns={name: labels[name] for name in fields},
    )
