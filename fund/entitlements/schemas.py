"""What the API says about entitlements: amounts as decimal strings, lines with exact amounts."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, fields

from fund.api.fields import text
from fund.disbursements.schemas import UtcDateTime
from fund.entitlements.export import exact_text
from fund.entitlements.models import Entitlement, EntitlementLine, EntitlementRun
from ledger.money import from_minor


def _money(minor: int, currency: str) -> str:
    return f"{from_minor(minor, currency)}"


class EntitlementLineOut(Schema):
    """One breakdown line: rule, component, days, rate and exact amount (major units)."""

    rule = fields.String(required=True)
    component = fields.String(required=True)
    monthly = fields.String(required=True)
    share = fields.String(required=True)
    days = fields.Integer(required=True)
    days_per_month = fields.Integer(required=True)
    daily_rate = fields.String(required=True)
    amount = fields.String(required=True)


def line_out(line: EntitlementLine, currency: str) -> dict[str, Any]:
    """A breakdown line as ``EntitlementLineOut`` describes it."""
    dumped: dict[str, Any] = EntitlementLineOut().dump(
        {
            "rule": line.rule,
            "component": line.component,
            "monthly": _money(line.monthly_minor, currency),
            "share": str(line.share),
            "days": line.days,
            "days_per_month": line.days_per_month,
            "daily_rate": exact_text(line.daily_rate, currency),
            "amount": exact_text(line.amount, currency),
        }
    )
    return dumped


class EntitlementOut(Schema):
    """One worker's entitlement for an event; ``amount`` is rounded once by the policy."""

    id = fields.Integer(required=True)
    run_id = fields.Integer(required=True)
    event_id = fields.Function(lambda e: e.run.event_id, required=True)
    roll_row = fields.Integer(required=True)
    worker_id = fields.String(required=True)
    name = fields.String(required=True)
    section = fields.String(allow_none=True)
    eligible = fields.Boolean(required=True)
    reason = fields.String(allow_none=True)
    days_paid = fields.Integer(allow_none=True)
    years_of_service = fields.Integer(allow_none=True)
    amount = fields.Method("get_amount", required=True)
    exact_payable = fields.Method("get_exact", required=True)
    currency = fields.String(required=True)
    lines = fields.Method("get_lines", required=True)

    def get_amount(self, entitlement: Entitlement) -> str:
        return _money(entitlement.amount_minor, entitlement.currency)

    def get_exact(self, entitlement: Entitlement) -> str:
        return exact_text(entitlement.exact_payable, entitlement.currency)

    def get_lines(self, entitlement: Entitlement) -> list[dict[str, Any]]:
        return [line_out(line, entitlement.currency) for line in entitlement.lines]


class EntitlementRunOut(Schema):
    """One computation of an event's entitlements and its totals."""

    id = fields.Integer(required=True)
    event_id = fields.Integer(required=True)
    roll_id = fields.Integer(allow_none=True)
    policy = fields.Function(lambda run: run.policy_version.label, required=True)
    policy_sha256 = fields.Function(lambda run: run.policy_version.sha256, required=True)
    through = fields.Date(allow_none=True)
    workers = fields.Integer(required=True)
    eligible = fields.Integer(required=True)
    total = fields.Method("get_total", required=True)
    currency = fields.String(required=True)
    computed_at = UtcDateTime(required=True)

    def get_total(self, run: EntitlementRun) -> str:
        return _money(run.total_minor, run.currency)


class ResolveIn(Schema):
    """How the officer checked that the workers sharing a national ID are one person."""

    class Meta:
        unknown = EXCLUDE

    note = text(2000, blank=False, required=True)


class ResolutionOut(Schema):
    """The decision: the workers sharing ``national_id`` are paid once, as ``paid_worker_id``."""

    id = fields.Integer(required=True)
    event_id = fields.Integer(required=True)
    national_id = fields.String(required=True)
    paid_worker_id = fields.String(required=True)
    note = fields.String(required=True)
    resolved_by = fields.Function(
        lambda r: r.resolved_by.username if r.resolved_by else None,
        required=True,
        allow_none=True,
    )
    resolved_at = UtcDateTime(required=True)
