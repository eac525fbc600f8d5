"""A policy's terms as frozen values: what a suspension or a closure pays, the fund's share and
rounding, and the words of the TOML shape (weekdays, wage components, roll fields).

Rules: shares are ``Decimal`` (never a float); a policy version is recognised by the SHA-256
of its exact TOML text; a version applies to events starting within its effective dates.
Reading a policy (``fund.entitlements.policy``) is the only way these are made from a document.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from imports.records import DUE_FIELDS, WAGE_COMPONENTS

DayCount = Literal["calendar", "working"]

WEEKDAYS: dict[str, int] = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}
PAY_COMPONENTS: tuple[str, ...] = ("gross", *WAGE_COMPONENTS)
#: Roll fields holding a number of days (paid at a daily wage) or an amount due (minor units).
DAY_FIELDS: tuple[str, ...] = ("earned_leave_days",)
AMOUNT_FIELDS: tuple[str, ...] = DUE_FIELDS
TierCounting = Literal["event", "calendar_year"]
LineKind = Literal["days", "per_year", "days_from", "amount_from"]


class PolicyInvalid(ValueError):
    """A policy document that cannot be used; the message names the offending key."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}" if key else message)
        self.key = key


@dataclass(frozen=True, slots=True)
class Pay:
    """Share of each monthly wage component paid per day (``gross`` = the roll's gross)."""

    shares: tuple[tuple[str, Decimal], ...]

    def describe(self) -> str:
        """``"basic × 0.50 + house_rent × 1.00"``."""
        return " + ".join(f"{name} × {share}" for name, share in self.shares)


@dataclass(frozen=True, slots=True)
class Tier:
    """A run of consecutive covered days paid at the same shares.

    A ``repeat`` tier (the last one only) recurs in periods of ``days`` until the event ends.
    """

    days: int
    pay: Pay
    repeat: bool = False
    basis: str = ""
    bn: str = ""


@dataclass(frozen=True, slots=True)
class LineRule:
    """One closure line: what it pays, on what basis, and to which classes of worker.

    ``days``: a fixed number of days' wages; ``per_year``: ``per_year_days`` for each year of
    service (``steps`` raise it once service reaches a number of years); ``days_from``: a roll
    field counting days × the daily wage; ``amount_from``: a roll field's amount × ``share``.
    """

    rule: str
    kind: LineKind
    basis: str = ""
    bn: str = ""
    days: int = 0
    per_year_days: int = 0
    steps: tuple[tuple[int, int], ...] = ()  # (from years of service, days per year)
    part_year_counts_after_months: int | None = None  # None: the closure's
    field: str | None = None
    pay: Pay | None = None
    share: Decimal = Decimal(1)
    classes: frozenset[str] | None = None  # None: every class

    def days_per_year(self, years: int) -> int:
        """Days' wages per year of service for a worker with ``years`` years."""
        days = self.per_year_days
        for from_years, stepped in self.steps:
            if years >= from_years:
                days = stepped
        return days


@dataclass(frozen=True, slots=True)
class Alternative:
    """One of the ``greater_of`` alternatives: a named set of lines."""

    name: str
    lines: tuple[LineRule, ...]


@dataclass(frozen=True, slots=True)
class SuspensionRules:
    """How covered days of a suspension are counted and paid."""

    count: DayCount
    weekly_holidays: frozenset[int]  # date.weekday() numbers; Monday = 0
    min_service_days: int
    tiers: tuple[Tier, ...]
    tiers_per: TierCounting = "event"  # "calendar_year": a worker's earlier lay-offs count
    classes: frozenset[str] | None = None  # worker classes covered; None = every class


@dataclass(frozen=True, slots=True)
class ClosureRules:
    """Separation benefits on closure: lines always paid, plus the greater of alternatives.

    The first shape's keys (notice and per-year pay) become the first two lines.
    """

    min_service_days: int
    part_year_counts_after_months: int  # 0 = a part year never counts
    lines: tuple[LineRule, ...]
    greater_of: tuple[Alternative, ...] = ()
    classes: frozenset[str] | None = None

    @property
    def every_line(self) -> tuple[LineRule, ...]:
        """The lines always paid, then every alternative's."""
        return (*self.lines, *(line for alt in self.greater_of for line in alt.lines))

    @property
    def pays(self) -> tuple[Pay, ...]:
        """Every wage share any line may pay (for the common denominator)."""
        return tuple(rule.pay for rule in self.every_line if rule.pay is not None)

    @property
    def by_worker(self) -> bool:
        """Whether any line depends on the worker's class or roll dues (not only service)."""
        return any(rule.classes is not None or rule.field is not None for rule in self.every_line)

    @property
    def amount_shares(self) -> tuple[Decimal, ...]:
        """Shares of roll-field amounts any line may pay."""
        return tuple(rule.share for rule in self.every_line if rule.kind == "amount_from")


@dataclass(frozen=True, slots=True)
class Payout:
    """The fund's share of each entitlement and the single rounding of each worker's total."""

    fund_share: Decimal
    round_to: Decimal  # in major units: Decimal("1") = whole taka
    rounding: str
    # The fund pays the whole amount and recovers the factory's part (fund_share < 1 only).
    fund_advances: bool = False


@dataclass(frozen=True, slots=True)
class Policy:
    """One version of a policy, parsed; ``source`` is the exact TOML it came from."""

    name: str
    currency: str
    days_per_month: int
    suspension: SuspensionRules | None
    closure: ClosureRules | None
    payout: Payout
    source: str = ""
    effective_from: date | None = None
    effective_to: date | None = None
    worker_class_when_missing: str = "permanent"

    def in_force(self, day: date) -> bool:
        """Whether this version applies to an event starting on ``day``."""
        if self.effective_from is not None and day < self.effective_from:
            return False
        return self.effective_to is None or day <= self.effective_to

    @property
    def sha256(self) -> str:
        """Digest of the TOML text, so a stored version can be recognised."""
        return hashlib.sha256(self.source.encode("utf-8")).hexdigest()


DEFAULT_PAYOUT = Payout(fund_share=Decimal("1.00"), round_to=Decimal("1"), rounding="half_up")
