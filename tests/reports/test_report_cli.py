"""``fund ledger export|close|reopen`` on a database of their own."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
from sqlalchemy import select
from sqlalchemy.orm import Session

from fund.audit.models import AuditEvent
from ledger import Entry, Posting, account, closed_through, post
from ledger.money import to_minor
from tests.cli.test_cli_commands import Fund, cli_database_url, database, fund

__all__ = ["cli_database_url", "database", "fund"]


def _books(session: Session) -> None:
    usd = account(session, "1000")
    income = account(session, "4000", currency="USD", brand="NORD")
    for number, day in enumerate((date(2026, 1, 10), date(2026, 2, 10), date(2026, 3, 10)), 1):
        post(
            session,
            Entry(
                day,
                f"+payment {number}",
                f"in-{number}",
                (Posting(usd, 100_050), Posting(income, -100_050)),
            ),
        )
    session.commit()


def test_export_writes_each_kind_and_prints_control_totals(
    fund: Fund, database: Session, tmp_path: Path
) -> None:
    fund("init-db")
    _books(database)
    target = tmp_path / "journal.xlsx"
    out = fund(
        "ledger", "export", "--kind", "journal", "--from", "2026-02-01", "--output", str(target)
    ).output
    assert "2 entries, 4 postings" in out
    assert "USD debit 2001.00 credit 2001.00" in out
    sheet = openpyxl.load_workbook(target)["Journal"]
    debits = [row[9] for row in sheet.iter_rows(min_row=2, values_only=True) if row[9] is not None]
    assert sum(to_minor(Decimal(str(value)), "USD") for value in debits) == 200_100
    memo = sheet["D2"].value
    assert memo == "'+payment 2"
    fund("ledger", "export", "--kind", "general-ledger", "--output", str(tmp_path / "gl.xlsx"))
    fund(
        "ledger",
        "export",
        "--kind",
        "trial-balance",
        "--as-of",
        "2026-01-31",
        "--output",
        str(tmp_path / "tb.xlsx"),
    )
    tb = openpyxl.load_workbook(tmp_path / "tb.xlsx")["Trial balance"]
    totals = [row for row in tb.iter_rows(min_row=2, values_only=True) if row[0] == "Total"]
    assert [(row[3], Decimal(str(row[4])), Decimal(str(row[5]))) for row in totals] == [
        ("USD", Decimal("1000.5"), Decimal("1000.5"))
    ]
    bad = fund(
        "ledger",
        "export",
        "--kind",
        "journal",
        "--from",
        "2026-03-01",
        "--to",
        "2026-02-01",
        "--output",
        str(target),
        expect=2,
    )
    assert "after it ends" in bad.stderr
    fund(
        "ledger",
        "export",
        "--kind",
        "journal",
        "--from",
        "yesterday",
        "--output",
        str(target),
        expect=2,
    )


def test_close_and_reopen_from_the_command_line(fund: Fund, database: Session) -> None:
    fund("init-db")
    fund("users", "create", "kamal", "--role", "accountant")
    fund("users", "create", "ayesha", "--role", "admin")
    _books(database)
    assert (
        "closed through 2026-01-31"
        in fund("ledger", "close", "--through", "2026-01-31", "--as", "kamal").output
    )
    refused = fund("ledger", "close", "--through", "2026-02-27", "--as", "kamal", expect=1)
    assert "not the last day of a month" in refused.stderr
    denied = fund("ledger", "reopen", "--reason", "oops", "--as", "kamal", expect=1)
    assert "administrator" in denied.stderr
    fund("ledger", "reopen", "--reason", "bank charge booked late", "--as", "ayesha")
    database.expire_all()
    assert closed_through(database) is None
    actions = database.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("ledger.%"))
    ).all()
    assert sorted(actions) == ["ledger.period_closed", "ledger.period_reopened"]
    fund("ledger", "close", "--through", "2026-01-31", "--as", "nobody", expect=2)
