"""The controls pages: an overview of every control, finding acknowledgements, verification."""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from fund.auth.access import allow, allowed_user
from fund.auth.roles import CLAIM_DECIDERS, STAFF, Role
from fund.controls import payment_guard, roll_review, verification
from fund.controls.approvals import submitted_with_approvals
from fund.controls.forms import AcknowledgeForm, AnswerForm, DrawForm, ReviewForm
from fund.controls.models import RollFinding, VerificationCall, VerificationDraw
from fund.db import get_session
from fund.disbursements.models import DisbursementBatch
from fund.events.models import Event
from fund.rolls.models import Roll

bp = Blueprint("controls", __name__, url_prefix="/controls")
#: Who may read the call list (workers' phone numbers): the helpline and the auditors.
CALL_LIST_READERS = frozenset({Role.ADMIN, Role.OFFICER, Role.AUDITOR})
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _batch(batch_id: int) -> DisbursementBatch:
    batch = get_session().get(DisbursementBatch, batch_id)
    if batch is None:
        abort(404)
    return batch


@bp.route("/")
@allow(STAFF)
def index() -> str:
    session = get_session()
    open_high = session.scalars(
        select(RollFinding)
        .where(RollFinding.severity == "high", RollFinding.acknowledged_at.is_(None))
        .options(selectinload(RollFinding.roll).selectinload(Roll.factory))
        .order_by(RollFinding.id.desc())
        .limit(50)
    ).all()
    return render_template(
        "controls/index.html",
        findings=roll_review.finding_counts(session),
        open_high=open_high,
        waiting=submitted_with_approvals(session),
        guard=payment_guard.guard_counts(session, recheck=True),
        verifications=verification.summaries(session),
        words=verification.OUTCOME_WORDS,
    )


@bp.route("/findings/<int:finding_id>/acknowledge", methods=["POST"])
@allow(*roll_review.ACKNOWLEDGERS)
def acknowledge(finding_id: int) -> Response:
    session = get_session()
    finding = session.get(RollFinding, finding_id)
    if finding is None:
        abort(404)
    form = AcknowledgeForm(prefix=f"finding{finding.id}")
    if not form.validate_on_submit():
        flash(_("Say what was checked: an acknowledgement needs a note."), "error")
    else:
        try:
            roll_review.acknowledge(
                session, finding=finding, actor=allowed_user(), note=form.note.data or ""
            )
        except roll_review.FindingRefused as error:
            session.rollback()
            flash(str(error), "error")
        else:
            flash(_("Finding %(finding)s acknowledged.", finding=finding.id), "success")
    return redirect(url_for("rolls.detail", roll_id=finding.roll_id) + "#findings")


@bp.route("/rolls/<int:roll_id>/review", methods=["POST"])
@allow(*roll_review.ACKNOWLEDGERS)
def review(roll_id: int) -> Response:
    session = get_session()
    roll = session.get(Roll, roll_id)
    if roll is None:
        abort(404)
    if not ReviewForm().validate_on_submit():
        abort(400)
    found = roll_review.review_roll(session, roll=roll, actor=allowed_user())
    for event in session.scalars(select(Event).where(Event.roll_id == roll.id)):
        found += roll_review.review_roll(session, roll=roll, actor=allowed_user(), event=event)
    flash(_("Roll reviewed: %(count)s new finding(s).", count=len(found)), "success")
    return redirect(url_for("rolls.detail", roll_id=roll.id) + "#findings")


@bp.route("/batches/<int:batch_id>/verification")
@allow(STAFF)
def batch_verification(batch_id: int) -> str:
    session = get_session()
    batch = _batch(batch_id)
    draw = session.scalar(select(VerificationDraw).where(VerificationDraw.batch_id == batch.id))
    return render_template(
        "controls/verification.html",
        batch=batch,
        draw=draw,
        calls=draw.calls if draw is not None else [],
        summary=verification.summary(session, batch.id),
        draw_form=DrawForm(),
        answer_forms={
            call.id: AnswerForm(prefix=f"call{call.id}", outcome=call.outcome or "received_full")
            for call in (draw.calls if draw is not None else [])
        },
        words=verification.OUTCOME_WORDS,
        may_call=allowed_user().role_enum in verification.CALLERS,
        may_list=allowed_user().role_enum in CALL_LIST_READERS,
        may_open_claims=allowed_user().role_enum in CLAIM_DECIDERS,
    )


@bp.route("/batches/<int:batch_id>/verification", methods=["POST"])
@allow(*verification.CALLERS)
def draw(batch_id: int) -> Response:
    session = get_session()
    batch = _batch(batch_id)
    form = DrawForm()
    if not form.validate_on_submit():
        flash(_("The sample size is a whole number from 1 to 10,000."), "error")
    else:
        try:
            drawn = verification.draw_sample(
                session,
                batch=batch,
                actor=allowed_user(),
                size=form.size.data or verification.DEFAULT_SAMPLE_SIZE,
            )
        except verification.VerificationRefused as error:
            session.rollback()
            flash(str(error), "error")
        else:
            flash(_("%(count)s worker(s) to call.", count=drawn.size), "success")
    return redirect(url_for("controls.batch_verification", batch_id=batch.id))


@bp.route("/calls/<int:call_id>", methods=["POST"])
@allow(*verification.CALLERS)
def answer(call_id: int) -> Response:
    session = get_session()
    call = session.get(VerificationCall, call_id)
    if call is None:
        abort(404)
    form = AnswerForm(prefix=f"call{call.id}")
    if not form.validate_on_submit():
        flash(_("Choose one of the answers."), "error")
    else:
        try:
            verification.record_answer(
                session,
                call=call,
                actor=allowed_user(),
                outcome=form.outcome.data or "",
                note=form.note.data or "",
            )
        except verification.VerificationRefused as error:
            session.rollback()
            flash(str(error), "error")
        else:
            flash(_("Answer recorded for call %(call)s.", call=call.position), "success")
    return redirect(url_for("controls.batch_verification", batch_id=call.batch_id))


@bp.route("/batches/<int:batch_id>/call-list.<file_format>")
@allow(*CALL_LIST_READERS)
def call_list(batch_id: int, file_format: str) -> Response:
    batch = _batch(batch_id)
    rows = verification.call_list_rows(get_session(), batch)
    if file_format == "csv":
        data, mimetype = verification.call_list_csv(rows), "text/csv"
    elif file_format == "xlsx":
        data, mimetype = verification.call_list_xlsx(rows), XLSX
    else:
        abort(404)
    return send_file(
        BytesIO(data),
        mimetype=mimetype,
        as_attachment=True,
        download_name=f"batch-{batch.id}-call-list.{file_format}",
    )
