"""Claims tests stand on the disbursement world: DHK-1 suspended, four workers on a stored roll."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pytest
from sqlalchemy.orm import Session

from fund.auth.roles import Role
from fund.claims.filing import file_claim
from fund.claims.models import Claim
from fund.disbursements import approving, making, paying
from fund.disbursements import services as batches
from imports import RollRow
from tests.disbursements.conftest import EACH, SECRET, World, world
from tests.entitlements.helpers import taka

if TYPE_CHECKING:
    from tests.conftest import People

__all__ = ["EACH", "SECRET", "World", "world"]

PAID_ON = date(2024, 5, 6)
#: The worker the factory left off its roll, as the helpline heard her.
MISSING_NID = "1990000000009"


def missing_worker(**changes: object) -> RollRow:
    """Nasrin's roll line as the factory confirmed it: grade 5 like the others, paid by bKash."""
    values: dict[str, object] = {
        "row": 0,
        "worker_id": "M-9",
        "name": "নাসরিন আক্তার",
        "national_id": MISSING_NID,
        "join_date": date(2019, 8, 1),
        "basic": taka(6_700),
        "house_rent": taka(3_350),
        "medical": taka(750),
        "transport": taka(450),
        "food": taka(1_250),
        "section": "Sewing",
        "payment_method": "mobile",
        "wallet_number": "01711000009",
    }
    values.update(changes)
    return RollRow(**values)  # type: ignore[arg-type]


def pay_everyone(world: World, *, top_up: bool = False, workers: list[str] | None = None) -> None:
    """Make, submit, approve (someone else), pay and settle a batch of the event."""
    s = world.session
    batch = making.create_batch(
        s, event=world.event, actor=world.officer, secret_key=SECRET, top_up=top_up,
        selection=workers,
    )  # fmt: skip
    approving.submit(s, batch=batch, actor=world.officer)
    settle(world, batch)


def settle(world: World, batch: batches.DisbursementBatch) -> None:
    """Approve (the approver), pay and mark every line paid (the accountant)."""
    s = world.session
    approving.approve(s, batch=batch, actor=world.approver, on=PAID_ON)
    paying.pay(s, batch=batch, actor=world.accountant, on=PAID_ON)
    for line in list(batch.lines):
        paying.mark_paid(s, line=line, actor=world.accountant, on=PAID_ON)


def fund(world: World) -> None:
    """A million taka in the bank, half of it in the mobile-money float."""
    world.fund_bank(taka(1_000_000))
    paying.transfer_to_float(
        world.session, amount_minor=taka(500_000), actor=world.accountant, on=date(2024, 1, 11)
    )


@pytest.fixture
def paid_world(world: World) -> World:
    """The world with money in the bank and its four workers paid in full."""
    fund(world)
    pay_everyone(world)
    return world


def nasrin_claim(world: World, session: Session, users: People, **changes: object) -> Claim:
    """The helpline files: Nasrin says she worked in Sewing but is not on the roll."""
    values: dict[str, object] = {
        "event": world.event,
        "kind": "not_on_roll",
        "raised_by": "helpline",
        "raised_by_name": "Operator Mitu",
        "worker_name": "Nasrin Akter",
        "national_id": MISSING_NID,
        "phone": "+880 1711-000009",
        "section": "Sewing",
        "description": "Worked on line 4 since 2019; not paid during the suspension.",
        "actor": users.by_role[Role.HELPLINE],
        "today": date(2024, 5, 10),
    }
    values.update(changes)
    return file_claim(session, **values)  # type: ignore[arg-type]
