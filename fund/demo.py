"""Demo data for `fund demo` and `make run`: fictional brands, factories and one user per role.

Idempotent: each record is looked up by its natural key first, so a second run adds nothing.
Every demo user's password is ``DEMO_PASSWORD`` (documented in the README).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fund.auth.models import User
from fund.auth.roles import Role
from fund.auth.services import create_user
from fund.brands.models import Brand
from fund.factories.models import Factory

DEMO_PASSWORD = "worker-fund-demo"  # noqa: S105  (published on purpose: demo accounts only)

BRANDS = [
    ("NORD", "Nordvik Apparel", "SE"),
    ("HAVEN", "Haven & Loom", "US"),
    ("KESTREL", "Kestrel Outfitters", "GB"),
]
FACTORIES = [
    ("DHK-017", "Rupali Knit Composite Ltd", "BD", "Plot 17, Savar EPZ, Dhaka", ["NORD", "HAVEN"]),
    ("GZP-042", "Meghna Sweaters Ltd", "BD", "Konabari, Gazipur", ["HAVEN"]),
    ("CTG-008", "Karnaphuli Garments Ltd", "BD", "Kalurghat I/A, Chattogram", ["KESTREL", "NORD"]),
    ("NGJ-103", "Shitalakshya Denim Ltd", "BD", "Fatullah, Narayanganj", ["KESTREL"]),
]
USERS = [
    ("admin", "Ayesha Rahman", Role.ADMIN, None),
    ("officer", "Tanvir Hossain", Role.OFFICER, None),
    ("approver", "Nusrat Jahan", Role.APPROVER, None),
    ("accountant", "Kamal Uddin", Role.ACCOUNTANT, None),
    ("auditor", "Farhana Akter", Role.AUDITOR, None),
    ("nordvik", "Ingrid Larsen (Nordvik)", Role.BRAND, "NORD"),
    ("haven", "Maya Brooks (Haven & Loom)", Role.BRAND, "HAVEN"),
    ("helpline", "Mitu Akter (helpline)", Role.HELPLINE, None),
]


@dataclass
class DemoReport:
    """What a demo run added."""

    added: list[str] = field(default_factory=list)


def database_is_empty(session: Session) -> bool:
    """True before anyone has been set up (no users at all)."""
    return (session.scalar(select(func.count(User.id))) or 0) == 0


def load_demo(session: Session) -> DemoReport:
    """Add whatever demo records are missing."""
    report = DemoReport()
    brands: dict[str, Brand] = {}
    for code, name, country in BRANDS:
        brand = session.scalar(select(Brand).where(Brand.code == code))
        if brand is None:
            brand = Brand(code=code, name=name, country=country)
            session.add(brand)
            report.added.append(f"brand {code}")
        brands[code] = brand
    for code, name, country, address, member_codes in FACTORIES:
        if session.scalar(select(Factory.id).where(Factory.code == code)) is None:
            session.add(
                Factory(
                    code=code,
                    name=name,
                    country=country,
                    address=address,
                    brands=[brands[member] for member in member_codes],
                )
            )
            report.added.append(f"factory {code}")
    session.flush()
    for username, display_name, role, brand_code in USERS:
        if session.scalar(select(User.id).where(User.username == username)) is None:
            user, _ = create_user(
                session,
                username=username,
                display_name=display_name,
                role=role,
                brand_code=brand_code,
                password=DEMO_PASSWORD,
            )
            user.must_change_password = False
            report.added.append(f"user {username}")
    session.flush()
    from fund.rolls.demo import load_demo_rolls

    report.added.extend(load_demo_rolls(session))
    from fund.events.demo import load_demo_events

    report.added.extend(load_demo_events(session))
    from fund.brands.demo import load_demo_brand_money

    report.added.extend(load_demo_brand_money(session))
    from fund.disbursements.demo import load_demo_batches

    report.added.extend(load_demo_batches(session))
    return report
