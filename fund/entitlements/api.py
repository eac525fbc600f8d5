"""``POST /api/v1/entitlements/<id>/resolve``: pay a worker held for a shared national ID once.

Registered on the API blueprint by ``register``; documented by ``add_entitlement_paths``. The
same service as the web page; the next computation of the event applies the decision.
"""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from flask import Blueprint, Response, abort, jsonify

from fund.api.body import load_body
from fund.api.errors import refusal
from fund.auth.access import acting_user, allow
from fund.db import get_session
from fund.entitlements.models import Entitlement
from fund.entitlements.schemas import ResolutionOut, ResolveIn
from fund.entitlements.services import resolve_held
from fund.entitlements.views import SEES_NATIONAL_IDS
from fund.events.services import EventInvalid


def resolve(entitlement_id: int) -> Response | tuple[Response, int]:
    session = get_session()
    entitlement = session.get(Entitlement, entitlement_id)
    if entitlement is None:
        abort(404, description=f"no entitlement {entitlement_id}")
    args = load_body(ResolveIn())
    try:
        resolution = resolve_held(
            session, entitlement=entitlement, note=args["note"], actor=acting_user()
        )
    except EventInvalid as error:
        return refusal(str(error), error.field)
    return jsonify(ResolutionOut().dump(resolution)), 201


def register(bp: Blueprint) -> None:
    """Add the entitlement actions to the API blueprint (the roles that see national IDs)."""
    bp.add_url_rule(
        "/entitlements/<int:entitlement_id>/resolve",
        "resolve_entitlement",
        allow(*SEES_NATIONAL_IDS)(resolve),
        methods=["POST"],
    )


def add_entitlement_paths(
    spec: APISpec, *, errors: dict[str, Any], not_found: dict[str, Any]
) -> None:
    """Describe the entitlement actions in the OpenAPI document."""
    spec.components.schema("ResolveIn", schema=ResolveIn)
    spec.components.schema("Resolution", schema=ResolutionOut)

    def json_body(name: str) -> dict[str, Any]:
        return {
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}
        }

    spec.path(
        "/entitlements/{entitlement_id}/resolve",
        operations={
            "post": {
                "summary": "Pay this held worker once for the national ID they share (officers)",
                "parameters": [
                    {
                        "name": "entitlement_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    }
                ],
                "requestBody": {"required": True, **json_body("ResolveIn")},
                "responses": {
                    "201": {"description": "the decision", **json_body("Resolution")},
                    "409": {
                        "description": "the worker is not held, or the ID is already resolved",
                        **json_body("ErrorBody"),
                    },
                    "422": {"description": "no note, named by field", **json_body("ErrorBody")},
                    **errors,
                    **not_found,
                },
            }
        },
    )
