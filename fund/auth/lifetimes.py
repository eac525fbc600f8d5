"""How long a signed-in web session lives: an idle limit and an absolute one, both configurable.

The times ride in the signed session cookie; a cookie kept past either limit opens nothing,
and sign-out ends a session on the server as well (``services.sign_out``).
"""

from __future__ import annotations

import time

from flask import Flask, flash, request, session
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response

from fund.extensions import login_manager

#: Defaults when the operator sets neither FUND_SESSION_IDLE_MINUTES nor FUND_SESSION_MAX_HOURS.
DEFAULT_IDLE_MINUTES = 30
DEFAULT_MAX_HOURS = 12


def start_session_clock() -> None:
    """Note in the fresh session when it was signed in (both limits count from here)."""
    now = int(time.time())
    session["signed_in_at"] = now
    session["seen_at"] = now


def session_expired(now: int, *, idle_seconds: int, max_seconds: int) -> bool:
    """Whether the current session has been idle or alive too long (or carries no clock)."""
    signed_in_at = session.get("signed_in_at")
    seen_at = session.get("seen_at")
    if not isinstance(signed_in_at, int) or not isinstance(seen_at, int):
        return True
    return now - seen_at > idle_seconds or now - signed_in_at > max_seconds


def register_session_lifetimes(app: Flask) -> None:
    """End web sessions past the configured idle or absolute lifetime, before any view runs."""

    @app.before_request
    def end_expired_session() -> Response | None:
        if request.path.startswith("/api/") or request.endpoint in ("static", "bootstrap.static"):
            return None
        if not current_user.is_authenticated:
            return None
        now = int(time.time())
        if session_expired(
            now,
            idle_seconds=int(app.config["SESSION_IDLE_MINUTES"]) * 60,
            max_seconds=int(app.config["SESSION_MAX_HOURS"]) * 3600,
        ):
            logout_user()
            session.clear()
            flash(_("Your session has ended: please sign in again."), "info")
            unauthorized: Response = login_manager.unauthorized()
            return unauthorized
        session["seen_at"] = now
        return None
