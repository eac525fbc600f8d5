"""Entitlements as tables: pure builders for CSV, JSON and XLSX (text or bytes back).

One table shape serves every format: the fixed columns of DESIGN §5 (worker_id, eligible,
reason, days_paid, years_of_service, amount), then one column per breakdown rule and
component in the policy's order. Breakdown amounts are shown to 2 places; the ``amount`` is
the worker's total, rounded once by the policy.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Protocol

from fund.entitlements.rules import REASONS, Entitlement, Summary, summarise
from imports.writing import neutralise
from ledger.money import format_exact, from_minor, minor_digits, round_amount

FIXED_COLUMNS: tuple[str, ...] = (
    "worker_id",
    "eligible",
    "reason",
    "days_paid",
    "years_of_service",
    "amount",
)


class Line(Protocol):
    """A breakdown line, computed (``rules.BreakdownLine``) or stored (``EntitlementLine``)."""

    @property
    def rule(self) -> str: ...

    @property
    def component(self) -> str: ...

    @property
    def monthly_minor(self) -> int: ...

    @property
    def share(self) -> Decimal: ...

    @property
    def days(self) -> int: ...

    @property
    def days_per_month(self) -> int: ...

    @property
    def amount(self) -> Fraction: ...

    @property
    def basis(self) -> str: ...

    @property
    def bn(self) -> str: ...


class Row(Protocol):
    """An entitlement, computed (``rules.Entitlement``) or stored (``models.Entitlement``)."""

    @property
    def worker_id(self) -> str: ...

    @property
    def eligible(self) -> bool: ...

    @property
    def reason(self) -> str | None: ...

    @property
    def days_paid(self) -> int | None: ...

    @property
    def years_of_service(self) -> int | None: ...

    @property
    def amount_minor(self) -> int: ...

    @property
    def factory_share_minor(self) -> int: ...

    @property
    def lines(self) -> Sequence[Line]: ...


@dataclass(frozen=True, slots=True)
class Table:
    """Rows of strings ready for any format, and the totals under them."""

    columns: tuple[str, ...]
    rows: list[dict[str, str]]
    summary: Summary
    currency: str


def major_text(exact_minor: Fraction | int, currency: str) -> str:
    """An exact minor-unit amount in major units to the currency's places (half up)."""
    digits = minor_digits(currency)
    value = round_amount(
        Fraction(exact_minor) / 10**digits, step=Decimal(1).scaleb(-digits), mode="half_up"
    )
    return f"{value:.{digits}f}"


def exact_text(exact_minor: Fraction, currency: str, *, grouping: bool = False) -> str:
    """An exact amount in major units: every digit when it ends, else 6 places and ``…``."""
    return format_exact(exact_minor.numerator, exact_minor.denominator, currency, grouping=grouping)


def breakdown_column(rule: str, component: str, basis: str = "") -> str:
    """The column holding one rule's payment of one component, e.g. ``notice pay: gross``,
    with the line's basis where the policy names one (``… [BLA 2006 s.26(3)]``)."""
    return f"{rule}: {component} [{basis}]" if basis else f"{rule}: {component}"


def build_table(entitlements: Sequence[Row], currency: str) -> Table:
    """Lay out entitlements as rows of text, with breakdown columns in first-seen order."""
    breakdown: dict[str, None] = {}
    shared = False  # co-payment: a column for the factory's part only where there is one
    for entitlement in entitlements:
        shared = shared or entitlement.factory_share_minor != 0
        for line in entitlement.lines:
            breakdown.setdefault(breakdown_column(line.rule, line.component, line.basis), None)
    fixed = FIXED_COLUMNS + (("factory_share",) if shared else ())
    rows = []
    for entitlement in entitlements:
        row = {
            "worker_id": entitlement.worker_id,
            "eligible": "yes" if entitlement.eligible else "no",
            "reason": entitlement.reason or "",
            "days_paid": "" if entitlement.days_paid is None else str(entitlement.days_paid),
            "years_of_service": (
                "" if entitlement.years_of_service is None else str(entitlement.years_of_service)
            ),
            "amount": f"{from_minor(entitlement.amount_minor, currency)}",
        }
        if shared:
            row["factory_share"] = f"{from_minor(entitlement.factory_share_minor, currency)}"
        for column in breakdown:
            row[column] = ""
        for line in entitlement.lines:
            column = breakdown_column(line.rule, line.component, line.basis)
            row[column] = major_text(line.amount, currency)
        rows.append(row)
    return Table(
        columns=fixed + tuple(breakdown),
        rows=rows,
        summary=summarise(entitlements),
        currency=currency,
    )


def summary_pairs(table: Table) -> list[tuple[str, str]]:
    """The summary as (label, value) pairs, for CSV and XLSX."""
    summary = table.summary
    pairs = [
        ("workers", str(summary.workers)),
        ("eligible", str(summary.eligible)),
        ("ineligible", str(summary.workers - summary.eligible)),
    ]
    pairs += [
        (f"ineligible: {reason}", str(n)) for reason, n in summary.ineligible_by_reason.items()
    ]
    pairs += [
        ("total", f"{from_minor(summary.total_minor, table.currency)}"),
        ("currency", table.currency),
    ]
    return pairs


def to_csv(table: Table) -> str:
    """Worker rows, a blank line, then the summary as label,value rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([neutralise(row[column]) for column in table.columns])
    writer.writerow([])
    writer.writerow(["summary", ""])
    for label, value in summary_pairs(table):
        writer.writerow([label, value])
    return buffer.getvalue()


def to_json(table: Table, entitlements: Sequence[Entitlement], **about: Any) -> str:
    """``{"workers": [...], "summary": {...}}``; each worker carries its breakdown lines."""
    currency = table.currency
    workers = []
    for entitlement in entitlements:
        workers.append(
            {
                "worker_id": entitlement.worker_id,
                "eligible": entitlement.eligible,
                "reason": entitlement.reason,
                "days_paid": entitlement.days_paid,
                "years_of_service": entitlement.years_of_service,
                "amount": f"{from_minor(entitlement.amount_minor, currency)}",
                "factory_share": f"{from_minor(entitlement.factory_share_minor, currency)}",
                "breakdown": [
                    {
                        "rule": line.rule,
                        "component": line.component,
                        "monthly": f"{from_minor(line.monthly_minor, currency)}",
                        "share": str(line.share),
                        "days": line.days,
                        "daily_rate": exact_text(line.daily_rate, currency),
                        "amount": exact_text(line.amount, currency),
                        "basis": line.basis,
                    }
                    for line in entitlement.lines
                ],
            }
        )
    summary = table.summary
    document = {
        "workers": workers,
        "summary": {
            **about,
            "workers": summary.workers,
            "eligible": summary.eligible,
            "ineligible": summary.workers - summary.eligible,
            "ineligible_by_reason": summary.ineligible_by_reason,
            "total": f"{from_minor(summary.total_minor, currency)}",
            "currency": currency,
        },
    }
    return json.dumps(document, ensure_ascii=False, indent=1)


def to_xlsx(table: Table) -> bytes:
    """A workbook with the worker rows and a summary sheet; text cells are never formulas."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False}
    )
    bold = workbook.add_format({"bold": True})
    money = workbook.add_format({"num_format": "#,##0.00"})
    sheet = workbook.add_worksheet("Entitlements")
    numeric = {"days_paid", "years_of_service", "amount"} | set(table.columns[len(FIXED_COLUMNS) :])
    for col, column in enumerate(table.columns):
        sheet.write_string(0, col, column, bold)
    for number, row in enumerate(table.rows, start=1):
        for col, column in enumerate(table.columns):
            value = row[column]
            if value and column in numeric:
                # Decimal, not float: the writer stores it as the XLSX number it prints
                sheet.write_number(number, col, Decimal(value), money if "." in value else None)
            else:
                sheet.write_string(number, col, neutralise(value))
    sheet.freeze_panes(1, 1)
    sheet.autofilter(0, 0, len(table.rows), len(table.columns) - 1)
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, len(table.columns) - 1, 18)
    summary_sheet = workbook.add_worksheet("Summary")
    for number, (label, value) in enumerate(summary_pairs(table)):
        summary_sheet.write_string(number, 0, label, bold)
        summary_sheet.write_string(number, 1, value)
    summary_sheet.set_column(0, 0, 40)
    workbook.close()
    return buffer.getvalue()


def reason_text(reason: str | None) -> str:
    """A reason code in plain words."""
    return "" if reason is None else REASONS.get(reason, reason)
