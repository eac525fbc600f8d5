"""The streamed workbook every accountant's export is written into, and its control sheet.

``Book`` opens an XlsxWriter workbook in ``constant_memory`` mode with the formats the exports
share; ``Listing`` puts rows under a frozen header and continues on a new sheet when one is full;
``Controls`` gathers the totals while rows stream, and ``close_book`` writes the *Control totals*
sheet that ties them to the trial balance. The exports themselves are in ``exports``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING

from imports.writing import neutralise
from ledger.models import Account
from ledger.money import from_minor, minor_digits
from ledger.queries import TrialBalance

if TYPE_CHECKING:
    from xlsxwriter.worksheet import Worksheet


Target = str | Path | IO[bytes]
#: Excel's last row is 1,048,576; a longer listing continues on a new sheet.
MAX_ROWS = 1_048_576
_EXCEL_EPOCH = date(1899, 12, 30).toordinal()


#: Whose books a workbook shows, on its control sheet.
FUND_NAME = "Worker Fund"


def excel_date(day: date) -> int:
    """The spreadsheet's serial day number for ``day`` (shown as a date by the date format)."""
    return day.toordinal() - _EXCEL_EPOCH


def major(minor: int, currency: str) -> Decimal:
    """Minor units as an exact Decimal in major units (12500 poisha → Decimal('125.00'))."""
    return from_minor(minor, currency)


@dataclass(frozen=True, slots=True)
class AccountCells:
    """An account's text cells, prepared once per account rather than once per posting."""

    code: str
    name: str
    dimensions: str
    currency: str
    digits: int
    account_id: int


def account_cells(account: Account) -> AccountCells:
    """The cells every row of ``account`` repeats (neutralised once)."""
    return AccountCells(
        account.code,
        neutralise(account.name),
        neutralise(account.dimension_key),
        account.currency,
        minor_digits(account.currency),
        account.id,
    )


class Book:
    """One streamed workbook with the formats every export shares."""

    def __init__(self, target: Target) -> None:
        import xlsxwriter

        self.workbook = xlsxwriter.Workbook(
            target,
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
                "default_date_format": "yyyy-mm-dd",
            },
        )
        add = self.workbook.add_format
        self.header = add({"bold": True, "bg_color": "#DDEBF7", "bottom": 1})
        self.money = add({"num_format": "#,##0.00;-#,##0.00"})
        self.money_bold = add({"num_format": "#,##0.00;-#,##0.00", "bold": True})
        self.date = add({"num_format": "yyyy-mm-dd"})
        self.rate = add({"num_format": "0.00####"})
        self.bold = add({"bold": True})
        self.integer = add({"num_format": "0"})

    def sheet(self, name: str, columns: Sequence[tuple[str, int]]) -> Worksheet:
        """A sheet with a bold, frozen header row of ``(title, width)`` columns."""
        sheet = self.workbook.add_worksheet(name)
        for col, (title, width) in enumerate(columns):
            sheet.set_column(col, col, width)
            sheet.write_string(0, col, title, self.header)
        sheet.freeze_panes(1, 0)
        return sheet

    def close(self) -> None:
        """Finish the file."""
        self.workbook.close()


class Listing:
    """Rows under a header, continuing on a new sheet when one is full; autofilter on each."""

    def __init__(self, book: Book, name: str, columns: Sequence[tuple[str, int]]) -> None:

        self.book, self.name, self.columns = book, name, columns
        self.sheets: list[tuple[Worksheet, int]] = []
        self._new_sheet()

    def _new_sheet(self) -> None:
        title = self.name if not self.sheets else f"{self.name} ({len(self.sheets) + 1})"
        self.sheet = self.book.sheet(title, self.columns)
        self.row = 0
        self.sheets.append((self.sheet, 0))

    def next_row(self) -> int:
        """The row to write next (on the current sheet)."""
        if self.row + 1 >= MAX_ROWS:
            self._finish_sheet()
            self._new_sheet()
        self.row += 1
        return self.row

    def _finish_sheet(self) -> None:
        self.sheet.autofilter(0, 0, max(self.row, 1), len(self.columns) - 1)

    def close(self) -> None:
        """Put the autofilter on the last sheet."""
        self._finish_sheet()


def text_cell(sheet: Worksheet, row: int, col: int, value: str | None) -> None:
    if value:
        sheet.write_string(row, col, neutralise(value))


@dataclass
class Controls:
    """Totals gathered while streaming, to tie the export back to the trial balance."""

    entries: int = 0
    postings: int = 0
    debit: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    credit: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    movement: dict[int, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, account_id: int, currency: str, amount: int) -> None:
        """Count one posting (plain values: this runs once per posting)."""
        self.postings += 1
        self.movement[account_id] += amount
        if amount > 0:
            self.debit[currency] += amount
        else:
            self.credit[currency] -= amount


@dataclass(frozen=True, slots=True)
class Period:
    """What a listing's control sheet ties to: dates, balances before and after, accounts."""

    start: date | None
    end: date | None
    opening: Mapping[int, int]
    closing: TrialBalance
    accounts: Mapping[int, Account]


def close_book(
    book: Book,
    listing: Listing,
    controls: Controls,
    period: Period,
) -> Controls:
    """End the listing, add the control sheet and write the file; the controls it shows.

    The control sheet: counts, totals per currency, and the tie to the trial balance.
    """
    listing.close()
    start, end, opening, closing, accounts = (
        period.start,
        period.end,
        period.opening,
        period.closing,
        period.accounts,
    )
    sheet = book.workbook.add_worksheet("Control totals")
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 8, 20)
    # Row by row: a constant-memory worksheet drops cells written to a row already left.
    for row, (label, day) in enumerate((("Period from", start), ("Period to", end))):
        sheet.write_string(row, 0, label, book.bold)
        if row == 0:
            sheet.write_string(0, 3, "Fund", book.bold)
            sheet.write_string(0, 4, FUND_NAME)
        if day is None:
            sheet.write_string(row, 1, "beginning" if row == 0 else "latest")
        else:
            sheet.write_number(row, 1, excel_date(day), book.date)
    sheet.write_string(2, 0, "Entries", book.bold)
    sheet.write_number(2, 1, controls.entries, book.integer)
    sheet.write_string(3, 0, "Postings", book.bold)
    sheet.write_number(3, 1, controls.postings, book.integer)
    headers = [
        "Currency",
        "Total debit",
        "Total credit",
        "Trial balance debit",
        "Trial balance credit",
        "Debits = credits",
        "Opening + movements = trial balance",
    ]
    for col, title in enumerate(headers):
        sheet.write_string(5, col, title, book.header)
    closing_net = {line.account_id: line.debit - line.credit for line in closing.lines}
    currencies = sorted(set(controls.debit) | set(controls.credit) | set(closing.totals))
    for row, currency in enumerate(currencies, start=6):
        ids = {
            account_id
            for account_id in set(opening) | set(controls.movement) | set(closing_net)
            if accounts[account_id].currency == currency
        }
        ties = all(
            opening.get(i, 0) + controls.movement.get(i, 0) == closing_net.get(i, 0) for i in ids
        )
        tb_debit, tb_credit = closing.totals.get(currency, (0, 0))
        sheet.write_string(row, 0, currency)
        sheet.write_number(row, 1, major(controls.debit.get(currency, 0), currency), book.money)
        sheet.write_number(row, 2, major(controls.credit.get(currency, 0), currency), book.money)
        sheet.write_number(row, 3, major(tb_debit, currency), book.money)
        sheet.write_number(row, 4, major(tb_credit, currency), book.money)
        balanced = controls.debit.get(currency, 0) == controls.credit.get(currency, 0)
        sheet.write_string(row, 5, "yes" if balanced and tb_debit == tb_credit else "NO")
        sheet.write_string(row, 6, "yes" if ties else "NO")
    book.close()
    return controls
