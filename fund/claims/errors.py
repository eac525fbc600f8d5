"""The claims desk's refusals, shared by every module of the package (views map them to 4xx)."""

from __future__ import annotations


class ClaimRefused(Exception):
    """A claim step the rules do not allow; the message says why in plain words."""


class ClaimInvalid(ClaimRefused):
    """The claim's details cannot be used (``field`` names which one)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
