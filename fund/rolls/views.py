"""Roll pages: a factory's versions, upload → check → confirm, and one roll's workers.

Between check and confirm the uploaded bytes wait in the instance folder, named by their
SHA-256, so the file confirmed is exactly the file checked. They are private to the app's user
(folder 0700, file 0600) and deleted when the check ends: stored, discarded, or left unconfirmed
for ``UPLOAD_TTL`` seconds (swept at the next upload).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
import time
from datetime import date
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.utils import secure_filename
from werkzeug.wrappers import Response as WerkzeugResponse

from fund.arguments import page_number
from fund.auth.access import acting_user, allow, allowed_user
from fund.auth.roles import STAFF, Role
from fund.controls.forms import AcknowledgeForm, ReviewForm
from fund.controls.roll_review import ACKNOWLEDGERS, findings
from fund.db import get_session
from fund.display import page_count
from fund.events.life import events_wanting
from fund.factories.models import Factory
from fund.jobs.models import Job
from fund.jobs.services import start_job
from fund.rolls import background
from fund.rolls.forms import ConfirmForm, DiscardForm, MappingForm, UploadForm
from fund.rolls.models import Roll, RollWorker
from fund.rolls.schemas import SEES_NATIONAL_IDS, masked
from fund.rolls.services import (
    ExitDatesUnconfirmed,
    RollAlreadyImported,
    RollRejected,
    RollUnreadable,
    check_roll,
    factory_by_code,
    import_roll,
    lacks_exit_dates,
    save_mapping,
    saved_mapping,
)
from imports import FIELD_LABELS, RollReading, error_report_xlsx
from imports.headers import meaning_of
from ledger.money import format_minor

bp = Blueprint("rolls", __name__)

IMPORTERS = (Role.ADMIN, Role.OFFICER)
WORKERS_PER_PAGE = 100
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Seconds an unconfirmed upload is kept (for the error report and the confirm button).
UPLOAD_TTL = 3600


def _factory(code: str) -> Factory:
    factory = factory_by_code(get_session(), code)
    if factory is None:
        abort(404)
    return factory


def upload_path(digest: str) -> Path:
    """Where an upload of these bytes is kept, private, until confirmed or swept."""
    if not _SHA256.match(digest):
        abort(404)
    return background.uploads_folder() / f"{digest}.upload"


def keep_upload(digest: str, data: bytes) -> None:
    """Write the checked bytes readable by the app's user only; sweep expired uploads."""
    path = upload_path(digest)
    os.chmod(path.parent, 0o700)
    limit = time.time() - current_app.config.get("UPLOAD_TTL", UPLOAD_TTL)
    for old in path.parent.glob("*.upload"):
        if old.stat().st_mtime < limit:
            old.unlink(missing_ok=True)
    background.sweep_job_uploads()
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


def _can_import() -> bool:
    user = acting_user()
    return user is not None and user.role_enum in IMPORTERS


@bp.route("/factories/<code>/rolls")
@allow(STAFF)
def index(code: str) -> str:
    factory = _factory(code)
    rolls = (
        get_session()
        .scalars(select(Roll).where(Roll.factory_id == factory.id).order_by(Roll.version.desc()))
        .all()
    )
    return render_template(
        "rolls/index.html",
        factory=factory,
        rolls=rolls,
        form=UploadForm() if _can_import() else None,
        mapping_form=MappingForm() if _can_import() else None,
        mappings=saved_mapping(get_session(), factory),
        labels=FIELD_LABELS,
    )


@bp.route("/factories/<code>/rolls/mappings", methods=["POST"])
@allow(*IMPORTERS)
def add_mapping(code: str) -> WerkzeugResponse | tuple[str, int]:
    factory = _factory(code)
    form = MappingForm()
    if form.validate_on_submit():
        save_mapping(
            get_session(),
            factory=factory,
            header=str(form.header.data),
            field=str(form.field.data),
            actor=acting_user(),
        )
        flash(
            _(
                "Headers reading “%(header)s” now mean %(field)s.",
                header=form.header.data,
                field=FIELD_LABELS[form.field.data],
            ),
            "success",
        )
        again = _recheck(factory, form)
        if again is not None:
            return again
    else:
        flash(_("Give the header text as it appears in the file, and the field it means."), "error")
    return redirect(url_for("rolls.index", code=factory.code))


def _recheck(factory: Factory, form: MappingForm) -> tuple[str, int] | None:
    """The check page again for the upload the mapping was made from, if it is still kept."""
    digest = str(form.sha256.data or "")
    if not digest:
        return None
    path = upload_path(digest)
    try:
        as_of = date.fromisoformat(str(form.as_of.data or ""))
    except ValueError:
        return None
    if not path.is_file():
        flash(_("That upload has expired: please upload the file again."), "error")
        return None
    filename = secure_filename(str(form.filename.data or "roll")) or "roll"
    return _check_page(factory, path.read_bytes(), digest, filename, as_of)


def _closest(header: str) -> str:
    # The field the check names as closest to the header (else the first field).
    meaning = meaning_of(header, {})
    return meaning.field or meaning.closest or next(iter(FIELD_LABELS))


@bp.route("/factories/<code>/rolls/discard", methods=["POST"])
@allow(*IMPORTERS)
def discard(code: str) -> WerkzeugResponse:
    factory = _factory(code)
    form = DiscardForm()
    if not form.validate_on_submit():
        abort(400)
    upload_path(str(form.sha256.data)).unlink(missing_ok=True)
    flash(_("The upload was discarded; nothing was stored."), "success")
    return redirect(url_for("rolls.index", code=factory.code))


@bp.route("/factories/<code>/rolls/check", methods=["POST"])
@allow(*IMPORTERS)
def check(code: str) -> tuple[str, int] | str:
    factory = _factory(code)
    form = UploadForm()
    if not form.validate_on_submit():
        rolls = get_session().scalars(select(Roll).where(Roll.factory_id == factory.id)).all()
        page = render_template(
            "rolls/index.html",
            factory=factory,
            rolls=rolls,
            form=form,
            mapping_form=MappingForm(),
            mappings={},
            labels=FIELD_LABELS,
        )
        return page, 400
    upload = form.file.data
    data = upload.read()
    filename = secure_filename(upload.filename or "roll") or "roll"
    as_of: date | None = form.as_of.data
    assert as_of is not None  # DataRequired
    digest = hashlib.sha256(data).hexdigest()
    keep_upload(digest, data)
    return _check_page(factory, data, digest, filename, as_of)


def _check_page(
    factory: Factory, data: bytes, digest: str, filename: str, as_of: date, status: int = 200
) -> tuple[str, int]:
    try:
        reading: RollReading | None = check_roll(
            get_session(), factory=factory, source=data, filename=filename, as_of=as_of
        )
        unreadable = None
    except RollUnreadable as error:
        reading, unreadable = None, str(error)
    confirm = ConfirmForm(
        formdata=None,
        sha256=digest,
        filename=filename,
        as_of=as_of.isoformat(),
        rows=str(reading.rows_read) if reading is not None else "",
    )
    # Each column no field reads gets a form to map it for this factory, then check again.
    map_forms = [
        (
            problem,
            MappingForm(
                formdata=None,
                prefix=f"map{number}",
                header=problem.column,
                field=_closest(problem.column),
                sha256=digest,
                filename=filename,
                as_of=as_of.isoformat(),
            ),
        )
        for number, problem in enumerate(reading.problems if reading is not None else ())
        if problem.code == "unused_column"
        and problem.column
        and problem.row is not None
        and not problem.column.startswith("column ")
    ]
    page = render_template(
        "rolls/check.html",
        factory=factory,
        reading=reading,
        unreadable=unreadable,
        digest=digest,
        filename=filename,
        as_of=as_of,
        confirm=confirm,
        needs_nobody_left=reading is not None and lacks_exit_dates(reading),
        map_forms=map_forms,
        discard=DiscardForm(formdata=None, sha256=digest),
    )
    if reading is None or reading.has_errors:
        status = 422
    return page, status


@bp.route("/factories/<code>/rolls/uploads/<digest>/report.xlsx")
@allow(*IMPORTERS)
def report(code: str, digest: str) -> Response:
    factory = _factory(code)
    path = upload_path(digest)
    if not path.is_file():
        abort(404)
    filename = secure_filename(request.args.get("filename", "roll")) or "roll"
    try:
        as_of = date.fromisoformat(request.args.get("as_of", ""))
    except ValueError:
        abort(400)
    data = path.read_bytes()
    try:
        reading = check_roll(
            get_session(), factory=factory, source=data, filename=filename, as_of=as_of
        )
    except RollUnreadable:
        abort(422)
    body = error_report_xlsx(data, reading, filename=filename)
    return send_file(
        io.BytesIO(body),
        mimetype=XLSX,
        as_attachment=True,
        download_name=f"errors-{Path(filename).stem}.xlsx",
    )


@bp.route("/factories/<code>/rolls/confirm", methods=["POST"])
@allow(*IMPORTERS)
def confirm(code: str) -> WerkzeugResponse | tuple[str, int]:
    factory = _factory(code)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    digest, filename = str(form.sha256.data), str(form.filename.data)
    path = upload_path(digest)
    if not path.is_file():
        flash(_("That upload has expired: please upload the file again."), "error")
        return redirect(url_for("rolls.index", code=factory.code))
    try:  # the form's pattern lets through impossible dates such as 2025-13-45
        as_of = date.fromisoformat(str(form.as_of.data))
    except ValueError:
        abort(400)
    rows = int(form.rows.data or 0)
    if rows > current_app.config["BACKGROUND_ROLL_ROWS"]:
        job = import_in_background(
            factory, path, filename, as_of, rows, nobody_left=bool(form.nobody_left.data)
        )
        flash(
            _(
                "A roll this large is stored in the background: all of it, or nothing if it has"
                " errors. This page shows how far it is."
            ),
            "success",
        )
        return redirect(url_for("jobs.show", job_id=job.id))
    data = path.read_bytes()
    try:
        roll = import_roll(
            get_session(),
            factory=factory,
            source=data,
            filename=filename,
            as_of=as_of,
            actor=acting_user(),
            nobody_left=bool(form.nobody_left.data),
        )
    except (RollRejected, RollUnreadable):
        return _check_page(factory, data, digest, filename, as_of)
    except ExitDatesUnconfirmed:
        flash(
            _("This roll has no exit-date column: tick the box to confirm nobody on it has left."),
            "error",
        )
        return _check_page(factory, data, digest, filename, as_of, status=422)
    except RollAlreadyImported as already:
        flash(str(already), "error")
        return redirect(url_for("rolls.detail", roll_id=already.roll.id))
    path.unlink(missing_ok=True)
    flash(
        _(
            "Stored roll version %(version)s: %(workers)s workers.",
            version=roll.version,
            workers=roll.worker_count,
        ),
        "success",
    )
    return redirect(url_for("rolls.detail", roll_id=roll.id))


def import_in_background(
    factory: Factory, path: Path, filename: str, as_of: date, rows: int, *, nobody_left: bool
) -> Job:
    """Hand the checked upload at ``path`` to a ``roll-import`` job (fund/rolls/background.py)."""
    digest = path.stem
    # Renamed in its private folder (still 0600): no sweep of unconfirmed uploads takes it.
    kept = path.with_name(f"{digest}-{secrets.token_hex(8)}.job")
    os.replace(path, kept)
    return start_job(
        get_session(),
        owner=allowed_user(),
        kind=background.JOB_KIND,
        params=background.job_params(
            factory=factory,
            upload=kept.name,
            sha256=digest,
            filename=filename,
            as_of=as_of,
            nobody_left=nobody_left,
            actor=acting_user(),
        ),
        title=_(
            "%(factory)s roll as of %(date)s: %(rows)s rows",
            factory=factory.code,
            date=f"{as_of:%d/%m/%Y}",
            rows=rows,
        ),
        result_name="",
        total=2 * rows,
    )


@bp.route("/rolls/<int:roll_id>")
@allow(STAFF)
def detail(roll_id: int) -> str:
    session = get_session()
    roll = session.get(Roll, roll_id)
    if roll is None:
        abort(404)
    page = page_number()
    total = session.scalar(select(func.count()).where(RollWorker.roll_id == roll.id)) or 0
    workers = session.scalars(
        select(RollWorker)
        .where(RollWorker.roll_id == roll.id)
        .order_by(RollWorker.row)
        .limit(WORKERS_PER_PAGE)
        .offset((page - 1) * WORKERS_PER_PAGE)
    ).all()
    user = acting_user()
    full = user is not None and user.role in SEES_NATIONAL_IDS
    return render_template(
        "rolls/detail.html",
        roll=roll,
        workers=workers,
        page=page,
        pages=page_count(total, WORKERS_PER_PAGE),
        total=total,
        national_id=(lambda nid: nid) if full else masked,
        labels=FIELD_LABELS,
        taka=lambda minor: format_minor(minor, "BDT"),
        findings=findings(session, roll.id),
        acknowledge_forms={
            f.id: AcknowledgeForm(prefix=f"finding{f.id}") for f in findings(session, roll.id)
        },
        review_form=ReviewForm(),
        may_acknowledge=user is not None and user.role_enum in ACKNOWLEDGERS,
        # a newly stored roll is offered to the factory's events that have none or an older one
        waiting_events=events_wanting(session, roll),
        may_attach=user is not None and user.role_enum in (Role.ADMIN, Role.OFFICER),
    )
