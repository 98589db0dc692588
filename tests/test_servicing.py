"""Servicing an active contract: a restructuring requested by a collector and decided by an
approver (the old schedule kept, a new one in force, the arrears gone), the collateral
documents, and the collector a contract is assigned to."""

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from app.collection.cob import close_through
from app.contracts.models import ContractEvent
from app.core.clock import today_jakarta
from app.servicing.ledger import add_months
from tests.conftest import ADMIN, APPROVER, COLLECTOR, CS, FINANCE, row_counts
from tests.test_collection import active_contract, pay


def _installments(client: TestClient, number: str) -> dict:
    response = client.get(f"/v1/contracts/{number}/installments", headers=COLLECTOR)
    assert response.status_code == 200, response.text
    body: dict = response.json()
    return body


def test_a_payment_holiday_replaces_the_arrears_with_a_new_schedule(client, database):
    today = today_jakarta()
    start = today - timedelta(days=100)
    number = active_contract(client, database, start)
    before = _installments(client, number)
    first = before["items"][0]
    pay(client, number, first["amount"], add_months(start, 1), "ON-TIME-1")
    with database.transaction() as session:
        close_through(session, today - timedelta(days=1))
    late = client.get(f"/v1/contracts/{number}/positions", headers=COLLECTOR).json()["items"]
    assert late[-1]["days_past_due"] > 30

    asked = client.post(
        f"/v1/contracts/{number}/restructurings",
        headers=COLLECTOR,
        json={"kind": "payment_holiday", "holiday_months": 3, "reason": "Debtor hospitalised"},
    )
    assert asked.status_code == 201, asked.text
    proposal = asked.json()
    open_rows = [r for r in before["items"] if r["number"] > 1]
    overdue = [r for r in open_rows if r["due_date"] <= today.isoformat()]
    assert proposal["status"] == "requested"
    assert proposal["outstanding_principal"] == sum(r["principal"] for r in open_rows)
    assert proposal["installments"] == len(open_rows)
    # The interest due and unpaid, then three months of interest, added to the principal.
    assert proposal["capitalised_interest"] > sum(r["interest"] for r in overdue)
    again = client.post(
        f"/v1/contracts/{number}/restructurings",
        headers=COLLECTOR,
        json={"kind": "tenor_extension", "installments": 40, "reason": "Second try"},
    )
    assert again.status_code == 409  # one request at a time

    assert (
        client.post(
            f"/v1/restructurings/{proposal['id']}/decision",
            headers=COLLECTOR,
            json={"decision": "approve", "reason": "Mine"},
        ).status_code
        == 403
    )  # the collector proposes, an approver decides
    decided = client.post(
        f"/v1/restructurings/{proposal['id']}/decision",
        headers=APPROVER,
        json={"decision": "approve", "reason": "Hospital letter seen"},
    )
    assert decided.status_code == 200, decided.text
    approved = decided.json()
    assert approved["status"] == "approved"
    assert approved["decided_by"] == "approver.hendra"
    assert approved["effective_on"] == today.isoformat()
    assert [r["number"] for r in approved["old_schedule"]] == [
        r["number"] for r in before["items"]
    ]  # the old schedule, kept as it stood

    after = _installments(client, number)
    assert after["restructured_on"] == today.isoformat()
    kept, new = after["items"][:1], after["items"][1:]
    assert kept[0]["number"] == 1
    assert kept[0]["outstanding"] == 0
    assert len(new) == len(open_rows)
    assert new[0]["number"] == len(before["items"]) + 1
    assert {r["amount"] for r in new[:-1]} == {approved["installment"]}
    assert sum(r["principal"] for r in new) == (
        approved["outstanding_principal"] + approved["capitalised_interest"]
    )
    assert new[0]["due_date"] == approved["first_due_on"]
    assert new[0]["due_date"] > add_months(today, 2).isoformat()  # three months' holiday
    with database.transaction() as session:
        close_through(session, today)
        events = list(session.scalars(select(ContractEvent.action).order_by(ContractEvent.seq)))
    assert "restructure" in events
    positions = client.get(f"/v1/contracts/{number}/positions", headers=COLLECTOR).json()
    assert positions["items"][-1]["days_past_due"] == 0  # the arrears were restructured
    assert positions["items"][-2]["days_past_due"] > 30  # and the history stays

    twice = client.post(
        f"/v1/restructurings/{proposal['id']}/decision",
        headers=APPROVER,
        json={"decision": "reject", "reason": "Changed my mind"},
    )
    assert twice.status_code == 409
    listed = client.get(f"/v1/contracts/{number}/restructurings", headers=CS).json()["items"]
    assert [r["status"] for r in listed] == ["approved"]


def test_terms_that_do_not_ease_the_debt_are_refused(client, database):
    number = active_contract(client, database, today_jakarta() - timedelta(days=40))
    remaining = len(_installments(client, number)["items"])
    counts = row_counts(database)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"kind": "tenor_extension", "installments": remaining}, "terms.installments"),
        ({"kind": "rate_reduction", "annual_rate": "0.90"}, "terms.annual_rate"),
        ({"kind": "tenor_extension", "installments": 58, "holiday_months": 3}, "body"),
        ({"kind": "payment_holiday"}, "body"),
    ]
    for terms, field in cases:
        refused = client.post(
            f"/v1/contracts/{number}/restructurings",
            headers=COLLECTOR,
            json={**terms, "reason": "Income halved"},
        )
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["errors"][0]["field"] == field, refused.text
    assert row_counts(database) == counts
    assert (
        client.post(
            f"/v1/contracts/{number}/restructurings",
            headers=CS,
            json={"kind": "payment_holiday", "holiday_months": 1, "reason": "Income halved"},
        ).status_code
        == 403
    )


def test_a_rejected_restructuring_leaves_the_schedule(client, database):
    number = active_contract(client, database, today_jakarta() - timedelta(days=40))
    before = _installments(client, number)
    asked = client.post(
        f"/v1/contracts/{number}/restructurings",
        headers=COLLECTOR,
        json={"kind": "rate_reduction", "annual_rate": "0.12", "reason": "Loyal debtor"},
    ).json()
    rejected = client.post(
        f"/v1/restructurings/{asked['id']}/decision",
        headers=APPROVER,
        json={"decision": "reject", "reason": "Income not verified"},
    )
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["status"] == "rejected"
    assert _installments(client, number) == before
    extended = client.post(
        f"/v1/contracts/{number}/restructurings",
        headers=COLLECTOR,
        json={"kind": "tenor_extension", "installments": 36, "reason": "Income halved"},
    )
    assert extended.status_code == 201, extended.text
    assert extended.json()["installment"] < before["items"][0]["amount"]


def test_the_collateral_documents(client, database):
    number = active_contract(client, database, today_jakarta() - timedelta(days=10))
    url = f"/v1/contracts/{number}/collateral"
    held = client.get(url, headers=FINANCE).json()
    assert held["bpkb_status"] == "awaited"
    assert held["fiduciary_registered_on"] is None
    counts = row_counts(database)
    half = client.patch(url, headers=FINANCE, json={"fiduciary_certificate": "W10.0012.AH.05"})
    assert half.status_code == 422
    assert half.json()["errors"][0]["rule"] == "certificate_and_date"
    early = client.patch(
        url, headers=FINANCE, json={"bpkb_status": "released", "bpkb_number": "P-1234"}
    )
    assert early.json()["errors"][0]["rule"] == "bpkb_held_until_paid_off"
    assert row_counts(database) == counts
    registered = client.patch(
        url,
        headers=FINANCE,
        json={
            "fiduciary_certificate": "W10.0012.AH.05",
            "fiduciary_registered_on": today_jakarta().isoformat(),
            "bpkb_status": "held",
            "bpkb_number": "P-01234567",
        },
    )
    assert registered.status_code == 200, registered.text
    assert client.get(url, headers=COLLECTOR).json() == registered.json()
    assert client.patch(url, headers=COLLECTOR, json={"bpkb_status": "held"}).status_code == 403

    quote = client.get(f"/v1/contracts/{number}/settlement-quote", headers=FINANCE).json()
    owed = quote["total"]
    pay(client, number, owed - 1, today_jakarta(), "ALMOST")
    assert client.get(f"/v1/contracts/{number}", headers=CS).json()["state"] == "ACTIVE"
    paid = pay(client, number, 1, today_jakarta(), "LAST-RUPIAH")
    assert paid["contract_state"] == "PAID_OFF"
    released = client.patch(url, headers=FINANCE, json={"bpkb_status": "released"})
    assert released.status_code == 200, released.text
    assert released.json()["bpkb_status"] == "released"


def test_work_lists_by_assigned_collector(client, database):
    start = today_jakarta() - timedelta(days=70)
    mine, other = (active_contract(client, database, start) for _ in range(2))
    with database.transaction() as session:
        close_through(session, today_jakarta() - timedelta(days=1))
    assigned = client.put(
        f"/v1/contracts/{mine}/collector", headers=ADMIN, json={"collector": "collector.joko"}
    )
    assert assigned.status_code == 200, assigned.text
    assert assigned.json()["assigned_on"] == today_jakarta().isoformat()
    wrong = client.put(
        f"/v1/contracts/{other}/collector", headers=ADMIN, json={"collector": "cs.dewi"}
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "collector"
    listed = client.get(
        "/v1/collection/accounts?collector=collector.joko", headers=COLLECTOR
    ).json()["items"]
    assert [a["contract_number"] for a in listed] == [mine]
    assert listed[0]["collector"] == "collector.joko"
    everyone = client.get("/v1/collection/accounts?branch=JKT01", headers=COLLECTOR).json()
    assert {a["contract_number"] for a in everyone["items"]} == {mine, other}
    nowhere = client.get("/v1/collection/accounts?branch=SBY01", headers=COLLECTOR).json()
    assert nowhere["items"] == []
    assert (
        client.put(
            f"/v1/contracts/{mine}/collector",
            headers=COLLECTOR,
            json={"collector": "collector.joko"},
        ).status_code
        == 403
    )
