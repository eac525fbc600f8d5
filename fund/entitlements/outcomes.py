"""What an entitlement computation takes and gives back, as plain values: the event's terms,
a worker's entitlement with its breakdown lines, why a worker is not paid, and the summary.

Rules: an event's terms are checked when made (a closure has one date and the whole factory;
an end is not before the start; a partial suspension names a section); a breakdown line keeps
its amount exact as a ratio of integers; only ``Entitlement.amount_minor`` is rounded.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Literal, NamedTuple, Protocol

from fund.entitlements.policy import AMOUNT_FIELDS
from imports.records import RollRow

EventKind = Literal["suspension", "closure"]

# Why a worker is not paid (stored and shown; the web pages explain each in words).
NOT_EMPLOYED_AT_START = "not_employed_at_start"
SERVICE_TOO_SHORT = "service_too_short"
EXITED_BEFORE_START = "exited_before_start"
SECTION_NOT_AFFECTED = "section_not_affected"
DUPLICATE_NATIONAL_ID = "duplicate_national_id"
DUPLICATE_RESOLVED = "duplicate_resolved"
CLASS_NOT_COVERED = "class_not_covered"

REASONS: dict[str, str] = {
    NOT_EMPLOYED_AT_START: "joined the factory after the event started",
    SERVICE_TOO_SHORT: "had not served the policy's minimum service before the event started",
    EXITED_BEFORE_START: "had left the factory before the event started",
    SECTION_NOT_AFFECTED: "works in a section the partial suspension does not affect",
    CLASS_NOT_COVERED: "is of a class of worker (e.g. badli, casual) the policy does not cover",
    DUPLICATE_NATIONAL_ID: (
        "shares a national ID with another worker; held until an officer resolves it"
    ),
    DUPLICATE_RESOLVED: (
        "is the same person as another worker on the roll, who is paid instead (resolved by "
        "an officer)"
    ),
}


def daily_rate(monthly_minor: int, share: Decimal, days_per_month: int) -> Fraction:
    """Exact daily amount in minor units of a monthly component: monthly × share / days."""
    return Fraction(monthly_minor) * Fraction(share) / days_per_month


class EntitlementError(ValueError):
    """Event terms or a policy that cannot produce entitlements."""


class ThroughMissing(EntitlementError):
    """An ongoing suspension computed without the day to compute up to."""


@dataclass(frozen=True, slots=True)
class EventTerms:
    """What the rules need to know about an event; ``end`` None = still ongoing."""

    kind: EventKind
    start: date
    end: date | None = None
    sections: frozenset[str] | None = None  # None = the whole factory

    def __post_init__(self) -> None:
        if self.kind not in ("suspension", "closure"):
            raise EntitlementError(f"event kind must be suspension or closure, not {self.kind!r}")
        if self.kind == "closure" and (self.end is not None or self.sections is not None):
            raise EntitlementError("a closure has one date and covers the whole factory")
        if self.end is not None and self.end < self.start:
            raise EntitlementError(f"event ends ({self.end}) before it starts ({self.start})")
        if self.sections is not None and not self.sections:
            raise EntitlementError("a partial suspension must name at least one section")


class BreakdownLine(NamedTuple):
    """One rule paying one wage component: ``days × monthly × share / days_per_month``.

    The exact amount is ``numerator / denominator`` minor units, before the fund's share and
    rounding (a tuple of integers: a hundred thousand workers' lines are built in a blink).
    """

    rule: str  # "suspension tier 1", "notice pay", "service pay"
    component: str
    monthly_minor: int
    share: Decimal
    days: int
    days_per_month: int
    numerator: int
    denominator: int
    basis: str = ""  # the law or agreement that pays the line ("BLA 2006 s.16(5)")
    bn: str = ""  # what the line pays, in Bengali, as the policy words it

    @property
    def amount(self) -> Fraction:
        """Exact amount in minor units, before the fund's share and rounding."""
        return Fraction(self.numerator, self.denominator)

    @property
    def daily_rate(self) -> Fraction:
        """Exact daily amount in minor units: monthly × share / days per month."""
        return daily_rate(self.monthly_minor, self.share, self.days_per_month)

    @property
    def from_amount(self) -> bool:
        """A line paying a roll field's amount due (arrears, bonus), not days of wages."""
        return self.component in AMOUNT_FIELDS


@dataclass(frozen=True, slots=True)
class Entitlement:
    """One worker's entitlement for an event; ineligible workers have a reason and 0."""

    worker: RollRow
    eligible: bool
    reason: str | None
    days_paid: int | None  # suspensions only
    years_of_service: int | None  # closures only
    service_months: int | None  # closures only: whole calendar months served
    lines: tuple[BreakdownLine, ...]
    total_numerator: int  # the lines' sum is total_numerator / denominator minor units
    payable_numerator: int  # after the fund's share: payable_numerator / payable_denominator
    denominator: int
    payable_denominator: int
    amount_minor: int  # rounded once, per the policy's payout: what the fund pays
    currency: str
    factory_share_minor: int = 0  # co-payment: the factory's part of the rounded whole

    @property
    def worker_id(self) -> str:
        """The factory's own ID for the worker."""
        return self.worker.worker_id

    @property
    def exact_total(self) -> Fraction:
        """Exact sum of the breakdown lines, minor units."""
        return Fraction(self.total_numerator, self.denominator)

    @property
    def exact_payable(self) -> Fraction:
        """``exact_total`` × the fund's share, before the one rounding (minor units)."""
        return Fraction(self.payable_numerator, self.payable_denominator)


class Outcome(Protocol):
    """What a summary needs of an entitlement, computed here or stored."""

    @property
    def eligible(self) -> bool: ...

    @property
    def reason(self) -> str | None: ...

    @property
    def amount_minor(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Summary:
    """Totals of a computation: how many workers, how many paid, why the others are not."""

    workers: int
    eligible: int
    total_minor: int
    ineligible_by_reason: dict[str, int]


def summarise(entitlements: Iterable[Outcome]) -> Summary:
    """Count eligible workers, total the rounded amounts and tally the reasons."""
    workers = eligible = total = 0
    reasons: Counter[str] = Counter()
    for entitlement in entitlements:
        workers += 1
        if entitlement.eligible:
            eligible += 1
            total += entitlement.amount_minor
        elif entitlement.reason is not None:
            reasons[entitlement.reason] += 1
    return Summary(workers, eligible, total, dict(sorted(reasons.items())))
