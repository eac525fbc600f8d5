"""Demo pledges, contributions and one dollar sale, so statements and charts show something.

Idempotent: each record is found again by its reference, so a second run adds nothing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from fund.brands.models import Brand, Contribution, Conversion, Pledge
from fund.brands.services import convert_usd_to_bdt, record_contribution, record_pledge

# (brand, reference, currency, amount in minor units, pledged on, instalments)
PLEDGES = [
    (
        "NORD",
        "NORD-2026-01",
        "USD",
        25_000_000,
        date(2026, 1, 5),
        [(date(2026, 2, 28), 12_500_000), (date(2026, 5, 31), 12_500_000)],
    ),
    (
        "HAVEN",
        "HAVEN-2026-01",
        "USD",
        18_000_000,
        date(2026, 1, 10),
        [(date(2026, 2, 28), 18_000_000)],
    ),
    (
        "KESTREL",
        "KESTREL-2026-01",
        "BDT",
        1_200_000_000,
        date(2026, 1, 15),
        [(date(2026, 4, 30), 1_200_000_000)],
    ),
]
# (brand, bank reference, currency, amount, value date, pledge reference)
CONTRIBUTIONS = [
    ("NORD", "SWIFT-NORD-0220", "USD", 12_500_000, date(2026, 2, 20), "NORD-2026-01"),
    ("HAVEN", "SWIFT-HAVEN-0305", "USD", 10_000_000, date(2026, 3, 5), "HAVEN-2026-01"),
    ("KESTREL", "BEFTN-KESTREL-0210", "BDT", 600_000_000, date(2026, 2, 10), "KESTREL-2026-01"),
]
# (deal reference, US cents, taka per dollar, date)
CONVERSIONS = [("FX-DEAL-0310", 15_000_000, Decimal("121.45"), date(2026, 3, 10))]


def load_demo_brand_money(session: Session) -> list[str]:
    """Add the demo pledges, contributions and conversion that are missing; name what was added."""
    added: list[str] = []
    brands = {brand.code: brand for brand in session.scalars(select(Brand))}
    pledges: dict[str, Pledge] = {}
    for code, reference, currency, amount, pledged_on, instalments in PLEDGES:
        brand = brands[code]
        known = session.scalar(
            select(Pledge.id).where(Pledge.brand_id == brand.id, Pledge.reference == reference)
        )
        pledges[reference] = record_pledge(
            session,
            brand=brand,
            reference=reference,
            amount=amount,
            currency=currency,
            pledged_on=pledged_on,
            due_date=max(day for day, _ in instalments),
            instalments=instalments if len(instalments) > 1 else None,
            actor=None,
        )
        if known is None:
            added.append(f"pledge {reference}")
    for code, bank_reference, currency, amount, value_date, pledge_reference in CONTRIBUTIONS:
        brand = brands[code]
        known = session.scalar(
            select(Contribution.id).where(
                Contribution.brand_id == brand.id, Contribution.bank_reference == bank_reference
            )
        )
        record_contribution(
            session,
            brand=brand,
            bank_reference=bank_reference,
            amount=amount,
            currency=currency,
            value_date=value_date,
            pledge=pledges[pledge_reference],
            actor=None,
        )
        if known is None:
            added.append(f"contribution {bank_reference}")
    for reference, cents, rate, day in CONVERSIONS:
        known = session.scalar(select(Conversion.id).where(Conversion.reference == reference))
        convert_usd_to_bdt(
            session, amount=cents, rate=rate, effective_date=day, reference=reference, actor=None
        )
        if known is None:
            added.append(f"conversion {reference}")
    return added
