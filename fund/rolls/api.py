"""The roll endpoints of ``/api/v1``: a factory's roll versions, one roll's workers, an upload."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, current_app, jsonify
from sqlalchemy import select

from fund.api.blueprint import bp
from fund.api.errors import ErrorBody, error_response
from fund.api.pagination import PageArgs, read_page
from fund.auth.access import acting_user, allow
from fund.auth.roles import STAFF, Role
from fund.db import get_session
from fund.factories.models import Factory
from fund.jobs.api import ACCEPTED, accepted
from fund.rolls.models import Roll, RollWorker
from fund.rolls.schemas import (
    RollCheckOut,
    RollOut,
    RollPage,
    RollUploadIn,
    RollWorkerPage,
)
from fund.rolls.services import (
    ExitDatesUnconfirmed,
    RollAlreadyImported,
    RollRejected,
    RollUnreadable,
    check_file,
    factory_by_code,
    import_roll,
    problems_as_json,
    refuse_unless_importable,
)
from fund.rolls.views import import_in_background, keep_upload, upload_path

#: Who may store a roll; everyone on the staff may read them; brands may not.
IMPORTERS = (Role.ADMIN, Role.OFFICER)


def _factory(code: str) -> Factory:
    factory = factory_by_code(get_session(), code)
    if factory is None:
        abort(404, description=f"no factory {code!r}")
    return factory


@bp.route("/factories/<code>/rolls", endpoint="factory_rolls")
@allow(STAFF)
@bp.arguments(PageArgs, location="query")
@bp.response(200, RollPage)
def factory_rolls(args: dict[str, Any], code: str) -> dict[str, Any]:
    """The factory's roll versions, newest first (fund staff only)."""
    query = select(Roll).where(Roll.factory_id == _factory(code).id).order_by(Roll.version.desc())
    return read_page(get_session(), query, args)


@bp.route("/rolls/<int:roll_id>", endpoint="roll")
@allow(STAFF)
@bp.arguments(PageArgs, location="query")
@bp.response(200, RollWorkerPage)
def roll_detail(args: dict[str, Any], roll_id: int) -> dict[str, Any]:
    """One roll version and a page of its workers (fund staff only).

    National IDs are in full for admins, officers and auditors; others see the last four digits.
    """
    session = get_session()
    roll = session.get(Roll, roll_id)
    if roll is None:
        abort(404, description=f"no roll {roll_id}")
    query = select(RollWorker).where(RollWorker.roll_id == roll.id).order_by(RollWorker.row)
    return {"roll": roll, **read_page(session, query, args)}


@bp.route("/factories/<code>/rolls", methods=["POST"], endpoint="import_roll")
@allow(*IMPORTERS)
@bp.arguments(RollUploadIn, location="files")
@bp.response(201, RollOut)
@bp.alt_response(202, **ACCEPTED)
@bp.alt_response(409, schema=ErrorBody, description="the same file is already the current roll")
@bp.alt_response(
    422,
    schema={"oneOf": [RollCheckOut, ErrorBody]},
    description="the roll has errors (nothing stored; the check's problems), cannot be read at"
    " all, or the upload misses its file or date (an error body)",
)
def import_roll_file(args: dict[str, Any], code: str) -> Roll | Response:
    """Import a roll file as the factory's next version (officer, admin).

    The file is read and checked inside the request; a roll of more rows than the fund's
    background threshold is then stored by a background job (202), as on the web.
    """
    session = get_session()
    factory = _factory(code)
    upload, as_of, nobody_left = args["file"], args["as_of"], args["nobody_left"]
    data, filename = upload.read(), upload.filename
    try:
        checked = check_file(session, factory=factory, source=data, filename=filename, as_of=as_of)
        refuse_unless_importable(checked.reading, nobody_left=nobody_left)
        rows = checked.reading.rows_read
        if rows > current_app.config["BACKGROUND_ROLL_ROWS"]:
            keep_upload(checked.sha256, data)
            path = upload_path(checked.sha256)
            return accepted(
                import_in_background(factory, path, filename, as_of, rows, nobody_left=nobody_left)
            )
        return import_roll(
            session, factory=factory, checked=checked, filename=filename, as_of=as_of,
            actor=acting_user(), nobody_left=nobody_left,
        )  # fmt: skip
    except RollUnreadable as error:
        return error_response(422, "roll_unreadable", str(error), "file")
    except RollRejected as rejected:
        response: Response = jsonify(problems_as_json(rejected.reading))
        response.status_code = 422
        return response
    except ExitDatesUnconfirmed as unconfirmed:
        return error_response(
            422, "no_exit_date_column", f"{unconfirmed}; send nobody_left=true", "nobody_left"
        )
    except RollAlreadyImported as already:
        return error_response(409, "already_imported", str(already), "file")
