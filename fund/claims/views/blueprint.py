"""The claims blueprint and what its pages share: the settings they read, a claim by its id,
the events to file against, a refusal shown on its field.

Rules: settings come from the app's config only (never a default typed into a page); a claim
that does not exist is a 404 before any form is read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3

from fund.claims import attachments, services
from fund.claims.models import Claim
from fund.db import get_session, utcnow
from fund.events.models import Event

bp = Blueprint("claims", __name__, url_prefix="/claims")


@bp.context_processor
def helpers() -> dict[str, Any]:
    return {
        "KIND_LABELS": services.KIND_LABELS,
        "today": utcnow().date(),
    }


def claim_or_404(claim_id: int) -> Claim:
    """The claim with this id, or a 404."""
    return get_session().get(Claim, claim_id) or abort(404)


def files_folder() -> Path:
    """Where attachments are kept (config ``CLAIM_FILES``, in the instance folder)."""
    return Path(current_app.config["CLAIM_FILES"])


def max_attachment_bytes() -> int:
    """The attachment size limit (config ``CLAIM_ATTACHMENT_MAX_BYTES``, default 5 MB)."""
    return int(
        current_app.config.get("CLAIM_ATTACHMENT_MAX_BYTES", attachments.MAX_ATTACHMENT_BYTES)
    )


def helpline_number() -> str:
    """The number the claimant is told to call (config ``CLAIMS_HELPLINE``)."""
    return str(current_app.config.get("CLAIMS_HELPLINE", ""))


def deadlines() -> dict[str, int]:
    """Days to decide each kind of claim (config ``CLAIM_DEADLINES`` overrides the defaults)."""
    return {**services.DEADLINE_DAYS, **current_app.config.get("CLAIM_DEADLINES", {})}


def event_choices() -> list[SelectChoice]:
    """The latest 500 events, newest first, for a claim's event field."""
    events = get_session().scalars(
        select(Event).options(selectinload(Event.factory)).order_by(Event.id.desc()).limit(500)
    )
    return [SelectChoice(event.id, f"{event.id}: {event.title}") for event in events]


def field_error(form: Any, error: services.ClaimInvalid) -> None:
    """Show a refusal on the field it names, or as a message when it names none."""
    target = getattr(form, error.field, None) if error.field else None
    if target is not None:
        target.errors = [*target.errors, str(error)]
    else:
        flash(str(error), "error")


def decided(claim: Claim, message: str) -> Response:
    """A step done: say so, and back to the claim's page."""
    flash(message, "success")
    return redirect(url_for("claims.detail", claim_id=claim.id))
