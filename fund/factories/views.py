"""Factory pages (fund staff only: they lead to rolls and workers)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from fund.auth.access import allow
from fund.auth.roles import STAFF
from fund.db import get_session
from fund.factories.models import Factory

bp = Blueprint("factories", __name__, url_prefix="/factories")


@bp.route("/")
@allow(STAFF)
def index() -> str:
    factories = (
        get_session()
        .scalars(select(Factory).options(selectinload(Factory.brands)).order_by(Factory.code))
        .all()
    )
    return render_template("factories/index.html", factories=factories)


@bp.route("/<code>")
@allow(STAFF)
def detail(code: str) -> str:
    factory = get_session().scalar(select(Factory).where(Factory.code == code))
    if factory is None:
        abort(404)
    from fund.entitlements.copayment import factory_share_statement
    from ledger.money import format_minor

    share = factory_share_statement(get_session(), factory=factory)
    return render_template(
        "factories/detail.html", factory=factory, share=share, format_minor=format_minor
    )
