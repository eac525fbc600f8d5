"""Passkey pages: add and remove them on the account page, use one instead of the app's code.

The browser side is ``static/passkeys.js`` (no inline script: the CSP forbids it); it asks for
options here, hands them to ``navigator.credentials``, and posts the answer back as JSON with
the page's CSRF token in a header.
"""

from __future__ import annotations

import time
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from fund.auth import passkeys
from fund.auth.access import (
    allow,
    allowed_user,
    recent_second_factor,
    safe_next,
    second_factor_required,
)
from fund.auth.roles import MONEY_AND_ACCESS
from fund.db import get_session

bp = Blueprint("passkeys", __name__, url_prefix="/account")


def _party() -> passkeys.RelyingParty:
    """The configured origin and relying-party id, else this request's own (development)."""
    origin = current_app.config.get("WEBAUTHN_ORIGIN") or request.host_url
    return passkeys.RelyingParty.of(origin=origin, rp_id=current_app.config.get("WEBAUTHN_RP_ID"))


def _answer() -> dict[str, Any]:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def _refused(message: str, status: int = 400) -> tuple[Response, int]:
    # The unit of work rolls an error answer back; the challenge just used must stay used.
    get_session().commit()
    return jsonify({"error": message}), status


def _confirmed_recently() -> bool:
    """Adding or removing a key is itself guarded: a fresh second factor, where one is due."""
    return not second_factor_required(allowed_user()) or recent_second_factor()


@bp.route("/passkeys")
@allow(MONEY_AND_ACCESS)
def listing() -> str | Response:
    """The account's passkeys and the button that adds one."""
    if not _confirmed_recently():
        flash(_("Confirm it is you before you change your passkeys."), "info")
        return redirect(url_for("auth.second_factor", next=url_for("passkeys.listing")))
    user = allowed_user()
    return render_template("auth/passkeys.html", passkeys=passkeys.passkeys_of(get_session(), user))


@bp.route("/passkeys/options", methods=["POST"])
@allow(MONEY_AND_ACCESS)
def registration_options() -> Response | tuple[Response, int]:
    if not _confirmed_recently():
        return _refused(_("Confirm it is you first: reload the page."), 403)
    options = passkeys.registration_options(get_session(), user=allowed_user(), party=_party())
    return current_app.response_class(options, mimetype="application/json")


@bp.route("/passkeys", methods=["POST"])
@allow(MONEY_AND_ACCESS)
def add() -> Response | tuple[Response, int]:
    if not _confirmed_recently():
        return _refused(_("Confirm it is you first: reload the page."), 403)
    body = _answer()
    try:
        passkeys.register(
            get_session(),
            user=allowed_user(),
            party=_party(),
            credential=str(body.get("credential", "")),
            name=str(body.get("name", "")),
        )
    except passkeys.PasskeyRefused as error:
        return _refused(str(error))
    flash(_("Your passkey is added: use it the next time you sign in."), "success")
    return jsonify({"redirect": url_for("passkeys.listing")})


@bp.route("/passkeys/<int:passkey_id>/remove", methods=["POST"])
@allow(MONEY_AND_ACCESS)
def remove(passkey_id: int) -> Response:
    if not _confirmed_recently():
        flash(_("Confirm it is you before you change your passkeys."), "info")
        return redirect(url_for("auth.second_factor", next=url_for("passkeys.listing")))
    try:
        passkeys.remove_passkey(get_session(), user=allowed_user(), passkey_id=passkey_id)
    except passkeys.PasskeyRefused as error:
        flash(str(error), "error")
    else:
        flash(_("The passkey is removed."), "success")
    return redirect(url_for("passkeys.listing"))


@bp.route("/second-factor/passkey/options", methods=["POST"])
@allow(MONEY_AND_ACCESS)
def authentication_options() -> Response | tuple[Response, int]:
    try:
        options = passkeys.authentication_options(
            get_session(), user=allowed_user(), party=_party()
        )
    except passkeys.PasskeyRefused as error:
        return _refused(str(error))
    return current_app.response_class(options, mimetype="application/json")


@bp.route("/second-factor/passkey", methods=["POST"])
@allow(MONEY_AND_ACCESS)
def authenticate() -> Response | tuple[Response, int]:
    """A passkey's answer in place of the six-digit code: at sign-in and at step-up."""
    body = _answer()
    try:
        passkeys.authenticate(
            get_session(),
            user=allowed_user(),
            party=_party(),
            credential=str(body.get("credential", "")),
        )
    except passkeys.PasskeyRefused as error:
        return _refused(str(error))
    session["second_factor_at"] = int(time.time())
    return jsonify({"redirect": safe_next(str(body.get("next") or ""))})
