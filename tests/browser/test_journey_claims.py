"""Journey: a worker the factory left off its roll reaches the fund by the helpline and is paid.

The helpline operator files a ``not_on_roll`` claim for Nasrin about DHK-017's demo suspension
(its 42 workers already in a batch) with a photo of her ID card, reads her the reference and the
SMS text, and cannot open staff pages. The officer opens the claim, finds nobody on the roll
who is her, and accepts it with her roll line as the factory confirmed it. She joined three
weeks before the suspension, so the new roll version has a high finding and the top-up is held
as a draft: the administrator (not the officer, who brought that roll version in) acknowledges
the finding on the roll's page, the officer submits the batch, and the approver approves it.
"""

from __future__ import annotations

import struct
import zlib
from typing import Any

import pytest

from tests.browser.helpers import Screenshots, flashes, nav_links, scroll_to, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FACTORY = "DHK-017"
EVENT_TITLE = "Suspension of DHK-017 from 2025-04-01 to 2025-06-29"
NATIONAL_ID = "1990000000099"
WALLET = "01711000099"
NEW_WORKER = "DHK-0043"  # the demo roll has DHK-0001 to DHK-0042
#: Grade 6 wages, monthly BDT; the suspension's 90 calendar days pay three months' gross.
WAGES = {"basic": 7_550, "house_rent": 3_775, "medical": 750, "transport": 450, "food": 1_250}
TOP_UP = "41,325.00"  # 13,775 gross × 90 / 30 days


def png(width: int = 8, height: int = 8) -> bytes:
    """A small grey PNG, made here so the test needs no image file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))  # filter 0, 8-bit grey
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def facts(tab: Any) -> dict[str, str]:
    """The claim page's table of facts: heading → text."""
    return {
        row.locator("th").inner_text().strip(): row.locator("td").inner_text().strip()
        for row in tab.locator("main table").first.locator("tr").all()
    }


def sms(tab: Any) -> str:
    """The text for the SMS gateway, as the claim page shows it."""
    return str(tab.locator("h2:text('Message for the worker') + p code").inner_text())


def test_a_worker_missing_from_the_roll_is_paid_through_a_claim(tab: Any) -> None:
    shot = Screenshots("claims")

    # 1. The helpline sees the claims desk and nothing else.
    sign_in(tab, "helpline")
    assert "Nothing waits for you" in tab.locator("main").inner_text()  # no claim due yet
    assert nav_links(tab) == ["Home", "Call log", "Claims", "File a claim"]
    tab.click("nav >> text=Claims")
    assert "No claims." in tab.locator("main").inner_text()
    tab.click("nav >> text=File a claim")
    event = tab.locator("select[name=event] option", has_text=EVENT_TITLE)
    tab.select_option("select[name=event]", event.get_attribute("value"))
    tab.select_option("select[name=kind]", "not_on_roll")
    tab.select_option("select[name=raised_by]", "helpline")
    tab.fill("input[name=raised_by_name]", "Operator Mitu")
    tab.fill("input[name=worker_name]", "Nasrin Akter")
    tab.fill("input[name=national_id]", NATIONAL_ID)
    tab.fill("input[name=phone]", "+880 1711-000099")
    tab.fill("input[name=section]", "Sewing A")
    tab.fill(
        "textarea[name=description]",
        "Joined line 4 in March; not on the list the factory sent, not paid since the building"
        " was evacuated.",
    )
    photo = png()
    tab.set_input_files(
        "input[name=file]", {"name": "nid-card.png", "mimeType": "image/png", "buffer": photo}
    )
    shot(tab, "helpline-files-a-claim")
    tab.click("button:text('File the claim')")
    tab.wait_for_load_state()

    assert "Claim CL-000001 filed; it is to be decided by" in flashes(tab)
    assert tab.locator("h1").inner_text() == "Claim CL-000001 open"
    filed = facts(tab)
    assert filed["Event"] == EVENT_TITLE
    assert filed["Kind"] == "not on the roll"
    assert filed["Raised by"].startswith("helpline (Operator Mitu), filed by helpline on ")
    assert filed["Phone"] == WALLET  # the number as the roll would write it
    text = sms(tab)
    assert text.startswith("Worker Fund: we have your claim CL-000001. We will answer by ")
    assert len(text) <= 160  # plain English: GSM-7, one SMS
    assert f"({len(text)} characters, GSM-7, 1 SMS part(s)" in tab.locator("main").inner_text()
    attachment = tab.locator("h2:text('Attachments') + ul li")
    assert "nid-card.png" in attachment.inner_text()
    assert "image/png" in attachment.inner_text()
    # Other workers' roll data is for fund staff, and deciding is for officers.
    assert tab.locator("text=Who on the roll or in the payments this may be").count() == 0
    assert tab.locator("button:text('Accept the claim')").count() == 0
    served = tab.request.get(attachment.locator("a").get_attribute("href"))
    assert (served.status, served.body()) == (200, photo)
    claim_url = tab.url
    shot(tab, "helpline-sees-the-reference-and-sms")

    staff_page = tab.goto("/batches/")
    assert staff_page is not None
    assert staff_page.status == 403
    assert tab.goto("/events/").status == 403
    tab.goto("/claims/")
    row = tab.locator("main table tbody tr").first
    assert "CL-000001" in row.inner_text()
    assert "open" in row.inner_text()
    sign_out(tab)

    # 2. The officer looks for her among the roll's workers and payments.
    sign_in(tab, "officer")
    tab.click("nav >> text=Claims")
    tab.click("a:text('CL-000001')")
    assert tab.url == claim_url
    assert tab.locator("h2:text('Who on the roll or in the payments this may be')").count() == 1
    # Only names that sound like hers come up (each already in the event's batch): nobody with
    # her national ID or with her phone as a wallet, so she is indeed missing from the roll.
    reasons = tab.locator("h2:text('Who on the roll or in the payments this may be') + table")
    rows = reasons.locator("tbody tr")
    assert rows.count() >= 1
    for row in rows.all():
        why = row.locator("td").nth(4).inner_text()
        assert "name 'Nasrin Akter' sounds" in why
        assert "national ID is the same" not in why
        assert "phone is the wallet number" not in why
        assert "pending" in row.locator("td").nth(5).inner_text()
    # Nobody there holds her national ID: the form does not offer someone else's line to pay.
    assert tab.locator("form[action$='/accept'] input[name=worker_id]").input_value() == ""
    scroll_to(tab, "h2:text('Who on the roll or in the payments this may be')")
    shot(tab, "officer-sees-the-candidates")

    # 3. Accepted with her roll line as the factory confirmed it in writing.
    accept = tab.locator("form[action$='/accept']")
    accept.locator("textarea[name=note]").fill(
        "Factory HR letter of 14/04/2025: joined 10/03/2025, left off the March payroll."
    )
    accept.locator("input[name=worker_id]").fill(NEW_WORKER)
    accept.locator("input[name=with_roll_line]").check()
    accept.locator("input[name=name]").fill("নাসরিন আক্তার")
    accept.locator("input[name=section]").fill("Sewing A")
    accept.locator("input[name=join_date]").fill("2025-03-10")
    for name, amount in WAGES.items():
        accept.locator(f"input[name={name}]").fill(str(amount))
    accept.locator("select[name=payment_method]").select_option("mobile")
    accept.locator("input[name=wallet_number]").fill(WALLET)
    assert accept.locator("input[name=pay]").is_checked()
    accept.locator("input[name=confirm]").check()
    scroll_to(tab, "form[action$='/accept']")
    shot(tab, "officer-fills-the-roll-line")
    accept.locator("button:text('Accept the claim')").click()
    tab.wait_for_load_state()

    # Her join date is within 30 days of the suspension: the money waits for a second look.
    message = flashes(tab)
    assert f"Top-up batch 2 of {TOP_UP} BDT is held as a draft" in message, message
    assert tab.locator("h1").inner_text() == "Claim CL-000001 accepted"
    accepted = facts(tab)
    assert accepted["Decided"].startswith("accepted by officer on ")
    assert accepted["Supplementary roll"].startswith("roll ")
    assert accepted["Top-up batch"] == f"Batch 2: {TOP_UP} BDT"
    assert sms(tab) == (
        f"Worker Fund: your claim CL-000001 is accepted. {TOP_UP} BDT will be paid to you to"
        f" wallet {WALLET} once the payment is approved."
    )
    shot(tab, "claim-accepted-top-up-held")
    tab.click("a:text('Batch 2')")
    batch_url = tab.url
    assert tab.locator("h1 .state").inner_text() == "draft"
    assert "top-up" in tab.locator("h1").inner_text()
    assert f"{TOP_UP} BDT" in tab.locator("dl").inner_text()

    # 4. The officer reads the findings on the new roll version; the admin acknowledges them;
    # the officer submits.
    # Her join date is measured against the roll's date and against the suspension's start:
    # two high findings, each to be looked into.
    tab.click("nav >> text=Controls")
    found = tab.locator("#findings + table tbody tr", has_text=f"{FACTORY} v2")
    assert found.count() == 2
    for text in found.all_inner_texts():
        assert "1 worker(s) joined within 30 days before" in text
    found.first.locator("a").click()
    tab.wait_for_load_state()
    assert "roll, version 2" in tab.locator("h1").inner_text()
    high = tab.locator("#findings tr.finding-high")
    assert high.count() == 2
    for text in high.all_inner_texts():
        assert f"{NEW_WORKER} নাসরিন আক্তার — joined 2025-03-10" in text
    # The officer brought this roll version in (accepting the claim): someone else clears its
    # red flags (segregation of duties), here the administrator.
    roll_url = tab.url
    sign_out(tab)
    sign_in(tab, "admin")
    tab.goto(roll_url)
    for _ in range(2):
        open_finding = high.filter(has=tab.locator("button:text('Acknowledge')")).first
        open_finding.locator("textarea, input[type=text]").first.fill(
            "Checked with the factory's HR letter and her appointment letter: a new joiner."
        )
        open_finding.locator("button:text('Acknowledge')").click()
        tab.wait_for_load_state()
        assert "acknowledged" in flashes(tab)
    for text in high.all_inner_texts():
        assert "by admin on" in text
    scroll_to(tab, "#findings")
    shot(tab, "admin-acknowledges-the-finding")
    sign_out(tab)
    sign_in(tab, "officer")
    tab.goto(batch_url)
    tab.click("button:text('Submit for approval')")
    tab.wait_for_load_state()
    assert tab.locator("h1 .state").inner_text() == "submitted"
    assert "another approver must approve it (four eyes)" in tab.content()
    sign_out(tab)

    # 5. The approver approves the top-up like any batch.
    sign_in(tab, "approver")
    tab.goto(batch_url)
    assert tab.locator("h1 .state").inner_text() == "submitted"
    batch_facts = tab.locator("dl").inner_text()
    assert f"{TOP_UP} BDT" in batch_facts
    approve = tab.locator("form", has=tab.locator("button:text('Approve and post')"))
    assert f"Approving posts {TOP_UP} BDT" in approve.inner_text()
    shot(tab, "approver-reviews-the-top-up")
    approve.locator("input[name=confirm]").check()
    approve.locator("button").click()
    tab.wait_for_load_state()
    assert tab.locator("h1 .state").inner_text() == "approved"
    assert "by approver" in tab.locator("dl").inner_text()
    lines = tab.locator("table tr", has=tab.locator(f"td:text-is('{NEW_WORKER}')"))
    assert lines.count() == 1
    assert TOP_UP in lines.inner_text()
    shot(tab, "top-up-approved")
