"""Shared builders for the entitlement tests: a grade-5 worker and the shipped policies."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fund.entitlements.policy import Policy, load_policy, parse_policy
from imports.records import RollRow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from fund.factories.models import Factory
    from fund.rolls.models import Roll

POLICIES = Path(__file__).resolve().parents[2] / "fund" / "policies"


def alliance() -> Policy:
    """The shipped full-wage-replacement policy."""
    return load_policy(POLICIES / "alliance-wage-replacement.toml")


def labour_act() -> Policy:
    """The shipped Bangladesh Labour Act lay-off policy."""
    return load_policy(POLICIES / "bangladesh-labour-act-layoff.toml")


def labour_act_calendar() -> Policy:
    """The Labour Act tiers counted in calendar days (for tier-boundary tests)."""
    text = (POLICIES / "bangladesh-labour-act-layoff.toml").read_text(encoding="utf-8")
    return parse_policy(text.replace('count = "working"', 'count = "calendar"'))


def taka(amount: int) -> int:
    """Whole taka in poisha."""
    return amount * 100


def grade5(**changes: Any) -> RollRow:
    """A grade-5 sewing operator (grade 5 of five in the 2023 garment minimum-wage gazette):
    basic 6,700 + house rent 3,350 + medical 750 + transport 450 + food 1,250 = gross 12,500
    BDT a month; joined 1 August 2019."""
    values: dict[str, Any] = {
        "row": 2,
        "worker_id": "W-0007",
        "name": "Rahima Begum",
        "national_id": "1990123456789",
        "join_date": date(2019, 8, 1),
        "basic": taka(6_700),
        "house_rent": taka(3_350),
        "medical": taka(750),
        "transport": taka(450),
        "food": taka(1_250),
        "section": "Sewing-3",
        "grade": "5",
    }
    values.update(changes)
    return RollRow(**values)


ROLL_HEADER = (
    "worker_id,name,national_id,section,join_date,exit_date,"
    "basic,house_rent,medical,transport,food\n"
)
#: The grade-5 worker (W-0007) and a worker who joined too recently for the Labour Act (W-2).
ROLL_CSV = ROLL_HEADER + (
    "W-0007,Rahima Begum,1990123456789,Sewing-3,2019-08-01,,6700,3350,750,450,1250\n"
    "W-2,Karim Mia,1985765432109,Cutting,2024-01-01,,6700,3350,750,450,1250\n"
)


def stored_roll(session: Session, factory: Factory, text: str = ROLL_CSV) -> Roll:
    """Import ``text`` as the factory's next roll version, through the rolls service."""
    from fund.rolls.services import import_roll

    return import_roll(
        session,
        factory=factory,
        source=text.encode("utf-8"),
        filename="roll.csv",
        as_of=date(2024, 2, 29),
        actor=None,
        nobody_left=True,  # the test rolls without exit dates are known to have no leavers
    )
