"""A request's JSON body through its marshmallow schema (``ValidationError`` is the 422)."""

from __future__ import annotations

from typing import Any

from flask import request
from marshmallow import Schema, ValidationError

from fund.text import control_characters_in, refusal


def load_body(schema: Schema) -> dict[str, Any]:
    """The body as ``schema`` loads it; anything but a JSON object is read as ``{}``."""
    payload = request.get_json(silent=True)
    loaded: dict[str, Any] = schema.load(payload if isinstance(payload, dict) else {})
    # The fund's one text rule (fund/text.py) over every string the schema took, at any depth.
    refused = {where: [refusal(where)] for where in control_characters_in(loaded)}
    if refused:
        raise ValidationError(refused)
    return loaded
