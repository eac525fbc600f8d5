"""What a password must be: long enough and not one guessers try first (NIST SP 800-63B 3.1.1.2).

SP 800-63B asks for at least 8 characters (we ask 12: these accounts move money), at least 64
allowed, any printable or Unicode character, no composition rules, and a check against values
known to be commonly used, expected or compromised, including repetitive or sequential ones
and words specific to the user. ``common-passwords.txt`` is that list, shipped with the code.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

from fund.auth.errors import PasswordTooWeak

MIN_PASSWORD_LENGTH = 12
#: SP 800-63B: verifiers SHOULD permit at least 64 characters; a bound keeps hashing cheap.
MAX_PASSWORD_LENGTH = 256
_LIST = Path(__file__).with_name("common-passwords.txt")
# Decoration guessers add around a common word: digits, punctuation, spaces ...
_DECORATION = re.compile(r"[\d\W_]+")
_ENDS = re.compile(r"^[\d\W_]+|[\d\W_]+$")
# ... and the look-alike digits and signs they put inside it ("p@ssw0rd").
_LOOK_ALIKES = str.maketrans(
    {
        "@": "a",
        "4": "a",
        "0": "o",
        "1": "i",
        "!": "i",
        "3": "e",
        "5": "s",
        "$": "s",
        "7": "t",
        "+": "t",
    }
)
_SEQUENCES = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm")


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords and words, lower-cased."""
    lines = _LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and line[0] != "#")


def _fold(password: str) -> str:
    return unicodedata.normalize("NFKC", password).casefold()


def _is_sequence(text: str) -> bool:
    """One character repeated, or a run up or down the alphabet, digits or keyboard row."""
    if len(set(text)) <= 2:
        return True
    return any(text in line or text in line[::-1] for line in _SEQUENCES)


def check_strength(password: str, *, username: str = "") -> None:
    """Refuse a password too short, too long, common, repetitive, or built on the username."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordTooWeak(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordTooWeak(f"a password may have at most {MAX_PASSWORD_LENGTH} characters")
    folded = _fold(password)
    core = _DECORATION.sub("", folded)
    word = _DECORATION.sub("", _ENDS.sub("", folded).translate(_LOOK_ALIKES))
    listed = common_passwords()
    if listed & {folded, core, word} or _is_sequence(folded) or _is_sequence(core or "x"):
        raise PasswordTooWeak(
            "this password is one of those guessers try first (common, repeated or in sequence):"
            " choose a longer phrase of unrelated words"
        )
    name = _fold(username).strip()
    if len(name) >= 3 and name in folded and len(folded) - len(name) < MIN_PASSWORD_LENGTH:
        raise PasswordTooWeak("a password must not be built on the username")
