"""The claim letter's Bengali lines follow the claim's state, like the English ones."""

from __future__ import annotations

from datetime import UTC, date, datetime

from fund.claims.letter_bn import letter_bn, letter_date
from fund.claims.models import Claim
from fund.events.models import Event
from fund.factories.models import Factory


def claim(status: str, **more: object) -> Claim:
    """A claim as stored (not saved): Nasrin's, about DHK-1's suspension."""
    factory = Factory(code="DHK-1", name="Rupali Knit", country="BD")
    event = Event(
        factory=factory, kind="suspension", scope="full",
        start_date=date(2024, 3, 1), end_date=date(2024, 4, 29),
    )  # fmt: skip
    values: dict[str, object] = {
        "id": 7, "event": event, "kind": "not_received", "status": status,
        "worker_name": "নাসরিন আক্তার", "national_id": "1990000000009",
        "filed_at": datetime(2024, 5, 20, 9, 30, tzinfo=UTC), "due_on": date(2024, 6, 3),
        "decision_note": "", "referred_to": "",
    }  # fmt: skip
    values.update(more)
    return Claim(**values)


def test_an_open_claim_says_when_it_will_be_answered() -> None:
    open_claim = claim("open")
    bn = letter_bn(open_claim, helpline="16357")
    assert bn.outcome == "আমরা আপনার দাবি পেয়েছি এবং ৩ জুন ২০২৪ তারিখের মধ্যে উত্তর দেব।"
    assert bn.dated == "তারিখ: ২০ মে ২০২৪"  # filed
    assert letter_date(open_claim) == date(2024, 5, 20)
    assert bn.addressee.endswith("০০০৯")
    assert bn.told == "আপনি যা জানিয়েছেন: টাকা পাইনি।"
    assert "16357" in bn.helpline
    assert open_claim.reference in bn.title
    assert (bn.amount, bn.why) == ("", "")


def test_a_decided_claim_is_dated_by_its_decision_and_gives_the_reason() -> None:
    rejected = claim(
        "rejected",
        decided_at=datetime(2024, 6, 1, 12, 0, tzinfo=UTC),
        decision_note="Paid on 10 May",
    )
    bn = letter_bn(rejected)
    assert bn.outcome == "আপনার দাবি গৃহীত হয়নি।"
    assert bn.why == "কারণ: Paid on 10 May"
    assert bn.dated == "তারিখ: ১ জুন ২০২৪"
    assert bn.helpline == ""  # no helpline number configured: no line
    accepted = claim(
        "accepted", decided_at=datetime(2024, 6, 1, tzinfo=UTC), amount_minor=2_500_000
    )
    assert letter_bn(accepted).amount == "পরিশোধ অনুমোদিত হলে আপনাকে ২৫,০০০.০০ টাকা দেওয়া হবে।"
    referred = claim("referred", decided_at=datetime(2024, 6, 1, tzinfo=UTC), referred_to="BGMEA")
    assert letter_bn(referred).outcome == "আপনার দাবি BGMEA এর কাছে পাঠানো হয়েছে।"
