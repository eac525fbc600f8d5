"""Demo rolls: a generated payroll of about 40 workers (Bengali names) for two demo factories."""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from fund.factories.models import Factory
from fund.rolls.models import Roll
from fund.rolls.services import import_roll

DEMO_AS_OF = date(2025, 3, 31)
#: Factory code → (workers, first digits of their made-up 13-digit national IDs).
DEMO_ROLLS = {"DHK-017": (42, 1985261), "GZP-042": (38, 1990331)}
_GIVEN = ["রহিমা", "করিম", "সালমা", "নাসিমা", "আব্দুল", "রিনা", "মফিজ", "জাহানারা", "শিরিন", "হাসান"]
_FAMILY = ["খাতুন", "মিয়া", "আক্তার", "বেগম", "হোসেন", "ইসলাম", "উদ্দিন", "সরকার"]
_SECTIONS = ["Sewing A", "Sewing B", "Cutting", "Finishing", "Knitting"]


def demo_roll_csv(code: str, workers: int, nid_prefix: int) -> bytes:
    """A factory's roll as it might send it: a title row, Bengali names, wages by grade."""
    rng = random.Random(code)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([f"{code} payroll, March 2025"])
    writer.writerow(
        [
            "Card No",
            "Worker Name",
            "NID",
            "Section",
            "Grade",
            "Designation",
            "DOJ",
            "Basic Salary",
            "House Rent",
            "Medical",
            "Conveyance",
            "Food",
            "Payment Method",
            "bKash",
            "Bank Account",
            "Date of Exit",
        ]
    )
    for n in range(1, workers + 1):
        grade = rng.randint(3, 7)
        basic = 8_390 - (grade - 3) * 280
        method = rng.choice(["bkash", "bkash", "bank", "cash"])
        writer.writerow(
            [
                f"{code[:3]}-{n:04d}",
                f"{rng.choice(_GIVEN)} {rng.choice(_FAMILY)}",
                f"{nid_prefix}{n:06d}",
                rng.choice(_SECTIONS),
                str(grade),
                "Operator" if grade > 3 else "Senior Operator",
                (date(2012, 1, 1) + timedelta(days=rng.randint(0, 4000))).strftime("%d/%m/%Y"),
                f"{basic:,}",
                str(basic // 2),
                "750",
                "450",
                "1250",
                method,
                f"017{nid_prefix % 100:02d}{n:06d}" if method == "bkash" else "",
                f"0123{n:08d}" if method == "bank" else "",
                "",
            ]
        )
    return out.getvalue().encode("utf-8")


def load_demo_rolls(session: Session) -> list[str]:
    """Import the demo rolls for factories that have none yet; what was added."""
    added = []
    for code, (workers, nid_prefix) in DEMO_ROLLS.items():
        factory = session.scalar(select(Factory).where(Factory.code == code))
        if (
            factory is None
            or session.scalar(select(Roll.id).where(Roll.factory_id == factory.id).limit(1))
            is not None
        ):
            continue
        import_roll(
            session,
            factory=factory,
            source=demo_roll_csv(code, workers, nid_prefix),
            filename=f"{code.lower()}-payroll-2025-03.csv",
            as_of=DEMO_AS_OF,
            actor=None,
        )
        added.append(f"roll {code}")
    return added
