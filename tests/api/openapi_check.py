"""Checking API answers against ``/api/v1/openapi.json``: shared by every API test."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from jsonschema import Draft202012Validator

if TYPE_CHECKING:
    from werkzeug.test import TestResponse


def openapi_to_json_schema(schema: Any) -> Any:
    """OpenAPI 3.0's ``nullable`` spelled as JSON Schema's ``null`` type."""
    if isinstance(schema, dict):
        converted = {key: openapi_to_json_schema(value) for key, value in schema.items()}
        if converted.pop("nullable", False):
            if "type" in converted:
                types = converted["type"]
                converted["type"] = [*types, "null"] if isinstance(types, list) else [types, "null"]
            elif "$ref" in converted:
                converted = {"anyOf": [{"$ref": converted.pop("$ref")}, {"type": "null"}]}
        return converted
    if isinstance(schema, list):
        return [openapi_to_json_schema(item) for item in schema]
    return schema


def check_against_spec(
    spec: dict[str, Any], path: str, method: str, status: int, body: Any
) -> None:
    """Fail unless ``status`` is documented for the operation and ``body`` fits its schema."""
    responses = spec["paths"][path][method]["responses"]
    declared = responses.get(str(status)) or responses.get("default")
    assert declared is not None, f"{method.upper()} {path} answered {status}, not documented"
    schema = declared["content"]["application/json"]["schema"]
    root = openapi_to_json_schema({**copy.deepcopy(schema), "components": spec["components"]})
    errors = sorted(Draft202012Validator(root).iter_errors(body), key=str)
    assert errors == [], f"{method.upper()} {path} {status}: {errors[0].message}"


def expect(
    spec: dict[str, Any], response: TestResponse, path: str, method: str, status: int
) -> Any:
    """Assert the status, check the body against the document, and return the body."""
    assert response.status_code == status, response.get_data(as_text=True)
    check_against_spec(spec, path, method, status, response.json)
    return response.json
