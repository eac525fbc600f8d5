"""Event pages (fund staff): the list, and one event with its entitlements summarised."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response as WerkzeugResponse

from fund.arguments import id_argument, page_number
from fund.auth.access import acting_user, allow, allowed_user
from fund.auth.roles import STAFF, Role
from fund.db import get_session
from fund.display import page_count
from fund.entitlements.export import build_table, to_csv, to_xlsx
from fund.entitlements.models import Entitlement, EntitlementRun
from fund.entitlements.policy import PolicyInvalid
from fund.entitlements.policy_versions import policy_for, policy_names
from fund.entitlements.rules import REASONS, EntitlementError
from fund.entitlements.services import compute_for_event
from fund.events.forms import ChangeEndForm, ComputeForm, NewEventForm, UseRollForm
from fund.events.life import event_life
from fund.events.models import Event
from fund.events.services import EventInvalid, change_end, record_event, set_roll
from fund.factories.models import Factory
from fund.jobs.models import Job
from fund.jobs.services import start_job
from fund.rolls.models import Roll
from ledger.money import format_minor

bp = Blueprint("events", __name__, url_prefix="/events")
PER_PAGE = 100
#: Who records events and computes entitlements.
OFFICERS = (Role.ADMIN, Role.OFFICER)


def compute_form(event: Event) -> ComputeForm:
    """The compute form, its policy defaulting to the event's."""
    form = ComputeForm(policy=event.policy_name)
    form.policy.choices = policy_names(get_session())  # type: ignore[assignment]  # WTForms 3
    return form


@bp.route("/new", methods=["GET", "POST"])
@allow(*OFFICERS)
def new() -> str | WerkzeugResponse:
    session = get_session()
    form = NewEventForm(factory=request.args.get("factory"))  # from the factory page
    codes: list[str] = list(session.scalars(select(Factory.code).order_by(Factory.code)))
    form.factory.choices = codes  # type: ignore[assignment]  # plain values (WTForms 3)
    form.policy.choices = policy_names(session)  # type: ignore[assignment]  # WTForms 3
    if form.validate_on_submit():
        assert form.start.data is not None  # DataRequired
        try:
            event = record_event(
                session,
                factory_code=form.factory.data or "",
                kind=form.kind.data or "",
                start=form.start.data,
                end=form.end.data,
                sections=form.sections.data.split(",") if form.sections.data else None,
                reference=form.reference.data or "",
                policy_name=form.policy.data or "",
                actor=acting_user(),
            )
        except EventInvalid as error:
            # Factory and policy problems show by their fields; date problems by the start.
            shown = {"factory": form.factory, "policy": form.policy, "sections": form.sections}
            field = shown.get(error.field or "", form.start)
            field.errors = [*field.errors, str(error)]
        else:
            flash(_("Recorded: %(title)s.", title=event.title), "success")
            return redirect(url_for("events.detail", event_id=event.id))
    return render_template("events/new.html", form=form)


@bp.route("/<int:event_id>/end", methods=["POST"])
@allow(*OFFICERS)
def change_end_date(event_id: int) -> WerkzeugResponse:
    session = get_session()
    event = session.get(Event, event_id) or abort(404)
    form = ChangeEndForm()
    if not form.validate_on_submit():
        flash(_("Give the new end date and say why."), "error")
    else:
        try:
            change_end(
                session,
                event=event,
                new_end=form.end.data,
                reason=form.reason.data or "",
                actor=acting_user(),
            )
            flash(_("Changed: %(title)s.", title=event.title), "success")
        except EventInvalid as error:
            flash(str(error), "error")
    return redirect(url_for("events.detail", event_id=event.id))


def roll_form(event: Event) -> UseRollForm:
    """The roll choice: the factory's versions, newest first, defaulting to the newest."""
    versions = [
        str(version)
        for version in get_session().scalars(
            select(Roll.version)
            .where(Roll.factory_id == event.factory_id)
            .order_by(Roll.version.desc())
        )
    ]
    form = UseRollForm(version=versions[0] if versions else None)
    form.version.choices = versions  # type: ignore[assignment]  # plain values (WTForms 3)
    return form


@bp.route("/<int:event_id>/roll", methods=["POST"])
@allow(*OFFICERS)
def use_roll(event_id: int) -> WerkzeugResponse:
    session = get_session()
    event = session.get(Event, event_id) or abort(404)
    form = roll_form(event)
    if not form.validate_on_submit():
        flash(_("Choose one of the factory's roll versions."), "error")
        return redirect(url_for("events.detail", event_id=event.id))
    roll = session.scalar(
        select(Roll).where(
            Roll.factory_id == event.factory_id, Roll.version == int(form.version.data)
        )
    )
    assert roll is not None  # the choices are the factory's versions
    try:
        set_roll(session, event=event, roll=roll, actor=acting_user())
    except EventInvalid as error:
        flash(str(error), "error")
    else:
        flash(
            _(
                "The event now uses roll version %(version)s (%(workers)s workers); "
                "compute its entitlements again to apply it.",
                version=roll.version,
                workers=roll.worker_count,
            ),
            "success",
        )
    return redirect(url_for("events.detail", event_id=event.id))


@bp.route("/<int:event_id>/compute", methods=["POST"])
@allow(*OFFICERS)
def compute(event_id: int) -> WerkzeugResponse:
    session = get_session()
    event = session.get(Event, event_id) or abort(404)
    form = compute_form(event)
    if not form.validate_on_submit():
        flash(_("Choose a policy."), "error")
        return redirect(url_for("events.detail", event_id=event.id))
    try:
        version = policy_for(session, form.policy.data or "", event=event)
        if (job := compute_in_background(event, version.id, form.through.data)) is not None:
            return redirect(url_for("jobs.show", job_id=job.id))
        run = compute_for_event(
            session, event=event, policy_version=version, through=form.through.data,
            actor=acting_user(),
        )  # fmt: skip
    except (EntitlementError, PolicyInvalid, LookupError) as error:
        flash(_("Not computed: %(reason)s", reason=error), "error")
        return redirect(url_for("events.detail", event_id=event.id))
    flash(
        _(
            "Computed %(workers)s workers, %(eligible)s eligible, total %(amount)s %(currency)s.",
            workers=run.workers,
            eligible=run.eligible,
            amount=format_minor(run.total_minor, run.currency),
            currency=run.currency,
        ),
        "success",
    )
    return redirect(url_for("events.detail", event_id=event.id, run=run.id))


def compute_in_background(event: Event, policy_version_id: int, through: date | None) -> Job | None:
    """A roll of more than ``BACKGROUND_COMPUTE_WORKERS``: the job computing it (web and API)."""
    workers = event.roll.worker_count if event.roll is not None else 0
    if workers <= current_app.config["BACKGROUND_COMPUTE_WORKERS"]:
        return None
    return start_job(
        get_session(),
        owner=allowed_user(),
        kind="entitlements-compute",
        params={
            "event": event.id,
            "policy_version": policy_version_id,
            "through": through.isoformat() if through else None,
        },
        title=_("Entitlements of %(event)s", event=event.title),
        result_name="",
        total=workers,
    )


@bp.context_processor
def reasons() -> dict[str, Any]:
    return {"REASONS": REASONS}


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
    chosen = id_argument("run")
    if chosen is not None:
        run = next((r for r in runs if r.id == chosen), None) or abort(404)
    reasons: list[tuple[str, int]] = []
    entitlements: list[Entitlement] = []
    matching = 0
    query = request.args.get("q", "").strip()
    show = request.args.get("show", "all")
    page = page_number()
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
    user = acting_user()
    officer = user is not None and user.role_enum in OFFICERS
    return render_template(
        "events/detail.html",
        event=event,
        # no roll, nothing to compute from: the page offers attaching one instead of a button
        # that could only fail (the service refuses too: RollMissing)
        compute_form=compute_form(event) if officer and event.roll is not None else None,
        life=event_life(session, event),
        end_form=ChangeEndForm() if officer and event.kind == "suspension" else None,
        roll_form=roll_form(event) if officer else None,
        runs=runs,
        run=run,
        reasons=reasons,
        entitlements=entitlements,
        matching=matching,
        query=query,
        show=show,
        page=page,
        pages=page_count(matching, PER_PAGE),
    )


@bp.route("/<int:event_id>/entitlements.<file_format>")
@allow(STAFF)
def download(event_id: int, file_format: str) -> Response:
    if file_format not in ("csv", "xlsx"):
        abort(404)
    session = get_session()
    event = session.get(Event, event_id) or abort(404)
    query = select(EntitlementRun).where(EntitlementRun.event_id == event.id)
    chosen = id_argument("run")
    if chosen is not None:
        query = query.where(EntitlementRun.id == chosen)
    run = session.scalar(query.order_by(EntitlementRun.id.desc()).limit(1)) or abort(404)
    entitlements = session.scalars(
        select(Entitlement)
        .where(Entitlement.run_id == run.id)
        .options(selectinload(Entitlement.lines))
        .order_by(Entitlement.position)
    ).all()
    table = build_table(entitlements, run.currency)
    name = f"entitlements-{event.factory.code}-event{event.id}-run{run.id}.{file_format}"
    if file_format == "csv":
        body: bytes = to_csv(table).encode("utf-8")
        mimetype = "text/csv"
    else:
        body = to_xlsx(table)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
