"""The brand endpoints of ``/api/v1``: statements, and recording pledges and payments.

Registered on the API blueprint by ``register``; documented by ``add_brand_paths``. A brand's
token reads its own statement only (any other code: 404); recording is for fund staff.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, jsonify, send_file
from sqlalchemy import select

from fund.api.body import load_body, query_date
from fund.api.errors import error_response
from fund.auth.access import acting_user, allow
from fund.auth.roles import STAFF_AND_BRANDS
from fund.brands.models import Brand, Contribution, Pledge
from fund.brands.schemas import (
    ContributionIn,
    ContributionOut,
    PledgeIn,
    PledgeOut,
    StatementOut,
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


def _brand(code: str) -> Brand:
    user = acting_user()
    assert user is not None
    try:
        return brand_for(get_session(), user=user, code=code)
    except BrandNotFound:
        abort(404, description=f"no brand {code!r}")


def _day(name: str) -> date | None:
    return query_date(name)


def statement_json(statement: BrandStatement) -> dict[str, Any]:
    """The statement with amounts as exact decimal text in each line's currency."""

    def amounts(item: Any, names: tuple[str, ...], currency: str) -> dict[str, Any]:
        return {name: from_minor(getattr(item, name), currency) for name in names}

    body = {
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
    result: dict[str, Any] = StatementOut().dump(body)
    return result


def statement(code: str) -> dict[str, Any]:
    return statement_json(_statement(code))


def _statement(code: str) -> BrandStatement:
    brand = _brand(code)
    try:
        start, end = statement_period(
            _day("from"), _day("to"), today=utcnow().date(), first=first_entry_date(get_session())
        )
    except PeriodInvalid as invalid:
        abort(400, description=str(invalid))
    return brand_statement(get_session(), brand=brand, start=start, end=end)


def _send(data: bytes, mimetype: str, name: str) -> Response:
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)


def statement_pdf_download(code: str) -> Response:
    statement = _statement(code)
    data = statement_pdf_file(get_session(), statement)
    return _send(data, "application/pdf", f"{statement.brand_code}-statement.pdf")


def statement_xlsx_download(code: str) -> Response:
    statement = _statement(code)
    return _send(
        statement_xlsx_file(get_session(), statement),
        XLSX,
        f"{statement.brand_code}-statement.xlsx",
    )


def _pledge_json(pledge: Pledge) -> dict[str, Any]:
    result: dict[str, Any] = PledgeOut().dump(
        {
            "id": pledge.id,
            "brand": pledge.brand.code,
            "reference": pledge.reference,
            "amount": from_minor(pledge.amount, pledge.currency),
            "currency": pledge.currency,
            "pledged_on": pledge.pledged_on,
            "due_date": pledge.due_date,
            "entry_id": pledge.entry_id,
        }
    )
    return result


def add_pledge(code: str) -> Response | tuple[Response, int]:
    brand = _brand(code)
    data = load_body(PledgeIn())
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
    return jsonify(_pledge_json(pledge)), 201


def add_contribution(code: str) -> Response | tuple[Response, int]:
    session = get_session()
    brand = _brand(code)
    data = load_body(ContributionIn())
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
    return jsonify(_contribution_json(contribution)), 201


def _contribution_json(contribution: Contribution) -> dict[str, Any]:
    result: dict[str, Any] = ContributionOut().dump(
        {
            "id": contribution.id,
            "brand": contribution.brand.code,
            "bank_reference": contribution.bank_reference,
            "amount": from_minor(contribution.amount, contribution.currency),
            "currency": contribution.currency,
            "value_date": contribution.value_date,
            "pledge_reference": contribution.pledge.reference if contribution.pledge else None,
            "entry_id": contribution.entry_id,
        }
    )
    return result


def register(bp: Blueprint) -> None:
    """Add the brand money endpoints to the API blueprint."""
    bp.add_url_rule(
        "/brands/<code>/statement", "brand_statement", allow(STAFF_AND_BRANDS)(statement)
    )
    bp.add_url_rule(
        "/brands/<code>/statement.pdf",
        "brand_statement_pdf",
        allow(STAFF_AND_BRANDS)(statement_pdf_download),
    )
    bp.add_url_rule(
        "/brands/<code>/statement.xlsx",
        "brand_statement_xlsx",
        allow(STAFF_AND_BRANDS)(statement_xlsx_download),
    )
    bp.add_url_rule(
        "/brands/<code>/pledges",
        "add_pledge",
        allow(*PLEDGE_RECORDERS)(add_pledge),
        methods=["POST"],
    )
    bp.add_url_rule(
        "/brands/<code>/contributions",
        "add_contribution",
        allow(*CASH_RECORDERS)(add_contribution),
        methods=["POST"],
    )


def add_brand_paths(spec: Any, *, errors: dict[str, Any], not_found: dict[str, Any]) -> None:
    """Document the brand money endpoints in the OpenAPI document."""

    def ref(name: str) -> dict[str, Any]:
        return {"$ref": f"#/components/schemas/{name}"}

    def json_body(schema: dict[str, Any]) -> dict[str, Any]:
        return {"content": {"application/json": {"schema": schema}}}

    for name, schema in {
        "BrandStatement": StatementOut,
        "PledgeIn": PledgeIn,
        "Pledge": PledgeOut,
        "ContributionIn": ContributionIn,
        "Contribution": ContributionOut,
    }.items():
        spec.components.schema(name, schema=schema)
    code = {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}
    day = {"type": "string", "format": "date"}
    bad = {"description": "a bad date or period", **json_body(ref("ErrorBody"))}
    invalid = {"description": "invalid or refused, named by field", **json_body(ref("ErrorBody"))}
    conflict = {
        "description": "the reference was recorded with different content",
        **json_body(ref("ErrorBody")),
    }
    spec.path(
        "/brands/{code}/statement",
        operations={
            "get": {
                "summary": "The brand's statement (a brand's token: its own brand only)",
                "parameters": [
                    code,
                    {"name": "from", "in": "query", "schema": day},
                    {"name": "to", "in": "query", "schema": day},
                ],
                "responses": {
                    "200": {"description": "the statement", **json_body(ref("BrandStatement"))},
                    "400": bad,
                    **errors,
                    **not_found,
                },
            }
        },
    )
    for suffix, mimetype in (("pdf", "application/pdf"), ("xlsx", XLSX)):
        spec.path(
            f"/brands/{{code}}/statement.{suffix}",
            operations={
                "get": {
                    "summary": f"The brand's statement as {suffix.upper()} (a brand: its own only)",
                    "parameters": [
                        code,
                        {"name": "from", "in": "query", "schema": day},
                        {"name": "to", "in": "query", "schema": day},
                    ],
                    "responses": {
                        "200": {
                            "description": "the statement file",
                            "content": {
                                mimetype: {"schema": {"type": "string", "format": "binary"}}
                            },
                        },
                        "400": bad,
                        **errors,
                        **not_found,
                    },
                }
            },
        )
    for path, body, out, summary in (
        (
            "/brands/{code}/pledges",
            "PledgeIn",
            "Pledge",
            "Record a pledge (officer, accountant, admin)",
        ),
        (
            "/brands/{code}/contributions",
            "ContributionIn",
            "Contribution",
            "Record a payment received (accountant, admin)",
        ),
    ):
        spec.path(
            path,
            operations={
                "post": {
                    "summary": summary,
                    "parameters": [code],
                    "requestBody": {"required": True, **json_body(ref(body))},
                    "responses": {
                        "201": {
                            "description": "recorded (or the same retry)",
                            **json_body(ref(out)),
                        },
                        "409": conflict,
                        "422": invalid,
                        **errors,
                        **not_found,
                    },
                }
            },
        )
