"""Policies: versioned TOML documents saying what a suspension or a closure pays.

``parse_policy`` turns the TOML text of DESIGN §5 into frozen value objects, refusing anything
it does not understand with a ``PolicyInvalid`` that names the key. Shares are written as
strings (``"0.50"``) and become ``Decimal``; a TOML float is refused because ``0.1`` cannot be
held exactly. Nothing here touches a database.

Beyond the first shape (tiers; notice and per-year closure pay) a policy can say what the
Labour Act says: a last tier that ``repeat``s in periods until the event ends; tiers counted
per worker per calendar year across events (``tiers_per = "calendar_year"``); closure
``[[closure.lines]]`` paid for fixed days, per year of service with ``steps`` by service, from
roll fields (``days_from`` a day count × the daily wage, ``amount_from`` an amount due), each
limited to worker ``classes``; ``[[closure.greater_of]]`` alternatives of which the larger
total is paid; and ``effective_from`` / ``effective_to`` dates. Every line names its ``basis``
(the law or agreement that pays it) and may say in Bengali (``bn``) what it pays.
"""

from __future__ import annotations

import tomllib
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any

from fund.entitlements.policy_terms import (
    AMOUNT_FIELDS,
    DAY_FIELDS,
    DEFAULT_PAYOUT,
    PAY_COMPONENTS,
    WEEKDAYS,
    Alternative,
    ClosureRules,
    DayCount,
    LineKind,
    LineRule,
    Pay,
    Payout,
    Policy,
    PolicyInvalid,
    SuspensionRules,
    Tier,
    TierCounting,
)
from imports.records import WORKER_CLASSES
from ledger.money import MINOR_DIGITS, ROUNDING_MODES

# The terms are read here and kept in ``policy_terms``; callers import both from here.
__all__ = [
    "AMOUNT_FIELDS",
    "DAY_FIELDS",
    "DEFAULT_PAYOUT",
    "PAY_COMPONENTS",
    "WEEKDAYS",
    "Alternative",
    "ClosureRules",
    "DayCount",
    "LineKind",
    "LineRule",
    "Pay",
    "Payout",
    "Policy",
    "PolicyInvalid",
    "SuspensionRules",
    "Tier",
    "TierCounting",
    "load_policy",
    "parse_policy",
]


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
    effective_from = table.date("effective_from")
    effective_to = table.date("effective_to")
    if effective_from and effective_to and effective_to < effective_from:
        raise PolicyInvalid("effective_to", f"{effective_to} is before {effective_from}")
    missing_class = table.string("worker_class_when_missing", default="permanent")
    if missing_class not in WORKER_CLASSES:
        raise PolicyInvalid(
            "worker_class_when_missing",
            f"unknown worker class (one of {', '.join(WORKER_CLASSES)})",
        )
    table.no_other_keys()
    return Policy(
        name=name,
        currency=currency,
        days_per_month=days_per_month,
        suspension=suspension,
        closure=closure,
        payout=payout,
        source=text,
        effective_from=effective_from,
        effective_to=effective_to,
        worker_class_when_missing=missing_class,
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
        repeat = tier.boolean("repeat", default=False)
        if repeat and index != len(raw_tiers):
            raise PolicyInvalid(tier.key("repeat"), "only the last tier can repeat")
        tiers.append(
            Tier(
                days=tier.integer("days", minimum=1),
                pay=_pay(tier, "pay"),
                repeat=repeat,
                basis=tier.string("basis", default=""),
                bn=tier.string("bn", default=""),
            )
        )
        tier.no_other_keys()
    tiers_per = table.string("tiers_per", default="event")
    if tiers_per not in ("event", "calendar_year"):
        raise PolicyInvalid(
            table.key("tiers_per"), f'must be "event" or "calendar_year", not {tiers_per!r}'
        )
    classes = _classes(table)
    table.no_other_keys()
    return SuspensionRules(
        count="working" if count == "working" else "calendar",
        weekly_holidays=frozenset(holidays) if count == "working" else frozenset(),
        min_service_days=min_service_days,
        tiers=tuple(tiers),
        tiers_per="calendar_year" if tiers_per == "calendar_year" else "event",
        classes=classes,
    )


def _classes(table: _Table) -> frozenset[str] | None:
    if "classes" not in table.data:
        table.seen.add("classes")
        return None
    names = table.array("classes")
    for index, name in enumerate(names):
        if name not in WORKER_CLASSES:
            raise PolicyInvalid(
                f"{table.key('classes')}[{index}]",
                f"unknown worker class {name!r} (one of {', '.join(WORKER_CLASSES)})",
            )
    if not names:
        raise PolicyInvalid(table.key("classes"), "names no worker class")
    return frozenset(names)


def _closure(table: _Table) -> ClosureRules:
    min_service_days = table.integer("min_service_days", default=0, minimum=0)
    first_shape = ("notice_days", "notice_pay", "per_year_days", "per_year_pay")
    lines: list[LineRule] = []
    if any(key in table.data for key in first_shape):
        # The first shape: notice pay, then service pay, each required (same lines, same order),
        # each with its Bengali words in ``notice_bn`` / ``per_year_bn``.
        lines.append(
            LineRule(
                rule="notice pay",
                kind="days",
                bn=table.string("notice_bn", default=""),
                days=table.integer("notice_days", minimum=0),
                pay=_pay(table, "notice_pay"),
            )
        )
        lines.append(
            LineRule(
                rule="service pay",
                kind="per_year",
                bn=table.string("per_year_bn", default=""),
                per_year_days=table.integer("per_year_days", minimum=0),
                pay=_pay(table, "per_year_pay"),
            )
        )
        part_year = table.integer("part_year_counts_after_months", minimum=0, maximum=11)
    else:
        part_year = table.integer("part_year_counts_after_months", default=0, minimum=0, maximum=11)
    for index, raw in enumerate(table.array("lines", default=[]), start=1):
        lines.append(_line_rule(raw, f"{table.key('lines')}[{index}]"))
    alternatives = []
    for index, raw in enumerate(table.array("greater_of", default=[]), start=1):
        key = f"{table.key('greater_of')}[{index}]"
        if not isinstance(raw, dict):
            raise PolicyInvalid(key, "must be a table with a name and lines")
        alternative = _Table(raw, key)
        name = alternative.string("name")
        rules = tuple(
            _line_rule(line, f"{alternative.key('lines')}[{number}]")
            for number, line in enumerate(alternative.array("lines"), start=1)
        )
        if not rules:
            raise PolicyInvalid(alternative.key("lines"), "an alternative needs lines")
        alternative.no_other_keys()
        alternatives.append(Alternative(name=name, lines=rules))
    if len(alternatives) == 1:
        raise PolicyInvalid(table.key("greater_of"), "needs at least two alternatives")
    if not lines and not alternatives:
        raise PolicyInvalid(table.key("lines"), "a closure needs at least one line")
    classes = _classes(table)
    table.no_other_keys()
    return ClosureRules(
        min_service_days=min_service_days,
        part_year_counts_after_months=part_year,
        lines=tuple(lines),
        greater_of=tuple(alternatives),
        classes=classes,
    )


def _line_rule(raw: Any, key: str) -> LineRule:
    if not isinstance(raw, dict):
        raise PolicyInvalid(key, "must be a table")
    table = _Table(raw, key)
    rule = table.string("rule")
    basis = table.string("basis")  # a new-shape line always says what pays it
    bn = table.string("bn", default="")
    classes = _classes(table)
    kinds = [name for name in ("days", "per_year_days", "days_from", "amount_from") if name in raw]
    if len(kinds) != 1:
        raise PolicyInvalid(
            key, "give exactly one of days, per_year_days, days_from or amount_from"
        )
    kind = kinds[0]
    line: LineRule
    if kind == "amount_from":
        name = table.string("amount_from")
        if name not in AMOUNT_FIELDS:
            raise PolicyInvalid(
                table.key("amount_from"),
                f"not a roll amount field (one of {', '.join(AMOUNT_FIELDS)})",
            )
        share = table.decimal("share", default=Decimal(1))
        if share < 0:
            raise PolicyInvalid(table.key("share"), f"a share cannot be negative ({share})")
        line = LineRule(rule, "amount_from", basis, bn, field=name, share=share, classes=classes)
    elif kind == "days_from":
        name = table.string("days_from")
        if name not in DAY_FIELDS:
            raise PolicyInvalid(
                table.key("days_from"),
                f"not a roll day-count field (one of {', '.join(DAY_FIELDS)})",
            )
        line = LineRule(
            rule, "days_from", basis, bn, field=name, pay=_pay(table, "pay"), classes=classes
        )
    elif kind == "days":
        line = LineRule(
            rule,
            "days",
            basis,
            bn,
            days=table.integer("days", minimum=0),
            pay=_pay(table, "pay"),
            classes=classes,
        )
    else:
        steps = []
        for number, raw_step in enumerate(table.array("steps", default=[]), start=1):
            step_key = f"{table.key('steps')}[{number}]"
            if not isinstance(raw_step, dict):
                raise PolicyInvalid(step_key, "must be { from_years = N, per_year_days = N }")
            step = _Table(raw_step, step_key)
            steps.append(
                (step.integer("from_years", minimum=1), step.integer("per_year_days", minimum=0))
            )
            step.no_other_keys()
        if [years for years, _ in steps] != sorted({years for years, _ in steps}):
            raise PolicyInvalid(table.key("steps"), "from_years must rise from step to step")
        part_year = None
        if "part_year_counts_after_months" in raw:
            part_year = table.integer("part_year_counts_after_months", minimum=0, maximum=11)
        line = LineRule(
            rule,
            "per_year",
            basis,
            bn,
            per_year_days=table.integer("per_year_days", minimum=0),
            steps=tuple(steps),
            part_year_counts_after_months=part_year,
            pay=_pay(table, "pay"),
            classes=classes,
        )
    table.no_other_keys()
    return line


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
    fund_advances = table.boolean("fund_advances", default=False)
    if fund_advances and fund_share == 1:
        raise PolicyInvalid(
            table.key("fund_advances"), "only means something when fund_share is below 1"
        )
    table.no_other_keys()
    return Payout(
        fund_share=fund_share, round_to=round_to, rounding=rounding, fund_advances=fund_advances
    )


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

    def boolean(self, name: str, default: Any = _MISSING) -> bool:
        value = self._get(name, default)
        if not isinstance(value, bool):
            raise PolicyInvalid(self.key(name), f"must be true or false, not {value!r}")
        return value

    def date(self, name: str) -> date | None:
        value = self._get(name, None)
        if value is None:
            return None
        if not isinstance(value, date) or hasattr(value, "hour"):
            raise PolicyInvalid(self.key(name), f"must be a date like 2026-04-01, not {value!r}")
        return value

    def array(self, name: str, default: Any = _MISSING) -> list[Any]:
        value = self._get(name, default)
        if not isinstance(value, list):
            raise PolicyInvalid(self.key(name), f"must be an array, not {value!r}")
        return value

    def no_other_keys(self) -> None:
        for name in self.data:
            if name not in self.seen:
                raise PolicyInvalid(self.key(name), "unknown key (a typo?)")
