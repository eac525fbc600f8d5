"""``fund ledger trial-balance`` and ``fund ledger verify`` on a database of their own."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.orm import Session

from ledger import Entry, Posting, account, convert, post
from tests.cli.test_cli_commands import Fund, cli_database_url, database, fund

__all__ = ["cli_database_url", "database", "fund"]


def _books(session: Session) -> None:
    usd, bdt = account(session, "1000"), account(session, "1010")
    income = account(session, "4000", currency="USD", brand="NORD")
    post(
        session,
        Entry(
            date(2026, 1, 10),
            "NORD pledge paid",
            "in-1",
            (Posting(usd, 1_000_000), Posting(income, -1_000_000)),
        ),
    )
    convert(
        session,
        source=usd,
        target=bdt,
        source_amount=400_000,
        rate=Decimal("121.5"),
        effective_date=date(2026, 2, 1),
        memo="to taka",
        idempotency_key="fx-1",
    )
    session.commit()


def test_trial_balance_json_has_the_documented_shape(fund: Fund, database: Session) -> None:
    fund("init-db")
    _books(database)
    report = json.loads(fund("ledger", "trial-balance", "--json").output)
    assert report["as_of"] is None
    # 4,000.00 USD at 121.5 = 486,000.00 BDT, held in the bank against the exchange account.
    assert report["currencies"] == {
        "BDT": {"debit": "486000.00", "credit": "486000.00"},
        "USD": {"debit": "10000.00", "credit": "10000.00"},
    }
    rows = {(a["code"], a["currency"]): (a["debit"], a["credit"]) for a in report["accounts"]}
    assert rows[("1000", "USD")] == ("6000.00", "0.00")
    assert rows[("4000", "USD")] == ("0.00", "10000.00")
    assert set(report["accounts"][0]) == {
        "code",
        "name",
        "dimensions",
        "currency",
        "debit",
        "credit",
    }
    before = json.loads(fund("ledger", "trial-balance", "--as-of", "2026-01-31", "--json").output)
    assert before["as_of"] == "2026-01-31"
    assert "BDT" not in before["currencies"]
    assert "Total" in fund("ledger", "trial-balance").output


def test_verify_exits_1_naming_the_tampered_entry(fund: Fund, database: Session) -> None:
    fund("init-db")
    _books(database)
    assert "2 entries" in fund("ledger", "verify").output
    connection = database.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SET LOCAL session_replication_role = replica"))
    else:
        connection.execute(text("DROP TRIGGER ledger_entries_update"))
    connection.execute(text("UPDATE ledger_entries SET memo = 'NORD pledge paid!' WHERE id = 1"))
    database.commit()
    result = json.loads(fund("ledger", "verify", "--json", expect=1).output)
    assert result == {
        "ok": False,
        "entries": 2,
        "first_bad_entry": 1,
        "reason": "content does not match its hash",
    }
    assert "ledger broken at entry 1: content does not match its hash" in (
        fund("ledger", "verify", expect=1).stderr
    )
