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

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from fund.claims.models import Claim, ClaimCall
from fund.entitlements.models import Entitlement, EntitlementRun
from fund.rolls.models import RollWorker

#: The language of a worker the helpline never asked.
DEFAULT_LANGUAGE = "bn"


def worker_languages(
    session: Session, national_ids: Iterable[str], *, run_ids: Iterable[int]
) -> dict[str, str]:
    """``{national_id: "bn" | "en"}`` for every worker asked about, of the entitlement runs
    ``run_ids``: the language last given to the helpline, else their roll's, else Bengali."""
    asked = set(national_ids)
    runs = sorted(set(run_ids))
    # Both read by the runs (no list of IDs sent): the roll's workers who have a language,
    # and the calls and claims of the runs' workers.
    rolls = select(EntitlementRun.roll_id).where(EntitlementRun.id.in_(runs))
    given = (
        select(RollWorker.national_id, RollWorker.language)
        .where(RollWorker.roll_id.in_(rolls), RollWorker.language.is_not(None))
        .order_by(RollWorker.roll_id)  # a worker on two of the rolls: the newer one's
    )
    on_roll = {nid: language for nid, language in session.execute(given) if language}
    workers = select(Entitlement.national_id).where(Entitlement.run_id.in_(runs))
    told = _told_the_helpline(session, workers)
    return {nid: told.get(nid) or on_roll.get(nid) or DEFAULT_LANGUAGE for nid in asked}


def _told_the_helpline(session: Session, workers: Select[tuple[str]]) -> dict[str, str]:
    """``{national_id: language}`` of the newest call or claim of each of ``workers``."""
    newest: dict[str, tuple[datetime, str]] = {}
    claims = select(Claim.national_id, Claim.filed_at, Claim.language).where(
        Claim.national_id.in_(workers)
    )
    calls = select(ClaimCall.national_id, ClaimCall.taken_at, ClaimCall.language).where(
        ClaimCall.national_id.in_(workers)
    )
    for national_id, when, language in [*session.execute(claims), *session.execute(calls)]:
        if national_id not in newest or when > newest[national_id][0]:
            newest[national_id] = (when, language)
    return {national_id: language for national_id, (_, language) in newest.items()}
