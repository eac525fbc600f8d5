"""The OpenAPI document, built from the marshmallow schemas the endpoints dump with."""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, fields

from fund.api.describe import error_answer, json_content, schema_ref
from fund.api.pagination import MAX_PAGE
from fund.auth.schemas import StepUpIn, StepUpOut, UserOut
from fund.brands.api import add_brand_paths
from fund.brands.schemas import BrandOut
from fund.claims.api import add_claim_paths
from fund.controls.api import add_control_paths
from fund.disbursements.api_paths import add_batch_paths
from fund.entitlements.api import add_entitlement_paths
from fund.entitlements.schemas import EntitlementLineOut, EntitlementOut, EntitlementRunOut
from fund.events.api import add_event_paths
from fund.factories.schemas import FactoryOut
from fund.reports.api import add_ledger_paths
from fund.rolls.schemas import add_roll_paths
from fund.text import ALLOWED_CHARACTER


class ErrorItem(Schema):
    """One problem with a request."""

    field = fields.String(allow_none=True, required=True)
    code = fields.String(required=True)
    message = fields.String(required=True)


class ErrorBody(Schema):
    """Every API error has this body."""

    errors = fields.List(fields.Nested(ErrorItem), required=True)


def _page_of(item: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["items", "page", "per_page", "total"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "total": {"type": "integer"},
        },
    }


_ERRORS = {
    "401": error_answer("missing or unknown token"),
    "403": error_answer("the token's role may not do this"),
}
_PAGE_PARAMETERS = [
    {
        "name": "page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
    },
    {
        "name": "per_page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": 500},
    },
]
_NOT_FOUND = {"404": error_answer("not found or not visible")}


def build_spec() -> dict[str, Any]:
    """The OpenAPI 3.0 document for ``/api/v1``."""
    spec = APISpec(
        title="Worker Fund API",
        version="1",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        servers=[{"url": "/api/v1"}],
        security=[{"bearer": []}],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for name, schema in {
        "User": UserOut,
        "StepUpIn": StepUpIn,
        "StepUpOut": StepUpOut,
        "Brand": BrandOut,
        "Factory": FactoryOut,
        "EntitlementLine": EntitlementLineOut,
        "Entitlement": EntitlementOut,
        "EntitlementRun": EntitlementRunOut,
        "ErrorItem": ErrorItem,
        "ErrorBody": ErrorBody,
    }.items():
        spec.components.schema(name, schema=schema)
    code_parameter = {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}
    spec.path(
        "/tokens/step-up",
        operations={
            "post": {
                "summary": "Trade a second-factor code for a step-up token (approve, pay, roles)",
                "description": "With FUND_REQUIRE_SECOND_FACTOR on, approve and pay accept only"
                " a token of scope 'money'; it lives ten minutes.",
                "requestBody": {"required": True, **json_content(schema_ref("StepUpIn"))},
                "responses": {
                    "201": {"description": "the token", **json_content(schema_ref("StepUpOut"))},
                    "422": error_answer("the body does not fit the schema"),
                    **_ERRORS,
                },
            }
        },
    )
    spec.path(
        "/me",
        operations={
            "get": {
                "summary": "The token's user",
                "responses": {
                    "200": json_content(schema_ref("User")) | {"description": "the user"},
                    **_ERRORS,
                },
            }
        },
    )
    spec.path(
        "/brands",
        operations={
            "get": {
                "summary": "Brands visible to the token (a brand user sees its own only)",
                "parameters": _PAGE_PARAMETERS,
                "responses": {
                    "200": {"description": "a page of brands", **json_content(_page_of("Brand"))},
                    **_ERRORS,
                },
            }
        },
    )
    spec.path(
        "/brands/{code}",
        operations={
            "get": {
                "summary": "One brand",
                "parameters": [code_parameter],
                "responses": {
                    "200": {"description": "the brand", **json_content(schema_ref("Brand"))},
                    **_ERRORS,
                    **_NOT_FOUND,
                },
            }
        },
    )
    spec.path(
        "/factories",
        operations={
            "get": {
                "summary": "Factories (fund staff only)",
                "parameters": _PAGE_PARAMETERS,
                "responses": {
                    "200": {
                        "description": "a page of factories",
                        **json_content(_page_of("Factory")),
                    },
                    **_ERRORS,
                },
            }
        },
    )
    spec.path(
        "/factories/{code}",
        operations={
            "get": {
                "summary": "One factory (fund staff only)",
                "parameters": [code_parameter],
                "responses": {
                    "200": {"description": "the factory", **json_content(schema_ref("Factory"))},
                    **_ERRORS,
                    **_NOT_FOUND,
                },
            }
        },
    )
    _entitlement_paths(spec)
    add_event_paths(spec, errors=_ERRORS, not_found=_NOT_FOUND, page_parameters=_PAGE_PARAMETERS)
    add_entitlement_paths(spec, errors=_ERRORS, not_found=_NOT_FOUND)
    add_roll_paths(spec, errors=_ERRORS, not_found=_NOT_FOUND, page_parameters=_PAGE_PARAMETERS)
    add_brand_paths(spec, errors=_ERRORS, not_found=_NOT_FOUND)
    add_ledger_paths(spec, errors=_ERRORS)
    add_batch_paths(spec, errors=_ERRORS, not_found=_NOT_FOUND, page_parameters=_PAGE_PARAMETERS)
    add_claim_paths(spec, errors=_ERRORS, not_found=_NOT_FOUND, page_parameters=_PAGE_PARAMETERS)
    add_control_paths(spec, errors=_ERRORS, not_found=_NOT_FOUND)
    document: dict[str, Any] = spec.to_dict()
    _document_page_errors(document)
    _document_text_rule(document)
    _only_null_beside_a_reference(document)
    return document


def _only_null_beside_a_reference(document: Any) -> None:
    """A nullable nested schema is the referenced object or ``null``, never any object.

    apispec writes ``Nested(..., allow_none=True)`` as ``anyOf: [$ref, {type: object,
    nullable: true}]`` for OpenAPI 3.0, whose second branch accepts every object (``{}``
    included) that the nested schema itself refuses: narrow it to ``null``.
    """
    if isinstance(document, list):
        for item in document:
            _only_null_beside_a_reference(item)
        return
    if not isinstance(document, dict):
        return
    branches = document.get("anyOf")
    if isinstance(branches, list) and any("$ref" in b for b in branches if isinstance(b, dict)):
        for branch in branches:
            if branch == {"nullable": True, "type": "object"}:
                branch["enum"] = [None]
    for value in document.values():
        _only_null_beside_a_reference(value)


#: The fund's text rule as a JSON-schema pattern (fund/text.py).
TEXT_PATTERN = f"^{ALLOWED_CHARACTER}*$"


def _document_text_rule(document: dict[str, Any]) -> None:
    """Every string a client sends follows the text rule: state it, and its 422, everywhere.

    Parameters (path, query) and the request schemas (components named ``…In``) get the
    pattern where they have none (nor an enum or a format); every operation that takes input
    lists the 422.
    """
    invalid = error_answer("a field does not fit the schema or holds a control character")

    def constrain(schema: dict[str, Any]) -> None:
        if schema.get("type") == "string" and not {"pattern", "enum", "format"} & schema.keys():
            schema["pattern"] = TEXT_PATTERN
        for inner in schema.get("properties", {}).values():
            constrain(inner)
        if isinstance(schema.get("items"), dict):
            constrain(schema["items"])

    for name, schema in document.get("components", {}).get("schemas", {}).items():
        if name.endswith("In"):
            constrain(schema)
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            parameters = operation.get("parameters", [])
            for parameter in parameters:
                if isinstance(parameter, dict) and isinstance(parameter.get("schema"), dict):
                    constrain(parameter["schema"])
            if parameters or "requestBody" in operation:
                operation.setdefault("responses", {}).setdefault("422", invalid)


def _document_page_errors(document: dict[str, Any]) -> None:
    """Every paged list answers a bad ``page``/``per_page`` with 422: say so, for all of them."""
    invalid = error_answer("invalid query arguments, named by field")
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            names = {p.get("name") for p in operation.get("parameters", []) if isinstance(p, dict)}
            if "page" in names:
                operation.setdefault("responses", {}).setdefault("422", invalid)


def _entitlement_paths(spec: APISpec) -> None:
    def id_parameter(name: str) -> dict[str, Any]:
        return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}

    page = _page_of("Entitlement")
    page["required"] = [*page["required"], "run"]
    page["properties"]["run"] = schema_ref("EntitlementRun")
    spec.path(
        "/events/{event_id}/entitlements",
        operations={
            "get": {
                "summary": "The event's latest computed entitlements, per worker (fund staff only)",
                "parameters": [id_parameter("event_id"), *_PAGE_PARAMETERS],
                "responses": {
                    "200": {
                        "description": "a page of entitlements and their run",
                        **json_content(page),
                    },
                    **_ERRORS,
                    **_NOT_FOUND,
                },
            }
        },
    )
    spec.path(
        "/entitlements/{entitlement_id}",
        operations={
            "get": {
                "summary": "One worker's entitlement with its breakdown (fund staff only)",
                "parameters": [id_parameter("entitlement_id")],
                "responses": {
                    "200": {
                        "description": "the entitlement",
                        **json_content(schema_ref("Entitlement")),
                    },
                    **_ERRORS,
                    **_NOT_FOUND,
                },
            }
        },
    )
