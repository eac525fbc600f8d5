"""``fund claims …`` on the demo data: filing, listing, the SMS text, deciding and the report.

The demo has DHK-017's suspension (event 1, its 42 workers in a batch sent to the provider) and
GZP-042's closure (event 2, computed, nobody paid yet). Each test starts from a fresh database.
"""

from __future__ import annotations

import html
import json

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from sqlalchemy.orm import Session

from fund import create_app
from fund.claims import messages
from fund.claims.models import Claim
from fund.cli import main
from fund.demo import DEMO_PASSWORD
from fund.disbursements.models import DisbursementBatch
from tests.cli.test_cli_commands import Fund, cli_database_url, count, database, fund  # noqa: F401
from tests.conftest import BrowserLikeClient, csrf_token_from

pytestmark = pytest.mark.slow

#: Nasrin is on neither demo roll; the helpline writes her details as she gives them.
NASRIN = ["--name", "Nasrin Akter", "--national-id", "1990000000099", "--phone", "01711000099"]
#: The first worker of GZP-042's demo roll (the closure, not paid yet).
GZP_1 = ("GZP-0001", "1990331000001")


def demo(fund: Fund) -> None:  # noqa: F811
    fund("init-db")
    fund("demo")


def filed(fund: Fund, *args: str) -> int:  # noqa: F811
    """File a claim and return its id (the number in its ``CL-…`` reference)."""
    line = fund("claims", "file", *args).output
    assert line.startswith("CL-"), line
    return int(line.split()[0].removeprefix("CL-"))


def test_file_a_claim_and_the_refusals(fund: Fund, database: Session) -> None:  # noqa: F811
    demo(fund)
    made = fund(
        "claims", "file", "1", "--kind", "not_on_roll", *NASRIN, "--section", "Sewing A",
        "--raised-by", "union", "--raised-by-name", "Sommilito Garments Sramik Federation",
        "--description", "Worked on line 4 since 2019; not on the list.", "--as", "helpline",
    ).output  # fmt: skip
    assert made.startswith("CL-000001 open: not on the roll, Nasrin Akter, event 1, due ")
    assert made.count("\n") == 1
    database.rollback()  # a fresh read: the commands committed since
    claim = database.get(Claim, 1)
    assert claim is not None
    assert (claim.kind, claim.status, claim.raised_by) == ("not_on_roll", "open", "union")
    assert (claim.national_id, claim.phone, claim.section) == (
        "1990000000099", "01711000099", "Sewing A",
    )  # fmt: skip
    assert claim.filed_by.username == "helpline"
    assert (claim.due_on - claim.filed_at.date()).days == 30

    # Refused (exit 1): the same worker's open claim of the same kind, said on stderr.
    again = fund("claims", "file", "1", "--kind", "not_on_roll", *NASRIN, "--as", "officer",
                 expect=1)  # fmt: skip
    assert "CL-000001 (not on the roll) is already open" in again.stderr
    assert again.stdout == ""
    refused = fund("claims", "file", "1", "--kind", "other", *NASRIN, "--as", "auditor", expect=1)
    assert "auditor (auditor) may not file claims" in refused.stderr

    # Bad input (exit 2): what is wrong is named, and nothing is stored.
    for args, reason in [
        (
            ["1", "--kind", "other", "--name", "X", "--national-id", "12"],
            "national ID '12' is not a national ID: it has 2 digits",
        ),
        (
            ["1", "--kind", "other", *NASRIN[:4], "--phone", "12345"],
            "(a Bangladeshi mobile number)",
        ),
        (["99", "--kind", "other", *NASRIN], "no event 99"),
        (["1", "--kind", "other", "--name", " ", "--national-id", NASRIN[3]], "worker's name"),
    ]:
        bad = fund("claims", "file", *args, "--as", "helpline", expect=2)
        assert bad.stderr.startswith("error: "), bad.stderr
        assert reason in bad.stderr, (args, bad.stderr)
    assert "--as USER" in fund("claims", "file", "1", "--kind", "other", *NASRIN, expect=2).stderr
    assert "no active user 'nobody'" in (
        fund("claims", "file", "1", "--kind", "other", *NASRIN, "--as", "nobody", expect=2).stderr
    )
    assert "'bogus' is not one of" in (
        fund("claims", "file", "1", "--kind", "bogus", *NASRIN, "--as", "helpline", expect=2).stderr
    )
    database.rollback()
    assert count(database, Claim) == 1


def test_list_newest_first_by_status_and_as_json(fund: Fund) -> None:  # noqa: F811
    demo(fund)
    assert fund("claims", "list").output == ""
    assert json.loads(fund("claims", "list", "--json").output) == []
    first = filed(fund, "1", "--kind", "not_on_roll", *NASRIN, "--as", "helpline")
    second = filed(fund, "2", "--kind", "wrong_amount", "--name", "Rahima Khatun",
                   "--national-id", GZP_1[1], "--as", "helpline")  # fmt: skip
    fund("claims", "reject", str(first), "--reason", "No record at the factory.", "--as", "officer")

    lines = fund("claims", "list").output.splitlines()
    assert [line.split()[:2] for line in lines] == [
        ["CL-000002", "open:"],
        ["CL-000001", "rejected:"],
    ]
    assert "wrong amount, Rahima Khatun, event 2" in lines[0]
    listed = json.loads(fund("claims", "list", "--json").output)
    assert [(c["id"], c["status"], c["kind"], c["event"]) for c in listed] == [
        (second, "open", "wrong_amount", 2),
        (first, "rejected", "not_on_roll", 1),
    ]
    assert all(c["reference"] == f"CL-{c['id']:06d}" for c in listed)
    only_open = json.loads(fund("claims", "list", "--status", "open", "--json").output)
    assert [c["id"] for c in only_open] == [second]
    assert fund("claims", "list", "--overdue").output == ""  # filed today: nothing late yet
    fund("claims", "list", "--status", "lost", expect=2)


def letter_text(database_url: str, claim_id: int) -> str:
    """The claim's printable letter page as the helpline sees it, unescaped."""
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "cli-test", "TESTING": True,
                      "SERVER_NAME": "localhost"})  # fmt: skip
    app.test_client_class = BrowserLikeClient
    client = app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    signed_in = client.post(
        "/login", data={"csrf_token": token, "username": "helpline", "password": DEMO_PASSWORD}
    )
    assert signed_in.status_code == 302
    page = client.get(f"/claims/{claim_id}/letter")
    assert page.status_code == 200
    return html.unescape(page.get_data(as_text=True))


def test_message_is_one_sms_and_the_letter_prints_the_same(
    fund: Fund,  # noqa: F811
    cli_database_url: str,  # noqa: F811
) -> None:
    demo(fund)
    claim = filed(fund, "1", "--kind", "not_on_roll", *NASRIN, "--as", "helpline")

    def message() -> str:
        text = fund("claims", "message", str(claim)).output
        assert text.endswith("\n")
        text = text[:-1]
        assert messages.count(text).parts <= 3
        assert text.isprintable()  # one line, no control characters for the gateway
        assert text in letter_text(cli_database_url, claim)
        return text

    assert message().startswith("Worker Fund: we have your claim CL-000001. We will answer by ")
    # A reason longer than three SMS parts is cut to fit, with "..." (GSM-7: "…" would turn
    # the whole text into UCS-2); the letter keeps it whole.
    reason = "The factory's attendance register for line 4 has no worker of this name. " * 8
    fund("claims", "reject", str(claim), "--reason", reason, "--as", "officer")
    text = message()
    assert text.startswith("Worker Fund: your claim CL-000001 is not accepted: The factory's")
    counted = messages.count(text)
    assert (counted.encoding, counted.units, counted.parts) == ("GSM-7", len(text), 3)
    assert len(text) > 3 * 153 - 20
    assert text.endswith("...")
    assert reason.strip() in letter_text(cli_database_url, claim)
    assert "no claim 99" in fund("claims", "message", "99", expect=2).stderr


def test_reject_is_for_officers_not_the_helpline(fund: Fund, database: Session) -> None:  # noqa: F811
    demo(fund)
    claim = str(filed(fund, "1", "--kind", "not_on_roll", *NASRIN, "--as", "helpline"))
    reason = "The factory has no record of you."
    refused = fund("claims", "reject", claim, "--reason", reason, "--as", "helpline", expect=1)
    assert "helpline (helpline) may not decide claims" in refused.stderr
    database.rollback()
    assert database.get(Claim, int(claim)).status == "open"  # type: ignore[union-attr]

    done = fund("claims", "reject", claim, "--reason", reason, "--as", "officer").output
    assert done.startswith("CL-000001 rejected: not on the roll, Nasrin Akter")
    database.rollback()
    rejected = database.get(Claim, int(claim))
    assert rejected is not None
    assert (rejected.status, rejected.decision_note) == ("rejected", reason)
    assert rejected.decided_by.username == "officer"  # type: ignore[union-attr]
    twice = fund("claims", "reject", claim, "--reason", reason, "--as", "officer", expect=1)
    assert "CL-000001 is already rejected" in twice.stderr
    assert "no claim 99" in fund("claims", "reject", "99", "--reason", "x", "--as", "officer",
                                 expect=2).stderr  # fmt: skip
    fund("claims", "reject", claim, "--as", "officer", expect=2)  # --reason is required


def test_accept_tops_up_a_roll_worker_and_refer_passes_a_claim_on(
    fund: Fund,  # noqa: F811
    database: Session,  # noqa: F811
) -> None:
    demo(fund)
    missing = str(filed(fund, "1", "--kind", "not_on_roll", *NASRIN, "--as", "helpline"))
    # A missing worker needs their roll line, which only the page and the API take.
    no_line = fund("claims", "accept", missing, "--worker-id", "DHK-0099", "--as", "officer",
                   expect=2)  # fmt: skip
    assert "added with their roll details" in no_line.stderr
    wrong = str(filed(fund, "2", "--kind", "wrong_amount", "--name", "Rahima Khatun",
                      "--national-id", GZP_1[1], "--as", "helpline"))  # fmt: skip
    fund("claims", "accept", wrong, "--worker-id", GZP_1[0], "--as", "helpline", expect=1)

    # The demo's events ended in 2025: a claim filed today is past the filing window, so
    # accepting it says why.
    late = fund("claims", "accept", wrong, "--worker-id", GZP_1[0], "--as", "officer", expect=2)
    assert "filed after the event's filing window" in late.stderr
    accepted = fund("claims", "accept", wrong, "--worker-id", GZP_1[0], "--as", "officer",
                    "--note", "Pay slip seen; late because she was in hospital").output  # fmt: skip
    assert "CL-000002 accepted: wrong amount" in accepted
    database.rollback()
    claim = database.get(Claim, int(wrong))
    assert claim is not None
    assert claim.batch_id is not None
    batch = database.get(DisbursementBatch, claim.batch_id)
    assert batch is not None
    assert (batch.state, batch.event_id, batch.total_minor) == ("submitted", 2, claim.amount_minor)
    assert f"in batch {batch.id}" in accepted
    assert "will be paid to you" in fund("claims", "message", wrong).output

    fund("claims", "refer", missing, "--to", "Labour inspectorate", "--note",
         "The factory denies she worked there.", "--as", "officer")  # fmt: skip
    assert "is passed to Labour inspectorate." in fund("claims", "message", missing).output


def test_accept_submits_the_top_up_with_the_configured_approval_bands(
    fund: Fund,  # noqa: F811
    cli_database_url: str,  # noqa: F811
    database: Session,  # noqa: F811
) -> None:
    demo(fund)
    claim = filed(fund, "2", "--kind", "wrong_amount", "--name", "Rahima Khatun",
                  "--national-id", GZP_1[1], "--as", "helpline")  # fmt: skip
    # A fund whose config asks two approvers for every batch, as the pages and the API obey.
    two_always = ScriptInfo(
        create_app=lambda: create_app(
            {"DATABASE_URL": cli_database_url, "SECRET_KEY": "cli-test",
             "APPROVAL_BANDS": [[None, 2]]}
        )
    )  # fmt: skip
    result = CliRunner().invoke(
        main,
        [
            "claims",
            "accept",
            str(claim),
            "--worker-id",
            GZP_1[0],
            "--as",
            "officer",
            "--note",
            "Late: pay slip found only now",
        ],
        obj=two_always,
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    database.rollback()
    accepted = database.get(Claim, claim)
    assert accepted is not None
    batch = database.get(DisbursementBatch, accepted.batch_id)
    assert batch is not None
    assert (batch.state, batch.approvals_required) == ("submitted", 2)


def test_report_counts_add_up_in_text_and_json(fund: Fund) -> None:  # noqa: F811
    demo(fund)
    empty = json.loads(fund("claims", "report", "--json").output)
    assert (empty["total"], empty["decided"], empty["share_in_time"]) == (0, 0, None)
    a = filed(fund, "1", "--kind", "not_on_roll", *NASRIN, "--as", "helpline")
    b = filed(fund, "1", "--kind", "other", *NASRIN, "--as", "helpline")
    filed(fund, "2", "--kind", "wrong_amount", "--name", "Rahima Khatun",
          "--national-id", GZP_1[1], "--as", "helpline")  # fmt: skip
    filed(fund, "2", "--kind", "not_received", "--name", "Karim Mia",
          "--national-id", "1990331000002", "--as", "officer")  # fmt: skip
    fund("claims", "reject", str(a), "--reason", "No record at the factory.", "--as", "officer")
    fund("claims", "refer", str(b), "--to", "The union", "--as", "officer")

    found = json.loads(fund("claims", "report", "--json").output)
    assert found["total"] == 4
    assert found["by_status"] == {"open": 2, "accepted": 0, "rejected": 1, "referred": 1}
    assert sum(found["by_status"].values()) == found["total"]
    assert found["by_factory"] == {
        "DHK-017": {"rejected": 1, "referred": 1},
        "GZP-042": {"open": 2},
    }
    assert sum(n for counts in found["by_factory"].values() for n in counts.values()) == 4
    assert sum(n for counts in found["by_kind"].values() for n in counts.values()) == 4
    assert found["by_kind"]["not_received"] == {"open": 1}
    assert sum(found["open_by_age"].values()) == found["by_status"]["open"]
    assert found["open_by_age"]["0–7 days"] == 2
    # The referral is not decided until it comes back.
    assert found["decided"] == found["total"] - found["by_status"]["open"] - 1 == 1
    assert found["decided_in_time"] == 1
    assert found["referrals"] == {"waiting": 1, "upheld": 0, "not_upheld": 0, "withdrawn": 0}
    assert found["late_filed"] == 4  # the demo's events ended in 2025
    assert found["overdue"] == 0
    assert found["deadlines"] == {"not_received": 7, "wrong_amount": 14, "not_on_roll": 30,
                                  "other": 30}  # fmt: skip

    text = fund("claims", "report").output.splitlines()
    assert text[0] == "4 claims; 1 decided, 1 by the deadline (100%); 0 open past the deadline"
    assert (
        "  referrals waiting for an outcome: 1; came back: upheld 0, not upheld 0, withdrawn 0"
    ) in text
    assert "  filed after the filing window: 4" in text
    assert "  open: 2" in text
    assert "  rejected: 1" in text
    assert "  DHK-017: referred 1, rejected 1" in text
    assert "  GZP-042: open 2" in text
    assert "  open 0–7 days: 2" in text
