"""Journey: a suspension paid from start to finish, by an officer and a second person approving.

The officer records a suspension of NGJ-103 (a demo factory with no roll yet), uploads the
factory's messy payroll, reads the problems, uploads the corrected file, points the event at
it, computes, makes and submits a batch; the approver approves it; the officer downloads the
sheet and receipts, funds the mobile-money float, pays, imports the provider's result file with
one failed payment and reissues that one to a new wallet. Every step is checked on the page.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from pypdf import PdfReader

from tests.browser.helpers import Screenshots, flashes, scroll_to, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FACTORY = "NGJ-103"
HEADER = [
    "Card No", "Worker Name", "NID", "Section", "Grade", "DOJ", "Basic Salary", "House Rent",
    "Medical", "Conveyance", "Food", "Gross Salary", "Payment Method", "bKash",
]  # fmt: skip
#: The corrected roll's workers and what a 30-day full wage replacement pays each (their gross).
PAID = {
    "NGJ-0001": 15_035,
    "NGJ-0002": 14_615,
    "NGJ-0003": 14_195,
    "NGJ-0004": 14_195,
    "NGJ-0005": 15_035,
    "NGJ-0006": 14_000,  # the roll's gross, not the components' sum (a warning, not an error)
    "NGJ-0007": 14_615,
}
TOTAL = sum(PAID.values())  # 101,690 BDT
FAILED = "NGJ-0004"
NEW_WALLET = "01819000004"


def roll_rows(*, corrected: bool) -> list[list[Any]]:
    """NGJ-103's payroll as the factory sends it; uncorrected it has three rejected rows."""

    def worker(n: int, name: str, basic: Any, joined: Any, gross: Any = None) -> list[Any]:
        wages = [8_390, 8_110, 7_830, 7_830, 8_390, 7_550, 8_110][n - 1]
        return [
            f"NGJ-{n:04d}", name, f"19922610{n:05d}", "Washing" if n % 2 else "Sewing", "4",
            joined, basic, wages // 2, 750, 450, 1_250, gross, "bkash", f"0171100{n:04d}",
        ]  # fmt: skip

    rows = [
        worker(1, "রহিমা খাতুন", "8,390", "12/03/2016"),  # thousands separator in a text cell
        worker(2, "Karim Mia", 8_110, date(2017, 6, 1)),  # a real Excel date
        # the factory's typo: 31 February
        worker(3, "Salma Akter", 7_830, "28/02/2019" if corrected else "31/02/2019"),
        worker(4, "Nasima Begum", 7_830 if corrected else None, "01.09.2020"),  # no basic wage
        worker(5, "Hasan Sarkar", 8_390, "2018-01-15"),
        worker(6, "Rina Islam", 7_550, "05-05-2015", gross=14_000),  # gross ≠ sum: a warning
        worker(7, "মফিজ উদ্দিন", "৮১১০", "20/11/2013"),  # Bengali digits
    ]
    if not corrected:
        rows[4][0] = "NGJ-0002"  # Hasan under Karim's card number
    rows.append(list(rows[0]))  # a row pasted twice: skipped with a warning
    return rows


def roll_xlsx(path: Path, *, corrected: bool) -> Path:
    """The roll as an XLSX with a title row, a blank row, the header, workers and a totals row."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Shitalakshya Denim Ltd — payroll April 2025"])
    sheet.append([])
    sheet.append(HEADER)
    for row in roll_rows(corrected=corrected):
        sheet.append(row)
    sheet.append(["Total", None, None, None, None, None, 56_210])
    book.save(path)
    return path


def taka(amount: int) -> str:
    """``101690`` → ``"101,690.00"``, as the pages print taka."""
    return f"{amount:,}.00"


def download(tab: Any, link_text: str, folder: Path) -> Path:
    """Click a download link and keep the file under its suggested name."""
    with tab.expect_download() as started:
        tab.click(f"a:has-text('{link_text}')")
    got = started.value
    target = folder / got.suggested_filename
    got.save_as(str(target))
    return target


def line_row(tab: Any, worker_id: str, state: str) -> Any:
    """The payments table's row of ``worker_id`` in ``state``."""
    return tab.locator("table tr", has=tab.locator(f"td:text-is('{worker_id}')")).filter(
        has_text=state
    )


def test_officer_pays_a_suspension_and_reissues_a_failed_payment(tab: Any, tmp_path: Path) -> None:
    shot = Screenshots("officer")
    sign_in(tab, "officer")
    assert "Welcome, Tanvir Hossain" in tab.locator("h1").inner_text()
    shot(tab, "signed-in")

    # 1. The suspension, recorded before the factory's payroll arrived.
    tab.click("nav >> text=Events")
    tab.click("text=Record a suspension or closure")
    tab.select_option("select[name=factory]", FACTORY)
    tab.select_option("select[name=kind]", "suspension")
    # Dates typed as the pages show them (the hint under the field says how).
    tab.fill("input[name=start]", "1 May 2025")
    tab.fill("input[name=end]", "30 May 2025")
    tab.fill("input[name=reference]", "Alliance panel 2025/063: boiler room unsafe")
    tab.select_option("select[name=policy]", "alliance-wage-replacement")
    shot(tab, "event-form")
    tab.click("text=Record event")
    tab.wait_for_load_state()
    title = f"Suspension of {FACTORY} from 2025-05-01 to 2025-05-30"
    assert f"Recorded: {title}." in flashes(tab)
    assert tab.locator("h1").inner_text() == title
    assert "none attached yet" in tab.locator("dl").inner_text()
    event_url = tab.url

    # 2. The messy roll: three rows rejected, each problem named by row and column.
    tab.goto(f"/factories/{FACTORY}")
    tab.click("text=Payroll rolls")
    assert "No roll has been imported for this factory yet." in tab.content()
    tab.set_input_files(
        "input[name=file]", str(roll_xlsx(tmp_path / "ngj-103-april.xlsx", corrected=False))
    )
    tab.fill("input[name=as_of]", "2025-04-30")
    tab.click("text=Check the file")
    tab.wait_for_load_state()
    summary = tab.locator("main > p").first.inner_text()
    assert summary == "7 rows read: 4 accepted, 3 rejected, 3 warning(s)."
    problems = {
        tuple(cell.strip() for cell in row.locator("td").all_inner_texts())
        for row in tab.locator("table.problems tbody tr").all()
    }
    assert problems == {
        ("6", "DOJ", "error", "DOJ '31/02/2019' is not a real date"),
        ("7", "Basic Salary", "error", "Basic Salary is required"),
        ("8", "Card No", "error", "worker ID NGJ-0002 is already used in row 5"),
        (
            "9",
            "Gross Salary",
            "warning",
            "Gross Salary 14,000.00 differs from the components' sum 13,775.00",
        ),
        ("11", "", "warning", "row 11 repeats row 4 exactly; the repeat is skipped"),
        (
            "3",
            "",
            "warning",
            "the roll has no exit-date column: every worker on it is taken to be still"
            " employed; importing it needs the officer to confirm that nobody on it has left",
        ),
    }
    shot(tab, "roll-problems")
    report = download(tab, "Download the error report", tmp_path)
    marked = openpyxl.load_workbook(report)
    assert len(marked.sheetnames) >= 2  # the roll with bad cells highlighted, and the problems
    assert "Store as the next roll version" not in tab.content()
    assert "Rows with errors: nothing can be stored." in tab.content()

    # 3. The corrected file: warnings only, stored as version 1.
    tab.click("text=Back to the rolls")
    tab.set_input_files(
        "input[name=file]", str(roll_xlsx(tmp_path / "ngj-103-april-v2.xlsx", corrected=True))
    )
    tab.fill("input[name=as_of]", "2025-04-30")
    tab.click("text=Check the file")
    tab.wait_for_load_state()
    assert tab.locator("main > p").first.inner_text() == (
        "7 rows read: 7 accepted, 0 rejected, 3 warning(s)."
    )
    shot(tab, "roll-warnings-only")
    # The roll has no exit-date column: the officer vouches that nobody on it has left.
    tab.check("input[name=nobody_left]")
    tab.click("text=Store as the next roll version (7 workers)")
    tab.wait_for_load_state()
    assert "Stored roll version 1: 7 workers." in flashes(tab)
    shot(tab, "roll-stored")

    # 4. The event uses the new roll; its entitlements are computed.
    tab.goto(event_url)
    tab.select_option("select[name=version]", "1")
    tab.click("text=Use this roll")
    tab.wait_for_load_state()
    assert "The event now uses roll version 1 (7 workers)" in flashes(tab)
    assert "version 1 as of 2025-04-30 (7 workers)" in tab.locator("dl").inner_text()
    tab.click("text=Compute entitlements")
    tab.wait_for_load_state()
    assert f"Computed 7 workers, 7 eligible, total {taka(TOTAL)} BDT." in flashes(tab)
    summary_box = tab.locator("section.summary").inner_text()
    assert taka(TOTAL) in summary_box
    for worker_id, amount in PAID.items():
        row = tab.locator("table tr", has=tab.locator(f"a:text-is('{worker_id}')"))
        assert row.locator("td").last.inner_text() == taka(amount), worker_id
    scroll_to(tab, "section.summary")
    shot(tab, "entitlements")

    # 5. A draft batch, submitted; the officer cannot approve their own submission.
    tab.click("text=Batches of this event")
    assert (
        f"7 eligible, {taka(TOTAL)} BDT"
        in tab.locator("summary", has_text="Make a batch").inner_text()
    )
    tab.click("text=Make a draft batch")
    tab.wait_for_load_state()
    assert f"7 workers, {taka(TOTAL)} BDT." in flashes(tab)
    assert tab.locator("h1 .state").inner_text() == "draft"
    batch_url = tab.url
    tab.click("text=Submit for approval")
    tab.wait_for_load_state()
    assert tab.locator("h1 .state").inner_text() == "submitted"
    assert "another approver must approve it (four eyes)" in tab.content()
    assert tab.locator("text=Approve and post").count() == 0
    shot(tab, "batch-submitted")
    sign_out(tab)

    # 6. The approver reviews and approves.
    sign_in(tab, "approver")
    tab.goto(batch_url)
    assert tab.locator("h1 .state").inner_text() == "submitted"
    facts = tab.locator("dl").inner_text()
    assert "Workers\n7" in facts or "Workers 7" in facts
    assert f"{taka(TOTAL)} BDT" in facts
    approve = tab.locator("form", has=tab.locator("button:text('Approve and post')"))
    assert f"Approving posts {taka(TOTAL)} BDT" in approve.inner_text()
    shot(tab, "approver-reviews")
    approve.locator("input[name=confirm]").check()
    approve.locator("button").click()
    tab.wait_for_load_state()
    assert tab.locator("h1 .state").inner_text() == "approved"
    assert "by approver" in tab.locator("dl").inner_text()
    shot(tab, "batch-approved")
    sign_out(tab)

    # 7. The officer downloads the sheet and receipts, funds the float and pays.
    sign_in(tab, "officer")
    tab.goto(batch_url)
    sheet_pdf = download(tab, "sheet (PDF)", tmp_path)
    assert sheet_pdf.read_bytes().startswith(b"%PDF")
    receipts = download(tab, "receipts (PDF)", tmp_path)
    assert receipts.read_bytes().startswith(b"%PDF")
    assert len(PdfReader(receipts).pages) == 7  # one page per worker
    sheet_xlsx = download(tab, "sheet (XLSX)", tmp_path)
    cells = [
        cell
        for row in openpyxl.load_workbook(sheet_xlsx).active.iter_rows(values_only=True)  # type: ignore[union-attr]
        for cell in row
        if cell is not None
    ]
    assert set(PAID) <= set(cells)
    assert TOTAL in cells
    payment_file = download(tab, "mobile-money file (CSV)", tmp_path)
    payments = list(csv.DictReader(io.StringIO(payment_file.read_text(encoding="utf-8-sig"))))
    assert len(payments) == 7
    assert sum(int(row["Amount"].split(".")[0]) for row in payments) == TOTAL

    tab.goto("/batches/")
    tab.click("text=Fund the mobile-money float from the bank")
    tab.fill("input[name=amount]", str(TOTAL))
    tab.check("form[action$='/float'] input[name=confirm]")
    tab.click("text=Move to the float")
    tab.wait_for_load_state()
    assert f"Moved {taka(TOTAL)} BDT to the mobile-money float." in flashes(tab)
    tab.goto(batch_url)
    pay = tab.locator("form", has=tab.locator("button:text('Pay out')"))
    assert f"{taka(TOTAL)} BDT needed for mobile lines" in pay.inner_text()
    pay.locator("input[name=confirm]").check()
    pay.locator("button").click()
    tab.wait_for_load_state()
    # the money has left the fund; the batch is paid once the provider settles every line
    assert tab.locator("h1 .state").inner_text() == "released"

    # 8. The provider's result: one wallet not registered.
    failed_reference = ""
    result = io.StringIO()
    writer = csv.writer(result, lineterminator="\r\n")
    writer.writerow(["Reference", "Amount", "Status", "Transaction ID", "Message"])
    for n, row in enumerate(payments, start=1):
        fails = row["Wallet"] == f"0171100{int(FAILED[-4:]):04d}"
        if fails:
            failed_reference = row["Reference"]
        status, message = ("failed", "wallet not registered") if fails else ("completed", "")
        writer.writerow([row["Reference"], row["Amount"], status, f"BK{n:08d}", message])
    assert failed_reference
    result_file = tmp_path / "bkash-result.csv"
    result_file.write_text(result.getvalue(), encoding="utf-8")
    tab.set_input_files("input[name=file]", str(result_file))
    tab.click("text=Import the provider's result file")
    tab.wait_for_load_state()
    assert "7 rows: 6 paid, 1 failed, 0 mismatches." in flashes(tab)
    assert tab.locator("h1 .state").inner_text() == "partly paid"
    assert "6 paid" in tab.locator("dl").inner_text()
    assert "1 failed" in tab.locator("dl").inner_text()
    failed = line_row(tab, FAILED, "failed")
    assert failed.count() == 1
    assert failed_reference in failed.inner_text()
    assert "wallet not registered" in failed.inner_text()
    assert taka(PAID[FAILED]) in failed.inner_text()
    shot(tab, "batch-paid")
    scroll_to(tab, "h2:text('Payments')")
    shot(tab, "one-payment-failed")

    # 9. The failed payment reissued to the worker's new wallet.
    failed.locator("summary").click()
    failed.locator("select[name=action]").select_option("reissue")
    failed.locator("select[name=method]").select_option("mobile")
    failed.locator("input[name=wallet]").fill(NEW_WALLET)
    failed.locator("input[name=reason]").fill("She called: new bKash wallet, checked with her NID")
    failed.locator("input[name=confirm]").check()
    failed.locator("button:text('Save')").click()
    tab.wait_for_load_state()
    # Paying other details than the approved ones is a request another person approves.
    assert "requested: an approver other than you approves it" in flashes(tab)
    batch_page = tab.url
    sign_out(tab)
    sign_in(tab, "approver")
    tab.goto(batch_page)
    waiting = tab.locator("tr", has_text=NEW_WALLET).first
    waiting.locator("select[name=decision]").select_option("approve")
    waiting.locator("button:text('Decide')").click()
    tab.wait_for_load_state()
    assert f"{failed_reference}-R1 is pending." in flashes(tab)
    sign_out(tab)
    sign_in(tab, "officer")
    tab.goto(batch_page)
    reissued = line_row(tab, FAILED, "pending")
    assert NEW_WALLET in reissued.inner_text()
    assert taka(PAID[FAILED]) in reissued.inner_text()
    assert line_row(tab, FAILED, "reissued").count() == 1
    scroll_to(tab, "h2:text('Payments')")
    shot(tab, "failed-payment-reissued")
