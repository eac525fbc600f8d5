"""Worlds for the controls: a padded roll (ghosts sharing one wallet), a paid batch."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from fund.auth.models import User
from fund.disbursements.approving import approve, submit
from fund.disbursements.making import create_batch
from fund.disbursements.models import DisbursementBatch
from fund.disbursements.paying import mark_paid, pay, transfer_to_float
from fund.entitlements.policy_versions import policy_for
from fund.entitlements.services import compute_for_event
from fund.events.models import Event
from fund.events.services import create_event
from fund.factories.models import Factory
from tests.disbursements.conftest import ROLL, SECRET, World
from tests.entitlements.helpers import stored_roll, taka

GHOST_WALLET = "01799999999"
PADDED_ROLL = ROLL + "".join(
    f"G-{n},Ghost {n},19900000001{n:02d},Sewing,2024-02-25,,6700,3350,750,450,1250,bkash,"
    f"{GHOST_WALLET},\n"
    for n in range(1, 4)
)


def padded_event(
    session: Session, factory: Factory, actor: User, *, importer: User | None = None
) -> Event:
    """Roll v1 (four real workers), v2 padded with three ghosts (imported by ``importer``);
    an event computed on v2."""
    from fund.rolls.services import import_roll

    stored_roll(session, factory, ROLL)
    padded = import_roll(
        session,
        factory=factory,
        source=PADDED_ROLL.encode("utf-8"),
        filename="roll.csv",
        as_of=date(2024, 2, 29),
        actor=importer,
    )
    event = create_event(
        session,
        factory=factory,
        actor=actor,
        kind="suspension",
        start=date(2024, 3, 1),
        end=date(2024, 4, 29),
        roll=padded,
    )
    compute_for_event(
        session,
        event=event,
        policy_version=policy_for(session, "alliance-wage-replacement"),
        through=None,
        actor=actor,
    )
    return event


def paid_batch(world: World) -> DisbursementBatch:
    """The world's event paid in one batch, every line reported paid by the provider."""
    session = world.session
    world.fund_bank(taka(1_000_000))
    batch = create_batch(session, event=world.event, actor=world.officer, secret_key=SECRET)
    submit(session, batch=batch, actor=world.officer)
    approve(session, batch=batch, actor=world.approver, on=date(2024, 5, 2))
    transfer_to_float(
        session, amount_minor=taka(60_000), actor=world.accountant, on=date(2024, 5, 2)
    )
    pay(session, batch=batch, actor=world.accountant, on=date(2024, 5, 3))
    for line in batch.lines:
        mark_paid(session, line=line, actor=world.accountant, on=date(2024, 5, 4))
    return batch
