"""The roll review runs because a roll was imported or chosen, through the areas' signals.

The roll and event services never import the controls (``tests/test_layers.py``); these tests
show the review still runs on every import and every roll an event is put on.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from fund.controls.models import RollFinding
from fund.events.services import create_event, set_roll
from fund.rolls.models import Roll
from fund.rolls.signals import roll_stored
from tests.conftest import People
from tests.controls.helpers import GHOST_WALLET, PADDED_ROLL
from tests.disbursements.conftest import ROLL
from tests.entitlements.helpers import stored_roll


def codes(session: Session, roll: Roll) -> set[str]:
    return set(session.scalars(select(RollFinding.code).where(RollFinding.roll_id == roll.id)))


def subjects(session: Session, roll: Roll, code: str) -> set[str]:
    return set(
        session.scalars(
            select(RollFinding.subject).where(
                RollFinding.roll_id == roll.id, RollFinding.code == code
            )
        )
    )


def test_an_engine_made_without_naming_the_controls_connects_the_review() -> None:
    # A fresh interpreter that never names the controls: making an engine (which every use of
    # the database does) connects them.
    script = (
        "import fund.rolls.services, fund.events.services\n"
        "from fund.db import make_engine\n"
        "make_engine('sqlite://')\n"
        "from fund.rolls.signals import roll_stored\n"
        "from fund.events.signals import roll_chosen\n"
        "print(sorted(r.__name__ for r in roll_stored.receivers_for(None)),"
        " sorted(r.__name__ for r in roll_chosen.receivers_for(None)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["['_review_stored_roll']", "['_review_chosen_roll']"]


def test_an_import_is_reviewed_as_it_is_stored(session: Session, users: People) -> None:
    factory = users.factories["DHK-1"]
    stored_roll(session, factory, ROLL)
    padded = stored_roll(session, factory, PADDED_ROLL)
    found = codes(session, padded)
    assert {"shared_account", "added_since_previous", "headcount_jump"} <= found
    shared = session.scalar(
        select(RollFinding).where(
            RollFinding.roll_id == padded.id, RollFinding.code == "shared_account"
        )
    )
    assert shared is not None
    assert GHOST_WALLET in shared.message


def test_a_roll_chosen_for_an_event_is_reviewed_against_its_start(
    session: Session, users: People
) -> None:
    factory = users.factories["DHK-1"]
    stored_roll(session, factory, ROLL)
    padded = stored_roll(session, factory, PADDED_ROLL)
    before = subjects(session, padded, "joined_shortly_before")  # measured from the as-of date
    event = create_event(
        session, factory=factory, actor=users.admin, kind="suspension", start=date(2024, 3, 1)
    )
    assert subjects(session, padded, "joined_shortly_before") == before
    set_roll(session, event=event, roll=padded, actor=users.admin)
    after = subjects(session, padded, "joined_shortly_before")
    assert len(after - before) == 1  # one more finding, its subject the event


def test_an_event_reviews_only_its_own_rule_without_reading_the_roll(
    session: Session, users: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    import fund.controls.roll_review as review

    factory = users.factories["DHK-1"]
    stored_roll(session, factory, ROLL)
    padded = stored_roll(session, factory, PADDED_ROLL)
    stored = codes(session, padded)

    def whole_roll(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the whole roll was compared again for an event")

    monkeypatch.setattr(review, "compare", whole_roll)
    monkeypatch.setattr(review, "_entries", whole_roll)
    event = create_event(
        session, factory=factory, actor=users.admin, kind="suspension", start=date(2024, 3, 1)
    )
    set_roll(session, event=event, roll=padded, actor=users.admin)
    assert codes(session, padded) == stored  # same codes: only a joined finding was added
    assert f"event:{event.id}" in subjects(session, padded, "joined_shortly_before")


def test_a_review_that_fails_fails_the_import(session: Session, users: People) -> None:
    class ReviewBroke(Exception):
        pass

    def broken(_session: Session, **_kwargs: object) -> None:
        raise ReviewBroke

    roll_stored.connect(broken)
    try:
        with pytest.raises(ReviewBroke):
            stored_roll(session, users.factories["DHK-1"], ROLL)
    finally:
        roll_stored.disconnect(broken)


def shared_finding(session: Session, roll: Roll) -> RollFinding:
    found = session.scalar(
        select(RollFinding).where(
            RollFinding.roll_id == roll.id, RollFinding.code == "shared_account"
        )
    )
    assert found is not None
    return found


def test_a_shared_account_checked_once_is_carried_while_nothing_changes(
    session: Session, users: People
) -> None:
    from fund.controls.roll_review import acknowledge, unacknowledged_high

    factory = users.factories["DHK-1"]
    stored_roll(session, factory, ROLL)
    padded = stored_roll(session, factory, PADDED_ROLL)
    first = shared_finding(session, padded)
    acknowledge(session, finding=first, actor=users.admin, note="Three sisters, one phone")

    # The same workers on the same wallet in the next version: acknowledged already, by the
    # same person, saying where it came from; nothing new blocks a batch.
    again = stored_roll(session, factory, PADDED_ROLL + "\n")  # another file, the same workers
    carried = shared_finding(session, again)
    assert carried.acknowledged_by_id == users.admin.id
    assert carried.acknowledgement == (
        f"carried from roll version {padded.version}: Three sisters, one phone"
    )
    assert carried not in unacknowledged_high(session, again.id)

    # One more worker on that wallet is a new fact: asked again.
    grown = stored_roll(
        session,
        factory,
        PADDED_ROLL + f"G-4,Ghost 4,1990000000104,Sewing,2024-02-25,,6700,3350,750,450,1250,bkash,"
        f"{GHOST_WALLET},\n",
    )
    fresh = shared_finding(session, grown)
    assert fresh.acknowledged_at is None
    assert fresh in unacknowledged_high(session, grown.id)
