"""The task queue: Huey, on a broker chosen by ``JOBS_QUEUE``.

``make run`` needs no extra server: the default broker is a SQLite file in the instance folder
(``SqliteHuey``). Production names its own: ``redis://127.0.0.1:6379/0`` (``RedisHuey``) or the
app's PostgreSQL (``postgresql://…``, ``PostgresHuey``: tables ``huey_*`` beside the fund's).
``immediate`` runs each job inside the call that starts it (tests that need no consumer).

The queue carries a job's id only; what to do, and whether it is still to be done, is in the
``jobs`` table. Huey forgets a message once a consumer has taken it, so a consumer killed
mid-job would lose it: every consumer therefore re-sends the unfinished jobs when it starts,
and a job whose consumer may still be alive is looked at again after its lease.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Flask, current_app
from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from huey import Huey

#: How many times Huey runs a job again after it raised (a lost connection, a full disk).
RETRIES = 2
RETRY_DELAY_SECONDS = 10


def make_huey(queue: str) -> Huey:
    """A Huey instance on the broker ``queue`` names (see the module's docstring)."""
    # Huey (and redis) load when a queue is first used, not with every command and page.
    from huey import MemoryHuey, PostgresHuey, RedisHuey, SqliteHuey

    if queue == "immediate":
        return MemoryHuey("fund-jobs", immediate=True)
    if queue.startswith("sqlite"):
        path = make_url(queue).database
        if not path:
            raise ValueError("JOBS_QUEUE: a SQLite queue needs a file, sqlite:///path/queue.db")
        return SqliteHuey("fund-jobs", filename=path)
    if queue.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("fund-jobs", url=queue)
    if queue.startswith("postgresql"):
        # psycopg takes the URL without SQLAlchemy's "+driver".
        dsn = make_url(queue).set(drivername="postgresql").render_as_string(hide_password=False)
        return PostgresHuey("fund-jobs", dsn=dsn)
    raise ValueError(
        f"JOBS_QUEUE: {queue!r} is not sqlite:///…, redis://…, postgresql://… or immediate"
    )


def queue_for(app: Flask) -> Huey:
    """The app's queue, made on first use, with the job task bound to this app."""
    huey: Huey | None = app.extensions.get("fund.jobs")
    if huey is None:
        huey = app.extensions["fund.jobs"] = _with_tasks(make_huey(app.config["JOBS_QUEUE"]), app)
    return huey


def _with_tasks(huey: Huey, app: Flask) -> Huey:
    @huey.task(retries=RETRIES, retry_delay=RETRY_DELAY_SECONDS)  # type: ignore[untyped-decorator]
    def run(job_id: int) -> None:
        from huey.exceptions import RetryTask

        from fund.jobs.services import JobBusyElsewhere, run_job

        with app.app_context():
            try:
                run_job(job_id)
            except JobBusyElsewhere as busy:
                # Another consumer holds it; look again once its lease could have run out.
                raise RetryTask(delay=busy.retry_after) from None

    @huey.task()  # type: ignore[untyped-decorator]
    def purge() -> None:
        from fund.jobs.services import purge_expired

        with app.app_context():
            purge_expired()

    huey.periodic_task(_every_ten_minutes(), name="purge_periodic")(lambda: purge.call_local())
    app.extensions["fund.jobs.run"] = run
    app.extensions["fund.jobs.purge"] = purge
    return huey


def _every_ten_minutes() -> Any:
    from huey import crontab

    return crontab(minute="*/10")


def send(job_id: int) -> None:
    """Put job ``job_id`` on the queue (after its row is committed)."""
    queue_for(current_app._get_current_object())  # type: ignore[attr-defined]
    current_app.extensions["fund.jobs.run"](job_id)
