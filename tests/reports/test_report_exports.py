"""The accountant's workbooks read with openpyxl: totals agree with the ledger to the minor unit."""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select
from sqlalchemy.orm import Session

from fund.reports.services import export_books
from ledger.models import Account, JournalEntry, Posting
from ledger.money import to_minor
from ledger.queries import balance, statement, trial_balance
from tests.brands.books import write_books

if TYPE_CHECKING:
    from tests.conftest import People

MONEY = "#,##0.00;-#,##0.00"


@pytest.fixture
def books(session: Session, users: People) -> Session:
    write_books(session, users.brands, users.admin)
    return session


def workbook(session: Session, kind: str, **period: Any) -> openpyxl.Workbook:
    target = io.BytesIO()
    export_books(session, kind=kind, target=target, **period)  # type: ignore[arg-type]
    return openpyxl.load_workbook(io.BytesIO(target.getvalue()))


def minor(value: Any, currency: str) -> int:
    """A cell's number back in minor units (openpyxl hands numbers over as Python numbers)."""
    return to_minor(Decimal(str(value)), currency) if value is not None else 0


def rows(sheet: Worksheet) -> list[dict[str, Any]]:
    header = [cell.value for cell in sheet[1]]
    return [
        dict(zip(header, values, strict=False))
        for values in sheet.iter_rows(min_row=2, values_only=True)
    ]


def ledger_totals(
    session: Session, start: date | None = None, end: date | None = None
) -> dict[str, tuple[int, int]]:
    """Debit and credit totals per currency straight from the postings table."""
    query = (
        select(Posting.currency, Posting.amount)
        .join(JournalEntry)
        .where(JournalEntry.status == "posted")
    )
    if start:
        query = query.where(JournalEntry.effective_date >= start)
    if end:
        query = query.where(JournalEntry.effective_date <= end)
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for currency, amount in session.execute(query):
        totals[currency][0 if amount > 0 else 1] += abs(amount)
    return {c: (d, k) for c, (d, k) in totals.items()}


def check_sheet_is_workable(sheet: Worksheet) -> None:
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref is not None
    assert sheet.auto_filter.ref.startswith("A1:")


def test_the_journal_lists_every_posting_with_its_account_and_ties_out(books: Session) -> None:
    book = workbook(books, "journal")
    sheet = book["Journal"]
    check_sheet_is_workable(sheet)
    lines = rows(sheet)
    assert len(lines) == books.query(Posting).count()
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    names = {a.code: a.name for a in books.scalars(select(Account))}
    for line in lines:
        assert line["Account name"] == names[line["Account code"]]
        assert isinstance(line["Date"], datetime)
        totals[line["Currency"]][0] += minor(line["Debit"], line["Currency"])
        totals[line["Currency"]][1] += minor(line["Credit"], line["Currency"])
    assert {c: tuple(t) for c, t in totals.items()} == ledger_totals(books)
    # The converted entry shows its rate on every line, and the taka value of the dollar lines.
    converted = [line for line in lines if line["Rate"] is not None]
    assert len(converted) == 4
    assert {Decimal(str(line["Rate"])) for line in converted} == {Decimal("121.5")}
    dollar = next(line for line in converted if line["Account code"] == "1000")
    assert minor(dollar["BDT at rate"], "BDT") == 300_000 * 1215 // 10
    # A memo starting with "=" is text, not a formula.
    memo = next(line["Memo"] for line in lines if "Compensation" in (line["Memo"] or ""))
    assert memo.startswith("'=")
    cell = sheet["J2"] if sheet["J2"].value is not None else sheet["K2"]
    assert cell.number_format == MONEY
    assert sheet["C2"].number_format == "yyyy-mm-dd"


def test_the_control_sheet_ties_the_journal_to_the_trial_balance(books: Session) -> None:
    book = workbook(books, "journal")
    control = book["Control totals"]
    entries = books.query(JournalEntry).filter(JournalEntry.status == "posted").count()
    assert control["B3"].value == entries
    assert control["B4"].value == books.query(Posting).count()
    table = {row[0]: row for row in control.iter_rows(min_row=7, values_only=True) if row[0]}
    report = trial_balance(books)
    for currency, (debit, credit) in ledger_totals(books).items():
        row = table[currency]
        assert (minor(row[1], currency), minor(row[2], currency)) == (debit, credit)
        assert (minor(row[3], currency), minor(row[4], currency)) == report.totals[currency]
        assert row[5] == "yes"
        assert row[6] == "yes"


def test_a_journal_for_a_period_holds_only_that_period(books: Session) -> None:
    march = workbook(books, "journal", start=date(2026, 3, 1), end=date(2026, 3, 31))
    lines = rows(march["Journal"])
    assert {line["Date"].date().month for line in lines} == {3}
    totals = ledger_totals(books, date(2026, 3, 1), date(2026, 3, 31))
    assert sum(minor(line["Debit"], "BDT") for line in lines) == totals["BDT"][0]
    table = {
        row[0]: row
        for row in march["Control totals"].iter_rows(min_row=7, values_only=True)
        if row[0]
    }
    assert table["BDT"][6] == "yes"  # opening balances + March = trial balance at 31 March


def test_the_general_ledger_runs_each_account_from_opening_to_closing(books: Session) -> None:
    start, end = date(2026, 2, 1), date(2026, 3, 31)
    book = workbook(books, "general-ledger", start=start, end=end)
    sheet = book["General ledger"]
    check_sheet_is_workable(sheet)
    lines = rows(sheet)
    report = trial_balance(books, as_of=end)
    closing = {
        (line["Account code"], line["Currency"], line["Dimensions"] or ""): minor(
            line["Balance"], line["Currency"]
        )
        for line in lines
        if line["Entry"] is None and line["Memo"] == "Closing balance"
    }
    expected = {(tb.code, tb.currency, tb.dimensions): tb.debit - tb.credit for tb in report.lines}
    assert {k: v for k, v in closing.items() if v} == expected
    for account in books.scalars(select(Account)):
        key = (account.code, account.currency, account.dimension_key)
        section = [
            line
            for line in lines
            if (line["Account code"], line["Currency"], line["Dimensions"] or "") == key
        ]
        if not section:
            continue
        assert all(line["Account name"] == account.name for line in section)
        opening = section[0]
        assert opening["Entry"] is None
        assert opening["Memo"] == "Opening balance"
        assert minor(opening["Balance"], account.currency) == balance(
            books, account, as_of=date(2026, 1, 31)
        )
        running = minor(opening["Balance"], account.currency)
        for line in section[1:-1]:
            running += minor(line["Debit"], account.currency) - minor(
                line["Credit"], account.currency
            )
            assert minor(line["Balance"], account.currency) == running
        assert section[-1]["Entry"] is None
        assert section[-1]["Memo"] == "Closing balance"
        assert minor(section[-1]["Balance"], account.currency) == running


def test_the_trial_balance_workbook_equals_the_query(books: Session) -> None:
    as_of = date(2026, 2, 28)
    book = workbook(books, "trial-balance", end=as_of)
    sheet = book["Trial balance"]
    check_sheet_is_workable(sheet)
    report = trial_balance(books, as_of=as_of)
    lines = rows(sheet)
    accounts = [line for line in lines if line["Account code"] != "Total"]
    assert len(accounts) == len(report.lines)
    for currency, (debit, credit) in report.totals.items():
        total = next(
            line
            for line in lines
            if line["Account code"] == "Total" and line["Currency"] == currency
        )
        assert (minor(total["Debit"], currency), minor(total["Credit"], currency)) == (
            debit,
            credit,
        )
        assert debit == credit
        assert total["Dimensions"] == "debits = credits"
        assert (
            sum(minor(line["Debit"], currency) for line in accounts if line["Currency"] == currency)
            == debit
        )
    assert book["Control totals"]["B1"].is_date


def test_an_account_statement_matches_the_ledger_statement(books: Session) -> None:
    bank = books.scalars(select(Account).where(Account.code == "1010")).one()
    book = workbook(books, "account-statement", account_id=bank.id, start=date(2026, 2, 2))
    expected = statement(books, bank, start=date(2026, 2, 2))
    lines = rows(book["Statement"])
    assert minor(lines[0]["Balance"], "BDT") == expected.opening
    assert minor(lines[-1]["Balance"], "BDT") == expected.closing
    assert len(lines) == len(expected.lines) + 2
    assert book["Account"]["B1"].value == "1010"


def test_a_listing_longer_than_a_sheet_continues_on_the_next(
    books: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("fund.reports.workbook.MAX_ROWS", 6)
    book = workbook(books, "journal")
    sheets = [name for name in book.sheetnames if name.startswith("Journal")]
    assert sheets[:2] == ["Journal", "Journal (2)"]
    listed = [row for name in sheets for row in rows(book[name])]
    assert len(listed) == books.query(Posting).count()
    for name in sheets:
        check_sheet_is_workable(book[name])
        assert book[name].max_row <= 6
