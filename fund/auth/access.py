"""Who may use a view: every route declares it, with ``allow(...)`` or ``public``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, g, redirect, request, url_for
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
            return view(*args, **kwargs)

        setattr(guarded, ALLOWED_ROLES, frozen)
        return cast(View, guarded)

    return decorator


def require_own_brand(user: User, brand_id: int) -> None:
    """A brand user may see only its own brand: anything else is 'not found'."""
    if user.role_enum is Role.BRAND and user.brand_id != brand_id:
        abort(404)
