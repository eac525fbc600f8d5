"""One worker's entitlement, explained in plain words (fund staff only)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response as WerkzeugResponse

from fund.auth.access import acting_user, allow
from fund.auth.roles import STAFF, Role
from fund.db import get_session
from fund.entitlements.export import exact_text
from fund.entitlements.forms import PolicyForm, ResolveDuplicateForm
from fund.entitlements.models import Entitlement, PolicyVersion
from fund.entitlements.policy import PolicyInvalid
from fund.entitlements.policy_versions import register_policy, stored_policy
from fund.entitlements.rules import DUPLICATE_NATIONAL_ID
from fund.entitlements.services import explain
from fund.entitlements.words import is_bengali
from fund.events.services import EventInvalid, resolve_held
from ledger.money import format_minor

bp = Blueprint("entitlements", __name__, url_prefix="/entitlements")

#: Roles that see a worker's national ID in full; everyone else sees the last four digits.
SEES_NATIONAL_IDS = frozenset({Role.ADMIN, Role.OFFICER})


def masked(national_id: str) -> str:
    """``"•••••••••6789"``: enough to tell workers apart, not enough to misuse."""
    return "•" * max(0, len(national_id) - 4) + national_id[-4:]


@bp.route("/<int:entitlement_id>")
@allow(STAFF)
def detail(entitlement_id: int) -> str:
    entitlement = get_session().get(
        Entitlement, entitlement_id, options=[selectinload(Entitlement.lines)]
    )
    if entitlement is None:
        abort(404)
    user = acting_user()
    full = user is not None and user.role_enum in SEES_NATIONAL_IDS
    resolvable = entitlement.reason == DUPLICATE_NATIONAL_ID and full
    payout = stored_policy(entitlement.run.policy_version).payout
    fund_part = entitlement.amount_minor
    if payout.fund_advances:
        fund_part -= entitlement.factory_share_minor
    return render_template(
        "entitlements/detail.html",
        resolve_form=ResolveDuplicateForm() if resolvable else None,
        entitlement=entitlement,
        run=entitlement.run,
        event=entitlement.run.event,
        sentences=explain(entitlement),
        sentence_is_bengali=is_bengali,
        fund_advances=payout.fund_advances,
        fund_part=fund_part,
        national_id=entitlement.national_id if full else masked(entitlement.national_id),
        format_minor=format_minor,
        exact_text=exact_text,
    )


@bp.route("/<int:entitlement_id>/resolve", methods=["POST"])
@allow(*SEES_NATIONAL_IDS)
def resolve(entitlement_id: int) -> WerkzeugResponse:
    session = get_session()
    entitlement = session.get(Entitlement, entitlement_id) or abort(404)
    form = ResolveDuplicateForm()
    if not form.validate_on_submit():
        flash(_("Say how the duplicate was checked."), "error")
    else:
        try:
            resolve_held(
                session, entitlement=entitlement, note=form.note.data or "", actor=acting_user()
            )
        except EventInvalid as error:
            flash(str(error), "error")
        else:
            flash(
                _(
                    "National ID resolved: %(worker)s is paid once. Compute the event "
                    "again to apply it.",
                    worker=entitlement.worker_id,
                ),
                "success",
            )
    return redirect(url_for("entitlements.detail", entitlement_id=entitlement.id))


@bp.route("/policies", methods=["GET", "POST"])
@allow(STAFF)
def policies() -> str | WerkzeugResponse:
    session = get_session()
    user = acting_user()
    form = PolicyForm() if user is not None and user.role_enum is Role.ADMIN else None
    if form is not None and form.validate_on_submit():
        try:
            version = register_policy(session, text=form.toml.data or "", actor=user)
        except PolicyInvalid as error:
            form.toml.errors = [*form.toml.errors, str(error)]
        else:
            flash(_("Stored %(label)s.", label=version.label), "success")
            return redirect(url_for("entitlements.policy", version_id=version.id))
    versions = session.scalars(
        select(PolicyVersion).order_by(PolicyVersion.name, PolicyVersion.version.desc())
    ).all()
    return render_template("entitlements/policies.html", versions=versions, form=form)


@bp.route("/policies/<int:version_id>")
@allow(STAFF)
def policy(version_id: int) -> str:
    version = get_session().get(PolicyVersion, version_id)
    if version is None:
        abort(404)
    return render_template("entitlements/policy.html", version=version)
