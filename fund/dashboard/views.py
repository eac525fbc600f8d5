"""Home page: what each role needs first."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, url_for
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from fund.audit.models import AuditEvent
from fund.auth.access import acting_user, allow, public
from fund.auth.roles import EVERYONE, STAFF, Role
from fund.brands.models import Brand
from fund.claims.services import overdue, overdue_count
from fund.controls.services import control_tiles
from fund.db import get_session, utcnow
from fund.factories.models import Factory
from fund.reports.services import fund_charts

bp = Blueprint("dashboard", __name__)


@bp.route("/")
@allow(EVERYONE)
def home() -> str | Response:
    user = acting_user()
    assert user is not None
    if user.role_enum is Role.BRAND and user.brand is not None:
        return redirect(url_for("brands.detail", code=user.brand.code))
    if user.role_enum is Role.HELPLINE:
        return redirect(url_for("claims.index"))  # the helpline sees claims and nothing else
    db = get_session()
    counts = {
        "brands": db.scalar(select(func.count(Brand.id))) or 0,
        "factories": db.scalar(select(func.count(Factory.id))) or 0,
    }
    recent, charts, late, late_count = [], [], [], 0
    controls: dict[str, Any] | None = None
    if user.role_enum in STAFF:
        recent = list(db.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(10)))
        charts = fund_charts(db)
        today = utcnow().date()
        late = overdue(db, today=today, limit=10)
        late_count = overdue_count(db, today=today)
        controls = control_tiles(db)
    return render_template(
        "dashboard/home.html",
        counts=counts,
        recent=recent,
        charts=charts,
        overdue_claims=late,
        overdue_count=late_count,
        controls=controls,
    )


@bp.route("/health")
@public
def health() -> dict[str, str]:
    get_session().execute(select(1))
    return {"status": "ok"}
