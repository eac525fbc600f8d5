"""The command line's money steps ask the acting user's second factor, as the web and API do.

With the second factor required, ``fund batches approve/pay/fund-float/reconcile/line/
payee-change…`` and ``fund users set-role --as`` take a ``--code`` from users whose role must
have one (refused without it, with a wrong or reused one, or when none is enrolled); other
roles go on without. A wrong code counts against the allowance although the step is refused.
"""

from __future__ import annotations

import time

import pyotp
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fund.audit.models import AuditEvent
from fund.auth.models import SignInThrottle, User
from fund.auth.second_factor import confirm_enrolment, start_enrolment
from fund.db import make_engine
from tests.cli.test_cli_commands import Fund, cli_database_url, fund_runner  # noqa: F401


def code(secret: str, steps_ahead: int) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


@pytest.fixture
def strict_fund(cli_database_url: str) -> Fund:  # noqa: F811
    """``fund(*args)`` in production mode: the second factor required (the default there)."""
    return fund_runner(cli_database_url)


def enrol(url: str, username: str) -> str:
    """Give ``username`` an authenticator app, as the web page does; returns its secret."""
    engine = make_engine(url)
    with Session(engine) as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        start_enrolment(session, user=user)
        assert user.totp_secret is not None
        secret = user.totp_secret
        confirm_enrolment(session, user=user, code=code(secret, 0))
        session.commit()
    engine.dispose()
    return secret


def test_money_steps_and_role_changes_ask_the_acting_users_code(
    strict_fund: Fund,
    cli_database_url: str,  # noqa: F811
) -> None:
    fund = strict_fund
    fund("init-db")
    fund("demo")
    approver_secret = enrol(cli_database_url, "approver")
    admin_secret = enrol(cli_database_url, "admin")

    # The officer's own steps need no code (officers are asked only when the fund says so).
    made = fund("batches", "create", "2", "--as", "officer").output
    batch_id = str(int(made.split()[1]))
    fund("batches", "submit", batch_id, "--as", "officer")

    approve = ("batches", "approve", batch_id, "--as", "approver", "--on", "2026-04-01")
    missing = fund(*approve, expect=1)
    assert "second-factor code is needed" in missing.stderr
    wrong = fund(*approve, "--code", "000000", expect=1)
    assert "not right" in wrong.stderr
    # The same code string twice: computing it again could fall in the next 30-second step
    # (a command takes seconds under load) and give a fresh, valid code instead of a reused one.
    approver_code = code(approver_secret, 1)
    fund(*approve, "--code", approver_code)  # one of the two approvals it needs
    reused = fund(*approve, "--code", approver_code, expect=1)
    assert "not right" in reused.stderr

    # The accountant pays, but has no authenticator app yet: told to set one up first.
    unenrolled = fund("batches", "pay", batch_id, "--as", "accountant", expect=1)
    assert "must set up a second factor" in unenrolled.stderr
    float_move = fund("batches", "fund-float", "1000", "--as", "accountant", expect=1)
    assert "must set up a second factor" in float_move.stderr

    # A role change done as an administrator: her code, and the log names her.
    fund("users", "set-role", "helpline", "--role", "auditor", "--as", "admin", expect=1)
    fund(
        "users", "set-role", "helpline", "--role", "auditor", "--as", "admin",
        "--code", code(admin_secret, 1),
    )  # fmt: skip
    engine = make_engine(cli_database_url)
    with Session(engine) as session:
        change = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "user.role_change")
        ).one()
        assert change.actor_name == "admin"
        # The wrong code was refused, yet counted and logged (its own unit of work committed).
        failures = session.scalar(
            select(func.count()).where(AuditEvent.action == "user.second_factor_failed")
        )
        assert failures == 2  # the wrong code and the reused one
        throttle = session.get(SignInThrottle, f"code:{_user_id(session, 'approver')}")
        assert throttle is not None
    engine.dispose()


def _user_id(session: Session, username: str) -> int:
    return session.scalars(select(User.id).where(User.username == username)).one()
