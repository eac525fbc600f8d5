"""Which column is which: header synonyms (English and Bengali) and finding the header row.

Headers are compared after normalising case, Unicode form, punctuation and whitespace, so
``Basic Salary (Tk.)`` and ``basic  salary`` are the same header. A caller's column mapping
(header text → field) wins over the synonyms.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

#: Every canonical field a roll can carry, in the order exports write them.
FIELDS: tuple[str, ...] = (
    "worker_id",
    "name",
    "national_id",
    "section",
    "grade",
    "designation",
    "join_date",
    "exit_date",
    "basic",
    "house_rent",
    "medical",
    "transport",
    "food",
    "gross",
    "payment_method",
    "wallet_number",
    "bank_account",
    "routing_number",
    "worker_class",
    "arrears_due",
    "earned_leave_days",
    "festival_bonus_due",
    "overtime_due",
)
REQUIRED_FIELDS: tuple[str, ...] = ("worker_id", "name", "national_id", "join_date", "basic")

#: Header shown for each field in exports and messages.
FIELD_LABELS: dict[str, str] = {
    "worker_id": "Worker ID",
    "name": "Name",
    "national_id": "National ID",
    "section": "Section",
    "grade": "Grade",
    "designation": "Designation",
    "join_date": "Join Date",
    "exit_date": "Exit Date",
    "basic": "Basic",
    "house_rent": "House Rent",
    "medical": "Medical",
    "transport": "Transport",
    "food": "Food",
    "gross": "Gross",
    "payment_method": "Payment Method",
    "wallet_number": "Wallet Number",
    "bank_account": "Bank Account",
    "routing_number": "Routing Number",
    "worker_class": "Worker Class",
    "arrears_due": "Arrears Due",
    "earned_leave_days": "Earned Leave Days",
    "festival_bonus_due": "Festival Bonus Due",
    "overtime_due": "Overtime Due",
}

# Earlier synonyms rank higher: when "Section" and "Line" are both present, Section is used.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "worker_id": (
        "worker id",
        "employee id",
        "emp id",
        "employee no",
        "employee number",
        "emp no",
        "id no",
        "id number",
        "id",
        "card no",
        "card number",
        "worker no",
        "staff id",
        "আইডি নং",
        "আইডি",
        "কার্ড নং",
        "কার্ড নম্বর",
        "শ্রমিক আইডি",
        "আই ডি নং",
    ),
    "name": (
        "name",
        "worker name",
        "employee name",
        "full name",
        "name of worker",
        "name of employee",
        "নাম",
        "শ্রমিকের নাম",
        "কর্মীর নাম",
    ),
    "national_id": (
        "national id",
        "nid",
        "nid no",
        "nid number",
        "national id no",
        "national id number",
        "national id card no",
        "smart card no",
        "nid card no",
        "nid card",
        "voter id",
        "জাতীয় পরিচয়পত্র নং",
        "জাতীয় পরিচয়পত্র নম্বর",
        "জাতীয় পরিচয়পত্র",
        "এনআইডি",
        "এনআইডি নং",
        "এন আই ডি",
    ),
    "section": (
        "section",
        "department",
        "dept",
        "unit",
        "line",
        "floor",
        "line no",
        "floor no",
        "সেকশন",
        "বিভাগ",
        "লাইন",
        "ফ্লোর",
    ),
    "grade": ("grade", "gr", "গ্রেড"),
    "designation": ("designation", "position", "post", "job title", "পদবী", "পদবি"),
    "join_date": (
        "join date",
        "joining date",
        "date of joining",
        "doj",
        "joined",
        "join",
        "যোগদানের তারিখ",
        "যোগদান তারিখ",
        "যোগদান",
    ),
    "exit_date": (
        "exit date",
        "date of leaving",
        "leaving date",
        "dol",
        "separation date",
        "resign date",
        "resignation date",
        "termination date",
        "চাকরি ছাড়ার তারিখ",
    ),
    "basic": ("basic", "basic salary", "basic pay", "basic wage", "মূল বেতন", "মূল মজুরি"),
    "house_rent": (
        "house rent",
        "hra",
        "house rent allowance",
        "house allowance",
        "বাড়ি ভাড়া",
        "বাড়ী ভাড়া",
        "বাড়ি ভাড়া ভাতা",
    ),
    "medical": ("medical", "medical allowance", "চিকিৎসা ভাতা", "চিকিৎসা"),
    "transport": (
        "transport",
        "conveyance",
        "transport allowance",
        "conveyance allowance",
        "যাতায়াত ভাতা",
        "যাতায়াত",
    ),
    "food": ("food", "food allowance", "খাদ্য ভাতা", "খাদ্য"),
    "gross": (
        "gross",
        "gross salary",
        "gross wage",
        "gross pay",
        "total salary",
        "মোট বেতন",
        "মোট মজুরি",
    ),
    "payment_method": (
        "payment method",
        "payment mode",
        "pay mode",
        "payment type",
        "পেমেন্ট পদ্ধতি",
    ),
    "wallet_number": (
        "wallet number",
        "wallet",
        "wallet no",
        "bkash",
        "bkash no",
        "bkash number",
        "nagad",
        "nagad no",
        "rocket",
        "mobile number",
        "mobile no",
        "mobile",
        "phone",
        "phone number",
        "mfs number",
        "mobile banking no",
        "mobile banking number",
        "মোবাইল নম্বর",
        "মোবাইল নং",
        "বিকাশ নম্বর",
    ),
    "bank_account": (
        "bank account",
        "bank account no",
        "bank account number",
        "account no",
        "account number",
        "a c no",
        "ব্যাংক হিসাব নং",
        "হিসাব নং",
    ),
    "routing_number": (
        "routing number",
        "routing no",
        "routing",
        "bank routing number",
        "branch routing number",
        "রাউটিং নম্বর",
        "রাউটিং নং",
    ),
    "worker_class": (
        "worker class",
        "class",
        "worker category",
        "category",
        "employment type",
        "employment status",
        "worker type",
        "type of worker",
        "শ্রমিকের শ্রেণী",
        "শ্রেণী",
        "শ্রেণি",
        "শ্রমিকের ধরন",
    ),
    "arrears_due": (
        "arrears due",
        "arrears",
        "arrear",
        "wage arrears",
        "unpaid wages",
        "due wages",
        "বকেয়া",
        "বকেয়া মজুরি",
        "বকেয়া বেতন",
    ),
    "earned_leave_days": (
        "earned leave days",
        "earned leave",
        "el days",
        "el",
        "el balance",
        "leave balance",
        "annual leave days",
        "অর্জিত ছুটি",
        "অর্জিত ছুটির দিন",
    ),
    "festival_bonus_due": (
        "festival bonus due",
        "festival bonus",
        "eid bonus",
        "bonus",
        "উৎসব ভাতা",
        "উৎসব বোনাস",
        "বোনাস",
    ),
    "overtime_due": (
        "overtime due",
        "overtime",
        "overtime amount",
        "ot amount",
        "ot due",
        "ot",
        "অতিরিক্ত সময়ের মজুরি",
        "ওভারটাইম",
        "ওটি",
    ),
}


def normalise_header(text: Any) -> str:
    """Case-, punctuation- and whitespace-insensitive form of a header cell (saved mappings)."""
    if not isinstance(text, str):
        return ""
    folded = unicodedata.normalize("NFC", text).casefold()
    # Drop punctuation and symbols (brackets, dots, currency signs) but keep Bengali vowel signs.
    kept = "".join(ch if unicodedata.category(ch)[0] not in "PS" else " " for ch in folded)
    kept = re.sub(r"\b(tk|bdt|taka|টাকা)\b", " ", kept)
    return " ".join(kept.split())


#: Words that mean the same in a header, each folded to one word (the value) before headers are
#: compared: abbreviations, spellings, Bengali. A value of "" drops the word (filler).
WORDS: dict[str, str] = {
    # filler: says nothing about which field
    "of": "", "the": "", "in": "", "tk": "", "bdt": "", "taka": "", "টাকা": "", "per": "",
    "month": "", "monthly": "", "pm": "", "amount": "", "amt": "", "এর": "", "চাকরি": "",
    "চাকুরী": "", "চাকুরি": "", "চাকরির": "", "চাকুরীর": "",
    # numbers and identifiers
    "no": "no", "num": "no", "number": "no", "nr": "no", "#": "no", "নং": "no", "নম্বর": "no",
    "নাম্বার": "no", "নম্বার": "no",
    # accounts
    "a/c": "account", "ac": "account", "acc": "account", "acct": "account", "account": "account",
    "হিসাব": "account",
    # dates
    "dt": "date", "date": "date", "তারিখ": "date",
    "doj": "date join", "doe": "date exit", "dol": "date exit", "dos": "date exit",
    "join": "join", "joining": "join", "joined": "join", "যোগদান": "join", "যোগদানের": "join",
    "exit": "exit", "leaving": "exit", "left": "exit", "separation": "exit", "resign": "exit",
    "resignation": "exit", "resigned": "exit", "termination": "exit", "release": "exit",
    "ছাড়ার": "exit", "ত্যাগের": "exit", "অব্যাহতি": "exit", "অব্যাহতির": "exit",
    # people
    "employee": "worker", "emp": "worker", "empl": "worker", "staff": "worker",
    "worker": "worker", "workers": "worker", "শ্রমিক": "worker", "শ্রমিকের": "worker",
    "কর্মী": "worker", "কর্মীর": "worker",
    # mobile money
    "bkash": "mfs", "nagad": "mfs", "rocket": "mfs", "upay": "mfs", "mfs": "mfs",
    "বিকাশ": "mfs", "নগদ": "mfs", "রকেট": "mfs",
    "mob": "mobile", "mobile": "mobile", "cell": "mobile", "মোবাইল": "mobile",
    # serial numbers
    "sl": "serial", "sr": "serial", "sn": "serial", "s/n": "serial", "serial": "serial",
    "ক্রমিক": "serial", "ক্রঃ": "serial", "ক্রম": "serial",
}  # fmt: skip
#: A column that only numbers the rows: ignored on purpose, and reported as such.
SERIAL_HEADERS: tuple[str, ...] = (
    "Sl",
    "Sl. No",
    "Serial",
    "Serial No",
    "S/N",
    "Sr. No",
    "ক্রমিক নং",
)


def synonyms_markdown() -> str:
    """The header synonyms as a Markdown list, as the README prints them."""
    lines = [
        f"- `{field}` ({FIELD_LABELS[field]}): " + ", ".join(f"“{name}”" for name in names)
        for field, names in _SYNONYMS.items()
    ]
    lines.append(
        "- ignored on purpose (serial numbers): " + ", ".join(f"“{h}”" for h in SERIAL_HEADERS)
    )
    return "\n".join(lines)


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
for _field, _names in _SYNONYMS.items():
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
    for field, name in _NORMALISED_SYNONYMS:
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
_NORMALISED_SYNONYMS: tuple[tuple[str, str], ...] = tuple(
    (field, normalise_header(name)) for field, names in _SYNONYMS.items() for name in names
)
