"""Batches: four eyes, never paying a worker twice, funds checked, approval posted once."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fund.audit.models import AuditEvent
from fund.auth.models import User
from fund.auth.roles import Role
from fund.disbursements.approving import approve, available_funds, cancel, reject, submit
from fund.disbursements.making import create_batch
from fund.disbursements.models import DisbursementBatch, PaymentLine
from fund.disbursements.services import BatchRefused, NothingToPay, SelfApprovalRefused
from fund.entitlements.policy_versions import policy_for
from fund.entitlements.services import compute_for_event
from fund.events.models import Event
from fund.events.services import create_event
from ledger import Entry, InsufficientFunds, Posting, account, post, verify
from ledger.models import JournalEntry
from ledger.queries import balance, trial_balance
from tests.entitlements.helpers import grade5, taka

if TYPE_CHECKING:
    from tests.conftest import People

APPROVED_ON = date(2024, 5, 2)
SECRET = "test-secret"


def officer(users: People) -> User:
    return users.by_role[Role.OFFICER]


def approver(users: People) -> User:
    return users.by_role[Role.APPROVER]


@pytest.fixture
def event(session: Session, users: People) -> Event:
    """A 60-day suspension of DHK-1 with three eligible grade-5 workers (25,000 each)."""
    suspension = create_event(
        session,
        factory=users.factories["DHK-1"],
        actor=users.admin,
        kind="suspension",
        start=date(2024, 3, 1),
        end=date(2024, 4, 29),
    )
    rows = [
        grade5(row=2 + n, worker_id=f"W-{n}", national_id=f"{1000000000 + n}") for n in range(3)
    ]
    compute_for_event(
        session,
        event=suspension,
        policy_version=policy_for(session, "alliance-wage-replacement"),
        through=None,
        actor=officer(users),
        rows=rows,
    )
    return suspension


def fund_the_bank(session: Session, amount: int, key: str = "gift") -> None:
    post(
        session,
        Entry(
            date(2024, 1, 10),
            "brands' money",
            key,
            (
                Posting(account(session, "1010"), amount),
                Posting(account(session, "3000", currency="BDT"), -amount),
            ),
        ),
    )


def approvals(session: Session, batch: DisbursementBatch) -> int:
    return (
        session.scalar(
            select(func.count(JournalEntry.id)).where(JournalEntry.reference == f"batch:{batch.id}")
        )
        or 0
    )


def test_the_journey_posts_the_approval_once(session: Session, users: People, event: Event) -> None:
    fund_the_bank(session, taka(100_000))
    batch = create_batch(session, event=event, actor=officer(users), secret_key=SECRET)
    assert (batch.state, len(batch.lines), batch.total_minor) == ("draft", 3, taka(75_000))
    submit(session, batch=batch, actor=officer(users))
    with pytest.raises(SelfApprovalRefused):
        approve(session, batch=batch, actor=officer(users), on=APPROVED_ON)
    assert approvals(session, batch) == 0
    approve(session, batch=batch, actor=approver(users), on=APPROVED_ON)
    approve(session, batch=batch, actor=approver(users), on=APPROVED_ON)  # a double-click
    assert batch.state == "approved"
    assert approvals(session, batch) == 1
    expense = account(session, "5000", currency="BDT", factory="DHK-1", event=str(event.id))
    payable = account(session, "2000", currency="BDT", event=str(event.id))
    assert balance(session, expense) == taka(75_000)
    assert balance(session, payable) == -taka(75_000)
    assert trial_balance(session).balanced
    assert verify(session).ok
    # What approved batches owe is no longer available for the next one.
    assert available_funds(session) == taka(25_000)
    assert batch.run.policy_version.frozen
    assert [(t.from_state, t.to_state) for t in batch.transitions] == [
        (None, "draft"),
        ("draft", "submitted"),
        ("submitted", "approved"),
    ]
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "batch").order_by(AuditEvent.id)
    ).all()
    assert actions == ["batches.create", "batches.submitted", "batches.approved"]


def test_approval_needs_the_money(session: Session, users: People, event: Event) -> None:
    fund_the_bank(session, taka(74_999))
    batch = submit(
        session,
        batch=create_batch(session, event=event, actor=officer(users), secret_key=SECRET),
        actor=officer(users),
    )
    with pytest.raises(
        InsufficientFunds, match=r"74,999\.00 BDT available; batch \d+ needs 75,000"
    ):
        approve(session, batch=batch, actor=approver(users), on=APPROVED_ON)
    assert batch.state == "submitted"
    assert approvals(session, batch) == 0
    fund_the_bank(session, taka(1), key="top-up")
    approve(session, batch=batch, actor=approver(users), on=APPROVED_ON)
    assert available_funds(session) == 0


def test_no_worker_is_in_two_live_batches(session: Session, users: People, event: Event) -> None:
    first = create_batch(session, event=event, actor=officer(users), secret_key=SECRET)
    with pytest.raises(NothingToPay):
        create_batch(session, event=event, actor=officer(users), secret_key=SECRET)
    with pytest.raises(BatchRefused, match="say why"):
        cancel(session, batch=first, actor=officer(users), reason=" ")
    cancel(session, batch=first, actor=officer(users), reason="wrong roll")
    assert {line.state for line in first.lines} == {"void"}
    second = create_batch(session, event=event, actor=officer(users), secret_key=SECRET)
    assert len(second.lines) == 3
    submit(session, batch=second, actor=officer(users))
    reject(session, batch=second, actor=approver(users), reason="check wallets")
    assert create_batch(
        session, event=event, actor=officer(users), secret_key=SECRET
    ).total_minor == taka(75_000)


def test_the_database_refuses_a_second_live_line_and_self_approval(
    session: Session, users: People, event: Event
) -> None:
    batch = create_batch(session, event=event, actor=officer(users), secret_key=SECRET)
    line = batch.lines[0]
    with session.begin_nested():
        session.add(
            PaymentLine(
                batch_id=batch.id,
                event_id=event.id,
                entitlement_id=line.entitlement_id,
                run_id=line.run_id,
                worker_id=line.worker_id,
                name=line.name,
                national_id_masked=line.national_id_masked,
                method="cash",
                amount_minor=line.amount_minor,
                receipt_number="WF-test-duplicate",
                verification_code="X",
            )
        )
        with pytest.raises(IntegrityError):
            session.flush()
    submit(session, batch=batch, actor=officer(users))
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(
            update(DisbursementBatch)
            .where(DisbursementBatch.id == batch.id)
            .values(approved_by_id=officer(users).id)
        )


def test_states_are_followed(session: Session, users: People, event: Event) -> None:
    batch = create_batch(session, event=event, actor=officer(users), secret_key=SECRET)
    with pytest.raises(BatchRefused, match="is draft; this needs it submitted"):
        approve(session, batch=batch, actor=approver(users), on=APPROVED_ON)
    submit(session, batch=batch, actor=officer(users))
    with pytest.raises(BatchRefused, match="is submitted; this needs it draft"):
        submit(session, batch=batch, actor=officer(users))
