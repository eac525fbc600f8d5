"""The audit log, for administrators and auditors: plain words, filters, CSV export."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, render_template, request
from werkzeug.exceptions import BadRequest

from fund.audit.log import LogFilter, actors, all_matching, areas, log_csv, log_page
from fund.audit.services import verify
from fund.audit.words import describe
from fund.auth.access import allow
from fund.auth.roles import Role
from fund.db import get_session, utcnow
from fund.display import parse_display_date

bp = Blueprint("audit", __name__, url_prefix="/audit")


def _date(name: str) -> date | None:
    text = request.args.get(name, "").strip()
    if not text:
        return None
    try:
        return parse_display_date(text)  # as the pages show dates, or ISO
    except ValueError:
        raise BadRequest(f"{name}: {text!r} is not a date (2 Dec 2026)") from None


def _filter() -> LogFilter:
    return LogFilter(
        who=request.args.get("who", "").strip()[:80],
        what=request.args.get("what", "").strip()[:80],
        since=_date("since"),
        until=_date("until"),
    )


@bp.route("/")
@allow(Role.ADMIN, Role.AUDITOR)
def index() -> str:
    db = get_session()
    before = request.args.get("before", type=int)
    if before is not None and not 0 < before < 2**31:  # beyond any id: not a database overflow
        abort(400)
    wanted = _filter()
    page = log_page(db, wanted, before=before)
    verification = verify(db) if request.args.get("verify") else None
    return render_template(
        "audit/index.html",
        events=[(event, describe(event)) for event in page.events],
        older_than=page.older_than,
        wanted=wanted,
        actors=actors(db),
        areas=areas(db),
        verification=verification,
    )


@bp.route("/audit.csv")
@allow(Role.ADMIN, Role.AUDITOR)
def export() -> Response:
    wanted = _filter()
    shown = ", ".join(
        f"{name} {value}"
        for name, value in (
            ("who", wanted.who),
            ("what", wanted.what),
            ("from", wanted.since),
            ("to", wanted.until),
        )
        if value
    )
    heading = [
        "Worker Fund audit log",
        f"Period: {wanted.since or 'the first event'} to {wanted.until or 'the latest event'}",
        f"Filters: {shown or 'none'}",
        f"As of: {utcnow().strftime('%Y-%m-%d %H:%M')} UTC",
    ]
    body = log_csv(all_matching(get_session(), wanted), heading=heading)
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'},
    )
