"""``GET /api/v1/ledger/trial-balance`` for the accountant, the auditor and the administrator."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, request
from marshmallow import Schema, fields

from fund.auth.access import allow
from fund.brands.schemas import amount_field
from fund.db import get_session
from fund.reports.services import BOOK_READERS
from ledger.money import from_minor
from ledger.queries import trial_balance


class TrialBalanceLineOut(Schema):
    """One account's balance."""

    code = fields.String(required=True)
    name = fields.String(required=True)
    dimensions = fields.String(required=True)
    currency = fields.String(required=True)
    debit = amount_field()
    credit = amount_field()


class CurrencyTotalOut(Schema):
    """Column totals in one currency (always equal)."""

    currency = fields.String(required=True)
    debit = amount_field()
    credit = amount_field()


class TrialBalanceOut(Schema):
    """Every account with a balance as of a date, and the totals per currency."""

    as_of = fields.Date(required=True, allow_none=True)
    balanced = fields.Boolean(required=True)
    totals = fields.List(fields.Nested(CurrencyTotalOut), required=True)
    accounts = fields.List(fields.Nested(TrialBalanceLineOut), required=True)


def trial_balance_view() -> dict[str, Any]:
    text = request.args.get("as_of", "").strip()
    try:
        as_of = date.fromisoformat(text) if text else None
    except ValueError:
        abort(400, description="as_of must be a date like 2026-03-31")
    report = trial_balance(get_session(), as_of=as_of)
    result: dict[str, Any] = TrialBalanceOut().dump(
        {
            "as_of": as_of,
            "balanced": report.balanced,
            "totals": [
                {"currency": c, "debit": from_minor(d, c), "credit": from_minor(k, c)}
                for c, (d, k) in report.totals.items()
            ],
            "accounts": [
                {
                    "code": line.code,
                    "name": line.name,
                    "dimensions": line.dimensions,
                    "currency": line.currency,
                    "debit": from_minor(line.debit, line.currency),
                    "credit": from_minor(line.credit, line.currency),
                }
                for line in report.lines
            ],
        }
    )
    return result


def register(bp: Blueprint) -> None:
    """Add the ledger endpoints to the API blueprint (brands, officers, approvers: 403)."""
    bp.add_url_rule(
        "/ledger/trial-balance", "trial_balance", allow(*BOOK_READERS)(trial_balance_view)
    )


def add_ledger_paths(spec: Any, *, errors: dict[str, Any]) -> None:
    """Document the ledger endpoints."""
    spec.components.schema("TrialBalance", schema=TrialBalanceOut)
    body = {"$ref": "#/components/schemas/TrialBalance"}
    error = {"$ref": "#/components/schemas/ErrorBody"}
    spec.path(
        "/ledger/trial-balance",
        operations={
            "get": {
                "summary": "Trial balance as of a date (accountant, auditor, admin)",
                "parameters": [
                    {"name": "as_of", "in": "query", "schema": {"type": "string", "format": "date"}}
                ],
                "responses": {
                    "200": {
                        "description": "the trial balance",
                        "content": {"application/json": {"schema": body}},
                    },
                    "400": {
                        "description": "a bad date",
                        "content": {"application/json": {"schema": error}},
                    },
                    **errors,
                },
            }
        },
    )
