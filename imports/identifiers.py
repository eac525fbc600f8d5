"""One parser per kind of identifier, shared by rolls, claims and disbursements.

An identifier has one meaning only in its folded form: every digit of every script (Bengali
``১``, Arabic-Indic ``١``, fullwidth ``１``, superscript ``¹``, …) becomes its ASCII digit, or
the value is refused. Without this, ``197700000010¹`` and ``1977000000101`` are two people to a
string comparison and one person to a human reader, and the duplicate hold and the
double-payment guard would count them twice. Compare identifiers anywhere only after passing
them through the parser of their kind.

Folding uses ``unicodedata.digit`` (decimal digits of every script, and the compatibility
forms NFKC folds: fullwidth, superscript, circled digits), then NFKC for the other characters
(non-breaking and fullwidth spaces, fullwidth hyphens). A character
that is numeric but not a digit (``½``, Roman numerals, ``௰``) has no single digit to fold to
and is refused. Separators people type inside numbers (spaces of any kind, hyphens and dashes)
are dropped; anything else (letters, dots, slashes) refuses the value, because guessing what
it meant would give two meanings again.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

#: Bangladesh NID lengths: 10 digits (smart card), 13 or 17 digits (older laminated cards,
#: 17 = district and upazila codes + birth year + serial). Source: Bangladesh Election
#: Commission, National Identity Registration Wing (NIDW), NID formats.
NATIONAL_ID_LENGTHS: Final = (10, 13, 17)
#: A Bangladeshi mobile number: 01, an operator digit 3–9, then 8 digits (BTRC numbering plan:
#: 013/017 Grameenphone, 014/019 Banglalink, 015 Teletalk, 016/018 Robi).
WALLET_PATTERN: Final = re.compile(r"01[3-9][0-9]{8}")
#: Bangladesh Bank routing numbers (BEFTN/RTGS) are 9 digits: bank, district and branch codes.
ROUTING_NUMBER_LENGTH: Final = 9
#: Bank account numbers: Bangladeshi banks use 10 to 17 digits; a little slack either side
#: allows older branch formats without accepting something that is clearly not an account.
BANK_ACCOUNT_LENGTHS: Final = range(6, 21)


class IdentifierRefused(ValueError):
    """An identifier that cannot be read with one meaning: the message says why."""

    def __init__(self, kind: str, value: object, reason: str) -> None:
        self.kind = kind
        self.value = value
        self.reason = reason
        super().__init__(f"{kind} {value!r} {reason}")


def fold_digits(text: str, *, kind: str = "identifier") -> str:
    """``text`` with every digit of every script as its ASCII digit; refuses numeric non-digits."""
    if text.isascii():
        return text
    folded: list[str] = []
    # Character by character: NFKC of a whole string would turn "½" into "1⁄2" and "Ⅻ" into
    # "XII", hiding that the character was a number that is not one digit.
    for ch in text:
        if ch.isascii():
            folded.append(ch)
            continue
        digit = unicodedata.digit(ch, None)
        if digit is not None:
            folded.append(str(digit))
        elif unicodedata.numeric(ch, None) is not None:
            raise IdentifierRefused(
                kind, text, f"contains {ch!r}, a number sign that is not a single digit"
            )
        else:
            folded.append(unicodedata.normalize("NFKC", ch))
    return "".join(folded)


def _is_separator(ch: str) -> bool:
    # Spaces of every kind (NFKC already made most of them " ") and hyphens/dashes (category Pd).
    return ch.isspace() or unicodedata.category(ch) == "Pd"


def digits_of(text: str, *, kind: str) -> str:
    """The ASCII digits of ``text`` written with spaces or hyphens; anything else is refused."""
    folded = fold_digits(text, kind=kind)
    digits = "".join(ch for ch in folded if not _is_separator(ch))
    if not digits:
        raise IdentifierRefused(kind, text, "has no digits")
    if not (digits.isascii() and digits.isdigit()):
        stray = next(ch for ch in digits if not (ch.isascii() and ch.isdigit()))
        raise IdentifierRefused(
            kind, text, f"contains {stray!r}; only digits, spaces and hyphens are allowed"
        )
    return digits


def parse_national_id(text: str) -> str:
    """A Bangladeshi national ID as ASCII digits: 10, 13 or 17 digits after folding."""
    digits = digits_of(text, kind="national ID")
    if len(digits) not in NATIONAL_ID_LENGTHS:
        raise IdentifierRefused(
            "national ID",
            text,
            f"is not a national ID: it has {len(digits)} digits; a Bangladeshi NID has 10 digits"
            " (smart card) or 13 or 17 digits (older cards); a birth registration number is not"
            " accepted",
        )
    return digits


def parse_wallet(text: str) -> str:
    """A Bangladeshi mobile wallet as 11 digits ``01[3-9]…``; ``+880``/``880``/``00880`` folded."""
    folded = fold_digits(text, kind="wallet number").strip()
    plus = folded.startswith("+")
    digits = digits_of(folded[1:] if plus else folded, kind="wallet number")
    if digits.startswith("00880") and not plus:
        digits = "0" + digits[5:]
    elif digits.startswith("880"):
        digits = "0" + digits[3:]
    elif plus:
        raise IdentifierRefused("wallet number", text, "has a country code other than +880")
    if not WALLET_PATTERN.fullmatch(digits):
        raise IdentifierRefused(
            "wallet number",
            text,
            "is not an 11-digit number starting 013 to 019 (a Bangladeshi mobile number)",
        )
    return digits


def parse_bank_account(text: str) -> str:
    """A bank account number as ASCII digits (6 to 20 after folding)."""
    digits = digits_of(text, kind="bank account")
    if len(digits) not in BANK_ACCOUNT_LENGTHS:
        raise IdentifierRefused(
            "bank account",
            text,
            f"has {len(digits)} digits; a bank account number has"
            f" {BANK_ACCOUNT_LENGTHS.start} to {BANK_ACCOUNT_LENGTHS.stop - 1}",
        )
    return digits


def parse_routing_number(text: str) -> str:
    """A Bangladesh Bank routing number: exactly 9 digits after folding."""
    digits = digits_of(text, kind="routing number")
    if len(digits) != ROUTING_NUMBER_LENGTH:
        raise IdentifierRefused(
            "routing number",
            text,
            f"has {len(digits)} digits; a Bangladesh Bank routing number has 9",
        )
    return digits


def national_id_key(text: str) -> str:
    """The form a stored national ID is compared in: parsed, or (unreadable) without spaces.

    For values already stored (rolls checked before folding existed, payment claims): a value
    the parser refuses is still compared, by its text, rather than dropped from the comparison.
    """
    if text.isascii() and text.isdigit():
        return text  # what the parser (or the fallback) gives back anyway, a hundred times faster
    try:
        return parse_national_id(text)
    except IdentifierRefused:
        return "".join(text.split())


def identifier_key(text: str) -> str:
    """The form a stored wallet or account number is compared in: folded digits, no separators."""
    if text.isascii() and text.isdigit():
        return text  # already the key: the usual stored value skips the per-character folding
    try:
        return digits_of(text, kind="identifier")
    except IdentifierRefused:
        return "".join(text.split())
