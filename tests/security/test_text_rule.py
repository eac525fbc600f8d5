"""One text rule at every door: API bodies and paths (422), forms and paths (400), CLI options."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import click
import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from fund.audit.models import AuditEvent
from fund.auth.models import User
from fund.cli import main
from fund.text import CONTROL_CHARACTER, TEXT
from imports.writing import neutralise

if TYPE_CHECKING:
    from tests.conftest import People

# Every character the rule refuses: C0 but tab and line breaks, and DEL.
REFUSED = [chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F]]


def audit_count(users: People) -> int:
    return int(users.session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("post", "/api/v1/tokens/step-up", {"code": "12\x0034"}, "code"),
        (
            "post",
            "/api/v1/brands/NORD/pledges",
            {"reference": "P-1\x1b[2J", "amount": "10.00", "currency": "USD"},
            "reference",
        ),
        (
            "post",
            "/api/v1/brands/NORD/contributions",
            {"bank_reference": "TT\x7f", "amount": "1.00", "currency": "USD"},
            "bank_reference",
        ),
        ("get", "/api/v1/brands/NO%00RD", None, "code"),
        ("get", "/api/v1/brands/NORD/statement?on=%01", None, "on"),
    ],
)
def test_the_api_refuses_control_characters_with_422_naming_the_field(
    client: FlaskClient,
    users: People,
    api_token: Callable[[User], str],
    method: str,
    path: str,
    body: dict[str, object] | None,
    field: str,
) -> None:
    headers = {"Authorization": f"Bearer {api_token(users.admin)}"}
    before = audit_count(users)
    answer = getattr(client, method)(path, json=body, headers=headers)
    assert answer.status_code == 422
    error = answer.get_json()["errors"][0]
    assert error["field"] == field
    assert "control character" in error["message"]
    assert audit_count(users) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reason": "no\x00thing"}, "reason"),
        ({"reason": "\x07bell", "on": "2026-01-05"}, "reason"),
    ],
)
def test_every_body_a_schema_takes_follows_the_rule(
    app: Flask, body: dict[str, object], field: str
) -> None:
    from marshmallow import ValidationError

    from fund.api.parsing import RequestParser
    from fund.disbursements.schemas import ReasonIn, ReissueIn

    def load_body(schema: object) -> object:
        return RequestParser().parse(schema, location="json")  # type: ignore[arg-type]

    with app.test_request_context(json=body), pytest.raises(ValidationError) as caught:
        load_body(ReasonIn())
    assert field in caught.value.normalized_messages()  # type: ignore[no-untyped-call]
    extra = {"bank_account": "12\x0034", "extra\x00": 1}  # the ignored extra is no matter
    with app.test_request_context(json=extra), pytest.raises(ValidationError, match="bank_acc"):
        load_body(ReissueIn())


def test_tabs_and_line_breaks_are_text(
    client: FlaskClient, users: People, api_token: Callable[[User], str]
) -> None:
    headers = {"Authorization": f"Bearer {api_token(users.admin)}"}
    answer = client.post("/api/v1/batches/99/reject", json={"reason": "a\tb\r\nc"}, headers=headers)
    assert answer.status_code == 404  # past the text rule: no such batch


@pytest.mark.parametrize("bad", ["\x00", "\x08", "\x1f", "\x7f"])
def test_web_forms_and_paths_refuse_control_characters(
    client: FlaskClient,
    users: People,
    login: Callable[..., object],
    form_token: Callable[[FlaskClient, str], str],
    bad: str,
) -> None:
    login(client, "admin")
    assert client.get(f"/brands/NO{bad}RD").status_code == 400
    token = form_token(client, "/users")
    answer = client.post("/users", data={"csrf_token": token, "username": f"x{bad}"})
    assert answer.status_code == 400
    assert "control character" in answer.get_data(as_text=True)


def test_every_command_option_follows_the_text_rule() -> None:
    def strings(command: click.Command) -> list[str]:
        found = [f"{command.name} {p.name}" for p in command.params if p.type is click.STRING]
        if isinstance(command, click.Group):
            for sub in command.commands.values():
                found.extend(strings(sub))
        return found

    assert strings(main) == []
    result = CliRunner().invoke(main, ["users", "create", "ab\x00c", "--role", "officer"])
    assert result.exit_code == 2
    assert "control character" in result.output
    with pytest.raises(click.BadParameter):
        TEXT.convert("a\x1bb", None, None)


@given(st.text(), st.sampled_from(REFUSED))
def test_the_rule_refuses_exactly_the_control_characters(text: str, bad: str) -> None:
    assert CONTROL_CHARACTER.search(text + bad + text)
    clean = "".join(c for c in text if c not in REFUSED)
    assert CONTROL_CHARACTER.search(clean) is None


_LEADERS = st.text(alphabet=st.sampled_from([" ", "\t", "\r", "\n", "\u00a0", "\u3000", *REFUSED]))


@given(_LEADERS, st.sampled_from(["=", "+", "-", "@"]), st.text())
def test_neutralise_looks_past_leading_blanks_and_control_characters(
    lead: str, start: str, rest: str
) -> None:
    cell = lead + start + rest
    assert neutralise(cell) == "'" + cell


@given(st.characters().filter(str.isalnum), st.text())
def test_neutralise_leaves_text_that_starts_with_a_letter_or_digit_alone(
    first: str, rest: str
) -> None:
    assert neutralise(first + rest) == first + rest


def test_a_tab_before_a_hyperlink_does_not_reach_the_bank_file() -> None:
    assert neutralise('\t=HYPERLINK("http://x","pay")').startswith("'")
