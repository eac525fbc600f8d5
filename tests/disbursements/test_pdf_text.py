"""Receipts and sheets read back with poppler: every font embedded, Bengali names extract as
they were imported (conjuncts and reordered vowel signs included), and only once."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from fund.disbursements.receipts import render_receipts
from fund.disbursements.services import (
    receipts,
    sheet_header,
    sheet_rows,
)
from fund.disbursements.sheets import build_sheet_pdf
from fund.pdf import BENGALI, _shaped, draw_text, new_canvas
from tests.conftest import People
from tests.disbursements.bengali import NAMES, approved_bengali_batch
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
    shaped, _ = _shaped(NAMES[0], 12)
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
