"""What the worker is told: the SMS and the letter, from the claim's current state, in the
worker's language (Bengali or English).

Only words meant for the worker leave the fund: the reason a claim is not accepted and the note
of a referral. What an officer checked when accepting, case notes and call notes stay inside.

SMS length is counted as carriers count it (3GPP TS 23.038 for the GSM 7-bit alphabet and its
extension table, TS 23.040 for concatenation):

- a text made only of GSM-7 characters is sent in GSM-7: 160 septets in one SMS, 153 per part
  when split (7 septets carry the concatenation header); a character of the extension table
  (``^ { } [ ] ~ | € \\``, form feed) costs two septets (escape + character), and a part never
  ends between the two;
- any other character (all of Bengali, and "…", curly quotes, "৳") sends the whole text in
  UCS-2: 70 UTF-16 code units in one SMS, 67 per part.

A text too long for the fund's limit is shortened only in its free words (a reason, a note),
at a word, with "..." (GSM-7), never in the reference, the amount, the wallet or a receipt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from fund.claims.models import Claim
from fund.disbursements import bengali
from fund.disbursements.models import DisbursementBatch, PaymentLine
from fund.display import bengali_number, display_date
from ledger.money import format_minor

#: 3GPP TS 23.038 §6.2.1, the default alphabet (the escape 0x1B is not a character to send).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
#: 3GPP TS 23.038 §6.2.1.1, the extension table: each costs the escape and itself.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")
#: One SMS and one part of a split SMS, in septets (GSM-7) or UTF-16 code units (UCS-2).
SINGLE = {"GSM-7": 160, "UCS-2": 70}
PART = {"GSM-7": 153, "UCS-2": 67}
#: The fund sends at most this many parts: free words are shortened to fit, nothing else.
MAX_PARTS = 3
ELLIPSIS = "..."


@dataclass(frozen=True, slots=True)
class SmsCount:
    """How carriers count a text: encoding, units (septets or code units) and parts."""

    encoding: str
    units: int
    parts: int

    @property
    def limit(self) -> int:
        """Units the text may have in its number of parts."""
        return SINGLE[self.encoding] if self.parts == 1 else PART[self.encoding] * self.parts


def encoding(text: str) -> str:
    """``"GSM-7"`` when every character is in the GSM alphabet or its extension, else UCS-2."""
    return "GSM-7" if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text) else "UCS-2"


def _units(text: str, kind: str) -> list[int]:
    """The units each character costs: 1 or 2 septets, or 1 or 2 UTF-16 code units."""
    if kind == "GSM-7":
        return [2 if ch in GSM7_EXTENSION else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def count(text: str) -> SmsCount:
    """The encoding, units and parts carriers bill for ``text``."""
    kind = encoding(text)
    costs = _units(text, kind)
    total = sum(costs)
    if total <= SINGLE[kind]:
        return SmsCount(kind, total, 1 if text else 0)
    # Fill parts character by character: an escape pair or a surrogate pair never splits.
    parts, used = 1, 0
    for cost in costs:
        if used + cost > PART[kind]:
            parts, used = parts + 1, 0
        used += cost
    return SmsCount(kind, total, parts)


@dataclass(frozen=True, slots=True)
class Piece:
    """A piece of a message: fixed (reference, amount, wallet, receipt) or free words."""

    text: str
    free: bool = False


def _shorten(text: str, keep: int) -> str:
    """The first ``keep`` characters of free words, back to a word if one ends near, + "..."."""
    if keep <= 0:
        return ""
    cut = text[:keep].rstrip()
    space = cut.rfind(" ")
    if space > keep // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.") + ELLIPSIS


def fit(pieces: list[Piece], *, max_parts: int = MAX_PARTS) -> str:
    """The pieces joined; free words shortened (at a word, with "...") until it fits.

    Fixed pieces are never cut: if they alone need more parts, the message takes them.
    """
    texts = [piece.text for piece in pieces]
    if count("".join(texts)).parts <= max_parts:
        return "".join(texts)
    for index in reversed([i for i, piece in enumerate(pieces) if piece.free]):
        original = pieces[index].text
        # The longest prefix that fits (parts only grow with length): a binary search.
        low, high = 0, len(original) - 1
        while low < high:
            middle = (low + high + 1) // 2
            texts[index] = _shorten(original, middle)
            if count("".join(texts)).parts <= max_parts:
                low = middle
            else:
                high = middle - 1
        texts[index] = _shorten(original, low)
        if count("".join(texts)).parts <= max_parts:
            break
    return "".join(texts)


# --- the claim's state, as the worker should hear it -------------------------------------------


@dataclass(frozen=True, slots=True)
class Payment:
    """Where the claim's payment stands: its line, if a batch holds one."""

    state: str  # "waiting" (batch not yet approved), "approved", "paid", "failed", "none"
    amount_minor: int
    receipt_number: str = ""
    paid_on: date | None = None
    wallet: str | None = None


def payment_of(session: Session, claim: Claim) -> Payment:
    """The claim's top-up line as it stands now (the newest live line of its worker)."""
    if not claim.amount_minor or claim.batch_id is None:
        return Payment("none", claim.amount_minor or 0)
    batch = session.get(DisbursementBatch, claim.batch_id)
    line = session.scalar(
        select(PaymentLine)
        .where(
            PaymentLine.batch_id == claim.batch_id,
            PaymentLine.worker_id == claim.worker_id,
            PaymentLine.state.not_in(("void", "reissued")),
        )
        .order_by(PaymentLine.id.desc())
        .limit(1)
    )
    if batch is None or line is None:
        return Payment("none", claim.amount_minor)
    wallet = line.wallet_number if line.method == "mobile" else None
    if line.state == "paid":
        return Payment("paid", line.amount_minor, line.receipt_number, line.settled_on, wallet)
    if line.state in ("failed", "unclaimed"):
        return Payment("failed", line.amount_minor, line.receipt_number, None, wallet)
    if batch.state in ("approved", "paid"):
        return Payment("approved", line.amount_minor, line.receipt_number, None, wallet)
    return Payment("waiting", line.amount_minor, "", None, wallet)


#: The words of each message, by language. ``{ref}`` the reference, ``{money}`` the amount as
#: taka and poisha, ``{to}`` the wallet phrase (empty for a bank or cash payment).
TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "open": "Worker Fund: we have your claim {ref}. We will answer by {due}.",
        "accepted": "Worker Fund: your claim {ref} is accepted. ",
        "to": " to wallet {wallet}",
        "paid": "{money} BDT was paid to you{to}{when}, receipt {receipt}.",
        "when": " on {day}",
        "approved": "{money} BDT is approved and being paid to you{to}.",
        "failed": "The payment of {money} BDT{to} did not arrive; we will pay again.",
        "waiting": "{money} BDT will be paid to you{to} once the payment is approved.",
        "none": "We will correct your record.",
        "rejected": "Worker Fund: your claim {ref} is not accepted: ",
        "returned": "Worker Fund: your claim {ref} came back from {whom}: {outcome}. ",
        "referred": "Worker Fund: your claim {ref} is passed to {whom}. ",
        "helpline": " Questions: call {helpline}.",
        "upheld": "upheld",
        "not_upheld": "not upheld",
        "withdrawn": "withdrawn",
    },
    "bn": {
        "open": "শ্রমিক তহবিল: আপনার দাবি {ref} পেয়েছি। {due} তারিখের মধ্যে উত্তর দেব।",
        "accepted": "শ্রমিক তহবিল: আপনার দাবি {ref} গৃহীত হয়েছে। ",
        "to": " (ওয়ালেট {wallet})",
        "paid": "{money} টাকা{to}{when} পরিশোধ করা হয়েছে, রসিদ {receipt}।",
        "when": " {day} তারিখে",
        "approved": "{money} টাকা অনুমোদিত হয়েছে, পাঠানো হচ্ছে{to}।",
        "failed": "{money} টাকা{to} পৌঁছায়নি; আবার পাঠানো হবে।",
        "waiting": "অনুমোদনের পর {money} টাকা দেওয়া হবে{to}।",
        "none": "আপনার তথ্য সংশোধন করা হবে।",
        "rejected": "শ্রমিক তহবিল: আপনার দাবি {ref} গৃহীত হয়নি: ",
        "returned": "শ্রমিক তহবিল: আপনার দাবি {ref} {whom} থেকে ফিরে এসেছে: {outcome}। ",
        "referred": "শ্রমিক তহবিল: আপনার দাবি {ref} {whom}-এর কাছে পাঠানো হয়েছে। ",
        "helpline": " প্রশ্ন থাকলে {helpline} নম্বরে কল করুন।",
        "upheld": "দাবি সঠিক",
        "not_upheld": "দাবি সঠিক নয়",
        "withdrawn": "প্রত্যাহার",
    },
}


def _bdt(amount_minor: int, words: dict[str, str]) -> str:
    """The amount as the language writes it: ``25,000.00``, or ``২৫,০০০.০০`` in Bengali."""
    plain = format_minor(amount_minor, "BDT")
    return bengali_number(plain) if words is TEXTS["bn"] else plain


def _day(day: date, words: dict[str, str]) -> str:
    """A date as the worker reads it: ``6 May 2024``, or ``৬ মে ২০২৪`` in Bengali (never 06/05)."""
    return bengali.date_words(day) if words is TEXTS["bn"] else display_date(day)


def _pieces(claim: Claim, payment: Payment, helpline: str, words: dict[str, str]) -> list[Piece]:
    ref = claim.reference
    if claim.status == "open":
        body = [Piece(words["open"].format(ref=ref, due=_day(claim.due_on, words)))]
    elif claim.status == "accepted":
        to = words["to"].format(wallet=payment.wallet) if payment.wallet else ""
        when = words["when"].format(day=_day(payment.paid_on, words)) if payment.paid_on else ""
        money = _bdt(payment.amount_minor, words)
        said = words[payment.state].format(
            money=money, to=to, when=when, receipt=payment.receipt_number
        )
        body = [Piece(words["accepted"].format(ref=ref)), Piece(said)]
    elif claim.status == "rejected":
        body = [Piece(words["rejected"].format(ref=ref)), Piece(claim.decision_note, free=True)]
    elif claim.referral_outcome:
        outcome = words[claim.referral_outcome]
        body = [
            Piece(words["returned"].format(ref=ref, whom=claim.referred_to, outcome=outcome)),
            Piece(claim.referral_note, free=True),
        ]
    else:
        body = [
            Piece(words["referred"].format(ref=ref, whom=claim.referred_to)),
            Piece(claim.decision_note, free=True),
        ]
    tail = [Piece(words["helpline"].format(helpline=helpline))] if helpline else []
    return [*body, *tail]


def pieces(
    session: Session, claim: Claim, *, helpline: str = "", language: str | None = None
) -> list[Piece]:
    """The message's pieces in the worker's language (or ``language``), from the claim's state."""
    payment = payment_of(session, claim)
    words = TEXTS.get(language or claim.language, TEXTS["en"])
    found = _pieces(claim, payment, helpline, words)
    # Free words typed in a form arrive with line breaks and runs of spaces: one space each.
    return [Piece(" ".join(p.text.split()) if p.free else p.text, p.free) for p in found if p.text]


def sms(session: Session, claim: Claim, *, helpline: str = "", max_parts: int = MAX_PARTS) -> str:
    """The SMS for the claim now: at most ``max_parts`` parts unless its fixed facts need more."""
    return fit(pieces(session, claim, helpline=helpline), max_parts=max_parts)


def letter(
    session: Session, claim: Claim, *, helpline: str = "", language: str | None = None
) -> list[str]:
    """The letter's paragraphs: the same facts as the SMS, nothing shortened."""
    found = pieces(session, claim, helpline=helpline, language=language)
    tail = found[-1].text.strip() if helpline else ""
    body = found[:-1] if helpline else found
    return [text for text in ("".join(p.text for p in body).strip(), tail) if text]


def sms_for(claim: Claim, *, helpline: str = "") -> str:
    """``sms`` for a claim loaded in a session (the claim's own)."""
    session = object_session(claim)
    if session is None:
        raise ValueError(f"claim {claim.id} is not in a session")
    return sms(session, claim, helpline=helpline)


#: The letter's headings in the worker's language (the body comes from ``letter``).
_HEADINGS = {
    "en": {
        "title": "Worker Fund: your claim {reference}",
        "for": "For: {name}, national ID ending {last}",
        "about": "About: {event}",
    },
    "bn": {
        "title": "শ্রমিক তহবিল: আপনার দাবি {reference}",
        "for": "প্রাপক: {name}, জাতীয় পরিচয়পত্রের শেষ চার অঙ্ক {last}",
        "about": "বিষয়: {event}",
    },
}


def letter_headings(claim: Claim, *, language: str | None = None) -> dict[str, str]:
    """The letter's title, addressee and subject lines in the worker's language or ``language``."""
    words = _HEADINGS.get(language or claim.language, _HEADINGS["en"])
    event = claim.event.title_bn if words is _HEADINGS["bn"] else claim.event.title
    return {
        "title": words["title"].format(reference=claim.reference),
        "for": words["for"].format(name=claim.worker_name, last=claim.national_id[-4:]),
        "about": words["about"].format(event=event),
    }


@dataclass(frozen=True, slots=True)
class LetterText:
    """The whole letter in one language: its headings and its paragraphs."""

    language: str
    headings: dict[str, str]
    paragraphs: list[str]


def other_language(language: str) -> str:
    """The language printed beside the worker's own: English beside Bengali, and back."""
    return "en" if language == "bn" else "bn"


def letter_beside(session: Session, claim: Claim, *, helpline: str = "") -> LetterText:
    """The letter again in the other language, printed after the worker's own.

    The worker reads their language first; whoever helps them (a union, an employer, the
    fund's staff) reads the same facts beside it. The SMS stays in the worker's language
    alone: both languages would need twice the parts (Bengali is sent as UCS-2).
    """
    language = other_language(claim.language)
    return LetterText(
        language=language,
        headings=letter_headings(claim, language=language),
        paragraphs=letter(session, claim, helpline=helpline, language=language),
    )
