"""Checking a receipt: genuine as issued, refused when altered, unknown or mistyped."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from fund.disbursements.making import create_batch
from fund.disbursements.models import PaymentLine
from fund.disbursements.receipt_checks import check_receipt, normalise_code
from fund.disbursements.receipts import verification_code
from tests.cli.test_cli_commands import Fund, cli_database_url, database, fund  # noqa: F401
from tests.disbursements.conftest import SECRET, World


def first_line(world: World) -> PaymentLine:
    batch = create_batch(world.session, event=world.event, actor=world.officer, secret_key=SECRET)
    return min(batch.lines, key=lambda line: line.id)


def test_a_receipt_as_issued_is_genuine_whatever_the_case_and_dashes(world: World) -> None:
    line = first_line(world)
    for typed in (
        line.verification_code,
        line.verification_code.lower(),
        line.verification_code.replace("-", " "),
    ):
        verdict = check_receipt(
            world.session,
            receipt_number=line.receipt_number.lower(),
            code=typed,
            secret_key=SECRET,
        )
        assert verdict.genuine, typed
        assert verdict.line is line


def test_a_code_for_another_amount_or_receipt_or_key_is_refused(world: World) -> None:
    line = first_line(world)
    facts = {
        "receipt_number": line.receipt_number,
        "worker_id": line.worker_id,
        "amount_minor": line.amount_minor,
        "currency": "BDT",
        "event_id": line.event_id,
    }
    forged = [
        verification_code(SECRET, **{**facts, "amount_minor": line.amount_minor * 10}),
        verification_code(SECRET, **{**facts, "worker_id": "SOMEONE-ELSE"}),
        verification_code("another-key", **facts),
        "0000-0000-0000",
        "not a code",
    ]
    for code in forged:
        verdict = check_receipt(
            world.session, receipt_number=line.receipt_number, code=code, secret_key=SECRET
        )
        assert not verdict.genuine, code
        assert verdict.line is None
        assert "does not match" in verdict.reason


def test_a_number_the_fund_never_issued_is_refused_by_name(world: World) -> None:
    first_line(world)
    verdict = check_receipt(
        world.session, receipt_number="WF-999999-00001", code="7F3A-09C2-B41D", secret_key=SECRET
    )
    assert not verdict.genuine
    assert "WF-999999-00001" in verdict.reason


def test_a_line_whose_stored_code_differs_from_its_facts_does_not_check_out(world: World) -> None:
    """A code stored for other facts (written around the service) is no proof of the receipt."""
    line = first_line(world)
    printed = line.verification_code
    world.session.execute(
        update(PaymentLine).where(PaymentLine.id == line.id).values(amount_minor=1)
    )
    world.session.expire_all()
    verdict = check_receipt(
        world.session, receipt_number=line.receipt_number, code=printed, secret_key=SECRET
    )
    assert not verdict.genuine


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("7f3a09c2b41d", "7F3A-09C2-B41D"),
        (" 7F3A 09C2 B41D ", "7F3A-09C2-B41D"),
        ("7F3A-09C2-B41D", "7F3A-09C2-B41D"),
        ("short", "short"),
    ],
)
def test_codes_are_read_as_people_type_them(typed: str, expected: str) -> None:
    assert normalise_code(typed) == expected


def test_the_check_page_for_staff_and_not_for_brands(
    app: Flask, world: World, login: Callable[..., Any]
) -> None:
    line = first_line(world)
    app.config["SECRET_KEY"] = SECRET
    staff = app.test_client()
    login(staff, "officer")
    page = staff.get(
        "/batches/receipts/check",
        query_string={"number": line.receipt_number, "code": line.verification_code},
    )
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Genuine: issued by the fund" in body
    assert "25,000.00 BDT" in body

    altered = staff.get(
        "/batches/receipts/check",
        query_string={"number": line.receipt_number, "code": "0000-0000-0000"},
    ).get_data(as_text=True)
    assert "Not genuine" in altered
    assert "Genuine: issued" not in altered

    brand = app.test_client()
    login(brand, "nord")
    assert brand.get("/batches/receipts/check").status_code == 403


@pytest.mark.slow
def test_check_receipt_from_the_command_line(fund: Fund, database: Session) -> None:  # noqa: F811
    fund("init-db")
    fund("demo")
    line = database.scalars(select(PaymentLine).order_by(PaymentLine.id)).first()
    assert line is not None
    said = fund("batches", "check-receipt", line.receipt_number, line.verification_code).output
    assert said.startswith(f"genuine: {line.receipt_number} {line.worker_id}")
    refused = fund("batches", "check-receipt", line.receipt_number, "0000-0000-0000", expect=1)
    assert "not genuine" in refused.stderr
