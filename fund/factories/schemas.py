"""What the API says about a factory."""

from __future__ import annotations

from marshmallow import Schema, fields


class FactoryOut(Schema):
    """A factory and the member brands sourcing from it."""

    code = fields.String(required=True)
    name = fields.String(required=True)
    country = fields.String(required=True)
    address = fields.String(required=True)
    brands = fields.Function(lambda factory: [brand.code for brand in factory.brands])
