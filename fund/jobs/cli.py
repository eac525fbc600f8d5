"""``fund worker``: the consumer that runs background jobs."""

from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import with_appcontext

from fund.jobs.queue import queue_for
from fund.jobs.services import purge_expired, resend_unfinished


@click.command("worker")
@with_appcontext
@click.option("--workers", default=1, show_default=True, type=int, help="Jobs run at once.")
def worker_cli(workers: int) -> None:
    """Run background jobs (exports, statements, sheets, receipts) until stopped."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    huey = queue_for(app)
    if huey.immediate:
        raise click.UsageError("JOBS_QUEUE is 'immediate': jobs run where they start, no worker")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # A consumer that died mid-job took its message with it: send the unfinished jobs again
    # (a job still held by a live consumer is looked at again after its lease).
    resent = resend_unfinished()
    removed = purge_expired()
    click.echo(
        f"worker: {workers} at once on {app.config['JOBS_QUEUE']}; "
        f"{resent} unfinished job(s) sent again, {removed} old file(s) removed"
    )
    # Polls an idle queue at least once a second (Huey's default backs off to 10 s): a job
    # asked for on a page should start while its asker watches.
    huey.create_consumer(workers=workers, worker_type="thread", periodic=True, max_delay=1.0).run()
