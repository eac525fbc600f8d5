"""Which policy version an event uses, and earlier lay-offs found across factories."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from fund.audit.models import AuditEvent
from fund.entitlements.policy_versions import (
    PolicyChoiceRefused,
    PolicyNotFound,
    choose_policy_version,
    install_shipped_policies,
    policy_for,
)
from fund.entitlements.services import compute_for_event, earlier_layoff_days
from fund.events.services import create_event

from .helpers import grade5, taka

if TYPE_CHECKING:
    from fund.events.models import Event
    from tests.conftest import People


def layoff(session: Session, users: People, start: date, end: date, code: str = "DHK-1") -> Event:
    return create_event(
        session,
        factory=users.factories[code],
        actor=users.admin,
        kind="suspension",
        start=start,
        end=end,
        policy_name="bangladesh-labour-act",
    )


def test_an_event_uses_the_version_in_force_on_its_start(session: Session, users: People) -> None:
    install_shipped_policies(session)
    before = layoff(session, users, date(2025, 11, 16), date(2025, 11, 30))
    after = layoff(session, users, date(2025, 11, 17), date(2025, 11, 30))
    old = policy_for(session, "bangladesh-labour-act", event=before)
    new = policy_for(session, "bangladesh-labour-act", event=after)
    assert (old.effective_from, old.effective_to) == (None, date(2025, 11, 16))
    assert (new.effective_from, new.effective_to) == (date(2025, 11, 17), None)


def test_an_officer_may_pick_another_version_with_a_reason(session: Session, users: People) -> None:
    install_shipped_policies(session)
    event = layoff(session, users, date(2025, 12, 1), date(2025, 12, 31))
    in_force = policy_for(session, "bangladesh-labour-act", event=event)
    old = policy_for(
        session,
        "bangladesh-labour-act",
        event=layoff(session, users, date(2025, 1, 1), date(2025, 1, 2)),
    )
    with pytest.raises(PolicyChoiceRefused, match="say why"):
        choose_policy_version(session, event=event, version=old, reason="  ", actor=users.admin)
    assert policy_for(session, "bangladesh-labour-act", event=event) == in_force
    reason = "lay-off notice served on 10 November 2025, before the Ordinance"
    choose_policy_version(session, event=event, version=old, reason=reason, actor=users.admin)
    assert policy_for(session, "bangladesh-labour-act", event=event) == old
    logged = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "events.choose_policy_version")
    ).one()
    assert logged.after is not None
    assert logged.after["reason"] == reason
    # back to the version in force
    choose_policy_version(session, event=event, version=None, reason="error", actor=users.admin)
    assert policy_for(session, "bangladesh-labour-act", event=event) == in_force


def test_no_version_in_force_is_an_error(session: Session, users: People) -> None:
    from fund.entitlements.policy_versions import register_policy

    text = (
        'name = "dated"\ncurrency = "BDT"\ndays_per_month = 30\neffective_from = 2026-01-01\n'
        '[suspension]\n[[suspension.tiers]]\ndays = 10\npay = { gross = "1" }\n'
    )
    register_policy(session, text=text, actor=users.admin)
    event = layoff(session, users, date(2025, 6, 1), date(2025, 6, 2))
    with pytest.raises(PolicyNotFound, match="in force on 2025-06-01"):
        policy_for(session, "dated", event=event)


def test_earlier_lay_offs_at_another_factory_count_in_the_calendar_year(
    session: Session, users: People
) -> None:
    install_shipped_policies(session)
    worker = grade5(national_id="1990123456789")
    # 3 to 19 March 2024 (Sunday to Tuesday) at GZP-2: 17 days, Fridays 8 and 15: 15 paid days
    first = layoff(session, users, date(2024, 3, 3), date(2024, 3, 19), code="GZP-2")
    act = "bangladesh-labour-act"
    compute_for_event(
        session, event=first, policy_version=policy_for(session, act, event=first),
        through=None, actor=users.admin, rows=[worker],
    )  # fmt: skip
    # the 120-day lay-off of test_entitlement_law at DHK-1, same person (same national ID)
    second = layoff(session, users, date(2024, 4, 6), date(2024, 8, 3))
    assert earlier_layoff_days(session, event=second) == {"1990123456789": {2024: 15}}
    run = compute_for_event(
        session, event=second, policy_version=policy_for(session, act, event=second),
        through=None, actor=users.admin, rows=[grade5(worker_id="D-1")],
    )  # fmt: skip
    # 6 April 2024 (Saturday) to 3 August 2024 (Saturday): 120 days, 17 Fridays: 103 days;
    # 45 - 15 = 30 first-rate days × 223.33… = 6,700.00; 73 days × 167.50 = 12,227.50;
    # total 18,927.50 → 18,928
    assert run.total_minor == taka(18_928)
