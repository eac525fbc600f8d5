"""The Bengali words on a worker's slip, beside the English: labels, standings, dates, amounts.

Every slip is bilingual: the worker's own language first (``Receipt.language``, from what the
worker told the helpline; Bengali until they said otherwise), the other beside it for the fund's
staff, auditors and brands. Wording kept plain (as a Bangladeshi pay slip says it);
to be reviewed by the fund's Bengali-speaking helpline staff before printing at scale.
Amounts use Bengali digits and the South Asian grouping (lakh, crore: ১২,৩৪,৫৬৭.০০), as
Bangladeshi wage slips and bank advices write taka.
"""

from __future__ import annotations

from datetime import date

from ledger.money import format_minor

#: English label on the slip → its Bengali.
LABELS = {
    "Receipt": "রসিদ",
    "Factory": "কারখানা",
    "Event": "ঘটনা",
    "Worker": "শ্রমিক",
    "Paid by": "পরিশোধের মাধ্যম",
    "Service": "চাকরির মেয়াদ",
    "Batch": "ব্যাচ",
    "Dated": "তারিখ",
    "How the amount is worked out": "টাকার হিসাব",
    "Verification code": "যাচাই কোড",
    "Received by (signature / thumb)": "গ্রহীতার স্বাক্ষর / টিপসই",
}

#: A slip's standing (``receipts.STANDING``'s keys) → (what the amount is, the slip's title).
STANDING = {
    "draft": ("প্রস্তাবিত টাকা (অনুমোদিত নয়)", "পরিশোধ স্লিপ: খসড়া"),
    "submitted": ("অনুমোদনের অপেক্ষায় টাকা", "পরিশোধ স্লিপ: অনুমোদনের অপেক্ষায়"),
    "approved": ("অনুমোদিত টাকা", "অনুমোদন স্লিপ: এখনো পরিশোধ হয়নি"),
    "released": ("পাঠানো টাকা", "পরিশোধের বিবরণ: পাঠানো হয়েছে, নিশ্চিত হওয়ার অপেক্ষায়"),
    "paid": ("পরিশোধিত টাকা", "পরিশোধের রসিদ"),
    "failed": ("টাকা পৌঁছায়নি", "পরিশোধের বিবরণ: ব্যর্থ, আবার পাঠানো হবে"),
    "unclaimed": ("টাকা নেওয়া হয়নি", "পরিশোধের বিবরণ: টাকা নেওয়া হয়নি"),
}

METHODS = {"mobile": "মোবাইল ব্যাংকিং", "bank": "ব্যাংক ট্রান্সফার", "cash": "নগদ"}
CURRENCIES = {"BDT": "টাকা", "USD": "মার্কিন ডলার"}
MONTHS = (
    "জানুয়ারি",
    "ফেব্রুয়ারি",
    "মার্চ",
    "এপ্রিল",
    "মে",
    "জুন",
    "জুলাই",
    "আগস্ট",
    "সেপ্টেম্বর",
    "অক্টোবর",
    "নভেম্বর",
    "ডিসেম্বর",
)
_DIGITS = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")


def digits(text: str) -> str:
    """ASCII digits as Bengali digits (``"2024"`` → ``"২০২৪"``); everything else unchanged."""
    return text.translate(_DIGITS)


def bilingual(label: str, *, bengali_first: bool = False) -> str:
    """``"Factory / কারখানা"`` (``"কারখানা / Factory"`` Bengali first); English alone if no Bengali."""
    bengali = LABELS.get(label)
    if not bengali:
        return label
    return f"{bengali} / {label}" if bengali_first else f"{label} / {bengali}"


def date_words(day: date) -> str:
    """``date(2024, 5, 2)`` → ``"২ মে ২০২৪"``."""
    return f"{digits(str(day.day))} {MONTHS[day.month - 1]} {digits(str(day.year))}"


def amount_words(minor: int, currency: str) -> str:
    """``2_500_000, "BDT"`` → ``"২৫,০০০.০০ টাকা"``; lakh grouping: ``"১২,৩৪,৫৬৭.০০ টাকা"``."""
    plain = format_minor(abs(minor), currency, grouping=False)
    whole, _, fraction = plain.partition(".")
    # The last three digits, then pairs: 1234567 → 12,34,567.
    head, tail = whole[:-3], whole[-3:]
    pairs: list[str] = []
    while head:
        pairs.insert(0, head[-2:])
        head = head[:-2]
    grouped = ",".join([*pairs, tail])
    sign = "-" if minor < 0 else ""
    number = f"{sign}{grouped}.{fraction}" if fraction else f"{sign}{grouped}"
    return f"{digits(number)} {CURRENCIES.get(currency, currency)}"
