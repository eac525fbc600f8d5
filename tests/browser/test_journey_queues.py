"""Journey: each demo user's home page says what waits for them, and its links lead there.

On the demo data the officer has a computed closure with no batch and a released batch whose
results are not imported; the officer follows "Make a draft batch", makes and submits it from
the event's life; the approver's queue then holds it and leads to the decision panel; the
accountant sees the results to import and the months to close; the helpline has nothing due;
a brand lands on its own statement.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.helpers import Screenshots, flashes, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def queue(tab: Any) -> dict[str, list[str]]:
    """The home page's queue: each group's heading and its items' next actions."""
    groups: dict[str, list[str]] = {}
    for group in tab.locator("section.queue-group").all():
        heading = group.locator("h3").inner_text().strip()
        groups[heading] = [a.strip() for a in group.locator("a.next-action").all_inner_texts()]
    return groups


def test_every_role_reads_its_queue_and_follows_the_next_action(tab: Any) -> None:
    shot = Screenshots("queues")

    sign_in(tab, "officer")
    assert queue(tab) == {
        "1 computed event without a batch": ["Make a draft batch"],
        "1 batch with results to import": ["Import the provider's result file"],
    }
    assert "1 batches" not in tab.content()
    shot(tab, "officer-queue")
    tab.click("a.next-action:text('Make a draft batch')")
    tab.wait_for_load_state()
    tab.click("button:text('Make a draft batch')")
    tab.wait_for_load_state()
    assert "38 workers, 3,004,200.00 BDT." in flashes(tab)
    tab.click("text=Closure of GZP-042")  # the event, from the batch
    tab.wait_for_load_state()
    life = tab.locator("ol.life-stages")
    assert life.locator("[data-stage=roll] .stage-state").inner_text() == "done"
    assert life.locator("[data-stage=computed] .stage-state").inner_text() == "done"
    assert life.locator("[data-stage=batches] .stage-state").inner_text() == "waiting"
    shot(tab, "event-life")
    life.locator("a.next-action", has_text="Submit batch").click()
    tab.wait_for_load_state()
    tab.click("button:text('Submit for approval')")
    tab.wait_for_load_state()
    assert tab.locator("h1 .state").inner_text() == "submitted"
    sign_out(tab)

    sign_in(tab, "approver")
    assert queue(tab) == {"1 batch awaiting approval": ["Review and decide"]}
    shot(tab, "approver-queue")
    tab.click("a.next-action:text('Review and decide')")
    tab.wait_for_load_state()
    panel = tab.locator("section#decision")
    text = panel.inner_text()
    assert "3,004,200.00 BDT" in text
    assert "38 eligible workers" in text
    assert "Available after this approval" in text
    methods = panel.locator("table.by-method tbody tr").all_inner_texts()
    assert [row.split("\t")[0] for row in methods] == ["bank", "cash", "mobile"]
    # the confirm box sits on its label's line, before it
    approve = tab.locator("form", has=tab.locator("button:text('Approve and post')"))
    # Both boxes read in one step: Bootstrap scrolls smoothly to #decision, so two separate
    # readings could straddle the scroll and compare positions from different moments.
    box, label = approve.evaluate(
        """form => ["input[name=confirm]", "label[for=confirm]"].map(selector => {
            const r = form.querySelector(selector).getBoundingClientRect();
            return {x: r.x, y: r.y, height: r.height};
        })"""
    )
    assert box["x"] < label["x"]
    assert abs(box["y"] - label["y"]) < label["height"]
    panel.scroll_into_view_if_needed()
    shot(tab, "approver-decision")
    sign_out(tab)

    sign_in(tab, "accountant")
    groups = queue(tab)
    assert groups["1 batch with results to import"] == ["Import the provider's result file"]
    months = [heading for heading in groups if heading.endswith("to close")]
    assert len(months) == 1
    assert groups[months[0]][0].startswith("Close the books through ")
    shot(tab, "accountant-queue")
    tab.click("a.next-action:text('Close the books through')")
    tab.wait_for_load_state()
    assert tab.url.endswith("/ledger/#close")
    sign_out(tab)

    sign_in(tab, "helpline")
    assert "Nothing waits for you" in tab.locator("main").inner_text()
    sign_out(tab)

    sign_in(tab, "nordvik")
    assert tab.url.endswith("/brands/NORD")
