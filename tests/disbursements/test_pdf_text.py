"""Receipts and sheets read back with poppler: every font embedded, Bengali names extract as
they were imported (conjuncts and reordered vowel signs included), and only once."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from fund.auth.roles import Role
from fund.disbursements import bengali
from fund.disbursements.outputs import receipts, sheet_header, sheet_rows
from fund.disbursements.paying import mark_paid, mobile_needed, pay, transfer_to_float
from fund.disbursements.receipts import render_receipts
from fund.disbursements.sheets import build_sheet_pdf
from fund.entitlements.words import BN_WORDS
from fund.pdf import (
    _BENGALI_RUN,
    BENGALI,
    LATIN,
    LATIN_BOLD,
    _word,
    _word_code,
    draw_text,
    new_canvas,
    text_width,
    wrapped,
)
from ledger.money import format_minor
from tests.conftest import People
from tests.disbursements.bengali import NAMES, approved_bengali_batch, tell_helpline_english
from tests.pdf_tools import fonts, text


def test_receipts_extract_each_imported_name_exactly_once(session: Session, users: People) -> None:
    batch = approved_bengali_batch(session, users)
    found = receipts(session, batch)
    assert sorted(receipt.name for receipt in found) == sorted(NAMES)
    data = render_receipts(found)
    pages = text(data).split("\f")
    for receipt, page in zip(found, pages, strict=False):
        # The name as imported, once: the shaped glyphs add no private-use or second copy.
        assert page.count(receipt.name) == 1, (receipt.name, page)
    whole = "".join(pages)
    assert not any("\ue000" <= ch <= "\uf8ff" for ch in whole)  # no private-use characters
    for name in NAMES:
        assert whole.count(name) == 1


def test_the_sheet_extracts_the_names_too(session: Session, users: People) -> None:
    batch = approved_bengali_batch(session, users)
    data = build_sheet_pdf(sheet_header(batch), sheet_rows(session, batch))
    extracted = text(data)
    for name in NAMES:
        assert extracted.count(name) == 1


def test_without_actual_text_the_shaped_glyphs_do_not_extract() -> None:
    # The control: drawn as the glyphs alone, a conjunct name comes out as something else,
    # so the tests above can fail.
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, (400, 100))
    shaped, _ = _word(BENGALI, NAMES[0], 12)
    text_object = canvas.beginText(10, 50)
    text_object.setFont(BENGALI, 12)
    text_object.textOut(shaped)
    canvas.drawText(text_object)
    canvas.showPage()
    canvas.save()
    assert NAMES[0] not in text(buffer.getvalue())


def test_every_font_in_receipts_and_sheets_is_embedded(session: Session, users: People) -> None:
    batch = approved_bengali_batch(session, users)
    for data in (
        render_receipts(receipts(session, batch)),
        build_sheet_pdf(sheet_header(batch), sheet_rows(session, batch)),
    ):
        listed = fonts(data)
        assert {name.split("+", 1)[1] for name, _ in listed} == {
            "NotoSans-Regular",
            "NotoSans-Bold",
            "NotoSansBengali-Regular",
        }
        assert all(embedded for _, embedded in listed), listed


PAID_ON = date(2024, 5, 10)
CONSONANTS = "কখগঘঙচছজঝঞটঠডঢণতথদধনপফবভমযরলশষসহ"
SIGNS = ("", "\u09be", "\u09bf", "\u09c0", "\u09c1", "\u09c7", "\u09c8", "\u09cb", "\u09cc")
VIRAMA = "\u09cd"
syllable = st.builds(
    lambda first, second, joined, sign: first + (VIRAMA + second if joined else "") + sign,
    st.sampled_from(CONSONANTS),
    st.sampled_from(CONSONANTS),
    st.booleans(),
    st.sampled_from(SIGNS),
)
word = st.lists(syllable, min_size=1, max_size=4).map("".join)


@settings(max_examples=30, deadline=None)
@given(st.lists(word, min_size=1, max_size=3).map(" ".join))
def test_any_bengali_name_extracts_as_written(name: str) -> None:
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, (600, 100))
    draw_text(canvas, 10, 50, f"Worker {name} (ID 7)", 12)
    canvas.showPage()
    canvas.save()
    assert text(buffer.getvalue()).strip() == f"Worker {name} (ID 7)"


def test_slips_are_bilingual_dated_and_say_approved_until_paid(
    session: Session, users: People
) -> None:
    batch = approved_bengali_batch(session, users)
    found = receipts(session, batch)
    pages = text(render_receipts(found)).split("\f")
    for receipt, page in zip(found, pages, strict=False):
        flat = " ".join(page.split())
        english = f"{format_minor(receipt.amount_minor, 'BDT')} BDT"
        assert f"Amount approved: {english}" in flat
        assert f"অনুমোদিত টাকা: {bengali.amount_words(receipt.amount_minor, 'BDT')}" in flat
        assert "approval slip: not yet paid" in flat
        assert "অনুমোদন স্লিপ: এখনো পরিশোধ হয়নি" in flat
        assert "তারিখ / Dated" in flat  # no language told: Bengali first, English beside
        assert receipt.dated is not None  # approved: the approval's day
        day = f"{receipt.dated.day} {receipt.dated:%b %Y}"
        assert f"{bengali.date_words(receipt.dated)} ({day})" in flat
        assert "পরিশোধিত" not in flat  # an approval slip never says paid, in either language
        assert "Amount paid" not in flat
    accountant = users.by_role[Role.ACCOUNTANT]
    transfer_to_float(
        session, amount_minor=mobile_needed(session, batch), actor=accountant, on=PAID_ON
    )
    pay(session, batch=batch, actor=accountant, on=PAID_ON)
    first = min(batch.lines, key=lambda line: line.id)
    mark_paid(session, line=first, actor=accountant, on=PAID_ON)
    slips = {r.receipt_number: r for r in receipts(session, batch)}
    paid_page = " ".join(text(render_receipts([slips[first.receipt_number]])).split())
    assert "payment receipt" in paid_page
    assert f"পরিশোধিত টাকা: {bengali.amount_words(first.amount_minor, 'BDT')}" in paid_page
    assert "১০ মে ২০২৪ (10 May 2024)" in paid_page  # settled on
    other = next(r for number, r in slips.items() if number != first.receipt_number)
    sent_page = " ".join(text(render_receipts([other])).split())
    assert "Amount sent" in sent_page
    assert "পাঠানো টাকা" in sent_page
    assert "পরিশোধিত" not in sent_page


@given(st.integers(min_value=-(10**13), max_value=10**13))
def test_bengali_amounts_read_back_to_the_same_minor_units(minor: int) -> None:
    words = bengali.amount_words(minor, "BDT")
    number, currency = words.rsplit(" ", 1)
    assert currency == "টাকা"
    ascii_number = number.translate(str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789"))
    whole, _ = ascii_number.lstrip("-").split(".")
    groups = whole.split(",")
    # South Asian grouping: the last group three digits, the others two (the first 1-2).
    assert all(len(group) == 2 for group in groups[1:-1])
    assert len(groups[-1]) == 3 or len(groups) == 1
    assert int(ascii_number.replace(",", "").replace(".", "")) == minor


def test_lakh_and_crore_grouping() -> None:
    assert bengali.amount_words(123_456_789_00, "BDT") == "১২,৩৪,৫৬,৭৮৯.০০ টাকা"  # 12 crore
    assert bengali.amount_words(2_500_000, "BDT") == "২৫,০০০.০০ টাকা"
    assert bengali.amount_words(5, "BDT") == "০.০৫ টাকা"


def test_each_slip_puts_the_workers_own_language_first(session: Session, users: People) -> None:
    batch = approved_bengali_batch(session, users)
    # The worker told the helpline they read English (the newest record of their language).
    english_speaker = tell_helpline_english(session, batch)
    found = receipts(session, batch)
    assert {r.receipt_number: r.language for r in found}[english_speaker.receipt_number] == "en"
    for receipt, page in zip(found, text(render_receipts(found)).split("\f"), strict=False):
        flat = " ".join(page.split())
        english, bangla = flat.index("approval slip"), flat.index("অনুমোদন স্লিপ")
        english_amount, bangla_amount = flat.index("Amount approved"), flat.index("অনুমোদিত টাকা")
        if receipt.receipt_number == english_speaker.receipt_number:
            assert english < bangla
            assert english_amount < bangla_amount
            assert "Dated / তারিখ" in flat
        else:
            assert bangla < english
            assert bangla_amount < english_amount
            assert "তারিখ / Dated" in flat


# --- drawing word by word (fund.pdf.draw_text) ----------------------------------------------

POLICIES = Path(__file__).resolve().parents[2] / "fund" / "policies"


def shipped_bengali() -> list[str]:
    """Every Bengali run the slips draw from fixed words: the policies', the labels, sentences."""
    found = [
        match
        for policy in sorted(POLICIES.glob("*.toml"))
        for match in re.findall(r"[\u0980-\u09ff][^\"\n]*", policy.read_text(encoding="utf-8"))
    ]
    found += [*bengali.LABELS.values(), *(pair[1] for pair in bengali.SENTENCES.values())]
    found += [*BN_WORDS.values(), *(words for pair in bengali.STANDING.values() for words in pair)]
    return [piece for text in found for piece in _BENGALI_RUN.split(text)[1::2]]


def glyphs(shaped: str, size: float = 8) -> list[tuple[str, float, float, float]]:
    """What HarfBuzz placed: each glyph with its advance and offsets."""
    data = getattr(shaped, "__shapeData__", None)
    assert data is not None
    return [
        (character, sd.x_advance, sd.x_offset, sd.y_offset)
        for character, sd in zip(str(shaped), data, strict=True)
    ]


def test_words_shaped_apart_are_the_run_shaped_whole() -> None:
    # draw_text shapes Bengali word by word (cached); that is only right if no glyph joins,
    # reorders or kerns across a space. Checked on every shipped Bengali run.
    from reportlab.pdfbase.ttfonts import shapeStr

    pieces = shipped_bengali()
    assert len(pieces) > 50
    for piece in pieces:
        whole = glyphs(shapeStr(piece, BENGALI, 8, force=True))
        apart = [
            glyph
            for token in re.split(r"(\s+)", piece)
            if token
            for glyph in glyphs(shapeStr(token, BENGALI, 8, force=True))
        ]
        assert apart == whole, piece


bengali_number = st.text(alphabet="০১২৩৪৫৬৭৮৯,.", min_size=1, max_size=14)


@given(bengali_number)
def test_bengali_numbers_need_no_shaping(number: str) -> None:
    # Numbers in Bengali digits are drawn unshaped (fund.pdf._UNSHAPED): HarfBuzz would give
    # the same glyphs, advances and no offsets.
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import shapeStr

    shaped = glyphs(shapeStr(number, BENGALI, 8, force=True))
    face = pdfmetrics.getFont(BENGALI).face
    assert [(character, advance) for character, advance, _, _ in shaped] == [
        (character, face.charWidths[ord(character)]) for character in number
    ]
    assert all(x == 0 and y == 0 for _, _, x, y in shaped)
    assert _word(BENGALI, number, 8)[1] == pdfmetrics.stringWidth(number, BENGALI, 8)


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet="AZaz09,.()-•/:#&\\ ", min_size=1, max_size=20), st.booleans())
def test_a_plain_word_is_drawn_as_reportlab_draws_it(word: str, bold: bool) -> None:
    # Unshaped words get their operators from the font's subsets directly (as reportlab's
    # ttfonts documents); the text object reportlab would build writes the same.
    font = LATIN_BOLD if bold else LATIN
    canvas = new_canvas(io.BytesIO(), (400, 100))
    ours = _word_code(canvas, {}, font, word, 9)
    text_object = canvas.beginText(0, 0)
    text_object.setFont(font, 9)
    text_object.textOut(word)
    theirs = text_object.getCode().removeprefix("BT 1 0 0 1 0 0 Tm ").removesuffix(" ET")
    assert ours == theirs.replace(" 10.8 TL", "")


sentence = st.lists(
    st.sampled_from([*BN_WORDS.values(), "১২,৫০০.০০", "(আইনি", "ভিত্তি:", "BLA", "s.16(5))।",
                     "12,500.00", "×", "÷", "=", "days", "টাকা", "Lay-off:", "মজুরি"]),
    min_size=1,
    max_size=40,
).map(" ".join)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(sentence, st.sampled_from([120.0, 250.0, 480.0]), st.sampled_from([6.5, 8.0]))
def test_wrapped_lines_fit_and_keep_every_word(text_: str, width: float, size: float) -> None:
    lines = wrapped(text_, width, size)
    assert " ".join(lines).split() == text_.split()
    for line in lines:
        assert " " not in line or text_width(line, size) <= width, line


def test_a_slip_drawn_word_by_word_reads_back_as_written() -> None:
    line = "মূল মজুরি ১২,৫০০.০০ × ১.০০ ÷ ৩০ = ৪,১৬৬.৬৭ টাকা (Basic 12,500.00 BDT)"
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, (600, 100))
    end = draw_text(canvas, 10, 50, line, 10)
    canvas.showPage()
    canvas.save()
    assert " ".join(text(buffer.getvalue()).split()) == line
    assert end - 10 == text_width(line, 10)
