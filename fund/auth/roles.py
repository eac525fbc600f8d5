"""The fund's roles and which groups of them a view may name."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a user does for the fund; each user has exactly one role."""

    ADMIN = "admin"  # users, policies
    OFFICER = "officer"  # events, rolls, batches
    APPROVER = "approver"  # second pair of eyes on batches
    ACCOUNTANT = "accountant"  # ledger, exports, period close
    BRAND = "brand"  # its own brand's statements only
    AUDITOR = "auditor"  # reads everything, changes nothing


#: Everyone who works for the fund (not a member brand) and may read its records.
STAFF: frozenset[Role] = frozenset(
    {Role.ADMIN, Role.OFFICER, Role.APPROVER, Role.ACCOUNTANT, Role.AUDITOR}
)
#: Everyone with an account.
EVERYONE: frozenset[Role] = frozenset(Role)
