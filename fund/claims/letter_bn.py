"""The claim letter's Bengali, line by line beside the English, for the worker who reads it.

The roll stores no worker's language, so every letter is bilingual. Names, references and the
decision note are shown as the fund recorded them; dates and amounts in Bengali digits.
Wording plain, to be reviewed by the fund's Bengali-speaking helpline staff.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fund.claims.models import Claim
from fund.disbursements.bengali import amount_words, date_words, digits

KINDS = {
    "not_on_roll": "তালিকায় নাম নেই",
    "wrong_amount": "টাকার পরিমাণ ভুল",
    "not_received": "টাকা পাইনি",
    "other": "অন্যান্য",
}


@dataclass(frozen=True, slots=True)
class LetterBn:
    """Each line of the claim letter in Bengali ("" where the letter has no such line)."""

    title: str
    dated: str
    addressee: str
    about: str
    told: str
    outcome: str
    amount: str
    why: str
    helpline: str


def letter_date(claim: Claim) -> date:
    """The letter's date: the day of the decision, or of filing while the claim is open."""
    return (claim.decided_at or claim.filed_at).date()


def letter_bn(claim: Claim, *, helpline: str = "") -> LetterBn:
    """The Bengali lines of ``claim``'s letter, in the order the letter shows them."""
    ref = claim.reference
    outcome = {
        "open": f"আমরা আপনার দাবি পেয়েছি এবং {date_words(claim.due_on)} তারিখের মধ্যে উত্তর দেব।",
        "accepted": "আপনার দাবি গৃহীত হয়েছে।",
        "rejected": "আপনার দাবি গৃহীত হয়নি।",
    }.get(claim.status, f"আপনার দাবি {claim.referred_to} এর কাছে পাঠানো হয়েছে।")
    amount = ""
    if claim.status == "accepted" and claim.amount_minor:
        amount = f"পরিশোধ অনুমোদিত হলে আপনাকে {amount_words(claim.amount_minor, 'BDT')} দেওয়া হবে।"
    return LetterBn(
        title=f"ওয়ার্কার ফান্ড: আপনার দাবি {ref}",
        dated=f"তারিখ: {date_words(letter_date(claim))}",
        addressee=(
            f"প্রাপক: {claim.worker_name}, জাতীয় পরিচয়পত্রের শেষ অঙ্ক {digits(claim.national_id[-4:])}"
        ),
        about=f"বিষয়: {claim.event.title}",
        told=f"আপনি যা জানিয়েছেন: {KINDS.get(claim.kind, claim.kind)}।",
        outcome=outcome,
        amount=amount,
        why=f"কারণ: {claim.decision_note}" if claim.status == "rejected" else "",
        helpline=(
            f"প্রশ্ন থাকলে {helpline} নম্বরে ফোন করুন এবং দাবি নম্বর {ref} বলুন।" if helpline else ""
        ),
    )
