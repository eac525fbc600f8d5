"""The audit log, for administrators and auditors: plain words, filters, CSV export."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request

from fund.arguments import DateFilters, date_argument, date_filters
from fund.audit.log import LogFilter, actors, all_matching, areas, log_csv, log_page
from fund.audit.services import verify
from fund.audit.words import describe
from fund.auth.access import allow
from fund.auth.roles import Role
from fund.db import get_session, utcnow

bp = Blueprint("audit", __name__, url_prefix="/audit")


def _filter(dates: DateFilters | None = None) -> LogFilter:
    """The filters asked for; without ``dates`` (the CSV) a date not understood is a 400."""
    since, until = (
        (dates.get("since"), dates.get("until"))
        if dates is not None
        else (date_argument("since"), date_argument("until"))
    )
    return LogFilter(
        who=request.args.get("who", "").strip()[:80],
        what=request.args.get("what", "").strip()[:80],
        since=since,
        until=until,
    )


@bp.route("/")
@allow(Role.ADMIN, Role.AUDITOR)
def index() -> str | tuple[str, int]:
    """The log, newest first; a date not understood is named beside its input (400), left out
    of the filter meanwhile."""
    db = get_session()
    before = request.args.get("before", type=int)
    if before is not None and not 0 < before < 2**31:  # beyond any id: not a database overflow
        abort(400)
    dates = date_filters("since", "until")
    wanted = _filter(dates)
    page = log_page(db, wanted, before=before)
    verification = verify(db) if request.args.get("verify") else None
    shown = render_template(
        "audit/index.html",
        events=[(event, describe(event)) for event in page.events],
        older_than=page.older_than,
        wanted=wanted,
        refused=dates.refused,
        actors=actors(db),
        areas=areas(db),
        verification=verification,
    )
    return (shown, 400) if dates.refused else shown


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
