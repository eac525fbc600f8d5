"""``fund batches …`` on the demo data: the commands, their refusals and their files."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fund.disbursements.models import DisbursementBatch, PaymentLine
from ledger.models import JournalEntry
from tests.cli.test_cli_commands import Fund, cli_database_url, database, fund  # noqa: F401

pytestmark = pytest.mark.slow


def entries(database: Session, key: str) -> int:  # noqa: F811
    database.expire_all()
    return (
        database.scalar(
            select(func.count(JournalEntry.id)).where(JournalEntry.idempotency_key == key)
        )
        or 0
    )


def test_batches_from_the_command_line(fund: Fund, database: Session, tmp_path: Path) -> None:  # noqa: F811
    fund("init-db")
    fund("demo")
    assert "added 0 records" in fund("demo").output
    listed = fund("batches", "list").output
    assert "batch 1 (full) of event 1: paid, 42 workers" in listed

    # The closure event: a new batch through every step, with the refusals.
    made = fund("batches", "create", "2", "--as", "admin").output
    batch_id = int(made.split()[1])
    fund("batches", "create", "2", "--as", "admin", expect=1)  # nothing left to pay
    fund("batches", "submit", str(batch_id), "--as", "admin")
    refused = fund("batches", "approve", str(batch_id), "--as", "admin", expect=1)
    assert "someone other than the submitter" in refused.stderr
    fund("batches", "approve", str(batch_id), "--as", "nobody", expect=2)
    fund("batches", "approve", str(batch_id), "--as", "approver", "--on", "2026-04-01")
    fund("batches", "approve", str(batch_id), "--as", "approver", "--on", "2026-04-01")
    # above 1,000,000 BDT: a second, different approver is needed before anything is posted
    assert entries(database, f"batch:{batch_id}:approve") == 0
    fund("users", "create", "approver2", "--role", "approver")
    second = fund("batches", "approve", str(batch_id), "--as", "approver2", "--on", "2026-04-01")
    assert ": approved," in second.output
    database.rollback()  # end the read snapshot taken by the count above
    assert entries(database, f"batch:{batch_id}:approve") == 1
    fund("batches", "cancel", str(batch_id), "--reason", "test", "--as", "approver")
    fund("batches", "pay", str(batch_id), "--as", "accountant", expect=1)
    assert entries(database, f"batch:{batch_id}:pay") == 0

    sheet = tmp_path / "sheet.xlsx"
    fund("batches", "sheet", "1", "--format", "xlsx", "--output", str(sheet))
    rows = list(load_workbook(sheet).active.iter_rows(min_row=10, values_only=True))  # type: ignore[union-attr]
    assert len(rows) == 43  # 42 workers and the total
    database.expire_all()
    batch = database.get(DisbursementBatch, 1)
    assert batch is not None
    assert round(rows[-1][8] * 100) == batch.total_minor
    pdf = tmp_path / "sheet.pdf"
    fund("batches", "sheet", "1", "--format", "pdf", "--output", str(pdf))
    assert len(PdfReader(pdf).pages) == 2
    receipts = tmp_path / "receipts.pdf"
    fund("batches", "receipts", "1", "--output", str(receipts))
    assert len(PdfReader(receipts).pages) == 42

    mobile = tmp_path / "mobile.csv"
    fund("batches", "payment-file", "1", "--output", str(mobile))
    sent = list(csv.DictReader(io.StringIO(mobile.read_text(encoding="utf-8-sig"))))
    pending_mobile = database.scalar(
        select(func.count(PaymentLine.id)).where(
            PaymentLine.batch_id == 1, PaymentLine.method == "mobile"
        )
    )
    assert len(sent) == pending_mobile
    result = tmp_path / "result.csv"
    result.write_text(
        "Reference,Amount,Status,Transaction ID\n"
        + "".join(
            f"{row['Reference']},{row['Amount']},success,T{n}\n" for n, row in enumerate(sent)
        )
        + "WF-999999-00001,1.00,success,TX\n",
        encoding="utf-8",
    )
    first = json.loads(
        fund("batches", "reconcile", "1", str(result), "--as", "accountant", "--json").output
    )
    assert (first["paid"], first["repeated"]) == (len(sent), False)
    assert first["mismatches"] == [
        f"row {len(sent) + 2}: WF-999999-00001: unknown reference, not a line of this batch"
    ]
    second = fund("batches", "reconcile", "1", str(result), "--as", "accountant").output
    assert "imported before: nothing changed" in second
    assert "ledger intact" in fund("ledger", "verify").output


def test_payee_changes_from_the_command_line(fund: Fund, database: Session) -> None:  # noqa: F811
    fund("init-db")
    fund("demo")
    database.expire_all()
    receipt = database.scalar(
        select(PaymentLine.receipt_number)
        .where(
            PaymentLine.batch_id == 1,
            PaymentLine.state == "pending",
            # its money comes back to the bank, where a bank payment goes out of
            PaymentLine.method.in_(("bank", "cash")),
        )
        .order_by(PaymentLine.id)
    )
    assert receipt is not None
    fund(
        "batches",
        "line",
        "1",
        receipt,
        "--mark",
        "failed",
        "--reason",
        "closed",
        "--as",
        "accountant",
    )
    for typed in ("hello", "=HYPERLINK(1)"):
        refused = fund(
            "batches", "line", "1", receipt, "--mark", "reissue", "--wallet", typed,
            "--as", "accountant", expect=1,
        )  # fmt: skip
        assert "wallet number" in refused.stderr
    redirected = fund(
        "batches", "line", "1", receipt, "--mark", "reissue", "--wallet", "01999999999",
        "--as", "accountant", expect=1,
    )  # fmt: skip
    assert "payee change" in redirected.stderr
    asked = fund(
        "batches", "payee-change", "1", receipt, "--bank-account", "৯৮৭৬৫৪৩২১০",
        "--reason", "helpline call", "--as", "accountant",
    ).output  # fmt: skip
    change_id = asked.split()[2]
    fund("batches", "payee-change-decide", change_id, "--approve", "--as", "accountant", expect=1)
    done = fund("batches", "payee-change-decide", change_id, "--approve", "--as", "approver")
    assert f"{receipt}-R1 pending" in done.output
    database.rollback()  # end the read snapshot taken by the first look
    fresh = database.scalar(
        select(PaymentLine).where(PaymentLine.receipt_number == f"{receipt}-R1")
    )
    assert fresh is not None
    assert (fresh.method, fresh.bank_account) == ("bank", "9876543210")
