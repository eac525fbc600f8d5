"""Storing policies and choosing the version an event uses.

A policy's TOML is stored once: the same text again changes nothing, new text is a new version
(a draft no run has used, in force from the same day, is updated in place). A version used by an
approved batch is frozen and never changes again. An event uses the version an officer chose for
it, with a reason, or else the newest version in force on its start date; the policies shipped
in ``fund/policies`` are installed when first needed.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fund.audit.services import record
from fund.auth.models import User
from fund.entitlements import rules
from fund.entitlements.models import EntitlementRun, PolicyVersion
from fund.entitlements.policy import Policy, parse_policy
from fund.events.models import Event

SHIPPED_POLICIES = Path(__file__).resolve().parent.parent / "policies"


class PolicyNotFound(LookupError):
    """No stored policy of that name."""


def latest_policy(session: Session, name: str) -> PolicyVersion | None:
    """The newest version of the policy called ``name``."""
    return session.scalar(
        select(PolicyVersion)
        .where(PolicyVersion.name == name)
        .order_by(PolicyVersion.version.desc())
        .limit(1)
    )


def register_policy(session: Session, *, text: str, actor: User | None) -> PolicyVersion:
    """Store a policy's TOML; the same text again changes nothing, new text is a new version.

    An unfrozen version no run has used yet, in force from the same day, is a draft and is
    updated in place; a version in force from another day (the law as amended) is a new one.
    """
    policy = parse_policy(text)  # PolicyInvalid names the key
    latest = session.scalar(
        select(PolicyVersion)
        .where(
            PolicyVersion.name == policy.name,
            PolicyVersion.effective_from.is_(None)
            if policy.effective_from is None
            else PolicyVersion.effective_from == policy.effective_from,
        )
        .order_by(PolicyVersion.version.desc())
        .limit(1)
    )
    if latest is not None and latest.sha256 == policy.sha256:
        return latest
    if latest is not None and not latest.frozen and not _used(session, latest):
        before = {"sha256": latest.sha256}
        latest.toml = text
        latest.sha256 = policy.sha256
        latest.effective_to = policy.effective_to
        _audit(
            session,
            actor=actor,
            action="policies.edit_draft",
            version=latest,
            before=before,
            after={"name": latest.name, "version": latest.version, "sha256": latest.sha256},
        )
        return latest
    newest = latest_policy(session, policy.name)
    version = PolicyVersion(
        name=policy.name,
        version=1 if newest is None else newest.version + 1,
        toml=text,
        sha256=policy.sha256,
        effective_from=policy.effective_from,
        effective_to=policy.effective_to,
        created_by=actor,
    )
    session.add(version)
    _audit(
        session,
        actor=actor,
        action="policies.create_version",
        version=version,
        after={
            "name": version.name,
            "version": version.version,
            "sha256": version.sha256,
            "effective_from": _iso(version.effective_from),
            "effective_to": _iso(version.effective_to),
        },
    )
    return version


def _audit(
    session: Session,
    *,
    actor: User | None,
    action: str,
    version: PolicyVersion,
    after: dict[str, Any],
    before: dict[str, Any] | None = None,
) -> None:
    """Write the version's change (so it has its id) and append it to the audit log."""
    session.flush()
    record(
        session,
        actor=actor,
        action=action,
        object_type="policy_version",
        object_id=version.id,
        before=before,
        after=after,
    )


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _used(session: Session, version: PolicyVersion) -> bool:
    used = session.scalar(
        select(func.count(EntitlementRun.id)).where(EntitlementRun.policy_version_id == version.id)
    )
    return bool(used)


def freeze_policy(session: Session, *, version: PolicyVersion, actor: User | None) -> None:
    """Mark a version as used by an approved batch: it can no longer change."""
    if version.frozen:
        return
    version.frozen = True
    _audit(
        session,
        actor=actor,
        action="policies.freeze",
        version=version,
        before={"frozen": False},
        after={"frozen": True},
    )


def install_shipped_policies(session: Session, *, actor: User | None = None) -> list[PolicyVersion]:
    """Store the policies shipped in ``fund/policies`` (idempotent)."""
    return [
        register_policy(session, text=path.read_text(encoding="utf-8"), actor=actor)
        for path in sorted(SHIPPED_POLICIES.glob("*.toml"))
    ]


def policy_names(session: Session) -> list[str]:
    """Stored policy names and the shipped ones: what an event or a computation may name."""
    stored = session.scalars(select(PolicyVersion.name).distinct()).all()
    return sorted(set(stored) | _shipped_names())


def policy_for(session: Session, name: str, *, event: Event | None = None) -> PolicyVersion:
    """The version of ``name`` an event uses, installing the shipped policies if needed.

    With an event: the version an officer chose for it (``choose_policy_version``), else the
    newest version in force on its start date. Without: the newest version.
    """
    if event is not None and event.policy_version_id is not None:
        chosen = session.get(PolicyVersion, event.policy_version_id)
        if chosen is not None and chosen.name == name:
            return chosen
    if latest_policy(session, name) is None and name in _shipped_names():
        install_shipped_policies(session)
    versions = session.scalars(
        select(PolicyVersion)
        .where(PolicyVersion.name == name)
        .order_by(PolicyVersion.version.desc())
    ).all()
    if not versions:
        raise PolicyNotFound(f"no policy called {name!r}")
    if event is None:
        return versions[0]
    for version in versions:
        if version.in_force(event.start_date):
            return version
    raise PolicyNotFound(
        f"no version of policy {name!r} is in force on {event.start_date} (the event's start); "
        "an officer can choose one with a reason"
    )


def _shipped_names() -> set[str]:
    # a shipped file's name is the policy's name inside it (two dated files share one)
    names = {path.stem for path in SHIPPED_POLICIES.glob("*.toml")}
    for path in SHIPPED_POLICIES.glob("*.toml"):
        names.add(parse_policy(path.read_text(encoding="utf-8")).name)
    return names


class PolicyChoiceRefused(rules.EntitlementError):
    """An officer's choice of policy version that cannot be recorded (no reason, wrong name)."""


def choose_policy_version(
    session: Session,
    *,
    event: Event,
    version: PolicyVersion | None,
    reason: str,
    actor: User | None,
) -> None:
    """Pin ``version`` for ``event`` (None: back to the version in force), with a reason."""
    reason = reason.strip()
    if not reason:
        raise PolicyChoiceRefused("say why this version applies instead of the one in force")
    if version is not None and event.policy_name not in (None, version.name):
        raise PolicyChoiceRefused(
            f"the event uses policy {event.policy_name!r}, not {version.name!r}"
        )
    before = {"policy_version_id": event.policy_version_id}
    event.policy_version_id = None if version is None else version.id
    if version is not None and event.policy_name is None:
        event.policy_name = version.name
    session.flush()
    record(
        session,
        actor=actor,
        action="events.choose_policy_version",
        object_type="event",
        object_id=event.id,
        before=before,
        after={
            "policy_version_id": event.policy_version_id,
            "policy": version.label if version is not None else None,
            "reason": reason,
        },
    )


def stored_policy(version: PolicyVersion) -> Policy:
    """The parsed rules of a stored version."""
    return parse_policy(version.toml)
