"""A worker's claim against an event's roll or payout, and the files that back it.

A ``Claim`` keeps the worker's details exactly as they were given (they may differ from the
roll: that is often the point of the claim), who raised it, and how it ended. Accepting a
``not_on_roll`` or ``wrong_amount`` claim leaves a trace on the claim: the supplementary roll
version it made, the computation that followed and the top-up batch that pays it.
``ClaimAttachment`` rows point at files kept outside the web root under a random name.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fund.auth.models import User
from fund.db import Base, utcnow
from fund.events.models import Event
from fund.factories.models import Factory

CLAIM_KINDS = ("not_on_roll", "wrong_amount", "not_received", "other")
#: How a referral came back from the review panel or complaints body it went to.
REFERRAL_OUTCOMES = ("upheld", "not_upheld", "withdrawn")
LANGUAGES = ("bn", "en")
CLAIM_STATUSES = ("open", "accepted", "rejected", "referred")
RAISED_BY = ("worker", "union", "helpline")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


class Claim(Base):
    """One worker's claim about one event: who raised it, what they said, how it ended."""

    __tablename__ = "claims"
    __table_args__ = (
        CheckConstraint(_one_of("kind", CLAIM_KINDS), name="kind_known"),
        CheckConstraint(_one_of("status", CLAIM_STATUSES), name="status_known"),
        CheckConstraint(_one_of("raised_by", RAISED_BY), name="raised_by_known"),
        CheckConstraint("(status = 'open') = (decided_at IS NULL)", name="decided_unless_open"),
        CheckConstraint(_one_of("language", LANGUAGES), name="language_known"),
        CheckConstraint(
            "referral_outcome = '' OR " + _one_of("referral_outcome", REFERRAL_OUTCOMES),
            name="referral_outcome_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    factory_id: Mapped[int] = mapped_column(ForeignKey("factories.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)
    raised_by: Mapped[str] = mapped_column(String(10))  # worker, union, helpline
    raised_by_name: Mapped[str] = mapped_column(String(200), default="")  # union, operator
    # The worker as they described themselves, not as the roll has them.
    worker_name: Mapped[str] = mapped_column(String(200))
    national_id: Mapped[str] = mapped_column(String(30), index=True)
    phone: Mapped[str] = mapped_column(String(20), default="")
    section: Mapped[str] = mapped_column(String(100), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    filed_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_on: Mapped[date]  # filed date + the kind's deadline
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(Text, default="")  # the reason, in plain words
    referred_to: Mapped[str] = mapped_column(String(200), default="")
    # What accepting did: the roll worker it is about, the roll version it made, the
    # computation and the top-up batch that pays the difference.
    worker_id: Mapped[str | None] = mapped_column(String(50))
    roll_id: Mapped[int | None] = mapped_column(ForeignKey("rolls.id"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("entitlement_runs.id"))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("disbursement_batches.id"))
    amount_minor: Mapped[int | None] = mapped_column(BigInteger)  # the top-up for the worker
    # The worker's language for letters and SMS (the helpline asks; English until it does).
    language: Mapped[str] = mapped_column(String(2), default="en")
    # Filed after the event's filing window closed: accepting it needs a stated reason.
    late: Mapped[bool] = mapped_column(default=False)
    # A reopened claim is a new claim pointing at the one it reopens (which keeps its history).
    reopened_from_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id"))
    callback_on: Mapped[date | None]
    callback_owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # A referral is not decided until it comes back: its outcome, when and who recorded it.
    referral_outcome: Mapped[str] = mapped_column(String(12), default="")
    referral_note: Mapped[str] = mapped_column(Text, default="")
    referral_returned_at: Mapped[datetime | None]

    event: Mapped[Event] = relationship()
    factory: Mapped[Factory] = relationship()
    filed_by: Mapped[User] = relationship(foreign_keys=[filed_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    callback_owner: Mapped[User | None] = relationship(foreign_keys=[callback_owner_id])
    attachments: Mapped[list[ClaimAttachment]] = relationship(
        back_populates="claim", order_by="ClaimAttachment.id"
    )

    @property
    def reference(self) -> str:
        """``"CL-000012"``: what the worker quotes on the phone."""
        return f"CL-{self.id:06d}"


class ClaimAttachment(Base):
    """A photo of an ID card or a pay slip; the file lives outside the web root."""

    __tablename__ = "claim_attachments"
    __table_args__ = (
        CheckConstraint(
            "content_type IN ('image/jpeg', 'image/png', 'application/pdf')", name="type_known"
        ),
        CheckConstraint("size > 0", name="not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    original_name: Mapped[str] = mapped_column(String(255))  # shown, never used as a path
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)  # random
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    claim: Mapped[Claim] = relationship(back_populates="attachments")
    uploaded_by: Mapped[User] = relationship()


class PersonNationalId(Base):
    """A national ID an officer confirmed as another form of one person's ID.

    One person may hold a 10-digit smart-card number, a 13- or 17-digit older number and a
    birth registration number; the fund pays the person once. Every ID of one person points
    at the same ``person_key`` (the first ID confirmed); an ID without a row is its own person.
    """

    __tablename__ = "person_national_ids"

    id: Mapped[int] = mapped_column(primary_key=True)
    national_id: Mapped[str] = mapped_column(String(30), unique=True)
    person_key: Mapped[str] = mapped_column(String(30), index=True)
    confirmed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime] = mapped_column(default=utcnow)
    evidence: Mapped[str] = mapped_column(Text)  # what the officer saw (both cards, a letter)


class ClaimCall(Base):
    """One call to the helpline, whether or not it becomes a claim."""

    __tablename__ = "claim_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id"), index=True)
    factory_id: Mapped[int | None] = mapped_column(ForeignKey("factories.id"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    caller_name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(20), default="", index=True)
    national_id: Mapped[str] = mapped_column(String(30), default="")
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(2), default="bn")
    taken_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    taken_at: Mapped[datetime] = mapped_column(default=utcnow)
    callback_on: Mapped[date | None]
    callback_owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    taken_by: Mapped[User] = relationship(foreign_keys=[taken_by_id])
    factory: Mapped[Factory | None] = relationship()
    claim: Mapped[Claim | None] = relationship()


class ClaimNote(Base):
    """A case note: internal to the fund, never printed on a letter or sent by SMS."""

    __tablename__ = "claim_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    written_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    written_at: Mapped[datetime] = mapped_column(default=utcnow)

    written_by: Mapped[User] = relationship()


class FilingWindow(Base):
    """How long after its event ended claims about it are on time (else flagged late)."""

    __tablename__ = "claim_filing_windows"
    __table_args__ = (CheckConstraint("days > 0", name="days_positive"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), primary_key=True)
    days: Mapped[int]
    set_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)
