"""A request's JSON body through its marshmallow schema (``ValidationError`` is the 422)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, request
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


def query_date(name: str) -> date | None:
    """Query parameter ``name`` as a date; absent is None, but empty or not a date is a 400.

    ``?to=`` is a client's mistake (a date it forgot to fill in), not "no end": the answer
    says so rather than quietly giving the books to today.
    """
    if name not in request.args:
        return None
    text = request.args[name].strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        abort(400, description=f"{name} must be a date like 2026-03-31 (got {text!r})")
