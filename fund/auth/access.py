"""Who may use a view: every route declares it, with ``allow(...)`` or ``public``."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import abort, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fund.auth.models import User
from fund.auth.roles import Role
from fund.extensions import login_manager

View = TypeVar("View", bound=Callable[..., Any])

#: Attribute a view carries: the roles that may use it, or ``PUBLIC``.
ALLOWED_ROLES = "allowed_roles"
PUBLIC: frozenset[Role] = frozenset()
#: What a user who must choose a new password may still reach on the web.
PASSWORD_CHANGE_ENDPOINTS = frozenset({"auth.password", "auth.logout"})
#: What a user who still owes the second factor (enrolment or a code) may reach.
SECOND_FACTOR_ENDPOINTS = PASSWORD_CHANGE_ENDPOINTS | {
    "auth.second_factor",
    "passkeys.authentication_options",
    "passkeys.authenticate",
}
#: The scope of a step-up API token: approve, pay, role changes.
STEP_UP_SCOPE = "money"
#: Attribute a view carries when it needs a recent second factor (read by the tests).
STEP_UP = "requires_step_up"


def public(view: View) -> View:
    """Mark a view as open to anyone (sign-in page, health check)."""
    setattr(view, ALLOWED_ROLES, PUBLIC)
    setattr(view, "is_public", True)  # noqa: B010  (read by the route audit in the tests)
    return view


def allowed_user() -> User:
    """The acting user inside a view that ``@allow`` let in (never anonymous there)."""
    user = acting_user()
    assert user is not None  # @allow answered 401/redirect for anyone not signed in
    return user


def acting_user() -> User | None:
    """The API token's user on ``/api/v1``, else the signed-in web user."""
    api_user: User | None = g.get("api_user")
    if api_user is not None:
        return api_user
    if g.get("api_request"):
        # The API is exempt from CSRF, so it must never accept the session cookie instead.
        return None
    if current_user.is_authenticated:
        return cast(User, current_user._get_current_object())
    return None


def allow(*roles: Role | Iterable[Role]) -> Callable[[View], View]:
    """Let only users with one of ``roles`` through; others get 403, strangers the login page."""
    allowed: set[Role] = set()
    for item in roles:
        allowed.update([item] if isinstance(item, Role) else item)
    frozen = frozenset(allowed)

    def decorator(view: View) -> View:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            user = acting_user()
            if user is None:
                if g.get("api_request"):
                    abort(401)
                return login_manager.unauthorized()
            if user.role_enum not in frozen:
                abort(403)
            if (
                user.must_change_password
                and not g.get("api_request")
                and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS
            ):
                # A one-time password opens one door only: choosing one's own.
                return redirect(url_for("auth.password"))
            if (
                not g.get("api_request")
                and second_factor_required(user)
                and session.get("second_factor_at") is None
                and request.endpoint not in SECOND_FACTOR_ENDPOINTS
            ):
                # Signed in with the password only: the code (or enrolment) comes first.
                return redirect(url_for("auth.second_factor", next=_here()))
            return view(*args, **kwargs)

        setattr(guarded, ALLOWED_ROLES, frozen)
        return cast(View, guarded)

    return decorator


def require_own_brand(user: User, brand_id: int) -> None:
    """A brand user may see only its own brand: anything else is 'not found'."""
    if user.role_enum is Role.BRAND and user.brand_id != brand_id:
        abort(404)


def second_factor_required(user: User) -> bool:
    """Whether ``user`` must sign in with a second factor under this fund's settings."""
    from fund.auth.second_factor import required_for

    if not current_app.config.get("REQUIRE_SECOND_FACTOR"):
        return False
    return required_for(user, officers=bool(current_app.config.get("SECOND_FACTOR_FOR_OFFICERS")))


def safe_next(target: str | None) -> str:
    """``target`` if it is a path on this site, else the dashboard (after sign-in, a code)."""
    # Only same-site paths: an open redirect would let a phishing link borrow our login page.
    # Browsers read a backslash as a slash, so "/\\evil.example" would leave the site too.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("dashboard.home")


def _here() -> str:
    """Where to come back to after the code: this page for a GET, the referring page otherwise."""
    if request.method == "GET":
        return request.full_path.rstrip("?")
    referrer = request.referrer or ""
    host = request.host_url.rstrip("/")
    return referrer[len(host) :] if referrer.startswith(host + "/") else "/"


def recent_second_factor() -> bool:
    """Whether this web session gave a second-factor code within the step-up window."""
    from fund.auth.second_factor import STEP_UP_WINDOW

    window = int(current_app.config.get("STEP_UP_SECONDS", STEP_UP_WINDOW.total_seconds()))
    given = session.get("second_factor_at")
    return isinstance(given, int) and time.time() - given <= window


def step_up(view: View) -> View:
    """Ask again for the second factor before ``view`` moves money or grants access.

    On the web the code must be at most ``STEP_UP_WINDOW`` old, else the user is sent to give
    one and comes back to the page to do it again. On the API the bearer token must be a
    step-up token (scope ``money``, short-lived; ``POST /api/v1/tokens/step-up``). Reading
    (GET) is not asked; off when ``REQUIRE_SECOND_FACTOR`` is off. Put it under ``@allow``.
    """

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        user = acting_user()
        changes = request.method not in ("GET", "HEAD", "OPTIONS")
        if user is not None and changes and current_app.config.get("REQUIRE_SECOND_FACTOR"):
            if g.get("api_request"):
                token = g.get("api_token")
                if token is None or token.scope != STEP_UP_SCOPE:
                    abort(
                        403,
                        description="this action needs a step-up token: POST a second-factor"
                        " code to /api/v1/tokens/step-up and use the short-lived token it"
                        " returns",
                    )
            elif not recent_second_factor():
                flash(
                    _("Confirm with a code from your authenticator app, then do it again."), "info"
                )
                return redirect(url_for("auth.second_factor", next=_here()))
        return view(*args, **kwargs)

    setattr(guarded, STEP_UP, True)
    return cast(View, guarded)
