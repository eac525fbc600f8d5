"""``/api/v1`` endpoints. Each one is thin: authorise, call a service, dump with a schema."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, abort, current_app, g, jsonify, request
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from fund.api.body import load_body
from fund.api.errors import validation_error
from fund.api.openapi import build_spec
from fund.api.pagination import paginate
from fund.auth import second_factor
from fund.auth.access import STEP_UP_SCOPE, acting_user, allow, allowed_user, public
from fund.auth.errors import SecondFactorRefused, TokenExpired
from fund.auth.roles import EVERYONE, MONEY_AND_ACCESS, STAFF, STAFF_AND_BRANDS, Role
from fund.auth.schemas import StepUpIn, StepUpOut, UserOut
from fund.auth.services import issue_token, live_token
from fund.brands.api import register as register_brand_endpoints
from fund.brands.models import Brand
from fund.brands.schemas import BrandOut
from fund.brands.services import BrandNotFound, brand_for
from fund.claims.api import register as register_claim_endpoints
from fund.controls.api import register as register_control_endpoints
from fund.db import get_session
from fund.disbursements.api import register as register_batch_endpoints
from fund.entitlements.api import register as register_entitlement_endpoints
from fund.entitlements.models import Entitlement
from fund.entitlements.schemas import EntitlementOut, EntitlementRunOut
from fund.entitlements.services import latest_run
from fund.events.api import register as register_event_endpoints
from fund.events.models import Event
from fund.extensions import csrf
from fund.factories.models import Factory
from fund.factories.schemas import FactoryOut
from fund.reports.api import register as register_ledger_endpoints
from fund.rolls.api import register as register_roll_endpoints

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Token-authenticated: no cookies are read here, so cross-site forgery has nothing to ride on.
csrf.exempt(bp)


@bp.before_request
def authenticate_token() -> None:
    g.api_request = True
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() == "bearer" and secret:
        try:
            token = live_token(get_session(), secret.strip())
        except TokenExpired as error:
            abort(401, description=str(error))
        if token is not None:
            g.api_token = token
            g.api_user = token.user


@bp.before_request
def refuse_unread_arguments() -> Response | None:
    """A query argument given twice, or one the operation does not take, is 422 naming it.

    ``?kind=suspension&kind=zz`` read as ``kind=suspension``, or ``?knd=closure`` ignored,
    would drop what the client sent silently and answer a malformed request as a good one.
    The arguments an operation takes are those its OpenAPI document lists.
    """
    problems = {
        name: ["given more than once: send it once"]
        for name, values in request.args.lists()
        if len(values) > 1
    }
    rule = request.url_rule
    if rule is not None:
        taken = _query_arguments(rule.rule, request.method)
        if taken is not None:
            for name in request.args:
                if name not in taken:
                    problems.setdefault(name, []).append("this operation takes no such argument")
    if not problems:
        return None
    return validation_error(ValidationError(problems))


def _query_arguments(rule: str, method: str) -> frozenset[str] | None:
    """The query arguments the document lists for ``method`` on ``rule`` (None: undocumented)."""
    table: dict[tuple[str, str], frozenset[str]] | None = current_app.extensions.get(
        "api_query_arguments"
    )
    if table is None:
        table = {}
        for path, operations in build_spec()["paths"].items():
            for verb, operation in operations.items():
                names = {
                    parameter["name"]
                    for parameter in operation.get("parameters", [])
                    if parameter.get("in") == "query"
                }
                table[(path, verb.upper())] = frozenset(names)
        current_app.extensions["api_query_arguments"] = table
    path = _FLASK_ARGUMENT.sub(r"{\1}", rule.removeprefix(bp.url_prefix or ""))
    return table.get((path, "GET" if method == "HEAD" else method))


#: ``<int:event_id>`` in a Flask rule, ``{event_id}`` in the document.
_FLASK_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


@bp.errorhandler(ValidationError)
def handle_validation_error(error: ValidationError) -> Response:
    return validation_error(error)


@bp.route("/openapi.json")
@public
def openapi() -> Response:
    return jsonify(build_spec())


@bp.route("/tokens/step-up", methods=["POST"])
@allow(MONEY_AND_ACCESS)
def step_up_token() -> tuple[dict[str, Any], int]:
    """Trade a second-factor code for a short-lived token scoped to approve, pay, role changes."""
    db = get_session()
    user = allowed_user()
    code = load_body(StepUpIn())["code"]
    try:
        second_factor.verify(db, user=user, code=code)
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
    body: dict[str, Any] = StepUpOut().dump(
        {"token": issued.secret, "scope": STEP_UP_SCOPE, "expires_at": issued.token.expires_at}
    )
    return body, 201


@bp.route("/me")
@allow(EVERYONE)
def me() -> dict[str, Any]:
    result: dict[str, Any] = UserOut().dump(acting_user())
    return result


@bp.route("/brands")
@allow(STAFF_AND_BRANDS)
def brands() -> dict[str, Any]:
    user = acting_user()
    assert user is not None
    query = select(Brand).order_by(Brand.code)
    if user.role_enum is Role.BRAND:
        query = query.where(Brand.id == user.brand_id)
    return paginate(get_session(), query, BrandOut())


@bp.route("/brands/<code>")
@allow(STAFF_AND_BRANDS)
def brand(code: str) -> dict[str, Any]:
    user = acting_user()
    assert user is not None
    try:
        found = brand_for(get_session(), user=user, code=code)
    except BrandNotFound:
        abort(404, description=f"no brand {code!r}")
    result: dict[str, Any] = BrandOut().dump(found)
    return result


@bp.route("/factories")
@allow(STAFF)
def factories() -> dict[str, Any]:
    query = select(Factory).options(selectinload(Factory.brands)).order_by(Factory.code)
    return paginate(get_session(), query, FactoryOut())


@bp.route("/factories/<code>")
@allow(STAFF)
def factory(code: str) -> dict[str, Any]:
    found = get_session().scalar(select(Factory).where(Factory.code == code))
    if found is None:
        abort(404, description=f"no factory {code!r}")
    result: dict[str, Any] = FactoryOut().dump(found)
    return result


@bp.route("/events/<int:event_id>/entitlements")
@allow(STAFF)
def event_entitlements(event_id: int) -> dict[str, Any]:
    session = get_session()
    event = session.get(Event, event_id)
    if event is None:
        abort(404, description=f"no event {event_id}")
    run = latest_run(session, event)
    if run is None:
        abort(404, description=f"event {event_id} has no computed entitlements yet")
    query = (
        select(Entitlement)
        .where(Entitlement.run_id == run.id)
        .options(selectinload(Entitlement.lines), selectinload(Entitlement.run))
        .order_by(Entitlement.roll_row)
    )
    page = paginate(session, query, EntitlementOut())
    page["run"] = EntitlementRunOut().dump(run)
    return page


@bp.route("/entitlements/<int:entitlement_id>")
@allow(STAFF)
def entitlement(entitlement_id: int) -> dict[str, Any]:
    found = get_session().get(Entitlement, entitlement_id)
    if found is None:
        abort(404, description=f"no entitlement {entitlement_id}")
    result: dict[str, Any] = EntitlementOut().dump(found)
    return result


# The rolls area's endpoints (fund/rolls/api.py) live on this blueprint too.
register_roll_endpoints(bp)
register_brand_endpoints(bp)
register_ledger_endpoints(bp)
register_batch_endpoints(bp)
register_claim_endpoints(bp)
register_event_endpoints(bp)
register_entitlement_endpoints(bp)
register_control_endpoints(bp)
