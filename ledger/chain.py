"""The hash chain over posted entries: each hash covers the entry and the previous hash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ledger.models import JournalEntry

GENESIS_HASH = "0" * 64


def _utc(moment: datetime) -> str:
    # SQLite hands back naive datetimes; everything the ledger writes is UTC.
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="microseconds")


def entry_hash(
    *,
    previous_hash: str,
    sequence: int,
    effective_date: date,
    recorded_at: datetime,
    memo: str,
    idempotency_key: str,
    reference: str | None,
    rate: str | None,
    reverses_id: int | None,
    postings: Iterable[tuple[str, str, str, int]],
) -> str:
    """sha256 of the entry's canonical content; postings as (code, dimensions, currency, amount)."""
    content = {
        "previous": previous_hash,
        "sequence": sequence,
        "effective_date": effective_date.isoformat(),
        "recorded_at": _utc(recorded_at),
        "memo": memo,
        "key": idempotency_key,
        "reference": reference,
        "rate": rate,
        "reverses": reverses_id,
        "postings": sorted(postings),
    }
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def stored_entry_hash(entry: JournalEntry, postings: Iterable[tuple[str, str, str, int]]) -> str:
    """``entry_hash`` of a stored entry's fields: what ``post`` writes, ``verify`` recomputes."""
    return entry_hash(
        previous_hash=entry.previous_hash or "",
        sequence=entry.sequence or 0,
        effective_date=entry.effective_date,
        recorded_at=entry.recorded_at,
        memo=entry.memo,
        idempotency_key=entry.idempotency_key,
        reference=entry.reference,
        rate=entry.rate,
        reverses_id=entry.reverses_id,
        postings=postings,
    )


def request_hash(
    *,
    effective_date: date,
    memo: str,
    reference: str | None,
    rate: str | None,
    postings: Iterable[tuple[str, str, str, int]],
) -> str:
    """sha256 of what was asked: a retry with the same key must ask exactly this again."""
    content = [effective_date.isoformat(), memo, reference, rate, sorted(postings)]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()
