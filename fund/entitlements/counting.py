"""Counting for the entitlement rules: the days of a suspension that count, calendar months
and years of service, the days each tier pays, and the one rounding of a worker's total.

Rules: a suspension counts its dates clipped to the day computed up to, without the policy's
weekly holidays; a month of service is complete on the same day of a later month (or that
month's last day); a part year counts as a year only past the policy's months; tiers fill in
order from where earlier lay-offs of the year left off; rounding is half up (or half to even)
to the policy's unit, in integers.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from fund.entitlements.outcomes import EntitlementError, EventTerms, ThroughMissing
from fund.entitlements.policy import Policy


def covered_days(event: EventTerms, policy: Policy, through: date | None) -> list[date]:
    """Days of a suspension that count: event dates clipped to ``through``, minus holidays."""
    rules = policy.suspension
    if rules is None:
        raise EntitlementError(f"policy {policy.name!r} has no [suspension] rules")
    last = event.end
    if through is not None:
        last = through if last is None else min(last, through)
    if last is None:
        raise ThroughMissing("an ongoing suspension needs a through date to compute up to")
    days = []
    day = event.start
    while day <= last:
        if day.weekday() not in rules.weekly_holidays:
            days.append(day)
        day += timedelta(days=1)
    return days


def months_of_service(joined: date, until: date) -> int:
    """Whole calendar months from ``joined`` to ``until``.

    A month is complete on the same day of a later month or, when that month is shorter,
    on its last day (joined 31 January: one month on 28/29 February).
    """
    if until < joined:
        return 0
    months = (until.year - joined.year) * 12 + (until.month - joined.month)
    last_day = calendar.monthrange(until.year, until.month)[1]
    if until.day < joined.day and until.day != last_day:
        months -= 1
    return months


def years_of_service(months: int, part_year_counts_after_months: int) -> int:
    """Completed years, plus one when the remaining months exceed the threshold (0 = never)."""
    years, remaining = divmod(months, 12)
    if part_year_counts_after_months and remaining > part_year_counts_after_months:
        years += 1
    return years


def tier_days(capacities: Sequence[int | None], segments: Iterable[tuple[int, int]]) -> list[int]:
    """Days each tier pays: ``segments`` are (days already counted, days to place) runs.

    A tier's capacity is its days (None: a repeating last tier, without end). Each run starts
    at the tier position its already-counted days reach (a calendar year's earlier lay-offs).
    """
    paid = [0] * len(capacities)
    for already, count in segments:
        position = already
        start = 0
        for index, capacity in enumerate(capacities):
            if count == 0:
                break
            end = None if capacity is None else start + capacity
            if end is None or position < end:
                placed = count if end is None else min(count, end - max(position, start))
                paid[index] += placed
                count -= placed
                position += placed
            start = start if end is None else end
    return paid


def round_once(numerator: int, denominator: int, step_minor: int, half_even: bool) -> int:
    """Round ``numerator / denominator`` minor units to a multiple of ``step_minor``, half up
    (or half to even), in integers.

    This is ``ledger.money.round_amount`` for non-negative exact ratios, without building a
    ``Fraction`` and a ``Decimal`` per worker; the tests hold the two to the same answers.
    """
    whole = denominator * step_minor
    quotient, remainder = divmod(numerator, whole)
    twice = 2 * remainder
    if twice > whole or (twice == whole and (not half_even or quotient % 2 == 1)):
        quotient += 1
    return quotient * step_minor
