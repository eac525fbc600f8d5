"""Page-numbered lists: ``?page=1&per_page=50``, answered with the total."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from fund.arguments import MAX_PAGE

MAX_PER_PAGE = 500


class PageArgs(Schema):
    """Query arguments of every list endpoint."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PER_PAGE))


def page_of(item: type[Schema], name: str, **more: fields.Field) -> type[Schema]:
    """The answer schema of a list of ``item``: ``items``, ``page``, ``per_page``, ``total``.

    ``name`` is the component's name in the OpenAPI document; ``more`` adds fields beside.
    """
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item), required=True),
            "page": fields.Integer(required=True),
            "per_page": fields.Integer(required=True),
            "total": fields.Integer(required=True),
            **more,
        },
        name=name,
    )


def read_page(session: Session, query: Select[Any], args: dict[str, Any]) -> dict[str, Any]:
    """The page of ``query`` that ``args`` (loaded by ``PageArgs``) asks for, with the total."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = session.scalars(
        query.limit(args["per_page"]).offset((args["page"] - 1) * args["per_page"])
    ).all()
    return {"items": rows, "page": args["page"], "per_page": args["per_page"], "total": total or 0}


__all__ = ["MAX_PAGE", "PageArgs", "page_of", "read_page"]
