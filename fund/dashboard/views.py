"""Home page: the work waiting for the signed-in person's role, oldest first."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, url_for
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from fund.audit.models import AuditEvent
from fund.audit.words import describe
from fund.auth.access import acting_user, allow, public
from fund.auth.roles import EVERYONE, STAFF, Role
from fund.brands.models import Brand
from fund.controls.services import control_tiles
from fund.dashboard.cover import cover_chart, fund_cover
from fund.dashboard.queue import waiting_total, work_queue
from fund.db import get_session, utcnow
from fund.factories.models import Factory

bp = Blueprint("dashboard", __name__)


@bp.route("/")
@allow(EVERYONE)
def home() -> str | Response:
    user = acting_user()
    assert user is not None
    if user.role_enum is Role.BRAND and user.brand is not None:
        return redirect(url_for("brands.detail", code=user.brand.code))
    db = get_session()
    queue = work_queue(db, user=user, today=utcnow().date())
    context: dict[str, Any] = {"queue": queue, "waiting": waiting_total(queue)}
    if user.role_enum in STAFF:
        cover = fund_cover(db)
        recent = db.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(10))
        context |= {
            "counts": {
                "brands": db.scalar(select(func.count(Brand.id))) or 0,
                "factories": db.scalar(select(func.count(Factory.id))) or 0,
            },
            "recent": [(event, describe(event)) for event in recent],
            "cover": cover,
            "cover_chart": cover_chart(cover),
            "controls": control_tiles(db),
        }
    return render_template("dashboard/home.html", **context)


@bp.route("/health")
@public
def health() -> dict[str, str]:
    get_session().execute(select(1))
    return {"status": "ok"}
