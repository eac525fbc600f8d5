"""Journey: a member brand reads its own statement, downloads it, and cannot reach anything else.

nordvik (Nordvik Apparel, NORD) signs in, reads its position and the fund's use of money with
the charts, downloads the PDF and XLSX statements (about NORD, never HAVEN), then tries other
brands' and the fund staff's pages by typing their addresses: each is refused (403 or 404)
and shows none of their data.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from pypdf import PdfReader

from tests.browser.helpers import Screenshots, nav_links, scroll_to, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: Words that only appear where a page leaks another brand's or the fund staff's data.
OTHERS = ("HAVEN", "Haven & Loom", "Kestrel", "SWIFT-HAVEN", "DHK-0001", "Rupali", "রহিমা")
#: Typed addresses a brand user must not open: other brands (404) and every staff page (403).
REFUSED = {
    "/brands/HAVEN": 404,
    "/brands/KESTREL": 404,
    "/brands/": 403,
    "/factories/": 403,
    "/factories/DHK-017": 403,
    "/factories/DHK-017/rolls": 403,
    "/rolls/1": 403,
    "/events/": 403,
    "/events/1": 403,
    "/events/new": 403,
    "/entitlements/1": 403,
    "/entitlements/policies": 403,
    "/batches/": 403,
    "/batches/1": 403,
    "/batches/receipts/check": 403,
    "/ledger/": 403,
    "/audit/": 403,
    "/users": 403,
}
#: Downloads of the same kinds (fetched with the browser's cookies, not opened as pages).
REFUSED_DOWNLOADS = {
    "/brands/HAVEN/statement.pdf": 404,
    "/brands/HAVEN/statement.xlsx": 404,
    "/events/1/entitlements.xlsx": 403,
    "/events/1/entitlements.csv": 403,
    "/batches/1/sheet.pdf": 403,
    "/batches/1/sheet.xlsx": 403,
    "/batches/1/receipts.pdf": 403,
    "/batches/1/payment-mobile.csv": 403,
    "/ledger/export/journal.xlsx": 403,
    "/ledger/export/general-ledger.xlsx": 403,
}


def download(tab: Any, link_text: str, folder: Path) -> Path:
    """Click a download link and keep the file under its suggested name."""
    with tab.expect_download() as started:
        tab.click(f"a:has-text('{link_text}')")
    got = started.value
    target = folder / got.suggested_filename
    got.save_as(str(target))
    return target


def test_a_brand_reads_its_statement_and_nothing_else(tab: Any, tmp_path: Path) -> None:
    shot = Screenshots("brand")
    sign_in(tab, "nordvik")
    assert tab.url.endswith("/brands/NORD")
    assert nav_links(tab) == ["Our statement"]
    assert tab.locator("h1").inner_text() == "Nordvik Apparel NORD"

    # Its position: 250,000 USD pledged, the first half received.
    position = tab.locator("table.statement-positions tbody tr")
    assert position.count() == 1
    cells = position.locator("td").all_inner_texts()
    assert cells[:4] == ["USD", "250,000.00", "125,000.00", "125,000.00"]
    assert "SWIFT-NORD-0220" in tab.content()
    # The fund's use of money, by factory and event only: no worker anywhere.
    use = tab.locator("table", has=tab.locator("th", has_text="Compensation (BDT)"))
    rows = [row.locator("td").all_inner_texts() for row in use.locator("tbody tr").all()][:-1]
    # the demo suspension, by name, paid in full; the last row is the total. Its payments are
    # released but no provider has confirmed them yet, so no worker counts as helped so far.
    assert rows == [
        [
            "DHK-017",
            "Suspension of DHK-017 from 2025-04-01 to 2025-06-29",
            "0",
            "1,777,230.00",
            "1,777,230.00",
        ]
    ]
    assert "Member brand based in Sweden." in tab.locator("main").inner_text()
    charts = tab.locator("figure svg")
    assert charts.count() >= 1
    page = tab.content()
    for other in OTHERS:
        assert other not in page, other
    shot(tab, "statement")
    scroll_to(tab, "h2:text('How the fund used money')")
    shot(tab, "charts")

    # The statement as PDF and XLSX: NORD's, not HAVEN's.
    pdf = download(tab, "Download PDF", tmp_path)
    assert pdf.name == "NORD-statement.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "Nordvik Apparel" in text
    assert "NORD-2026-01" in text
    for other in OTHERS:
        assert other not in text, other
    xlsx = download(tab, "Download XLSX", tmp_path)
    assert xlsx.name == "NORD-statement.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(xlsx.read_bytes()), read_only=True)
    cells_text = " ".join(
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )
    assert "Nordvik Apparel" in cells_text
    assert "NORD-2026-01" in cells_text
    for other in OTHERS:
        assert other not in cells_text, other

    # A period typed as the pages show dates: March leaves out the payment of 20 February.
    period = tab.locator("form.period")
    period.locator("input[name=from]").fill("1 Mar 2026")
    period.locator("input[name=to]").fill("31 Mar 2026")
    period.locator("button:text('Show')").click()
    tab.wait_for_load_state()
    assert "Statement from 1 Mar 2026 to 31 Mar 2026." in tab.locator("main").inner_text()
    assert "SWIFT-NORD-0220" not in tab.content()
    assert tab.input_value("form.period input[name=from]") == "1 Mar 2026"
    # An ISO date is read too, and shown back as the pages show dates.
    period.locator("input[name=from]").fill("2026-02-20")
    period.locator("button:text('Show')").click()
    tab.wait_for_load_state()
    assert tab.input_value("form.period input[name=from]") == "20 Feb 2026"
    payment = tab.locator("tr", has=tab.locator("td", has_text="SWIFT-NORD-0220"))
    assert payment.locator("td").first.inner_text() == "20 Feb 2026"
    in_period = download(tab, "Download XLSX", tmp_path)
    assert "SWIFT-NORD-0220" in " ".join(
        str(value)
        for sheet in openpyxl.load_workbook(in_period, read_only=True).worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
    )
    # A date written the US way is refused beside its input, not guessed.
    period.locator("input[name=from]").fill("02/20/2026")
    with tab.expect_navigation() as answer:
        period.locator("button:text('Show')").click()
    assert answer.value.status == 400
    assert tab.inner_text("form.period .error") == "From: Write the date as 2 Dec 2026."
    assert tab.input_value("form.period input[name=from]") == "02/20/2026"
    shot(tab, "period-refused")

    # Typed addresses: refused, and nothing of theirs on the page.
    for url, status in REFUSED.items():
        response = tab.goto(url)
        assert response is not None
        assert response.status == status, url
        assert tab.locator("h1").inner_text().startswith(str(status)), url
        shown = tab.content()
        for other in OTHERS:
            assert other not in shown, (url, other)
        assert "BDT" not in shown, url
        if url == "/brands/HAVEN":
            shot(tab, "other-brand-not-found")
        if url == "/ledger/":
            shot(tab, "ledger-forbidden")
    for url, status in REFUSED_DOWNLOADS.items():
        response = tab.request.get(url)
        assert response.status == status, url
        assert response.headers["content-type"].startswith("text/html"), url
        body = response.text()
        assert "%PDF" not in body, url
        for other in OTHERS:
            assert other not in body, (url, other)
