"""The Bengali words on a worker's slip, beside the English: labels, standings, dates, amounts,
and the slip's own sentences under the entitlement lines (whose words are the policy's,
``fund.entitlements.words``).

Every slip is bilingual: the worker's own language first (``Receipt.language``, from what the
worker told the helpline; Bengali until they said otherwise), the other beside it for the fund's
staff, auditors and brands. Wording kept plain (as a Bangladeshi pay slip says it);
to be reviewed by the fund's Bengali-speaking helpline staff before printing at scale.
Amounts use Bengali digits and the South Asian grouping (lakh, crore: ১২,৩৪,৫৬৭.০০), as
Bangladeshi wage slips and bank advices write taka.
"""

from __future__ import annotations

from datetime import date

from fund.display import BENGALI_MONTHS, bengali_date, bengali_digits, bengali_number
from fund.entitlements.words import Worded
from ledger.money import format_minor

#: The fund's name in Bengali, beside ``fund_name`` on each slip's title.
FUND_NAME = "শ্রমিক তহবিল"

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
    "ID": "আইডি",
    "NID": "এনআইডি",
    "receipts": "রসিদসমূহ",
    # The last line of a breakdown too long for the slip (the fund's worker page has it whole).
    "More lines: ask the fund's helpline": "আরও লাইন আছে: তহবিলের হেল্পলাইনে জিজ্ঞাসা করুন",
}

#: The slip's own sentences, English and Bengali: ``{total}``, ``{share}``, ``{amount}``,
#: ``{owed}`` and ``{before}`` are amounts, written by ``sentence`` as each language writes them.
SENTENCES = {
    "share": (
        "The lines add up to {total}; the fund pays its share, {share}.",
        "লাইনগুলোর যোগফল {total}; তহবিল তার অংশ {share} পরিশোধ করছে।",
    ),
    "rounded": (
        "Rounded once to the policy's unit: {amount}.",
        "নীতির একক পর্যন্ত একবার রাউন্ড করা হয়েছে: {amount}।",
    ),
    "difference": (
        "The worker is owed {owed} in all; {before} was paid before, so this payment is the "
        "difference.",
        "শ্রমিকের মোট পাওনা {owed}; আগে {before} পরিশোধ করা হয়েছে, তাই এই পরিশোধ বাকি অংশের।",
    ),
    "reissue": (
        "This payment replaces an earlier one that did not reach the worker.",
        "আগের যে পরিশোধ শ্রমিকের কাছে পৌঁছায়নি, এই পরিশোধ তার বদলে।",
    ),
    # What the worker's amount counts: years of service (a closure) or days paid (a suspension).
    "years": ("{count} years of service", "{count} বছরের চাকরি"),
    "days": ("{count} days paid", "{count} দিনের মজুরি"),
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
MONTHS = BENGALI_MONTHS


def digits(text: str) -> str:
    """ASCII digits as Bengali digits (``"2024"`` → ``"২০২৪"``); everything else unchanged."""
    return bengali_digits(text)


def bilingual(label: str, *, bengali_first: bool = False) -> str:
    """``"Factory / কারখানা"`` (``"কারখানা / Factory"`` Bengali first); English alone if no Bengali."""
    bengali = LABELS.get(label)
    if not bengali:
        return label
    return f"{bengali} / {label}" if bengali_first else f"{label} / {bengali}"


def sentence(key: str, currency: str, *, count: int | None = None, **amounts: str) -> Worded:
    """``SENTENCES[key]`` in both languages; ``amounts`` written in Latin (``"12,500.00"``)."""
    english, bangla = SENTENCES[key]
    unit = CURRENCIES.get(currency, currency)
    numbers = {} if count is None else {"count": str(count)}
    return Worded(
        english.format(**numbers, **{name: f"{v} {currency}" for name, v in amounts.items()}),
        bangla.format(
            **{name: digits(v) for name, v in numbers.items()},
            **{name: f"{bengali_number(v)} {unit}" for name, v in amounts.items()},
        ),
    )


def date_words(day: date) -> str:
    """``date(2024, 5, 2)`` → ``"২ মে ২০২৪"``."""
    return bengali_date(day)


def amount_words(minor: int, currency: str) -> str:
    """``2_500_000, "BDT"`` → ``"২৫,০০০.০০ টাকা"``; lakh grouping: ``"১২,৩৪,৫৬৭.০০ টাকা"``."""
    number = bengali_number(format_minor(minor, currency, grouping=False))
    return f"{number} {CURRENCIES.get(currency, currency)}"
