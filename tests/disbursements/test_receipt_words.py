"""Every word a worker reads on a slip is in Bengali too, read back with poppler's pdftotext.

Each standing (draft slip to paid receipt and failed advice) is rendered for a Bengali-first and
an English-first worker. From the extracted page, the worker's own facts (name, IDs, wallet,
factory, numbers, codes) are taken out, then every English phrase the slip's word lists pair
with Bengali, after checking its Bengali is on the page: no Latin letter may be left. A label
or sentence added in English alone stays behind and fails the test.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy.orm import Session

from fund.disbursements import bengali
from fund.disbursements.outputs import receipts
from fund.disbursements.receipts import (
    METHOD_WORDS,
    MORE_LINES,
    STANDING,
    Receipt,
    render_receipts,
)
from fund.entitlements.words import BN_ENGLISH_ONLY, Worded
from tests.conftest import People
from tests.disbursements.bengali import approved_bengali_batch, tell_helpline_english
from tests.pdf_tools import text

FUND_NAME = "Worker Fund"  # render_receipts' default


def flat(page: str) -> str:
    """The page's words with single spaces (wrapped lines joined)."""
    return " ".join(page.split())


def pairs(receipt: Receipt, standing: str) -> list[Worded]:
    """Each English phrase the slip may print with the Bengali printed for it."""
    found = [Worded(english, bangla) for english, bangla in bengali.LABELS.items()]
    found += [
        Worded(f"{FUND_NAME} — {STANDING[standing][1]}",
               f"{bengali.FUND_NAME} — {bengali.STANDING[standing][1]}"),
        Worded(STANDING[standing][0], bengali.STANDING[standing][0]),
        Worded(METHOD_WORDS[receipt.method], bengali.METHODS[receipt.method]),
        Worded(receipt.event, receipt.event_bn),
        Worded(receipt.currency, bengali.CURRENCIES[receipt.currency]),
        receipt.service,
        *receipt.explanation,
    ]  # fmt: skip
    if receipt.dated is not None:
        english_day = f"{receipt.dated.day} {receipt.dated:%b %Y}"
        found.append(Worded(english_day, bengali.date_words(receipt.dated)))
    return found


def english_left(page: str, receipt: Receipt, standing: str) -> list[str]:
    """The Latin words left once the worker's facts and every paired English phrase are out."""
    rest = flat(page)
    facts = (
        receipt.factory, receipt.worker_id, receipt.national_id_masked, receipt.account,
        receipt.receipt_number, receipt.verification_code,
    )  # fmt: skip
    for fact in facts:
        rest = rest.replace(fact, " ")
    for english, bangla in sorted(pairs(receipt, standing), key=lambda p: -len(p.english)):
        if english in rest:
            assert bangla, f"{english!r} has no Bengali"
            assert flat(bangla) in flat(page), (english, bangla)
            rest = rest.replace(english, " ")
    # The factory's code, also inside the event's Bengali title (after the English title is out).
    rest = rest.replace(receipt.factory.split()[0], " ")
    return re.findall(r"[A-Za-z]+", rest)


@pytest.mark.parametrize("standing", list(STANDING))
def test_every_word_on_every_slip_is_in_bengali_too(
    session: Session, users: People, standing: str
) -> None:
    batch = approved_bengali_batch(session, users)
    english_reader = tell_helpline_english(session, batch).receipt_number
    found = [r._replace(status=standing) for r in receipts(session, batch)]
    assert {r.language for r in found} == {"bn", "en"}
    pages = text(render_receipts(found)).split("\f")
    for receipt, page in zip(found, pages, strict=False):
        assert english_left(page, receipt, standing) == [], receipt.receipt_number
        assert (receipt.language == "en") == (receipt.receipt_number == english_reader)


def test_an_english_label_alone_is_caught(session: Session, users: People) -> None:
    # The control: a sentence with no Bengali, or a label added to the slip in English alone,
    # is left over (so the test above can fail).
    batch = approved_bengali_batch(session, users)
    receipt = receipts(session, batch)[0]
    lone = receipt._replace(explanation=(Worded("Paid in full at the gate.", ""),))
    page = text(render_receipts([lone]))
    assert f"{BN_ENGLISH_ONLY} Paid in full at the gate." in flat(page)
    with pytest.raises(AssertionError, match="has no Bengali"):
        english_left(page, lone, "approved")
    assert english_left(text(render_receipts([receipt])) + " Net pay", receipt, "approved") == [
        "Net",
        "pay",
    ]


def order_of(page: str, worded: Worded) -> tuple[int, int]:
    """Where the Bengali and the English sentence start in the page's words."""
    words = flat(page)
    return words.index(flat(worded.bengali)), words.index(flat(worded.english))


def test_the_lines_extract_as_their_words_the_workers_language_first(
    session: Session, users: People
) -> None:
    batch = approved_bengali_batch(session, users)
    english_reader = tell_helpline_english(session, batch).receipt_number
    found = receipts(session, batch)
    pages = text(render_receipts(found)).split("\f")
    assert not any("\ue000" <= ch <= "\uf8ff" for page in pages for ch in page)
    for receipt, page in zip(found, pages, strict=False):
        assert receipt.explanation
        for worded in receipt.explanation:
            # The policy's Bengali words, conjuncts and all (ন্ধ, র্ব, চ্চ), as written.
            assert "কাজ বন্ধের সময়ের মজুরি (মোট মজুরি, সর্বোচ্চ ১২০ দিন)" in worded.bengali
            bangla_at, english_at = order_of(page, worded)
            if receipt.receipt_number == english_reader:
                assert english_at < bangla_at
            else:
                assert bangla_at < english_at
        # The line's amount and the slip's amount are written alike in each language.
        words = flat(page)
        assert bengali.amount_words(receipt.amount_minor, "BDT") in words
        assert "= ২৫,০০০.০০ টাকা।" in words
        assert "= 25,000.00 BDT." in words


def test_a_top_up_and_a_reissue_explain_themselves_in_both_languages(
    session: Session, users: People
) -> None:
    batch = approved_bengali_batch(session, users)
    receipt = receipts(session, batch)[0]
    owed, before = "25,000.00", "1,000.00"
    told = (
        bengali.sentence("difference", "BDT", owed=owed, before=before),
        bengali.sentence("reissue", "BDT"),
    )
    page = flat(text(render_receipts([receipt._replace(explanation=told, dated=date(2024, 5, 2))])))
    assert "শ্রমিকের মোট পাওনা ২৫,০০০.০০ টাকা; আগে ১,০০০.০০ টাকা পরিশোধ করা হয়েছে" in page
    assert "The worker is owed 25,000.00 BDT in all; 1,000.00 BDT was paid before" in page
    assert "আগের যে পরিশোধ শ্রমিকের কাছে পৌঁছায়নি, এই পরিশোধ তার বদলে।" in page
    for worded in told:
        bangla_at, english_at = order_of(page, worded)
        assert bangla_at < english_at


def test_a_long_breakdown_keeps_the_workers_language_whole(session: Session, users: People) -> None:
    batch = approved_bengali_batch(session, users)
    receipt = receipts(session, batch)[0]
    many = tuple(
        bengali.sentence("difference", "BDT", owed=f"{n},000.00", before="1.00") for n in range(6)
    )
    page = flat(text(render_receipts([receipt._replace(explanation=many)])))
    # Twelve sentences do not fit: the worker's six are all there, in order, none cut.
    assert [page.index(flat(worded.bengali)) for worded in many] == sorted(
        page.index(flat(worded.bengali)) for worded in many
    )
    assert MORE_LINES not in page
    assert "The worker is owed" not in page  # the other language gave way, the worker's did not
    for bengali_first in (True, False):
        endless = receipt._replace(explanation=many * 4, language="bn" if bengali_first else "en")
        page = flat(text(render_receipts([endless])))
        # Too long even so: the slip says lines are missing rather than drop them silently.
        assert bengali.bilingual(MORE_LINES, bengali_first=bengali_first) in page
