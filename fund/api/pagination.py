"""Page-numbered lists: ``?page=1&per_page=50``, answered with the total."""

from __future__ import annotations

from typing import Any

from flask import request
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from fund.arguments import MAX_PAGE

MAX_PER_PAGE = 500


class PageArgs(Schema):
    """Query arguments of every list endpoint."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PER_PAGE))


def paginate(session: Session, query: Select[Any], schema: Schema) -> dict[str, Any]:
    """Run ``query`` for the requested page and dump it with ``schema``."""
    args = PageArgs().load(request.args.to_dict(), unknown="exclude")
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = session.scalars(
        query.limit(args["per_page"]).offset((args["page"] - 1) * args["per_page"])
    ).all()
    return {
        "items": schema.dump(rows, many=True),
        "page": args["page"],
        "per_page": args["per_page"],
        "total": total or 0,
    }


__all__ = ["MAX_PAGE", "PageArgs", "ValidationError", "paginate"]
