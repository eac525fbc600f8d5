"""Event pages (fund staff): the list, and one event with its entitlements summarised."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, request
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from fund.auth.access import allow
from fund.auth.roles import STAFF
from fund.db import get_session
from fund.entitlements.models import Entitlement, EntitlementRun
from fund.entitlements.rules import REASONS
from fund.events.models import Event
from ledger.money import format_minor

bp = Blueprint("events", __name__, url_prefix="/events")
PER_PAGE = 100


@bp.context_processor
def money() -> dict[str, Any]:
    return {"format_minor": format_minor, "REASONS": REASONS}


@bp.route("/")
@allow(STAFF)
def index() -> str:
    session = get_session()
    events = session.scalars(
        select(Event).options(selectinload(Event.factory)).order_by(Event.start_date.desc())
    ).all()
    latest: dict[int, EntitlementRun] = {}
    if events:
        newest = (
            select(func.max(EntitlementRun.id))
            .where(EntitlementRun.event_id.in_([e.id for e in events]))
            .group_by(EntitlementRun.event_id)
        )
        for run in session.scalars(select(EntitlementRun).where(EntitlementRun.id.in_(newest))):
            latest[run.event_id] = run
    return render_template("events/index.html", events=events, latest=latest)


@bp.route("/<int:event_id>")
@allow(STAFF)
def detail(event_id: int) -> str:
    session = get_session()
    event = session.get(Event, event_id)
    if event is None:
        abort(404)
    runs = session.scalars(
        select(EntitlementRun)
        .where(EntitlementRun.event_id == event.id)
        .options(selectinload(EntitlementRun.policy_version))
        .order_by(EntitlementRun.id.desc())
    ).all()
    run = runs[0] if runs else None
    if request.args.get("run", "").isdigit():
        run = next((r for r in runs if r.id == int(request.args["run"])), None) or abort(404)
    reasons: list[tuple[str, int]] = []
    entitlements: list[Entitlement] = []
    matching = 0
    query = request.args.get("q", "").strip()
    show = request.args.get("show", "all")
    page = max(1, int(request.args["page"])) if request.args.get("page", "").isdigit() else 1
    if run is not None:
        reasons = [
            (reason, count)
            for reason, count in session.execute(
                select(Entitlement.reason, func.count())
                .where(Entitlement.run_id == run.id, Entitlement.eligible.is_(False))
                .group_by(Entitlement.reason)
                .order_by(Entitlement.reason)
            ).tuples()
            if reason is not None
        ]
        found = select(Entitlement).where(Entitlement.run_id == run.id)
        if query:
            found = found.where(
                or_(
                    Entitlement.worker_id.icontains(query, autoescape=True),
                    Entitlement.name.icontains(query, autoescape=True),
                    Entitlement.section.icontains(query, autoescape=True),
                )
            )
        if show in ("eligible", "ineligible"):
            found = found.where(Entitlement.eligible.is_(show == "eligible"))
        matching = session.scalar(select(func.count()).select_from(found.subquery())) or 0
        entitlements = list(
            session.scalars(
                found.order_by(Entitlement.roll_row).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
            )
        )
    return render_template(
        "events/detail.html",
        event=event,
        runs=runs,
        run=run,
        reasons=reasons,
        entitlements=entitlements,
        matching=matching,
        query=query,
        show=show,
        page=page,
        pages=max(1, -(-matching // PER_PAGE)),
    )
