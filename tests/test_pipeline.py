"""The whole pipeline in one test, on both databases: from the dealer's application to an
ACTIVE contract with its schedule, told in order by the tracking timeline and the feed."""

import json
from typing import Any

from fastapi.testclient import TestClient

from app.core.clock import today_jakarta
from app.servicing.ledger import add_months
from tests.conftest import (
    ADMIN,
    ANALYST,
    AUDITOR,
    CS,
    DEALER,
    FINANCE,
    INTEGRATION,
    SALESMAN,
    application,
    auth,
)

TODAY = today_jakarta().isoformat()
SECRET_REMARK = "Slip gaji diragukan: cek rekening koran XYZZY-7731"
DOCUMENTS = (
    "contract",
    "guarantee_statement",
    "receipt",
    "different_signature_statement",
    "vehicle_checklist",
)


class Recorder:
    """Calls the API and keeps every JSON answer, to search them for audit's words."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.bodies: list[str] = []

    def call(
        self, method: str, url: str, headers: dict[str, str], status: int = 200, **kwargs: Any
    ) -> Any:
        response = self.client.request(method, url, headers=headers, **kwargs)
        assert response.status_code == status, (method, url, response.text)
        if response.content:
            self.bodies.append(response.text)
            return response.json()
        return None


def test_the_whole_pipeline(client: TestClient):
    api = Recorder(client)
    body = application(applicant={"marital_status": "single", "spouse": None})
    key = {"Idempotency-Key": "pipeline-0001"}
    contract = api.call("POST", "/v1/contracts", DEALER | key, 201, json=body)
    number = contract["number"]
    url = f"/v1/contracts/{number}"

    api.call("PATCH", url, CS, json={"vehicle": {"colour": "Merah"}})
    order = api.call("POST", f"{url}/survey-order", ANALYST, 201, json={})
    surveyor = auth(order["surveyor"])
    api.call(
        "POST",
        f"/v1/survey-orders/{order['id']}/result",
        surveyor,
        json={
            "visit_date": TODAY,
            "residence_verified": True,
            "income_verified": True,
            "documents": {name: {"collected": True} for name in DOCUMENTS},
        },
    )
    api.call("POST", f"{url}/prescreening", ANALYST)
    scored = api.call("POST", f"{url}/fatal-scores", ANALYST, json={})
    assert scored["contract_state"] == "SCORED"
    simulated = api.call(
        "POST",
        f"{url}/simulation",
        ANALYST,
        json={"package_code": f"MC-REG-{TODAY[:4]}", "tenor_months": 24, "down_payment": 6_000_000},
    )
    installment = simulated["installment"]

    # Internal audit holds the contract, then lifts the hold.
    finding = api.call(
        "POST",
        f"{url}/audit-findings",
        AUDITOR,
        201,
        json={"parameter": "income", "remark": SECRET_REMARK, "severity": "blocking"},
    )
    request = api.call("POST", f"{url}/approval-request", ANALYST, 201, json={})
    assert (request["required_level"], request["amount_financed"]) == (1, 14_555_000)
    held = client.post(
        f"{url}/decision", json={"decision": "approve"}, headers=auth("approver.hendra")
    )
    assert held.status_code == 409
    assert "held by audit" in held.json()["detail"]
    assert SECRET_REMARK not in held.text
    api.call(
        "POST",
        f"{url}/audit-findings/{finding['id']}/resolution",
        AUDITOR,
        json={"resolution": "Rekening koran diterima"},
    )

    pending = api.call("GET", "/v1/approvals?mine=pending", auth("approver.hendra"))
    assert [a["contract_number"] for a in pending["items"]] == [number]
    approved = api.call(
        "POST", f"{url}/decision", auth("approver.hendra"), json={"decision": "approve"}
    )
    po_number = approved["purchase_order"]
    po = api.call("GET", f"/v1/purchase-orders/{po_number}", DEALER)
    assert (po["amount_to_dealer"], po["status"]) == (14_000_000, "open")

    api.call(
        "POST",
        f"{url}/delivery",
        DEALER,
        json={
            "delivered_on": TODAY,
            "chassis_number": "MH1JM8117PK654321",
            "engine_number": "JM81E7654321",
            "invoice_number": "INV/SMK/0042",
            "invoice_amount": 20_000_000,
        },
    )
    paid = api.call(
        "POST",
        f"{url}/disbursement",
        FINANCE,
        json={"amount": 14_000_000, "reference": "TRF-BCA-88123", "disbursed_on": TODAY},
    )
    assert paid["status"] == "fulfilled"
    assert api.call("GET", url, CS)["state"] == "ACTIVE"
    schedule = api.call("GET", f"{url}/installments", FINANCE)["items"]
    assert len(schedule) == 24
    assert {i["amount"] for i in schedule} == {installment}
    assert sum(i["principal"] for i in schedule) == simulated["amount_financed"]
    assert schedule[0]["due_date"] == add_months(today_jakarta(), 1).isoformat()

    # The timeline tells the story in order, with who holds the contract now.
    tracking = api.call("GET", f"{url}/tracking", CS)
    story = [e["action"] for e in tracking["events"]]
    assert story == [
        "submit",
        "amend",
        "assign_survey",
        "record_survey",
        "prescreen",
        "score",
        "simulate",
        "request_approval",
        "approve",
        "deliver",
        "disburse",
    ]
    assert tracking["held_by"]["role"] == "collector"
    assert [s["stage"] for s in tracking["stages"]] == [
        "1 application",
        "2 pre-screening",
        "3 fatal scores",
        "4 simulation",
        "6 approval",
        "7 delivery",
        "7 disbursement",
        "collection",
    ]
    etag = client.get(f"{url}/tracking", headers=DEALER).headers["etag"]
    assert (
        client.get(f"{url}/tracking", headers=DEALER | {"If-None-Match": etag}).status_code == 304
    )
    api.call("GET", f"{url}/tracking", SALESMAN, 404)  # the dealer submitted it, not him

    # The feed carries the same transitions, in the same order, without personal data.
    feed = api.call("GET", "/v1/events?limit=1000", INTEGRATION)
    mine = [e for e in feed["items"] if e["contract_number"] == number]
    assert [e["action"] for e in mine] == story
    assert "3171015708900001" not in json.dumps(feed)

    # Every answer a non-auditor got in this story, and every role's view, is free of audit.
    for headers in (DEALER, SALESMAN, CS, ANALYST, FINANCE, ADMIN, auth("approver.hendra")):
        for path in (
            url,
            f"{url}/events",
            f"{url}/tracking",
            f"{url}/prescreening",
            f"{url}/fatal-scores",
            f"{url}/simulation",
            f"{url}/audit-findings",
            f"/v1/purchase-orders/{po_number}",
            "/v1/events",
            "/v1/contracts",
        ):
            response = client.get(path, headers=headers)
            api.bodies.append(response.text)
            if path.endswith("audit-findings"):
                assert response.status_code == 404
    audit_answers = 2
    leaks = [b for b in api.bodies if SECRET_REMARK in b]
    assert len(leaks) == audit_answers  # the auditor's own two answers, and nothing else
