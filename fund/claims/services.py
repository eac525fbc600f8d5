"""What the claim steps share: deadlines, the refusals, who may act, and the claim's audit shape.

Claims are filed (``filing``), matched to the event's workers (``searching``), given attachments
(``attachments``), decided (``deciding``: accept, reject, refer) and reported (``reporting``).
Services add and flush; the request or the CLI command commits once. This module holds only
what those steps share:
- the deadline the fund gives itself per kind of claim (``DEADLINE_DAYS``);
- the refusals, all ``ClaimRefused`` (or ``ClaimInvalid`` for bad input, naming the field);
- ``check_role``, which refuses anyone whose role may not take the step (``NotAllowed``);
- ``snapshot``, the claim as every audit event records it before and after a change;
- national IDs are shown masked (``masked``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fund.auth.models import User
from fund.auth.roles import Role
from fund.claims.errors import ClaimInvalid as ClaimInvalid
from fund.claims.errors import ClaimRefused as ClaimRefused
from fund.claims.models import (
    Claim,
)
from fund.disbursements import services as batches

#: Days the fund gives itself to decide a claim, by kind (the app config ``CLAIM_DEADLINES``
#: overrides): money that did not arrive is urgent, a missing worker needs the factory's word.
DEADLINE_DAYS: Mapping[str, int] = {
    "not_received": 7,
    "wrong_amount": 14,
    "not_on_roll": 30,
    "other": 30,
}
#: Kinds whose claim would pay the worker again if they were already paid.
PAYING_KINDS = frozenset({"not_on_roll", "not_received"})
KIND_LABELS = {
    "not_on_roll": "not on the roll",
    "wrong_amount": "wrong amount",
    "not_received": "not received",
    "other": "other",
}


class DuplicateClaim(ClaimRefused):
    """The same worker already has an open claim of this kind for the event."""


class AlreadyPaid(ClaimRefused):
    """The worker's payment for the event is recorded as paid: a claim cannot pay it again."""


class ClaimStateError(ClaimRefused):
    """The claim was already decided."""


class AttachmentRefused(ClaimInvalid):
    """A file that is not a JPEG, PNG or PDF, is empty, or is too big."""


class NotAllowed(ClaimRefused):
    """The user's role may not take this step."""


def check_role(actor: User, allowed: frozenset[Role], what: str) -> None:
    if actor.role_enum not in allowed:
        raise NotAllowed(f"{actor.username} ({actor.role}) may not {what}")


def snapshot(claim: Claim) -> dict[str, Any]:
    return {
        "reference": claim.reference,
        "event": claim.event_id,
        "kind": claim.kind,
        "status": claim.status,
        "raised_by": claim.raised_by,
        "worker_name": claim.worker_name,
        "national_id": claim.national_id,
        "phone": claim.phone,
        "due_on": claim.due_on.isoformat(),
    }


def deadline_days(kind: str, overrides: Mapping[str, int] | None = None) -> int:
    """How many days the fund has to decide a claim of ``kind``."""
    return int({**DEADLINE_DAYS, **(overrides or {})}[kind])


def masked(national_id: str) -> str:
    """All but the last four digits hidden (the batch sheets' rule)."""
    return batches.masked(national_id)
