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
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, NamedTuple
from weakref import WeakKeyDictionary

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
    from reportlab import rl_config
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    # Streams deflated only, not also ASCII85-armoured: a quarter smaller and no encoding pass.
    rl_config.useA85 = 0
    for name, filename in (
        (LATIN, "NotoSans-Regular.ttf"),
        (LATIN_BOLD, "NotoSans-Bold.ttf"),
        (BENGALI, "NotoSansBengali-Regular.ttf"),
    ):
        pdfmetrics.registerFont(TTFont(name, str(FONTS / filename)))
    # <b> inside a Paragraph in Noto Sans picks the bold face.
    pdfmetrics.registerFontFamily(LATIN, normal=LATIN, bold=LATIN_BOLD)


@lru_cache(maxsize=1 << 16)
def runs(text: str) -> tuple[tuple[str, str], ...]:
    """Split text into (font, piece) runs: Bengali pieces in the Bengali font, the rest Latin."""
    return tuple(
        ((BENGALI if number % 2 else LATIN), piece)
        for number, piece in enumerate(_BENGALI_RUN.split(text))
        if piece
    )


def actual_text(text: str) -> str:
    """The PDF operator that opens a marked-content span whose extracted text is ``text``."""
    # A hex string of UTF-16BE with its byte-order mark: no escaping, any character.
    encoded = (b"\xfe\xff" + text.encode("utf-16-be")).hex().upper()
    return f"/Span <</ActualText <{encoded}>>> BDC"


def draw_text(
    canvas: Canvas, x: float, y: float, text: str, size: float, bold: bool = False
) -> float:
    """Draw mixed Latin/Bengali text from ``x``; the x where it ends.

    Each run is one text object that draws its words one by one, each word's operators made
    once per document (``_word_code``): a batch's slips share most words, and reportlab's
    glyph-by-glyph emitting of shaped text is what 10,000 receipts would otherwise spend.
    """
    codes = _WORD_CODES.get(canvas)
    if codes is None:
        codes = _WORD_CODES[canvas] = {}
    for font, piece in runs(text):
        face = LATIN_BOLD if bold and font == LATIN else font
        laid = _laid_out(face, piece, size)
        parts = [f"BT 1 0 0 1 {x:.2f} {y:.2f} Tm"]
        for move, word in laid.words:
            code = codes.get((face, word, size)) or _word_code(canvas, codes, face, word, size)
            parts.append(move + code)
        parts.append("ET")
        if font == BENGALI:
            # Shaped glyphs extract as private-use characters: the span says what they read.
            parts = [actual_text(piece), *parts, "EMC"]
        canvas.addLiteral(" ".join(parts))
        x += laid.width
    return x


_SPACES = re.compile(r"(\s+)")
#: Bengali words HarfBuzz leaves as they are, drawn unshaped: digits and the separators of a
#: number (nothing to join or reorder, no mark to place; tests/disbursements/test_pdf_text.py).
_UNSHAPED = re.compile(r"[\u09e6-\u09ef,.]+")
#: How a text object at (0, 0) of a bottom-up canvas (reportlab's default) starts.
_ORIGIN = "BT 1 0 0 1 0 0 Tm "
#: Words remembered across documents: a batch's vocabulary, bounded for a long-lived worker.
_REMEMBERED = 1 << 16
#: Each open canvas's words as PDF operators (glyph codes are per document: its font subsets).
_WORD_CODES: WeakKeyDictionary[Canvas, dict[tuple[str, str, float], str]] = WeakKeyDictionary()


class _Laid(NamedTuple):
    """A run's words, each with the ``Td`` that moves to it from the word before, and its width."""

    words: tuple[tuple[str, str], ...]
    width: float


@lru_cache(maxsize=_REMEMBERED)
def _laid_out(font: str, piece: str, size: float) -> _Laid:
    words: list[tuple[str, str]] = []
    moved = width = 0.0  # moved: from the last word's start, which a Td moves from
    for token in _SPACES.split(piece):
        if not token:
            continue
        advance = _word(font, token, size)[1]
        if not token.isspace():
            words.append((f"{moved:.2f} 0 Td " if moved else "", token))
            moved = 0.0
        moved += advance
        width += advance
    return _Laid(tuple(words), width)


@lru_cache(maxsize=_REMEMBERED)
def _word(font: str, word: str, size: float) -> tuple[str, float]:
    """A word as drawn (Bengali shaped by HarfBuzz: glyphs reordered and placed) and its width.

    Bengali is shaped word by word: no conjunct or reordering crosses a space, so the words
    shaped apart are the run shaped whole (tests/disbursements/test_pdf_text.py checks it on
    every shipped Bengali word).
    """
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import shapeStr

    if font != BENGALI or _UNSHAPED.fullmatch(word):
        return word, pdfmetrics.stringWidth(word, font, size)
    shaped = shapeStr(word, BENGALI, size, force=True)
    data = getattr(shaped, "__shapeData__", None)
    if data is None:  # pragma: no cover - HarfBuzz left it unchanged
        return word, pdfmetrics.stringWidth(word, BENGALI, size)
    return shaped, sum(glyph.x_advance for glyph in data) * size / 1000


def _word_code(
    canvas: Canvas, codes: dict[tuple[str, str, float], str], font: str, word: str, size: float
) -> str:
    """The operators that draw ``word`` at the text object's line start, kept in ``codes``."""
    from reportlab.lib.rl_accel import escapePDF
    from reportlab.pdfbase import pdfmetrics

    glyphs = _word(font, word, size)[0]
    if hasattr(glyphs, "__shapeData__"):  # shaped: reportlab places each glyph
        text_object = canvas.beginText(0, 0)
        text_object.setFont(font, size)
        text_object.textOut(glyphs)
        drawn: str = text_object.getCode()
        if not drawn.startswith(_ORIGIN):  # a top-down canvas: the word would be misplaced
            raise ValueError(f"draw_text needs a bottom-up canvas, not one starting {drawn[:20]!r}")
        code = drawn.removeprefix(_ORIGIN).removesuffix(" ET")
    elif word.isascii() and word.isprintable() and (ascii_subset := _ascii_subset(canvas, font)):
        code = f"{ascii_subset} {size:g} Tf ({escapePDF(word)}) Tj"
    else:  # as reportlab's ttfonts documents drawing with a subset font
        face, document = pdfmetrics.getFont(font), canvas._doc
        code = " ".join(
            f"{face.getSubsetInternalName(subset, document)} {size:g} Tf ({escapePDF(chunk)}) Tj"
            for subset, chunk in face.splitString(word, document)
        )
    codes[font, word, size] = code
    return code


#: Printable ASCII, which reportlab's subset 0 of a font holds as itself (``ttfAsciiReadable``).
_PRINTABLE_ASCII = "".join(chr(code) for code in range(32, 127))
_ASCII_SUBSETS: WeakKeyDictionary[Canvas, dict[str, str]] = WeakKeyDictionary()


def _ascii_subset(canvas: Canvas, font: str) -> str:
    """The font's subset that holds printable ASCII as itself in this document, or "".

    Asked once per document and font: where it holds, an ASCII word is its own glyph codes
    (no character-by-character split into subsets).
    """
    from reportlab.pdfbase import pdfmetrics

    subsets = _ASCII_SUBSETS.setdefault(canvas, {})
    if font not in subsets:
        face, document = pdfmetrics.getFont(font), canvas._doc
        split = face.splitString(_PRINTABLE_ASCII, document)
        itself = split == [(0, _PRINTABLE_ASCII.encode("ascii"))]
        subsets[font] = face.getSubsetInternalName(0, document) if itself else ""
    return subsets[font]


@lru_cache(maxsize=_REMEMBERED)
def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """How wide ``draw_text`` draws ``text``, Bengali runs as shaped, in points."""
    register_fonts()
    return sum(
        _laid_out(LATIN_BOLD if bold and font == LATIN else font, piece, size).width
        for font, piece in runs(text)
    )


def wrapped(text: str, width: float, size: float, *, bold: bool = False) -> list[str]:
    """``text`` broken at spaces into lines no wider than ``width`` (a longer word stays whole).

    Each word is measured once and lines are filled by adding widths; a line the sum misjudged
    (a separator drawn in the other script's font at a line's edge) sends the text through the
    exact fill, which measures every trial line.
    """
    space = text_width(" ", size, bold=bold)
    lines: list[str] = []
    current: list[str] = []
    used = 0.0
    for word in text.split():
        wide = text_width(word, size, bold=bold)
        if current and used + space + wide > width:
            lines.append(" ".join(current))
            current, used = [word], wide
        else:
            used = used + space + wide if current else wide
            current.append(word)
    if current:
        lines.append(" ".join(current))
    if all(text_width(line, size, bold=bold) <= width for line in lines if " " in line):
        return lines
    return _wrapped_exactly(text, width, size, bold=bold)


def _wrapped_exactly(text: str, width: float, size: float, *, bold: bool) -> list[str]:
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
