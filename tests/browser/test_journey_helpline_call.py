"""Journey: a phone-only call becomes a claim once the worker's national ID is found.

Shapla calls the helpline from her phone without her ID card: she only knows her factory. The
operator logs the call (no national ID, no event chosen) with a callback date, and the call is
kept though no claim is filed. She calls again with her card; the operator finds the call in
the log and makes it a claim for DHK-017's suspension with her national ID. The claim page
shows both calls, the SMS in Bengali (UCS-2, counted in parts), and the officer sees that
nothing of the event has been paid to her IDs or her wallet before deciding.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.helpers import Screenshots, flashes, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FACTORY = "DHK-017"
EVENT_TITLE = "Suspension of DHK-017 from 2025-04-01 to 2025-06-29"
PHONE = "01811000077"
NATIONAL_ID = "4612300077"  # a 10-digit smart card


def test_a_phone_only_call_becomes_a_claim_once_her_id_is_found(tab: Any) -> None:
    shot = Screenshots("helpline-call")

    # 1. A call with a phone number only: logged, no claim.
    sign_in(tab, "helpline")
    tab.click("a:text('Call log')")
    assert tab.locator("h1").inner_text() == "Call log"
    form = tab.locator("form#log-call")
    form.locator("input[name=caller_name]").fill("Shapla")
    form.locator("input[name=phone]").fill("+880 1811-000077")
    factory = tab.locator("select[name=factory] option", has_text=FACTORY).first
    form.locator("select[name=factory]").select_option(factory.get_attribute("value"))
    form.locator("textarea[name=question]").fill("Was I paid for the months the factory was shut?")
    form.locator("textarea[name=answer]").fill(
        "We need your national ID card number to look; call back with it."
    )
    form.locator("select[name=language]").select_option("bn")
    form.locator("input[name=callback_on]").fill("2026-12-09")
    shot(tab, "operator-logs-a-phone-only-call")
    form.locator("button:text('Log the call')").click()
    tab.wait_for_load_state()
    assert "Call 1 logged." in flashes(tab)
    row = tab.locator("table.calls tbody tr#call-1")
    assert PHONE in row.inner_text()
    assert FACTORY in row.inner_text()
    assert "Make it a claim" in row.inner_text()
    # Nothing filed yet: the claims list is still empty.
    tab.goto("/claims/")
    assert "No claims." in tab.locator("main").inner_text()

    # 2. She calls back with her card: the call becomes her claim.
    tab.click("a:text('Call log')")
    row = tab.locator("table.calls tbody tr#call-1")
    row.locator("summary:text('Make it a claim')").click()
    event = row.locator("select[name=event] option", has_text=EVENT_TITLE)
    row.locator("select[name=event]").select_option(event.get_attribute("value"))
    row.locator("select[name=kind]").select_option("not_received")
    row.locator("input[name=national_id]").fill("৪৬১২৩০০০৭৭")  # Bengali digits, as she reads them
    shot(tab, "operator-makes-the-call-a-claim")
    row.locator("button:text('File the claim')").click()
    tab.wait_for_load_state()
    assert "Claim CL-000001 filed from call 1." in flashes(tab)
    assert tab.locator("h1").inner_text() == "Claim CL-000001 open"
    main = tab.locator("main").inner_text()
    assert NATIONAL_ID in main
    assert PHONE in main
    assert "Was I paid for the months the factory was shut?" in tab.locator("ul.calls").inner_text()
    # Told in Bengali, counted as carriers count Bengali: UCS-2, 67 characters a part.
    text = tab.locator("code.sms").inner_text()
    assert text.startswith("শ্রমিক তহবিল: আপনার দাবি CL-000001 পেয়েছি।")
    assert "UCS-2" in tab.locator("small.sms-count").inner_text()
    # The demo suspension ended in June 2025: filed now, the claim is flagged late.
    assert "filed late" in main
    shot(tab, "claim-from-the-call")
    claim_url = tab.url
    sign_out(tab)

    # 3. The officer sees, before deciding, that nothing of the event went to her.
    sign_in(tab, "officer")
    tab.goto(claim_url)
    payments = tab.locator("h2#payments-made + p")
    assert "None: nothing of this event has gone to this person's IDs or wallet." in (
        payments.inner_text()
    )
    tab.goto("/claims/?q=" + PHONE)
    assert "1 claim(s)" in tab.locator("p.found").inner_text()
    assert "CL-000001" in tab.locator("main table").inner_text()
    tab.goto("/claims/?q=" + NATIONAL_ID)
    assert "CL-000001" in tab.locator("main table").inner_text()
    shot(tab, "officer-finds-the-claim-by-phone")
