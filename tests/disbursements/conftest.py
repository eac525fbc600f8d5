"""A paid-for event: four workers on a stored roll, paid by mobile money, bank and cash."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fund.auth.models import User
from fund.auth.roles import Role
from fund.entitlements.policy_versions import policy_for
from fund.entitlements.services import compute_for_event
from fund.events.models import Event
from fund.events.services import create_event
from ledger import Entry, Posting, account, post, verify
from ledger.models import JournalEntry
from ledger.queries import balance, trial_balance
from tests.entitlements.helpers import stored_roll, taka

if TYPE_CHECKING:
    from tests.conftest import People

SECRET = "test-secret"
ROLL = (
    "worker_id,name,national_id,section,join_date,exit_date,basic,house_rent,medical,"
    "transport,food,payment_method,wallet_number,bank_account\n"
    "M-1,রহিমা খাতুন,1990000000001,Sewing,2019-08-01,,6700,3350,750,450,1250,bkash,01711000001,\n"
    "B-2,Karim Mia,1990000000002,Cutting,2019-08-01,,6700,3350,750,450,1250,bank,,0123456789\n"
    "C-3,@Rina Das,1990000000003,+Cutting,2019-08-01,,6700,3350,750,450,1250,cash,,\n"
    "M-4,সালমা আক্তার,1990000000004,Sewing,2019-08-01,,6700,3350,750,450,1250,bkash,01711000004,\n"
)
#: 60 days of a grade-5 gross of 12,500 a month, under the alliance policy (100 % for 120 days).
EACH = taka(25_000)


@dataclass
class World:
    """The people and the event of a disbursement test."""

    session: Session
    people: People
    event: Event

    @property
    def officer(self) -> User:
        return self.people.by_role[Role.OFFICER]

    @property
    def approver(self) -> User:
        return self.people.by_role[Role.APPROVER]

    @property
    def accountant(self) -> User:
        return self.people.by_role[Role.ACCOUNTANT]

    def fund_bank(self, amount: int, key: str = "gift") -> None:
        """Put BDT in the bank (Dr 1010 / Cr 3000 fund balance)."""
        post(
            self.session,
            Entry(
                date(2024, 1, 10),
                "brands' money",
                key,
                (
                    Posting(account(self.session, "1010"), amount),
                    Posting(account(self.session, "3000", currency="BDT"), -amount),
                ),
            ),
        )

    def balances(self) -> dict[str, int]:
        """The balances of every account a payout touches (debit positive)."""
        s, event = self.session, self.event
        return {
            "5000": balance(
                s, account(s, "5000", currency="BDT", factory="DHK-1", event=str(event.id))
            ),
            "2000": balance(s, account(s, "2000", currency="BDT", event=str(event.id))),
            "1010": balance(s, account(s, "1010")),
            "1020": balance(s, account(s, "1020")),
            "5100": balance(s, account(s, "5100", currency="BDT")),
            "2100": balance(s, account(s, "2100", currency="BDT")),
        }

    def books_sound(self) -> None:
        """Debits equal credits per currency and the hash chain verifies."""
        assert trial_balance(self.session).balanced
        assert verify(self.session).ok

    def entries(self) -> int:
        return self.session.scalar(select(func.count(JournalEntry.id))) or 0


@pytest.fixture
def world(session: Session, users: People) -> World:
    """DHK-1 suspended 1 March to 29 April 2024 (60 days); four workers computed, unpaid."""
    roll = stored_roll(session, users.factories["DHK-1"], ROLL)
    event = create_event(
        session,
        factory=users.factories["DHK-1"],
        actor=users.admin,
        kind="suspension",
        start=date(2024, 3, 1),
        end=date(2024, 4, 29),
        roll=roll,
    )
    compute_for_event(
        session,
        event=event,
        policy_version=policy_for(session, "alliance-wage-replacement"),
        through=None,
        actor=users.by_role[Role.OFFICER],
    )
    return World(session=session, people=users, event=event)
