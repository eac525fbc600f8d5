"""What tables.js adds to the pages: sorting, filtering, and the progress of a large upload."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import sign_in
from tests.rolls.roll_files import roll_csv

pytestmark = pytest.mark.browser


def amounts(tab: Any, column: int) -> list[float]:
    """The trial balance's data rows' amounts in one column (totals rows are <th>-headed)."""
    cells = tab.locator(f"table.trial-balance tbody tr:has(td) td:nth-child({column})")
    return [float(text.replace(",", "") or 0) for text in cells.all_inner_texts()]


def test_a_table_sorts_by_a_clicked_column_and_keeps_its_totals_last(tab: Any) -> None:
    sign_in(tab, "accountant")
    tab.goto("/ledger/")
    debit = tab.locator("table.trial-balance thead th", has_text="Debit")
    before = amounts(tab, 4)
    assert len(before) > 3
    debit.locator("button").click()
    assert debit.get_attribute("aria-sort") == "ascending"
    assert amounts(tab, 4) == sorted(before)
    debit.locator("button").click()
    assert debit.get_attribute("aria-sort") == "descending"
    assert amounts(tab, 4) == sorted(before, reverse=True)
    last_rows = tab.locator("table.trial-balance tbody tr").all()[-2:]
    assert [row.locator("th").first.inner_text() for row in last_rows] == ["Total", "Total"]


def test_a_long_table_filters_to_the_rows_with_the_words_typed(tab: Any) -> None:
    sign_in(tab, "accountant")
    tab.goto("/ledger/")
    rows = tab.locator("table.trial-balance tbody tr:has(td)")
    everything = rows.count()
    tab.get_by_label("Filter").fill("1010")
    visible = [row for row in rows.all() if row.is_visible()]
    assert 0 < len(visible) < everything
    assert all("1010" in row.inner_text() for row in visible)
    assert tab.locator(".table-filter span").inner_text() == f"{len(visible)} of {everything} rows"
    tab.get_by_label("Filter").fill("")
    assert sum(row.is_visible() for row in rows.all()) == everything


def test_a_large_roll_upload_shows_its_progress_and_cannot_be_sent_twice(
    tab: Any, tmp_path: Path
) -> None:
    big = tmp_path / "big-roll.csv"
    big.write_bytes(roll_csv(6000))
    assert big.stat().st_size > 512 * 1024  # large enough for the upload bar
    sign_in(tab, "officer")
    tab.goto("/factories/NGJ-103/rolls")
    tab.set_input_files("input[name=file]", str(big))
    tab.fill("input[name=as_of]", "2026-03-31")
    # A slow line, so the upload lasts long enough to be watched.
    network = tab.context.new_cdp_session(tab)
    network.send("Network.enable")
    network.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": 150_000},
    )
    tab.click("text=Check the file")
    tab.wait_for_function(
        "() => { const bar = document.querySelector('form progress');"
        " return bar && bar.value > 0 && bar.value < 100; }"
    )
    assert tab.locator("form[data-progress] button[type=submit]").is_disabled()
    assert tab.locator(".progress-status").inner_text().startswith("Uploading: ")
    tab.wait_for_selector("text=6000 rows read", timeout=60_000)
    assert tab.locator("h1").inner_text().startswith("Checking big-roll.csv")
