"""Segregation of duties: which roles one person must not hold together, and when a change
of role between them is refused.

Rules: each user holds exactly one role (one ``users.role`` column with a CHECK), so no user
can be officer and approver, or accountant and approver, at once — the data model refuses it.
What remains is a change of role between duties that conflict: refused while the user still
has open work in the old duty — an officer's batch prepared or submitted and not yet paid or
closed, an approver's approval of a batch not yet paid (``check_role_change``, used wherever
roles are granted: ``fund.auth.services.change_role``, the users page, the CLI). The rule sits
beside the roles so that granting one needs nothing of the controls above; it reads the
batches' and approvals' tables only.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from fund.auth.models import User
from fund.auth.roles import Role
from fund.controls.models import BatchApproval
from fund.disbursements.models import DisbursementBatch

#: Duties one person must not hold together.
CONFLICTING_ROLES: tuple[frozenset[Role], ...] = (
    frozenset({Role.OFFICER, Role.APPROVER}),
    frozenset({Role.ACCOUNTANT, Role.APPROVER}),
)
#: Batches still open: an officer's or approver's work in them is not finished.
_OPEN = ("draft", "submitted", "approved")


class RolesConflict(Exception):
    """A role change that would join duties that must stay apart."""


def conflicting(roles: set[Role]) -> list[frozenset[Role]]:
    """The pairs of conflicting duties among ``roles``."""
    return [pair for pair in CONFLICTING_ROLES if pair <= roles]


def check_role_change(session: Session, *, user: User, new_role: Role) -> None:
    """Refuse moving a user between conflicting duties while work of the old one is open.

    An officer who prepared or submitted a batch still open would, as approver, approve their
    own work; an approver whose approved batch is still unpaid would, as accountant, pay it.
    """
    old = user.role_enum
    if old is new_role or not conflicting({old, new_role}):
        return
    if old is Role.OFFICER:
        open_work = session.scalars(
            select(DisbursementBatch.id).where(
                DisbursementBatch.state.in_(_OPEN),
                or_(
                    DisbursementBatch.created_by_id == user.id,
                    DisbursementBatch.submitted_by_id == user.id,
                ),
            )
        ).all()
        duty = "prepared or submitted"
    elif old is Role.APPROVER:
        open_work = session.scalars(
            select(DisbursementBatch.id)
            .join(BatchApproval, BatchApproval.batch_id == DisbursementBatch.id)
            .where(
                DisbursementBatch.state.in_(("submitted", "approved")),
                BatchApproval.approver_id == user.id,
            )
        ).all()
        duty = "approved"
    else:
        return  # accountant ↔ approver: the books and payouts are not one batch's open work
    if open_work:
        shown = ", ".join(str(i) for i in sorted(open_work)[:10])
        raise RolesConflict(
            f"{user.username} {duty} batch(es) {shown}, still open: as {new_role.value} they "
            f"would check their own work ({old.value} and {new_role.value} are kept apart). "
            "Finish or hand over those batches first."
        )
