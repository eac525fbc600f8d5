"""``POST /api/v1/entitlements/<id>/resolve``: pay a worker held for a shared national ID once.

The same service as the web page; the next computation of the event applies the decision.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort

from fund.api.blueprint import bp
from fund.api.errors import ErrorBody, refusal
from fund.auth.access import acting_user, allow
from fund.db import get_session
from fund.entitlements.models import Entitlement
from fund.entitlements.schemas import ResolutionOut, ResolveIn
from fund.entitlements.views import SEES_NATIONAL_IDS
from fund.events.services import EventInvalid, resolve_held


@bp.route(
    "/entitlements/<int:entitlement_id>/resolve", methods=["POST"], endpoint="resolve_entitlement"
)
@allow(*SEES_NATIONAL_IDS)
@bp.arguments(ResolveIn)
@bp.response(201, ResolutionOut)
@bp.alt_response(409, schema=ErrorBody, description="the worker is not held, or already resolved")
def resolve(args: dict[str, Any], entitlement_id: int) -> Any:
    """Pay this held worker once for the national ID they share (officers)."""
    session = get_session()
    entitlement = session.get(Entitlement, entitlement_id)
    if entitlement is None:
        abort(404, description=f"no entitlement {entitlement_id}")
    try:
        return resolve_held(
            session, entitlement=entitlement, note=args["note"], actor=acting_user()
        )
    except EventInvalid as error:
        response: Response = refusal(str(error), error.field)
        return response
