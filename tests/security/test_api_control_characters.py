"""Schemathesis over the whole API with control characters put into its strings: always 422.

Each generated request (every documented operation) gets one refused character (NUL, ESC,
DEL, …) put into one of its strings (a path value, a query argument, a JSON value or key);
the answer is a 422 naming that field (or a 404 when the path names no object: a body is read
after its object is found), and nothing is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from sqlalchemy import func, select

from fund.audit.models import AuditEvent
from fund.auth.models import User
from fund.auth.roles import Role

if TYPE_CHECKING:
    from tests.conftest import People

API = "/api/v1"
REFUSED = [chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F]]
FUZZ = settings(
    max_examples=4, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)


def declared(spec: dict[str, Any], case: Any) -> set[str]:
    """The top-level properties the operation's request schema names (extras are ignored)."""
    operation = spec["paths"][case.operation.path][case.method.lower()]
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    schema = body.get("schema", {})
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return set(schema.get("properties", {}))


def takes_a_string(spec: dict[str, Any], path: str, method: str) -> bool:
    """Whether the operation's document lets a request carry a string: a path or query
    argument, or a body property (at any depth). An operation that cannot is skipped, rather
    than left to hypothesis to find no example for after generating many."""

    def has_string(schema: Any) -> bool:
        if isinstance(schema, dict):
            if "$ref" in schema:
                schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
            kind = schema.get("type")
            if kind == "string" or (isinstance(kind, list) and "string" in kind):
                return True
            return any(has_string(value) for value in schema.values())
        if isinstance(schema, list):
            return any(has_string(value) for value in schema)
        return False

    item = spec["paths"][path]
    operation = item[method.lower()]
    parameters = [*item.get("parameters", []), *operation.get("parameters", [])]  # path's, own
    if any(has_string(parameter.get("schema")) for parameter in parameters):
        return True
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    return has_string(body.get("schema", {}))


def string_places(case: Any, names: set[str]) -> list[tuple[str, Any, Any]]:
    """(where, container, key) of every string a request carries in a field the API takes."""
    places: list[tuple[str, Any, Any]] = []
    for name, value in (case.path_parameters or {}).items():
        if isinstance(value, str):
            places.append(("path", case.path_parameters, name))
    for name, value in (case.query or {}).items():
        if isinstance(value, str):
            places.append(("query", case.query, name))
    if isinstance(case.body, dict) and case.media_type in (None, "application/json"):

        def walk(container: Any) -> None:
            items = container.items() if isinstance(container, dict) else enumerate(container)
            for key, value in list(items):
                if isinstance(value, str):
                    places.append(("body", container, key))
                elif isinstance(value, dict | list):
                    walk(value)

        for name, value in case.body.items():
            if name not in names:
                continue
            if isinstance(value, str):
                places.append(("body", case.body, name))
            elif isinstance(value, dict | list):
                walk(value)
    return places


@pytest.mark.slow
def test_every_operation_refuses_a_control_character_in_any_string_with_422(
    app: Flask, users: People, api_token: Callable[[User], str]
) -> None:
    schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", app)
    spec = app.test_client().get(f"{API}/openapi.json").get_json()
    headers = {"Authorization": f"Bearer {api_token(users.by_role[Role.ADMIN])}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    tried: set[str] = set()

    def audit_count() -> int:
        return int(users.session.scalar(select(func.count()).select_from(AuditEvent)) or 0)

    for operation in operations:
        label = operation.path
        if not takes_a_string(spec, label, operation.method):
            continue

        @given(case=operation.as_strategy(), bad=st.sampled_from(REFUSED), data=st.data())
        @FUZZ
        def refused(case: Any, bad: str, data: st.DataObject) -> None:
            places = string_places(case, declared(spec, case))
            assume(places)
            # Ids the router matches (a negative id is no route at all: 404 before any guard).
            ids = [v for v in (case.path_parameters or {}).values() if isinstance(v, int)]
            assume(all(0 <= v < 2**31 for v in ids))
            where, container, key = data.draw(st.sampled_from(places))
            value = container[key]
            at = data.draw(st.integers(0, len(value)))
            container[key] = value[:at] + bad + value[at:]
            before = audit_count()
            response = case.call(headers=headers)
            # 422 naming the field; or 404 when the path names nothing (a body is read after
            # the object it acts on is found). Never taken, never stored.
            assert response.status_code in (404, 422), (case.method, case.formatted_path, where)
            if response.status_code == 422:
                assert response.json()["errors"][0]["field"] is not None
            assert audit_count() == before
            tried.add(f"{case.method} {label}")  # noqa: B023  (used inside this loop turn only)

        try:
            refused()
        except Unsatisfiable:  # an operation with no free string at all: nothing to try
            continue
    assert len(tried) >= 40, sorted(tried)  # every operation that takes a string (41)
