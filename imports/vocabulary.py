"""The roll's vocabulary: its fields, their labels, and the words headers name them with.

Every canonical field (``FIELDS``, in export order; ``REQUIRED_FIELDS``; ``FIELD_LABELS``), the
header synonyms of each (English and Bengali, ``SYNONYMS``), the words folded before headers
are compared (``WORDS``), the serial-number headers ignored on purpose, and the normalised form
saved mappings are kept in. Data only: ``headers`` finds the header row with it.
"""

from __future__ import annotations

import re
import unicodedata
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
    "language",
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
    "language": "Language",
}

# Earlier synonyms rank higher: when "Section" and "Line" are both present, Section is used.
SYNONYMS: dict[str, tuple[str, ...]] = {
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
    "language": (
        "language",
        "preferred language",
        "worker language",
        "language preference",
        "ভাষা",
        "পছন্দের ভাষা",
        "শ্রমিকের ভাষা",
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
        for field, names in SYNONYMS.items()
    ]
    lines.append(
        "- ignored on purpose (serial numbers): " + ", ".join(f"“{h}”" for h in SERIAL_HEADERS)
    )
    return "\n".join(lines)
