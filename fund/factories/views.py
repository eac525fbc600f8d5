"""Factory pages (fund staff only: they lead to rolls and workers)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from fund.auth.access import acting_user, allow
from fund.auth.roles import STAFF, Role
from fund.db import get_session
from fund.entitlements.copayment import factory_share_statement
from fund.events.life import factory_events
from fund.factories.models import Factory
from fund.rolls.models import Roll

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
    session = get_session()
    factory = session.scalar(select(Factory).where(Factory.code == code))
    if factory is None:
        abort(404)
    user = acting_user()
    return render_template(
        "factories/detail.html",
        factory=factory,
        rolls=session.scalars(
            select(Roll).where(Roll.factory_id == factory.id).order_by(Roll.version.desc())
        ).all(),
        events=factory_events(session, factory),
        officer=user is not None and user.role_enum in (Role.ADMIN, Role.OFFICER),
        share=factory_share_statement(session, factory=factory),
    )
