"""``fund claims …``: file, list and decide workers' claims; the SMS text and the report.

The acting user is given with ``--as USER``. A refused step exits with status 1 and says why;
bad input (an unknown claim, event or user) exits with status 2. Adding a missing worker with
their roll line is done on the claim's page or through the API, where the roll fields are.
"""

from __future__ import annotations

import json
from contextlib import AbstractContextManager

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.orm import Session

from fund.claims import deciding, filing, reporting, services
from fund.claims.models import CLAIM_KINDS, CLAIM_STATUSES, RAISED_BY, Claim
from fund.claims.schemas import ClaimReportOut
from fund.cli_options import acting_user, event_by_id, fail, step_work
from fund.controls.approvals import bands_from_config
from fund.db import get_session, utcnow
from ledger.money import format_minor

claims_cli = AppGroup("claims", help="Workers' claims: file, decide, tell the worker, report.")

as_option = click.option("--as", "username", help="The acting user (required).")


def _claim_step() -> AbstractContextManager[Session]:
    # Bad input (ClaimInvalid) exits 2, any other refusal 1; nothing of the step is kept.
    return step_work(invalid=(services.ClaimInvalid,), refused=(services.ClaimRefused,))


def _claim(session: Session, claim_id: int) -> Claim:
    claim = session.get(Claim, claim_id)
    if claim is None:
        fail(f"no claim {claim_id}")
    return claim


def _line(claim: Claim) -> str:
    amount = (
        f", top-up {format_minor(claim.amount_minor, 'BDT')} BDT in batch {claim.batch_id}"
        if claim.amount_minor
        else ""
    )
    return (
        f"{claim.reference} {claim.status}: {services.KIND_LABELS[claim.kind]}, "
        f"{claim.worker_name}, event {claim.event_id}, due {claim.due_on}{amount}"
    )


def _helpline() -> str:
    return str(current_app.config.get("CLAIMS_HELPLINE", ""))


@claims_cli.command("file")
@click.argument("event_id", type=int)
@click.option("--kind", type=click.Choice(CLAIM_KINDS), required=True)
@click.option("--name", "worker_name", required=True, help="The worker's name as they give it.")
@click.option("--national-id", required=True)
@click.option("--phone", default="")
@click.option("--section", default="")
@click.option("--raised-by", type=click.Choice(RAISED_BY), default="helpline")
@click.option("--raised-by-name", default="", help="The union or the operator.")
@click.option("--description", default="")
@as_option
def file_claim(
    event_id: int,
    kind: str,
    worker_name: str,
    national_id: str,
    phone: str,
    section: str,
    raised_by: str,
    raised_by_name: str,
    description: str,
    username: str | None,
) -> None:
    """File a worker's claim about EVENT_ID."""
    with _claim_step() as session:
        claim = filing.file_claim(
            session,
            event=event_by_id(session, event_id),
            kind=kind,
            raised_by=raised_by,
            raised_by_name=raised_by_name,
            worker_name=worker_name,
            national_id=national_id,
            phone=phone,
            section=section,
            description=description,
            actor=acting_user(session, username),
            deadlines={
                **services.DEADLINE_DAYS,
                **current_app.config.get("CLAIM_DEADLINES", {}),
            },
        )
        click.echo(_line(claim))


@claims_cli.command("list")
@click.option("--status", type=click.Choice(CLAIM_STATUSES))
@click.option("--overdue", is_flag=True, help="Open claims past their deadline only.")
@click.option("--json", "as_json", is_flag=True)
def list_claims(status: str | None, overdue: bool, as_json: bool) -> None:
    """Claims, newest first."""
    session = get_session()
    query = select(Claim).order_by(Claim.id.desc())
    if status:
        query = query.where(Claim.status == status)
    if overdue:
        query = query.where(Claim.status == "open", Claim.due_on < utcnow().date())
    claims = session.scalars(query).all()
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "reference": c.reference,
                        "id": c.id,
                        "status": c.status,
                        "kind": c.kind,
                        "event": c.event_id,
                        "due_on": c.due_on.isoformat(),
                    }
                    for c in claims
                ]
            )
        )
        return
    for claim in claims:
        click.echo(_line(claim))


@claims_cli.command("message")
@click.argument("claim_id", type=int)
def message(claim_id: int) -> None:
    """The outcome as a text of at most 160 characters, for the SMS gateway."""
    click.echo(reporting.outcome_text(_claim(get_session(), claim_id), helpline=_helpline()))


def _decide(claim_id: int, username: str | None, action: str, **kwargs: object) -> None:
    with _claim_step() as session:
        claim = _claim(session, claim_id)
        getattr(deciding, action)(
            session, claim=claim, actor=acting_user(session, username), **kwargs
        )
        click.echo(_line(claim))


@claims_cli.command("accept")
@click.argument("claim_id", type=int)
@click.option("--worker-id", help="The roll's worker the claim is about (a candidate's ID).")
@click.option("--note", default="")
@click.option(
    "--no-pay", is_flag=True, help="Record the decision only; no recomputation or top-up."
)
@as_option
def accept(
    claim_id: int, worker_id: str | None, note: str, no_pay: bool, username: str | None
) -> None:
    """Accept a claim about a worker on the roll: recompute and submit their top-up batch."""
    _decide(
        claim_id,
        username,
        "accept_claim",
        worker_id=worker_id,
        note=note,
        pay=not no_pay,
        secret_key=current_app.config["SECRET_KEY"],
        bands=bands_from_config(current_app.config),
    )


@claims_cli.command("reject")
@click.argument("claim_id", type=int)
@click.option("--reason", required=True, help="What the worker will be told.")
@as_option
def reject(claim_id: int, reason: str, username: str | None) -> None:
    """Reject a claim, with the reason."""
    _decide(claim_id, username, "reject_claim", reason=reason)


@claims_cli.command("refer")
@click.argument("claim_id", type=int)
@click.option("--to", "referred_to", required=True)
@click.option("--note", default="")
@as_option
def refer(claim_id: int, referred_to: str, note: str, username: str | None) -> None:
    """Refer a claim to someone else."""
    _decide(claim_id, username, "refer_claim", referred_to=referred_to, note=note)


@claims_cli.command("report")
@click.option("--json", "as_json", is_flag=True)
def report(as_json: bool) -> None:
    """Claims by factory, kind, status and age; the share decided by the deadline."""
    found = reporting.report(get_session(), today=utcnow().date())
    if as_json:
        click.echo(
            json.dumps(ClaimReportOut().dump(found) | {"deadlines": dict(services.DEADLINE_DAYS)})
        )
        return
    share = "—" if found.share_in_time is None else f"{found.share_in_time:.0%}"
    click.echo(
        f"{found.total} claims; {found.decided} decided, {found.decided_in_time} by the deadline"
        f" ({share}); {found.overdue} open past the deadline"
    )
    for status, count in found.by_status.items():
        click.echo(f"  {status}: {count}")
    click.echo(
        f"  referrals waiting for an outcome: {found.referrals_waiting}; came back: "
        + ", ".join(f"{o.replace('_', ' ')} {n}" for o, n in found.referrals.items() if o)
    )
    click.echo(f"  filed after the filing window: {found.late_filed}")
    for code, counts in found.by_factory.items():
        click.echo(f"  {code}: " + ", ".join(f"{s} {n}" for s, n in sorted(counts.items())))
    for label, count in found.open_by_age.items():
        click.echo(f"  open {label}: {count}")
