"""A small set of books written the way a fund accountant would describe them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from fund.auth.models import User
from fund.brands.models import Brand, Contribution, Conversion, Pledge
from fund.brands.services import convert_usd_to_bdt, record_contribution, record_pledge
from ledger import Entry, Posting, account, post


@dataclass
class Books:
    """What ``write_books`` recorded."""

    nord_pledge: Pledge
    haven_pledge: Pledge
    nord_paid: Contribution
    haven_paid: Contribution
    conversion: Conversion


def write_books(session: Session, brands: dict[str, Brand], actor: User | None) -> Books:
    """NORD pledges 10,000 USD in two instalments and pays 4,000; HAVEN pledges 500,000 BDT
    due in February and pays 200,000; 3,000 USD are sold at 121.5; the fund pays compensation
    at two factories and settles part of it."""
    nord, haven = brands["NORD"], brands["HAVEN"]
    nord_pledge = record_pledge(
        session,
        brand=nord,
        reference="NORD-P1",
        amount=1_000_000,
        currency="USD",
        pledged_on=date(2026, 1, 5),
        due_date=date(2026, 4, 30),
        instalments=[(date(2026, 1, 31), 600_000), (date(2026, 4, 30), 400_000)],
        actor=actor,
    )
    haven_pledge = record_pledge(
        session,
        brand=haven,
        reference="HAVEN-P1",
        amount=50_000_000,
        currency="BDT",
        pledged_on=date(2026, 1, 10),
        due_date=date(2026, 2, 28),
        actor=actor,
    )
    nord_paid = record_contribution(
        session,
        brand=nord,
        bank_reference="SWIFT-1",
        amount=400_000,
        currency="USD",
        value_date=date(2026, 1, 20),
        pledge=nord_pledge,
        actor=actor,
    )
    haven_paid = record_contribution(
        session,
        brand=haven,
        bank_reference="BEFTN-1",
        amount=20_000_000,
        currency="BDT",
        value_date=date(2026, 2, 15),
        actor=actor,
    )
    conversion = convert_usd_to_bdt(
        session,
        amount=300_000,
        rate=Decimal("121.5"),
        effective_date=date(2026, 2, 1),
        reference="DEAL-1",
        actor=actor,
    )
    bank = account(session, "1010")
    for key, day, factory, event, amount in (
        ("comp-1", date(2026, 2, 10), "DHK-1", "1", 15_000_000),
        ("comp-2", date(2026, 3, 10), "GZP-2", "2", 9_000_000),
        ("comp-3", date(2026, 3, 12), "DHK-1", "1", 1_000_000),
    ):
        post(
            session,
            Entry(
                day,
                f"=Compensation {factory}",  # a memo a spreadsheet would run as a formula
                key,
                (
                    Posting(
                        account(session, "5000", currency="BDT", factory=factory, event=event),
                        amount,
                    ),
                    Posting(account(session, "2000", currency="BDT", event=event), -amount),
                ),
            ),
        )
    post(
        session,
        Entry(
            date(2026, 3, 15),
            "Batch 1 paid",
            "pay-1",
            (
                Posting(account(session, "2000", currency="BDT", event="1"), 12_000_000),
                Posting(bank, -12_000_000),
            ),
            reference="batch:1",
        ),
    )
    session.flush()
    return Books(nord_pledge, haven_pledge, nord_paid, haven_paid, conversion)
