"""The OpenAPI description of the batch endpoints (fund/disbursements/api.py).

Kept apart from the endpoints so neither module grows past a reader's patience; it describes
the same paths, schemas and refusals the endpoints use.
"""

from __future__ import annotations

from typing import Any

from apispec import APISpec

from fund.api.describe import error_answer, json_content, schema_ref
from fund.arguments import MAX_ID
from fund.disbursements.api import LINE_ACTIONS, XLSX
from fund.disbursements.schemas import (
    BatchDetailOut,
    BatchOut,
    CreateBatchIn,
    ExpireIn,
    FloatIn,
    FloatOut,
    LineActionIn,
    OnIn,
    PayeeChangeIn,
    PayeeChangeOut,
    PaymentLineOut,
    ReasonIn,
    ReconciliationOut,
    ReissueIn,
)


def add_batch_paths(
    spec: APISpec,
    *,
    errors: dict[str, Any],
    not_found: dict[str, Any],
    page_parameters: list[dict[str, Any]],
) -> None:
    """Describe the batch endpoints in the OpenAPI document."""
    for name, schema in {
        "Batch": BatchOut,
        "BatchDetail": BatchDetailOut,
        "PaymentLine": PaymentLineOut,
        "Reconciliation": ReconciliationOut,
        "CreateBatch": CreateBatchIn,
        "EffectiveDate": OnIn,
        "Reason": ReasonIn,
        "Reissue": ReissueIn,
        "LineAction": LineActionIn,
        "PayeeChangeIn": PayeeChangeIn,
        "PayeeChange": PayeeChangeOut,
        "Expire": ExpireIn,
        "FloatIn": FloatIn,
        "FloatOut": FloatOut,
    }.items():
        spec.components.schema(name, schema=schema)

    def integer(name: str) -> dict[str, Any]:
        return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}

    def page_of(item: str) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["items", "page", "per_page", "total"],
            "properties": {
                "items": {"type": "array", "items": schema_ref(item)},
                "page": {"type": "integer"},
                "per_page": {"type": "integer"},
                "total": {"type": "integer"},
            },
        }

    refusals = {
        "403": error_answer("the token's role may not do this, or the approver submitted it"),
        "409": error_answer(
            "refused by the rules: the batch or line is in another state, the fund lacks the"
            " money, nothing is left to pay, the workers named are not paid by the event, the"
            " roll has unacknowledged high findings, a worker is already paid (double payment),"
            " or the date is after today or before the step it follows (bad_date)"
        ),
        "422": error_answer("the body (or the uploaded file) cannot be read"),
    }
    batch_id = integer("batch_id")
    spec.path(
        "/batches",
        operations={
            "get": {
                "summary": "Disbursement batches, newest first (fund staff only)",
                "parameters": [
                    {
                        "name": "event_id",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                    },
                    *page_parameters,
                ],
                "responses": {
                    "200": {"description": "a page of batches", **json_content(page_of("Batch"))},
                    "400": error_answer("event_id is not a whole number from 1 to 2**31 - 1"),
                    **errors,
                },
            }
        },
    )
    spec.path(
        "/events/{event_id}/batches",
        operations={
            "post": {
                "summary": "Make a draft batch of the event's computed entitlements (officers)",
                "parameters": [integer("event_id")],
                "requestBody": {"required": True, **json_content(schema_ref("CreateBatch"))},
                "responses": {
                    "201": {
                        "description": "the draft batch",
                        **json_content(schema_ref("BatchDetail")),
                    },
                    **errors,
                    **refusals,
                    **not_found,
                },
            }
        },
    )
    spec.path(
        "/batches/{batch_id}",
        operations={
            "get": {
                "summary": "One batch with its history (fund staff only)",
                "parameters": [batch_id],
                "responses": {
                    "200": {"description": "the batch", **json_content(schema_ref("BatchDetail"))},
                    **errors,
                    **not_found,
                },
            }
        },
    )
    spec.path(
        "/batches/{batch_id}/lines",
        operations={
            "get": {
                "summary": "The batch's payment lines (fund staff only; national IDs masked)",
                "parameters": [batch_id, *page_parameters],
                "responses": {
                    "200": {
                        "description": "a page of lines",
                        **json_content(page_of("PaymentLine")),
                    },
                    **errors,
                    **not_found,
                },
            }
        },
    )
    steps = {
        "submit": ("Hand a draft to the approvers (officers)", "EffectiveDate"),
        "approve": (
            "Approve and post Dr 5000 / Cr 2000 once (approvers; never the submitter)",
            "EffectiveDate",
        ),
        "reject": ("Send a submitted batch back (approvers)", "Reason"),
        "cancel": ("Cancel a batch not yet paid; an approved one is reversed", "Reason"),
        "pay": ("Release the money: Dr 2000 / Cr 1010 and 1020, fees to 5100", "EffectiveDate"),
    }
    for name, (summary, body) in steps.items():
        spec.path(
            f"/batches/{{batch_id}}/{name}",
            operations={
                "post": {
                    "summary": summary,
                    "parameters": [batch_id],
                    "requestBody": {"required": True, **json_content(schema_ref(body))},
                    "responses": {
                        "200": {
                            "description": "the batch after the step",
                            **json_content(schema_ref("BatchDetail")),
                        },
                        **errors,
                        **refusals,
                        **not_found,
                    },
                }
            },
        )
    spec.path(
        "/batches/{batch_id}/expire-unclaimed",
        operations={
            "post": {
                "summary": "Failed lines not reissued within the period: Dr 2000 / Cr 2100",
                "parameters": [batch_id],
                "requestBody": {"required": True, **json_content(schema_ref("Expire"))},
                "responses": {
                    "200": {"description": "the batch", **json_content(schema_ref("BatchDetail"))},
                    **errors,
                    **refusals,
                    **not_found,
                },
            }
        },
    )
    spec.path(
        "/float",
        operations={
            "post": {
                "summary": "Move taka from the bank (1010) to the mobile-money float (1020)",
                "requestBody": {"required": True, **json_content(schema_ref("FloatIn"))},
                "responses": {
                    "201": {"description": "the entry", **json_content(schema_ref("FloatOut"))},
                    **errors,
                    **refusals,
                },
            }
        },
    )
    spec.path(
        "/batches/{batch_id}/reconcile",
        operations={
            "post": {
                "summary": "Import the provider result file; the same file again changes nothing",
                "parameters": [batch_id],
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["file"],
                                "properties": {"file": {"type": "string", "format": "binary"}},
                            }
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "what the file did",
                        **json_content(schema_ref("Reconciliation")),
                    },
                    "400": error_answer("no file was sent"),
                    **errors,
                    **refusals,
                    **not_found,
                },
            }
        },
    )
    spec.path(
        "/batches/{batch_id}/lines/{line_id}/{action}",
        operations={
            "post": {
                "summary": "Settle one line: paid, failed (body: reason), unclaimed, reissue",
                "parameters": [
                    batch_id,
                    integer("line_id"),
                    {
                        "name": "action",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "enum": list(LINE_ACTIONS)},
                    },
                ],
                "requestBody": {"required": True, **json_content(schema_ref("LineAction"))},
                "responses": {
                    "200": {
                        "description": "the line (a reissue: the new line)",
                        **json_content(schema_ref("PaymentLine")),
                    },
                    **errors,
                    **refusals,
                    **not_found,
                },
            }
        },
    )

    spec.path(
        "/batches/{batch_id}/lines/{line_id}/payee-change",
        operations={
            "post": {
                "summary": "Ask to pay a failed line to another wallet, account or method;"
                " an approver other than you approves it before any money moves",
                "parameters": [batch_id, integer("line_id")],
                "requestBody": {"required": True, **json_content(schema_ref("PayeeChangeIn"))},
                "responses": {
                    "201": {
                        "description": "the request",
                        **json_content(schema_ref("PayeeChange")),
                    },
                    **errors,
                    **refusals,
                    **not_found,
                },
            }
        },
    )
    spec.path(
        "/payee-changes/{change_id}/{decision}",
        operations={
            "post": {
                "summary": "Approve (body: on; the line is reissued to the new details) or"
                " reject (body: reason) a payee change; never by its requester",
                "parameters": [
                    integer("change_id"),
                    {
                        "name": "decision",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "enum": ["approve", "reject"]},
                    },
                ],
                "requestBody": {"required": True, **json_content(schema_ref("Reason"))},
                "responses": {
                    "200": {
                        "description": "approve: the new line; reject: the change",
                        **json_content(
                            {"anyOf": [schema_ref("PaymentLine"), schema_ref("PayeeChange")]}
                        ),
                    },
                    **errors,
                    **refusals,
                    **not_found,
                },
            }
        },
    )

    def download(
        summary: str, mimetype: str, extra: list[dict[str, Any]] | None = None
    ) -> dict[str, Any]:
        return {
            "get": {
                "summary": summary,
                "parameters": [batch_id, *(extra or [])],
                "responses": {
                    "200": {
                        "description": "the file",
                        "content": {mimetype: {"schema": {"type": "string", "format": "binary"}}},
                    },
                    **errors,
                    **not_found,
                },
            }
        }

    sheet_format = {
        "name": "file_format",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "enum": ["xlsx", "pdf"]},
    }
    sheet_op = download(
        "The disbursement sheet, XLSX or PDF (fund staff only)", XLSX, [sheet_format]
    )
    sheet_op["get"]["responses"]["200"]["content"]["application/pdf"] = {
        "schema": {"type": "string", "format": "binary"}
    }
    spec.path("/batches/{batch_id}/sheet.{file_format}", operations=sheet_op)
    spec.path(
        "/batches/{batch_id}/receipts.pdf",
        operations=download("One receipt page per worker (fund staff only)", "application/pdf"),
    )
    payment = download(
        "The provider's bulk payment file of pending lines (README: the formats)",
        "text/csv",
        [
            {
                "name": "format",
                "in": "query",
                "schema": {"type": "string", "enum": ["mobile", "bank"]},
            }
        ],
    )
    payment["get"]["responses"]["400"] = error_answer("format is neither mobile nor bank")
    spec.path("/batches/{batch_id}/payment-file", operations=payment)
