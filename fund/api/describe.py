"""Pieces of the OpenAPI document every area's ``add_*_paths`` writes with."""

from __future__ import annotations

from typing import Any


def json_content(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON body (request or answer) of ``schema``."""
    return {"content": {"application/json": {"schema": schema}}}


def schema_ref(name: str) -> dict[str, Any]:
    """A reference to the component schema ``name``."""
    return {"$ref": f"#/components/schemas/{name}"}


def error_answer(description: str) -> dict[str, Any]:
    """An answer in the API's one error shape, described for this endpoint."""
    return {"description": description, **json_content(schema_ref("ErrorBody"))}
