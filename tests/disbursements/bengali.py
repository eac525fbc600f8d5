"""A roll of Bengali names with conjuncts, imported, computed and approved through the services."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from fund.auth.roles import Role
from fund.claims.models import ClaimCall
from fund.disbursements.approving import approve, submit
from fund.disbursements.making import create_batch
from fund.disbursements.models import DisbursementBatch, PaymentLine
from fund.entitlements.models import Entitlement
from fund.entitlements.policy_versions import policy_for
from fund.entitlements.services import compute_for_event
from fund.events.services import create_event
from tests.conftest import People
from tests.disbursements.conftest import SECRET, World
from tests.entitlements.helpers import stored_roll, taka

#: Names whose shaping makes glyphs with no character of their own: র-phala and ref,
#: ক্ষ, স্ব, ক্ত, ক্ষ্ম, দ্র, and vowel signs drawn before the consonant (ি, ে, ৈ, ো, ৌ).
NAMES = (
    "শ্রাবন্তী রায়",
    "ক্ষমা দেবী",
    "স্বপ্না আক্তার",
    "মুক্তা বেগম",
    "লক্ষ্মী রানী",
    "রুদ্র প্রসাদ",
    "কৌশিক সেন",
    "বৈশাখী মৈত্র",
    "শর্মিলা চৌধুরী",
)
HEADER = (
    "worker_id,name,national_id,section,join_date,exit_date,basic,house_rent,medical,"
    "transport,food,payment_method,wallet_number,bank_account\n"
)


def bengali_roll(languages: tuple[str, ...] = ()) -> str:
    """A roll of the names above, each with a distinct ID, NID and wallet; given ``languages``,
    a Language column with one cell per name in order (missing cells left empty)."""
    cells = [*languages, *[""] * len(NAMES)] if languages else []
    rows = [
        f"W-{n},{name},19900000000{n:02d},Sewing,2019-08-01,,6700,3350,750,450,1250,"
        f"bkash,017110000{n:02d},{f',{cells[n - 1]}' if languages else ''}\n"
        for n, name in enumerate(NAMES, start=1)
    ]
    return (HEADER.replace("\n", ",Language\n") if languages else HEADER) + "".join(rows)


def approved_bengali_batch(
    session: Session, users: People, *, languages: tuple[str, ...] = ()
) -> DisbursementBatch:
    """The roll above imported, its event computed, a batch approved (through the services)."""
    factory = users.factories["DHK-1"]
    roll = stored_roll(session, factory, bengali_roll(languages))
    event = create_event(
        session,
        factory=factory,
        actor=users.admin,
        kind="suspension",
        start=date(2024, 3, 1),
        end=date(2024, 4, 29),
        roll=roll,
    )
    compute_for_event(
        session,
        event=event,
        policy_version=policy_for(session, "alliance-wage-replacement"),
        through=None,
        actor=users.by_role[Role.OFFICER],
    )
    world = World(session=session, people=users, event=event)
    world.fund_bank(taka(1_000_000))
    batch = create_batch(session, event=event, actor=world.officer, secret_key=SECRET)
    submit(session, batch=batch, actor=world.officer)
    approve(session, batch=batch, actor=world.approver, on=date(2024, 5, 2))
    return batch


def tell_helpline_english(session: Session, batch: DisbursementBatch) -> PaymentLine:
    """The batch's first worker tells the helpline they read English (their newest language)."""
    line = min(batch.lines, key=lambda line: line.id)
    national_id = session.scalars(
        select(Entitlement.national_id).where(Entitlement.id == line.entitlement_id)
    ).one()
    session.add(
        ClaimCall(
            caller_name=line.name, national_id=national_id, question="Which language?",
            answer="English letters, please", language="en", taken_by_id=batch.created_by_id,
        )
    )  # fmt: skip
    session.flush()
    return line
