"""Brand pages."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from fund.auth.access import acting_user, allow
from fund.auth.roles import EVERYONE, STAFF
from fund.brands.services import BrandNotFound, brand_for, visible_brands
from fund.db import get_session

bp = Blueprint("brands", __name__, url_prefix="/brands")


@bp.route("/")
@allow(STAFF)
def index() -> str:
    user = acting_user()
    assert user is not None
    return render_template("brands/index.html", brands=visible_brands(get_session(), user=user))


@bp.route("/<code>")
@allow(EVERYONE)
def detail(code: str) -> str:
    user = acting_user()
    assert user is not None
    try:
        brand = brand_for(get_session(), user=user, code=code)
    except BrandNotFound:
        abort(404)
    return render_template("brands/detail.html", brand=brand)
