"""What a Bengali-reading worker is told (SMS, letter) is Bengali throughout: every message and
heading has its Bengali, and a Bengali text carries no English word and no Latin digit beyond
the worker's own facts (reference, wallet, receipt, helpline, name, notes typed by staff)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from fund.claims import cases, deciding, messages
from fund.disbursements.models import DisbursementBatch
from tests.claims.conftest import SECRET, World, missing_worker, nasrin_claim, settle
from tests.claims.conftest import fund as put_money_in

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from fund.claims.models import Claim
    from tests.conftest import People

PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
HELPLINE = "16357"


@pytest.mark.parametrize("table", [messages.TEXTS, messages._HEADINGS], ids=["sms", "letter"])
def test_every_english_message_has_bengali_words(table: dict[str, dict[str, str]]) -> None:
    assert table["en"].keys() == table["bn"].keys()  # a message added in English alone fails
    for key, english in table["en"].items():
        bangla = PLACEHOLDER.sub("", table["bn"][key])
        assert not re.search(r"[A-Za-z0-9]", bangla), key
        if re.search(r"[A-Za-z]", PLACEHOLDER.sub("", english)):
            assert re.search(r"[\u0985-\u09b9]", bangla), key
        assert sorted(PLACEHOLDER.findall(english)) == sorted(PLACEHOLDER.findall(table["bn"][key]))


def told(session: Session, claim: Claim) -> str:
    """The SMS, the letter's headings and its paragraphs, as one text."""
    letter = messages.letter(session, claim, helpline=HELPLINE)
    headings = messages.letter_headings(claim)
    return "\n".join([messages.sms(session, claim, helpline=HELPLINE), *headings.values(), *letter])


def english_left(text: str, claim: Claim, *facts: str) -> list[str]:
    """Latin letters and digits left once the worker's own facts are taken out."""
    for fact in sorted(
        (claim.reference, claim.worker_name, claim.national_id[-4:], claim.event.factory.code,
         HELPLINE, *facts),
        key=len, reverse=True,
    ):  # fmt: skip
        text = text.replace(fact, " ")
    return re.findall(r"[A-Za-z0-9]+", text)


def test_an_accepted_claim_is_told_in_bengali_until_paid(
    world: World, session: Session, users: People
) -> None:
    claim = nasrin_claim(world, session, users, language="bn")
    assert english_left(told(session, claim), claim) == []  # open: the answer's date too
    put_money_in(world)
    deciding.accept_claim(
        session, claim=claim, actor=world.officer, secret_key=SECRET, worker=missing_worker(),
        note="Checked the attendance register pages 12-14",
    )  # fmt: skip
    wallet = missing_worker().wallet_number or ""
    waiting = told(session, claim)
    assert "২৫,০০০.০০ টাকা" in waiting
    assert english_left(waiting, claim, wallet) == []
    batch = session.get(DisbursementBatch, claim.batch_id)
    assert batch is not None
    settle(world, batch)
    receipt = batch.lines[0].receipt_number
    paid = told(session, claim)
    assert receipt in paid
    assert english_left(paid, claim, wallet, receipt) == []
    # The control: the same claim for an English reader is all left over.
    claim.language = "en"
    assert "paid" in english_left(told(session, claim), claim, wallet, receipt)


def test_a_rejected_referred_and_returned_claim_is_told_in_bengali(
    world: World, session: Session, users: People
) -> None:
    rejected = nasrin_claim(world, session, users, language="bn")
    reason = "হাজিরা খাতায় এই নামের কোনো শ্রমিক নেই।"
    deciding.reject_claim(session, claim=rejected, actor=world.officer, reason=reason)
    assert english_left(told(session, rejected), rejected) == []
    referred = nasrin_claim(world, session, users, language="bn", kind="other")
    deciding.refer_claim(
        session, claim=referred, actor=world.officer, referred_to="Review panel", note="",
    )  # fmt: skip
    assert english_left(told(session, referred), referred, "Review panel") == []
    cases.record_referral_outcome(
        session, claim=referred, outcome="upheld", note="", actor=world.officer
    )
    returned = told(session, referred)
    assert messages.TEXTS["bn"]["upheld"] in returned
    assert english_left(returned, referred, "Review panel") == []
    # The event in the letter's subject is the event's Bengali title.
    assert messages.letter_headings(referred)["about"].endswith(referred.event.title_bn)
