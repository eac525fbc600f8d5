"""What the API says about a user."""

from __future__ import annotations

from marshmallow import Schema, fields


class UserOut(Schema):
    """A user as the API shows it: never the password hash."""

    username = fields.String(required=True)
    display_name = fields.String(required=True)
    role = fields.String(required=True)
    brand = fields.Function(lambda user: user.brand.code if user.brand else None, allow_none=True)
