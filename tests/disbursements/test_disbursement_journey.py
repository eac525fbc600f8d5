"""The whole journey of a batch, with the books checked after every step, and every refusal."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from fund.audit.models import AuditEvent
from fund.disbursements.approving import approve, available_funds, cancel, submit
from fund.disbursements.making import create_batch
from fund.disbursements.models import BatchTransition, PaymentLine
from fund.disbursements.outputs import payment_rows
from fund.disbursements.payee_changes import approve_payee_change, request_payee_change
from fund.disbursements.paying import mark_failed, mark_paid, pay, transfer_to_float
from fund.disbursements.payment_files import build_payment_file
from fund.disbursements.reissuing import PayeeChangeNeeded, expire_unclaimed, reissue
from fund.disbursements.services import (
    BatchStateError,
    InsufficientFunds,
    NothingToPay,
    SelfApprovalRefused,
    UnknownWorkers,
)
from fund.disbursements.settling import reconcile
from fund.entitlements.policy_versions import policy_for
from fund.entitlements.services import compute_for_event
from fund.events.services import change_end
from tests.disbursements.conftest import EACH, SECRET, World
from tests.entitlements.helpers import taka

APPROVED_ON = date(2024, 5, 2)
PAID_ON = date(2024, 5, 3)
FEES = {"mobile": taka(10), "bank": taka(25), "cash": 0}


def by_worker(world: World, batch_id: int) -> dict[str, PaymentLine]:
    world.session.expire_all()
    lines = world.session.scalars(
        select(PaymentLine)
        .where(PaymentLine.batch_id == batch_id, PaymentLine.state != "reissued")
        .order_by(PaymentLine.id)
    )
    return {line.worker_id: line for line in lines}


def result_file(rows: list[tuple[str, str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Reference", "Amount", "Status", "Transaction ID", "Message"])
    for number, (reference, amount, status) in enumerate(rows):
        writer.writerow([reference, amount, status, f"TRX{number}", "wallet closed"])
    return out.getvalue().encode()


def test_the_whole_journey_keeps_the_books(world: World) -> None:
    s = world.session
    world.fund_bank(taka(200_000))
    start = world.balances()
    assert start == {"5000": 0, "2000": 0, "1010": taka(200_000), "1020": 0, "5100": 0, "2100": 0}

    batch = create_batch(s, event=world.event, actor=world.officer, secret_key=SECRET)
    assert (batch.line_count, batch.total_minor) == (4, 4 * EACH)
    lines = by_worker(world, batch.id)
    assert {w: line.method for w, line in lines.items()} == {
        "M-1": "mobile",
        "B-2": "bank",
        "C-3": "cash",
        "M-4": "mobile",
    }
    assert lines["M-1"].national_id_masked == "•••••••••0001"
    assert world.balances() == start  # a draft posts nothing

    submit(s, batch=batch, actor=world.officer)
    with pytest.raises(SelfApprovalRefused):
        approve(s, batch=batch, actor=world.officer, on=APPROVED_ON, fees=FEES)
    approve(s, batch=batch, actor=world.approver, on=APPROVED_ON, fees=FEES)
    entries_after_approval = world.entries()
    approve(s, batch=batch, actor=world.approver, on=APPROVED_ON, fees=FEES)  # double click
    assert world.entries() == entries_after_approval
    assert world.balances() == {**start, "5000": 4 * EACH, "2000": -4 * EACH}
    world.books_sound()
    assert available_funds(s) == taka(200_000) - 4 * EACH

    # The float is empty: paying the mobile lines would overdraw it, so nothing is paid.
    with pytest.raises(InsufficientFunds, match="Mobile-money float"):
        pay(s, batch=batch, actor=world.accountant, on=PAID_ON, fees=FEES)
    assert batch.state == "approved"
    assert world.entries() == entries_after_approval
    transfer_to_float(s, amount_minor=2 * EACH, actor=world.accountant, on=PAID_ON)
    pay(s, batch=batch, actor=world.accountant, on=PAID_ON, fees=FEES)
    pay(s, batch=batch, actor=world.accountant, on=PAID_ON, fees=FEES)  # a retry
    fees = 2 * FEES["mobile"] + FEES["bank"]
    paid = {
        "5000": 4 * EACH,
        "2000": 0,
        "1010": taka(200_000) - 2 * EACH - EACH - EACH - fees,  # float, bank, cash, fees
        "1020": 0,
        "5100": fees,
        "2100": 0,
    }
    assert world.balances() == paid
    assert batch.state == "paid"
    world.books_sound()

    # The provider pays M-1, fails M-4; the bank pays B-2; two rows match nothing we sent.
    mobile = {row[0]: row[2] for row in payment_rows(s, batch, method="mobile")}
    lines = by_worker(world, batch.id)
    ref = {w: line.receipt_number for w, line in lines.items()}
    data = result_file(
        [
            (ref["M-1"], "25000.00", "success"),
            (ref["M-4"], "25000.00", "failed"),
            (ref["B-2"], "25,000.00", "completed"),
            ("WF-999999-00001", "10.00", "success"),
            (ref["C-3"], "24000.00", "paid"),
        ]
    )
    assert set(mobile) == {ref["M-1"], ref["M-4"]}
    result = reconcile(
        s, batch=batch, actor=world.accountant, data=data, filename="r.csv", on=PAID_ON
    )
    assert (result.paid, result.failed, result.repeated) == (2, 1, False)
    assert len(result.mismatches) == 2
    assert any("unknown reference" in m and "WF-999999-00001" in m for m in result.mismatches)
    assert any("differs" in m and ref["C-3"] in m for m in result.mismatches)
    lines = by_worker(world, batch.id)
    assert {w: line.state for w, line in lines.items()} == {
        "M-1": "paid",
        "B-2": "paid",
        "C-3": "pending",
        "M-4": "failed",
    }
    assert lines["M-1"].provider_reference == "TRX0"
    after_result = {**paid, "1020": EACH, "2000": -EACH}  # M-4's money came back
    assert world.balances() == after_result
    world.books_sound()

    # The same file again changes nothing.
    entries = world.entries()
    again = reconcile(
        s, batch=batch, actor=world.accountant, data=data, filename="r.csv", on=PAID_ON
    )
    assert again.repeated
    assert (again.paid, again.failed) == (2, 1)
    assert world.entries() == entries
    assert world.balances() == after_result
    # A different file saying a settled line failed is a mismatch, not a change.
    late = reconcile(
        s,
        batch=batch,
        actor=world.accountant,
        data=result_file([(ref["M-1"], "25000.00", "failed")]),
        filename="late.csv",
        on=PAID_ON,
    )
    assert late.failed == 0
    assert "already settled (paid)" in late.mismatches[0]

    mark_paid(s, line=lines["C-3"], actor=world.accountant, on=PAID_ON)  # the cash desk
    # M-4 gets a new wallet: a payee change the accountant asks for and an approver approves;
    # then a new line, its money out of the float again.
    with pytest.raises(PayeeChangeNeeded):
        reissue(
            s, line=lines["M-4"], actor=world.accountant, on=PAID_ON, secret_key=SECRET,
            wallet_number="01911000004",
        )  # fmt: skip
    change = request_payee_change(
        s, line=lines["M-4"], actor=world.accountant, reason="worker called the helpline",
        wallet_number="01911000004",
    )  # fmt: skip
    fresh = approve_payee_change(
        s, change=change, actor=world.approver, on=PAID_ON, secret_key=SECRET
    )
    assert (fresh.state, fresh.wallet_number, fresh.reissue_of_id) == (
        "pending",
        "01911000004",
        lines["M-4"].id,
    )
    assert fresh.receipt_number == f"{ref['M-4']}-R1"
    assert world.balances() == paid
    world.books_sound()

    # That fails too, and nobody claims it within 30 days: it moves to unclaimed payouts.
    later = PAID_ON + timedelta(days=3)
    mark_failed(s, line=fresh, actor=world.accountant, on=later, reason="wallet blocked")
    assert world.balances() == after_result
    assert expire_unclaimed(s, batch=batch, actor=world.accountant, on=later, after_days=30) == []
    moved = expire_unclaimed(
        s, batch=batch, actor=world.accountant, on=later + timedelta(days=30), after_days=30
    )
    assert [line.id for line in moved] == [fresh.id]
    unclaimed = {**after_result, "2000": 0, "2100": -EACH}
    assert world.balances() == unclaimed
    # Still owed to the worker: not available for another batch.
    assert available_funds(s) == unclaimed["1010"] + EACH - EACH
    world.books_sound()

    # The worker turns up: reissued from unclaimed payouts, by cash.
    by_cash = request_payee_change(
        s, line=fresh, actor=world.accountant, reason="came to the office", method="cash"
    )
    last = approve_payee_change(
        s, change=by_cash, actor=world.approver, on=later + timedelta(days=40), secret_key=SECRET
    )
    assert last.payable_code == "2100"
    assert last.receipt_number == f"{ref['M-4']}-R2"
    # the cash comes from the bank; the failed mobile money still sits in the float
    assert world.balances() == {**unclaimed, "2100": 0, "1010": paid["1010"] - EACH, "1020": EACH}
    world.books_sound()

    # Every step is in the batch's history and the audit log.
    steps = s.scalars(
        select(BatchTransition.to_state)
        .where(BatchTransition.batch_id == batch.id, BatchTransition.line_id.is_(None))
        .order_by(BatchTransition.id)
    ).all()
    assert steps == ["draft", "submitted", "approved", "paid"]
    line_steps = s.scalar(
        select(func.count(BatchTransition.id)).where(BatchTransition.line_id.is_not(None))
    )
    audited = s.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.object_type == "line"))
    assert line_steps == audited
    assert audited
    assert audited >= 9


def test_selection_and_unknown_workers(world: World) -> None:
    batch = create_batch(
        world.session, event=world.event, actor=world.officer, secret_key=SECRET,
        selection=["M-1", "B-2"],
    )  # fmt: skip
    assert batch.total_minor == 2 * EACH
    with pytest.raises(UnknownWorkers, match="NOBODY"):
        create_batch(
            world.session, event=world.event, actor=world.officer, secret_key=SECRET,
            selection=["NOBODY"],
        )  # fmt: skip
    rest = create_batch(world.session, event=world.event, actor=world.officer, secret_key=SECRET)
    assert sorted(by_worker(world, rest.id)) == ["C-3", "M-4"]


def test_a_top_up_pays_only_the_difference(world: World) -> None:
    s = world.session
    first = create_batch(s, event=world.event, actor=world.officer, secret_key=SECRET)
    # The suspension is found to have lasted 90 days: computed again, everyone is owed more.
    change_end(s, event=world.event, new_end=date(2024, 5, 29), reason="extended", actor=None)
    compute_for_event(
        s,
        event=world.event,
        policy_version=policy_for(s, "alliance-wage-replacement"),
        through=None,
        actor=world.officer,
    )
    with pytest.raises(NothingToPay, match="top-up"):
        create_batch(s, event=world.event, actor=world.officer, secret_key=SECRET)
    top_up = create_batch(s, event=world.event, actor=world.officer, secret_key=SECRET, top_up=True)
    assert top_up.kind == "top_up"
    owed_now = taka(37_500)  # 90 days of 12,500 a month
    assert {line.amount_minor for line in by_worker(world, top_up.id).values()} == {owed_now - EACH}
    assert first.total_minor + top_up.total_minor == 4 * owed_now
    with pytest.raises(NothingToPay):
        create_batch(s, event=world.event, actor=world.officer, secret_key=SECRET, top_up=True)
    # A computation pays a worker at most once: with the first batch cancelled, the rest of
    # the new amount is not added as a second line of the same run...
    cancel(s, batch=first, actor=world.officer, reason="to be paid in one go")
    with pytest.raises(NothingToPay):
        create_batch(s, event=world.event, actor=world.officer, secret_key=SECRET, top_up=True)
    # ...cancel the top-up too, and one batch pays the whole new amount.
    cancel(s, batch=top_up, actor=world.officer, reason="to be paid in one go")
    whole = create_batch(s, event=world.event, actor=world.officer, secret_key=SECRET)
    assert whole.total_minor == 4 * owed_now


def test_a_cancelled_batch_cannot_be_paid_and_an_approved_one_is_reversed(world: World) -> None:
    s = world.session
    world.fund_bank(taka(200_000))
    draft = create_batch(s, event=world.event, actor=world.officer, secret_key=SECRET)
    with pytest.raises(BatchStateError, match="is draft"):
        pay(s, batch=draft, actor=world.accountant, on=PAID_ON)
    submit(s, batch=draft, actor=world.officer)
    approve(s, batch=draft, actor=world.approver, on=APPROVED_ON)
    entries = world.entries()
    cancel(s, batch=draft, actor=world.approver, reason="wrong roll", on=APPROVED_ON)
    assert world.entries() == entries + 1  # the reversal
    assert world.balances()["5000"] == 0
    assert world.balances()["2000"] == 0
    with pytest.raises(BatchStateError, match="is cancelled"):
        pay(s, batch=draft, actor=world.accountant, on=PAID_ON)
    assert world.entries() == entries + 1
    with pytest.raises(BatchStateError):
        reconcile(
            s, batch=draft, actor=world.accountant, data=b"reference,amount,status\n",
            filename="r.csv", on=PAID_ON,
        )  # fmt: skip
    world.books_sound()
    assert {line.state for line in by_worker(world, draft.id).values()} == {"void"}
    # Its workers can be paid by a new batch.
    assert (
        create_batch(s, event=world.event, actor=world.officer, secret_key=SECRET).line_count == 4
    )


def test_roles_are_checked_by_the_service_too(world: World) -> None:
    from fund.auth.roles import Role
    from fund.disbursements.services import NotAllowed

    auditor = world.people.by_role[Role.AUDITOR]
    with pytest.raises(NotAllowed):
        create_batch(world.session, event=world.event, actor=auditor, secret_key=SECRET)
    batch = create_batch(world.session, event=world.event, actor=world.officer, secret_key=SECRET)
    submit(world.session, batch=batch, actor=world.officer)
    with pytest.raises(NotAllowed):
        approve(world.session, batch=batch, actor=world.accountant, on=APPROVED_ON)


def test_payment_file_cells_are_neutralised() -> None:
    data = build_payment_file(
        [("WF-1", "01711000001", 12345, '=HYPERLINK("x")'), ("WF-2", "+8801711", 100, "@me")],
        file_format="mobile",
        currency="BDT",
    )
    assert data.startswith(b"\xef\xbb\xbf")  # Excel opens Bengali names right by double-click
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["Reference", "Wallet", "Amount", "Name"]
    assert rows[1] == ["WF-1", "01711000001", "123.45", '\'=HYPERLINK("x")']
    assert rows[2] == ["WF-2", "'+8801711", "1.00", "'@me"]
    bank = build_payment_file(
        [("WF-3", "0123", 100, "-x", "225261732")],
        file_format="bank",
        currency="BDT",
        narration="+n",
        bom=False,
    )
    assert not bank.startswith(b"\xef\xbb\xbf")
    assert list(csv.reader(io.StringIO(bank.decode()))) == [
        ["Reference", "Account Number", "Routing Number", "Account Name", "Amount", "Narration"],
        ["WF-3", "0123", "225261732", "'-x", "1.00", "'+n"],
    ]


def test_expiring_with_a_period_before_the_calendar_moves_nothing(world: World) -> None:
    batch = create_batch(world.session, event=world.event, actor=world.officer, secret_key=SECRET)
    early = date(3, 1, 1)
    assert expire_unclaimed(world.session, batch=batch, actor=world.accountant, on=early) == []
