"""A large roll stored by a background job (``fund/jobs``): the upload kept, read, stored.

The web confirm of a roll with more rows than ``BACKGROUND_ROLL_ROWS`` moves the checked
upload to a job file beside it (the same private folder, 0700, and file, 0600) and starts a
``roll-import`` job. The job reads and checks the file on a read-only session, then stores
it in one transaction committed with the job's "done": killed mid-way, it leaves nothing
and runs again. A refusal (the roll has errors, or needs the officer's word that nobody left)
fails the job at once with the reason; the file goes once the job is done or refused (or,
its job never run, after ``JOB_UPLOAD_DAYS``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from flask import current_app, url_for
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from fund.auth.models import User
from fund.factories.models import Factory
from fund.rolls.models import Roll
from fund.rolls.services import (
    ExitDatesUnconfirmed,
    RollAlreadyImported,
    RollRejected,
    RollUnreadable,
    check_file,
    import_roll,
)

JOB_KIND = "roll-import"
#: A job's upload is deleted when the job is done or refused; one whose job never ran (it was
#: cancelled while queued, or no worker ran for a week) is swept after this many days.
JOB_UPLOAD_DAYS = 7


def uploads_folder() -> Path:
    """The private folder of roll uploads (0700), made on first use."""
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "rolls"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def sweep_job_uploads() -> int:
    """Delete job uploads older than ``JOB_UPLOAD_DAYS`` (their jobs fail: "upload it again")."""
    limit = time.time() - JOB_UPLOAD_DAYS * 86_400
    removed = 0
    for old in uploads_folder().glob("*.job"):
        if old.stat().st_mtime < limit:
            old.unlink(missing_ok=True)
            removed += 1
    return removed


def job_params(
    *,
    factory: Factory,
    upload: str,
    sha256: str,
    filename: str,
    as_of: date,
    nobody_left: bool,
    actor: User | None,
) -> dict[str, Any]:
    """The job's parameters (plain JSON values): what ``prepare_import`` needs to run alone."""
    return {
        "factory": factory.code,
        "upload": upload,
        "sha256": sha256,
        "filename": filename,
        "as_of": as_of.isoformat(),
        "nobody_left": nobody_left,
        "actor": actor.id if actor is not None else None,
    }


def prepare_import(
    session: Session,
    params: Mapping[str, Any],
    progress: Callable[[int], None],
    *,
    refused: type[Exception],
) -> Callable[[Session, Callable[[int], None]], int]:
    """Read and check the job's upload; return the step that stores it, giving the roll's id
    (``refused``: why not).

    Progress counts rows twice: once read (all at once), once stored (batch by batch).
    """
    path = uploads_folder() / Path(params["upload"]).name
    if not path.is_file():
        raise refused("the uploaded file is no longer kept: upload it again")
    factory = session.scalar(select(Factory).where(Factory.code == params["factory"]))
    if factory is None:
        raise _refuse(path, refused, f"no factory {params['factory']!r}")
    filename, as_of = str(params["filename"]), date.fromisoformat(params["as_of"])
    try:
        checked = check_file(session, factory=factory, source=path, filename=filename, as_of=as_of)
    except RollUnreadable as error:
        raise _refuse(path, refused, f"cannot read {error}") from None
    if checked.sha256 != params["sha256"]:
        raise _refuse(path, refused, "the kept upload is not the file that was checked")
    read = checked.reading.rows_read
    progress(read)
    factory_id = factory.id

    def store(write: Session, stored_progress: Callable[[int], None]) -> int:
        stored = [0]

        def advance(batch: int, _total: int) -> None:
            stored[0] += batch
            stored_progress(read + stored[0])

        actor = write.get(User, params["actor"]) if params.get("actor") is not None else None
        factory = write.get(Factory, factory_id)
        assert factory is not None
        try:
            roll = import_roll(
                write,
                factory=factory,
                checked=checked,
                filename=filename,
                as_of=as_of,
                actor=actor,
                progress=advance,
                nobody_left=bool(params.get("nobody_left")),
            )
        except RollAlreadyImported as already:
            roll = already.roll  # stored meanwhile (the same file, by someone else)
        except (RollRejected, ExitDatesUnconfirmed) as error:
            raise _refuse(path, refused, str(error)) from None
        # The file goes with the commit (a rollback keeps it for the retry).
        event.listen(write, "after_commit", lambda _s: path.unlink(missing_ok=True), once=True)
        return roll.id

    return store


def _refuse(path: Path, refused: type[Exception], message: str) -> Exception:
    """A refusal is final: the upload is not kept for a retry."""
    path.unlink(missing_ok=True)
    return refused(message)


def stored_roll_link(session: Session, params: Mapping[str, Any]) -> str | None:
    """The page of the roll the job stored (the newest version made from the same file)."""
    roll_id = session.scalar(
        select(Roll.id)
        .join(Factory, Roll.factory_id == Factory.id)
        .where(
            Factory.code == params["factory"],
            Roll.sha256 == params["sha256"],
            Roll.as_of == date.fromisoformat(params["as_of"]),
        )
        .order_by(Roll.version.desc())
        .limit(1)
    )
    return url_for("rolls.detail", roll_id=roll_id) if roll_id is not None else None
