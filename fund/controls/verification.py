"""Verification after payout: the helpline calls a sample of each batch's paid workers.

The sample cannot be steered from inside: its seed is 128 bits from ``secrets`` (the operating
system's cryptographic source), drawn at the moment of the draw and recorded with it, so an
auditor can re-run it and get the same workers but nobody can know it beforehand; the draw is
made by someone other than the batch's preparer and submitter; and the sample is never smaller
than ``sample_floor`` (5 workers plus one per 50 paid lines, or every line of a small batch),
whatever size is asked. It is stratified by payment method (mobile,
bank, cash in proportion, each method with at least one worker when the size allows), drawn
once per batch. Each answer is recorded (received in full, partly, not received, unreachable)
and written to the audit log; "not received" waits for the claims desk
(``not_received_answers``, follow-up ``awaiting_claim`` until ``claim_opened``).
"""

from __future__ import annotations

import csv
import io
import math
import random
import secrets
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fund.audit.services import record
from fund.auth.models import User
from fund.auth.roles import Role
from fund.controls.models import OUTCOMES, VerificationCall, VerificationDraw
from fund.db import utcnow
from fund.disbursements.models import DisbursementBatch, PaymentLine
from imports.writing import neutralise
from ledger.money import format_minor

DEFAULT_SAMPLE_SIZE = 20
#: The smallest sample: this many workers, plus one for every ``SAMPLE_FLOOR_PER`` paid lines.
SAMPLE_FLOOR_BASE = 5
SAMPLE_FLOOR_PER = 50
#: Who draws samples and records what the workers said (the helpline sits with the officers).
CALLERS = frozenset({Role.ADMIN, Role.OFFICER})
OUTCOME_WORDS = {
    "received_full": "received in full",
    "received_partial": "received in part",
    "not_received": "not received",
    "unreachable": "unreachable",
}


class VerificationRefused(Exception):
    """A draw or an answer the rules do not allow; the message says why."""


def allocate(strata: dict[str, int], size: int) -> dict[str, int]:
    """How many to draw from each stratum: proportional, largest remainders, each ≥ 1 if room."""
    total = sum(strata.values())
    size = min(size, total)
    if size <= 0:
        return dict.fromkeys(strata, 0)
    names = sorted(name for name, count in strata.items() if count > 0)
    shares = dict.fromkeys(strata, 0)
    if size >= len(names):
        for name in names:
            shares[name] = 1
    left = size - sum(shares.values())
    exact = {name: (strata[name] * left) / total for name in names}
    for name in names:
        extra = min(int(exact[name]), strata[name] - shares[name])
        shares[name] += extra
    left = size - sum(shares.values())
    by_remainder = sorted(names, key=lambda n: (-(exact[n] - int(exact[n])), n))
    while left > 0:
        for name in by_remainder:
            if left and shares[name] < strata[name]:
                shares[name] += 1
                left -= 1
    return shares


def sample_floor(paid_lines: int) -> int:
    """The fewest workers called for a batch of ``paid_lines``: 5 + 1 per 50, at most all."""
    return min(paid_lines, SAMPLE_FLOOR_BASE + math.ceil(paid_lines / SAMPLE_FLOOR_PER))


def draw_lines(lines: Sequence[tuple[int, str]], *, size: int, seed: int | str) -> list[int]:
    """Line ids sampled from (line id, method) pairs, stratified by method, seeded."""
    by_method: dict[str, list[int]] = defaultdict(list)
    for line_id, method in sorted(lines):
        by_method[method].append(line_id)
    shares = allocate({m: len(ids) for m, ids in by_method.items()}, size)
    rng = random.Random(f"verification:{seed}")
    chosen: list[int] = []
    for method in sorted(by_method):
        chosen.extend(sorted(rng.sample(by_method[method], shares[method])))
    return chosen


def draw_sample(
    session: Session, *, batch: DisbursementBatch, actor: User, size: int = DEFAULT_SAMPLE_SIZE
) -> VerificationDraw:
    """The batch's sample of paid workers to call (drawn once; asking again returns it)."""
    if actor.role_enum not in CALLERS:
        raise VerificationRefused(f"{actor.username} ({actor.role}) may not draw samples")
    existing = session.scalar(select(VerificationDraw).where(VerificationDraw.batch_id == batch.id))
    if existing is not None:
        return existing
    if batch.state != "paid":
        raise VerificationRefused(
            f"batch {batch.id} is {batch.state}: only paid batches are verified"
        )
    if actor.id in (batch.created_by_id, batch.submitted_by_id):
        raise VerificationRefused(
            f"{actor.username} prepared or submitted batch {batch.id}: someone else draws its "
            "verification sample"
        )
    if size < 1:
        raise VerificationRefused("the sample needs at least one worker")
    lines = (
        session.execute(
            select(PaymentLine.id, PaymentLine.method).where(
                PaymentLine.batch_id == batch.id, PaymentLine.state == "paid"
            )
        )
        .tuples()
        .all()
    )
    if not lines:
        raise VerificationRefused(f"batch {batch.id} has no line confirmed paid yet")
    seed = secrets.token_hex(16)
    chosen = draw_lines(lines, size=max(size, sample_floor(len(lines))), seed=seed)
    methods = dict(lines)
    draw = VerificationDraw(
        batch_id=batch.id,
        size=len(chosen),
        paid_lines=len(lines),
        drawn_by_id=actor.id,
        seed=seed,
    )
    session.add(draw)
    session.flush()
    for position, line_id in enumerate(chosen, start=1):
        session.add(
            VerificationCall(
                draw_id=draw.id, batch_id=batch.id, line_id=line_id, position=position,
                method=methods[line_id],
            )
        )  # fmt: skip
    session.flush()
    record(
        session,
        actor=actor,
        action="controls.verification_draw",
        object_type="batch",
        object_id=batch.id,
        after={
            "sample": len(chosen),
            "paid_lines": len(lines),
            "by_method": dict(Counter(methods[i] for i in chosen)),
            "seed": seed,
            "asked": size,
        },
    )
    return draw


def record_answer(
    session: Session, *, call: VerificationCall, actor: User, outcome: str, note: str = ""
) -> VerificationCall:
    """What the worker said on the phone; "not received" then waits for the claims desk."""
    if actor.role_enum not in CALLERS:
        raise VerificationRefused(f"{actor.username} ({actor.role}) may not record answers")
    if outcome not in OUTCOMES:
        raise VerificationRefused(f"the answer is one of {', '.join(OUTCOMES)}, not {outcome!r}")
    if call.follow_up == "claim_opened":
        raise VerificationRefused(
            f"call {call.id}: a claim ({call.claim_reference}) is already open on this answer"
        )
    before = {"outcome": call.outcome, "note": call.note} if call.outcome else None
    call.outcome = outcome
    call.note = note.strip()[:500]
    call.follow_up = "awaiting_claim" if outcome == "not_received" else None
    call.answered_by_id = actor.id
    call.answered_at = utcnow()
    session.flush()
    record(
        session,
        actor=actor,
        action="controls.verification_answer",
        object_type="verification_call",
        object_id=call.id,
        before=before,
        after={
            "batch": call.batch_id,
            "line": call.line_id,
            "outcome": outcome,
            "note": call.note,
            "follow_up": call.follow_up,
        },
    )
    return call


def not_received_answers(session: Session, batch: DisbursementBatch) -> list[VerificationCall]:
    """The claims desk's hook: answers "not received" of the batch that no claim covers yet."""
    return list(
        session.scalars(
            select(VerificationCall)
            .where(
                VerificationCall.batch_id == batch.id,
                VerificationCall.outcome == "not_received",
                VerificationCall.follow_up == "awaiting_claim",
            )
            .order_by(VerificationCall.position)
        )
    )


def claim_opened(
    session: Session, *, call: VerificationCall, reference: str, actor: User | None
) -> VerificationCall:
    """The claims desk opened a claim for a "not received" answer (its reference kept here)."""
    if call.follow_up != "awaiting_claim":
        raise VerificationRefused(f"call {call.id} is not waiting for a claim")
    call.follow_up = "claim_opened"
    call.claim_reference = reference[:50]
    session.flush()
    record(
        session,
        actor=actor,
        action="controls.verification_claim_opened",
        object_type="verification_call",
        object_id=call.id,
        after={"claim": call.claim_reference},
    )
    return call


@dataclass(frozen=True, slots=True)
class VerificationSummary:
    """How far the helpline got with a batch, and what they heard."""

    batch_id: int
    sampled: int
    answered: int
    outcomes: dict[str, int]

    @property
    def rate(self) -> float | None:
        """Share of the sample answered (0–1), None before a draw (a ratio, never money)."""
        return self.answered / self.sampled if self.sampled else None


def summary(session: Session, batch_id: int) -> VerificationSummary:
    """Sampled, answered and the count of each outcome for one batch."""
    found = summaries(session, batch_id=batch_id)
    return found[0] if found else VerificationSummary(batch_id, 0, 0, dict.fromkeys(OUTCOMES, 0))


def summaries(session: Session, *, batch_id: int | None = None) -> list[VerificationSummary]:
    """One summary per batch with a draw (or the one asked for), newest batch first."""
    query = select(
        VerificationCall.batch_id, VerificationCall.outcome, func.count(VerificationCall.id)
    ).group_by(VerificationCall.batch_id, VerificationCall.outcome)
    if batch_id is not None:
        query = query.where(VerificationCall.batch_id == batch_id)
    counts: dict[int, Counter[str | None]] = {}
    for batch, outcome, count in session.execute(query):
        counts.setdefault(batch, Counter())[outcome] = count
    return [
        VerificationSummary(
            batch_id=batch,
            sampled=sum(counted.values()),
            answered=sum(n for outcome, n in counted.items() if outcome is not None),
            outcomes={o: counted.get(o, 0) for o in OUTCOMES},
        )
        for batch, counted in sorted(counts.items(), reverse=True)
    ]


# --- the call list -------------------------------------------------------------------------

CALL_LIST_HEADER = (
    "Position", "Receipt", "Worker ID", "Name", "Method", "Phone or account", "Amount",
    "Answer", "Note",
)  # fmt: skip


def call_list_rows(session: Session, batch: DisbursementBatch) -> list[tuple[str, ...]]:
    """One row per sampled worker: who to call, on which number, and the amount paid."""
    rows = session.execute(
        select(VerificationCall, PaymentLine)
        .join(PaymentLine, PaymentLine.id == VerificationCall.line_id)
        .where(VerificationCall.batch_id == batch.id)
        .order_by(VerificationCall.position)
    ).all()
    return [
        (
            str(call.position), line.receipt_number, line.worker_id, line.name, line.method,
            (line.wallet_number if line.method == "mobile" else line.bank_account) or "",
            format_minor(line.amount_minor, batch.currency),
            OUTCOME_WORDS.get(call.outcome or "", ""), call.note,
        )
        for call, line in rows
    ]  # fmt: skip


def call_list_csv(rows: Sequence[tuple[str, ...]]) -> bytes:
    """The call list as UTF-8 CSV (with BOM for Excel), formula-looking cells neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CALL_LIST_HEADER)
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def call_list_xlsx(rows: Sequence[tuple[str, ...]]) -> bytes:
    """The call list as an XLSX sheet, every cell text (phone numbers keep their 0)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Call list")
    sheet.append(list(CALL_LIST_HEADER))
    for row in rows:
        sheet.append([neutralise(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
