"""Audit events in plain words: what was done, to what, and the facts, money formatted.

The log itself stores codes and JSON (stable, hashed, machine-checkable); people read these
words instead. Amounts are integer minor units in the stored facts (keys ``amount``, ``total``
and ``*_minor``); they are shown with separators and the currency once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fund.audit.models import AuditEvent
from ledger.money import MINOR_DIGITS, format_minor

#: What each recorded action means, as a person would say it.
ACTIONS: dict[str, str] = {
    "api_token.issue": "issued an API token",
    "api_token.revoke": "revoked an API token",
    "batches.approval": "gave one approval to a batch",
    "batches.create": "made a draft batch",
    "batches.fund_float": "topped up the mobile-money float",
    "batches.reconcile": "imported a provider's result file",
    "batches.draft": "made a draft batch",
    "batches.submitted": "submitted a batch for approval",
    "batches.approved": "approved a batch (posted to the books)",
    "batches.paid": "released a batch's money",
    "batches.rejected": "rejected a batch",
    "batches.cancelled": "cancelled a batch",
    "payment_lines.paid": "settled a payment as paid",
    "payment_lines.failed": "settled a payment as failed",
    "payment_lines.reissued": "reissued a payment",
    "payment_lines.unclaimed": "moved a payment to unclaimed",
    "payment_lines.pending": "reissued a payment as a new line",
    "payment_lines.void": "voided a payment line",
    "brands.contribution_recorded": "recorded a brand's contribution",
    "brands.conversion_recorded": "recorded a currency conversion",
    "brands.pledge_recorded": "recorded a brand's pledge",
    "claims.attach": "attached a file to a claim",
    "claims.file": "filed a claim",
    "controls.roll_finding": "found a problem in a roll",
    "controls.roll_finding_acknowledged": "acknowledged a roll finding",
    "controls.verification_answer": "recorded a verification call's answer",
    "controls.verification_claim_opened": "opened a claim from a verification call",
    "controls.verification_draw": "drew workers for verification calls",
    "entitlements.compute": "computed entitlements",
    "events.change_end": "changed a suspension's end date",
    "events.create": "recorded an event",
    "events.resolve_duplicate": "resolved a shared national ID",
    "events.set_roll": "attached a roll to an event",
    "ledger.period_closed": "closed the books of a period",
    "ledger.period_reopened": "reopened a closed period",
    "policies.create_version": "stored a policy version",
    "policies.edit_draft": "edited a draft policy",
    "policies.freeze": "froze a policy version",
    "rolls.import": "imported a payroll roll",
    "rolls.map_column": "mapped a roll column",
    "user.create": "added a user",
    "user.login": "signed in",
    "user.login_failed": "failed to sign in",
    "user.password_change": "changed a password",
    "user.role_change": "changed a user's role",
    "user.passkey_add": "added a passkey",
    "user.passkey_remove": "removed a passkey",
    "user.second_factor": "confirmed with a second factor",
    "user.second_factor_failed": "failed a second-factor check",
}

#: The objects' names in words.
OBJECTS: dict[str, str] = {
    "api_token": "API token",
    "batch": "batch",
    "line": "payment line",
    "claim": "claim",
    "contribution": "contribution",
    "conversion": "conversion",
    "entitlement_run": "computation",
    "event": "event",
    "factory": "factory",
    "journal_entry": "journal entry",
    "ledger_period": "period through",
    "pledge": "pledge",
    "policy_version": "policy version",
    "roll": "roll",
    "roll_finding": "roll finding",
    "user": "user",
    "verification_call": "verification call",
}

_MONEY_KEYS = frozenset({"amount", "total", "amount_minor", "total_minor"})


@dataclass(frozen=True, slots=True)
class Described:
    """An audit event as words: the deed, its object, the facts after (and before) it."""

    what: str
    object: str
    facts: list[str]
    before: list[str]


def action_words(action: str) -> str:
    """``"batches.fund_float"`` → ``"topped up the mobile-money float"`` (unknown: the code)."""
    return ACTIONS.get(action, action.replace("_", " ").replace(".", ": "))


def _key_words(key: str) -> str:
    return key.removesuffix("_minor").replace("_", " ")


def _value_words(key: str, value: Any, currency: str) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    prefix = key.partition("_")[0].upper()
    if key.endswith("_amount") and prefix in MINOR_DIGITS and isinstance(value, int):
        return f"{format_minor(value, prefix)} {prefix}"  # e.g. usd_amount of a conversion
    if key in _MONEY_KEYS or key.endswith("_minor"):
        if isinstance(value, int):
            return f"{format_minor(value, currency)} {currency}"
        if isinstance(value, str) and currency not in value:
            return f"{value} {currency}"  # already formatted by the service that recorded it
    if value is None:
        return "none"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "none"
    if isinstance(value, dict):
        return "; ".join(f"{_key_words(k)} {v}" for k, v in value.items())
    return str(value)


def fact_words(facts: dict[str, Any] | None) -> list[str]:
    """``{"amount": 600000000, "currency": "BDT"}`` → ``["amount 6,000,000.00 BDT"]``."""
    if not facts:
        return []
    currency = facts.get("currency")
    if not isinstance(currency, str) or currency not in MINOR_DIGITS:
        currency = "BDT"
    return [
        f"{_key_words(key)}: {_value_words(key, value, currency)}"
        for key, value in facts.items()
        if key != "currency" or not any(k in _MONEY_KEYS or k.endswith("_minor") for k in facts)
    ]


def describe(event: AuditEvent) -> Described:
    """The event in words for the audit log and the home page."""
    noun = OBJECTS.get(event.object_type, event.object_type.replace("_", " "))
    return Described(
        what=action_words(event.action),
        object=f"{noun} {event.object_id}",
        facts=fact_words(event.after),
        before=fact_words(event.before),
    )
