"""What is told and reported about claims: the claimant's SMS, overdue claims, the claims report.

Read-only. A claim is overdue when it is still open past its deadline; the report counts
claims by factory, kind, status and age band, and how many were decided by their deadline.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fund.claims import messages
from fund.claims.errors import ClaimInvalid as ClaimInvalid
from fund.claims.errors import ClaimRefused as ClaimRefused
from fund.claims.models import (
    CLAIM_KINDS,
    REFERRAL_OUTCOMES,
    Claim,
)

# --- telling the claimant ------------------------------------------------------------------


def outcome_text(claim: Claim, *, helpline: str = "") -> str:
    """The SMS for the claim's current state, in the worker's language (``messages``)."""
    return messages.sms_for(claim, helpline=helpline)


# --- what is late, and reports -------------------------------------------------------------


def overdue(session: Session, *, today: date, limit: int = 50) -> list[Claim]:
    """Open claims past their deadline, oldest deadline first."""
    return list(
        session.scalars(
            select(Claim)
            .where(Claim.status == "open", Claim.due_on < today)
            .order_by(Claim.due_on, Claim.id)
            .limit(limit)
        )
    )


def overdue_count(session: Session, *, today: date) -> int:
    """How many open claims are past their deadline."""
    return (
        session.scalar(
            select(func.count(Claim.id)).where(Claim.status == "open", Claim.due_on < today)
        )
        or 0
    )


#: Age bands of open claims, in days since filing.
AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("0–7 days", 0, 7),
    ("8–14 days", 8, 14),
    ("15–30 days", 15, 30),
    ("over 30 days", 31, None),
)


@dataclass(frozen=True, slots=True)
class ClaimReport:
    """Claims counted by factory, kind, status and age, and how many were decided in time.

    A referral is decided when its outcome comes back (``referrals``), not when it is sent:
    until then it counts in ``referrals_waiting`` and neither in time nor late.
    """

    total: int
    by_factory: dict[str, dict[str, int]]  # factory code → status → count
    by_kind: dict[str, dict[str, int]]  # kind → status → count
    by_status: dict[str, int]
    open_by_age: dict[str, int]
    decided: int
    decided_in_time: int
    overdue: int
    referrals: dict[str, int]  # outcome → count, "" for those still waiting
    late_filed: int
    #: Days to decide each kind, as the caller's configuration sets them (the API shows them).
    deadlines: dict[str, int] = field(default_factory=dict)

    @property
    def referrals_waiting(self) -> int:
        """Referrals sent whose outcome has not come back."""
        return self.referrals.get("", 0)

    @property
    def share_in_time(self) -> float | None:
        """Decided claims decided by their deadline, as a fraction (None before any)."""
        return self.decided_in_time / self.decided if self.decided else None


def _day(moment: datetime) -> date:
    return moment.date()


def report(session: Session, *, today: date) -> ClaimReport:
    """Counts of every claim: the claims report page, API and CLI all show this."""
    from fund.factories.models import Factory

    rows = session.execute(
        select(
            Claim.kind, Claim.status, Claim.filed_at, Claim.due_on, Claim.decided_at, Factory.code,
            Claim.referral_outcome, Claim.referral_returned_at, Claim.late,
        ).join(Factory, Claim.factory_id == Factory.id)
    ).all()  # fmt: skip
    by_factory: dict[str, Counter[str]] = defaultdict(Counter)
    by_kind: dict[str, Counter[str]] = defaultdict(Counter)
    by_status: Counter[str] = Counter()
    ages: Counter[str] = Counter({label: 0 for label, _, _ in AGE_BANDS})
    referrals: Counter[str] = Counter({"": 0, **dict.fromkeys(REFERRAL_OUTCOMES, 0)})
    decided = in_time = late = late_filed = 0
    for kind, status, filed_at, due_on, decided_at, code, outcome, returned, was_late in rows:
        by_factory[code][status] += 1
        by_kind[kind][status] += 1
        by_status[status] += 1
        late_filed += bool(was_late)
        if status == "referred":
            referrals[outcome] += 1
            decided_at = returned  # decided when the outcome came back
            if decided_at is None:
                late += due_on < today
                continue
        if status == "open":
            age = (today - _day(filed_at)).days
            for label, low, high in AGE_BANDS:
                if age >= low and (high is None or age <= high):
                    ages[label] += 1
                    break
            late += due_on < today
        else:
            decided += 1
            in_time += decided_at is not None and _day(decided_at) <= due_on
    return ClaimReport(
        total=len(rows),
        by_factory={code: dict(counts) for code, counts in sorted(by_factory.items())},
        by_kind={kind: dict(by_kind.get(kind, Counter())) for kind in CLAIM_KINDS},
        by_status={
            status: by_status.get(status, 0)
            for status in ("open", "accepted", "rejected", "referred")
        },
        open_by_age=dict(ages),
        decided=decided,
        decided_in_time=in_time,
        overdue=late,
        referrals=dict(referrals),
        late_filed=late_filed,
    )
