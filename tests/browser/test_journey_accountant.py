"""Journey: the accountant reads the trial balance, exports the books and closes a month.

On the demo books (pledges, contributions, a dollar sale and one paid batch, January to March
2026): the trial balance balances in each currency as shown on the page, the journal and the
general ledger open in Excel with their rows, and after March is closed the page says so and a
dollar sale dated in March is refused.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.browser.helpers import Screenshots, flashes, nav_links, scroll_to, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def amount(text: str) -> Decimal:
    """``"1,777,230.00"`` → ``Decimal("1777230.00")``; an empty cell is zero."""
    return Decimal(text.replace(",", "").strip() or "0")


def download(tab: Any, selector: str, folder: Path) -> Path:
    """Click a download link (or button) and keep the file under its suggested name."""
    with tab.expect_download() as started:
        tab.click(selector)
    got = started.value
    target = folder / got.suggested_filename
    got.save_as(str(target))
    return target


def workbook_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Each sheet's non-empty rows."""
    book = openpyxl.load_workbook(path, read_only=True)
    return {
        sheet.title: [row for row in sheet.iter_rows(values_only=True) if any(row)]
        for sheet in book.worksheets
    }


def listing(sheets: dict[str, list[tuple[Any, ...]]]) -> list[tuple[Any, ...]]:
    """The export's listing: its first sheet that is not the control totals."""
    return next(rows for name, rows in sheets.items() if name != "Control totals")


def test_accountant_checks_exports_and_closes_the_books(tab: Any, tmp_path: Path) -> None:
    shot = Screenshots("accountant")
    sign_in(tab, "accountant")
    assert "Books" in nav_links(tab)
    tab.click("nav >> text=Books")
    assert tab.locator("h1").inner_text() == "The books"
    assert "nothing closed yet" in tab.content()

    # The trial balance: the lines shown add up to the totals shown, debits = credits.
    lines: dict[str, list[Decimal]] = {}
    for row in tab.locator("table.trial-balance tbody tr:has(td)").all():
        cells = row.locator("td").all_inner_texts()
        debit_credit = lines.setdefault(cells[2], [Decimal(0), Decimal(0)])
        debit_credit[0] += amount(cells[3])
        debit_credit[1] += amount(cells[4])
    totals = {}
    for row in tab.locator("table.trial-balance tbody tr:not(:has(td))").all():
        cells = row.locator("th").all_inner_texts()
        assert cells[0] == "Total"
        totals[cells[2]] = [amount(cells[3]), amount(cells[4])]
        assert cells[5] == "debits = credits"
    assert set(totals) == {"BDT", "USD"}
    assert totals == lines
    for currency, (debit, credit) in totals.items():
        assert debit == credit > 0, currency
    shot(tab, "trial-balance")

    # The journal and the general ledger, in Excel.
    journal = workbook_rows(download(tab, "a:text-is('Journal (.xlsx)')", tmp_path))
    assert "Control totals" in journal
    entries = listing(journal)
    assert len(entries) > 10  # a header and the demo's postings
    assert any("Entitlements payable" in str(cell) for row in entries for cell in row)
    ledger = workbook_rows(download(tab, "a:text-is('General ledger (.xlsx)')", tmp_path))
    assert "Control totals" in ledger
    accounts = listing(ledger)
    assert len(accounts) > 10
    assert {"1010", "2000", "5000"} <= {str(row[0]) for row in accounts}
    # One month's journal through the period form.
    tab.select_option("form#exports select[name=kind]", "journal")
    tab.fill("form#exports input[name=from]", "1 Mar 2026")
    tab.fill("form#exports input[name=to]", "31 Mar 2026")
    march = workbook_rows(download(tab, "form#exports button", tmp_path))
    march_entries = listing(march)
    assert 1 < len(march_entries) < len(entries)
    scroll_to(tab, "h2:text('Excel')")
    shot(tab, "exports")

    # Close March: the page says so, and March no longer takes postings.
    tab.fill("input[name=through]", "31 Mar 2026")
    scroll_to(tab, "h2:text('Close a month')")
    shot(tab, "close-form")
    # Closing cannot be undone by the accountant: the browser holds the form until it is ticked.
    tab.click("button:text('Close the books')")
    assert tab.eval_on_selector("input[name=confirm]", "box => box.validity.valueMissing")
    assert tab.url.endswith("/ledger/")
    tab.check("input[name=confirm]")
    tab.click("button:text('Close the books')")
    tab.wait_for_load_state()
    assert "Books closed through 31 Mar 2026." in flashes(tab)
    assert "Closed through: 31 Mar 2026." in tab.locator("main > p:not(.flash)").first.inner_text()
    shot(tab, "march-closed")
    tab.fill("input[name=reference]", "FX-DEAL-LATE")
    tab.fill("input[name=amount]", "1000")
    tab.fill("input[name=rate]", "121.00")
    tab.fill("input[name=effective_date]", "25 Mar 2026")
    tab.click("button:text('Record conversion')")
    tab.wait_for_load_state()
    refused = tab.inner_text("form[action$='/ledger/conversions'] .error")
    assert refused.startswith("Conversion not recorded:"), refused
    assert "closed" in refused
    assert tab.input_value("input[name=reference]") == "FX-DEAL-LATE"  # the form kept it
    assert "Closed through: 31 Mar 2026." in tab.locator("main > p:not(.flash)").first.inner_text()
