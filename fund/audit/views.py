"""The audit log, for administrators and auditors."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from sqlalchemy import select

from fund.audit.models import AuditEvent
from fund.audit.services import verify
from fund.auth.access import allow
from fund.auth.roles import Role
from fund.db import get_session

bp = Blueprint("audit", __name__, url_prefix="/audit")

PAGE_SIZE = 100


@bp.route("/")
@allow(Role.ADMIN, Role.AUDITOR)
def index() -> str:
    db = get_session()
    before = request.args.get("before", type=int)
    if before is not None and not 0 < before < 2**31:  # beyond any id: not a database overflow
        abort(400)
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(PAGE_SIZE)
    if before is not None:
        query = query.where(AuditEvent.id < before)
    events = db.scalars(query).all()
    verification = verify(db) if request.args.get("verify") else None
    return render_template("audit/index.html", events=events, verification=verification)
