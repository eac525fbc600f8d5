"""The job page's one form: cancel (a POST with its CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm


class CancelForm(FlaskForm):  # type: ignore[misc]
    """Stop a job that has not finished."""
