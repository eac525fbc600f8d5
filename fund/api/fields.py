"""Input fields shared by the API's request schemas."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

from fund.text import ALLOWED_CHARACTER

# The fund's one text rule (fund/text.py), as patterns the OpenAPI document can state.
_ANY = ALLOWED_CHARACTER
_VISIBLE = r"[^\s\x00-\x1f\x7f]"
_PRINTABLE = validate.Regexp(f"^{_ANY}*$", error="must not hold control characters")
_NOT_BLANK = validate.Regexp(
    f"^{_ANY}*{_VISIBLE}{_ANY}*$", error="must not be blank or hold control characters"
)


def text(max_length: int, *, blank: bool = True, **kwargs: Any) -> fields.String:
    """A string of at most ``max_length`` characters, free of control characters.

    ``blank=False`` refuses an empty or all-space string, as the web forms' ``DataRequired``.
    """
    pattern = _PRINTABLE if blank else _NOT_BLANK
    return fields.String(validate=[validate.Length(max=max_length), pattern], **kwargs)
