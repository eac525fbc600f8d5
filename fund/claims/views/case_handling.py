"""Case handling: helpline calls (logged, turned into claims), internal notes, callbacks,
referral outcomes, reopening, linking the claimant to a roll worker, two national IDs recorded
as one person, and an event's filing window.

Rules: each step is one service call; a refusal is shown on the claim's page (400) and rolled
back, so a half-done step is never kept.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3

from fund.auth.access import allow, allowed_user
from fund.auth.models import User
from fund.auth.roles import CLAIM_DECIDERS, CLAIM_FILERS
from fund.claims import cases, followups, persons, services
from fund.claims.forms import (
    CallForm,
    CallToClaimForm,
    FilingWindowForm,
    LinkForm,
    NoteForm,
    ReferralOutcomeForm,
    ReopenForm,
    SamePersonForm,
)
from fund.claims.models import Claim, ClaimCall
from fund.claims.views.blueprint import bp, claim_or_404, decided, event_choices, field_error
from fund.claims.views.claim_page import callback_form, detail_page
from fund.db import get_session, utcnow
from fund.events.models import Event
from fund.factories.models import Factory


def _factory_choices() -> list[SelectChoice]:
    factories = get_session().scalars(select(Factory).order_by(Factory.code))
    return [SelectChoice(0, _("not known")), *(
        SelectChoice(f.id, f"{f.code}: {f.name}") for f in factories
    )]  # fmt: skip


def _calls_page(form: CallForm, status: int = 200) -> tuple[str, int]:
    session = get_session()
    to_claim = CallToClaimForm()
    to_claim.event.choices = event_choices()
    calls = session.scalars(select(ClaimCall).order_by(ClaimCall.id.desc()).limit(100)).all()
    me = allowed_user()
    return render_template(
        "claims/calls.html", form=form, calls=calls, to_claim=to_claim,
        callbacks=cases.callbacks_due(session, owner=me, today=utcnow().date()),
    ), status  # fmt: skip


@bp.route("/calls", methods=["GET", "POST"])
@allow(*CLAIM_FILERS)
def calls() -> str | Response | tuple[str, int]:
    """Every call to the helpline, and the form to log one (a phone number is enough)."""
    form = CallForm()
    form.factory.choices = _factory_choices()
    if request.method == "GET":
        return _calls_page(form)
    if form.validate_on_submit():
        session = get_session()
        try:
            call = cases.log_call(
                session, actor=allowed_user(), caller_name=form.caller_name.data or "",
                phone=form.phone.data or "", national_id=form.national_id.data or "",
                factory=session.get(Factory, form.factory.data) if form.factory.data else None,
                question=form.question.data or "", answer=form.answer.data or "",
                language=form.language.data or "bn", callback_on=form.callback_on.data,
            )  # fmt: skip
        except services.ClaimInvalid as error:
            session.rollback()
            field_error(form, error)
        else:
            flash(_("Call %(id)s logged.", id=call.id), "success")
            return redirect(url_for("claims.calls"))
    return _calls_page(form, 400)


@bp.route("/calls/<int:call_id>/claim", methods=["POST"])
@allow(*CLAIM_FILERS)
def call_to_claim(call_id: int) -> Response | tuple[str, int]:
    """The caller's national ID is found: the call becomes a claim."""
    session = get_session()
    call = session.get(ClaimCall, call_id) or abort(404)
    form = CallToClaimForm()
    form.event.choices = event_choices()
    if form.validate_on_submit():
        event = session.get(Event, form.event.data) or abort(404)
        try:
            claim = followups.claim_from_call(
                session, call=call, event=event, kind=form.kind.data or "other",
                national_id=form.national_id.data or "", actor=allowed_user(),
            )  # fmt: skip
        except services.ClaimRefused as error:
            session.rollback()
            flash(str(error), "error")
        else:
            flash(
                _("Claim %(claim)s filed from call %(call)s.", claim=claim.reference, call=call_id),
                "success",
            )
            return redirect(url_for("claims.detail", claim_id=claim.id))
    else:
        errors = " ".join(e for found in form.errors.values() for e in found)
        flash(errors, "error")
    call_form = CallForm()
    call_form.factory.choices = _factory_choices()
    return _calls_page(call_form, 400)


def _case_step(claim: Claim, step: Callable[[], object], done: str) -> Response | tuple[str, int]:
    """Run one case-handling step; a refusal is shown on the claim's page (400)."""
    try:
        step()
    except services.ClaimRefused as error:
        get_session().rollback()
        flash(str(error), "error")
        return detail_page(claim_or_404(claim.id)), 400
    return decided(claim, done)


@bp.route("/<int:claim_id>/notes", methods=["POST"])
@allow(*CLAIM_FILERS)
def note(claim_id: int) -> Response | tuple[str, int]:
    claim = claim_or_404(claim_id)
    form = NoteForm()
    return _case_step(claim, lambda: cases.add_note(
        get_session(), claim=claim, body=form.body.data or "", actor=allowed_user()
    ), _("Note kept (internal)."))  # fmt: skip


@bp.route("/<int:claim_id>/callback", methods=["POST"])
@allow(*CLAIM_FILERS)
def callback(claim_id: int) -> Response | tuple[str, int]:
    claim = claim_or_404(claim_id)
    form = callback_form(claim)
    form.process(request.form)
    owner = get_session().get(User, form.owner.data) if form.owner.data else None
    return _case_step(claim, lambda: cases.set_callback(
        get_session(), claim=claim, on=form.on.data, owner=owner, actor=allowed_user()
    ), _("Callback saved."))  # fmt: skip


@bp.route("/<int:claim_id>/referral-outcome", methods=["POST"])
@allow(*CLAIM_DECIDERS)
def referral_outcome(claim_id: int) -> Response | tuple[str, int]:
    claim = claim_or_404(claim_id)
    form = ReferralOutcomeForm()
    return _case_step(claim, lambda: cases.record_referral_outcome(
        get_session(), claim=claim, outcome=form.outcome.data or "", note=form.note.data or "",
        actor=allowed_user(),
    ), _("The referral's outcome is recorded."))  # fmt: skip


@bp.route("/<int:claim_id>/reopen", methods=["POST"])
@allow(*CLAIM_DECIDERS)
def reopen(claim_id: int) -> Response | tuple[str, int]:
    claim = claim_or_404(claim_id)
    form = ReopenForm()
    try:
        again = followups.reopen_claim(
            get_session(), claim=claim, actor=allowed_user(), reason=form.reason.data or "",
            today=utcnow().date(),
        )  # fmt: skip
    except services.ClaimRefused as error:
        get_session().rollback()
        flash(str(error), "error")
        return detail_page(claim_or_404(claim_id)), 400
    return decided(again, _("Reopened as %(claim)s.", claim=again.reference))


@bp.route("/<int:claim_id>/link", methods=["POST"])
@allow(*CLAIM_DECIDERS)
def link(claim_id: int) -> Response | tuple[str, int]:
    claim = claim_or_404(claim_id)
    form = LinkForm()
    return _case_step(claim, lambda: persons.link_worker(
        get_session(), claim=claim, worker_id=form.worker_id.data or "", actor=allowed_user()
    ), _("The claim is linked to the worker."))  # fmt: skip


@bp.route("/<int:claim_id>/same-person", methods=["POST"])
@allow(*CLAIM_DECIDERS)
def same_person(claim_id: int) -> Response | tuple[str, int]:
    claim = claim_or_404(claim_id)
    form = SamePersonForm()
    return _case_step(claim, lambda: persons.confirm_same_person(
        get_session(), national_id=claim.national_id, same_as=form.other_id.data or "",
        actor=allowed_user(), evidence=form.evidence.data or "",
    ), _("Both national IDs are recorded as one person."))  # fmt: skip


@bp.route("/<int:claim_id>/filing-window", methods=["POST"])
@allow(*CLAIM_DECIDERS)
def filing_window(claim_id: int) -> Response | tuple[str, int]:
    claim = claim_or_404(claim_id)
    form = FilingWindowForm()
    if not form.validate_on_submit():
        errors = " ".join(e for found in form.errors.values() for e in found)
        flash(errors, "error")
        return detail_page(claim), 400
    days = int(form.days.data or 0)
    return _case_step(claim, lambda: cases.set_filing_window(
        get_session(), event=claim.event, days=days, actor=allowed_user()
    ), _("The event's filing window is %(days)s days.", days=days))  # fmt: skip
