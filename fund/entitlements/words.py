"""Each breakdown line in plain words, in English and in Bengali, with its legal basis.

One place for the sentences the worker page, the receipts and the event export show, so the
three say the same thing. Bengali comes from the line's own ``bn`` words (written in the policy
next to the provision it cites) and a few fixed phrases here. Each language writes its numbers
as the receipt's amount does in it: English ``12,500.00``, Bengali ``১২,৫০০.০০`` (Bengali digits,
lakh grouping, ``fund.display.bengali_number``), so a worker can check each line against the
amount in the language they read. A legal citation (the basis) stays as the law is cited.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any, NamedTuple

from fund.display import bengali_digits, bengali_number
from fund.entitlements.export import Line, exact_text
from fund.entitlements.policy import AMOUNT_FIELDS
from ledger.money import format_minor

#: Wage components and roll fields in Bengali, as payslips in the sector name them.
BN_WORDS: dict[str, str] = {
    "gross": "মোট মজুরি",
    "basic": "মূল মজুরি",
    "house_rent": "বাড়ি ভাড়া",
    "medical": "চিকিৎসা ভাতা",
    "transport": "যাতায়াত ভাতা",
    "food": "খাদ্য ভাতা",
    "arrears_due": "বকেয়া মজুরি",
    "festival_bonus_due": "উৎসব ভাতা",
    "overtime_due": "অধিকাল ভাতা",
}
BN_TAKA = "টাকা"
BN_DAYS = "দিন"
BN_BASIS = "আইনি ভিত্তি"
#: Before a line the policy words in English only: the slip says so rather than hide it.
BN_ENGLISH_ONLY = "(বাংলায় লেখা নেই)"


def line_sentence(line: Line, currency: str) -> str:
    """The line in English: what it pays, the arithmetic, and the basis."""
    amount = exact_text(line.amount, currency, grouping=True)
    name = line.component.replace("_", " ")
    if line.component in AMOUNT_FIELDS:
        text = (
            f"{line.rule.capitalize()}: {format_minor(line.monthly_minor, currency)} {currency} "
            f"{name} on the roll × {line.share} = {amount} {currency}."
        )
    else:
        text = (
            f"{line.rule.capitalize()}: {line.days} days × {name} "
            f"of {format_minor(line.monthly_minor, currency)} a month × {line.share} "
            f"÷ {line.days_per_month} days = {amount} {currency}."
        )
    if line.basis:
        text = f"{text[:-1]} (basis: {line.basis})."
    return text


def line_sentence_bn(line: Line, currency: str) -> str | None:
    """The line in Bengali, where the policy words it (``bn``); None otherwise."""
    if not line.bn:
        return None
    amount = bengali_number(exact_text(line.amount, currency))
    unit = BN_TAKA if currency == "BDT" else currency
    share = bengali_digits(str(line.share))
    if line.component in AMOUNT_FIELDS:
        arithmetic = f"{BN_WORDS.get(line.component, line.component)} × {share}"
    else:
        monthly = bengali_number(format_minor(line.monthly_minor, currency))
        arithmetic = (
            f"{bengali_digits(str(line.days))} {BN_DAYS} × "
            f"{BN_WORDS.get(line.component, line.component)} {monthly} × {share} "
            f"÷ {bengali_digits(str(line.days_per_month))}"
        )
    basis = f" ({BN_BASIS}: {line.basis})" if line.basis else ""
    return f"{line.bn}: {arithmetic} = {amount} {unit}{basis}।"


class Worded(NamedTuple):
    """One sentence in both languages; ``bengali`` is empty where no Bengali words exist."""

    english: str
    bengali: str

    def in_order(self, bengali_first: bool) -> tuple[str, ...]:
        """The worker's language first, the other after; English alone, marked, if no Bengali."""
        if not self.bengali:
            return (f"{BN_ENGLISH_ONLY} {self.english}",)
        pair = (self.bengali, self.english)
        return pair if bengali_first else pair[::-1]


class DeferredWords:
    """A ``Worded`` made by ``word(facts, currency)`` the first time a slip reads it.

    Gathering a batch's slips words nothing: each breakdown line or slip sentence keeps its
    facts, and is worded once, when drawn (``word`` may remember lines many workers share).
    It compares and iterates as its ``Worded``.
    """

    __slots__ = ("_currency", "_facts", "_word", "_worded")

    def __init__(
        self, facts: tuple[Any, ...], currency: str, word: Callable[[tuple[Any, ...], str], Worded]
    ) -> None:
        self._facts, self._currency, self._word = facts, currency, word
        self._worded: Worded | None = None

    @property
    def worded(self) -> Worded:
        """The sentence in English and in Bengali."""
        if self._worded is None:
            self._worded = self._word(self._facts, self._currency)
        return self._worded

    @property
    def english(self) -> str:
        """The sentence in English."""
        return self.worded.english

    @property
    def bengali(self) -> str:
        """The sentence in Bengali ("" where the policy gives no Bengali)."""
        return self.worded.bengali

    def in_order(self, bengali_first: bool) -> tuple[str, ...]:
        """As ``Worded.in_order``."""
        return self.worded.in_order(bengali_first)

    def __iter__(self) -> Iterator[str]:
        return iter(self.worded)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DeferredWords):
            return self.worded == other.worded
        return self.worded == other if isinstance(other, tuple) else NotImplemented

    def __hash__(self) -> int:
        return hash(self.worded)

    def __repr__(self) -> str:
        return f"DeferredWords({self.worded!r})"


def line_words(line: Line, currency: str) -> Worded:
    """The line in English and in Bengali (empty where the policy gives no ``bn``)."""
    return Worded(line_sentence(line, currency), line_sentence_bn(line, currency) or "")


def line_sentences(line: Line, currency: str) -> list[str]:
    """English, then Bengali where the policy gives it."""
    english, bengali = line_words(line, currency)
    return [english] + ([bengali] if bengali else [])


def factory_share_sentences(
    *, fund_share: Decimal, fund_advances: bool, factory_minor: int, whole_minor: int, currency: str
) -> list[str]:
    """Co-payment in words: the whole, the fund's part and what the factory owes."""
    if not factory_minor:
        return []
    whole = format_minor(whole_minor, currency)
    factory = format_minor(factory_minor, currency)
    fund = format_minor(whole_minor - factory_minor, currency)
    whole_bn, factory_bn, fund_bn = map(bengali_number, (whole, factory, fund))
    if fund_advances:
        return [
            f"The worker is owed {whole} {currency}. The fund's share is {fund_share}: "
            f"{fund} {currency}; the factory's part, {factory} {currency}, is paid now by the "
            "fund and recovered from the factory.",
            f"শ্রমিকের পাওনা {whole_bn} {BN_TAKA}; তহবিলের অংশ {fund_bn} {BN_TAKA}, কারখানার অংশ "
            f"{factory_bn} {BN_TAKA} তহবিল এখন পরিশোধ করছে এবং কারখানার কাছ থেকে আদায় করবে।",
        ]
    return [
        f"The worker is owed {whole} {currency}. The fund pays its share ({fund_share}), "
        f"{fund} {currency}; the factory owes the worker the other {factory} {currency}.",
        f"শ্রমিকের পাওনা {whole_bn} {BN_TAKA}; তহবিল দেবে {fund_bn} {BN_TAKA}, বাকি {factory_bn} "
        f"{BN_TAKA} কারখানা দেবে।",
    ]


def is_bengali(text: str) -> bool:
    """Whether a sentence is written in Bengali script (so a page can mark it ``lang="bn"``)."""
    return any("\u0980" <= character <= "\u09ff" for character in text[:12])
