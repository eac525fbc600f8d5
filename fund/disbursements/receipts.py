"""Receipts: one PDF page per worker, and the verification code that proves a receipt is ours.

``render_receipts(receipts) -> bytes`` is a pure builder: plain ``Receipt`` values in, PDF bytes
out, drawn straight on a reportlab canvas (10,000 pages in seconds). Names and any other text
in Bengali script are drawn in Noto Sans Bengali with HarfBuzz shaping, Latin in Noto Sans; both
fonts are bundled in ``fund/fonts`` with their OFL licence. The verification code is an HMAC of
the receipt's facts under the app's secret key, passed in, so nothing here needs Flask.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from ledger.money import format_minor

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas


FONTS = Path(__file__).resolve().parent.parent / "fonts"
LATIN = "NotoSans"
LATIN_BOLD = "NotoSans-Bold"
BENGALI = "NotoSansBengali"
# Bengali block, plus the joiners that shaping needs inside a Bengali run.
_BENGALI_RUN = re.compile(r"([\u0980-\u09FF\u200C\u200D]+(?:\s+[\u0980-\u09FF\u200C\u200D]+)*)")


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


def verification_code(
    secret_key: str | bytes,
    *,
    receipt_number: str,
    worker_id: str,
    amount_minor: int,
    currency: str,
    event_id: int,
) -> str:
    """``"7F3A-09C2-B41D"``: an HMAC-SHA256 of the receipt's facts, 48 bits shown."""
    key = secret_key.encode() if isinstance(secret_key, str) else secret_key
    message = f"{receipt_number}|{worker_id}|{amount_minor}|{currency}|{event_id}".encode()
    digest = hmac.new(key, message, hashlib.sha256).hexdigest()[:12].upper()
    return f"{digest[:4]}-{digest[4:8]}-{digest[8:]}"


@dataclass(frozen=True, slots=True)
class Receipt:
    """Everything one receipt page shows."""

    receipt_number: str
    verification_code: str
    factory: str  # "DHK-017 Rupali Knit Composite Ltd"
    event: str  # the event's title
    batch_id: int
    worker_id: str
    name: str
    national_id_masked: str
    method: str
    account: str  # wallet or bank account; "" for cash
    amount_minor: int
    currency: str
    service: str  # "60 days paid" or "7 years of service"
    explanation: tuple[str, ...] = field(default_factory=tuple)
    # What the slip attests and since when: an approval slip is not a proof of payment.
    status: str = "approved"  # a key of STANDING
    dated: date | None = None


#: What each standing lets the slip say above the amount, and its page title.
STANDING: dict[str, tuple[str, str]] = {
    "draft": ("Amount proposed (not approved)", "payment slip: draft"),
    "submitted": ("Amount awaiting approval", "payment slip: awaiting approval"),
    "approved": ("Amount approved", "approval slip: not yet paid"),
    "released": ("Amount sent", "payment advice: sent, awaiting confirmation"),
    "paid": ("Amount paid", "payment receipt"),
    "failed": ("Amount not delivered", "payment advice: failed, to be reissued"),
    "unclaimed": ("Amount unclaimed", "payment advice: unclaimed"),
}


def standing(batch_state: str, line_state: str) -> str:
    """What a slip may claim: ``paid`` only once the line is settled paid."""
    if line_state in ("paid", "failed", "unclaimed"):
        return line_state
    if batch_state == "paid":
        return "released"  # the money left the fund; the provider has not confirmed yet
    if batch_state in ("approved", "submitted"):
        return batch_state
    return "draft"


def runs(text: str) -> Iterator[tuple[str, str]]:
    """Split text into (font, piece) runs: Bengali pieces in the Bengali font, the rest Latin."""
    for number, piece in enumerate(_BENGALI_RUN.split(text)):
        if piece:
            yield (BENGALI if number % 2 else LATIN), piece


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
            canvas.drawText(text_object)
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


def _wrap(text: str, width: float, size: float) -> list[str]:
    from reportlab.pdfbase import pdfmetrics

    words, lines, current = text.split(), [], ""
    for word in words:
        trial = f"{current} {word}".strip()
        if pdfmetrics.stringWidth(trial, LATIN, size) > width and current:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines


METHOD_WORDS = {"mobile": "Mobile money", "bank": "Bank transfer", "cash": "Cash"}


def render_receipts(receipts: Iterable[Receipt], *, fund_name: str = "Worker Fund") -> bytes:
    """One A5 landscape page per receipt, in the order given."""
    from reportlab.lib.pagesizes import A5, landscape
    from reportlab.pdfgen.canvas import Canvas

    register_fonts()
    buffer = io.BytesIO()
    page_width, page_height = landscape(A5)
    canvas = Canvas(buffer, pagesize=(page_width, page_height), pageCompression=1)
    canvas.setTitle(f"{fund_name} receipts")
    margin = 36.0
    for receipt in receipts:
        y = page_height - margin - 6
        says, title = STANDING.get(receipt.status, STANDING["draft"])
        draw_text(canvas, margin, y, f"{fund_name} — {title}", 14, bold=True)
        canvas.setFont(LATIN, 9)
        canvas.drawRightString(page_width - margin, y, f"Receipt {receipt.receipt_number}")
        y -= 22
        facts = (
            ("Factory", receipt.factory),
            ("Event", receipt.event),
            (
                "Worker",
                f"{receipt.name}  (ID {receipt.worker_id}, NID {receipt.national_id_masked})",
            ),
            (
                "Paid by",
                " ".join(
                    p
                    for p in (METHOD_WORDS.get(receipt.method, receipt.method), receipt.account)
                    if p
                ),
            ),
            ("Service", receipt.service),
            ("Batch", str(receipt.batch_id)),
            ("Dated", receipt.dated.strftime("%d %b %Y").lstrip("0") if receipt.dated else "—"),
        )
        for label, value in facts:
            canvas.setFont(LATIN_BOLD, 9)
            canvas.drawString(margin, y, label)
            draw_text(canvas, margin + 70, y, value, 10)
            y -= 15
        y -= 4
        canvas.setFont(LATIN_BOLD, 9)
        canvas.drawString(margin, y, "How the amount is worked out")
        y -= 13
        canvas.setFont(LATIN, 8)
        for sentence in receipt.explanation:
            for line in _wrap(sentence, page_width - 2 * margin - 10, 8):
                if y < margin + 60:
                    break
                draw_text(canvas, margin + 10, y, line, 8)  # Bengali lines need shaping
                y -= 11
        amount = f"{format_minor(receipt.amount_minor, receipt.currency)} {receipt.currency}"
        canvas.setFont(LATIN_BOLD, 16)
        canvas.drawString(margin, margin + 34, f"{says}: {amount}")
        canvas.setFont(LATIN, 9)
        canvas.drawString(margin, margin + 16, f"Verification code: {receipt.verification_code}")
        canvas.drawRightString(page_width - margin, margin + 16, "Received by (signature / thumb)")
        canvas.line(page_width - margin - 170, margin + 32, page_width - margin, margin + 32)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
