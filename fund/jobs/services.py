"""Starting, running, cancelling and cleaning up background jobs (the rules live here once)."""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import time
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import CursorResult, event, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from fund.auth.models import User
from fund.db import make_engine, session_factory, utcnow
from fund.jobs.kinds import KINDS, JobRefused
from fund.jobs.models import FINISHED, Job
from fund.jobs.queue import RETRIES, send

log = logging.getLogger(__name__)

#: How often a running job writes its progress (and so its heartbeat) at most.
PROGRESS_EVERY_SECONDS = 0.5


class JobBusyElsewhere(Exception):
    """Another consumer holds the job and its lease has not run out."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"held by another consumer; look again in {retry_after} s")
        self.retry_after = retry_after


class JobStopped(Exception):
    """The job was cancelled (or taken over) while it ran: stop writing."""


def job_files() -> Path:
    """The folder of result files (outside the web root; served by the download view only)."""
    folder = Path(current_app.config["JOB_FILES"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def result_path(job: Job) -> Path:
    """Where the job's finished file is."""
    return job_files() / job.result_file


def _part(path: Path) -> Path:
    return path.with_name(path.name + ".part")


def start_job(
    session: Session,
    *,
    owner: User,
    kind: str,
    params: Mapping[str, Any],
    title: str,
    result_name: str,
    total: int,
) -> Job:
    """Record a job for ``owner`` and queue it once the record is committed.

    The same unfinished (or finished, still kept) job for the same owner and parameters is
    returned instead of a second one, so a reload or a double click does the work once.
    """
    now = utcnow()
    existing = session.scalars(
        select(Job)
        .where(
            Job.owner_id == owner.id, Job.kind == kind, Job.state.in_(("queued", "running", "done"))
        )
        .where(or_(Job.expires_at.is_(None), Job.expires_at > now))
        .order_by(Job.id.desc())
    ).all()
    for job in existing:
        if job.params == dict(params):
            return job
    job = Job(
        owner_id=owner.id,
        kind=kind,
        params=dict(params),
        title=title,
        result_name=result_name,
        # a storing kind (entitlements) makes no file
        result_file=secrets.token_hex(16) + KINDS[kind].suffix if KINDS[kind].write else "",
        mimetype=KINDS[kind].mimetype,
        progress_total=total,
        created_at=now,
    )
    session.add(job)
    session.flush()
    job_id = job.id
    # A consumer must not look for the row before it is committed: send it after the commit.
    event.listen(session, "after_commit", lambda _session: send(job_id), once=True)
    return job


def owned_job(session: Session, *, job_id: int, user: User) -> Job | None:
    """Job ``job_id`` if ``user`` asked for it; nobody else learns that it exists."""
    job = session.get(Job, job_id)
    return job if job is not None and job.owner_id == user.id else None


def cancel_job(session: Session, *, job: Job) -> bool:
    """Stop an unfinished job (its partial file is removed by the consumer); False if finished."""
    if job.finished:
        return False
    job.state, job.finished_at = "cancelled", utcnow()
    session.flush()
    return True


def downloadable(job: Job, *, now: datetime | None = None) -> bool:
    """Whether the job's file is there to download (finished and not yet expired)."""
    now = now or utcnow()
    expires = job.expires_at
    if expires is not None and expires.tzinfo is None:  # SQLite hands back naive UTC
        expires = expires.replace(tzinfo=now.tzinfo)
    kept = job.result_file != ""  # purge_expired empties it when the file goes
    return job.state == "done" and kept and (expires is None or expires > now)


def _changed(session: Session, statement: Any) -> int:
    """Run an UPDATE and say how many rows it changed."""
    result: CursorResult[Any] = session.execute(statement)  # type: ignore[assignment]
    return result.rowcount


def _reader() -> sessionmaker[Session]:
    """Sessions for the job's reading: on SQLite, not the served app's write-lock-first ones.

    A journal read for a minute must not hold SQLite's write lock for that minute.
    """
    app = current_app
    factory: sessionmaker[Session] | None = app.extensions.get("fund.jobs.reader")
    if factory is None:
        bind = app.config.get("DB_BIND") or make_engine(app.config["DATABASE_URL"])
        factory = app.extensions["fund.jobs.reader"] = sessionmaker(bind=bind)
    return factory


def _lease() -> int:
    return int(current_app.config["JOB_LEASE_SECONDS"])


def _claim(job_id: int) -> Job | None:
    """Take the job for this consumer (one UPDATE, so two consumers never both win)."""
    now = utcnow()
    stale = now - timedelta(seconds=_lease())
    with session_factory()() as session:
        claimed = _changed(
            session,
            update(Job)
            .where(Job.id == job_id)
            .where(
                or_(
                    Job.state == "queued",
                    (Job.state == "running")
                    & (or_(Job.heartbeat_at.is_(None), Job.heartbeat_at < stale)),
                )
            )
            .values(state="running", attempts=Job.attempts + 1, heartbeat_at=now, error="")
            .execution_options(synchronize_session=False),
        )
        session.commit()
        job = session.get(Job, job_id)
        if job is None:
            return None  # the request that made it rolled back
        if claimed:
            return job
        if job.state == "running":
            raise JobBusyElsewhere(_lease())
        return None  # finished or cancelled: nothing to do


class _Reporter:
    """The job's progress callback: writes progress and heartbeat, notices a cancellation."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.last = 0.0

    def __call__(self, done: int) -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_EVERY_SECONDS:
            return
        self.last = now
        with session_factory()() as session:
            moved = _changed(
                session,
                update(Job)
                .where(Job.id == self.job_id, Job.state == "running")
                .values(progress_done=done, heartbeat_at=utcnow())
                .execution_options(synchronize_session=False),
            )
            session.commit()
        if not moved:
            raise JobStopped(f"job {self.job_id} was cancelled")


def run_job(job_id: int) -> None:
    """Run job ``job_id`` once: write ``.part``, rename it, mark the job done (the consumer)."""
    job = _claim(job_id)
    if job is None:
        return
    if KINDS[job.kind].store is not None:
        _run_storing_job(job)
        return
    kind = KINDS[job.kind]
    assert kind.write is not None  # a kind either writes a file or stores
    final = job_files() / job.result_file
    part = _part(final)
    report = _Reporter(job_id)
    try:
        report(0)
        with _reader()() as reading:
            kind.write(reading, job.params, part, report)
        with open(part, "rb+") as written:
            os.fsync(written.fileno())
        os.replace(part, final)
    except JobStopped:
        part.unlink(missing_ok=True)
        return
    except Exception as error:
        part.unlink(missing_ok=True)
        _failed(job_id, error, last=job.attempts > RETRIES)
        raise
    with session_factory()() as session:
        done = _mark_done(session, job_id, job.params)
        session.commit()
    if not done:  # cancelled after the last row: its file goes too
        final.unlink(missing_ok=True)


def _mark_done(session: Session, job_id: int, params: Mapping[str, Any]) -> bool:
    """Mark a running job done, with its kept time; False if it was cancelled meanwhile."""
    now = utcnow()
    keep = timedelta(hours=int(current_app.config["JOB_KEEP_HOURS"]))
    return bool(
        _changed(
            session,
            update(Job)
            .where(Job.id == job_id, Job.state == "running")
            .values(
                state="done",
                params=dict(params),
                progress_done=Job.progress_total,
                finished_at=now,
                expires_at=now + keep,
                heartbeat_at=now,
            )
            .execution_options(synchronize_session=False),
        )
    )


def _run_storing_job(job: Job) -> None:
    """Read and work with progress, then store and mark the job done in one transaction.

    Killed before that commit, the job has stored nothing and is run again from nothing; a
    job cancelled meanwhile rolls its writing back. What it made is added to its parameters
    (so asking again with the same choices starts new work rather than finding this job).
    """
    kind = KINDS[job.kind]
    assert kind.store is not None
    report = _Reporter(job.id)
    try:
        report(0)
        with _reader()() as reading:
            store = kind.store(reading, job.params, report)
        with session_factory()() as session:
            # SQLite has one writer, and this transaction is it: the progress (another
            # connection) would wait for it, so storing shows no progress there; PostgreSQL does.
            writing_progress = report if session.get_bind().dialect.name != "sqlite" else _silent
            made = store(session, job.owner_id, writing_progress)
            if _mark_done(session, job.id, {**job.params, **made}):
                session.commit()
            else:
                session.rollback()  # cancelled while it worked: nothing of it is kept
    except JobStopped:
        return
    except JobRefused as refused:
        _failed(job.id, refused, last=True)
    except Exception as error:
        _failed(job.id, error, last=job.attempts > RETRIES)
        raise


def result_page(session: Session, job: Job) -> str | None:
    """The address of the page showing what a finished storing job made, if any."""
    kind = KINDS.get(job.kind)
    if job.state != "done" or kind is None or kind.result_page is None:
        return None
    return kind.result_page(session, job.params)


def _silent(_done: int) -> None:
    """Progress nobody can be told of yet."""


def _failed(job_id: int, error: Exception, *, last: bool) -> None:
    """Note the error; the job waits for Huey's retry, or fails after the last attempt."""
    if isinstance(error, JobRefused):
        log.info("job %s refused: %s", job_id, error)
    else:
        log.exception("job %s failed", job_id, exc_info=error)
    with session_factory()() as session:
        _changed(
            session,
            update(Job)
            .where(Job.id == job_id, Job.state == "running")
            .values(
                state="failed" if last else "queued",
                error=f"{type(error).__name__}: {error}"[:1000],
                finished_at=utcnow() if last else None,
            )
            .execution_options(synchronize_session=False),
        )
        session.commit()


def resend_unfinished() -> int:
    """Queue every job not finished (a consumer starting after another one died)."""
    with session_factory()() as session:
        ids = list(session.scalars(select(Job.id).where(Job.state.not_in(FINISHED))))
    for job_id in ids:
        send(job_id)
    return len(ids)


def purge_expired(*, now: datetime | None = None) -> int:
    """Delete the files of expired jobs, and ``.part`` files no running job is writing."""
    now = now or utcnow()
    folder = job_files()
    removed = 0
    with session_factory()() as session:
        expired = session.scalars(
            select(Job).where(Job.state == "done", Job.expires_at <= now, Job.result_file != "")
        ).all()
        for job in expired:
            removed += _remove(folder / job.result_file)
            job.result_file = ""
        writing = {
            name + ".part"
            for name in session.scalars(select(Job.result_file).where(Job.state == "running"))
        }
        session.commit()
    for leftover in folder.glob("*.part"):
        if leftover.name not in writing:
            removed += _remove(leftover)
    return removed


def _remove(path: Path) -> int:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
        return 1
    return 0
