"""Which column is which: reading a header cell's meaning and finding the header row.

Headers are compared as sets of folded words (``vocabulary.WORDS``), so ``Basic Salary (Tk.)``
and ``basic  salary`` are the same header; an unknown one is reported with the closest field.
A caller's column mapping (header text → field) wins over the synonyms (``vocabulary``).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from imports.vocabulary import (
    FIELDS,
    SERIAL_HEADERS,
    SYNONYMS,
    WORDS,
    normalise_header,
)

_DOTTED = re.compile(r"\b(?:[a-z]\.)+[a-z]\b\.?")


def _undotted(match: re.Match[str]) -> str:
    return match.group(0).replace(".", "")


def header_words(text: Any) -> frozenset[str]:
    """The header as a set of folded words: order, case, punctuation and abbreviations ignored."""
    if not isinstance(text, str):
        return frozenset()
    folded = unicodedata.normalize("NFKC", text).casefold()
    # "A/C" and "S/N" are one word each; other slashes, dots and brackets separate words.
    folded = re.sub(r"\b([a-z])/([a-z])\b", r"\1\2", folded)
    # "D.O.J" and "H.R.A." are the abbreviations "doj" and "hra".
    folded = _DOTTED.sub(_undotted, folded)
    folded = folded.replace("#", " # ")
    kept = "".join(
        ch if ch == "#" or unicodedata.category(ch)[0] not in "PS" else " " for ch in folded
    )
    words: set[str] = set()
    for word in kept.split():
        word = {"ac": "a/c", "sn": "s/n"}.get(word, word)
        words.update(_WORDS.get(word, word).split())
    return frozenset(words)


_WORDS = {unicodedata.normalize("NFKC", key).casefold(): value for key, value in WORDS.items()}
_LOOKUP: dict[frozenset[str], tuple[str, int]] = {}
for _field, _names in SYNONYMS.items():
    for _rank, _name in enumerate(_names):
        _LOOKUP.setdefault(header_words(_name), (_field, _rank))
_SERIAL_KEYS = frozenset(header_words(text) for text in SERIAL_HEADERS)


@dataclass(frozen=True, slots=True)
class HeaderMeaning:
    """What one header cell means: a field (with its rank), a serial column, or nothing."""

    field: str | None = None
    rank: int = 0
    serial: bool = False
    ambiguous: tuple[str, ...] = ()  # two or more fields the header could mean
    inside: str | None = None  # the one field whose synonym the header contains
    unknown: str = ""  # a header that means nothing, normalised: its nearest field when asked

    @property
    def closest(self) -> str | None:
        """For a header that means nothing: the nearest field (worked out only when reported,
        not for every cell the header search looks at)."""
        if self.inside is not None:
            return self.inside
        return closest_field(self.unknown) if self.unknown else None


def meaning_of(text: Any, mapping: Mapping[str, str]) -> HeaderMeaning:
    """What a header cell names; a caller's mapping (normalised header → field) wins."""
    key = normalise_header(text)
    if not key:
        return HeaderMeaning()
    if key in mapping:
        return HeaderMeaning(field=mapping[key], rank=-1)
    words = header_words(text)
    found = _LOOKUP.get(words)
    if found is not None:
        return HeaderMeaning(field=found[0], rank=found[1])
    if words in _SERIAL_KEYS:
        return HeaderMeaning(serial=True)
    # No synonym is the whole header: the fields whose synonyms it contains. One such field is
    # a near miss (reported, never guessed: "OT Hours" is not overtime money); two or more
    # make the header ambiguous.
    inside = {field for synonym, (field, _) in _LOOKUP.items() if synonym and synonym < words}
    if len(inside) > 1:
        return HeaderMeaning(ambiguous=tuple(f for f in FIELDS if f in inside))
    if inside:
        return HeaderMeaning(inside=next(iter(inside)))
    return HeaderMeaning(unknown=key)


def closest_field(key: str) -> str | None:
    """The field whose synonyms look most like the normalised header (for a report only)."""
    best: tuple[float, str] | None = None
    matcher = difflib.SequenceMatcher(None, key)
    for field, name in _NORMALISEDSYNONYMS:
        matcher.set_seq2(name)
        # ratio() never exceeds the quick bounds: a synonym they cannot lift above the best
        # so far is passed over without the full comparison (the same answer, much sooner).
        if best is not None and (
            matcher.real_quick_ratio() <= best[0] or matcher.quick_ratio() <= best[0]
        ):
            continue
        ratio = matcher.ratio()
        if best is None or ratio > best[0]:
            best = (ratio, field)
    return best[1] if best is not None and best[0] >= 0.5 else None


def field_for_header(text: Any, mapping: Mapping[str, str]) -> tuple[str, int] | None:
    """The canonical field a header names and its rank (lower wins), or ``None``."""
    meaning = meaning_of(text, mapping)
    return (meaning.field, meaning.rank) if meaning.field is not None else None


def normalise_mapping(column_mapping: Mapping[str, str] | None) -> dict[str, str]:
    """A caller's ``{header text: field}`` with normalised keys; unknown fields are refused."""
    result: dict[str, str] = {}
    for header, field in (column_mapping or {}).items():
        if field not in FIELDS:
            raise ValueError(f"column mapping names an unknown field {field!r} for {header!r}")
        result[normalise_header(header)] = field
    return result


@dataclass(frozen=True, slots=True)
class HeaderRow:
    """Where the header row is, which column holds each field, and what every other column is."""

    index: int
    columns: dict[str, int]
    labels: dict[str, str]  # field → header text as in the file
    #: column → meaning, for every non-empty header cell not chosen for a field.
    others: dict[int, HeaderMeaning] = dataclass_field(default_factory=dict)
    texts: dict[int, str] = dataclass_field(default_factory=dict)  # column → header text


def find_header(
    rows: Sequence[Sequence[Any]], mapping: Mapping[str, str], scan: int
) -> HeaderRow | None:
    """The row among the first ``scan`` that names the most fields, with its columns."""
    best: HeaderRow | None = None
    for index, row in enumerate(rows[:scan]):
        chosen: dict[str, tuple[int, int]] = {}
        meanings: dict[int, HeaderMeaning] = {}
        for column, cell in enumerate(row):
            if not normalise_header(cell):
                continue  # a blank header: its column is reported if it holds values
            meaning = meaning_of(cell, mapping)
            meanings[column] = meaning
            field = meaning.field
            if field is not None and (field not in chosen or meaning.rank < chosen[field][1]):
                chosen[field] = (column, meaning.rank)
        if len(chosen) >= 2 and (best is None or len(chosen) > len(best.columns)):
            columns = {field: column for field, (column, _) in chosen.items()}
            used = set(columns.values())
            texts = {column: " ".join(str(cell).split()) for column, cell in enumerate(row)}
            labels = {field: texts[column] for field, column in columns.items()}
            others = {c: m for c, m in meanings.items() if c not in used}
            best = HeaderRow(
                index=index, columns=columns, labels=labels, others=others, texts=texts
            )
    return best


#: Every synonym normalised once, in the list's order, for ``closest_field``.
_NORMALISEDSYNONYMS: tuple[tuple[str, str], ...] = tuple(
    (field, normalise_header(name)) for field, names in SYNONYMS.items() for name in names
)
