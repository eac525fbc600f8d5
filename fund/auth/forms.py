"""Sign-in and account forms (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from fund.auth.roles import Role
from fund.auth.services import MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    """Username and password."""

    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class PasswordForm(FlaskForm):
    """Change one's own password."""

    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH)]
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new", message=_l("the two new passwords differ"))],
    )


class NewUserForm(FlaskForm):
    """An administrator adds a user."""

    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=80)])
    display_name = StringField(_l("Full name"), validators=[Optional(), Length(max=200)])
    # Plain values (label = value): the choices shape WTForms 3 takes without a deprecation
    # warning; types-WTForms still only knows tuples.
    role = SelectField(_l("Role"), choices=[role.value for role in Role])  # type: ignore[misc]
    brand_code = StringField(_l("Brand code (brand users only)"), validators=[Optional()])


class RoleForm(FlaskForm):
    """An administrator gives a user another role."""

    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=80)])
    role = SelectField(_l("New role"), choices=[role.value for role in Role])  # type: ignore[misc]


class SecondFactorForm(FlaskForm):
    """A code from the authenticator app, or a recovery code."""

    code = StringField(
        _l("Code from your authenticator app (or a recovery code)"),
        validators=[DataRequired(), Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )
