"""Approval thresholds (distinct approvers by amount band) and segregation of duties."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from fund.auth.duties import conflicting
from fund.auth.errors import RoleRefused
from fund.auth.roles import Role
from fund.auth.services import change_role
from fund.controls.approvals import (
    DEFAULT_BANDS,
    BandsInvalid,
    approvals_needed,
    approvers,
    bands_from_config,
    check_bands,
)
from fund.disbursements.approving import approve, submit
from fund.disbursements.making import create_batch
from fund.disbursements.services import SelfApprovalRefused
from ledger.models import JournalEntry
from tests.disbursements.conftest import EACH, SECRET, World
from tests.entitlements.helpers import taka

#: Two approvers from 50,000 BDT: the world's four workers (100,000 BDT) need both.
LOW_BANDS = ((taka(50_000), 1), (None, 2))


def test_the_default_bands_one_approver_up_to_a_million_taka_two_above() -> None:
    assert approvals_needed(taka(1_000_000)) == 1
    assert approvals_needed(taka(1_000_000) + 1) == 2
    assert approvals_needed(0, DEFAULT_BANDS) == 1
    assert (
        approvals_needed(taka(5_000_000), ((taka(1_000_000), 1), (taka(3_000_000), 2), (None, 3)))
        == 3
    )


@pytest.mark.parametrize(
    "bands",
    [(), ((taka(1), 1),), ((None, 1), (taka(5), 2)), ((taka(5), 1), (taka(1), 2), (None, 3)),
     ((taka(5), 0), (None, 2))],
)  # fmt: skip
def test_bands_that_do_not_cover_every_amount_are_refused(bands: tuple) -> None:  # type: ignore[type-arg]
    with pytest.raises(BandsInvalid):
        check_bands(bands)


def test_bands_come_from_the_config() -> None:
    assert bands_from_config({}) == DEFAULT_BANDS
    assert bands_from_config({"APPROVAL_BANDS": [[500, 1], [None, 3]]}) == ((500, 1), (None, 3))


@given(st.integers(min_value=0, max_value=10**15), st.integers(min_value=0, max_value=10**15))
def test_a_larger_batch_never_needs_fewer_approvers(a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert approvals_needed(low) <= approvals_needed(high)


def test_a_large_batch_waits_for_two_distinct_approvers_and_posts_once(world: World) -> None:
    session = world.session
    world.fund_bank(taka(1_000_000))
    second = world.people.make("approver2", Role.APPROVER)
    batch = create_batch(session, event=world.event, actor=world.officer, secret_key=SECRET)
    submit(session, batch=batch, actor=world.officer, bands=LOW_BANDS)
    assert batch.approvals_required == 2
    with pytest.raises(SelfApprovalRefused):
        approve(session, batch=batch, actor=world.officer, on=date(2024, 5, 2))
    approve(session, batch=batch, actor=world.approver, on=date(2024, 5, 2))
    approve(session, batch=batch, actor=world.approver, on=date(2024, 5, 2))  # a second click
    assert batch.state == "submitted"
    assert [a.approver.username for a in approvers(session, batch.id)] == ["approver"]
    key = f"batch:{batch.id}:approve"
    count = select(func.count(JournalEntry.id)).where(JournalEntry.idempotency_key == key)
    assert session.scalar(count) == 0
    approve(session, batch=batch, actor=second, on=date(2024, 5, 2))
    assert batch.state == "approved"
    assert batch.approved_by_id == second.id
    assert session.scalar(count) == 1
    approve(session, batch=batch, actor=second, on=date(2024, 5, 2))  # repeat: nothing more
    assert session.scalar(count) == 1
    assert world.balances()["2000"] == -4 * EACH
    world.books_sound()


def test_a_small_batch_needs_one_approver(world: World) -> None:
    world.fund_bank(taka(1_000_000))
    batch = create_batch(world.session, event=world.event, actor=world.officer, secret_key=SECRET)
    submit(world.session, batch=batch, actor=world.officer)
    assert batch.approvals_required == 1
    approve(world.session, batch=batch, actor=world.approver, on=date(2024, 5, 2))
    assert batch.state == "approved"


def test_officer_and_approver_and_accountant_and_approver_conflict() -> None:
    assert conflicting({Role.OFFICER, Role.APPROVER})
    assert conflicting({Role.ACCOUNTANT, Role.APPROVER})
    assert not conflicting({Role.OFFICER, Role.ACCOUNTANT})


def test_a_role_change_across_conflicting_duties_with_open_work_is_refused(world: World) -> None:
    session = world.session
    batch = create_batch(session, event=world.event, actor=world.officer, secret_key=SECRET)
    with pytest.raises(RoleRefused, match="prepared or submitted"):
        change_role(session, user=world.officer, role=Role.APPROVER, actor=world.people.admin)
    assert world.officer.role == "officer"
    # officer → accountant does not conflict
    other = world.people.make("officer2", Role.OFFICER)
    change_role(session, user=other, role=Role.ACCOUNTANT, actor=world.people.admin)
    assert other.role == "accountant"
    # once the batch is closed, the officer may become an approver
    from fund.disbursements.approving import cancel

    cancel(session, batch=batch, actor=world.officer, reason="redo")
    version = world.officer.session_version
    change_role(session, user=world.officer, role=Role.APPROVER, actor=world.people.admin)
    assert world.officer.role == "approver"
    assert world.officer.session_version == version + 1  # signed in with the old duty: out


def test_an_approver_with_an_unpaid_approval_cannot_become_accountant(world: World) -> None:
    session = world.session
    world.fund_bank(taka(1_000_000))
    batch = create_batch(session, event=world.event, actor=world.officer, secret_key=SECRET)
    submit(session, batch=batch, actor=world.officer)
    approve(session, batch=batch, actor=world.approver, on=date(2024, 5, 2))
    with pytest.raises(RoleRefused, match="approved"):
        change_role(session, user=world.approver, role=Role.ACCOUNTANT, actor=world.people.admin)
    with pytest.raises(RoleRefused, match="brand"):
        change_role(session, user=world.people.nord, role=Role.OFFICER, actor=world.people.admin)


def test_a_user_holds_one_role_in_the_data_model(world: World) -> None:
    # users.role is one column with a CHECK: officer-and-approver cannot even be written down
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    with pytest.raises(DBAPIError), world.session.begin_nested():
        world.session.execute(
            text("UPDATE users SET role = 'officer,approver' WHERE id = :id"),
            {"id": world.officer.id},
        )
