"""A background job: who asked, what kind, its state and progress, its result file."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from fund.db import Base, utcnow

JOB_STATES = ("queued", "running", "done", "failed", "cancelled")
#: States a job does not leave.
FINISHED = ("done", "failed", "cancelled")


class Job(Base):
    """One piece of long work asked for by one user; only that user sees or downloads it."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(
            f"state IN ({', '.join(repr(state) for state in JOB_STATES)})", name="state_known"
        ),
        CheckConstraint("progress_done >= 0 AND progress_total >= 0", name="progress_counts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    title: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(10), default="queued", index=True)
    progress_done: Mapped[int] = mapped_column(BigInteger, default=0)
    progress_total: Mapped[int] = mapped_column(BigInteger, default=0)
    attempts: Mapped[int] = mapped_column(default=0)
    # The download's name, and the stored file's name inside JOB_FILES (random, never user's).
    result_name: Mapped[str] = mapped_column(String(200), default="")
    result_file: Mapped[str] = mapped_column(String(100), default="")
    mimetype: Mapped[str] = mapped_column(String(100), default="")
    error: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Updated with the progress: a running job whose heartbeat is older than the lease has
    # lost its consumer (killed, restarted) and may be claimed again.
    heartbeat_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]

    @property
    def finished(self) -> bool:
        """Whether the job has reached a state it does not leave."""
        return self.state in FINISHED
