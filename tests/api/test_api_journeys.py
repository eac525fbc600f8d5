"""The officer's journey walked through ``/api/v1`` alone, the books checked at the end.

Money in (a brand's contribution) → event → roll → compute → batch → submit → approve (another
user) → sheet → pay → payment file → provider's result file → lines paid; every JSON answer is
checked against the OpenAPI document.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask.testing import FlaskClient
from openpyxl import load_workbook

from fund.auth.roles import Role
from tests.api.openapi_check import expect

if TYPE_CHECKING:
    from tests.conftest import People

API = "/api/v1"
Headers = Callable[[Role], dict[str, str]]
# Two bank-paid workers, grade 5 (gross 12,500 a month): 60 days at 100 % = 25,000 each.
ROLL = (
    "Card No,Worker Name,NID,Section,DOJ,Basic Salary,House Rent,Medical,Transport,Food,"
    "Payment Method,Bank Account,Routing Number\n"
    "B-1,Karim Mia,1990000000001,Cutting,01/08/2019,6700,3350,750,450,1250,bank,0123456789,"
    "225261732\n"
    "B-2,রহিমা খাতুন,1990000000002,Sewing,01/08/2019,6700,3350,750,450,1250,bank,0123456780,"
    "090261184\n"
)


def test_the_officer_journey_through_the_api_keeps_the_books(
    client: FlaskClient, users: People, headers: Headers, spec: dict[str, Any]
) -> None:
    officer, approver = headers(Role.OFFICER), headers(Role.APPROVER)
    accountant = headers(Role.ACCOUNTANT)

    def post(path: str, url: str, status: int, who: dict[str, str], **kw: Any) -> Any:
        if "data" not in kw:
            kw.setdefault("json", {})  # every write sends a JSON object, {} for no options
        return expect(spec, client.post(API + url, headers=who, **kw), path, "post", status)

    post(
        "/brands/{code}/contributions",
        "/brands/NORD/contributions",
        201,
        accountant,
        json={
            "bank_reference": "BEFTN-0001",
            "amount": "100000.00",
            "currency": "BDT",
            "value_date": "2024-02-15",
        },
    )

    event = post(
        "/events",
        "/events",
        201,
        officer,
        json={
            "factory": "DHK-1",
            "kind": "suspension",
            "start": "2024-03-01",
            "end": "2024-04-29",
            "reference": "Alliance panel 2024/03",
            "policy": "alliance-wage-replacement",
        },
    )
    assert event["roll_id"] is None  # the factory has not sent its payroll yet
    event_id = event["id"]
    roll = post(
        "/factories/{code}/rolls",
        "/factories/DHK-1/rolls",
        201,
        officer,
        data={
            "as_of": "2024-02-29",
            "nobody_left": "true",
            "file": (io.BytesIO(ROLL.encode()), "payroll.csv"),
        },
        content_type="multipart/form-data",
    )
    assert roll["worker_count"] == 2
    attached = post("/events/{event_id}/roll", f"/events/{event_id}/roll", 200, officer)
    assert attached["roll_id"] == roll["id"]

    run = post("/events/{event_id}/compute", f"/events/{event_id}/compute", 201, officer)
    assert (run["workers"], run["eligible"], run["total"]) == (2, 2, "50000.00")

    batch = post("/events/{event_id}/batches", f"/events/{event_id}/batches", 201, officer)
    assert (batch["state"], batch["total"], batch["line_count"]) == ("draft", "50000.00", 2)
    batch_url = f"/batches/{batch['id']}"
    submitted = post("/batches/{batch_id}/submit", f"{batch_url}/submit", 200, officer)
    assert submitted["state"] == "submitted"
    post("/batches/{batch_id}/approve", f"{batch_url}/approve", 403, officer)
    approved = post(
        "/batches/{batch_id}/approve",
        f"{batch_url}/approve",
        200,
        approver,
        json={"on": "2024-05-02"},
    )
    assert (approved["state"], approved["approved_by"]) == ("approved", "approver")

    sheet = client.get(f"{API}{batch_url}/sheet.xlsx", headers=officer)
    assert sheet.status_code == 200
    sheet_cells = [
        cell
        for row in load_workbook(io.BytesIO(sheet.data), read_only=True).active.iter_rows(
            values_only=True
        )
        for cell in row
    ]
    assert {"B-1", "B-2"} <= set(sheet_cells)

    paid = post(
        "/batches/{batch_id}/pay", f"{batch_url}/pay", 200, accountant, json={"on": "2024-05-03"}
    )
    assert paid["state"] == "paid"
    payment_file = client.get(f"{API}{batch_url}/payment-file?format=bank", headers=accountant)
    assert (payment_file.status_code, payment_file.mimetype) == (200, "text/csv")
    # A byte-order mark (Excel reads the Bengali names right), and each worker's routing number
    # from the roll beside the account it belongs to (BEFTN routes by it).
    assert payment_file.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(payment_file.data.decode("utf-8-sig"))))
    assert sorted((row["Account Number"], row["Routing Number"]) for row in rows) == [
        ("0123456780", "090261184"),
        ("0123456789", "225261732"),
    ]
    assert "রহিমা খাতুন" in {row["Account Name"] for row in rows}

    result = io.StringIO()
    writer = csv.writer(result)
    writer.writerow(["Reference", "Amount", "Status", "Transaction ID"])
    for number, row in enumerate(rows):
        writer.writerow([row["Reference"], row["Amount"], "success", f"TRX{number}"])
    reconciled = post(
        "/batches/{batch_id}/reconcile",
        f"{batch_url}/reconcile",
        200,
        accountant,
        data={"file": (io.BytesIO(result.getvalue().encode()), "results.csv")},
        content_type="multipart/form-data",
    )
    assert (reconciled["paid"], reconciled["failed"], reconciled["mismatches"]) == (2, 0, [])

    done = expect(
        spec, client.get(f"{API}{batch_url}", headers=officer), "/batches/{batch_id}", "get", 200
    )
    assert done["state"] == "paid"
    assert done["line_states"] == {"paid": 2}

    books = expect(
        spec,
        client.get(f"{API}/ledger/trial-balance", headers=accountant),
        "/ledger/trial-balance",
        "get",
        200,
    )
    assert books["balanced"] is True
    assert all(total["debit"] == total["credit"] for total in books["totals"])
    by_code: dict[str, tuple[str, str]] = {}
    for line in books["accounts"]:
        by_code[line["code"]] = (line["debit"], line["credit"])
    assert by_code["1010"] == ("50000.00", "0.00")  # 100,000 in, 50,000 out (no bank fee set)
    assert by_code["5000"] == ("50000.00", "0.00")  # the workers' compensation
    assert "2000" not in by_code or by_code["2000"] == ("0.00", "0.00")  # nothing left owing
