"""The worker's own language, which a slip prints first: decided here, and only here.

What the worker (or someone for them) last told the helpline comes first: it records the
language on the call and on the claim (``language``, "bn" or "en"), and the newest record of
either, by national ID, is the worker's choice. A worker who never said has the language the
factory's roll gives them (its optional ``language`` column); with neither, the worker is
addressed in Bengali first, the language of the factories' workers, with English beside it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from fund.claims.models import Claim, ClaimCall
from fund.entitlements.models import EntitlementRun
from fund.rolls.models import RollWorker

#: The language of a worker the helpline never asked.
DEFAULT_LANGUAGE = "bn"
#: National IDs asked about per query: well under every database's bound-parameter limit.
_CHUNK = 500


def worker_languages(
    session: Session, national_ids: Iterable[str], *, run_ids: Iterable[int] = ()
) -> dict[str, str]:
    """``{national_id: "bn" | "en"}`` for every worker asked about: the language last given to
    the helpline, else the one the roll of the entitlement runs ``run_ids`` gives, else Bengali."""
    asked = set(national_ids)
    wanted = sorted(nid for nid in asked if nid)
    rolls = select(EntitlementRun.roll_id).where(EntitlementRun.id.in_(sorted(set(run_ids))))
    on_roll: dict[str, str] = {}
    for start in range(0, len(wanted), _CHUNK):
        given = (
            select(RollWorker.national_id, RollWorker.language)
            .where(
                RollWorker.roll_id.in_(rolls),
                RollWorker.national_id.in_(wanted[start : start + _CHUNK]),
                RollWorker.language.is_not(None),
            )
            .order_by(RollWorker.roll_id)  # a worker on two of the rolls: the newer one's
        )
        on_roll.update((nid, language) for nid, language in session.execute(given) if language)
    told = _told_the_helpline(session, wanted)
    return {nid: told.get(nid) or on_roll.get(nid) or DEFAULT_LANGUAGE for nid in asked}


def _told_the_helpline(session: Session, wanted: list[str]) -> dict[str, str]:
    """``{national_id: language}`` of the newest call or claim of each worker who made one."""
    newest: dict[str, tuple[datetime, str]] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        claims = select(Claim.national_id, Claim.filed_at, Claim.language).where(
            Claim.national_id.in_(chunk)
        )
        calls = select(ClaimCall.national_id, ClaimCall.taken_at, ClaimCall.language).where(
            ClaimCall.national_id.in_(chunk)
        )
        said = [*session.execute(claims), *session.execute(calls)]
        for national_id, when, language in said:
            if national_id not in newest or when > newest[national_id][0]:
                newest[national_id] = (when, language)
    return {national_id: language for national_id, (_, language) in newest.items()}
