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
    HELPLINE = "helpline"  # files and reads workers' claims, nothing else


#: Everyone who works for the fund (not a member brand) and may read its records.
STAFF: frozenset[Role] = frozenset(
    {Role.ADMIN, Role.OFFICER, Role.APPROVER, Role.ACCOUNTANT, Role.AUDITOR}
)
#: Staff and member brands: pages a brand sees for itself and staff see for every brand.
STAFF_AND_BRANDS: frozenset[Role] = STAFF | {Role.BRAND}
#: Who reads workers' claims: fund staff and the helpline that takes them.
CLAIM_READERS: frozenset[Role] = STAFF | {Role.HELPLINE}
#: Who files a claim for a worker (the helpline on the phone, officers at the desk).
CLAIM_FILERS: frozenset[Role] = frozenset({Role.ADMIN, Role.OFFICER, Role.HELPLINE})
#: Who decides a claim: accept (roll supplement, recompute, top-up), reject or refer.
CLAIM_DECIDERS: frozenset[Role] = frozenset({Role.ADMIN, Role.OFFICER})
#: Who may open a claim's attachments (ID cards, pay slips): personal data, fewest eyes.
ATTACHMENT_READERS: frozenset[Role] = frozenset(
    {Role.ADMIN, Role.OFFICER, Role.AUDITOR, Role.HELPLINE}
)
#: Everyone with an account.
EVERYONE: frozenset[Role] = frozenset(Role)
#: Who moves money or grants access, and so may hold a second factor and step up (officers
#: must only when the fund says so: FUND_SECOND_FACTOR_FOR_OFFICERS).
MONEY_AND_ACCESS: frozenset[Role] = frozenset(
    {Role.ADMIN, Role.OFFICER, Role.APPROVER, Role.ACCOUNTANT}
)
