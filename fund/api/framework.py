"""flask-smorest's ``Api`` as the fund uses it: one per app, its errors left to the app."""

from __future__ import annotations

import flask_smorest
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.common import resolve_schema_cls
from flask import Flask, current_app
from marshmallow import Schema

from fund.api.errors import ErrorBody

#: Where the API lives; the OpenAPI document's paths are written below it.
API_PREFIX = "/api/v1"


class FundApi(flask_smorest.Api):  # type: ignore[misc]
    """flask-smorest's ``Api`` without its own error handlers.

    The app's handlers (fund/__init__.py) already answer every error under ``/api/`` in the
    API's one error shape; smorest's would answer the web pages' errors in JSON too.
    """

    ERROR_SCHEMA = ErrorBody
    # Each operation lists the statuses it answers (fund/api/openapi.py), not a catch-all.
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self) -> None:
        return None


def schema_name(schema: type[Schema] | Schema) -> str:
    """A schema's name in the document: ``BrandOut`` is ``Brand``, ``ResolveIn`` stays."""
    resolved = resolve_schema_cls(schema)
    name: str = (resolved[0] if isinstance(resolved, list) else resolved).__name__
    return name.removesuffix("Schema").removesuffix("Out") or name


def make_api(app: Flask) -> FundApi:
    """The app's ``FundApi``, its document headed and its bearer scheme declared."""
    api = FundApi(
        app,
        spec_kwargs={
            "title": "Worker Fund API",
            "version": "1",
            "openapi_version": "3.0.3",
            "security": [{"bearer": []}],
            "marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=schema_name),
        },
    )
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    return api


def current_api() -> FundApi:
    """The app's ``FundApi`` (one per app)."""
    api: FundApi = current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
    return api
