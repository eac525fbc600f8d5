"""The worker's own language, which a slip prints first.

The roll carries no language: the fund learns it when the worker (or someone for them) talks to
the helpline, which records it on the call and on the claim (``language``, "bn" or "en"). The
newest record of either, by national ID, is the worker's choice; a worker who never said is
addressed in Bengali first, the language of the factories' workers, with English beside it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from fund.claims.models import Claim, ClaimCall

#: The language of a worker the helpline never asked.
DEFAULT_LANGUAGE = "bn"
#: National IDs asked about per query: well under every database's bound-parameter limit.
_CHUNK = 500


def worker_languages(session: Session, national_ids: Iterable[str]) -> dict[str, str]:
    """``{national_id: "bn" | "en"}`` for the workers who told the helpline their language."""
    wanted = sorted({nid for nid in national_ids if nid})
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
