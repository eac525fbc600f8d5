"""The roll endpoints of ``/api/v1``, registered on the API blueprint by ``register``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, jsonify, request
from marshmallow import Schema
from sqlalchemy import select

from fund.api.errors import error_response
from fund.api.pagination import paginate
from fund.auth.access import acting_user, allow
from fund.auth.roles import STAFF, Role
from fund.db import get_session
from fund.rolls.models import Roll, RollWorker
from fund.rolls.schemas import SEES_NATIONAL_IDS, roll_out, worker_out
from fund.rolls.services import (
    ExitDatesUnconfirmed,
    RollAlreadyImported,
    RollRejected,
    RollUnreadable,
    factory_by_code,
    import_roll,
    problems_as_json,
)

#: Who may store a roll; everyone on the staff may read them; brands may not.
IMPORTERS = (Role.ADMIN, Role.OFFICER)


class _Dumper(Schema):
    """Lets ``paginate`` dump models through one of the roll schemas' functions."""

    def __init__(self, dump_one: Callable[[Any], dict[str, Any]]) -> None:
        super().__init__()
        self.dump_one = dump_one

    def dump(self, obj: Any, *, many: bool | None = None) -> Any:
        return [self.dump_one(item) for item in obj] if many else self.dump_one(obj)


def factory_rolls(code: str) -> dict[str, Any]:
    factory = factory_by_code(get_session(), code)
    if factory is None:
        abort(404, description=f"no factory {code!r}")
    query = select(Roll).where(Roll.factory_id == factory.id).order_by(Roll.version.desc())
    return paginate(get_session(), query, _Dumper(roll_out))


def roll_detail(roll_id: int) -> dict[str, Any]:
    session = get_session()
    roll = session.get(Roll, roll_id)
    if roll is None:
        abort(404, description=f"no roll {roll_id}")
    user = acting_user()
    full = user is not None and user.role in SEES_NATIONAL_IDS
    query = select(RollWorker).where(RollWorker.roll_id == roll.id).order_by(RollWorker.row)
    page = paginate(session, query, _Dumper(lambda w: worker_out(w, full_national_id=full)))
    return {"roll": roll_out(roll), **page}


def import_roll_file(code: str) -> Response | tuple[Response, int]:
    session = get_session()
    factory = factory_by_code(session, code)
    if factory is None:
        abort(404, description=f"no factory {code!r}")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return error_response(
            400, "missing_file", "send the roll as multipart field 'file'", "file"
        )
    try:
        as_of = date.fromisoformat(request.form.get("as_of", ""))
    except ValueError:
        return error_response(400, "bad_date", "as_of must be a date (YYYY-MM-DD)", "as_of")
    try:
        roll = import_roll(
            session,
            factory=factory,
            source=upload.read(),
            filename=upload.filename,
            as_of=as_of,
            actor=acting_user(),
            nobody_left=request.form.get("nobody_left", "").lower() in ("1", "true", "yes", "on"),
        )
    except RollUnreadable as error:
        return error_response(422, "roll_unreadable", str(error), "file")
    except RollRejected as rejected:
        return jsonify(problems_as_json(rejected.reading)), 422
    except ExitDatesUnconfirmed as unconfirmed:
        return error_response(
            422, "no_exit_date_column", f"{unconfirmed}; send nobody_left=true", "nobody_left"
        )
    except RollAlreadyImported as already:
        return error_response(409, "already_imported", str(already), "file")
    return jsonify(roll_out(roll)), 201


def register(bp: Blueprint) -> None:
    """Add the roll endpoints to the API blueprint (brands get 403 on all of them)."""
    bp.add_url_rule("/factories/<code>/rolls", "factory_rolls", allow(STAFF)(factory_rolls))
    bp.add_url_rule("/rolls/<int:roll_id>", "roll", allow(STAFF)(roll_detail))
    bp.add_url_rule(
        "/factories/<code>/rolls",
        "import_roll",
        allow(*IMPORTERS)(import_roll_file),
        methods=["POST"],
    )
