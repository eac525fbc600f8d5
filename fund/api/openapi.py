"""The OpenAPI document of ``/api/v1``: what flask-smorest generates from the schemas, stated
with the fund's rules that a schema cannot say by itself (the text rule, nullable nesting).

The routes and schemas are fixed once the app is made, so the document is built once per app
(``api_document``): ``/openapi.json`` serves it and the query-argument check reads it.
"""

from __future__ import annotations

import copy
from typing import Any

from flask import current_app

from fund.api.framework import API_PREFIX, current_api
from fund.text import ALLOWED_CHARACTER


def build_spec() -> dict[str, Any]:
    """The OpenAPI 3.0 document for ``/api/v1``, paths written below its server URL."""
    generated = copy.deepcopy(current_api().spec.to_dict())
    document: dict[str, Any] = {
        **generated,
        "servers": [{"url": API_PREFIX}],
        "paths": {
            path.removeprefix(API_PREFIX): operations
            for path, operations in generated.get("paths", {}).items()
        },
    }
    _inline_answers(document)
    _document_access_errors(document)
    _document_text_rule(document)
    _only_null_beside_a_reference(document)
    return document


#: Where the app keeps its built document (``app.extensions``).
DOCUMENT_KEY = "api_document"


def api_document() -> dict[str, Any]:
    """The app's OpenAPI document, built on first use and kept: shared, so read it, never edit."""
    document: dict[str, Any] | None = current_app.extensions.get(DOCUMENT_KEY)
    if document is None:
        # Two first requests at once may both build it; the first one kept is the one served.
        document = current_app.extensions.setdefault(DOCUMENT_KEY, build_spec())
    return document


def error_answer(description: str) -> dict[str, Any]:
    """An answer in the API's one error shape (``ErrorBody``), described for its operation."""
    reference = {"$ref": "#/components/schemas/ErrorBody"}
    return {"description": description, "content": {"application/json": {"schema": reference}}}


_ERRORS = {
    "401": error_answer("missing or unknown token"),
    "403": error_answer("the token's role may not do this"),
}
_NOT_FOUND = {"404": error_answer("not found or not visible")}


def _document_access_errors(document: dict[str, Any]) -> None:
    """Every operation but the document itself answers 401 and 403; one with an id, 404."""
    for path, operations in document.get("paths", {}).items():
        if path == "/openapi.json":
            continue
        for verb, operation in operations.items():
            if verb == "parameters":
                continue
            answers = operation.setdefault("responses", {})
            for status, answer in _ERRORS.items():
                answers.setdefault(status, answer)
            if "{" in path:
                answers.setdefault("404", _NOT_FOUND["404"])


def _inline_answers(document: dict[str, Any]) -> None:
    """Each operation states its answers in place (smorest refers to shared error answers).

    A reader, and a client generator, sees on one operation every status it may answer and
    the body of each, without following ``#/components/responses/…``.
    """
    shared = document.get("components", {}).pop("responses", {})
    for operations in document.get("paths", {}).values():
        for verb, operation in operations.items():
            if verb == "parameters":
                continue
            for status, answer in operation.get("responses", {}).items():
                reference = answer.get("$ref", "")
                if reference.startswith("#/components/responses/"):
                    named = shared[reference.rsplit("/", 1)[1]]
                    operation["responses"][status] = copy.deepcopy(named)


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
        shared = operations.get("parameters", [])
        for verb, operation in operations.items():
            if verb == "parameters":
                continue
            parameters = [*shared, *operation.get("parameters", [])]
            for parameter in parameters:
                if isinstance(parameter, dict) and isinstance(parameter.get("schema"), dict):
                    constrain(parameter["schema"])
            if parameters or "requestBody" in operation:
                operation.setdefault("responses", {}).setdefault("422", invalid)
