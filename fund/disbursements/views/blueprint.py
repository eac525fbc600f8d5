"""The batches blueprint and what its pages share: who may take each step, the refusals a
step turns into a message, a batch by its id, the settings the steps read.

Rules: the role tuples are the services' own sets (the pages never widen them); a refused step
is rolled back before its message is shown, so nothing of it is kept.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, url_for
from werkzeug.wrappers import Response

from fund.auth.roles import Role
from fund.db import get_session
from fund.disbursements import services
from fund.disbursements.models import DisbursementBatch
from fund.disbursements.reconciliation import ResultFileInvalid
from fund.disbursements.step_dates import StepDateRefused
from ledger import InsufficientFunds, LedgerError

bp = Blueprint("disbursements", __name__, url_prefix="/batches")
PER_PAGE = 200
PREPARERS = tuple(services.PREPARERS)
APPROVERS = tuple(services.APPROVERS)
PAYERS = tuple(services.PAYERS)
CLOSERS = tuple(services.PREPARERS | services.APPROVERS)
FILE_READERS = (*PAYERS, Role.AUDITOR)
REFUSALS = (
    services.BatchRefused,
    InsufficientFunds,
    LedgerError,
    ResultFileInvalid,
    StepDateRefused,
)


def batch_or_404(batch_id: int) -> DisbursementBatch:
    """The batch with this id, or a 404."""
    return get_session().get(DisbursementBatch, batch_id) or abort(404)


def refused(error: Exception) -> None:
    """Roll the refused step back (nothing of it is kept) and say why."""
    get_session().rollback()
    flash(str(error), "error")


def back(batch: DisbursementBatch) -> Response:
    """Back to the batch's page."""
    return redirect(url_for("disbursements.detail", batch_id=batch.id))


def unclaimed_days() -> int:
    """Days after which a payment counts as unclaimed (config ``UNCLAIMED_AFTER_DAYS``)."""
    return int(current_app.config.get("UNCLAIMED_AFTER_DAYS", services.DEFAULT_UNCLAIMED_DAYS))


def fees() -> dict[str, int]:
    """Provider fees by payment method (config ``DISBURSEMENT_FEES``)."""
    return dict(current_app.config.get("DISBURSEMENT_FEES", services.DEFAULT_FEES))
