"""One worker's entitlement, explained in plain words (fund staff only)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from sqlalchemy.orm import selectinload

from fund.auth.access import acting_user, allow
from fund.auth.roles import STAFF, Role
from fund.db import get_session
from fund.entitlements.export import exact_text, major_text
from fund.entitlements.models import Entitlement
from fund.entitlements.services import explain
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
    return render_template(
        "entitlements/detail.html",
        entitlement=entitlement,
        run=entitlement.run,
        event=entitlement.run.event,
        sentences=explain(entitlement),
        national_id=entitlement.national_id if full else masked(entitlement.national_id),
        format_minor=format_minor,
        exact_text=exact_text,
        major_text=major_text,
    )
