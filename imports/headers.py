"""Which column is which: header synonyms (English and Bengali) and finding the header row.

Headers are compared after normalising case, Unicode form, punctuation and whitespace, so
``Basic Salary (Tk.)`` and ``basic  salary`` are the same header. A caller's column mapping
(header text → field) wins over the synonyms.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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
    """Case-, punctuation- and whitespace-insensitive form of a header cell."""
    if not isinstance(text, str):
        return ""
    folded = unicodedata.normalize("NFC", text).casefold()
    # Drop punctuation and symbols (brackets, dots, currency signs) but keep Bengali vowel signs.
    kept = "".join(ch if unicodedata.category(ch)[0] not in "PS" else " " for ch in folded)
    kept = re.sub(r"\b(tk|bdt|taka|টাকা)\b", " ", kept)
    return " ".join(kept.split())


_LOOKUP: dict[str, tuple[str, int]] = {}
for _field, _names in _SYNONYMS.items():
    for _rank, _name in enumerate(_names):
        _LOOKUP.setdefault(normalise_header(_name), (_field, _rank))


def field_for_header(text: Any, mapping: Mapping[str, str]) -> tuple[str, int] | None:
    """The canonical field a header names and its rank (lower wins), or ``None``."""
    key = normalise_header(text)
    if not key:
        return None
    if key in mapping:
        return mapping[key], -1
    return _LOOKUP.get(key)


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
    """Where the header row is and which column holds each field."""

    index: int
    columns: dict[str, int]
    labels: dict[str, str]  # field → header text as in the file


def find_header(
    rows: Sequence[Sequence[Any]], mapping: Mapping[str, str], scan: int
) -> HeaderRow | None:
    """The row among the first ``scan`` that names the most fields, with its columns."""
    best: HeaderRow | None = None
    for index, row in enumerate(rows[:scan]):
        chosen: dict[str, tuple[int, int]] = {}
        for column, cell in enumerate(row):
            found = field_for_header(cell, mapping)
            if found is None:
                continue
            field, rank = found
            if field not in chosen or rank < chosen[field][1]:
                chosen[field] = (column, rank)
        if len(chosen) >= 2 and (best is None or len(chosen) > len(best.columns)):
            columns = {field: column for field, (column, _) in chosen.items()}
            labels = {
                field: " ".join(str(row[column]).split()) for field, column in columns.items()
            }
            best = HeaderRow(index=index, columns=columns, labels=labels)
    return best
