"""Claims through the services: filing, refusals, matching, and each way a claim ends."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select

from fund.audit.models import AuditEvent
from fund.auth.roles import Role
from fund.claims import deciding, reporting, searching, services
from fund.claims.models import Claim
from fund.disbursements import approving, making
from fund.disbursements import services as batches
from fund.disbursements.models import DisbursementBatch, PaymentLine
from fund.entitlements.models import Entitlement
from fund.rolls.models import Roll, RollWorker
from tests.claims.conftest import (
    EACH,
    SECRET,
    World,
    fund,
    missing_worker,
    nasrin_claim,
    pay_everyone,
    settle,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tests.conftest import People


def actions(session: Session, claim: Claim) -> list[str]:
    return list(
        session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.object_type == "claim", AuditEvent.object_id == str(claim.id))
            .order_by(AuditEvent.id)
        )
    )


def test_a_worker_never_on_the_roll_ends_up_paid_exactly_once(
    paid_world: World, session: Session, users: People
) -> None:
    world = paid_world
    first_roll = world.event.roll_id
    claim = nasrin_claim(world, session, users)
    assert claim.status == "open"
    assert claim.due_on == date(2024, 6, 9)  # not_on_roll: 30 days
    assert claim.phone == "01711000009"
    assert searching.candidates(session, claim) == []  # nobody on the roll looks like her

    deciding.accept_claim(
        session,
        claim=claim,
        actor=world.officer,
        secret_key=SECRET,
        note="Factory confirmed her by letter of 12 May",
        worker=missing_worker(),
    )
    assert claim.status == "accepted"
    # A supplementary roll version: the four workers and Nasrin; the first version untouched.
    supplement = session.get(Roll, claim.roll_id)
    assert supplement is not None
    assert supplement.id != first_roll
    assert world.event.roll_id == supplement.id
    assert supplement.worker_count == 5
    assert session.scalar(select(func.count()).where(RollWorker.roll_id == first_roll)) == 4
    # Recomputed, and a top-up of Nasrin alone waits for someone else's approval.
    batch = session.get(DisbursementBatch, claim.batch_id)
    assert batch is not None
    assert (batch.kind, batch.state, batch.line_count) == ("top_up", "submitted", 1)
    assert batch.submitted_by_id == world.officer.id
    assert batch.lines[0].worker_id == "M-9"
    assert batch.lines[0].amount_minor == EACH == claim.amount_minor
    with pytest.raises(batches.SelfApprovalRefused):
        approving.approve(session, batch=batch, actor=world.officer, on=date(2024, 5, 20))
    settle(world, batch)
    assert batch.state == "paid"

    # Paid exactly once: the five workers hold five live lines of EACH.
    held = session.execute(
        select(PaymentLine.worker_id, func.sum(PaymentLine.amount_minor))
        .where(PaymentLine.event_id == world.event.id, PaymentLine.state == "paid")
        .group_by(PaymentLine.worker_id)
    ).all()
    assert sorted(held) == sorted([(w, EACH) for w in ("M-1", "B-2", "C-3", "M-4", "M-9")])
    # A second top-up finds nothing to pay, for her or anyone.
    with pytest.raises(batches.NothingToPay):
        making.create_batch(
            session, event=world.event, actor=world.officer, secret_key=SECRET, top_up=True
        )
    # And a second claim that she is missing or unpaid is refused, saying why.
    for kind in ("not_on_roll", "not_received"):
        with pytest.raises(services.AlreadyPaid, match="already paid for this event"):
            nasrin_claim(world, session, users, kind=kind)
    assert actions(session, claim) == ["claims.file", "claims.link", "claims.accept"]
    world.books_sound()


def test_a_claim_for_an_already_paid_worker_is_refused(
    paid_world: World, session: Session, users: People
) -> None:
    # Karim (B-2) was paid; he calls to say he got nothing.
    with pytest.raises(services.AlreadyPaid, match=r"receipt WF-\d{6}-\d{5}") as refused:
        nasrin_claim(
            paid_world, session, users, kind="not_received", worker_name="Karim Mia",
            national_id="1990000000002", phone="",
        )  # fmt: skip
    assert "cannot pay the worker twice" in str(refused.value)
    assert session.scalar(select(func.count(Claim.id))) == 0
    # A wrong amount is a different question: that claim may be filed.
    claim = nasrin_claim(
        paid_world, session, users, kind="wrong_amount", worker_name="Karim Mia",
        national_id="1990000000002", phone="",
    )  # fmt: skip
    assert claim.due_on == date(2024, 5, 24)


def test_a_second_open_claim_of_the_same_kind_is_refused(
    world: World, session: Session, users: People
) -> None:
    first = nasrin_claim(world, session, users)
    with pytest.raises(services.DuplicateClaim, match=first.reference):
        nasrin_claim(world, session, users, worker_name="নাসরিন আক্তার")


def test_acceptance_is_refused_when_the_worker_was_paid_meanwhile(
    world: World, session: Session, users: People
) -> None:
    # Filed while Karim's batch was still unpaid; by the decision it was paid.
    claim = nasrin_claim(
        world, session, users, kind="not_received", worker_name="Karim Mia",
        national_id="1990000000002", phone="",
    )  # fmt: skip
    fund(world)
    pay_everyone(world)
    with pytest.raises(services.AlreadyPaid):
        deciding.accept_claim(
            session, claim=claim, actor=world.officer, secret_key=SECRET, worker_id="B-2"
        )


def test_candidates_by_national_id_phone_and_bengali_or_latin_name(
    world: World, session: Session, users: People
) -> None:
    # The roll has রহিমা খাতুন (M-1, wallet 01711000001) and Karim Mia (B-2).
    claim = nasrin_claim(
        world, session, users, kind="wrong_amount", worker_name="Rahima Khatun",
        national_id="1990000000099", phone="01711000001",
    )  # fmt: skip
    found = searching.candidates(session, claim)
    assert [c.worker_id for c in found] == ["M-1"]
    why = " / ".join(found[0].reasons)
    assert "phone is the wallet number on the roll" in why
    assert "sounds like 'রহিমা খাতুন'" in why
    assert "national ID" not in why
    assert found[0].national_id_masked.endswith("0001")
    by_id = nasrin_claim(
        world, session, users, kind="other", worker_name="K. Miah",
        national_id="1990-0000-00002", phone="",
    )  # fmt: skip
    best = searching.candidates(session, by_id)[0]
    assert best.worker_id == "B-2"
    assert best.reasons[0] == "national ID is the same"


def test_a_wrong_amount_is_corrected_on_a_new_roll_version_and_topped_up(
    paid_world: World, session: Session, users: People
) -> None:
    world = paid_world
    claim = nasrin_claim(
        world, session, users, kind="wrong_amount", worker_name="Karim Mia",
        national_id="1990000000002", phone="",
    )  # fmt: skip
    corrected = missing_worker(
        worker_id="B-2", name="Karim Mia", national_id="1990000000002", basic=2 * 670_000,
        payment_method="bank", wallet_number=None, bank_account="0123456789",
    )  # fmt: skip
    deciding.accept_claim(
        session, claim=claim, actor=world.officer, secret_key=SECRET, worker=corrected,
        note="Pay slip shows basic 13,400",
    )  # fmt: skip
    batch = session.get(DisbursementBatch, claim.batch_id)
    assert batch is not None
    run_amount = session.scalar(
        select(Entitlement.amount_minor).where(
            Entitlement.run_id == claim.run_id, Entitlement.worker_id == "B-2"
        )
    )
    assert run_amount is not None
    # Only the difference: the new amount less what the paid line already holds.
    assert batch.total_minor == run_amount - EACH == claim.amount_minor
    assert batch.total_minor > 0
    assert [line.worker_id for line in batch.lines] == ["B-2"]


def test_not_on_roll_refuses_a_national_id_the_roll_already_has(
    world: World, session: Session, users: People
) -> None:
    claim = nasrin_claim(world, session, users, national_id="1990000000004")
    with pytest.raises(services.ClaimRefused, match="already on the roll as worker M-4"):
        deciding.accept_claim(
            session, claim=claim, actor=world.officer, secret_key=SECRET,
            worker=missing_worker(national_id="1990000000004"),
        )  # fmt: skip
    # Without the roll details a missing worker cannot be added.
    with pytest.raises(services.ClaimInvalid, match="roll details"):
        deciding.accept_claim(session, claim=claim, actor=world.officer, secret_key=SECRET)


def test_bad_roll_details_are_refused_with_the_roll_checks_reason(
    world: World, session: Session, users: People
) -> None:
    claim = nasrin_claim(world, session, users)
    with pytest.raises(
        services.ClaimInvalid, match=r"Wallet Number .12345. is not an 11-digit number"
    ):
        deciding.accept_claim(
            session, claim=claim, actor=world.officer, secret_key=SECRET,
            worker=missing_worker(wallet_number="12345"),
        )  # fmt: skip


def test_reject_and_refer_say_why_and_are_audited(
    world: World, session: Session, users: People
) -> None:
    claim = nasrin_claim(world, session, users)
    with pytest.raises(services.ClaimInvalid):
        deciding.reject_claim(session, claim=claim, actor=world.officer, reason=" ")
    deciding.reject_claim(
        session, claim=claim, actor=world.officer, reason="The factory has no record of you."
    )
    assert claim.status == "rejected"
    text = reporting.outcome_text(claim, helpline="16357")
    assert text.startswith(f"Worker Fund: your claim {claim.reference} is not accepted")
    assert text.endswith("Questions: call 16357.")
    with pytest.raises(services.ClaimStateError):
        deciding.refer_claim(
            session, claim=claim, actor=world.officer, referred_to="BGMEA", note="x"
        )
    other = nasrin_claim(world, session, users, kind="other")
    deciding.refer_claim(
        session, claim=other, actor=world.officer, referred_to="Labour inspectorate",
        note="A matter of overtime before the suspension.",
    )  # fmt: skip
    assert other.status == "referred"
    assert actions(session, claim) == ["claims.file", "claims.reject"]
    assert actions(session, other) == ["claims.file", "claims.refer"]


def test_only_officers_and_admins_decide_and_the_helpline_files(
    world: World, session: Session, users: People
) -> None:
    claim = nasrin_claim(world, session, users)
    for role in (Role.HELPLINE, Role.APPROVER, Role.AUDITOR, Role.ACCOUNTANT):
        with pytest.raises(services.NotAllowed):
            deciding.reject_claim(session, claim=claim, actor=users.by_role[role], reason="no")
    with pytest.raises(services.NotAllowed):
        nasrin_claim(world, session, users, kind="other", actor=users.by_role[Role.AUDITOR])


def test_the_sms_is_at_most_three_parts_and_cuts_only_the_reason(
    world: World, session: Session, users: People
) -> None:
    from fund.claims import messages

    claim = nasrin_claim(world, session, users)
    assert messages.count(reporting.outcome_text(claim)).parts == 1
    deciding.reject_claim(session, claim=claim, actor=world.officer, reason="ক" * 400)
    text = reporting.outcome_text(claim, helpline="+880 9612 000000")
    counted = messages.count(text)
    assert (counted.encoding, counted.parts) == ("UCS-2", 3)
    assert counted.units > 3 * 67 - 5
    assert text.startswith(f"Worker Fund: your claim {claim.reference} is not accepted: কক")
    assert text.endswith("... Questions: call +880 9612 000000.")


def test_overdue_and_the_report(world: World, session: Session, users: People) -> None:
    def filed(kind: str, on: date) -> Claim:
        claim = nasrin_claim(world, session, users, kind=kind, today=on)
        claim.filed_at = datetime(on.year, on.month, on.day, 9, tzinfo=UTC)
        return claim

    late = filed("not_received", date(2024, 5, 1))  # due 8 May
    filed("other", date(2024, 4, 1))  # due 1 May: open for 41 days
    in_time = filed("wrong_amount", date(2024, 5, 1))  # due 15 May
    too_late = filed("not_on_roll", date(2024, 3, 1))  # due 31 March
    deciding.reject_claim(session, claim=in_time, actor=world.officer, reason="no record")
    deciding.reject_claim(session, claim=too_late, actor=world.officer, reason="no record")
    in_time.decided_at = datetime(2024, 5, 10, 9, tzinfo=UTC)
    too_late.decided_at = datetime(2024, 4, 2, 9, tzinfo=UTC)
    session.flush()
    today = date(2024, 5, 12)
    assert [c.id for c in reporting.overdue(session, today=today)][-1] == late.id
    assert reporting.overdue_count(session, today=today) == 2
    report = reporting.report(session, today=today)
    assert report.total == 4
    assert report.by_status == {"open": 2, "accepted": 0, "rejected": 2, "referred": 0}
    assert report.by_factory == {"DHK-1": {"open": 2, "rejected": 2}}
    assert report.by_kind["not_received"] == {"open": 1}
    assert report.overdue == 2
    assert (report.decided, report.decided_in_time, report.share_in_time) == (2, 1, 0.5)
    assert report.open_by_age == {
        "0–7 days": 0, "8–14 days": 1, "15–30 days": 0, "over 30 days": 1,
    }  # fmt: skip


def test_a_claim_cannot_pay_a_wallet_the_event_already_pays(
    paid_world: World, session: Session, users: People
) -> None:
    # The factory "confirms" Nasrin with Rahima's (M-1's) wallet, already paid for the event.
    # Acknowledging the shared-wallet finding once let a second payment reach that wallet; now
    # the accept is refused before anything is written.
    world = paid_world
    claim = nasrin_claim(world, session, users)
    rolls_before = session.scalar(select(func.count(Roll.id)))
    with pytest.raises(services.ClaimRefused, match=r"WF-\d{6}-\d{5}.*same wallet 01711000001"):
        deciding.accept_claim(
            session,
            claim=claim,
            actor=world.officer,
            secret_key=SECRET,
            note="Factory letter",
            worker=missing_worker(wallet_number="01711000001"),
        )
    session.refresh(claim)
    assert (claim.status, claim.worker_id, claim.batch_id) == ("open", None, None)
    assert session.scalar(select(func.count(Roll.id))) == rolls_before
    assert session.scalar(select(func.count(DisbursementBatch.id))) == 1
    assert actions(session, claim) == ["claims.file"]
    world.books_sound()
