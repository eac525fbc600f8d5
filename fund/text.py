"""One rule for text the fund accepts, from every door: forms, API bodies, paths, CLI options.

C0 control characters other than tab and line breaks, and DEL, belong in no fund record:
PostgreSQL cannot store a NUL at all, and the rest hide text from the people who read it.
The API's ``text()`` field states the same rule in the OpenAPI document; the request guard in
``create_app`` applies it to every form field, query argument, path value and JSON string; the
``TEXT`` click type applies it to command options.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    _ParamType = click.ParamType[str]
else:  # generic only in the newest click; plain at run time in every version we accept
    _ParamType = click.ParamType

#: One character the rule allows / refuses, as a regex class (the OpenAPI pattern uses it).
ALLOWED_CHARACTER = r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control_character(value: str) -> bool:
    """Whether ``value`` holds a character the rule refuses."""
    return CONTROL_CHARACTER.search(value) is not None


def refusal(name: str) -> str:
    """The message that names the field at fault."""
    return f"{name!r} holds a control character (such as NUL): nothing was stored."


def control_characters_in(value: Any, where: str = "") -> Iterator[str]:
    """Where in a JSON value (``a.b.0``) a key or string holds a refused character."""
    if isinstance(value, str):
        if has_control_character(value):
            yield where or "_schema"
    elif isinstance(value, dict):
        for key, item in value.items():
            path = f"{where}.{key}" if where else str(key)
            if isinstance(key, str) and has_control_character(key):
                yield path
            else:
                yield from control_characters_in(item, path)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from control_characters_in(item, f"{where}.{index}" if where else str(index))


class Text(_ParamType):
    """A command option's text under the same rule as the web and the API."""

    name = "text"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        """The value, unless it holds a control character."""
        text = str(value)
        if has_control_character(text):
            self.fail("holds a control character (such as NUL)", param, ctx)
        return text


#: The click type every free-text command option uses.
TEXT = Text()
