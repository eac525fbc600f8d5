"""Sheets, receipts and result files: read back, totals tied to the ledger, Bengali rendered."""

from __future__ import annotations

import hashlib
import hmac
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from fund.disbursements.approving import approve, submit
from fund.disbursements.making import create_batch
from fund.disbursements.outputs import receipts, sheet_header, sheet_rows
from fund.disbursements.receipts import render_receipts, verification_code
from fund.disbursements.reconciliation import (
    Expected,
    ResultFileInvalid,
    match,
    parse_results,
)
from fund.disbursements.sheets import build_sheet_pdf, build_sheet_xlsx
from fund.pdf import BENGALI, _word, register_fonts
from ledger.models import JournalEntry, Posting
from tests.disbursements.conftest import EACH, SECRET, World
from tests.entitlements.helpers import taka


@pytest.fixture
def approved(world: World):  # type: ignore[no-untyped-def]
    world.fund_bank(taka(200_000))
    batch = create_batch(world.session, event=world.event, actor=world.officer, secret_key=SECRET)
    submit(world.session, batch=batch, actor=world.officer)
    approve(world.session, batch=batch, actor=world.approver, on=date(2024, 5, 2))
    return batch


def approval_debit(world: World, entry_id: int) -> int:
    """The approval entry's debit total, read from the ledger's own postings."""
    amounts = world.session.scalars(select(Posting.amount).where(Posting.entry_id == entry_id))
    return sum(a for a in amounts if a > 0)


def test_xlsx_sheet_total_equals_the_approval_entry(world: World, approved) -> None:  # type: ignore[no-untyped-def]
    data = build_sheet_xlsx(sheet_header(approved), sheet_rows(world.session, approved))
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    titles = [c.value for c in sheet[9]]
    assert titles[:4] == ["No.", "Receipt", "Worker ID", "Name"]
    assert sheet.freeze_panes == "A10"
    rows = list(sheet.iter_rows(min_row=10, values_only=True))
    workers, total_row = rows[:-1], rows[-1]
    assert [r[2] for r in workers] == ["M-1", "B-2", "C-3", "M-4"]
    assert total_row[7] == "Total"
    in_ledger = approval_debit(world, approved.approval_entry_id)
    assert in_ledger == 4 * EACH
    assert Decimal(str(total_row[8])) * 100 == in_ledger
    assert sum(Decimal(str(r[8])) for r in workers) * 100 == in_ledger
    assert sheet.cell(row=10, column=9).number_format == "#,##0.00"
    # '@Rina Das' and '+Cutting' would be formulas in a spreadsheet: quoted.
    assert workers[2][3] == "'@Rina Das"
    assert workers[2][5] == "'+Cutting"
    assert workers[0][3] == "রহিমা খাতুন"
    assert workers[0][4] == "•••••••••0001"  # masked, never the whole national ID


def test_pdf_sheet_has_page_totals_and_the_grand_total(world: World, approved) -> None:  # type: ignore[no-untyped-def]
    data = build_sheet_pdf(sheet_header(approved), sheet_rows(world.session, approved), per_page=3)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 2
    first, last = (page.extract_text() for page in (reader.pages[0], reader.pages[1]))
    assert "Page total" in first
    assert "Carried forward" in first
    assert "75,000.00" in first  # three workers on the first page
    assert "100,000.00" in last  # the total on the last
    assert "Signature" in first


def test_receipts_one_page_per_worker_with_bengali_text(world: World, approved) -> None:  # type: ignore[no-untyped-def]
    found = receipts(world.session, approved)
    data = render_receipts(found)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == approved.line_count == 4
    text = reader.pages[0].extract_text()
    line = found[0]
    assert line.receipt_number in text
    assert line.verification_code in text
    assert "25,000.00 BDT" in text
    assert "60 days" in text
    assert "Suspension tier 1: 60 days × gross" in text  # the line in plain words
    assert any("\u0980" <= ch <= "\u09ff" for ch in text)  # Bengali survives into the PDF
    fonts = {
        str(font.get_object()["/BaseFont"])
        for font in reader.pages[0]["/Resources"]["/Font"].values()
    }
    assert any("NotoSansBengali" in name for name in fonts)


def test_bengali_is_shaped_not_just_mapped() -> None:
    register_fonts()
    # শি: the vowel sign i is written after the consonant but drawn before it.
    shaped, width = _word(BENGALI, "শিরিন", 12)
    assert shaped[0] == "\u09bf"
    assert width > 0
    assert BENGALI == "NotoSansBengali"


def test_verification_code_is_an_hmac_of_the_receipt() -> None:
    code = verification_code(
        "k", receipt_number="WF-1", worker_id="W", amount_minor=100, currency="BDT", event_id=7
    )
    digest = hmac.new(b"k", b"WF-1|W|100|BDT|7", hashlib.sha256).hexdigest()[:12].upper()
    assert code == f"{digest[:4]}-{digest[4:8]}-{digest[8:]}"
    other = verification_code(
        "k", receipt_number="WF-1", worker_id="W", amount_minor=101, currency="BDT", event_id=7
    )
    assert other != code


def test_stored_codes_verify_with_the_key(world: World, approved) -> None:  # type: ignore[no-untyped-def]
    for receipt in receipts(world.session, approved):
        assert receipt.verification_code == verification_code(
            SECRET,
            receipt_number=receipt.receipt_number,
            worker_id=receipt.worker_id,
            amount_minor=receipt.amount_minor,
            currency="BDT",
            event_id=world.event.id,
        )


def test_result_files_are_read_with_every_bad_row_named() -> None:
    data = (
        "\ufeffRef,Amount (BDT),Result,TrxID,Date\n"
        "WF-1,100.00,Success,T1,2024-05-03\n"
        "WF-2,abc,failed,,\n"
        "WF-3,1.00,maybe,,\n"
        ",1.00,paid,,\n"
        "WF-4,1.00,paid,,3 May\n"
        "\n"
    ).encode()
    results = parse_results(data, filename="r.csv")
    assert [(r.reference, r.amount_minor, r.outcome, r.settled_on) for r in results.rows] == [
        ("WF-1", 10_000, "paid", date(2024, 5, 3))
    ]
    assert len(results.problems) == 4
    assert "row 3: WF-2: amount 'abc'" in results.problems[0]
    with pytest.raises(ResultFileInvalid, match="lacks column"):
        parse_results(b"who,what\n", filename="r.csv")
    with pytest.raises(ResultFileInvalid, match="not UTF-8"):
        parse_results(b"\xff\xfe\x00", filename="r.csv")


def test_matching_lists_every_mismatch() -> None:
    rows = parse_results(
        b"reference,amount,status\nA,1,paid\nA,1,paid\nB,2,failed\nC,3,paid\nZ,1,paid\n",
        filename="r.csv",
    ).rows
    plan = match(
        rows,
        {"A": Expected(100, "pending"), "B": Expected(250, "pending"), "C": Expected(300, "paid")},
        currency="BDT",
    )
    assert [r.reference for r in plan.paid] == ["A"]
    assert plan.failed == []
    assert [m.split(": ")[2] for m in plan.mismatches] == [
        "appears again (first on row 2)",
        "amount 2.00 differs from the batch's 2.50",
        "already settled (paid); reported paid",
        "unknown reference, not a line of this batch",
    ]


def test_the_approval_entry_is_posted_once_with_the_batch_reference(world: World, approved) -> None:  # type: ignore[no-untyped-def]
    entries = world.session.scalars(
        select(JournalEntry).where(JournalEntry.reference == f"batch:{approved.id}")
    ).all()
    assert [e.idempotency_key for e in entries] == [f"batch:{approved.id}:approve"]
