"""A slip's first language: what the worker last told the helpline, else the roll's Language
column for them, else Bengali (``fund.disbursements.languages``, the one place it is decided)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from fund.claims.models import ClaimCall
from fund.disbursements.languages import worker_languages
from fund.disbursements.models import PaymentLine
from fund.disbursements.outputs import receipts
from fund.disbursements.receipts import render_receipts
from fund.entitlements.models import Entitlement
from fund.rolls.models import RollWorker
from tests.conftest import People
from tests.disbursements.bengali import NAMES, approved_bengali_batch
from tests.pdf_tools import text

#: The roll's Language column, one cell per name: English, Bengali, then nothing said.
ROLL_SAYS = ("English", " বাংলা ", "EN")


def national_id(session: Session, line: PaymentLine) -> str:
    return session.scalars(
        select(Entitlement.national_id).where(Entitlement.id == line.entitlement_id)
    ).one()


def tell_the_helpline(session: Session, users: People, line: PaymentLine, language: str) -> None:
    session.add(
        ClaimCall(
            caller_name=line.name, national_id=national_id(session, line), question="Language?",
            answer="", language=language, taken_by_id=users.admin.id,
        )
    )  # fmt: skip
    session.flush()


def first_language(session: Session, line: PaymentLine) -> str:
    (receipt,) = [
        r for r in receipts(session, line.batch) if r.receipt_number == line.receipt_number
    ]
    page = " ".join(text(render_receipts([receipt])).split())
    # the page says the same as the receipt: its first language is drawn first
    english_first = page.index("approval slip") < page.index("অনুমোদন স্লিপ")
    assert english_first == (receipt.language == "en"), page
    return receipt.language


def test_the_roll_language_is_used_until_the_helpline_is_told(
    session: Session, users: People
) -> None:
    batch = approved_bengali_batch(session, users, languages=ROLL_SAYS)
    stored = dict(session.execute(select(RollWorker.name, RollWorker.language)).tuples().all())
    assert [stored[name] for name in NAMES[:4]] == ["en", "bn", "en", None]
    by_name = {line.name: line for line in batch.lines}
    english, bangla, unsaid = by_name[NAMES[0]], by_name[NAMES[1]], by_name[NAMES[3]]
    assert first_language(session, english) == "en"  # the roll says English
    assert first_language(session, bangla) == "bn"
    assert first_language(session, unsaid) == "bn"  # nothing said anywhere: Bengali
    # The worker later tells the helpline Bengali: that is newer than the roll, and wins.
    tell_the_helpline(session, users, english, "bn")
    assert first_language(session, english) == "bn"
    # And the other way round: a Bengali roll, the worker asks for English.
    tell_the_helpline(session, users, bangla, "en")
    assert first_language(session, bangla) == "en"


def test_without_a_roll_language_or_a_call_every_slip_is_bengali_first(
    session: Session, users: People
) -> None:
    batch = approved_bengali_batch(session, users)
    ids = [national_id(session, line) for line in batch.lines]
    run_ids = {line.run_id for line in batch.lines}
    assert set(worker_languages(session, ids, run_ids=run_ids).values()) == {"bn"}
    assert worker_languages(session, ["", "unknown"], run_ids=run_ids) == {
        "": "bn",
        "unknown": "bn",
    }
