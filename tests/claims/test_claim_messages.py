"""What the worker is told: SMS counted as carriers count it, the facts never cut, the claim's
current state (paid once paid), Bengali or English, and nothing internal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hypothesis import given
from hypothesis import strategies as st

from fund.claims import cases, deciding, messages, reporting
from fund.claims.messages import Piece, count, fit
from fund.disbursements.models import DisbursementBatch
from tests.claims.conftest import SECRET, World, missing_worker, nasrin_claim, settle

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tests.conftest import People


def test_gsm7_text_is_160_septets_in_one_sms_and_153_per_part() -> None:
    assert (count("a" * 160).encoding, count("a" * 160).parts) == ("GSM-7", 1)
    assert count("a" * 161).parts == 2
    assert count("a" * 306).parts == 2
    assert count("a" * 307).parts == 3
    # Accented letters of the basic alphabet stay GSM-7 (é, ñ, ü, Ä, Ø…).
    assert count("Café Ñandù Øre").encoding == "GSM-7"
    assert count("Ñandú").encoding == "UCS-2"  # ú is not in the GSM alphabet (ù is)


def test_the_extension_table_costs_two_septets_and_never_splits() -> None:
    extension = "^{}\\[~]|€"
    counted = count(extension)
    assert (counted.encoding, counted.units, counted.parts) == ("GSM-7", 18, 1)
    assert count("€" * 80).units == 160
    assert count("€" * 80).parts == 1
    assert count("€" * 81).parts == 2
    assert count("a" * 158 + "€").units == 160
    # 306 septets fill two parts exactly, unless an escape pair would straddle them: then the
    # pair goes whole into the second part and the text needs a third.
    assert count("a" * 153 + "€" + "a" * 151).parts == 2
    assert count("a" * 152 + "€" + "a" * 152).parts == 3


def test_bengali_and_any_non_gsm_character_send_ucs2_at_70_and_67() -> None:
    assert count("ক" * 70).encoding == "UCS-2"
    assert count("ক" * 70).parts == 1
    assert count("ক" * 71).parts == 2
    assert count("ক" * 134).parts == 2
    assert count("ক" * 135).parts == 3
    # One "…" turns a plain English text into UCS-2: 160 characters are three parts.
    assert count("a" * 159 + "…").parts == 3
    # A character outside the BMP takes two UTF-16 units and never splits.
    assert count("😀" * 35).units == 70
    assert count("ক" * 67 + "😀" + "ক" * 65).parts == 2
    assert count("ক" * 66 + "😀" + "ক" * 66).parts == 3


FACTS = st.sampled_from(
    ["CL-000123", "25,000.00 BDT", "wallet 01711000009", "receipt WF-000002-00001", "৳৪০,০৬৫"]
)
WORDS = st.text(alphabet=st.sampled_from(list("abc xyz{}€ কখগ। ,.")), min_size=0, max_size=600)


@given(fixed=st.lists(FACTS, min_size=1, max_size=4), free=WORDS, parts=st.integers(1, 4))
def test_fit_never_cuts_a_fact_and_fits_when_the_facts_do(
    fixed: list[str], free: str, parts: int
) -> None:
    pieces = [Piece(text + " ") for text in fixed] + [Piece(free, free=True)]
    text = fit(pieces, max_parts=parts)
    for fact in fixed:
        assert fact in text
    facts_alone = "".join(p.text for p in pieces if not p.free)
    if count(facts_alone + "...").parts <= parts:
        assert count(text).parts <= parts
    if count("".join(p.text for p in pieces)).parts <= parts:
        assert text == "".join(p.text for p in pieces)  # nothing cut when it fits
    else:
        assert text.endswith("...") or text == facts_alone


def test_the_sms_follows_the_claim_to_paid_and_keeps_the_accept_note_inside(
    paid_world: World, session: Session, users: People
) -> None:
    world = paid_world
    claim = nasrin_claim(world, session, users)
    cases.add_note(
        session, claim=claim, body="Neighbour says she moved to Gazipur", actor=world.officer
    )
    deciding.accept_claim(
        session, claim=claim, actor=world.officer, secret_key=SECRET, worker=missing_worker(),
        note="Checked the attendance register pages 12-14",
    )  # fmt: skip
    waiting = reporting.outcome_text(claim)
    assert "25,000.00 BDT will be paid to you to wallet 01711000009 once" in waiting
    batch = session.get(DisbursementBatch, claim.batch_id)
    assert batch is not None
    settle(world, batch)
    paid = reporting.outcome_text(claim, helpline="16357")
    receipt = batch.lines[0].receipt_number
    assert (
        f"25,000.00 BDT was paid to you to wallet 01711000009 on 6 May 2024, receipt {receipt}."
        in paid
    )
    assert "once the payment is approved" not in paid
    letter = " ".join(messages.letter(session, claim, helpline="16357"))
    for told in (paid, letter):
        assert "attendance register" not in told
        assert "Gazipur" not in told
    assert receipt in letter

    claim.language = "bn"
    bengali = reporting.outcome_text(claim, helpline="16357")
    assert bengali.startswith(f"শ্রমিক তহবিল: আপনার দাবি {claim.reference} গৃহীত হয়েছে।")
    for fact in ("২৫,০০০.০০ টাকা", "01711000009", "৬ মে ২০২৪", receipt, "16357"):
        assert fact in bengali
    assert count(bengali).encoding == "UCS-2"
    assert count(bengali).parts <= messages.MAX_PARTS


def test_a_long_bengali_reason_is_cut_but_the_reference_never(
    world: World, session: Session, users: People
) -> None:
    claim = nasrin_claim(world, session, users, language="bn")
    reason = "কারখানার হাজিরা খাতায় এই নামের কোনো শ্রমিক নেই। " * 12
    deciding.reject_claim(session, claim=claim, actor=world.officer, reason=reason)
    text = reporting.outcome_text(claim, helpline="16357")
    assert claim.reference in text
    assert text.endswith("... প্রশ্ন থাকলে 16357 নম্বরে কল করুন।")
    assert count(text).parts == messages.MAX_PARTS
    assert reason.strip() in " ".join(messages.letter(session, claim))


def test_the_letter_is_headed_in_the_workers_language(
    world: World, session: Session, users: People
) -> None:
    claim = nasrin_claim(world, session, users, language="bn")
    headings = messages.letter_headings(claim)
    assert headings["title"] == f"শ্রমিক তহবিল: আপনার দাবি {claim.reference}"
    assert headings["for"].endswith("0009")
    claim.language = "en"
    assert messages.letter_headings(claim)["title"] == f"Worker Fund: your claim {claim.reference}"


def test_the_letter_has_the_other_language_beside_the_workers_own(
    world: World, session: Session, users: People
) -> None:
    claim = nasrin_claim(world, session, users, language="bn")
    reason = "No worker of this name is on the attendance register."
    deciding.reject_claim(session, claim=claim, actor=world.officer, reason=reason)
    beside = messages.letter_beside(session, claim, helpline="16357")
    assert beside.language == "en"
    assert beside.headings["title"] == f"Worker Fund: your claim {claim.reference}"
    assert beside.paragraphs[0].startswith(f"Worker Fund: your claim {claim.reference} is not")
    assert reason in beside.paragraphs[0]  # the free words as typed, in both letters
    assert messages.letter(session, claim)[0].startswith("শ্রমিক তহবিল")  # the worker's own
    claim.language = "en"
    assert messages.letter_beside(session, claim).headings["title"].startswith("শ্রমিক তহবিল")
