"""Policies: versioned TOML documents saying what a suspension or a closure pays.

``parse_policy`` turns the TOML text of DESIGN §5 into frozen value objects, refusing anything
it does not understand with a ``PolicyInvalid`` that names the key. Shares are written as
strings (``"0.50"``) and become ``Decimal``; a TOML float is refused because ``0.1`` cannot be
held exactly. Nothing here touches a database.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

from imports.records import WAGE_COMPONENTS
from ledger.money import MINOR_DIGITS, ROUNDING_MODES

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
    """A run of consecutive covered days paid at the same shares."""

    days: int
    pay: Pay


@dataclass(frozen=True, slots=True)
class SuspensionRules:
    """How covered days of a suspension are counted and paid."""

    count: DayCount
    weekly_holidays: frozenset[int]  # date.weekday() numbers; Monday = 0
    min_service_days: int
    tiers: tuple[Tier, ...]


@dataclass(frozen=True, slots=True)
class ClosureRules:
    """Separation benefits on closure: wages in lieu of notice and pay per year of service."""

    min_service_days: int
    notice_days: int
    notice_pay: Pay
    per_year_days: int
    per_year_pay: Pay
    part_year_counts_after_months: int  # 0 = a part year never counts


@dataclass(frozen=True, slots=True)
class Payout:
    """The fund's share of each entitlement and the single rounding of each worker's total."""

    fund_share: Decimal
    round_to: Decimal  # in major units: Decimal("1") = whole taka
    rounding: str


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

    @property
    def sha256(self) -> str:
        """Digest of the TOML text, so a stored version can be recognised."""
        return hashlib.sha256(self.source.encode("utf-8")).hexdigest()


DEFAULT_PAYOUT = Payout(fund_share=Decimal("1.00"), round_to=Decimal("1"), rounding="half_up")


def load_policy(path: str | Path) -> Policy:
    """Read and parse a policy file; errors name the file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PolicyInvalid("", f"{path}: cannot read policy ({error})") from error
    try:
        return parse_policy(text)
    except PolicyInvalid as error:
        raise PolicyInvalid(error.key, f"{path}: {error}") from error


def parse_policy(text: str) -> Policy:
    """Parse and validate a policy's TOML text (DESIGN §5 shape)."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PolicyInvalid("", f"not valid TOML: {error}") from error
    table = _Table(document, "")
    name = table.string("name")
    if not name.strip():
        raise PolicyInvalid("name", "must not be empty")
    currency = table.string("currency")
    if currency not in MINOR_DIGITS:
        raise PolicyInvalid("currency", f"unknown currency {currency!r}")
    days_per_month = table.integer("days_per_month", minimum=1, maximum=31)
    suspension = _suspension(table.sub("suspension")) if "suspension" in document else None
    closure = _closure(table.sub("closure")) if "closure" in document else None
    if suspension is None and closure is None:
        raise PolicyInvalid("", "a policy needs a [suspension] or a [closure] table (or both)")
    payout = _payout(table.sub("payout"), currency) if "payout" in document else DEFAULT_PAYOUT
    table.no_other_keys()
    return Policy(
        name=name,
        currency=currency,
        days_per_month=days_per_month,
        suspension=suspension,
        closure=closure,
        payout=payout,
        source=text,
    )


def _suspension(table: _Table) -> SuspensionRules:
    count = table.string("count", default="calendar")
    if count not in ("calendar", "working"):
        raise PolicyInvalid(table.key("count"), f'must be "calendar" or "working", not {count!r}')
    holidays: set[int] = set()
    for index, day in enumerate(table.array("weekly_holidays", default=[])):
        key = f"{table.key('weekly_holidays')}[{index}]"
        if not isinstance(day, str) or day.strip().lower() not in WEEKDAYS:
            raise PolicyInvalid(key, f"not a weekday name: {day!r} (monday … sunday)")
        holidays.add(WEEKDAYS[day.strip().lower()])
    if count == "working" and len(holidays) == 7:
        raise PolicyInvalid(table.key("weekly_holidays"), "every day cannot be a weekly holiday")
    min_service_days = table.integer("min_service_days", default=0, minimum=0)
    raw_tiers = table.array("tiers")
    if not raw_tiers:
        raise PolicyInvalid(table.key("tiers"), "at least one [[suspension.tiers]] is needed")
    tiers = []
    for index, raw in enumerate(raw_tiers, start=1):
        key = f"{table.key('tiers')}[{index}]"
        if not isinstance(raw, dict):
            raise PolicyInvalid(key, "must be a table with days and pay")
        tier = _Table(raw, key)
        tiers.append(Tier(days=tier.integer("days", minimum=1), pay=_pay(tier, "pay")))
        tier.no_other_keys()
    table.no_other_keys()
    return SuspensionRules(
        count="working" if count == "working" else "calendar",
        weekly_holidays=frozenset(holidays) if count == "working" else frozenset(),
        min_service_days=min_service_days,
        tiers=tuple(tiers),
    )


def _closure(table: _Table) -> ClosureRules:
    rules = ClosureRules(
        min_service_days=table.integer("min_service_days", default=0, minimum=0),
        notice_days=table.integer("notice_days", minimum=0),
        notice_pay=_pay(table, "notice_pay"),
        per_year_days=table.integer("per_year_days", minimum=0),
        per_year_pay=_pay(table, "per_year_pay"),
        part_year_counts_after_months=table.integer(
            "part_year_counts_after_months", minimum=0, maximum=11
        ),
    )
    table.no_other_keys()
    return rules


def _payout(table: _Table, currency: str) -> Payout:
    fund_share = table.decimal("fund_share", default=DEFAULT_PAYOUT.fund_share)
    if not Decimal(0) < fund_share <= Decimal(1):
        raise PolicyInvalid(
            table.key("fund_share"), f"must be above 0 and at most 1, not {fund_share}"
        )
    round_to = table.decimal("round_to", default=DEFAULT_PAYOUT.round_to)
    if round_to <= 0:
        raise PolicyInvalid(table.key("round_to"), f"must be positive, not {round_to}")
    if (Fraction(round_to) * 10 ** MINOR_DIGITS[currency]).denominator != 1:
        raise PolicyInvalid(
            table.key("round_to"), f"{round_to} is finer than the smallest unit of {currency}"
        )
    rounding = table.string("rounding", default=DEFAULT_PAYOUT.rounding)
    if rounding not in ROUNDING_MODES:
        modes = ", ".join(sorted(ROUNDING_MODES))
        raise PolicyInvalid(
            table.key("rounding"), f"unknown rounding {rounding!r} (one of {modes})"
        )
    table.no_other_keys()
    return Payout(fund_share=fund_share, round_to=round_to, rounding=rounding)


def _pay(table: _Table, name: str) -> Pay:
    pay = table.sub(name)
    shares = []
    for component in list(pay.data):
        if component not in PAY_COMPONENTS:
            known = ", ".join(PAY_COMPONENTS)
            raise PolicyInvalid(pay.key(component), f"unknown wage component (one of {known})")
        share = pay.decimal(component)
        if share < 0:
            raise PolicyInvalid(pay.key(component), f"a share cannot be negative ({share})")
        shares.append((component, share))
    if not shares:
        raise PolicyInvalid(table.key(name), "names no wage component")
    if len(shares) > 1 and any(component == "gross" for component, _ in shares):
        # gross already contains every component: combining them would pay some twice
        raise PolicyInvalid(table.key(name), "gross cannot be combined with other components")
    return Pay(shares=tuple(shares))


_MISSING: Any = object()


class _Table:
    """A TOML table being read: typed getters that name the full key on error."""

    def __init__(self, data: dict[str, Any], prefix: str) -> None:
        self.data = data
        self.prefix = prefix
        self.seen: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.prefix}.{name}" if self.prefix else name

    def _get(self, name: str, default: Any) -> Any:
        self.seen.add(name)
        if name in self.data:
            return self.data[name]
        if default is _MISSING:
            raise PolicyInvalid(self.key(name), "is required")
        return default

    def sub(self, name: str) -> _Table:
        value = self._get(name, _MISSING)
        if not isinstance(value, dict):
            raise PolicyInvalid(self.key(name), "must be a table")
        return _Table(value, self.key(name))

    def string(self, name: str, default: Any = _MISSING) -> str:
        value = self._get(name, default)
        if not isinstance(value, str):
            raise PolicyInvalid(self.key(name), f"must be a string, not {value!r}")
        return value

    def integer(
        self, name: str, default: Any = _MISSING, *, minimum: int, maximum: int | None = None
    ) -> int:
        value = self._get(name, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise PolicyInvalid(self.key(name), f"must be a whole number, not {value!r}")
        if value < minimum or (maximum is not None and value > maximum):
            bound = f"from {minimum} to {maximum}" if maximum is not None else f"≥ {minimum}"
            raise PolicyInvalid(self.key(name), f"must be {bound}, not {value}")
        number: int = value
        return number

    def decimal(self, name: str, default: Any = _MISSING) -> Decimal:
        value = self._get(name, default)
        if isinstance(value, Decimal):
            return value
        if isinstance(value, float):
            raise PolicyInvalid(
                self.key(name),
                f'write {value!r} as a string, e.g. "{value}": a TOML float is not exact',
            )
        if not isinstance(value, str):
            raise PolicyInvalid(
                self.key(name), f'must be a decimal string like "1.00", not {value!r}'
            )
        try:
            parsed = Decimal(value.strip())
        except InvalidOperation:
            raise PolicyInvalid(self.key(name), f"not a decimal number: {value!r}") from None
        if not parsed.is_finite():
            raise PolicyInvalid(self.key(name), f"not a finite number: {value!r}")
        return parsed

    def array(self, name: str, default: Any = _MISSING) -> list[Any]:
        value = self._get(name, default)
        if not isinstance(value, list):
            raise PolicyInvalid(self.key(name), f"must be an array, not {value!r}")
        return value

    def no_other_keys(self) -> None:
        for name in self.data:
            if name not in self.seen:
                raise PolicyInvalid(self.key(name), "unknown key (a typo?)")
