"""A batch's steps: submit, approve, pay, reject, cancel; and moving money to the mobile-money
float the paying step draws on.

Rules: approving, paying, rejecting and cancelling cannot be undone and need the confirmation
box; approving and paying need a fresh second factor (step-up); a refused step is rolled back
and said on the batch's page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, flash, redirect, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from fund.auth.access import allow, allowed_user, step_up
from fund.controls.approvals import bands_from_config
from fund.db import get_session, utcnow
from fund.disbursements import approving, paying
from fund.disbursements.forms import FloatForm, ReasonForm, StepForm
from fund.disbursements.models import DisbursementBatch
from fund.disbursements.views.blueprint import (
    APPROVERS,
    CLOSERS,
    PAYERS,
    PREPARERS,
    REFUSALS,
    back,
    batch_or_404,
    bp,
    fees,
    refused,
)
from ledger.money import MoneyError, format_minor, to_minor


def _run(batch: DisbursementBatch, step: Callable[..., object], kwargs: dict[str, Any]) -> Response:
    """Take one step of the batch as the signed-in user; a refusal is rolled back and said."""
    try:
        step(get_session(), batch=batch, actor=allowed_user(), **kwargs)
    except REFUSALS as error:
        refused(error)
        return back(batch)
    flash(_("Batch %(batch)s is %(state)s.", batch=batch.id, state=batch.state), "success")
    return back(batch)


def _step(batch_id: int, name: str, *, confirmed: bool) -> Response:
    batch = batch_or_404(batch_id)
    form = StepForm()
    if not form.validate_on_submit():
        flash(_("The form expired or had a bad date; try again."), "error")
        return back(batch)
    if confirmed and not form.confirm.data:
        flash(_("Tick the box to confirm: %(step)s cannot be undone.", step=name), "error")
        return back(batch)
    on = form.on.data or utcnow().date()
    kwargs: dict[str, Any] = {"on": on, "fees": fees()} if name in ("approve", "pay") else {}
    if name == "submit":
        kwargs = {"bands": bands_from_config(current_app.config)}
    return _run(batch, getattr(paying if name == "pay" else approving, name), kwargs)


@bp.route("/<int:batch_id>/submit", methods=["POST"])
@allow(*PREPARERS)
def submit(batch_id: int) -> Response:
    return _step(batch_id, "submit", confirmed=False)


@bp.route("/<int:batch_id>/approve", methods=["POST"])
@allow(*APPROVERS)
@step_up
def approve(batch_id: int) -> Response:
    return _step(batch_id, "approve", confirmed=True)


@bp.route("/<int:batch_id>/pay", methods=["POST"])
@allow(*PAYERS)
@step_up
def pay(batch_id: int) -> Response:
    return _step(batch_id, "pay", confirmed=True)


def _close(batch_id: int, name: str) -> Response:
    batch = batch_or_404(batch_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Say why."), "error")
        return back(batch)
    if not form.confirm.data:
        flash(_("Tick the box to confirm: %(step)s cannot be undone.", step=name), "error")
        return back(batch)
    kwargs: dict[str, Any] = {"reason": form.reason.data or ""}
    if name == "cancel":
        kwargs["on"] = form.on.data or utcnow().date()
    return _run(batch, getattr(approving, name), kwargs)


@bp.route("/<int:batch_id>/reject", methods=["POST"])
@allow(*APPROVERS)
def reject(batch_id: int) -> Response:
    return _close(batch_id, "reject")


@bp.route("/<int:batch_id>/cancel", methods=["POST"])
@allow(*CLOSERS)
def cancel(batch_id: int) -> Response:
    return _close(batch_id, "cancel")


@bp.route("/float", methods=["POST"])
@allow(*PAYERS)
@step_up  # cash moves from the bank to the float
def fund_float() -> Response:
    form = FloatForm()
    back = redirect(url_for("disbursements.index"))
    if not form.validate_on_submit() or not form.confirm.data:
        flash(_("Give the amount and tick the box to confirm."), "error")
        return back
    try:
        minor = to_minor(form.amount.data or 0, "BDT")
        paying.transfer_to_float(
            get_session(), amount_minor=minor, actor=allowed_user(), on=utcnow().date()
        )
    except MoneyError as error:
        flash(str(error), "error")
        return back
    except REFUSALS as error:
        refused(error)
        return back
    flash(
        _(
            "Moved %(amount)s BDT to the mobile-money float.",
            amount=format_minor(minor, "BDT"),
        ),
        "success",
    )
    return back
