"""A brand's statement as a PDF (reportlab, with charts) and as an XLSX: pure builders.

Both take the plain ``BrandStatement`` (and charts for the PDF) and return bytes. Neither
names a worker: the fund's use of money is shown by factory and event only.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING

from fund.brands.fund_use_events import UseEvent
from fund.brands.statement import BrandStatement
from fund.pdf import LATIN, LATIN_BOLD, markup, paragraph_style, register_fonts, text_lines
from fund.reports.charts import Chart, drawing
from fund.reports.workbook import Book, excel_date, major
from imports.writing import neutralise
from ledger.money import format_minor

if TYPE_CHECKING:
    from reportlab.platypus import Table
    from reportlab.platypus.flowables import Flowable


def period_text(start: date | None, end: date) -> str:
    """``"2026-01-01 to 2026-03-31"`` or ``"up to 2026-03-31"``."""
    return f"{start} to {end}" if start is not None else f"up to {end}"


def _table(
    rows: Sequence[Sequence[str | Flowable]],
    numeric_from: int,
    widths: Sequence[float | None] | None = None,
) -> Table:
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    table = Table(rows, repeatRows=1, hAlign="LEFT", colWidths=widths)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), LATIN_BOLD, 8),
                ("FONT", (0, 1), (-1, -1), LATIN, 8),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDEBF7")),
                ("ALIGN", (numeric_from, 0), (-1, -1), "RIGHT"),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def statement_pdf(
    statement: BrandStatement,
    charts: Sequence[Chart] = (),
    *,
    events: Mapping[str, UseEvent] | None = None,
    workers_helped: int | None = None,
) -> bytes:
    """The statement as an A4 PDF: totals, pledges, payments, fund use, then the charts.

    ``events`` names the fund-use lines' events (by the ledger's event id) and counts the
    workers each paid; ``workers_helped`` is the total. Every font is embedded (``fund.pdf``).
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    register_fonts()
    styles = {
        "Title": paragraph_style("Title", 18, bold=True, spaceAfter=6),
        "Heading2": paragraph_style("Heading2", 13, bold=True, spaceAfter=4),
        "Heading3": paragraph_style("Heading3", 11, bold=True, spaceBefore=4, spaceAfter=4),
        "Body": paragraph_style("Body", 9),
        "Cell": paragraph_style("Cell", 8),
    }
    events = events or {}
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        title=f"{statement.brand_name} statement",
        author="Worker Fund",
        initialFontName=LATIN,
    )
    story: list[Flowable] = [
        Paragraph(f"{markup(statement.brand_name)} ({statement.brand_code})", styles["Title"]),
        Paragraph(f"Statement {period_text(statement.start, statement.end)}", styles["Heading2"]),
    ]
    rows = [["Currency", "Pledged", "Received", "Outstanding", "Overdue"]]
    for position in statement.positions:
        c = position.currency
        rows.append(
            [
                c,
                format_minor(position.pledged, c),
                format_minor(position.received, c),
                format_minor(position.outstanding, c),
                format_minor(position.overdue, c),
            ]
        )
    story += [_table(rows, 1), Spacer(1, 6 * mm), Paragraph("Pledges", styles["Heading3"])]
    rows = [["Reference", "Pledged on", "Due", "Currency", "Amount", "Received", "Open", "Overdue"]]
    for pledge in statement.pledges:
        c = pledge.currency
        rows.append(
            [
                Paragraph(markup(pledge.reference), styles["Cell"]),
                str(pledge.pledged_on),
                str(pledge.due_date),
                c,
                format_minor(pledge.amount, c),
                format_minor(pledge.received, c),
                format_minor(pledge.outstanding, c),
                format_minor(pledge.overdue, c),
            ]
        )
    story += [
        _table(rows, 4),
        Spacer(1, 6 * mm),
        Paragraph("Payments received", styles["Heading3"]),
    ]
    rows = [["Value date", "Bank reference", "Pledge", "Currency", "Amount"]]
    for payment in statement.contributions:
        rows.append(
            [
                str(payment.value_date),
                Paragraph(markup(payment.bank_reference), styles["Cell"]),
                Paragraph(markup(payment.pledge_reference or ""), styles["Cell"]),
                payment.currency,
                format_minor(payment.amount, payment.currency),
            ]
        )
    story += [
        _table(rows, 4),
        Spacer(1, 6 * mm),
        Paragraph("How the fund used money (all members' contributions)", styles["Heading3"]),
    ]
    if workers_helped is not None:
        story.append(
            Paragraph(
                f"Workers helped in the period: {workers_helped:,} (paid, as the payment "
                "provider confirmed; counts only, no worker is named).",
                styles["Body"],
            )
        )
        story.append(Spacer(1, 2 * mm))
    heading = paragraph_style("Heading cell", 8, bold=True, alignment=2)  # right, as the figures
    rows = [
        [
            "Factory",
            "Event",
            Paragraph("Workers helped", heading),
            Paragraph("Compensation (BDT)", heading),
            Paragraph("Paid out (BDT)", heading),
        ]
    ]
    for use in statement.fund_use:
        named = events.get(use.event)
        rows.append(
            [
                # Drawn by fund.pdf, not as a Paragraph: a Bengali factory or event name
                # extracts (and copies) as written, through its ActualText.
                text_lines(use.factory, 8),
                text_lines(named.title if named else f"Event {use.event}", 8),
                f"{named.workers_helped:,}" if named else "",
                format_minor(use.compensation, "BDT"),
                format_minor(use.paid, "BDT"),
            ]
        )
    rows.append(
        [
            "Total",
            "",
            f"{workers_helped:,}" if workers_helped is not None else "",
            format_minor(statement.compensation_total, "BDT"),
            format_minor(statement.paid_total, "BDT"),
        ]
    )
    story.append(_table(rows, 2, widths=(40 * mm, 56 * mm, 22 * mm, 31 * mm, 31 * mm)))
    for chart in charts:
        if not chart.empty:
            story += [Spacer(1, 6 * mm), drawing(chart)]
    document.build(story)
    return buffer.getvalue()


def statement_xlsx(
    statement: BrandStatement,
    *,
    events: Mapping[str, UseEvent] | None = None,
    workers_helped: int | None = None,
) -> bytes:
    """The statement as a workbook: a summary sheet, pledges, payments and fund use."""
    events = events or {}
    buffer = io.BytesIO()
    book = Book(buffer)
    summary = book.sheet(
        "Summary",
        [("Currency", 10), ("Pledged", 18), ("Received", 18), ("Outstanding", 18), ("Overdue", 18)],
    )
    row = 0
    for row, position in enumerate(statement.positions, start=1):
        c = position.currency
        summary.write_string(row, 0, c)
        for col, value in enumerate(
            (position.pledged, position.received, position.outstanding, position.overdue), start=1
        ):
            summary.write_number(row, col, major(value, c), book.money)
    summary.write_string(row + 2, 0, "Brand", book.bold)
    summary.write_string(row + 2, 1, neutralise(f"{statement.brand_name} ({statement.brand_code})"))
    summary.write_string(row + 3, 0, "Period", book.bold)
    summary.write_string(row + 3, 1, period_text(statement.start, statement.end))
    summary.autofilter(0, 0, max(len(statement.positions), 1), 4)

    pledges = book.sheet(
        "Pledges",
        [
            ("Reference", 20),
            ("Pledged on", 12),
            ("Due", 12),
            ("Instalments", 11),
            ("Currency", 9),
            ("Amount", 18),
            ("Received", 18),
            ("Outstanding", 18),
            ("Overdue", 18),
        ],
    )
    for row, pledge in enumerate(statement.pledges, start=1):
        c = pledge.currency
        pledges.write_string(row, 0, neutralise(pledge.reference))
        pledges.write_number(row, 1, excel_date(pledge.pledged_on), book.date)
        pledges.write_number(row, 2, excel_date(pledge.due_date), book.date)
        pledges.write_number(row, 3, pledge.instalments, book.integer)
        pledges.write_string(row, 4, c)
        for col, value in enumerate(
            (pledge.amount, pledge.received, pledge.outstanding, pledge.overdue), start=5
        ):
            pledges.write_number(row, col, major(value, c), book.money)
    pledges.autofilter(0, 0, max(len(statement.pledges), 1), 8)

    payments = book.sheet(
        "Payments",
        [
            ("Value date", 12),
            ("Bank reference", 24),
            ("Pledge", 20),
            ("Currency", 9),
            ("Amount", 18),
        ],
    )
    for row, payment in enumerate(statement.contributions, start=1):
        payments.write_number(row, 0, excel_date(payment.value_date), book.date)
        payments.write_string(row, 1, neutralise(payment.bank_reference))
        if payment.pledge_reference:
            payments.write_string(row, 2, neutralise(payment.pledge_reference))
        payments.write_string(row, 3, payment.currency)
        payments.write_number(row, 4, major(payment.amount, payment.currency), book.money)
    payments.autofilter(0, 0, max(len(statement.contributions), 1), 4)

    use = book.sheet(
        "Fund use",
        [
            ("Factory", 30),
            ("Event", 48),
            ("Workers helped", 15),
            ("Compensation (BDT)", 20),
            ("Paid out (BDT)", 20),
        ],
    )
    row = 0
    for row, line in enumerate(statement.fund_use, start=1):
        named = events.get(line.event)
        use.write_string(row, 0, neutralise(line.factory))
        use.write_string(row, 1, neutralise(named.title if named else f"Event {line.event}"))
        if named:
            use.write_number(row, 2, named.workers_helped, book.integer)
        use.write_number(row, 3, major(line.compensation, "BDT"), book.money)
        use.write_number(row, 4, major(line.paid, "BDT"), book.money)
    use.autofilter(0, 0, max(row, 1), 4)
    use.write_string(row + 1, 0, "Total", book.bold)
    if workers_helped is not None:
        use.write_number(row + 1, 2, workers_helped, book.integer)
    use.write_number(row + 1, 3, major(statement.compensation_total, "BDT"), book.money_bold)
    use.write_number(row + 1, 4, major(statement.paid_total, "BDT"), book.money_bold)
    book.close()
    return buffer.getvalue()
