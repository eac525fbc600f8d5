"""Does a claimant look like a worker on the roll? National IDs, phones and names compared.

Pure functions, no database. A worker on the phone gives a name the way they write it, often in
Latin letters, while the factory's roll may have it in Bengali (or the reverse), spelt another
way. Names are compared by a *sound key*:

1. Unicode NFKC, casefold, and Bengali letters transliterated to Latin by a simple table
   (``রহিমা খাতুন`` → ``rhima khatun``; the inherent vowel is not written, nothing is guessed);
2. Latin accents dropped, everything but letters removed (punctuation, digits, spaces);
3. letters that Bangladeshi spellings swap folded together (kh→k, gh→g, ch→c, jh→j, th→t,
   dh→d, ph→f, bh→b, sh→s, z→j, v→b, w→b, q→k), the vowels and ``y`` dropped, doubled letters
   made single: ``Rahima Khatun`` and ``রহিমা খাতুন`` both become ``ktn rhm``;
4. honorifics that some write and others leave out are dropped (``Md.``, ``Mohammad``, ``Mst.``,
   ``Mosammat``, ``Mrs``, and their Bengali forms ``মোঃ``, ``মোছাঃ``, ``মোসাম্মৎ``, …), so
   ``Mst. Rina Begum`` is ``রিনা বেগম``;
5. the words are sorted, so ``Khatun Rahima`` is the same person as ``Rahima Khatun``.

Equal keys are "sounds the same"; keys that share most letters in order (difflib ratio ≥ 0.8)
*and* whose every word has a counterpart at least two-thirds alike are "sounds similar": short
keys share letters by chance (``Salma Akter`` and ``করিম ইসলাম`` are 86 % alike as wholes, but
``ktr`` and ``krm`` are not one word). A name alone is a weak sign: the officer sees why each
candidate matched.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

from imports.identifiers import IdentifierRefused, parse_national_id, parse_wallet

#: Bengali letters and signs → Latin. Consonants carry no inherent vowel (vowels are dropped
#: from the key anyway); nukta, hasanta and chandrabindu write nothing.
BENGALI_TO_LATIN: dict[str, str] = {
    # independent vowels
    "অ": "o", "আ": "a", "ই": "i", "ঈ": "i", "উ": "u", "ঊ": "u", "ঋ": "ri", "এ": "e",
    "ঐ": "oi", "ও": "o", "ঔ": "ou",
    # vowel signs
    "া": "a", "ি": "i", "ী": "i", "ু": "u", "ূ": "u", "ৃ": "ri", "ে": "e", "ৈ": "oi",
    "ো": "o", "ৌ": "ou",
    # consonants
    "ক": "k", "খ": "kh", "গ": "g", "ঘ": "gh", "ঙ": "ng", "চ": "ch", "ছ": "chh", "জ": "j",
    "ঝ": "jh", "ঞ": "n", "ট": "t", "ঠ": "th", "ড": "d", "ঢ": "dh", "ণ": "n", "ত": "t",
    "থ": "th", "দ": "d", "ধ": "dh", "ন": "n", "প": "p", "ফ": "ph", "ব": "b", "ভ": "bh",
    "ম": "m", "য": "j", "র": "r", "ল": "l", "শ": "sh", "ষ": "sh", "স": "s", "হ": "h",
    "ৎ": "t", "ং": "ng", "ঃ": "h",
    # signs that write no sound of their own
    "ঁ": "", "্": "", "়": "",
}  # fmt: skip
_TRANSLITERATE = str.maketrans(BENGALI_TO_LATIN)
#: ড় ঢ় য় (letter + nukta, as NFKC leaves them).
_NUKTA_LETTERS = {"\u09a1\u09bc": "r", "\u09a2\u09bc": "r", "\u09af\u09bc": "y"}
#: Spellings that stand for one sound in Bangladeshi names, longest first.
_FOLDS = (
    ("chh", "c"), ("kh", "k"), ("gh", "g"), ("ch", "c"), ("jh", "j"), ("th", "t"),
    ("dh", "d"), ("ph", "f"), ("bh", "b"), ("sh", "s"),
    ("z", "j"), ("v", "b"), ("w", "b"), ("q", "k"), ("x", "ks"),
)  # fmt: skip
_VOWELS = re.compile(r"[aeiouy]")
_DOUBLES = re.compile(r"(.)\1+")
_NOT_LETTER = re.compile(r"[^a-z ]")
#: Keys at least this alike (difflib's ratio) are "sounds similar"…
SIMILAR = 0.8
#: …when each word of the shorter name is within this many letter edits of a word of the
#: other: one for short word keys (up to 4 letters), two for longer ones.
WORD_EDITS = ((4, 1), (None, 2))
#: Honorifics, as ``latin_letters`` writes them (Latin spellings, and Bengali transliterated):
#: a title one writer puts before a name and another leaves out says nothing about the person.
TITLES = frozenset(
    {
        "md", "mohammad", "mohammed", "muhammad", "muhammed", "mohd", "mst", "most", "mosammat",
        "mosammot", "mossammat", "mosamat", "mrs", "mr", "ms", "moh", "mochhah", "mosammt",
        "mohammd", "muhammd", "mises",
    }
)  # fmt: skip


# Matching compares one claimant's name with every name of a roll: the claimant's keys are
# worked out once, not once per roll row.
@functools.lru_cache(maxsize=4096)
def normalise_name(text: str) -> str:
    """Casefolded letters only, any script: ``"  Rahima-Khatun "`` → ``"rahimakhatun"``."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] in "LM")


def latin_letters(text: str) -> str:
    """The name in plain Latin letters and spaces, Bengali transliterated by the table."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    # NFKC writes ড় ঢ় য় as a letter and a nukta: read the pair before the single letters.
    for pair, sound in _NUKTA_LETTERS.items():
        folded = folded.replace(pair, sound)
    latin = folded.translate(_TRANSLITERATE)
    plain = unicodedata.normalize("NFKD", latin)
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return " ".join(_NOT_LETTER.sub(" ", plain).split())


def _word_key(word: str) -> str:
    for spelling, sound in _FOLDS:
        word = word.replace(spelling, sound)
    skeleton = _DOUBLES.sub(r"\1", _VOWELS.sub("", word))
    return skeleton or word  # a name of vowels only keeps them


def _without_titles(words: list[str]) -> list[str]:
    kept = [word for word in words if word not in TITLES]
    return kept or words  # a name that is only a title keeps it


@functools.lru_cache(maxsize=4096)
def sound_key(text: str) -> str:
    """The name's sound key (see the module's docstring): ``"Rahima Khatun"`` → ``"ktn rhm"``."""
    words = _without_titles(latin_letters(text).split())
    return " ".join(sorted(_word_key(word) for word in words))


def _edits(first: str, second: str) -> int:
    """Letters inserted, removed or changed to turn ``first`` into ``second`` (Levenshtein)."""
    row = list(range(len(second) + 1))
    for i, a in enumerate(first, 1):
        previous, row[0] = row[0], i
        for j, b in enumerate(second, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (a != b))
    return row[-1]


def _allowed_edits(word: str) -> int:
    return next(edits for longest, edits in WORD_EDITS if longest is None or len(word) <= longest)


def _words_alike(given_key: str, recorded_key: str) -> bool:
    """Whether every word of the shorter key is a near spelling of a word of the other."""
    given, recorded = given_key.split(), recorded_key.split()
    shorter, longer = (given, recorded) if len(given) <= len(recorded) else (recorded, given)
    return all(
        min(_edits(word, other) for other in longer) <= _allowed_edits(word) for word in shorter
    )


def national_id_key(text: str) -> str:
    """The national ID as the one parser reads it (``imports.identifiers``); ``""`` if refused."""
    try:
        return parse_national_id(text)
    except IdentifierRefused:
        return ""


def phone_key(text: str) -> str:
    """A Bangladeshi mobile number as 11 digits ``01…``: ``+880 1711-000001`` → ``01711000001``."""
    try:
        return parse_wallet(text)
    except IdentifierRefused:
        return ""


@dataclass(frozen=True, slots=True)
class NameMatch:
    """How two names compare, in words an officer can check."""

    strength: str  # "same", "sounds the same", "sounds similar"
    detail: str


def compare_names(given: str, recorded: str) -> NameMatch | None:
    """Whether ``given`` (what the claimant said) and ``recorded`` (the roll) name one person."""
    if not given.strip() or not recorded.strip():
        return None
    if normalise_name(given) == normalise_name(recorded):
        return NameMatch("same", f"name {given!r} is {recorded!r} written the same way")
    given_key, recorded_key = sound_key(given), sound_key(recorded)
    if not given_key or not recorded_key:
        return None
    if given_key == recorded_key:
        return NameMatch(
            "sounds the same", f"name {given!r} sounds like {recorded!r} (key {given_key!r})"
        )
    ratio = SequenceMatcher(None, given_key, recorded_key).ratio()
    if ratio >= SIMILAR and _words_alike(given_key, recorded_key):
        return NameMatch(
            "sounds similar",
            f"name {given!r} sounds similar to {recorded!r}"
            f" (keys {given_key!r} and {recorded_key!r}, {ratio:.0%} alike)",
        )
    return None
