"""Receipts: one PDF page per worker, and the verification code that proves a receipt is ours.

``render_receipts(receipts) -> bytes`` is a pure builder: plain ``Receipt`` values in, PDF bytes
out, drawn straight on a reportlab canvas (10,000 pages in seconds). Names and any other text
in Bengali script are drawn in Noto Sans Bengali with HarfBuzz shaping and extract as written,
Latin in Noto Sans; both fonts are embedded (``fund.pdf``). The verification code is an HMAC of
the receipt's facts under the app's secret key, passed in, so nothing here needs Flask.
"""

from __future__ import annotations

import hashlib
import hmac
import io
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple, Protocol

from fund.disbursements import bengali
from fund.entitlements.words import Worded
from fund.pdf import draw_text, new_canvas, text_width, wrapped
from ledger.money import format_minor

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas


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


class Sentence(Protocol):
    """One step of a slip's explanation in both languages (a ``Worded`` or ``DeferredWords``)."""

    @property
    def english(self) -> str: ...

    @property
    def bengali(self) -> str: ...

    def in_order(self, bengali_first: bool) -> tuple[str, ...]:
        """The worker's language first, the other after."""
        ...


class Receipt(NamedTuple):
    """Everything one receipt page shows.

    A named tuple, not a frozen dataclass: as immutable, and made about ten times faster, which
    counts when a batch's 50,000 receipts are gathered (README: Disbursements).
    """

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
    service: Worded  # "60 days paid" or "7 years of service", with its Bengali
    # Each step of the amount in both languages: printed the worker's language first.
    explanation: tuple[Sentence, ...] = ()
    # What the slip attests and since when: an approval slip is not a proof of payment.
    status: str = "approved"  # a key of STANDING
    dated: date | None = None
    # The worker's own language, printed first ("bn" or "en"); the other stands beside it.
    language: str = "bn"
    event_bn: str = ""  # the event's title in Bengali (``Event.title_bn``)

    @property
    def bengali_first(self) -> bool:
        """Bengali leads the slip unless the worker asked for English."""
        return self.language != "en"


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


def _beside(bangla: str, english: str, bengali_first: bool) -> str:
    """``"২ মে ২০২৪ (2 May 2024)"`` Bengali first, else ``"2 May 2024 (২ মে ২০২৪)"``."""
    return f"{bangla} ({english})" if bengali_first else f"{english} ({bangla})"


@lru_cache(maxsize=1 << 14)
def _wrap(text: str, width: float, size: float) -> tuple[str, ...]:
    """``pdf.wrapped``, remembered (bounded: a worker process lives long): slips share most
    of their sentences."""
    return tuple(wrapped(text, width, size))


MORE_LINES = "More lines: ask the fund's helpline"


def _explanation(
    explanation: tuple[Sentence, ...], bengali_first: bool, width: float, room: float
) -> tuple[tuple[str, ...], float]:
    """The explanation's wrapped lines and their size, fitted to ``room`` points of height.

    Both languages at 8 points if they fit, else smaller (to 6.5); a long breakdown that still
    does not fit keeps the worker's own language whole and leaves the other to the fund's pages.
    Nothing is cut silently: if even that is too long, its last line says the rest is missing.
    """
    both = tuple(sentence for worded in explanation for sentence in worded.in_order(bengali_first))
    own = tuple(worded.in_order(bengali_first)[0] for worded in explanation)
    for sentences in (both, own):
        for size in (8.0, 7.0, 6.5):
            lines = tuple(line for sentence in sentences for line in _wrap(sentence, width, size))
            if len(lines) * (size + 3) <= room:
                return lines, size
    fits = max(int(room // 9.5) - 1, 0)
    return (*lines[:fits], bengali.bilingual(MORE_LINES, bengali_first=bengali_first)), 6.5


METHOD_WORDS = {"mobile": "Mobile money", "bank": "Bank transfer", "cash": "Cash"}


def _slip_form(
    canvas: Canvas,
    standing_key: str,
    fund_name: str,
    size: tuple[float, float],
    margin: float,
    *,
    bengali_first: bool,
) -> str:
    """The words every slip of a standing shares, drawn once as a form each page reuses."""
    name = f"slip-{standing_key}-{'bn' if bengali_first else 'en'}"
    if canvas.hasForm(name):
        return name
    page_width, page_height = size
    canvas.beginForm(name)
    y = page_height - margin - 6
    english = f"{fund_name} — {STANDING[standing_key][1]}"
    bangla = f"{bengali.FUND_NAME} — {bengali.STANDING[standing_key][1]}"
    first, second = (bangla, english) if bengali_first else (english, bangla)
    draw_text(canvas, margin, y, first, 14, bold=True)
    draw_text(canvas, margin, y - 17, second, 11)
    y -= 37
    for label in FACT_LABELS:
        draw_text(
            canvas, margin, y, bengali.bilingual(label, bengali_first=bengali_first), 8, bold=True
        )
        y -= 15
    worked_out = bengali.bilingual("How the amount is worked out", bengali_first=bengali_first)
    draw_text(canvas, margin, y - 4, worked_out, 9, bold=True)
    signature = "Received by (signature / thumb)"
    lines = (bengali.LABELS[signature], signature)
    first, second = lines if bengali_first else lines[::-1]
    draw_text(canvas, page_width - margin - 170, margin + 20, first, 8)
    draw_text(canvas, page_width - margin - 170, margin + 8, second, 8)
    canvas.line(page_width - margin - 170, margin + 32, page_width - margin, margin + 32)
    canvas.endForm()
    return name


FACT_LABELS = ("Factory", "Event", "Worker", "Paid by", "Service", "Batch", "Dated")


def render_receipts(receipts: Iterable[Receipt], *, fund_name: str = "Worker Fund") -> bytes:
    """One A5 landscape page per receipt, in the order given: the worker's language first."""
    from reportlab.lib.pagesizes import A5, landscape

    buffer = io.BytesIO()
    page_width, page_height = landscape(A5)
    canvas = new_canvas(buffer, (page_width, page_height))
    canvas.setTitle(f"{fund_name} — {bengali.bilingual('receipts')}")
    margin = 36.0
    values_at = margin + 122  # room for "Label / লেবেল" at 8 points
    for receipt in receipts:
        standing_key = receipt.status if receipt.status in STANDING else "draft"
        says = STANDING[standing_key][0]
        says_bn = bengali.STANDING[standing_key][0]
        # Titles, labels and the signature box are the same on every slip of a standing: one
        # form, drawn once, keeps 10,000 bilingual pages fast and the file small.
        first_bn = receipt.bengali_first
        canvas.doForm(
            _slip_form(
                canvas, standing_key, fund_name, (page_width, page_height), margin,
                bengali_first=first_bn,
            )
        )  # fmt: skip
        y = page_height - margin - 6
        number = f"{bengali.bilingual('Receipt', bengali_first=first_bn)} {receipt.receipt_number}"
        draw_text(canvas, page_width - margin - text_width(number, 9), y, number, 9)
        y -= 37
        method = METHOD_WORDS.get(receipt.method, receipt.method)
        method_bn = bengali.METHODS.get(receipt.method)
        dated = "—"
        if receipt.dated:
            english = receipt.dated.strftime("%d %b %Y").lstrip("0")
            dated = _beside(bengali.date_words(receipt.dated), english, first_bn)
        paid_by = _beside(method_bn, method, first_bn) if method_bn else method
        worker_id = bengali.bilingual("ID", bengali_first=first_bn)
        national_id = bengali.bilingual("NID", bengali_first=first_bn)
        event = _beside(receipt.event_bn, receipt.event, first_bn) if receipt.event_bn else ""
        values = (
            receipt.factory,
            event or receipt.event,
            f"{receipt.name}  ({worker_id} {receipt.worker_id}, "
            f"{national_id} {receipt.national_id_masked})",
            " ".join(p for p in (paid_by, receipt.account) if p),
            _beside(receipt.service.bengali, receipt.service.english, first_bn),
            str(receipt.batch_id),
            dated,
        )
        room = page_width - margin - values_at
        for value in values:
            # A long value (both languages of an event's title) is set smaller to stay on the page.
            size = min(10.0, 10.0 * room / max(text_width(value, 10), 1.0))
            draw_text(canvas, values_at, y, value, size)
            y -= 15
        y -= 17
        width, room = page_width - 2 * margin - 10, y - (margin + 80) + 11
        lines, size = _explanation(receipt.explanation, first_bn, width, room)
        for line in lines:
            draw_text(canvas, margin + 10, y, line, size)  # Bengali lines need shaping
            y -= size + 3
        amount = f"{format_minor(receipt.amount_minor, receipt.currency)} {receipt.currency}"
        english_amount = f"{says}: {amount}"
        bangla_amount = f"{says_bn}: {bengali.amount_words(receipt.amount_minor, receipt.currency)}"
        if first_bn:  # the worker's language large, the other beside it smaller
            draw_text(canvas, margin, margin + 52, bangla_amount, 16)
            draw_text(canvas, margin, margin + 34, english_amount, 11, bold=True)
        else:
            draw_text(canvas, margin, margin + 52, english_amount, 16, bold=True)
            draw_text(canvas, margin, margin + 34, bangla_amount, 12)
        code_label = bengali.bilingual("Verification code", bengali_first=first_bn)
        draw_text(canvas, margin, margin + 16, f"{code_label}: {receipt.verification_code}", 9)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
