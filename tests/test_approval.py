"""Stages 5 to 7: authority, maker-checker, concurrency of decisions, the feed under load,
lapsed Purchase Orders, and who may call what."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from threading import Barrier, Event

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from app.approval.models import PurchaseOrder
from app.approval.service import expire_purchase_orders
from app.auth.roles import Role
from app.core.clock import today_jakarta
from app.demo import USERS
from app.servicing.ledger import add_months
from tests.conftest import ADMIN, ANALYST, CS, DEALER, INTEGRATION, auth, force_state, submit
from tests.test_transitions import pending_approval, purchase_order

TODAY = today_jakarta()
USER_OF_ROLE: dict[Role, str] = {}
for demo in USERS:
    USER_OF_ROLE.setdefault(demo.role, demo.username)


def pending(client: TestClient, database, otr: int = 20_000_000) -> str:
    number = submit(client, vehicle={"otr_price": otr})
    force_state(database, number, "PENDING_APPROVAL")
    pending_approval(database, number)
    return number


def test_add_months_keeps_the_day_or_the_month_end():
    from datetime import date

    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 22), 3) == date(2027, 2, 22)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)


def test_an_approver_below_the_needed_level_is_told_which(client: TestClient, database):
    number = pending(client, database)
    with database.transaction() as session:
        from app.approval.models import ApprovalRequest

        session.execute(update(ApprovalRequest).values(required_level=2))
    low = client.post(
        f"/v1/contracts/{number}/decision",
        json={"decision": "approve"},
        headers=auth("approver.hendra"),
    )
    assert low.status_code == 403
    assert "authority level 2 (Branch manager)" in low.json()["detail"]
    high = client.post(
        f"/v1/contracts/{number}/decision",
        json={"decision": "approve"},
        headers=auth("approver.lina"),
    )
    assert high.status_code == 200
    assert high.json()["decided_level"] == 2


def test_routing_picks_the_lowest_level_that_covers_the_amount(client: TestClient, database):
    number = submit(
        client,
        product_code="CAR",
        vehicle={"brand": "Toyota", "model": "Avanza", "otr_price": 250_000_000},
        down_payment=50_000_000,
    )
    force_state(database, number, "SIMULATED")
    from tests.test_transitions import ensure_simulation

    ensure_simulation(database, number)
    request = client.post(f"/v1/contracts/{number}/approval-request", json={}, headers=ANALYST)
    assert request.status_code == 201, request.text
    # Rp 200,000,000 financed: above the credit head's 50,000,000, within the manager's.
    assert request.json()["required_level"] == 2
    assert client.get("/v1/approvals", headers=auth("approver.hendra")).json()["items"] == []
    assert len(client.get("/v1/approvals", headers=auth("approver.lina")).json()["items"]) == 1


def test_maker_checker(client: TestClient, database):
    number = pending(client, database)
    # The approver who changed the contract's data may not decide it.
    force_state(database, number, "SUBMITTED")
    client.post(
        "/v1/users",
        headers=ADMIN,
        json={
            "username": "approver.multi",
            "full_name": "Multi Role",
            "role": "approver",
            "branch_code": "JKT01",
            "authority_level": 3,
        },
    )
    with database.transaction() as session:
        from app.auth.models import User
        from app.contracts.models import Contract, ContractEvent

        contract = session.query(Contract).filter_by(number=number).one()
        user = session.query(User).filter_by(username="approver.multi").one()
        session.add(
            ContractEvent(
                contract_id=contract.id,
                seq=99,
                action="amend",
                from_state="SUBMITTED",
                to_state="SUBMITTED",
                actor_id=user.id,
                actor_role="approver",
                payload={},
            )
        )
    force_state(database, number, "PENDING_APPROVAL")
    key = client.post("/v1/users/approver.multi/keys", headers=ADMIN).json()["api_key"]
    refused = client.post(
        f"/v1/contracts/{number}/decision",
        json={"decision": "approve"},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert refused.status_code == 403
    assert "Maker-checker" in refused.json()["detail"]


def test_two_approvers_at_once_one_decision_lands(client: TestClient, database, live_server):
    number = pending(client, database)
    barrier = Barrier(2)

    def decide(args: tuple[str, dict[str, str]]) -> int:
        username, body = args
        with httpx.Client(base_url=live_server, timeout=60) as http:
            barrier.wait()
            return http.post(
                f"/v1/contracts/{number}/decision", json=body, headers=auth(username)
            ).status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = sorted(
            pool.map(
                decide,
                [
                    ("approver.hendra", {"decision": "approve"}),
                    ("approver.lina", {"decision": "return", "reason": "Lengkapi slip gaji"}),
                ],
            )
        )
    assert statuses == [200, 409]
    events = client.get(f"/v1/contracts/{number}/events", headers=CS).json()
    assert sum(e["action"] in ("approve", "return") for e in events) == 1


def test_the_feed_is_read_exactly_once_in_order_while_contracts_move(
    client: TestClient, live_server
):
    numbers = [submit(client) for _ in range(200)]
    start = client.get("/v1/events?limit=1000", headers=INTEGRATION).json()["next_cursor"]
    done = Event()
    seen: list[tuple[str, int]] = []
    cursor = start

    def move(number: str) -> int:
        with httpx.Client(base_url=live_server, timeout=120) as http:
            return http.post(
                f"/v1/contracts/{number}/cancellation", headers=CS, json={"reason": "Load test"}
            ).status_code

    def read() -> None:
        nonlocal cursor
        with httpx.Client(base_url=live_server, timeout=60) as http:
            while True:
                finished = done.is_set()
                page = http.get(
                    "/v1/events", params={"after": cursor, "limit": 7}, headers=INTEGRATION
                ).json()
                seen.extend((e["contract_number"], e["seq"]) for e in page["items"])
                cursor = page["next_cursor"]
                if finished and not page["items"]:
                    return

    with ThreadPoolExecutor(max_workers=9) as pool:
        reader = pool.submit(read)
        statuses = list(pool.map(move, numbers))
        done.set()
        reader.result()
    assert statuses == [200] * 200
    assert len(seen) == len(set(seen)) == 200
    assert {n for n, _ in seen} == set(numbers)
    everything = client.get(
        "/v1/events", params={"after": start, "limit": 1000}, headers=INTEGRATION
    ).json()["items"]
    assert [(e["contract_number"], e["seq"]) for e in everything] == seen


def test_a_lapsed_purchase_order_expires_the_contract(client: TestClient, database):
    number = submit(client)
    force_state(database, number, "APPROVED")
    purchase_order(database, number)
    with database.transaction() as session:
        session.execute(update(PurchaseOrder).values(valid_until=TODAY - timedelta(days=1)))
    late = client.post(
        f"/v1/contracts/{number}/delivery",
        headers=DEALER,
        json={
            "delivered_on": TODAY.isoformat(),
            "chassis_number": "MH1JM8117PK000009",
            "engine_number": "JM81E0000009",
            "invoice_number": "INV-9",
            "invoice_amount": 20_000_000,
        },
    )
    assert late.status_code == 409
    with database.transaction() as session:
        assert expire_purchase_orders(session, TODAY) == [number]
        assert expire_purchase_orders(session, TODAY) == []
    assert client.get(f"/v1/contracts/{number}", headers=CS).json()["state"] == "EXPIRED"


def test_delivery_and_disbursement_are_checked_against_the_purchase_order(client, database):
    number = submit(client)
    force_state(database, number, "APPROVED")
    purchase_order(database, number)
    url = f"/v1/contracts/{number}"
    wrong = client.post(
        f"{url}/delivery",
        headers=DEALER,
        json={
            "delivered_on": TODAY.isoformat(),
            "chassis_number": "MH1JM8117PK000010",
            "engine_number": "JM81E0000010",
            "invoice_number": "INV-10",
            "invoice_amount": 21_000_000,
        },
    )
    assert wrong.json()["errors"][0]["rule"] == "invoice_amount"
    force_state(database, number, "DELIVERED")
    short = client.post(
        f"{url}/disbursement",
        headers=auth("finance.tono"),
        json={"amount": 13_000_000, "reference": "TRF-1", "disbursed_on": TODAY.isoformat()},
    )
    assert short.json()["errors"][0]["rule"] == "amount"
    paid = client.post(
        f"{url}/disbursement",
        headers=auth("finance.tono"),
        json={"amount": 14_000_000, "reference": "TRF-1", "disbursed_on": TODAY.isoformat()},
    )
    assert paid.status_code == 200


# Every endpoint of stages 5-7 that is not a transition (those the table test covers), with
# the roles allowed and the status the others get.
ALL = set(Role)
MATRIX = [
    ("GET", "/v1/contracts/{n}/audit-findings", None, {Role.AUDITOR}, 404),
    (
        "POST",
        "/v1/contracts/{n}/audit-findings",
        {"parameter": "income", "remark": "Cek", "severity": "info"},
        {Role.AUDITOR},
        404,
    ),
    ("GET", "/v1/authority-levels", None, ALL - {Role.DEALER}, 403),
    (
        "PUT",
        "/v1/authority-levels",
        {"branch_code": "JKT01", "level": 4, "name": "Direksi", "max_amount": 5_000_000_000},
        {Role.ADMIN},
        403,
    ),
    ("GET", "/v1/approvals", None, {Role.APPROVER}, 403),
    (
        "GET",
        "/v1/contracts/{n}/tracking",
        None,
        {Role.CUSTOMER_SERVICE, Role.DEALER, Role.SALESMAN},
        403,
    ),
    ("GET", "/v1/events", None, {Role.ADMIN, Role.INTEGRATION}, 403),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "allowed", "denied"), MATRIX, ids=[f"{m} {p}" for m, p, *_ in MATRIX]
)
def test_authorisation_matrix(client: TestClient, method, path, body, allowed, denied):
    number = submit(client)
    for role in Role:
        response = client.request(
            method, path.replace("{n}", number), json=body, headers=auth(USER_OF_ROLE[role])
        )
        if role in allowed:
            assert response.status_code < 400 or (
                role is Role.SALESMAN and response.status_code == 404
            ), role
        else:
            assert response.status_code == denied, (role, response.status_code)


def test_purchase_orders_and_schedules_by_role(client: TestClient, database):
    number = submit(client)
    force_state(database, number, "APPROVED")
    purchase_order(database, number)
    po = client.get(f"/v1/contracts/{number}/tracking", headers=CS).json()
    assert po["held_by"]["role"] == "dealer"
    with database.sessions() as session:
        from sqlalchemy import select

        po_number = session.scalar(select(PurchaseOrder.number))
    expected = {
        Role.DEALER: 200,
        Role.SALESMAN: 404,
        Role.CUSTOMER_SERVICE: 200,
        Role.CREDIT_ANALYST: 200,
        Role.SURVEYOR: 403,
        Role.APPROVER: 200,
        Role.AUDITOR: 200,
        Role.FINANCE: 200,
        Role.COLLECTOR: 200,
        Role.ADMIN: 200,
        Role.INTEGRATION: 403,
    }
    for role, status in expected.items():
        response = client.get(f"/v1/purchase-orders/{po_number}", headers=auth(USER_OF_ROLE[role]))
        assert response.status_code == status, role
    other_dealer = client.get(f"/v1/purchase-orders/{po_number}", headers=auth("dealer.priangan"))
    assert other_dealer.status_code == 404
    for role in Role:
        response = client.get(
            f"/v1/contracts/{number}/installments", headers=auth(USER_OF_ROLE[role])
        )
        allowed = role in (Role.COLLECTOR, Role.FINANCE, Role.CUSTOMER_SERVICE)
        # Approved, not yet disbursed: no schedule and no ledger yet.
        assert response.status_code == (409 if allowed else 403), role
