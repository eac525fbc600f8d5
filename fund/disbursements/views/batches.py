"""The batches of an event (with its latest computation, overpayments and the form to make a
draft) and one batch's page: its lines, counts, result imports and the actions its reader may
take.

Rules: a page offers only the steps its reader's role may take in the batch's state (and never
approving one's own submission); the services enforce the same rules again.
"""

from __future__ import annotations

import re

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from werkzeug.wrappers import Response

from fund.arguments import id_argument
from fund.auth.access import allow, allowed_user
from fund.auth.roles import STAFF
from fund.claims.provenance import claims_in_batch
from fund.controls.approvals import approvers
from fund.db import get_session
from fund.disbursements import approving, making, outputs, payee_changes, paying, services
from fund.disbursements.decision import decision, shown_state, shown_states
from fund.disbursements.forms import (
    CreateBatchForm,
    ExpireForm,
    FloatForm,
    LineForm,
    PayeeDecisionForm,
    ReasonForm,
    ReconcileForm,
    StepForm,
)
from fund.disbursements.models import DisbursementBatch, PaymentLine, ResultImport
from fund.disbursements.views.blueprint import (
    FILE_READERS,
    PER_PAGE,
    PREPARERS,
    REFUSALS,
    back,
    batch_or_404,
    bp,
    refused,
    unclaimed_days,
)
from fund.entitlements.services import latest_run
from fund.events.models import Event
from ledger.money import format_minor


@bp.route("/")
@allow(STAFF)
def index() -> str:
    session = get_session()
    query = select(DisbursementBatch).order_by(DisbursementBatch.id.desc())
    event = None
    event_id = id_argument("event")
    if event_id is not None:
        event = session.get(Event, event_id) or abort(404)
        query = query.where(DisbursementBatch.event_id == event.id)
    batches = session.scalars(query.limit(500)).all()
    return render_template(
        "disbursements/index.html",
        batches=batches,
        shown_states=shown_states(session, list(batches)),
        event=event,
        run=latest_run(session, event) if event else None,
        overpaid=making.overpayments(session, event=event) if event else [],
        form=CreateBatchForm()
        if event and allowed_user().role_enum in services.PREPARERS
        else None,
        float_form=FloatForm() if allowed_user().role_enum in services.PAYERS else None,
        available=approving.available_funds(session),
    )


@bp.route("/event/<int:event_id>", methods=["POST"])
@allow(*PREPARERS)
def create(event_id: int) -> Response:
    session = get_session()
    event = session.get(Event, event_id) or abort(404)
    form = CreateBatchForm()
    if not form.validate_on_submit():
        flash(_("The form expired or was incomplete; try again."), "error")
        return redirect(url_for("disbursements.index", event=event.id))
    workers = [w for w in re.split(r"[\s,;]+", form.workers.data or "") if w]
    try:
        batch = making.create_batch(
            session,
            event=event,
            actor=allowed_user(),
            secret_key=current_app.config["SECRET_KEY"],
            selection=workers or None,
            top_up=bool(form.top_up.data),
        )
    except REFUSALS as error:
        refused(error)
        return redirect(url_for("disbursements.index", event=event.id))
    flash(
        _(
            "Draft batch %(batch)s: %(workers)s workers, %(amount)s %(currency)s.",
            batch=batch.id,
            workers=batch.line_count,
            amount=format_minor(batch.total_minor, batch.currency),
            currency=batch.currency,
        ),
        "success",
    )
    return back(batch)


@bp.route("/<int:batch_id>")
@allow(STAFF)
def detail(batch_id: int) -> str:
    session = get_session()
    batch = batch_or_404(batch_id)
    me = allowed_user()
    query = select(PaymentLine).where(PaymentLine.batch_id == batch.id)
    search = request.args.get("q", "").strip()[:100]
    if search:
        like = f"%{search}%"
        query = query.where(
            or_(
                PaymentLine.worker_id.ilike(like),
                PaymentLine.name.ilike(like),
                PaymentLine.receipt_number.ilike(like),
            )
        )
    shown = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    lines = session.scalars(query.order_by(PaymentLine.id).limit(PER_PAGE)).all()
    role = me.role_enum
    state = batch.state
    may = {
        "submit": state == "draft" and role in services.PREPARERS,
        "approve": state == "submitted"
        and role in services.APPROVERS
        and batch.submitted_by_id != me.id,
        "reject": state == "submitted" and role in services.APPROVERS,
        "cancel": state in ("draft", "submitted", "approved")
        and role in services.PREPARERS | services.APPROVERS,
        "pay": state == "approved" and role in services.PAYERS,
        "settle": state == "paid" and role in services.PAYERS,
    }
    return render_template(
        "disbursements/detail.html",
        batch=batch,
        lines=lines,
        shown=shown,
        search=search,
        counts=outputs.state_counts(session, batch),
        imports=session.scalars(
            select(ResultImport).where(ResultImport.batch_id == batch.id).order_by(ResultImport.id)
        ).all(),
        may=may,
        own_submission=state == "submitted" and batch.submitted_by_id == me.id,
        step_form=StepForm(),
        reason_form=ReasonForm(),
        reconcile_form=ReconcileForm(),
        line_form=LineForm(),
        expire_form=ExpireForm(after_days=unclaimed_days()),
        available=approving.available_funds(session),
        mobile_needed=paying.mobile_needed(session, batch),
        may_download_payment_file=role in FILE_READERS,
        approvals=approvers(session, batch.id),
        decision=decision(session, batch),
        shown_state=shown_state(session, batch),
        from_claims=claims_in_batch(session, batch_id=batch.id),
        payee_changes=payee_changes.open_changes(session, batch_id=batch.id),
        may_decide_payee_changes=role in payee_changes.DECIDERS,
        payee_form=PayeeDecisionForm(),
        me_id=me.id,
    )
