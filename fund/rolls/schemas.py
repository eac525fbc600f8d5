"""What the API says about rolls: versions, workers (wages as decimal strings), problems."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from fund.disbursements.schemas import UtcDateTime
from fund.rolls.models import Roll, RollWorker
from ledger.money import from_minor

#: Roles that see national IDs in full; others see the last four digits only.
SEES_NATIONAL_IDS = frozenset({"admin", "officer", "auditor"})


def masked(national_id: str) -> str:
    """``"•••••••••6789"``: enough to tell workers apart, not enough to misuse."""
    return "•" * max(0, len(national_id) - 4) + national_id[-4:]


class RollOut(Schema):
    """A roll version of a factory."""

    id = fields.Integer(required=True)
    factory = fields.String(required=True)
    version = fields.Integer(required=True)
    as_of = fields.Date(required=True)
    source_filename = fields.String(required=True)
    sha256 = fields.String(required=True)
    imported_by = fields.String(allow_none=True, required=True)
    imported_at = UtcDateTime(required=True)
    rows_read = fields.Integer(required=True)
    worker_count = fields.Integer(required=True)
    warning_count = fields.Integer(required=True)


def roll_out(roll: Roll) -> dict[str, Any]:
    """A roll as ``RollOut`` describes it."""
    dumped: dict[str, Any] = RollOut().dump(
        {
            "id": roll.id,
            "factory": roll.factory.code,
            "version": roll.version,
            "as_of": roll.as_of,
            "source_filename": roll.source_filename,
            "sha256": roll.sha256,
            "imported_by": roll.imported_by.username if roll.imported_by else None,
            "imported_at": roll.imported_at,
            "rows_read": roll.rows_read,
            "worker_count": roll.worker_count,
            "warning_count": roll.warning_count,
        }
    )
    return dumped


class RollWorkerOut(Schema):
    """A worker on a roll; wages are monthly BDT as decimal strings."""

    row = fields.Integer(required=True)
    worker_id = fields.String(required=True)
    name = fields.String(required=True)
    national_id = fields.String(required=True)
    section = fields.String(allow_none=True, required=True)
    grade = fields.String(allow_none=True, required=True)
    designation = fields.String(allow_none=True, required=True)
    join_date = fields.Date(required=True)
    exit_date = fields.Date(allow_none=True, required=True)
    basic = fields.String(required=True)
    house_rent = fields.String(required=True)
    medical = fields.String(required=True)
    transport = fields.String(required=True)
    food = fields.String(required=True)
    gross = fields.String(allow_none=True, required=True)
    payment_method = fields.String(allow_none=True, required=True)
    # Optional roll fields (null: the roll did not give them).
    routing_number = fields.String(allow_none=True, required=True)
    worker_class = fields.String(allow_none=True, required=True)
    arrears_due = fields.String(allow_none=True, required=True)
    earned_leave_days = fields.Integer(allow_none=True, required=True)
    festival_bonus_due = fields.String(allow_none=True, required=True)
    overtime_due = fields.String(allow_none=True, required=True)


def worker_out(worker: RollWorker, *, full_national_id: bool) -> dict[str, Any]:
    """A roll worker as ``RollWorkerOut`` describes it, national ID masked unless allowed."""

    def money(minor: int | None) -> str | None:
        return None if minor is None else str(from_minor(minor, "BDT"))

    dumped: dict[str, Any] = RollWorkerOut().dump(
        {
            "row": worker.row,
            "worker_id": worker.worker_id,
            "name": worker.name,
            "national_id": worker.national_id if full_national_id else masked(worker.national_id),
            "section": worker.section,
            "grade": worker.grade,
            "designation": worker.designation,
            "join_date": worker.join_date,
            "exit_date": worker.exit_date,
            "basic": money(worker.basic),
            "house_rent": money(worker.house_rent),
            "medical": money(worker.medical),
            "transport": money(worker.transport),
            "food": money(worker.food),
            "gross": money(worker.gross),
            "payment_method": worker.payment_method,
            "routing_number": worker.routing_number,
            "worker_class": worker.worker_class,
            "arrears_due": money(worker.arrears_due),
            "earned_leave_days": worker.earned_leave_days,
            "festival_bonus_due": money(worker.festival_bonus_due),
            "overtime_due": money(worker.overtime_due),
        }
    )
    return dumped


class ProblemOut(Schema):
    """One problem found in a roll file, located as the user sees the file."""

    row = fields.Integer(allow_none=True, required=True)
    column = fields.String(allow_none=True, required=True)
    severity = fields.String(required=True)
    code = fields.String(required=True)
    message = fields.String(required=True)


class RollCheckOut(Schema):
    """The result of checking a roll file (``fund rolls check --json`` has the same shape)."""

    rows = fields.Integer(required=True)
    accepted = fields.Integer(required=True)
    rejected = fields.Integer(required=True)
    problems = fields.List(fields.Nested(ProblemOut), required=True)


def add_roll_paths(
    spec: Any,
    *,
    errors: dict[str, Any],
    not_found: dict[str, Any],
    page_parameters: list[dict[str, Any]],
) -> None:
    """Document the roll endpoints in the API's OpenAPI document."""

    def ref(name: str) -> dict[str, Any]:
        return {"$ref": f"#/components/schemas/{name}"}

    def json_body(schema: dict[str, Any]) -> dict[str, Any]:
        return {"content": {"application/json": {"schema": schema}}}

    for name, schema in {
        "Roll": RollOut,
        "RollWorker": RollWorkerOut,
        "RollProblem": ProblemOut,
        "RollCheck": RollCheckOut,
    }.items():
        spec.components.schema(name, schema=schema)
    code = {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}
    roll_id = {"name": "roll_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    rolls_page = {
        "type": "object",
        "required": ["items", "page", "per_page", "total"],
        "properties": {
            "items": {"type": "array", "items": ref("Roll")},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "total": {"type": "integer"},
        },
    }
    workers_page = {
        "type": "object",
        "required": ["roll", "items", "page", "per_page", "total"],
        "properties": {
            "roll": ref("Roll"),
            "items": {"type": "array", "items": ref("RollWorker")},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "total": {"type": "integer"},
        },
    }
    spec.path(
        "/factories/{code}/rolls",
        operations={
            "get": {
                "summary": "The factory's roll versions, newest first (fund staff only)",
                "parameters": [code, *page_parameters],
                "responses": {
                    "200": {"description": "a page of rolls", **json_body(rolls_page)},
                    **errors,
                    **not_found,
                },
            },
            "post": {
                "summary": "Import a roll file as the factory's next version (officer, admin)",
                "parameters": [code],
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["file", "as_of"],
                                "properties": {
                                    "file": {"type": "string", "format": "binary"},
                                    "as_of": {"type": "string", "format": "date"},
                                    "nobody_left": {
                                        "type": "boolean",
                                        "description": "the roll has no exit-date column and"
                                        " the officer confirms nobody on it has left (audited);"
                                        " without it such a roll is refused (422"
                                        " no_exit_date_column)",
                                    },
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "201": {"description": "the stored roll", **json_body(ref("Roll"))},
                    "400": {"description": "no file or no date", **json_body(ref("ErrorBody"))},
                    "409": {
                        "description": "the same file is already the current roll",
                        **json_body(ref("ErrorBody")),
                    },
                    "422": {
                        "description": "the roll has errors (nothing stored; the check's"
                        " problems) or cannot be read at all (an error body)",
                        **json_body({"oneOf": [ref("RollCheck"), ref("ErrorBody")]}),
                    },
                    **errors,
                    **not_found,
                },
            },
        },
    )
    spec.path(
        "/rolls/{roll_id}",
        operations={
            "get": {
                "summary": "One roll version and a page of its workers (fund staff only)",
                "parameters": [roll_id, *page_parameters],
                "responses": {
                    "200": {"description": "the roll and workers", **json_body(workers_page)},
                    **errors,
                    **not_found,
                },
            }
        },
    )
