"""One error body for every API failure."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from marshmallow import Schema, ValidationError, fields
from werkzeug.exceptions import HTTPException


class ErrorItem(Schema):
    """One problem with a request."""

    field = fields.String(allow_none=True, required=True)
    code = fields.String(required=True)
    message = fields.String(required=True)


class ErrorBody(Schema):
    """Every API error has this body."""

    errors = fields.List(fields.Nested(ErrorItem), required=True)


def error_response(status: int, code: str, message: str, field: str | None = None) -> Response:
    """``{"errors": [{"field", "code", "message"}]}`` with ``status``."""
    response = jsonify({"errors": [{"field": field, "code": code, "message": message}]})
    response.status_code = status
    return response


def refusal(message: str, field: str | None) -> Response:
    """A service's refusal of a well-formed request: 409, naming the field at fault if any.

    422 stays for a body that does not fit its schema: what the OpenAPI document can describe.
    """
    return error_response(409, "refused", message, field)


def http_error(error: HTTPException) -> Response:
    """Turn a werkzeug HTTP error into the API's error body."""
    code = (error.name or "error").lower().replace(" ", "_")
    response = error_response(error.code or 500, code, error.description or error.name)
    if error.code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="worker-fund"'
    # What werkzeug's own answer carries (a 405's Allow, naming the methods that do work).
    for name, value in error.get_headers():
        if name.lower() == "allow":
            response.headers["Allow"] = value
    return response


def validation_error(error: ValidationError) -> Response:
    """Field-by-field errors from a marshmallow schema, as 422."""
    messages: dict[str, Any] = error.normalized_messages()  # type: ignore[no-untyped-call]
    errors = [
        {"field": field, "code": "invalid", "message": "; ".join(map(str, problems))}
        for field, problems in _flatten(messages)
    ]
    response = jsonify({"errors": errors})
    response.status_code = 422
    return response


def _flatten(messages: object, prefix: str = "") -> list[tuple[str, list[object]]]:
    if isinstance(messages, dict):
        out: list[tuple[str, list[object]]] = []
        for key, value in messages.items():
            out.extend(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(messages, list):
        return [(prefix or "_schema", messages)]
    return [(prefix or "_schema", [messages])]
