"""The jobs' forms: cancel a job, and ask for a large file to be prepared (each a POST with its
CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm


class CancelForm(FlaskForm):  # type: ignore[misc]
    """Stop a job that has not finished."""


class PrepareForm(FlaskForm):  # type: ignore[misc]
    """Start the background job that writes a large file (its parameters ride in hidden fields)."""
