"""Worker Fund: the Flask application.

``create_app`` wires one blueprint per area (``fund/<area>/views.py``) onto a SQLAlchemy
session per request. The request is the unit of work: the session commits once, after the
view succeeded, and rolls back on any error response or exception. Services only add and
flush. The libraries ``ledger`` and ``imports`` know nothing of Flask.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, abort, g, render_template, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge, ServiceUnavailable
from werkzeug.routing import IntegerConverter, Map

if TYPE_CHECKING:
    from sqlalchemy.exc import OperationalError

# The app's own modules, SQLAlchemy and the extensions are imported by create_app, not here:
# `import fund.cli` must stay cheap (`fund --help` builds no app).

__all__ = ["create_app"]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` overrides defaults and environment (tests pass a ``DB_BIND``)."""
    from sqlalchemy.orm import sessionmaker

    from fund import models  # noqa: F401  (every table registered before first use)
    from fund.auth.lifetimes import register_session_lifetimes
    from fund.config import load_config
    from fund.db import make_engine
    from fund.extensions import babel, bootstrap, csrf, login_manager

    root = Path(__file__).resolve().parent.parent
    app = Flask(
        __name__,
        instance_path=str(root / "instance"),
        template_folder=str(root / "templates"),
    )
    app.config.update(load_config(Path(app.instance_path), config))

    bind = app.config.get("DB_BIND") or make_engine(
        app.config["DATABASE_URL"], write_lock_first=True
    )
    app.extensions["fund.sessionmaker"] = sessionmaker(
        bind=bind, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )

    csrf.init_app(app)
    babel.init_app(app, locale_selector=_choose_locale)
    login_manager.init_app(app)
    app.config["BOOTSTRAP_SERVE_LOCAL"] = True
    bootstrap.init_app(app)
    # Ids in URLs beyond an id column are no object of ours: 404, not a database overflow.
    app.url_map.converters["int"] = _DatabaseId
    _register_blueprints(app)
    _register_unit_of_work(app)
    _register_error_pages(app)
    _register_security_headers(app)
    _register_input_guard(app)
    register_session_lifetimes(app)
    _register_template_helpers(app)
    _trust_proxies(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Behind ``TRUSTED_PROXIES`` reverse proxies, read the client's address from them.

    The per-address sign-in limit counts ``request.remote_addr``: behind a proxy that is the
    proxy's own address (every user one bucket) unless X-Forwarded-For is read, and read only
    for the configured number of hops, or a client could name any address it likes.
    """
    hops = int(app.config.get("TRUSTED_PROXIES", 0))
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )


def _choose_locale() -> str | None:
    """The browser's preferred language among those the fund has a catalogue for."""
    from fund.extensions import babel

    offered = [str(locale) for locale in babel.list_translations()]
    return request.accept_languages.best_match(offered) or "en"


#: SQLSTATE classes a retry can cure: connection lost (08), out of resources (53), operator
#: intervention such as a shutdown or a cancelled statement (57), and a lost race (40).
_TRANSIENT_SQLSTATES = ("08", "53", "57", "40")
_TRANSIENT_SQLITE = ("database is locked", "disk i/o error", "unable to open database")


def _worth_a_retry(error: OperationalError) -> bool:
    """Whether the database failed for a while (503, try again) rather than for good (500)."""
    if error.connection_invalidated:
        return True
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate:
        return str(sqlstate).startswith(_TRANSIENT_SQLSTATES)
    said = str(error.orig).lower()
    return any(words in said for words in _TRANSIENT_SQLITE)


class _DatabaseId(IntegerConverter):
    """``<int:…>`` limited to what an id column holds (PostgreSQL ``integer``: 32 bits)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def _register_blueprints(app: Flask) -> None:
    from fund.api.views import register_api
    from fund.audit.views import bp as audit
    from fund.auth.passkey_views import bp as passkey_pages
    from fund.auth.views import bp as auth
    from fund.brands.views import bp as brands
    from fund.claims.views import bp as claims
    from fund.controls.views import bp as controls
    from fund.dashboard.views import bp as dashboard
    from fund.disbursements.views import bp as disbursements
    from fund.entitlements.views import bp as entitlements
    from fund.events.views import bp as events
    from fund.factories.views import bp as factories
    from fund.jobs.views import bp as jobs
    from fund.reports.views import bp as reports
    from fund.rolls.views import bp as rolls

    for blueprint in (
        auth,
        passkey_pages,
        dashboard,
        brands,
        factories,
        rolls,
        events,
        entitlements,
        disbursements,
        claims,
        controls,
        reports,
        jobs,
        audit,
    ):
        app.register_blueprint(blueprint)
    register_api(app)


def _register_unit_of_work(app: Flask) -> None:
    from fund.db import close_session
    from fund.extensions import login_manager

    @app.after_request
    def commit_on_success(response: Response) -> Response:
        db = g.get("db_session")
        if db is not None:
            if response.status_code < 400:
                db.commit()
            else:
                db.rollback()
        return response

    @app.teardown_appcontext
    def end_session(exc: BaseException | None) -> None:
        close_session(exc)

    @login_manager.user_loader  # type: ignore[untyped-decorator]
    def load_user(session_id: str) -> Any:
        from fund.auth.services import load_session_user
        from fund.db import get_session

        return load_session_user(get_session(), session_id)


def _register_error_pages(app: Flask) -> None:
    from sqlalchemy.exc import OperationalError

    from fund.api.errors import error_response
    from fund.api.errors import http_error as api_http_error

    def is_api() -> bool:
        return request.path.startswith("/api/")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response | tuple[str, int]:
        if isinstance(error, RequestEntityTooLarge):
            # werkzeug's wording names no limit; say how big a file may be.
            limit = (app.config.get("MAX_CONTENT_LENGTH") or 0) / (1024 * 1024)
            error = RequestEntityTooLarge(
                f"The request is larger than the {limit:g} MB the fund accepts; nothing was"
                " stored. Split the file or send a smaller one."
            )
        if is_api():
            return api_http_error(error)
        return render_template("errors.html", error=error), error.code or 500

    @app.errorhandler(OperationalError)
    def database_unavailable(error: OperationalError) -> Response | tuple[str, int]:
        # The connection went away or the database refused to work (killed, restarted, disk):
        # the request's transaction is rolled back, and a retry is the right thing to do.
        # Anything else SQLite also calls "operational" (a missing table) is a bug: a 500.
        if not _worth_a_retry(error):
            return unexpected(error)
        app.logger.exception("database unavailable", exc_info=error)
        session = g.get("db_session")
        if session is not None:
            session.rollback()  # before the page's own queries (the signed-in user, the menu)
        message = (
            "The database could not finish this request (the connection was lost or the "
            "database is unavailable); nothing of it was stored. Try again in a moment."
        )
        if is_api():
            response = error_response(503, "database_unavailable", message)
        else:
            page = render_template("errors.html", error=ServiceUnavailable(message))
            response = app.make_response((page, 503))
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response | tuple[str, int]:
        # Users see a plain message; the traceback goes to the log, never to them.
        app.logger.exception("unhandled error", exc_info=error)
        if is_api():
            return error_response(500, "internal_error", "the server could not do that")
        return render_template("errors.html", error=None), 500


#: Scripts and styles from our own static files only: no inline script, no inline style, no
#: eval, nothing from elsewhere; forms post only here; no one frames us. QR codes and charts
#: are inline SVG elements (markup, not script), so they need nothing more.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)
#: The app's own files and the design system's (served from the Bootstrap-Flask package).
STATIC_ENDPOINTS = frozenset({"static", "bootstrap.static"})
#: A year of HTTPS only, once a browser has seen the fund over HTTPS.
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"


def _register_security_headers(app: Flask) -> None:
    @app.after_request
    def security_headers(response: Response) -> Response:
        # No framing (clickjacking of forms), no MIME sniffing; the Referer stays same-origin,
        # where Flask-WTF's https check needs it, and never leaks paths to other sites.
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
        if request.endpoint not in STATIC_ENDPOINTS:
            # Pages, sheets, payment files and API answers carry personal data: no copy is to
            # stay in a browser's or a proxy's cache (no-cache would still store one).
            response.headers["Cache-Control"] = "no-store"
            response.headers.pop("Expires", None)
            response.headers.pop("ETag", None)
            response.headers.pop("Last-Modified", None)
        return response


def _register_input_guard(app: Flask) -> None:
    from fund.api.errors import error_response
    from fund.text import has_control_character, refusal

    def first_refused() -> str | None:
        # Path values first: they need no parsing, and a bad one answers before the body is read.
        for name, value in (request.view_args or {}).items():
            if isinstance(value, str) and has_control_character(value):
                return name
        # On the API the form of an upload holds only the file and parsed values (a date), and
        # the OpenAPI document lets a client add fields the view ignores; the web stores fields.
        sources = (
            (request.args,) if request.path.startswith("/api/") else (request.args, request.form)
        )
        for source in sources:
            for name, value in source.items(multi=True):
                if has_control_character(name) or has_control_character(value):
                    return name
        # API bodies: the API's argument parser (fund/api/parsing.py) applies the rule to the
        # fields a schema takes.
        return None

    @app.before_request
    def refuse_control_characters() -> Response | None:
        # The fund's one text rule (fund/text.py) for path values, query arguments and form
        # fields, before any view or database.
        field = first_refused()
        if field is None:
            return None
        if not request.path.startswith("/api/"):
            abort(400, description=refusal(field))
        return error_response(422, "invalid", refusal(field), field)


def _register_template_helpers(app: Flask) -> None:
    from flask_babel import get_locale

    from fund.auth.access import acting_user
    from fund.auth.roles import STAFF, Role
    from fund.display import display_date, display_datetime, display_money
    from fund.reports.charts import svg
    from ledger.money import format_minor

    @app.context_processor
    def roles() -> dict[str, Any]:
        return {"Role": Role, "STAFF": STAFF, "me": acting_user()}

    @app.context_processor
    def money() -> dict[str, Any]:
        # One way to show an amount everywhere: exact minor units, never a float's rounding.
        return {"format_minor": format_minor, "money": format_minor, "chart_svg": svg}

    # One display format for dates and times (fund/display.py), the same on every page.
    app.add_template_filter(display_date, "display_date")
    app.add_template_filter(display_datetime, "display_datetime")
    app.add_template_filter(display_money, "display_money")

    @app.context_processor
    def language() -> dict[str, Any]:
        # The page says which language it is in, so screen readers pronounce it right.
        return {"current_locale": str(get_locale() or "en")}
