"""Stored policies and stored entitlement runs (on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from fund.audit.models import AuditEvent
from fund.entitlements.models import Entitlement, EntitlementLine, EntitlementRun, PolicyVersion
from fund.entitlements.policy import PolicyInvalid
from fund.entitlements.policy_versions import (
    freeze_policy,
    install_shipped_policies,
    policy_for,
    register_policy,
)
from fund.entitlements.services import RollMissing, compute_for_event, explain, latest_run
from fund.events.models import Event
from fund.events.services import EventInvalid, create_event, resolve_duplicate

from .helpers import POLICIES, grade5, taka

if TYPE_CHECKING:
    from tests.conftest import People

ALLIANCE_TEXT = (POLICIES / "alliance-wage-replacement.toml").read_text(encoding="utf-8")


def suspension(session: Session, users: People, **kw: object) -> Event:
    values: dict[str, object] = {
        "kind": "suspension",
        "start": date(2024, 3, 1),
        "end": date(2024, 4, 29),
    }
    values.update(kw)
    return create_event(
        session,
        factory=users.factories["DHK-1"],
        actor=users.admin,
        **values,  # type: ignore[arg-type]
    )


def test_policy_versions(session: Session, users: People) -> None:
    first = register_policy(session, text=ALLIANCE_TEXT, actor=users.admin)
    assert (first.name, first.version, first.frozen) == ("alliance-wage-replacement", 1, False)
    assert register_policy(session, text=ALLIANCE_TEXT, actor=users.admin) is first
    # an unused draft is edited in place
    edited = ALLIANCE_TEXT.replace("days = 120", "days = 90")
    assert register_policy(session, text=edited, actor=users.admin) is first
    assert "days = 90" in first.toml
    # once frozen (used by an approved batch) an edit is a new version
    freeze_policy(session, version=first, actor=users.admin)
    second = register_policy(session, text=ALLIANCE_TEXT, actor=users.admin)
    assert (second.version, second.frozen) == (2, False)
    assert "days = 90" in first.toml
    actions = session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.object_type == "policy_version")
        .order_by(AuditEvent.id)
    ).all()
    assert actions == [
        "policies.create_version",
        "policies.edit_draft",
        "policies.freeze",
        "policies.create_version",
    ]
    with pytest.raises(PolicyInvalid, match="gross"):
        register_policy(session, text=ALLIANCE_TEXT.replace('"1.00"', "1.0"), actor=None)


def test_a_policy_used_by_a_run_is_not_edited_in_place(session: Session, users: People) -> None:
    version = register_policy(session, text=ALLIANCE_TEXT, actor=users.admin)
    compute_for_event(
        session,
        event=suspension(session, users),
        policy_version=version,
        through=None,
        actor=users.admin,
        rows=[grade5()],
    )
    newer = register_policy(
        session, text=ALLIANCE_TEXT.replace("days = 120", "days = 90"), actor=users.admin
    )
    assert newer.version == 2
    assert "days = 120" in version.toml


def test_shipped_policies_install_once(session: Session) -> None:
    first = install_shipped_policies(session)
    again = install_shipped_policies(session)
    assert [v.id for v in first] == [v.id for v in again]
    assert {v.name for v in first} == {
        "alliance-wage-replacement",
        "alliance-wage-share",
        "bangladesh-labour-act",
        "bangladesh-labour-act-layoff",
    }
    # the Act before and after the 2025 amendment: two dated versions of one policy
    act = {(v.effective_from, v.effective_to) for v in first if v.name == "bangladesh-labour-act"}
    assert act == {(None, date(2025, 11, 16)), (date(2025, 11, 17), None)}
    assert policy_for(session, "bangladesh-labour-act-layoff").version == 1


def test_compute_for_event_stores_every_worker(session: Session, users: People) -> None:
    event = suspension(session, users)
    version = policy_for(session, "bangladesh-labour-act-layoff")
    rows = [
        grade5(),
        grade5(row=3, worker_id="W-2", national_id="1111111111", join_date=date(2024, 1, 1)),
        grade5(row=4, worker_id="W-3", national_id="2222222222"),
        grade5(row=5, worker_id="W-4", national_id="2222222222"),
    ]
    run = compute_for_event(
        session, event=event, policy_version=version, through=None, actor=users.admin, rows=rows
    )
    # W-0007: 11,055.00 (worked by hand in test_entitlement_rules); W-2 short of a year's
    # service; W-3 and W-4 share a national ID and are held.
    assert (run.workers, run.eligible, run.total_minor) == (4, 1, taka(11_055))
    assert run.days_covered == 51
    assert latest_run(session, event) is run
    stored = session.scalars(
        select(Entitlement).where(Entitlement.run_id == run.id).order_by(Entitlement.roll_row)
    ).all()
    assert [(e.worker_id, e.eligible, e.reason, e.amount_minor) for e in stored] == [
        ("W-0007", True, None, taka(11_055)),
        ("W-2", False, "service_too_short", 0),
        ("W-3", False, "duplicate_national_id", 0),
        ("W-4", False, "duplicate_national_id", 0),
    ]
    first = stored[0]
    session.expire_all()
    assert [(line.rule, line.component, line.days, line.amount) for line in first.lines] == [
        ("suspension tier 1", "basic", 45, taka(5_025)),
        ("suspension tier 1", "house_rent", 45, taka(5_025)),
        ("suspension tier 2", "basic", 6, taka(335)),
        ("suspension tier 2", "house_rent", 6, taka(670)),
    ]
    assert first.lines[2].daily_rate == Fraction(taka(6_700), 4 * 30)
    assert first.exact_payable == taka(11_055)
    audit = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "entitlements.compute")
    ).one()
    assert audit.after is not None
    assert audit.after["total_minor"] == taka(11_055)
    assert audit.after["policy"] == "bangladesh-labour-act-layoff v1"


def test_explanation_in_plain_words(session: Session, users: People) -> None:
    text = ALLIANCE_TEXT.replace('fund_share = "1.00"', 'fund_share = "0.50"')
    version = register_policy(session, text=text, actor=users.admin)
    event = create_event(
        session,
        factory=users.factories["DHK-1"],
        kind="closure",
        start=date(2024, 3, 1),
        actor=users.admin,
    )
    run = compute_for_event(
        session,
        event=event,
        policy_version=version,
        through=None,
        actor=users.admin,
        rows=[
            grade5(),
            grade5(row=3, worker_id="W-2", national_id="1", exit_date=date(2020, 1, 1)),
        ],
    )
    paid, gone = session.scalars(
        select(Entitlement).where(Entitlement.run_id == run.id).order_by(Entitlement.roll_row)
    ).all()
    words = explain(paid)
    assert words[0] == (
        "Rahima Begum served 4 years and 7 months, which the policy counts as 5 years of service."
    )
    assert "Notice pay: 120 days × gross of 12,500.00 a month × 1.00 ÷ 30 days" in words[1]
    # Each line again in the policy's Bengali words, its numbers in Bengali digits.
    assert words[2].startswith("নোটিশের পরিবর্তে ১২০ দিনের মোট মজুরি: ১২০ দিন × মোট মজুরি ১২,৫০০.০০")
    assert words[4].endswith("= ৩৩,৫০০.০০ টাকা।")
    # (50,000 + 33,500) × 0.50 = 41,750
    assert "the fund's share is 0.50 of it, 41,750.00 BDT" in words[5]
    # co-payment: the whole rounds to 83,500; the factory owes the worker 83,500 - 41,750
    assert words[6] == (
        "The worker is owed 83,500.00 BDT. The fund pays its share (0.50), 41,750.00 BDT; "
        "the factory owes the worker the other 41,750.00 BDT."
    )
    assert paid.factory_share_minor == taka(41_750)
    assert words[-1].endswith("41,750.00 BDT.")
    assert explain(gone) == [
        "Rahima Begum is not paid for this event: had left the factory before the event started."
    ]


def test_no_roll_no_computation(session: Session, users: People) -> None:
    version = policy_for(session, "alliance-wage-replacement")
    with pytest.raises(RollMissing, match="no roll"):
        compute_for_event(
            session,
            event=suspension(session, users),
            policy_version=version,
            through=None,
            actor=users.admin,
        )


def test_database_refuses_an_ineligible_worker_with_money(session: Session, users: People) -> None:
    version = policy_for(session, "alliance-wage-replacement")
    run = compute_for_event(
        session,
        event=suspension(session, users),
        policy_version=version,
        through=None,
        actor=users.admin,
        rows=[grade5()],
    )
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(
            insert(Entitlement).values(
                run_id=run.id,
                position=2,
                roll_row=3,
                worker_id="W-X",
                name="Nobody",
                national_id="1",
                eligible=False,
                reason="exited_before_start",
                exact_numerator=0,
                exact_denominator=1,
                amount_minor=100,
                currency="BDT",
            )
        )


def test_computed_entitlements_cannot_be_edited_or_deleted(session: Session, users: People) -> None:
    version = policy_for(session, "alliance-wage-replacement")
    event = suspension(session, users)
    run = compute_for_event(
        session, event=event, policy_version=version, through=None, actor=None, rows=[grade5()]
    )
    for statement in (
        update(Entitlement).where(Entitlement.run_id == run.id).values(amount_minor=1),
        delete(EntitlementLine).where(EntitlementLine.run_id == run.id),
        update(EntitlementRun).where(EntitlementRun.id == run.id).values(total_minor=1),
        delete(EntitlementRun).where(EntitlementRun.id == run.id),
    ):
        with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
            session.execute(statement)


def test_a_frozen_policy_cannot_change(session: Session, users: People) -> None:
    version = register_policy(session, text=ALLIANCE_TEXT, actor=None)
    version.toml = ALLIANCE_TEXT + "\n"
    session.flush()  # a draft may still change
    freeze_policy(session, version=version, actor=None)
    for statement in (
        update(PolicyVersion).where(PolicyVersion.id == version.id).values(toml="x"),
        delete(PolicyVersion).where(PolicyVersion.id == version.id),
    ):
        with pytest.raises(DBAPIError, match="frozen policy"), session.begin_nested():
            session.execute(statement)


def test_many_workers_in_chunks(session: Session, users: People) -> None:
    version = policy_for(session, "alliance-wage-replacement")
    rows = [
        grade5(row=i + 2, worker_id=f"W-{i}", national_id=f"{1_000_000_000 + i}")
        for i in range(1_203)
    ]
    from fund.entitlements import policy_versions, services

    event = suspension(session, users)
    run = services.compute_for_event(
        session, event=event, policy_version=version, through=None, actor=None, rows=rows
    )
    assert run.workers == 1_203
    count = session.scalar(
        select(func.count()).select_from(EntitlementLine).where(EntitlementLine.run_id == run.id)
    )
    assert count == 1_203  # one gross line each
    assert run.total_minor == 1_203 * taka(25_000)
    shipped = len(list(policy_versions.SHIPPED_POLICIES.glob("*.toml")))
    assert session.scalar(select(func.count(PolicyVersion.id))) == shipped


def test_a_resolved_duplicate_is_paid_once(session: Session, users: People) -> None:
    event = suspension(session, users, end=date(2024, 3, 30))
    rows = [
        grade5(row=2, worker_id="A", national_id="2222222222"),
        grade5(row=3, worker_id="B", national_id="2222222222"),
        grade5(row=4, worker_id="C", national_id="3333333333"),
    ]
    version = policy_for(session, "alliance-wage-replacement")
    held = compute_for_event(
        session, event=event, policy_version=version, through=None, actor=None, rows=rows
    )
    # only C: 30 days × 12,500 / 30 = 12,500
    assert (held.eligible, held.total_minor) == (1, taka(12_500))
    with pytest.raises(EventInvalid, match="say how"):
        resolve_duplicate(
            session, event=event, national_id="2222222222", paid_worker_id="B", note=" ", actor=None
        )
    resolve_duplicate(
        session,
        event=event,
        national_id="22222 22222",
        paid_worker_id="B",
        note="same person re-hired under a new card; NID card seen",
        actor=users.admin,
    )
    with pytest.raises(EventInvalid, match="already resolved"):
        resolve_duplicate(
            session, event=event, national_id="2222222222", paid_worker_id="A", note="x", actor=None
        )
    paid_once = compute_for_event(
        session, event=event, policy_version=version, through=None, actor=None, rows=rows
    )
    # B and C: 2 × 12,500
    assert (paid_once.eligible, paid_once.total_minor) == (2, taka(25_000))
    reasons = dict(
        session.execute(
            select(Entitlement.worker_id, Entitlement.reason).where(
                Entitlement.run_id == paid_once.id
            )
        )
        .tuples()
        .all()
    )
    assert reasons == {"A": "duplicate_resolved", "B": None, "C": None}
