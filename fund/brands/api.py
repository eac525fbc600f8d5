"""The brand endpoints of ``/api/v1``: statements, and recording pledges and payments.

A brand's token reads its own statement only (any other code: 404); recording is for fund
staff. A request the rules refuse (a reference reused, a closed month) is 409.
"""

from __future__ import annotations

import io
from typing import Any

from flask import Response, abort, send_file
from sqlalchemy import select

from fund.api.blueprint import bp
from fund.api.errors import ErrorBody, error_response
from fund.auth.access import acting_user, allow
from fund.auth.roles import STAFF_AND_BRANDS
from fund.brands.models import Brand, Contribution, Pledge
from fund.brands.schemas import (
    BrandStatementOut,
    ContributionIn,
    ContributionOut,
    PeriodArgs,
    PledgeIn,
    PledgeOut,
)
from fund.brands.services import (
    CASH_RECORDERS,
    PLEDGE_RECORDERS,
    BrandNotFound,
    BrandRecordRefused,
    PeriodInvalid,
    RecordConflict,
    brand_for,
    first_entry_date,
    record_contribution,
    record_pledge,
    statement_pdf_file,
    statement_period,
    statement_xlsx_file,
)
from fund.brands.statement import BrandStatement, brand_statement
from fund.db import get_session, utcnow
from ledger.money import MoneyError, from_minor, to_minor

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: What a statement answers for a period the books cannot give (after today, backwards).
BAD_PERIOD = "the period ends after today or starts after it ends"
#: What recording answers when the rules refuse it.
REFUSED = "the reference was recorded with different content, or the rules refuse it"


def _brand(code: str) -> Brand:
    user = acting_user()
    assert user is not None
    try:
        return brand_for(get_session(), user=user, code=code)
    except BrandNotFound:
        abort(404, description=f"no brand {code!r}")


def _statement(code: str, period: dict[str, Any]) -> BrandStatement:
    brand = _brand(code)
    try:
        start, end = statement_period(
            period.get("start"),
            period.get("end"),
            today=utcnow().date(),
            first=first_entry_date(get_session()),
        )
    except PeriodInvalid as invalid:
        abort(400, description=str(invalid))
    return brand_statement(get_session(), brand=brand, start=start, end=end)


def _statement_body(statement: BrandStatement) -> dict[str, Any]:
    """The statement with amounts as exact decimal text in each line's currency."""

    def amounts(item: Any, names: tuple[str, ...], currency: str) -> dict[str, Any]:
        return {name: from_minor(getattr(item, name), currency) for name in names}

    return {
        "brand": statement.brand_code,
        "name": statement.brand_name,
        "start": statement.start,
        "end": statement.end,
        "positions": [
            {
                "currency": p.currency,
                **amounts(p, ("pledged", "received", "outstanding", "overdue"), p.currency),
            }
            for p in statement.positions
        ],
        "pledges": [
            {
                "reference": p.reference,
                "currency": p.currency,
                "pledged_on": p.pledged_on,
                "due_date": p.due_date,
                **amounts(p, ("amount", "received", "outstanding", "overdue"), p.currency),
            }
            for p in statement.pledges
        ],
        "contributions": [
            {
                "value_date": c.value_date,
                "bank_reference": c.bank_reference,
                "currency": c.currency,
                "pledge_reference": c.pledge_reference,
                "amount": from_minor(c.amount, c.currency),
            }
            for c in statement.contributions
        ],
        "fund_use": [
            {"factory": u.factory, "event": u.event, **amounts(u, ("compensation", "paid"), "BDT")}
            for u in statement.fund_use
        ],
    }


def _file_answer(mimetype: str) -> dict[str, Any]:
    """The document's 200 of a statement download: a file of ``mimetype``."""
    return {
        "200": {
            "description": "the statement file",
            "content": {mimetype: {"schema": {"type": "string", "format": "binary"}}},
        }
    }


def _send(data: bytes, mimetype: str, name: str) -> Response:
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)


@bp.route("/brands/<code>/statement", endpoint="brand_statement")
@allow(STAFF_AND_BRANDS)
@bp.arguments(PeriodArgs, location="query")
@bp.response(200, BrandStatementOut, description="the statement")
@bp.alt_response(400, schema=ErrorBody, description=BAD_PERIOD)
def statement(period: dict[str, Any], code: str) -> dict[str, Any]:
    """The brand's statement (a brand's token: its own brand only)."""
    return _statement_body(_statement(code, period))


@bp.route("/brands/<code>/statement.pdf", endpoint="brand_statement_pdf")
@allow(STAFF_AND_BRANDS)
@bp.arguments(PeriodArgs, location="query")
@bp.doc(responses=_file_answer("application/pdf"))
@bp.alt_response(400, schema=ErrorBody, description=BAD_PERIOD)
def statement_pdf_download(period: dict[str, Any], code: str) -> Response:
    """The brand's statement as PDF (a brand: its own only)."""
    statement = _statement(code, period)
    data = statement_pdf_file(get_session(), statement)
    return _send(data, "application/pdf", f"{statement.brand_code}-statement.pdf")


@bp.route("/brands/<code>/statement.xlsx", endpoint="brand_statement_xlsx")
@allow(STAFF_AND_BRANDS)
@bp.arguments(PeriodArgs, location="query")
@bp.doc(responses=_file_answer(XLSX))
@bp.alt_response(400, schema=ErrorBody, description=BAD_PERIOD)
def statement_xlsx_download(period: dict[str, Any], code: str) -> Response:
    """The brand's statement as XLSX (a brand: its own only)."""
    statement = _statement(code, period)
    data = statement_xlsx_file(get_session(), statement)
    return _send(data, XLSX, f"{statement.brand_code}-statement.xlsx")


@bp.route("/brands/<code>/pledges", methods=["POST"], endpoint="add_pledge")
@allow(*PLEDGE_RECORDERS)
@bp.arguments(PledgeIn)
@bp.response(201, PledgeOut, description="recorded (or the same retry)")
@bp.alt_response(409, schema=ErrorBody, description=REFUSED)
def add_pledge(data: dict[str, Any], code: str) -> Response | dict[str, Any]:
    """Record a pledge (officer, accountant, admin)."""
    brand = _brand(code)
    try:
        amount = to_minor(data["amount"], data["currency"])
        instalments = [
            (part["due_date"], to_minor(part["amount"], data["currency"]))
            for part in data["instalments"] or []
        ]
    except MoneyError as error:
        return error_response(422, "invalid", str(error), "amount")
    try:
        pledge = record_pledge(
            get_session(),
            brand=brand,
            reference=data["reference"],
            amount=amount,
            currency=data["currency"],
            pledged_on=data["pledged_on"],
            due_date=data["due_date"],
            instalments=instalments or None,
            actor=acting_user(),
        )
    except RecordConflict as conflict:
        return error_response(409, "conflict", str(conflict), "reference")
    except BrandRecordRefused as refused:
        return error_response(409, "refused", str(refused))
    return _pledge_body(pledge)


def _pledge_body(pledge: Pledge) -> dict[str, Any]:
    return {
        "id": pledge.id,
        "brand": pledge.brand.code,
        "reference": pledge.reference,
        "amount": from_minor(pledge.amount, pledge.currency),
        "currency": pledge.currency,
        "pledged_on": pledge.pledged_on,
        "due_date": pledge.due_date,
        "entry_id": pledge.entry_id,
    }


@bp.route("/brands/<code>/contributions", methods=["POST"], endpoint="add_contribution")
@allow(*CASH_RECORDERS)
@bp.arguments(ContributionIn)
@bp.response(201, ContributionOut, description="recorded (or the same retry)")
@bp.alt_response(409, schema=ErrorBody, description=REFUSED)
def add_contribution(data: dict[str, Any], code: str) -> Response | dict[str, Any]:
    """Record a payment received (accountant, admin)."""
    session = get_session()
    brand = _brand(code)
    pledge = None
    if data["pledge_reference"]:
        pledge = session.scalar(
            select(Pledge).where(
                Pledge.brand_id == brand.id, Pledge.reference == data["pledge_reference"]
            )
        )
        if pledge is None:
            # 409, not 422: the body is well formed; it names a pledge the brand does not have.
            return error_response(
                409,
                "refused",
                f"{brand.code} has no pledge {data['pledge_reference']!r}",
                "pledge_reference",
            )
    try:
        contribution = record_contribution(
            session,
            brand=brand,
            bank_reference=data["bank_reference"],
            amount=to_minor(data["amount"], data["currency"]),
            currency=data["currency"],
            value_date=data["value_date"],
            pledge=pledge,
            actor=acting_user(),
        )
    except MoneyError as error:
        return error_response(422, "invalid", str(error), "amount")
    except RecordConflict as conflict:
        return error_response(409, "conflict", str(conflict), "bank_reference")
    except BrandRecordRefused as refused:
        return error_response(409, "refused", str(refused))
    return _contribution_body(contribution)


def _contribution_body(contribution: Contribution) -> dict[str, Any]:
    return {
        "id": contribution.id,
        "brand": contribution.brand.code,
        "bank_reference": contribution.bank_reference,
        "amount": from_minor(contribution.amount, contribution.currency),
        "currency": contribution.currency,
        "value_date": contribution.value_date,
        "pledge_reference": contribution.pledge.reference if contribution.pledge else None,
        "entry_id": contribution.entry_id,
    }
