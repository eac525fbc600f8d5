"""The ledger endpoints of ``/api/v1``: trial balance and Excel exports (accountant, auditor,
administrator), closing a month (accountant, administrator) and reopening (administrator).

Each calls what the web pages call; a body that does not fit its schema is 422, a well-formed
request the service refuses (not a month's last day, already closed) is 409 naming the field.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Response
from marshmallow import EXCLUDE, Schema, fields, validate
from werkzeug.wrappers import Response as WerkzeugResponse

from fund.api.blueprint import bp
from fund.api.errors import ErrorBody, refusal
from fund.api.fields import text
from fund.arguments import MAX_ID
from fund.auth.access import acting_user, allow
from fund.brands.schemas import PeriodArgs, amount_field
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


class AsOfArgs(Schema):
    """``?as_of=``: an ISO date (absent: everything booked); empty or not a date is a 422."""

    as_of = fields.Date()


class ExportArgs(AsOfArgs, PeriodArgs):
    """The period of an export (``to`` or else ``as_of`` ends it) and, for a statement, the
    account."""

    account = fields.Integer(
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "the account's id (account-statement only)"},
    )


class PeriodOut(Schema):
    """The last day of the closed period (null: nothing is closed)."""

    closed_through = fields.Date(required=True, allow_none=True)


@bp.route("/ledger/trial-balance", endpoint="trial_balance")
@allow(*BOOK_READERS)
@bp.arguments(AsOfArgs, location="query")
@bp.response(200, TrialBalanceOut, description="the trial balance")
def trial_balance_view(args: dict[str, Any]) -> dict[str, Any]:
    """Trial balance as of a date (accountant, auditor, admin)."""
    as_of: date | None = args.get("as_of")
    report = trial_balance(get_session(), as_of=as_of)
    return {
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


@bp.route(
    "/ledger/export/<kind>.xlsx",
    endpoint="ledger_export",
    # The kinds there are; any other is a 404 (after the role check, as every page).
    parameters=[
        {"in": "path", "name": "kind", "schema": {"type": "string", "enum": list(EXPORT_KINDS)}}
    ],
)
@allow(*BOOK_READERS)
@bp.arguments(ExportArgs, location="query")
@bp.doc(
    responses={
        "200": {
            "description": "the workbook",
            "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
        }
    }
)
@bp.alt_response(409, schema=ErrorBody, description="the period starts after it ends")
@bp.alt_response(
    404, schema=ErrorBody, description="no such export, or no such account for a statement"
)
def export(args: dict[str, Any], kind: str) -> WerkzeugResponse:
    """The books as Excel, with control totals (accountant, auditor, admin)."""
    # Each date valid but the period backwards: the request is well-formed, so 409 here.
    return send_export(
        kind,
        start=args.get("start"),
        end=args.get("end") or args.get("as_of"),
        account_id=args.get("account"),
        backwards=409,
    )


_CLOSE_REFUSED = "refused: not a month's last day, already closed, or not"


@bp.route("/ledger/close", methods=["POST"], endpoint="ledger_close")
@allow(*CLOSERS)
@bp.arguments(CloseIn)
@bp.response(200, PeriodOut, description="what is closed now")
@bp.alt_response(409, schema=ErrorBody, description=_CLOSE_REFUSED)
def close(args: dict[str, Any]) -> Response | dict[str, Any]:
    """Close the books through a month's last day (accountant)."""
    return _period_after(
        lambda: close_month(get_session(), through=args["through"], actor=acting_user())
    )


@bp.route("/ledger/reopen", methods=["POST"], endpoint="ledger_reopen")
@allow(*REOPENERS)
@bp.arguments(ReopenIn)
@bp.response(200, PeriodOut, description="what is closed now")
@bp.alt_response(409, schema=ErrorBody, description=_CLOSE_REFUSED)
def reopen(args: dict[str, Any]) -> Response | dict[str, Any]:
    """Move the close back, with the reason (administrator)."""
    return _period_after(
        lambda: reopen_month(
            get_session(), through=args["through"], reason=args["reason"], actor=acting_user()
        )
    )


def _period_after(change: Callable[[], object]) -> Response | dict[str, Any]:
    """What is closed after ``change`` (a close or a reopening), or its refusal as a 409."""
    try:
        change()
    except CloseRefused as refused:
        return refusal(str(refused), refused.field)
    return {"closed_through": closed_through(get_session())}
