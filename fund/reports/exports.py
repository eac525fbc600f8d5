"""The accountant's workbooks: journal, general ledger, trial balance, account statement.

Builders are pure: they take rows (streamed where there can be millions) and a target file,
and write with XlsxWriter in ``constant_memory`` mode, so memory stays flat however long the
journal. Amounts are written as numbers in major units from ``Decimal`` (``from_minor``):
XlsxWriter prints a Decimal's own digits into the file, so 12500.00 is exactly 12500.00 and
no float is ever formed. Dates are real dates (serial day numbers with a date format). Text
that a spreadsheet could run as a formula (leading ``= + - @``) is neutralised.

Each workbook carries a "Control totals" sheet: entries, postings and debit/credit totals per
currency, and whether opening balances plus the movements give the trial balance at the end.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from fund.reports.books import LedgerRow, account_order
from imports.writing import neutralise
from ledger.models import Account
from ledger.money import from_minor, minor_digits, to_minor
from ledger.queries import AccountStatement, JournalLine, TrialBalance, debit_credit

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


def _text(sheet: Worksheet, row: int, col: int, value: str | None) -> None:
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


def _close_book(
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


#: The four columns every row of the journal, general ledger and trial balance repeats, so
#: pivot tables work.
ACCOUNT_COLUMNS = (
    ("Account code", 12),
    ("Account name", 28),
    ("Dimensions", 26),
    ("Currency", 9),
)

#: An account statement's columns; the general ledger has them after the account's.
STATEMENT_COLUMNS = (
    ("Date", 11),
    ("Entry", 9),
    ("Memo", 40),
    ("Reference", 18),
    ("Debit", 16),
    ("Credit", 16),
    ("Balance", 18),
)

JOURNAL_COLUMNS = (
    ("Entry", 9),
    ("Sequence", 10),
    ("Date", 11),
    ("Memo", 40),
    ("Reference", 18),
    *ACCOUNT_COLUMNS,
    ("Debit", 16),
    ("Credit", 16),
    ("Rate", 12),
    ("BDT at rate", 16),
)


def write_journal(
    target: Target,
    lines: Iterable[JournalLine],
    period: Period,
) -> Controls:
    """Every posting, one row each, in chain order; a converted entry shows its rate."""
    book = Book(target)
    listing = Listing(book, "Journal", JOURNAL_COLUMNS)
    controls = Controls()
    money, day_format, rate_format = book.money, book.date, book.rate
    last_entry = None
    last_memo, memo_cell = "", ""
    dates: dict[date, int] = {}
    cells: dict[int, AccountCells] = {}
    for line in lines:
        row = listing.next_row()
        sheet = listing.sheet
        account = line.account
        facts = cells.get(account.id)
        if facts is None:
            facts = cells[account.id] = account_cells(account)
        if line.entry_id != last_entry:
            controls.entries += 1
            last_entry = line.entry_id
        controls.add(facts.account_id, facts.currency, line.amount)
        serial = dates.get(line.effective_date)
        if serial is None:
            serial = dates[line.effective_date] = excel_date(line.effective_date)
        if line.memo != last_memo:
            last_memo, memo_cell = line.memo, neutralise(line.memo)
        sheet.write_number(row, 0, line.entry_id)
        sheet.write_number(row, 1, line.sequence)
        sheet.write_number(row, 2, serial, day_format)
        sheet.write_string(row, 3, memo_cell)
        _text(sheet, row, 4, line.reference)
        sheet.write_string(row, 5, facts.code)
        sheet.write_string(row, 6, facts.name)
        if facts.dimensions:
            sheet.write_string(row, 7, facts.dimensions)
        sheet.write_string(row, 8, facts.currency)
        # Decimal(minor).scaleb(-places) is the exact major amount (12500 → 125.00).
        amount = Decimal(abs(line.amount)).scaleb(-facts.digits)
        sheet.write_number(row, 9 if line.amount > 0 else 10, amount, money)
        if line.rate is not None:
            rate = Decimal(line.rate)
            sheet.write_number(row, 11, rate, rate_format)
            if facts.currency != "BDT":
                converted = to_minor(amount * rate, "BDT", rounding="half_up")
                sheet.write_number(row, 12, major(converted, "BDT"), money)
    return _close_book(book, listing, controls, period)


LEDGER_COLUMNS = (*ACCOUNT_COLUMNS, *STATEMENT_COLUMNS, ("Rate", 12))


def write_general_ledger(
    target: Target,
    rows: Iterable[LedgerRow],
    period: Period,
    *,
    entries: int,
) -> Controls:
    """Per account: an opening row, its postings with a running balance, a closing row.

    ``rows`` come ordered by account (``account_order``) and date. Every row repeats the
    account's code and name, so pivot tables work; opening and closing rows have no entry
    and no debit or credit, so sums over the sheet count the postings only.
    """

    book = Book(target)
    listing = Listing(book, "General ledger", LEDGER_COLUMNS)
    controls = Controls(entries=entries)
    money, money_bold, day_format = book.money, book.money_bold, book.date
    stream = iter(rows)
    head = next(stream, None)
    dates: dict[date, int] = {}
    start, end, opening = period.start, period.end, period.opening
    ordered = sorted(period.accounts.values(), key=account_order)

    def account_columns(row: int, facts: AccountCells) -> Worksheet:
        sheet = listing.sheet
        sheet.write_string(row, 0, facts.code)
        sheet.write_string(row, 1, facts.name)
        if facts.dimensions:
            sheet.write_string(row, 2, facts.dimensions)
        sheet.write_string(row, 3, facts.currency)
        return sheet

    def balance_row(facts: AccountCells, label: str, day: date | None, amount: int) -> None:
        # No entry and no debit or credit: sums over the sheet count the postings only.
        row = listing.next_row()
        sheet = account_columns(row, facts)
        if day is not None:
            sheet.write_number(row, 4, excel_date(day), day_format)
        sheet.write_string(row, 6, label)
        sheet.write_number(row, 10, major(amount, facts.currency), money_bold)

    last_memo, memo_cell = "", ""
    for account in ordered:
        account_id = account.id
        has_rows = head is not None and head.account_id == account_id
        running = opening.get(account.id, 0)
        if not has_rows and running == 0:
            continue
        facts = account_cells(account)
        places = -facts.digits
        balance_row(facts, "Opening balance", start, running)
        currency = facts.currency
        while head is not None and head.account_id == account_id:
            _, entry_id, _, effective_date, memo, reference, rate, amount = head
            head = next(stream, None)
            controls.add(account_id, currency, amount)
            running += amount
            row = listing.next_row()
            sheet = account_columns(row, facts)
            serial = dates.get(effective_date)
            if serial is None:
                serial = dates[effective_date] = excel_date(effective_date)
            if memo != last_memo:
                last_memo, memo_cell = memo, neutralise(memo)
            sheet.write_number(row, 4, serial, day_format)
            sheet.write_number(row, 5, entry_id)
            sheet.write_string(row, 6, memo_cell)
            _text(sheet, row, 7, reference)
            # Decimal(minor).scaleb(-places) is the exact major amount (12500 → 125.00).
            sheet.write_number(
                row, 8 if amount > 0 else 9, Decimal(abs(amount)).scaleb(places), money
            )
            sheet.write_number(row, 10, Decimal(running).scaleb(places), money)
            if rate is not None:
                sheet.write_number(row, 11, Decimal(rate), book.rate)
        balance_row(facts, "Closing balance", end, running)
    if head is not None:
        raise ValueError("general-ledger rows are not in account order")
    return _close_book(book, listing, controls, period)


TRIAL_BALANCE_COLUMNS = (
    *ACCOUNT_COLUMNS,
    ("Debit", 18),
    ("Credit", 18),
)


def write_trial_balance(target: Target, report: TrialBalance) -> None:
    """Every account's balance as of a date, grouped per currency with equal total rows."""
    book = Book(target)
    sheet = book.sheet("Trial balance", TRIAL_BALANCE_COLUMNS)
    row = 0
    for currency, (total_debit, total_credit) in report.totals.items():
        for line in (line for line in report.lines if line.currency == currency):
            row += 1
            sheet.write_string(row, 0, line.code)
            sheet.write_string(row, 1, line.name)
            _text(sheet, row, 2, line.dimensions)
            sheet.write_string(row, 3, line.currency)
            sheet.write_number(row, 4, major(line.debit, currency), book.money)
            sheet.write_number(row, 5, major(line.credit, currency), book.money)
        row += 1
        sheet.write_string(row, 0, "Total", book.bold)
        sheet.write_string(row, 1, f"Total {currency}", book.bold)
        sheet.write_string(
            row, 2, "debits = credits" if total_debit == total_credit else "OUT OF BALANCE"
        )
        sheet.write_string(row, 3, currency, book.bold)
        sheet.write_number(row, 4, major(total_debit, currency), book.money_bold)
        sheet.write_number(row, 5, major(total_credit, currency), book.money_bold)
    sheet.autofilter(0, 0, max(row, 1), len(TRIAL_BALANCE_COLUMNS) - 1)
    controls = book.workbook.add_worksheet("Control totals")
    controls.set_column(0, 0, 24)
    controls.set_column(1, 4, 20)
    controls.write_string(0, 0, "As of", book.bold)
    controls.write_string(0, 3, "Fund", book.bold)
    controls.write_string(0, 4, FUND_NAME)
    if report.as_of is not None:
        controls.write_number(0, 1, excel_date(report.as_of), book.date)
    else:
        controls.write_string(0, 1, "latest")
    controls.write_string(1, 0, "Accounts", book.bold)
    controls.write_number(1, 1, len(report.lines), book.integer)
    for col, title in enumerate(("Currency", "Total debit", "Total credit", "Debits = credits")):
        controls.write_string(3, col, title, book.header)
    for number, (currency, (debit, credit)) in enumerate(report.totals.items(), start=4):
        controls.write_string(number, 0, currency)
        controls.write_number(number, 1, major(debit, currency), book.money)
        controls.write_number(number, 2, major(credit, currency), book.money)
        controls.write_string(number, 3, "yes" if debit == credit else "NO")
    book.close()


def write_account_statement(
    target: Target, statement: AccountStatement, *, start: date | None, end: date | None
) -> None:
    """One account: opening balance, postings with running balance, closing balance."""
    account = statement.account
    currency = account.currency
    book = Book(target)
    sheet = book.sheet("Statement", STATEMENT_COLUMNS)
    row = 1
    if start is not None:
        sheet.write_number(row, 0, excel_date(start), book.date)
    sheet.write_string(row, 2, "Opening balance", book.bold)
    sheet.write_number(row, 6, major(statement.opening, currency), book.money_bold)
    for line in statement.lines:
        row += 1
        debit, credit = debit_credit(line.amount)
        sheet.write_number(row, 0, excel_date(line.effective_date), book.date)
        sheet.write_number(row, 1, line.entry_id)
        sheet.write_string(row, 2, neutralise(line.memo))
        _text(sheet, row, 3, line.reference)
        if debit:
            sheet.write_number(row, 4, major(debit, currency), book.money)
        if credit:
            sheet.write_number(row, 5, major(credit, currency), book.money)
        sheet.write_number(row, 6, major(line.running_balance, currency), book.money)
    row += 1
    if end is not None:
        sheet.write_number(row, 0, excel_date(end), book.date)
    sheet.write_string(row, 2, "Closing balance", book.bold)
    sheet.write_number(row, 6, major(statement.closing, currency), book.money_bold)
    sheet.autofilter(0, 0, row, len(STATEMENT_COLUMNS) - 1)
    about = book.workbook.add_worksheet("Account")
    about.set_column(0, 0, 16)
    about.set_column(1, 1, 40)
    facts: list[tuple[str, Any]] = [
        ("Account code", account.code),
        ("Account name", account.name),
        ("Dimensions", account.dimension_key),
        ("Currency", currency),
    ]
    for number, (label, value) in enumerate(facts):
        about.write_string(number, 0, label, book.bold)
        _text(about, number, 1, value)
    book.close()
