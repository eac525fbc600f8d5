"""Flask extensions, created once and bound to the app in ``create_app``."""

from __future__ import annotations

from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.session_protection = "strong"

csrf = CSRFProtect()

# English first; a locale is offered once its catalogue exists in fund/translations/.
babel = Babel()

# Bootstrap 5, the pages' design system: its CSS is served from the installed package
# (BOOTSTRAP_SERVE_LOCAL), never from a CDN, so the strict Content-Security-Policy holds.
bootstrap = Bootstrap5()
