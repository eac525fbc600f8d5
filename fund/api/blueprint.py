"""``/api/v1`` on flask-smorest, with the fund's token sign-in, argument rules and errors.

Every area's API module adds its routes to ``bp``; ``register_api`` (fund/api/views.py) binds
it to the app. The OpenAPI document is generated from the same marshmallow schemas that read
each request and write each answer (fund/api/openapi.py), so the two cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

import flask_smorest
from flask import Response, abort, current_app, g, request
from marshmallow import ValidationError

from fund.api.errors import validation_error
from fund.api.framework import API_PREFIX
from fund.api.openapi import api_document
from fund.api.parsing import RequestParser
from fund.auth.errors import TokenExpired
from fund.auth.services import live_token
from fund.db import get_session
from fund.extensions import csrf

View = TypeVar("View", bound=Callable[..., Any])


class ApiBlueprint(flask_smorest.Blueprint):  # type: ignore[misc]
    """A part of ``/api/v1``: bearer tokens, the argument rules and the 422 shape come with it."""

    ARGUMENTS_PARSER = RequestParser()

    def __init__(self, name: str, import_name: str, *, description: str) -> None:
        super().__init__(name, import_name, url_prefix=API_PREFIX, description=description)
        # Token-authenticated: no cookies are read here, so forgery has nothing to ride on.
        csrf.exempt(self)
        self.before_request(authenticate_token)
        self.before_request(refuse_unread_arguments)
        self.register_error_handler(ValidationError, validation_error)

    # flask-smorest ships no types: its decorators, typed as keeping the view's own type.
    def route(self, rule: str, **options: Any) -> Callable[[View], View]:
        decorator: Callable[[View], View] = super().route(rule, **options)
        return decorator

    def arguments(self, schema: Any, **options: Any) -> Callable[[View], View]:
        decorator: Callable[[View], View] = super().arguments(schema, **options)
        return decorator

    def response(self, status: int, schema: Any = None, **options: Any) -> Callable[[View], View]:
        decorator: Callable[[View], View] = super().response(status, schema, **options)
        return decorator

    def alt_response(self, status: int, **options: Any) -> Callable[[View], View]:
        decorator: Callable[[View], View] = super().alt_response(status, **options)
        return decorator

    def doc(self, **options: Any) -> Callable[[View], View]:
        decorator: Callable[[View], View] = super().doc(**options)
        return decorator


def authenticate_token() -> None:
    """Read ``Authorization: Bearer …``; an expired token is a 401 that says when it expired."""
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
    """The query arguments the document lists for ``method`` on ``rule`` (None: undocumented);
    the table is made once per app, from the document ``/openapi.json`` serves."""
    table: dict[tuple[str, str], frozenset[str]] | None = current_app.extensions.get(
        "api_query_arguments"
    )
    if table is None:
        table = {}
        for path, operations in api_document()["paths"].items():
            for verb, operation in operations.items():
                if verb == "parameters":
                    continue
                names = {
                    parameter["name"]
                    for parameter in operation.get("parameters", [])
                    if isinstance(parameter, dict) and parameter.get("in") == "query"
                }
                table[(path, verb.upper())] = frozenset(names)
        current_app.extensions["api_query_arguments"] = table
    path = _FLASK_ARGUMENT.sub(r"{\1}", rule.removeprefix(API_PREFIX))
    return table.get((path, "GET" if method == "HEAD" else method))


#: ``<int:event_id>`` in a Flask rule, ``{event_id}`` in the document.
_FLASK_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")

#: ``/api/v1``: every area's API module adds its routes here (fund/api/views.py imports them
#: all before ``register_api`` binds the blueprint to an app).
bp = ApiBlueprint("api", __name__, description="The Worker Fund API")
