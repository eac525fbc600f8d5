"""A request's JSON body through its marshmallow schema (``ValidationError`` is the 422)."""

from __future__ import annotations

from typing import Any

from flask import request
from marshmallow import Schema, ValidationError

from fund.text import control_characters_in, refusal


def load_body(schema: Schema) -> dict[str, Any]:
    """The body as ``schema`` loads it; no body, ``null``, or anything but a JSON object is 422.

    A write with every field optional still needs ``{}``: an empty or garbled body is a client's
    mistake to be told about, never read as "no options".
    """
    if not request.get_data(cache=True).strip():
        raise ValidationError({"body": ["a JSON object is required; the request has no body"]})
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise ValidationError(
            {"body": ["the body must be a JSON object (Content-Type: application/json)"]}
        )
    loaded: dict[str, Any] = schema.load(payload)
    # The fund's one text rule (fund/text.py) over every string the schema took, at any depth.
    refused = {where: [refusal(where)] for where in control_characters_in(loaded)}
    if refused:
        raise ValidationError(refused)
    return loaded
