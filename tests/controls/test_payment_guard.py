"""The double-payment guard: overlapping suspension days or a second separation benefit for one
national ID at one factory are refused by the service, and by the database when it is bypassed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import psycopg
import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from fund.auth.roles import Role
from fund.controls import payment_guard
from fund.controls.models import PaymentClaim
from fund.disbursements.approving import cancel, submit
from fund.disbursements.making import create_batch
from fund.disbursements.models import DisbursementBatch
from fund.disbursements.services import DoublePaymentRefused
from fund.entitlements.policy_versions import policy_for
from fund.entitlements.services import compute_for_event
from fund.events.models import Event
from fund.events.services import change_end, create_event
from tests.disbursements.conftest import SECRET, World


def second_event(world: World, start: date, end: date | None, kind: str = "suspension") -> Event:
    """Another event of DHK-1 on the same roll (the same people), computed."""
    event = create_event(
        world.session,
        factory=world.event.factory,
        actor=world.people.admin,
        kind=kind,
        start=start,
        end=end,
        roll=world.event.roll,
    )
    compute_for_event(
        world.session,
        event=event,
        policy_version=policy_for(world.session, "alliance-wage-replacement"),
        through=None,
        actor=world.officer,
    )
    return event


def claims(session: Session) -> list[tuple[str, date, date, bool]]:
    return [
        (c.kind, c.first_day, c.last_day, c.active)
        for c in session.scalars(select(PaymentClaim).order_by(PaymentClaim.id))
    ]


def test_paid_span_counts_days_as_the_rules_do() -> None:
    assert payment_guard.paid_span(date(2024, 3, 1), 60, ()) == (
        date(2024, 3, 1),
        date(2024, 4, 29),
    )
    # working days: Fridays (4) skipped; 1 March 2024 is a Friday
    assert payment_guard.paid_span(date(2024, 3, 1), 6, {4}) == (date(2024, 3, 1), date(2024, 3, 7))
    with pytest.raises(ValueError, match="at least one day"):
        payment_guard.paid_span(date(2024, 3, 1), 0, ())


def test_each_line_writes_a_claim_and_an_overlapping_event_is_refused(world: World) -> None:
    batch = create_batch(world.session, event=world.event, actor=world.officer, secret_key=SECRET)
    assert claims(world.session) == [("suspension", date(2024, 3, 1), date(2024, 4, 29), True)] * 4
    overlapping = second_event(world, date(2024, 4, 15), date(2024, 5, 31))
    with pytest.raises(DoublePaymentRefused, match="already paid by event") as refused:
        create_batch(world.session, event=overlapping, actor=world.officer, secret_key=SECRET)
    assert "M-1" in str(refused.value)
    assert "1990000000001" not in str(refused.value)  # the national ID is masked
    # cancelling the first batch frees the days
    cancel(world.session, batch=batch, actor=world.officer, reason="duplicate event")
    assert all(not active for *_, active in claims(world.session))
    create_batch(world.session, event=overlapping, actor=world.officer, secret_key=SECRET)


def test_days_after_the_paid_ones_can_be_paid_by_another_event(world: World) -> None:
    create_batch(world.session, event=world.event, actor=world.officer, secret_key=SECRET)
    later = second_event(world, date(2024, 4, 30), date(2024, 5, 30))
    batch = create_batch(world.session, event=later, actor=world.officer, secret_key=SECRET)
    assert batch.line_count == 4


def test_a_separation_benefit_is_paid_once(world: World) -> None:
    closure = second_event(world, date(2024, 6, 30), None, kind="closure")
    create_batch(world.session, event=closure, actor=world.officer, secret_key=SECRET)
    again = second_event(world, date(2024, 7, 31), None, kind="closure")
    with pytest.raises(DoublePaymentRefused):
        create_batch(world.session, event=again, actor=world.officer, secret_key=SECRET)


def test_a_top_up_claims_only_the_new_days(world: World) -> None:
    create_batch(world.session, event=world.event, actor=world.officer, secret_key=SECRET)
    change_end(
        world.session,
        event=world.event,
        new_end=date(2024, 5, 9),
        reason="remediation late",
        actor=world.officer,
    )
    compute_for_event(
        world.session,
        event=world.event,
        policy_version=policy_for(world.session, "alliance-wage-replacement"),
        through=None,
        actor=world.officer,
    )
    create_batch(
        world.session, event=world.event, actor=world.officer, secret_key=SECRET, top_up=True
    )
    assert (
        claims(world.session)[4:] == [("suspension", date(2024, 4, 30), date(2024, 5, 9), True)] * 4
    )


def test_the_database_refuses_a_double_payment_when_the_service_check_is_bypassed(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_batch(world.session, event=world.event, actor=world.officer, secret_key=SECRET)
    overlapping = second_event(world, date(2024, 4, 1), date(2024, 4, 30))
    real_plan = payment_guard.plan_claims

    def blind(*args: object, **kwargs: object) -> payment_guard.Plan:
        plan = real_plan(*args, **kwargs)  # type: ignore[arg-type]
        plan.conflicts.clear()  # the service sees nothing wrong …
        event, dues = kwargs["event"], kwargs["dues"]
        assert isinstance(event, Event)
        for due in dues:  # type: ignore[attr-defined]
            plan.claims[due.entitlement_id] = (event.start_date, date(2024, 4, 30))
        return plan

    monkeypatch.setattr(payment_guard, "plan_claims", blind)
    # … the database does (PostgreSQL's COPY reports it as psycopg's own error), and the service
    # hands the officer the reason rather than the database's error.
    with pytest.raises(DoublePaymentRefused, match="refused by the database") as refused:
        create_batch(world.session, event=overlapping, actor=world.officer, secret_key=SECRET)
    assert isinstance(refused.value.__cause__, (DBAPIError, psycopg.Error))
    assert "double payment refused" in str(refused.value.__cause__)


def test_the_api_answers_the_databases_refusal_as_a_409_and_stores_nothing(
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    client: FlaskClient,
    api_token: Callable[..., str],
) -> None:
    create_batch(world.session, event=world.event, actor=world.officer, secret_key=SECRET)
    overlapping = second_event(world, date(2024, 4, 1), date(2024, 4, 30))
    real_plan = payment_guard.plan_claims

    def blind(*args: object, **kwargs: object) -> payment_guard.Plan:
        plan = real_plan(*args, **kwargs)  # type: ignore[arg-type]
        plan.conflicts.clear()  # as if another batch claimed the days after the check
        for due in kwargs["dues"]:  # type: ignore[attr-defined]
            plan.claims[due.entitlement_id] = (date(2024, 4, 1), date(2024, 4, 30))
        return plan

    monkeypatch.setattr(payment_guard, "plan_claims", blind)
    claims_before = world.session.scalar(select(func.count()).select_from(PaymentClaim))
    headers = {"Authorization": f"Bearer {api_token(world.officer)}"}
    refused = client.post(f"/api/v1/events/{overlapping.id}/batches", json={}, headers=headers)
    assert refused.status_code == 409, refused.get_data(as_text=True)
    assert refused.json is not None
    assert refused.json["errors"][0]["code"] == "double_payment"
    assert "refused by the database" in refused.json["errors"][0]["message"]
    assert world.session.scalar(select(func.count()).select_from(PaymentClaim)) == claims_before
    batches_of_event = select(func.count()).where(DisbursementBatch.event_id == overlapping.id)
    assert world.session.scalar(batches_of_event) == 0
    assert client.get("/api/v1/batches", headers=headers).status_code == 200  # still serving


def test_a_raw_insert_of_an_overlapping_claim_is_refused(world: World) -> None:
    session = world.session
    create_batch(session, event=world.event, actor=world.officer, secret_key=SECRET)
    held = session.scalars(select(PaymentClaim).order_by(PaymentClaim.id)).first()
    assert held is not None
    insert = text(
        "INSERT INTO payment_claims (national_id, factory_id, kind, first_day, last_day, event_id,"
        " line_id, active) VALUES (:nid, :factory, 'suspension', :first, :last, :event, :line,"
        " :active)"
    )
    values = {
        "nid": held.national_id,
        "factory": held.factory_id,
        "first": date(2024, 4, 29),
        "last": date(2024, 5, 5),
        "event": held.event_id,
        "line": held.line_id,
    }
    with pytest.raises(DBAPIError, match="double payment refused"), session.begin_nested():
        session.execute(insert, {**values, "active": True})
    # a released (inactive) claim is history and may overlap; the days after are free
    with session.begin_nested():
        session.execute(insert, {**values, "active": False})
        session.execute(insert, {**values, "first": date(2024, 4, 30), "active": True})
    # re-activating an old claim over live days is refused too (UPDATE)
    with pytest.raises(DBAPIError, match="double payment refused"), session.begin_nested():
        session.execute(
            text("UPDATE payment_claims SET active = :yes WHERE NOT active"), {"yes": True}
        )
    assert session.scalar(select(func.count()).where(PaymentClaim.active)) == 5
    assert payment_guard.guard_counts(session, recheck=True)["overlaps"] == 0


def test_a_reissued_payment_keeps_the_claim(world: World) -> None:
    from fund.disbursements.approving import approve
    from fund.disbursements.paying import mark_failed, pay, transfer_to_float
    from fund.disbursements.reissuing import reissue
    from tests.entitlements.helpers import taka

    session = world.session
    world.fund_bank(taka(1_000_000))
    batch = create_batch(session, event=world.event, actor=world.officer, secret_key=SECRET)
    submit(session, batch=batch, actor=world.officer)
    approve(session, batch=batch, actor=world.approver, on=date(2024, 5, 2))
    transfer_to_float(
        session, amount_minor=taka(100_000), actor=world.accountant, on=date(2024, 5, 2)
    )
    pay(session, batch=batch, actor=world.accountant, on=date(2024, 5, 3))
    line = batch.lines[0]
    mark_failed(session, line=line, actor=world.accountant, on=date(2024, 5, 4), reason="wrong")
    fresh = reissue(
        session, line=line, actor=world.accountant, on=date(2024, 5, 5), secret_key=SECRET
    )
    moved = session.scalars(select(PaymentClaim.line_id).where(PaymentClaim.active)).all()
    assert fresh.id in moved
    assert line.id not in moved
    assert world.people.by_role[Role.OFFICER] is world.officer
