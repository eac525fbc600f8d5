"""Sign in, sign out, change password, and the administrator's user list."""

from __future__ import annotations

import time

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from fund.auth import passkeys, second_factor
from fund.auth.access import (
    acting_user,
    allow,
    allowed_user,
    public,
    safe_next,
    second_factor_required,
    step_up,
)
from fund.auth.errors import AuthError, SecondFactorRefused, WrongPassword
from fund.auth.forms import LoginForm, NewUserForm, PasswordForm, RoleForm, SecondFactorForm
from fund.auth.lifetimes import start_session_clock
from fund.auth.models import User
from fund.auth.roles import EVERYONE, MONEY_AND_ACCESS, Role
from fund.auth.services import change_password, change_role, create_user, sign_in, sign_out
from fund.db import get_session

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> str | Response:
    form = LoginForm()
    if form.validate_on_submit():
        user = sign_in(
            get_session(),
            username=form.username.data or "",
            password=form.password.data or "",
            address=request.remote_addr,
        )
        if user is None:
            # One message for every failure (unknown, wrong, inactive, locked): nothing leaks.
            # A 200, not a 4xx, so the unit of work commits the failure to the audit log.
            flash(_("That username and password do not match an active account."), "error")
            return render_template("auth/login.html", form=form)
        # A fresh session on sign-in: nothing set before it (session fixation) survives.
        session.clear()
        login_user(user)
        start_session_clock()
        if user.must_change_password:
            flash(_("Please choose your own password before you go on."), "info")
            return redirect(url_for("auth.password"))
        if second_factor_required(user):
            return redirect(url_for("auth.second_factor", next=request.args.get("next")))
        return redirect(safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@allow(EVERYONE)
def logout() -> Response:
    sign_out(get_session(), user=allowed_user())  # the server forgets it: a kept cookie is dead
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@allow(EVERYONE)
def password() -> str | Response:
    form = PasswordForm()
    user = acting_user()
    assert user is not None
    if form.validate_on_submit():
        try:
            change_password(
                get_session(), user=user, current=form.current.data or "", new=form.new.data or ""
            )
        except WrongPassword as error:
            form.current.errors = [str(error)]
        except AuthError as error:
            form.new.errors = [str(error)]
        else:
            login_user(user)  # the session id changed with the session version
            flash(_("Your password is changed."), "info")
            return redirect(url_for("dashboard.home"))
    return render_template("auth/password.html", form=form)


@bp.route("/users", methods=["GET", "POST"])
@allow(Role.ADMIN)
@step_up
def users() -> str:
    db = get_session()
    form = NewUserForm()
    created: tuple[User, str] | None = None
    if form.validate_on_submit():
        try:
            created = create_user(
                db,
                username=form.username.data or "",
                display_name=form.display_name.data or None,
                role=Role(form.role.data),
                brand_code=form.brand_code.data or None,
                actor=acting_user(),
            )
        except AuthError as error:
            form.username.errors = [str(error)]
    listing = db.scalars(select(User).order_by(User.username)).all()
    return render_template(
        "auth/users.html",
        form=form,
        role_form=RoleForm(prefix="change"),
        users=listing,
        created=created,
    )


@bp.route("/account/second-factor", methods=["GET", "POST"], endpoint="second_factor")
@allow(MONEY_AND_ACCESS)
def second_factor_page() -> str | Response:
    """Give a code (sign-in, step-up), or enrol first: QR code, first code, recovery codes."""
    db = get_session()
    user = allowed_user()
    form = SecondFactorForm()
    enrolling = not second_factor.enrolled(user)
    if enrolling and user.totp_secret is None:
        second_factor.start_enrolment(db, user=user)
    if form.validate_on_submit():
        code = form.code.data or ""
        try:
            if enrolling:
                recovery = second_factor.confirm_enrolment(db, user=user, code=code)
            else:
                second_factor.verify(db, user=user, code=code)
        except SecondFactorRefused as error:
            form.code.errors = [str(error)]
        else:
            session["second_factor_at"] = int(time.time())
            target = safe_next(request.args.get("next"))
            if enrolling:
                return render_template("auth/recovery_codes.html", codes=recovery, next_url=target)
            return redirect(target)
    uri = second_factor.provisioning_uri(user) if enrolling else None
    return render_template(
        "auth/second_factor.html",
        form=form,
        enrolling=enrolling,
        qr=second_factor.qr_svg(uri) if uri else None,
        secret=user.totp_secret if enrolling else None,
        has_passkey=not enrolling and bool(passkeys.passkeys_of(db, user)),
        next_url=request.args.get("next") or "",
    )


@bp.route("/users/role", methods=["POST"])
@allow(Role.ADMIN)
@step_up
def user_role() -> Response | tuple[str, int]:
    db = get_session()
    form = RoleForm(prefix="change")
    if form.validate_on_submit():
        user = db.scalar(select(User).where(User.username == (form.username.data or "").strip()))
        if user is None:
            form.username.errors = [_("no such user")]
        else:
            try:
                change_role(db, user=user, role=Role(form.role.data), actor=acting_user())
            except AuthError as error:
                form.role.errors = [str(error)]
            else:
                flash(
                    _("%(username)s is now %(role)s.", username=user.username, role=user.role),
                    "success",
                )
                return redirect(url_for("auth.users"))
    listing = db.scalars(select(User).order_by(User.username)).all()
    return render_template(
        "auth/users.html", form=NewUserForm(), role_form=form, users=listing, created=None
    ), 400
