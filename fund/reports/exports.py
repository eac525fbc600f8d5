"""The accountant's workbooks: journal, general ledger, trial balance, account statement.

Builders are pure: they take rows (streamed where there can be millions) and a target file,
and write with XlsxWriter in ``constant_memory`` mode (through ``workbook``'s ``Book``, which
they share with the control sheet), so memory stays flat however long the journal. Amounts
are written as numbers in major units from ``Decimal`` (``from_minor``): XlsxWriter prints
a Decimal's own digits into the file, so 12500.00 is exactly 12500.00 and no float is
ever formed. Dates are real dates (serial day numbers with a date format). Text
that a spreadsheet could run as a formula (leading ``= + - @``) is neutralised.

Each workbook carries a "Control totals" sheet: entries, postings and debit/credit totals per
currency, and whether opening balances plus the movements give the trial balance at the end.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from fund.reports.books import LedgerRow, account_order
from fund.reports.workbook import (
    FUND_NAME,
    AccountCells,
    Book,
    Controls,
    Listing,
    Period,
    Target,
    account_cells,
    close_book,
    excel_date,
    major,
    text_cell,
)
from imports.writing import neutralise
from ledger.money import to_minor
from ledger.queries import AccountStatement, JournalLine, TrialBalance, debit_credit

if TYPE_CHECKING:
    from xlsxwriter.worksheet import Worksheet


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
        text_cell(sheet, row, 4, line.reference)
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
    return close_book(book, listing, controls, period)


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
            text_cell(sheet, row, 7, reference)
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
    return close_book(book, listing, controls, period)


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
            text_cell(sheet, row, 2, line.dimensions)
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
        text_cell(sheet, row, 3, line.reference)
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
        text_cell(about, number, 1, value)
    book.close()
