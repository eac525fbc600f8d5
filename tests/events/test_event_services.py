"""Recording suspensions and closures, and the history of a suspension's end date."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fund.audit.models import AuditEvent
from fund.entitlements.services import event_terms
from fund.events.models import Event
from fund.events.services import (
    EventInvalid,
    change_end,
    close_event,
    create_event,
    extend_event,
    set_roll,
)
from tests.entitlements.helpers import ROLL_HEADER, stored_roll

if TYPE_CHECKING:
    from tests.conftest import People


def test_create_a_partial_suspension(session: Session, users: People) -> None:
    event = create_event(
        session,
        factory=users.factories["DHK-1"],
        kind="suspension",
        start=date(2024, 3, 1),
        end=date(2024, 4, 29),
        sections=["Sewing-3 ", "Cutting", ""],
        reference="Panel decision 2024/17",
        actor=users.admin,
    )
    assert event.scope == "partial"
    assert event.sections == ["Cutting", "Sewing-3"]
    assert event.title == "Partial suspension of DHK-1 from 2024-03-01 to 2024-04-29"
    terms = event_terms(event)
    assert terms.sections == frozenset({"Cutting", "Sewing-3"})
    audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "events.create")).one()
    assert audit.object_id == str(event.id)
    assert audit.after is not None
    assert audit.after["reference"] == "Panel decision 2024/17"


def test_closure_is_one_day_for_the_whole_factory(session: Session, users: People) -> None:
    factory = users.factories["GZP-2"]
    event = create_event(
        session, factory=factory, kind="closure", start=date(2024, 3, 1), actor=users.admin
    )
    assert (event.scope, event.end_date, event.ongoing) == ("full", None, False)
    assert event.title == "Closure of GZP-2 on 2024-03-01"
    with pytest.raises(EventInvalid, match="one date"):
        create_event(
            session,
            factory=factory,
            kind="closure",
            start=date(2024, 3, 1),
            end=date(2024, 3, 2),
            actor=users.admin,
        )
    with pytest.raises(EventInvalid, match="only a suspension has an end date"):
        change_end(session, event=event, new_end=date(2024, 4, 1), reason="x", actor=None)


def test_bad_events_are_refused(session: Session, users: People) -> None:
    factory = users.factories["DHK-1"]
    with pytest.raises(EventInvalid, match="before it starts"):
        create_event(
            session,
            factory=factory,
            kind="suspension",
            start=date(2024, 3, 2),
            end=date(2024, 3, 1),
            actor=None,
        )
    with pytest.raises(EventInvalid, match="kind"):
        create_event(session, factory=factory, kind="strike", start=date(2024, 3, 2), actor=None)
    with pytest.raises(EventInvalid, match="section"):
        create_event(
            session,
            factory=factory,
            kind="suspension",
            start=date(2024, 3, 2),
            sections=[" "],
            actor=None,
        )


def test_database_refuses_a_closure_with_an_end(session: Session, users: People) -> None:
    session.add(
        Event(
            factory=users.factories["DHK-1"],
            kind="closure",
            scope="full",
            start_date=date(2024, 3, 1),
            end_date=date(2024, 3, 5),
        )
    )
    with pytest.raises(IntegrityError):
        session.flush()


def test_extensions_are_kept_as_history(session: Session, users: People) -> None:
    officer = users.admin
    event = create_event(
        session,
        factory=users.factories["DHK-1"],
        kind="suspension",
        start=date(2024, 3, 1),
        actor=officer,
    )
    assert event.ongoing
    assert event.title.endswith("(ongoing)")
    close_event(session, event=event, end=date(2024, 4, 30), reason="reopened", actor=officer)
    with pytest.raises(EventInvalid, match="already ended"):
        close_event(session, event=event, end=date(2024, 5, 30), reason="again", actor=officer)
    extend_event(
        session, event=event, new_end=date(2024, 6, 30), reason="remediation late", actor=officer
    )
    with pytest.raises(EventInvalid, match="not an extension"):
        extend_event(session, event=event, new_end=date(2024, 5, 1), reason="x", actor=officer)
    with pytest.raises(EventInvalid, match="say why"):
        change_end(session, event=event, new_end=date(2024, 7, 1), reason=" ", actor=officer)
    with pytest.raises(EventInvalid, match="before the start"):
        change_end(session, event=event, new_end=date(2024, 2, 1), reason="x", actor=officer)
    session.refresh(event)
    assert [(x.previous_end, x.new_end, x.reason) for x in event.extensions] == [
        (None, date(2024, 4, 30), "reopened"),
        (date(2024, 4, 30), date(2024, 6, 30), "remediation late"),
    ]
    assert event.end_date == date(2024, 6, 30)
    changes = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "events.change_end").order_by(AuditEvent.id)
    ).all()
    assert [c.after["end_date"] if c.after else None for c in changes] == [
        "2024-04-30",
        "2024-06-30",
    ]
    roll = stored_roll(session, users.factories["DHK-1"])
    set_roll(session, event=event, roll=roll, actor=officer)
    assert event.roll_id == roll.id
    other_workers = (
        ROLL_HEADER + "G-1,Salma Akter,1977123456789,,2015-01-01,,9000,4500,750,450,1250\n"
    )
    elsewhere = stored_roll(session, users.factories["GZP-2"], other_workers)
    with pytest.raises(EventInvalid, match="another factory"):
        set_roll(session, event=event, roll=elsewhere, actor=officer)
