"""The home page's work queue, an event's life and the approver's panel, through the services."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from fund.auth.roles import Role
from fund.dashboard.cover import fund_cover
from fund.dashboard.queue import Group, months_to_close, waiting_total, work_queue
from fund.disbursements.approving import approve, available_funds, submit
from fund.disbursements.decision import decision, roll_change, shown_state
from fund.disbursements.making import create_batch
from fund.disbursements.models import DisbursementBatch, PaymentLine
from fund.disbursements.paying import mark_failed, mark_paid, pay, transfer_to_float
from fund.disbursements.services import CASH_ACCOUNTS
from fund.events.life import DONE, LATER, WAITING, event_life, events_wanting
from fund.events.services import create_event, set_roll
from fund.reports.services import close_month
from ledger import account
from ledger.queries import balance
from tests.disbursements.conftest import EACH, ROLL, SECRET, World
from tests.entitlements.helpers import stored_roll, taka

#: The same four workers at GZP-2, with national IDs and wallets of their own.
OTHER_ROLL = ROLL.replace("DHK", "GZP").replace(",19900", ",19800").replace(",017110", ",018110")

TODAY = date(2024, 6, 1)
ON = date(2024, 5, 2)


def kinds(groups: list[Group]) -> dict[str, list[str]]:
    return {group.kind: [item.what for item in group.items] for group in groups}


def queue_of(world: World, role: Role) -> dict[str, list[str]]:
    return kinds(work_queue(world.session, user=world.people.by_role[role], today=TODAY))


def stages(world: World) -> dict[str, str]:
    return {stage.name: stage.state for stage in event_life(world.session, world.event)}


def test_each_role_sees_its_next_step_as_the_event_moves_on(world: World) -> None:
    s = world.session
    # computed, no batch yet: the officer makes one; nobody else has anything to do
    assert list(queue_of(world, Role.OFFICER)) == ["unbatched"]
    assert queue_of(world, Role.APPROVER) == {}
    assert stages(world)["Batches"] == WAITING
    assert stages(world)["Approved"] == LATER

    batch = create_batch(s, event=world.event, actor=world.officer, secret_key=SECRET)
    officer = queue_of(world, Role.OFFICER)
    assert list(officer) == ["drafts"]
    assert officer["drafts"] == [f"Batch {batch.id}, DHK-1: 4 workers, 100,000.00 BDT"]

    submit(s, batch=batch, actor=world.officer)
    assert queue_of(world, Role.OFFICER) == {}
    approver = work_queue(s, user=world.approver, today=TODAY)
    assert [(g.kind, g.count) for g in approver] == [("to_approve", 1)]
    assert approver[0].items[0].endpoint == "disbursements.detail"
    assert approver[0].items[0].args == {"batch_id": batch.id}
    assert stages(world)["Approved"] == WAITING

    world.fund_bank(taka(200_000))
    transfer_to_float(s, amount_minor=taka(60_000), actor=world.accountant, on=ON)
    approve(s, batch=batch, actor=world.approver, on=ON)
    assert batch.state == "approved"
    assert queue_of(world, Role.APPROVER) == {}
    assert list(queue_of(world, Role.OFFICER)) == ["to_pay"]
    assert list(queue_of(world, Role.ACCOUNTANT)) == ["to_pay", "months"]
    assert stages(world)["Approved"] == DONE
    assert stages(world)["Paid"] == WAITING

    pay(s, batch=batch, actor=world.accountant, on=ON)
    assert queue_of(world, Role.OFFICER)["to_reconcile"] == [
        f"Batch {batch.id}, DHK-1: 4 of 4 payments not settled"
    ]
    assert stages(world)["Paid"] == DONE
    assert stages(world)["Reconciled"] == WAITING

    for line in s.scalars(select(PaymentLine).where(PaymentLine.batch_id == batch.id)):
        mark_paid(s, line=line, actor=world.accountant, on=ON)
    assert "to_reconcile" not in queue_of(world, Role.OFFICER)
    assert set(stages(world).values()) == {DONE}


def test_an_event_without_a_roll_waits_for_one_and_is_offered_the_stored_roll(
    world: World,
) -> None:
    s, people = world.session, world.people
    gzp = people.factories["GZP-2"]
    event = create_event(
        s, factory=gzp, actor=people.admin, kind="suspension", start=date(2024, 3, 1)
    )
    waiting = queue_of(world, Role.OFFICER)["no_roll"]
    assert waiting == [event.title]
    first = event_life(s, event)[0]
    assert (first.state, first.action, first.endpoint) == (
        WAITING,
        "Import GZP-2's roll",
        "rolls.index",
    )
    roll = stored_roll(s, gzp, OTHER_ROLL)
    assert events_wanting(s, roll) == [event]  # the roll page offers to attach it
    first = event_life(s, event)[0]
    assert first.action == f"Attach roll version {roll.version}"
    set_roll(s, event=event, roll=roll, actor=people.admin)
    assert events_wanting(s, roll) == []
    assert "no_roll" not in queue_of(world, Role.OFFICER)
    assert [event.title + ": not computed yet"] == queue_of(world, Role.OFFICER)["uncomputed"]


def test_months_to_close_are_the_past_open_months_with_postings(world: World) -> None:
    s = world.session
    world.fund_bank(taka(10), key="jan")  # dated 10 January 2024
    assert months_to_close(s, today=date(2024, 4, 10)) == [
        date(2024, 1, 31),
        date(2024, 2, 29),
        date(2024, 3, 31),
    ]
    assert months_to_close(s, today=date(2024, 1, 31)) == []  # January is not over yet
    groups = work_queue(s, user=world.accountant, today=date(2024, 4, 10))
    months = next(g for g in groups if g.kind == "months")
    assert months.count == 3
    assert len(months.items) == 1  # one close covers them all
    assert months.items[0].action == "Close the books through March 2024"
    assert waiting_total(groups) == sum(g.count for g in groups)
    close_month(s, through=date(2024, 1, 31), actor=world.accountant)
    assert months_to_close(s, today=date(2024, 4, 10)) == []  # nothing posted since


def test_the_cover_figures_tie_to_the_ledger_and_the_batches(world: World) -> None:
    s = world.session
    world.fund_bank(taka(200_000))
    batch = create_batch(s, event=world.event, actor=world.officer, secret_key=SECRET)
    cover = fund_cover(s)
    assert cover.cash == sum(balance(s, account(s, code)) for code in CASH_ACCOUNTS)
    assert cover.drafts == batch.total_minor == 4 * EACH
    assert cover.awaiting_approval == 0
    submit(s, batch=batch, actor=world.officer)
    transfer_to_float(s, amount_minor=taka(60_000), actor=world.accountant, on=ON)
    cover = fund_cover(s)
    assert (cover.drafts, cover.awaiting_approval) == (0, 4 * EACH)
    approve(s, batch=batch, actor=world.approver, on=ON)
    cover = fund_cover(s)
    payable = balance(s, account(s, "2000", currency="BDT", event=str(world.event.id)))
    assert cover.approved_unpaid == -payable == 4 * EACH
    assert cover.after_commitments == cover.cash - 4 * EACH  # the suspension has ended


def test_the_decision_panel_ties_to_the_lines_the_roll_and_the_funds(world: World) -> None:
    s = world.session
    world.fund_bank(taka(200_000))
    batch = create_batch(s, event=world.event, actor=world.officer, secret_key=SECRET)
    panel = decision(s, batch)
    assert sum(m.amount_minor for m in panel.methods) == batch.total_minor
    assert {m.method: m.lines for m in panel.methods} == {"mobile": 2, "bank": 1, "cash": 1}
    assert (panel.in_batch, panel.held, panel.eligible_elsewhere) == (4, 0, 0)
    assert panel.available_minor == available_funds(s)
    assert panel.available_after_minor == available_funds(s) - batch.total_minor
    assert panel.roll is not None
    assert panel.roll.previous_version is None
    assert panel.roll.headcount == 4
    assert panel.roll.wage_bill_minor == 4 * taka(12_500)
    # a newer roll with one worker gone and one paid 1,000 more: compared with the one before
    text = "\n".join(ROLL.splitlines()[:-1]).replace(",6700,3350,", ",7700,3350,", 1) + "\n"
    newer = stored_roll(s, world.people.factories["DHK-1"], text)
    change = roll_change(s, newer.id)
    assert (change.version, change.previous_version) == (2, 1)
    assert (change.headcount, change.headcount_change) == (3, -1)
    assert change.wage_bill_change_minor == taka(1_000) - taka(12_500)


def test_a_released_batch_is_paid_only_once_its_lines_settle(world: World) -> None:
    s = world.session
    world.fund_bank(taka(200_000))
    transfer_to_float(s, amount_minor=taka(60_000), actor=world.accountant, on=ON)
    batch = create_batch(s, event=world.event, actor=world.officer, secret_key=SECRET)
    assert shown_state(s, batch) == "draft"
    submit(s, batch=batch, actor=world.officer)
    approve(s, batch=batch, actor=world.approver, on=ON)
    pay(s, batch=batch, actor=world.accountant, on=ON)
    assert batch.state == "paid"  # the stored state: the money left the fund
    assert shown_state(s, batch) == "released"
    lines = list(s.scalars(select(PaymentLine).where(PaymentLine.batch_id == batch.id)))
    for line in lines[:-1]:
        mark_paid(s, line=line, actor=world.accountant, on=ON)
    assert shown_state(s, batch) == "released"
    mark_failed(s, line=lines[-1], actor=world.accountant, on=ON, reason="wallet closed")
    assert shown_state(s, batch) == "partly paid"
    assert s.get(DisbursementBatch, batch.id) is batch


def test_the_helpline_sees_claims_coming_due_oldest_deadline_first(world: World) -> None:
    from fund.claims.filing import file_claim

    s = world.session
    helpline = world.people.by_role[Role.HELPLINE]
    claim = file_claim(
        s,
        event=world.event,
        kind="not_on_roll",
        raised_by="helpline",
        worker_name="Nasrin Akter",
        national_id="1990000000099",
        actor=helpline,
        today=date(2024, 5, 10),
    )
    far = work_queue(s, user=helpline, today=claim.due_on - timedelta(days=8))
    assert far == []  # not due within the week yet
    (group,) = work_queue(s, user=helpline, today=claim.due_on - timedelta(days=7))
    assert group.kind == "claims"
    assert group.items[0].what.endswith(f"due {claim.due_on.isoformat()}")
    assert group.items[0].args == {"claim_id": claim.id}
    (group,) = work_queue(s, user=helpline, today=claim.due_on + timedelta(days=1))
    assert f"overdue since {claim.due_on.isoformat()}" in group.items[0].what
    assert queue_of(world, Role.APPROVER) == {}  # claims are not the approver's work
