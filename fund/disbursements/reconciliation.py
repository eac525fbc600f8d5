"""Reading a provider's result file and matching it to a batch's payment lines (pure).

The result file is CSV (UTF-8, a BOM allowed) with a header row naming at least
``reference`` (our receipt number, as sent in the payment file), ``amount`` and ``status``
(``paid``/``success``/``completed`` or ``failed``/``rejected``/``returned``); optional
``provider_reference`` (the provider's transaction id), ``message`` and ``date`` (YYYY-MM-DD).
``match`` decides what each row does and lists every mismatch in words: an unknown reference, an
amount that differs, a line already settled, a reference twice in the file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from ledger.money import MoneyError, format_minor, to_minor

_COLUMNS = {
    "reference": ("reference", "ref", "receipt", "receipt number", "receipt_number", "our ref"),
    "amount": ("amount", "amount bdt", "amount (bdt)"),
    "status": ("status", "result", "outcome"),
    "provider_reference": (
        "provider_reference", "provider reference", "transaction id", "trx id", "trxid", "txn id",
    ),
    "message": ("message", "reason", "remarks", "note"),
    "date": ("date", "settled on", "value date", "completed at"),
}  # fmt: skip
_STATUSES = {
    **dict.fromkeys(("paid", "success", "successful", "completed", "complete", "done"), "paid"),
    **dict.fromkeys(("failed", "failure", "rejected", "error", "returned", "reversed"), "failed"),
}


class ResultFileInvalid(ValueError):
    """The file cannot be read as a result file at all (no header with the needed columns)."""


@dataclass(frozen=True, slots=True)
class ResultRow:
    """One row of the provider's file, parsed."""

    row: int  # the line number in the file
    reference: str
    amount_minor: int
    outcome: str  # "paid" or "failed"
    provider_reference: str | None
    message: str | None
    settled_on: date | None


@dataclass
class Results:
    """The parsed rows and the rows that could not be read (as mismatch sentences)."""

    rows: list[ResultRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _key(text: str) -> str:
    return " ".join(text.strip().casefold().replace("_", " ").split())


def parse_results(data: bytes, *, filename: str, currency: str = "BDT") -> Results:
    """Parse the provider's CSV; unreadable rows become problems, a missing header an error."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ResultFileInvalid(f"{filename}: not UTF-8 text ({error.reason})") from None
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        raise ResultFileInvalid(f"{filename}: the file is empty")
    positions: dict[str, int] = {}
    for index, title in enumerate(header):
        for name, synonyms in _COLUMNS.items():
            if _key(title) in {_key(s) for s in synonyms} and name not in positions:
                positions[name] = index
    missing = [name for name in ("reference", "amount", "status") if name not in positions]
    if missing:
        raise ResultFileInvalid(
            f"{filename}: the header row lacks column(s) {', '.join(missing)}"
            f" (found: {', '.join(h for h in header if h)})"
        )
    results = Results()
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue

        def cell(name: str, cells: list[str] = cells) -> str:
            index = positions.get(name)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        reference = cell("reference")
        if not reference:
            results.problems.append(f"row {number}: no reference")
            continue
        try:
            amount = to_minor(cell("amount").replace(",", ""), currency)
        except MoneyError:
            results.problems.append(
                f"row {number}: {reference}: amount {cell('amount')!r} is not an amount"
            )
            continue
        outcome = _STATUSES.get(_key(cell("status")))
        if outcome is None:
            results.problems.append(
                f"row {number}: {reference}: status {cell('status')!r} is neither paid nor failed"
            )
            continue
        settled_on = None
        if cell("date"):
            try:
                settled_on = date.fromisoformat(cell("date")[:10])
            except ValueError:
                results.problems.append(
                    f"row {number}: {reference}: date {cell('date')!r} is not YYYY-MM-DD"
                )
                continue
        results.rows.append(
            ResultRow(
                row=number,
                reference=reference,
                amount_minor=amount,
                outcome=outcome,
                provider_reference=cell("provider_reference") or None,
                message=cell("message") or None,
                settled_on=settled_on,
            )
        )
    return results


@dataclass(frozen=True, slots=True)
class Expected:
    """What the batch says about one reference: its amount and its line's state."""

    amount_minor: int
    state: str


@dataclass
class Plan:
    """Rows to apply as paid, rows to apply as failed, and every mismatch in words."""

    paid: list[ResultRow] = field(default_factory=list)
    failed: list[ResultRow] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)


def match(rows: Iterable[ResultRow], expected: Mapping[str, Expected], *, currency: str) -> Plan:
    """Decide what each row does; only pending lines with the right amount are settled."""
    plan = Plan()
    seen: dict[str, int] = {}
    for row in rows:
        where = f"row {row.row}: {row.reference}"
        if row.reference in seen:
            plan.mismatches.append(f"{where}: appears again (first on row {seen[row.reference]})")
            continue
        seen[row.reference] = row.row
        found = expected.get(row.reference)
        if found is None:
            plan.mismatches.append(f"{where}: unknown reference, not a line of this batch")
            continue
        if row.amount_minor != found.amount_minor:
            plan.mismatches.append(
                f"{where}: amount {format_minor(row.amount_minor, currency)} differs from the "
                f"batch's {format_minor(found.amount_minor, currency)}"
            )
            continue
        if found.state != "pending":
            plan.mismatches.append(
                f"{where}: already settled ({found.state}); reported {row.outcome}"
            )
            continue
        (plan.paid if row.outcome == "paid" else plan.failed).append(row)
    return plan
