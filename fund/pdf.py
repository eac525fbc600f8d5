"""Text in the fund's PDFs: bundled fonts, Bengali shaping, and text that extracts as written.

Every PDF the fund makes (receipts, disbursement sheets, brand statements and their charts)
draws with the bundled Noto Sans and Noto Sans Bengali (``fund/fonts``, OFL), which reportlab
embeds as subsets, so a reader needs no font of its own and no text falls back to an
unembedded Helvetica. Bengali runs are shaped by HarfBuzz: conjuncts and reordered vowel signs
become glyphs that have no character of their own, so a PDF reader would extract private-use
characters. Each shaped run is therefore wrapped in marked content carrying ``/ActualText``
(ISO 32000-1, 14.9.4): the text as it was imported, which readers (poppler's pdftotext, Acrobat)
extract and copy in place of the glyphs.

reportlab is imported where a PDF is made, not at import, so the ``fund`` command starts cheaply.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus.flowables import Flowable

FONTS = Path(__file__).resolve().parent / "fonts"
LATIN = "NotoSans"
LATIN_BOLD = "NotoSans-Bold"
BENGALI = "NotoSansBengali"
# Bengali block, the danda and double danda Bengali ends a sentence with (U+0964-5, in the
# Devanagari block: Noto Sans has no glyph for them, Noto Sans Bengali does), and the joiners
# that shaping needs inside a Bengali run. Spaces and the punctuation of a Bengali sentence's
# arithmetic (১২,৫০০.০০ × ১.০০ ÷ ৩০ = …), which Noto Sans Bengali also draws, stay inside the
# run between Bengali letters: one shaped run, not one per number, keeps receipts fast.
_BENGALI = "\u0980-\u09ff\u0964\u0965\u200c\u200d"
_BENGALI_RUN = re.compile(rf"([{_BENGALI}]+(?:[\s,.×÷=():;/-]+[{_BENGALI}]+)*)")


@cache
def register_fonts() -> None:
    """Register the bundled fonts with reportlab (once per process)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for name, filename in (
        (LATIN, "NotoSans-Regular.ttf"),
        (LATIN_BOLD, "NotoSans-Bold.ttf"),
        (BENGALI, "NotoSansBengali-Regular.ttf"),
    ):
        pdfmetrics.registerFont(TTFont(name, str(FONTS / filename)))
    # <b> inside a Paragraph in Noto Sans picks the bold face.
    pdfmetrics.registerFontFamily(LATIN, normal=LATIN, bold=LATIN_BOLD)


def runs(text: str) -> Iterator[tuple[str, str]]:
    """Split text into (font, piece) runs: Bengali pieces in the Bengali font, the rest Latin."""
    for number, piece in enumerate(_BENGALI_RUN.split(text)):
        if piece:
            yield (BENGALI if number % 2 else LATIN), piece


def actual_text(text: str) -> str:
    """The PDF operator that opens a marked-content span whose extracted text is ``text``."""
    # A hex string of UTF-16BE with its byte-order mark: no escaping, any character.
    encoded = (b"\xfe\xff" + text.encode("utf-16-be")).hex().upper()
    return f"/Span <</ActualText <{encoded}>>> BDC"


def draw_text(
    canvas: Canvas, x: float, y: float, text: str, size: float, bold: bool = False
) -> float:
    """Draw mixed Latin/Bengali text from ``x``; the x where it ends."""
    from reportlab.pdfbase import pdfmetrics

    for font, piece in runs(text):
        if font == BENGALI:
            shaped, width = _shaped(piece, size)
            # A text object draws a shaped string glyph by glyph, as HarfBuzz placed them.
            # (canvas.drawString(shaping=1) needs the optional rlbidi package to shape.)
            text_object = canvas.beginText(x, y)
            text_object.setFont(BENGALI, size)
            text_object.textOut(shaped)
            canvas.addLiteral(actual_text(piece))
            canvas.drawText(text_object)
            canvas.addLiteral("EMC")
            x += width
        else:
            name = LATIN_BOLD if bold else LATIN
            canvas.setFont(name, size)
            canvas.drawString(x, y, piece)
            x += pdfmetrics.stringWidth(piece, name, size)
    return x


@cache
def _shaped(piece: str, size: float) -> tuple[str, float]:
    """The run shaped by HarfBuzz (glyphs reordered and placed) and its width in points."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import shapeStr

    shaped = shapeStr(piece, BENGALI, size, force=True)
    data = getattr(shaped, "__shapeData__", None)
    if data is None:  # pragma: no cover - HarfBuzz left it unchanged
        return piece, pdfmetrics.stringWidth(piece, BENGALI, size)
    return shaped, sum(glyph.x_advance for glyph in data) * size / 1000


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """How wide ``draw_text`` draws ``text``, Bengali runs as shaped, in points."""
    from reportlab.pdfbase import pdfmetrics

    register_fonts()
    return sum(
        _shaped(piece, size)[1]
        if font == BENGALI
        else pdfmetrics.stringWidth(piece, LATIN_BOLD if bold else LATIN, size)
        for font, piece in runs(text)
    )


def wrapped(text: str, width: float, size: float, *, bold: bool = False) -> list[str]:
    """``text`` broken at spaces into lines no wider than ``width`` (a longer word stays whole)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}" if current else word
        if current and text_width(trial, size, bold=bold) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    return [*lines, current] if current else lines


def text_lines(text: str, size: float, *, bold: bool = False) -> Flowable:
    """A flowable (e.g. a table cell) of wrapped text drawn by ``draw_text``.

    Unlike a Paragraph, whose shaped Bengali extracts as private-use glyphs, each Bengali run
    carries its ``/ActualText``: a Bengali factory or event name extracts as it was written.
    """
    return _text_lines_class()(text, size, bold)


@cache
def _text_lines_class() -> type[Flowable]:
    from reportlab.platypus.flowables import Flowable

    class TextLines(Flowable):  # type: ignore[misc]  # reportlab is untyped
        def __init__(self, text: str, size: float, bold: bool) -> None:
            super().__init__()
            self.text, self.size, self.bold = text, size, bold
            self.leading = size * 1.25
            self.lines: list[str] = []

        def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
            self.lines = wrapped(self.text, available_width, self.size, bold=self.bold)
            self.width = available_width
            self.height = max(len(self.lines), 1) * self.leading
            return self.width, self.height

        def draw(self) -> None:
            y = self.height - self.size  # the first baseline, one size below the top
            for line in self.lines:
                draw_text(self.canv, 0, y, line, self.size, bold=self.bold)
                y -= self.leading

    return TextLines


def new_canvas(buffer: BinaryIO, pagesize: tuple[float, float]) -> Canvas:
    """A compressed canvas whose pages start in Noto Sans (reportlab's default is Helvetica)."""
    from reportlab.pdfgen.canvas import Canvas

    register_fonts()
    return Canvas(buffer, pagesize=pagesize, pageCompression=1, initialFontName=LATIN)


def markup(text: str) -> str:
    """``text`` escaped for a Paragraph, with its Bengali runs set in the Bengali font."""
    parts = []
    for font, piece in runs(text):
        safe = piece.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        parts.append(f'<font face="{BENGALI}">{safe}</font>' if font == BENGALI else safe)
    return "".join(parts)


def paragraph_style(
    name: str, size: float, *, bold: bool = False, **more: object
) -> ParagraphStyle:
    """A Paragraph style in Noto Sans, shaped (so Bengali runs from ``markup`` join properly)."""
    from reportlab.lib.styles import ParagraphStyle

    register_fonts()
    return ParagraphStyle(
        name,
        fontName=LATIN_BOLD if bold else LATIN,
        fontSize=size,
        leading=size * 1.25,
        shaping=1,
        **more,
    )
