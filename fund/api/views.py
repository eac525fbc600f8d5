"""``/api/v1``: its own endpoints (tokens, the user, brands, factories, entitlements) and
``register_api``, which binds every area's endpoints and the generated document to the app.

Each endpoint is thin: authorise, read its arguments through a schema, call a service, and
answer through a schema; flask-smorest writes the OpenAPI document from the same schemas.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, abort, jsonify
from marshmallow import fields
from sqlalchemy import select
from sqlalchemy.orm import selectinload

import fund.brands.api
import fund.claims.api
import fund.controls.api
import fund.disbursements.api
import fund.entitlements.api
import fund.events.api
import fund.jobs.api
import fund.reports.api
import fund.rolls.api
from fund.api.blueprint import bp
from fund.api.framework import make_api
from fund.api.openapi import api_document
from fund.api.pagination import PageArgs, page_of, read_page
from fund.auth import second_factor
from fund.auth.access import STEP_UP_SCOPE, acting_user, allow, allowed_user, public
from fund.auth.errors import SecondFactorRefused
from fund.auth.models import User
from fund.auth.roles import EVERYONE, MONEY_AND_ACCESS, STAFF, STAFF_AND_BRANDS, Role
from fund.auth.schemas import StepUpIn, StepUpOut, UserOut
from fund.auth.services import issue_token
from fund.brands.models import Brand
from fund.brands.schemas import BrandOut
from fund.brands.services import BrandNotFound, brand_for
from fund.db import get_session
from fund.entitlements.models import Entitlement, EntitlementRun
from fund.entitlements.schemas import EntitlementOut, EntitlementRunOut
from fund.entitlements.services import latest_run
from fund.events.models import Event
from fund.factories.models import Factory
from fund.factories.schemas import FactoryOut

#: The areas whose API modules add their routes to ``bp`` (imported for that, before
#: ``register_api`` binds the blueprint).
AREAS = (
    fund.brands.api,
    fund.claims.api,
    fund.controls.api,
    fund.disbursements.api,
    fund.entitlements.api,
    fund.events.api,
    fund.jobs.api,
    fund.reports.api,
    fund.rolls.api,
)

BrandPage = page_of(BrandOut, "BrandPage")
FactoryPage = page_of(FactoryOut, "FactoryPage")
EntitlementPage = page_of(
    EntitlementOut, "EntitlementPage", run=fields.Nested(EntitlementRunOut, required=True)
)


@bp.route("/openapi.json")
@public
@bp.doc(
    security=[],
    responses={
        "200": {
            "description": "the OpenAPI document",
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
def openapi() -> Response:
    """The OpenAPI document (generated once per app: fund/api/openapi.py)."""
    return jsonify(api_document())


@bp.route("/tokens/step-up", methods=["POST"], endpoint="step_up_token")
@allow(MONEY_AND_ACCESS)
@bp.arguments(StepUpIn)
@bp.response(201, StepUpOut)
def step_up_token(args: dict[str, Any]) -> dict[str, Any]:
    """Trade a second-factor code for a short-lived token scoped to approve, pay, role changes.

    With FUND_REQUIRE_SECOND_FACTOR on, approve and pay accept only a token of scope 'money';
    it lives ten minutes.
    """
    db = get_session()
    user = allowed_user()
    try:
        second_factor.verify(db, user=user, code=args["code"])
    except SecondFactorRefused as error:
        # The unit of work rolls back an error answer, but a wrong code must still count
        # against the allowance (else guessing is free): keep that much, then refuse.
        db.commit()
        abort(403, description=str(error))
    issued = issue_token(
        db,
        user=user,
        name="step-up",
        actor=user,
        scope=STEP_UP_SCOPE,
        lifetime=second_factor.STEP_UP_TOKEN_LIFETIME,
    )
    return {"token": issued.secret, "scope": STEP_UP_SCOPE, "expires_at": issued.token.expires_at}


@bp.route("/me")
@allow(EVERYONE)
@bp.response(200, UserOut)
def me() -> User | None:
    """The token's user."""
    return acting_user()


@bp.route("/brands")
@allow(STAFF_AND_BRANDS)
@bp.arguments(PageArgs, location="query")
@bp.response(200, BrandPage)
def brands(args: dict[str, Any]) -> dict[str, Any]:
    """Brands visible to the token (a brand user sees its own only)."""
    user = allowed_user()
    query = select(Brand).order_by(Brand.code)
    if user.role_enum is Role.BRAND:
        query = query.where(Brand.id == user.brand_id)
    return read_page(get_session(), query, args)


@bp.route("/brands/<code>")
@allow(STAFF_AND_BRANDS)
@bp.response(200, BrandOut)
def brand(code: str) -> Brand:
    """One brand."""
    try:
        return brand_for(get_session(), user=allowed_user(), code=code)
    except BrandNotFound:
        abort(404, description=f"no brand {code!r}")


@bp.route("/factories")
@allow(STAFF)
@bp.arguments(PageArgs, location="query")
@bp.response(200, FactoryPage)
def factories(args: dict[str, Any]) -> dict[str, Any]:
    """Factories (fund staff only)."""
    query = select(Factory).options(selectinload(Factory.brands)).order_by(Factory.code)
    return read_page(get_session(), query, args)


@bp.route("/factories/<code>")
@allow(STAFF)
@bp.response(200, FactoryOut)
def factory(code: str) -> Factory:
    """One factory (fund staff only)."""
    found = get_session().scalar(select(Factory).where(Factory.code == code))
    if found is None:
        abort(404, description=f"no factory {code!r}")
    return found


@bp.route("/events/<int:event_id>/entitlements")
@allow(STAFF)
@bp.arguments(PageArgs, location="query")
@bp.response(200, EntitlementPage)
def event_entitlements(args: dict[str, Any], event_id: int) -> dict[str, Any]:
    """The event's latest computed entitlements, per worker (fund staff only)."""
    session = get_session()
    event = session.get(Event, event_id)
    if event is None:
        abort(404, description=f"no event {event_id}")
    run: EntitlementRun | None = latest_run(session, event)
    if run is None:
        abort(404, description=f"event {event_id} has no computed entitlements yet")
    query = (
        select(Entitlement)
        .where(Entitlement.run_id == run.id)
        .options(selectinload(Entitlement.lines), selectinload(Entitlement.run))
        .order_by(Entitlement.roll_row)
    )
    return {**read_page(session, query, args), "run": run}


@bp.route("/entitlements/<int:entitlement_id>")
@allow(STAFF)
@bp.response(200, EntitlementOut)
def entitlement(entitlement_id: int) -> Entitlement:
    """One worker's entitlement with its breakdown (fund staff only)."""
    found = get_session().get(Entitlement, entitlement_id)
    if found is None:
        abort(404, description=f"no entitlement {entitlement_id}")
    return found


def register_api(app: Flask) -> None:
    """Bind ``/api/v1`` to ``app``: its routes, and the document generated from their schemas."""
    api = make_api(app)
    api.register_blueprint(bp)
