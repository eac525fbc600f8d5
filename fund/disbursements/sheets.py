"""The disbursement sheet as XLSX and PDF: pure builders from plain rows to bytes.

The XLSX is written by XlsxWriter in constant-memory mode (rows streamed, 50,000 workers in a
few seconds): a header block with the batch's facts, the column titles frozen above the rows,
amounts as exact numbers with a ``#,##0.00`` format and a total that equals the approval entry.
The PDF is landscape A4 with a total at the foot of each page and carried forward, and a
signature column that cash payees sign. Text cells that begin with ``= + - @`` are neutralised.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from fund.display import page_count
from fund.pdf import draw_text, new_canvas, text_width
from imports.writing import neutralise
from ledger.money import format_minor, from_minor

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

COLUMNS = (
    "No.",
    "Receipt",
    "Worker ID",
    "Name",
    "NID (masked)",
    "Section",
    "Method",
    "Wallet / account",
    "Amount",
    "State",
    "Signature",
)
HEADER_ROWS = 7  # the facts block and a blank row above the column titles


@dataclass(frozen=True, slots=True)
class SheetHeader:
    """The batch's facts at the top of the sheet."""

    batch_id: int
    state: str
    kind: str
    factory: str
    event: str
    currency: str
    total_minor: int
    line_count: int
    approved_by: str
    approved_at: str
    approval_entry_id: int | None


class SheetRow(NamedTuple):
    """One payee line of the sheet (a named tuple: immutable and quick to make by the 50,000)."""

    receipt_number: str
    worker_id: str
    name: str
    national_id_masked: str
    section: str
    method: str
    account: str
    amount_minor: int
    state: str
    factory_share_minor: int = 0  # co-payment: the factory's part of the worker's whole


def _facts(header: SheetHeader) -> list[tuple[str, str]]:
    approval = (
        f"by {header.approved_by} on {header.approved_at}, journal entry {header.approval_entry_id}"
        if header.approval_entry_id
        else "not approved yet"
    )
    return [
        ("Factory", header.factory),
        ("Event", header.event),
        ("Batch", f"{header.batch_id} ({header.kind.replace('_', '-')}), {header.state}"),
        ("Approval", approval),
        ("Workers", str(header.line_count)),
    ]


def build_sheet_xlsx(header: SheetHeader, rows: Sequence[SheetRow]) -> bytes:
    """The disbursement sheet as an XLSX workbook (one sheet, streamed)."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    title = workbook.add_format({"bold": True, "font_size": 14})
    bold = workbook.add_format({"bold": True})
    titles = workbook.add_format({"bold": True, "bottom": 1, "bg_color": "#DDEBF7"})
    money = workbook.add_format({"num_format": "#,##0.00"})
    money_total = workbook.add_format({"num_format": "#,##0.00", "bold": True, "top": 1})
    total_label = workbook.add_format({"bold": True, "top": 1})
    sheet = workbook.add_worksheet(f"Batch {header.batch_id}")
    for col, width in enumerate((6, 18, 12, 28, 16, 14, 9, 16, 14, 10, 22)):
        sheet.set_column(col, col, width)
    sheet.write_string(0, 0, f"Disbursement sheet — batch {header.batch_id}", title)
    for number, (label, value) in enumerate(_facts(header), start=1):
        sheet.write_string(number, 0, label, bold)
        sheet.write_string(number, 2, neutralise(value))
    sheet.write_string(HEADER_ROWS - 1, 0, f"Total ({header.currency})", bold)
    sheet.write_number(HEADER_ROWS - 1, 2, from_minor(header.total_minor, header.currency), money)
    top = HEADER_ROWS + 1
    for col, name in enumerate(COLUMNS):
        label = f"Amount ({header.currency})" if name == "Amount" else name
        sheet.write_string(top, col, label, titles)
    total = 0
    for number, row in enumerate(rows, start=1):
        at = top + number
        sheet.write_number(at, 0, number)
        sheet.write_string(at, 1, row.receipt_number)
        sheet.write_string(at, 2, neutralise(row.worker_id))
        sheet.write_string(at, 3, neutralise(row.name))
        sheet.write_string(at, 4, row.national_id_masked)
        sheet.write_string(at, 5, neutralise(row.section))
        sheet.write_string(at, 6, row.method)
        sheet.write_string(at, 7, neutralise(row.account))
        sheet.write_number(at, 8, from_minor(row.amount_minor, header.currency), money)
        sheet.write_string(at, 9, row.state)
        total += row.amount_minor
    last = top + len(rows) + 1
    sheet.write_string(last, 7, "Total", total_label)
    sheet.write_number(last, 8, from_minor(total, header.currency), money_total)
    if any(row.factory_share_minor for row in rows):
        # co-payment: each worker's factory part beside the amount (issue 18)
        share_col = len(COLUMNS)
        sheet.set_column(share_col, share_col, 16)
        sheet.write_string(top, share_col, f"Factory's part ({header.currency})", titles)
        for number, row in enumerate(rows, start=1):
            amount = from_minor(row.factory_share_minor, header.currency)
            sheet.write_number(top + number, share_col, amount, money)
        shares = sum(row.factory_share_minor for row in rows)
        sheet.write_number(last, share_col, from_minor(shares, header.currency), money_total)
    sheet.freeze_panes(top + 1, 0)
    sheet.autofilter(top, 0, top + max(len(rows), 1), len(COLUMNS) - 1)
    workbook.close()
    return buffer.getvalue()


def _right(
    canvas: Canvas, right: float, y: float, text: str, size: float, *, bold: bool = False
) -> None:
    """``text`` drawn to end at ``right`` (an amount column)."""
    draw_text(canvas, right - text_width(text, size, bold=bold), y, text, size, bold=bold)


def build_sheet_pdf(header: SheetHeader, rows: Sequence[SheetRow], *, per_page: int = 24) -> bytes:
    """The disbursement sheet as a landscape PDF with page totals and a signature column."""
    from reportlab.lib.pagesizes import A4, landscape

    buffer = io.BytesIO()
    width, height = landscape(A4)
    canvas = new_canvas(buffer, (width, height))
    canvas.setTitle(f"Disbursement sheet, batch {header.batch_id}")
    margin = 28.0
    # x of each column's left edge; the amount is right-aligned to the next edge
    edges = (margin, 50, 128, 185, 330, 395, 460, 505, 580, 648, 700)
    row_height = 18.0
    pages = page_count(len(rows), per_page)
    carried = 0
    currency = header.currency
    shares = sum(row.factory_share_minor for row in rows)
    facts = _facts(header)
    if shares:
        facts.append(
            ("Factory", f"its part of these workers' amounts: {format_minor(shares, currency)}")
        )
    for page in range(pages):
        chunk = rows[page * per_page : (page + 1) * per_page]
        y = height - margin - 4
        draw_text(canvas, margin, y, f"Disbursement sheet — batch {header.batch_id}", 13, bold=True)
        _right(canvas, width - margin, y, f"Page {page + 1} of {pages}", 8)
        y -= 14
        for label, value in facts:
            draw_text(canvas, margin, y, label, 7.5, bold=True)
            draw_text(canvas, margin + 50, y, value, 7.5)
            y -= 10
        y -= 6
        for edge, name in zip(edges[:-1], COLUMNS[:-1], strict=True):
            if name == "Amount":
                _right(canvas, edges[9] - 6, y, f"Amount ({currency})", 7.5, bold=True)
            else:
                draw_text(canvas, edge, y, name, 7.5, bold=True)
        draw_text(canvas, edges[10], y, "Signature (cash)", 7.5, bold=True)
        y -= 4
        canvas.line(margin, y, width - margin, y)
        page_total = 0
        for offset, row in enumerate(chunk, start=page * per_page + 1):
            y -= row_height
            draw_text(canvas, edges[0], y, str(offset), 7.5)
            draw_text(canvas, edges[1], y, row.receipt_number, 7.5)
            draw_text(canvas, edges[2], y, row.worker_id[:14], 7.5)
            draw_text(canvas, edges[3], y, row.name[:40], 8)
            draw_text(canvas, edges[4], y, row.national_id_masked, 7.5)
            draw_text(canvas, edges[5], y, row.section[:16], 7.5)
            draw_text(canvas, edges[6], y, row.method, 7.5)
            draw_text(canvas, edges[7], y, row.account[:16], 7.5)
            _right(canvas, edges[9] - 6, y, format_minor(row.amount_minor, currency), 7.5)
            draw_text(canvas, edges[9], y, row.state, 7.5)
            if row.method == "cash":
                canvas.line(edges[10], y - 2, width - margin, y - 2)
            page_total += row.amount_minor
        carried += page_total
        y -= 8
        canvas.line(margin, y, width - margin, y)
        y -= 12
        draw_text(canvas, edges[7], y, "Page total", 8, bold=True)
        _right(canvas, edges[9] - 6, y, format_minor(page_total, currency), 8, bold=True)
        y -= 11
        label = "Total" if page == pages - 1 else "Carried forward"
        draw_text(canvas, edges[7], y, label, 8, bold=True)
        _right(canvas, edges[9] - 6, y, format_minor(carried, currency), 8, bold=True)
        if page == pages - 1:
            draw_text(canvas, margin, margin, "Prepared by ____________________", 7.5)
            draw_text(canvas, margin + 260, margin, "Approved by ____________________", 7.5)
            draw_text(canvas, margin + 520, margin, "Paid by ____________________", 7.5)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
