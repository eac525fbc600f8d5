"""The ledger endpoints of ``/api/v1``: trial balance and Excel exports (accountant, auditor,
administrator), closing a month (accountant, administrator) and reopening (administrator).

Each calls what the web pages call; a body that does not fit its schema is 422, a well-formed
request the service refuses (not a month's last day, already closed) is 409 naming the field.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response
from marshmallow import EXCLUDE, Schema, fields
from werkzeug.wrappers import Response as WerkzeugResponse

from fund.api.body import load_body, query_date
from fund.api.errors import refusal
from fund.api.fields import text
from fund.arguments import MAX_ID
from fund.auth.access import acting_user, allow
from fund.brands.schemas import amount_field
from fund.db import get_session
from fund.reports.services import (
    BOOK_READERS,
    CLOSERS,
    EXPORT_KINDS,
    REOPENERS,
    CloseRefused,
    close_month,
    reopen_month,
)
from fund.reports.views import XLSX, send_export
from ledger import closed_through
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


class CloseIn(Schema):
    """Close the books through a month's last day."""

    class Meta:
        unknown = EXCLUDE

    through = fields.Date(required=True)


class ReopenIn(Schema):
    """Move the close back to a month's last day (null or absent: open everything), and why."""

    class Meta:
        unknown = EXCLUDE

    through = fields.Date(load_default=None, allow_none=True)
    reason = text(200, blank=False, required=True)


class PeriodOut(Schema):
    """The last day of the closed period (null: nothing is closed)."""

    closed_through = fields.Date(required=True, allow_none=True)


def _period() -> dict[str, Any]:
    result: dict[str, Any] = PeriodOut().dump({"closed_through": closed_through(get_session())})
    return result


def export(kind: str) -> WerkzeugResponse:
    for name in ("from", "to", "as_of"):
        query_date(name)  # an empty or bad date is a 400 here (the web form sends empty ones)
    # Each date valid but the period backwards: the request is well-formed, so 409 here.
    return send_export(kind, backwards=409)


def close() -> Response | dict[str, Any]:
    args = load_body(CloseIn())
    try:
        close_month(get_session(), through=args["through"], actor=acting_user())
    except CloseRefused as refused:
        return refusal(str(refused), refused.field)
    return _period()


def reopen() -> Response | dict[str, Any]:
    args = load_body(ReopenIn())
    try:
        reopen_month(
            get_session(), through=args["through"], reason=args["reason"], actor=acting_user()
        )
    except CloseRefused as refused:
        return refusal(str(refused), refused.field)
    return _period()


def trial_balance_view() -> dict[str, Any]:
    as_of = query_date("as_of")
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
    bp.add_url_rule("/ledger/export/<kind>.xlsx", "ledger_export", allow(*BOOK_READERS)(export))
    bp.add_url_rule("/ledger/close", "ledger_close", allow(*CLOSERS)(close), methods=["POST"])
    bp.add_url_rule("/ledger/reopen", "ledger_reopen", allow(*REOPENERS)(reopen), methods=["POST"])


def add_ledger_paths(spec: Any, *, errors: dict[str, Any]) -> None:
    """Document the ledger endpoints."""
    spec.components.schema("TrialBalance", schema=TrialBalanceOut)
    _add_export_and_close_paths(spec, errors=errors)
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


def _add_export_and_close_paths(spec: Any, *, errors: dict[str, Any]) -> None:
    for name, schema in {"CloseIn": CloseIn, "ReopenIn": ReopenIn, "Period": PeriodOut}.items():
        spec.components.schema(name, schema=schema)

    def json_body(name: str) -> dict[str, Any]:
        return {
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}
        }

    def error(description: str) -> dict[str, Any]:
        return {"description": description, **json_body("ErrorBody")}

    day = {"type": "string", "format": "date"}
    spec.path(
        "/ledger/export/{kind}.xlsx",
        operations={
            "get": {
                "summary": "The books as Excel, with control totals (accountant, auditor, admin)",
                "parameters": [
                    {
                        "name": "kind",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "enum": list(EXPORT_KINDS)},
                    },
                    {"name": "from", "in": "query", "schema": day},
                    {"name": "to", "in": "query", "schema": day},
                    {"name": "as_of", "in": "query", "schema": day},
                    {
                        "name": "account",
                        "in": "query",
                        "description": "the account's id (account-statement only)",
                        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "the workbook",
                        "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
                    },
                    "400": error("a date that is not one, or an account id out of range"),
                    "409": error("the period starts after it ends"),
                    "404": error("no such export, or no such account for a statement"),
                    **errors,
                },
            }
        },
    )
    for path, body, summary in (
        ("/ledger/close", "CloseIn", "Close the books through a month's last day (accountant)"),
        ("/ledger/reopen", "ReopenIn", "Move the close back, with the reason (administrator)"),
    ):
        spec.path(
            path,
            operations={
                "post": {
                    "summary": summary,
                    "requestBody": {"required": True, **json_body(body)},
                    "responses": {
                        "200": {"description": "what is closed now", **json_body("Period")},
                        "409": error("refused: not a month's last day, already closed, or not"),
                        "422": error("the body does not fit its schema, named by field"),
                        **errors,
                    },
                }
            },
        )
