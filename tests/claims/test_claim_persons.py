"""One person, one case, paid once: another ID form of a paid worker, and a claim that tries
to correct or pay a worker who is not the claimant. Each refusal leaves nothing stored."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select

from fund.audit.models import AuditEvent
from fund.claims import deciding, persons, services
from fund.claims.models import Claim, PersonNationalId
from fund.controls import payment_guard
from fund.controls.models import PaymentClaim
from fund.disbursements import approving, making, paying
from fund.disbursements.models import DisbursementBatch, PaymentLine
from fund.rolls.models import Roll
from tests.claims.conftest import (
    MISSING_NID,
    SECRET,
    World,
    missing_worker,
    nasrin_claim,
    settle,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tests.conftest import People

#: Nasrin's 10-digit smart-card number: the same woman as MISSING_NID (13 digits).
SMART_CARD = "4612345678"


def stored(session: Session) -> tuple[int, int, int, int, int]:
    """Counts of what a claim decision may write: rolls, batches, lines, guard claims, links."""
    return (
        session.scalar(select(func.count(Roll.id))) or 0,
        session.scalar(select(func.count(DisbursementBatch.id))) or 0,
        session.scalar(select(func.count(PaymentLine.id))) or 0,
        session.scalar(select(func.count(PaymentClaim.id))) or 0,
        session.scalar(select(func.count(PersonNationalId.id))) or 0,
    )


def audit_actions(session: Session, claim: Claim) -> list[str]:
    return list(
        session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.object_type == "claim", AuditEvent.object_id == str(claim.id))
            .order_by(AuditEvent.id)
        )
    )


@pytest.fixture
def nasrin_paid(paid_world: World, session: Session, users: People) -> World:
    """Nasrin was missing from the roll; her accepted claim paid her (wallet 01711000009)."""
    claim = nasrin_claim(paid_world, session, users)
    deciding.accept_claim(
        session, claim=claim, actor=paid_world.officer, secret_key=SECRET,
        note="Factory letter", worker=missing_worker(),
    )  # fmt: skip
    batch = session.get(DisbursementBatch, claim.batch_id)
    assert batch is not None
    settle(paid_world, batch)
    return paid_world


def test_a_second_claim_with_the_smart_card_id_cannot_pay_her_again(
    nasrin_paid: World, session: Session, users: People
) -> None:
    world = nasrin_paid
    # She calls again with her 10-digit smart card; nobody has confirmed it is her yet.
    again = nasrin_claim(world, session, users, national_id=SMART_CARD)
    # The officer sees her earlier payment before deciding: her phone is its wallet.
    seen = persons.payments_to(
        session, event=world.event, national_id=again.national_id, wallets=[again.phone]
    )
    assert [(p.worker_id, p.state, p.why) for p in seen] == [
        ("M-9", "paid", "same wallet 01711000009")
    ]
    before = stored(session)
    with pytest.raises(persons.PaysTwice, match=r"M-9 .*receipt WF-\d{6}-\d{5}.*same wallet"):
        deciding.accept_claim(
            session, claim=again, actor=world.officer, secret_key=SECRET, note="Factory letter",
            worker=missing_worker(worker_id="M-10", national_id=SMART_CARD),
        )  # fmt: skip
    session.refresh(again)
    assert (again.status, again.worker_id, again.batch_id) == ("open", None, None)
    assert stored(session) == before
    assert audit_actions(session, again) == ["claims.file"]

    # A new wallet does not hide her once an officer confirms both cards are hers.
    persons.confirm_same_person(
        session, national_id=SMART_CARD, same_as=MISSING_NID, actor=world.officer,
        evidence="Both cards seen at the desk",
    )  # fmt: skip
    with pytest.raises(services.AlreadyPaid, match=r"already paid .*worker M-9"):
        deciding.accept_claim(
            session, claim=again, actor=world.officer, secret_key=SECRET, note="Factory letter",
            worker=missing_worker(
                worker_id="M-10", national_id=SMART_CARD, wallet_number="01811000010"
            ),
        )  # fmt: skip
    # And a new claim under either ID is refused at filing, naming the receipt.
    deciding.reject_claim(session, claim=again, actor=world.officer, reason="Paid already")
    with pytest.raises(services.AlreadyPaid, match=r"receipt WF-\d{6}-\d{5}"):
        nasrin_claim(world, session, users, national_id=SMART_CARD, kind="not_received")
    world.books_sound()


def test_the_database_guard_compares_people_not_id_numbers(
    nasrin_paid: World, session: Session
) -> None:
    world = nasrin_paid
    due = payment_guard.Due(
        entitlement_id=0, worker_id="M-10", national_id=SMART_CARD, days_paid=60,
        topping_up=False,
    )  # fmt: skip
    plan = payment_guard.plan_claims(session, event=world.event, weekly_holidays=(), dues=[due])
    assert plan.conflicts == []  # two unrelated numbers, as far as anyone knows
    persons.confirm_same_person(
        session, national_id=SMART_CARD, same_as=MISSING_NID, actor=world.officer,
        evidence="Both cards seen",
    )  # fmt: skip
    plan = payment_guard.plan_claims(session, event=world.event, weekly_holidays=(), dues=[due])
    assert [c.worker_id for c in plan.conflicts] == ["M-10"]
    # Below the service, the trigger itself refuses a claim written under the other ID form
    # once it carries the person key.
    line = session.scalar(select(PaymentLine).where(PaymentLine.worker_id == "M-9"))
    assert line is not None
    session.add(
        PaymentClaim(
            national_id=persons.person_key(session, SMART_CARD), factory_id=world.event.factory_id,
            kind="suspension", first_day=date(2024, 3, 1), last_day=date(2024, 3, 1),
            event_id=world.event.id, line_id=line.id,
        )
    )  # fmt: skip
    with pytest.raises(Exception, match="double payment refused"):
        session.flush()


def test_two_ids_both_already_paid_cannot_be_linked_quietly(
    paid_world: World, session: Session
) -> None:
    # Rahima (M-1) and Salma (M-4) were both paid for the same days: calling them one person
    # would hide a double payment, so the link is refused and nothing recorded.
    with pytest.raises(persons.PaysTwice, match="one person was paid twice"):
        persons.confirm_same_person(
            session, national_id="1990000000004", same_as="1990000000001",
            actor=paid_world.officer, evidence="Looked alike",
        )  # fmt: skip
    assert session.scalar(select(func.count(PersonNationalId.id))) == 0
    assert set(session.scalars(select(PaymentClaim.national_id))) >= {
        "1990000000001",
        "1990000000004",
    }


def test_a_claim_cannot_correct_or_pay_another_worker(
    paid_world: World, session: Session, users: People
) -> None:
    world = paid_world
    # Karim (B-2) says his amount was wrong.
    claim = nasrin_claim(
        world, session, users, kind="wrong_amount", worker_name="Karim Mia",
        national_id="1990000000002", phone="",
    )  # fmt: skip
    before = stored(session)
    # The officer corrects Rina's (C-3) line instead: her roll line is not the claimant's.
    rina = missing_worker(
        worker_id="C-3", name="Rina Das", national_id="1990000000003", basic=2 * 670_000,
        payment_method="cash", wallet_number=None,
    )  # fmt: skip
    with pytest.raises(services.ClaimRefused, match="only changes or pays its own claimant"):
        deciding.accept_claim(
            session, claim=claim, actor=world.officer, secret_key=SECRET, worker=rina
        )
    # Typing Karim's national ID onto Rina's line does not make it his.
    with pytest.raises(services.ClaimRefused, match="worker C-3 has national ID"):
        deciding.accept_claim(
            session, claim=claim, actor=world.officer, secret_key=SECRET,
            worker=replace(rina, national_id="1990000000002"),
        )  # fmt: skip
    with pytest.raises(services.ClaimRefused, match="worker C-3 has national ID"):
        deciding.accept_claim(
            session, claim=claim, actor=world.officer, secret_key=SECRET, worker_id="C-3"
        )
    session.refresh(claim)
    assert (claim.status, claim.worker_id) == ("open", None)
    assert stored(session) == before
    assert audit_actions(session, claim) == ["claims.file"]

    # Linking is a recorded step; once linked to Karim, nobody else can be named.
    persons.link_worker(session, claim=claim, worker_id="B-2", actor=world.officer)
    assert audit_actions(session, claim) == ["claims.file", "claims.link"]
    with pytest.raises(services.ClaimRefused, match="linked to worker B-2"):
        deciding.accept_claim(
            session, claim=claim, actor=world.officer, secret_key=SECRET, worker_id="M-4"
        )
    # His own correction goes through, and the top-up pays him alone.
    deciding.accept_claim(
        session, claim=claim, actor=world.officer, secret_key=SECRET, note="Pay slip",
        worker=missing_worker(
            worker_id="B-2", name="Karim Mia", national_id="1990000000002", basic=2 * 670_000,
            payment_method="bank", wallet_number=None, bank_account="0123456789",
        ),
    )  # fmt: skip
    batch = session.get(DisbursementBatch, claim.batch_id)
    assert batch is not None
    assert [line.worker_id for line in batch.lines] == ["B-2"]


def test_a_correction_keeps_what_the_officer_did_not_retype(
    world: World, session: Session, users: People
) -> None:
    from fund.rolls.models import RollWorker

    added = nasrin_claim(world, session, users)
    deciding.accept_claim(
        session, claim=added, actor=world.officer, secret_key=SECRET, pay=False,
        worker=missing_worker(grade="7", designation="Operator"),
    )  # fmt: skip
    claim = nasrin_claim(world, session, users, kind="wrong_amount")
    # The officer retypes the wages only: grade and designation stay as the roll had them.
    deciding.accept_claim(
        session, claim=claim, actor=world.officer, secret_key=SECRET, pay=False,
        worker=missing_worker(basic=7_000_00),
    )  # fmt: skip
    row = session.scalar(
        select(RollWorker).where(RollWorker.roll_id == claim.roll_id, RollWorker.worker_id == "M-9")
    )
    assert row is not None
    assert (row.grade, row.designation, row.basic) == ("7", "Operator", 7_000_00)


def test_not_received_is_not_refused_by_a_paid_top_up_while_the_main_payment_is_pending(
    world: World, session: Session, users: People
) -> None:
    from tests.claims.conftest import fund

    fund(world)
    main = making.create_batch(
        session, event=world.event, actor=world.officer, secret_key=SECRET, selection=["M-4"]
    )
    approving.submit(session, batch=main, actor=world.officer)
    approving.approve(session, batch=main, actor=world.approver, on=date(2024, 5, 6))
    paying.pay(session, batch=main, actor=world.accountant, on=date(2024, 5, 6))
    assert [line.state for line in main.lines] == ["pending"]
    # A wrong-amount claim tops her up, and the small top-up is paid first.
    wrong = nasrin_claim(
        world, session, users, kind="wrong_amount", worker_name="Salma Akter",
        national_id="1990000000004", phone="",
    )  # fmt: skip
    deciding.accept_claim(
        session, claim=wrong, actor=world.officer, secret_key=SECRET, note="Pay slip",
        worker=missing_worker(
            worker_id="M-4", name="সালমা আক্তার", national_id="1990000000004",
            basic=6_800_00, wallet_number="01711000004",
        ),
    )  # fmt: skip
    top_up = session.get(DisbursementBatch, wrong.batch_id)
    assert top_up is not None
    settle(world, top_up)
    # Her main payment has not arrived: "not received" is a fair claim, not "already paid".
    claim = nasrin_claim(
        world, session, users, kind="not_received", worker_name="Salma Akter",
        national_id="1990000000004", phone="",
    )  # fmt: skip
    assert claim.status == "open"
    # Once the main payment is paid too, the same claim is refused, naming the main receipt.
    deciding.reject_claim(session, claim=claim, actor=world.officer, reason="Found it")
    paying.mark_paid(session, line=main.lines[0], actor=world.accountant, on=date(2024, 5, 7))
    with pytest.raises(services.AlreadyPaid, match=main.lines[0].receipt_number):
        nasrin_claim(
            world, session, users, kind="not_received", worker_name="Salma Akter",
            national_id="1990000000004", phone="",
        )  # fmt: skip
