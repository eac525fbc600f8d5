"""How the API reads a request's arguments: webargs with the fund's rules for bodies and text."""

from __future__ import annotations

from typing import Any, NoReturn

from flask import Request
from marshmallow import Schema, ValidationError
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict

from fund.text import control_characters_in, refusal


class RequestParser(FlaskParser):
    """webargs' Flask parser, stricter where the fund needs it.

    - A JSON body must be a JSON object: no body, ``null`` or garbled bytes are a 422, even
      for a write whose fields are all optional (an empty body is a client's mistake to be
      told about, never read as "no options").
    - Every string an argument schema took follows the fund's one text rule (fund/text.py).
    - ``location="files"`` reads a multipart body whole, its files and its fields, with one
      schema: smorest documents one request body per operation, so a file and the fields sent
      beside it must be one schema to be documented as the one multipart/form-data body.
    - A refusal is a plain ``ValidationError`` of the fields, which the API answers as its
      one error shape (fund/api/errors.py), not webargs' location-keyed ``abort``.
    """

    DEFAULT_VALIDATION_STATUS = 422

    def load_json(self, req: Request, schema: Schema) -> Any:
        if not req.get_data(cache=True).strip():
            raise ValidationError({"body": ["a JSON object is required; the request has no body"]})
        payload = req.get_json(silent=True)
        if not isinstance(payload, dict):
            raise ValidationError(
                {"body": ["the body must be a JSON object (Content-Type: application/json)"]}
            )
        return payload

    def load_files(self, req: Request, schema: Schema) -> Any:
        return self._makeproxy(CombinedMultiDict([req.files, req.form]), schema)

    def _process_location_data(self, *args: Any, **kwargs: Any) -> Any:
        loaded = super()._process_location_data(*args, **kwargs)
        refused = {where: [refusal(where)] for where in control_characters_in(loaded)}
        if refused:
            raise ValidationError(refused)
        return loaded

    def handle_error(
        self,
        error: ValidationError,
        req: Request,
        schema: Schema,
        *,
        error_status_code: int | None,
        error_headers: Any,
    ) -> NoReturn:
        # webargs put the messages under the location ({"json": {...}}); the API names fields.
        messages = error.messages
        if isinstance(messages, dict) and len(messages) == 1:
            (messages,) = messages.values()
        raise ValidationError(messages)
