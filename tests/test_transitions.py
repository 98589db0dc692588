"""The transition table and the endpoints agree, and concurrent transitions never both win."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from threading import Barrier
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import delete, select, update

from app.approval.models import ApprovalRequest, PurchaseOrder
from app.approval.service import issue_purchase_order
from app.auth.models import User
from app.auth.roles import Role
from app.contracts.models import Contract
from app.contracts.states import Action, ContractState, roles_for, sources_for
from app.core.clock import today_jakarta
from app.demo import USERS
from app.prescreening.evidence import assess
from app.prescreening.matching import Identity
from app.prescreening.models import Customer, Prescreening
from app.prescreening.service import candidate_of
from app.reference.models import Area
from app.servicing.ledger import add_months
from app.servicing.models import Installment, LoanAccount, Restructuring
from app.simulation.calc import Terms, quote
from app.simulation.models import Package, Simulation
from app.simulation.service import quote_view
from app.survey.models import SurveyOrder
from tests.conftest import CS, DEALER, auth, force_state, submit

TODAY = today_jakarta().isoformat()
SURVEY_RESULT = {
    "visit_date": TODAY,
    "residence_verified": True,
    "income_verified": True,
    "documents": {
        name: {"collected": True}
        for name in (
            "contract",
            "guarantee_statement",
            "receipt",
            "different_signature_statement",
            "vehicle_checklist",
        )
    },
}


def open_survey_order(database, number: str) -> int:
    """A fresh open survey order for the contract, assigned to surveyor.agus."""
    with database.transaction() as session:
        contract = session.scalar(select(Contract).where(Contract.number == number))
        user = session.scalar(select(User).where(User.username == "surveyor.agus"))
        area = session.scalar(select(Area).where(Area.code == "JKT-PST"))
        session.execute(
            update(SurveyOrder)
            .where(SurveyOrder.contract_id == contract.id, SurveyOrder.status == "open")
            .values(status="reassigned")
        )
        order = SurveyOrder(
            contract_id=contract.id,
            area_id=area.id,
            surveyor_id=user.id,
            assigned_by_id=user.id,
            automatic=True,
            status="open",
        )
        session.add(order)
        session.flush()
        return order.id


def _contract(session, number: str) -> Contract:
    return session.scalar(select(Contract).where(Contract.number == number))


def ensure_simulation(database, number: str) -> None:
    """Chosen terms for the contract, as stage 4 would store them."""
    with database.transaction() as session:
        contract = _contract(session, number)
        if session.scalar(select(Simulation.id).where(Simulation.contract_id == contract.id)):
            return
        package = session.scalar(select(Package).where(Package.code == f"MC-REG-{TODAY[:4]}"))
        q = quote(Terms(contract.otr_price, contract.down_payment, 24, Decimal("0.18")))
        result = {
            k: str(v) if isinstance(v, Decimal) else v
            for k, v in quote_view(package.code, 24, False, q).items()
        }
        user = session.scalar(select(User.id).where(User.username == "ca.rina"))
        session.add(
            Simulation(
                contract_id=contract.id,
                package_id=package.id,
                package={},
                terms={},
                result=result,
                current=True,
                chosen_by_id=user,
            )
        )


def pending_approval(database, number: str) -> None:
    ensure_simulation(database, number)
    with database.transaction() as session:
        contract = _contract(session, number)
        session.execute(
            update(ApprovalRequest)
            .where(ApprovalRequest.contract_id == contract.id)
            .values(status="returned")
        )
        analyst = session.scalar(select(User.id).where(User.username == "ca.rina"))
        session.add(
            ApprovalRequest(
                contract_id=contract.id,
                branch_id=contract.branch_id,
                amount_financed=14_000_000,
                deviation=False,
                required_level=1,
                status="pending",
                requested_by_id=analyst,
            )
        )


def purchase_order(database, number: str) -> None:
    ensure_simulation(database, number)
    with database.transaction() as session:
        contract = _contract(session, number)
        if (
            session.scalar(select(PurchaseOrder.id).where(PurchaseOrder.contract_id == contract.id))
            is None
        ):
            issue_purchase_order(session, contract)


def same(db, number: str, path: str) -> str:
    return path


def with_request(db, number: str, path: str) -> str:
    pending_approval(db, number)
    return path


def with_order(db, number: str, path: str) -> str:
    purchase_order(db, number)
    return path


def with_simulation(db, number: str, path: str) -> str:
    ensure_simulation(db, number)
    return path


def with_restructuring_rows(session, contract: Contract) -> None:
    """An account disbursed today with three installments of Rp 1,000,000 (900,000 principal)."""
    start = today_jakarta()
    session.add(
        LoanAccount(
            contract_id=contract.id,
            disbursed_on=start,
            addm=False,
            late_charge_rate=Decimal("0.001"),
            late_charge_cap=Decimal("0.5"),
            arrears_tolerance=10_000,
            allocation_order="installment_first",
            settlement_fee_rate=Decimal(0),
        )
    )
    session.add_all(
        Installment(
            contract_id=contract.id,
            number=n,
            due_date=add_months(start, n),
            amount=1_000_000,
            principal=900_000,
            interest=100_000,
            accrues_from=add_months(start, n - 1),
        )
        for n in (1, 2, 3)
    )
    session.flush()


def with_restructuring(db, number: str, path: str) -> str:
    """A schedule of three installments and a request to stretch it to 24."""
    ensure_simulation(db, number)
    with db.transaction() as session:
        contract = _contract(session, number)
        if session.scalar(select(Installment.id).where(Installment.contract_id == contract.id)):
            session.execute(delete(Restructuring).where(Restructuring.status == "requested"))
        else:
            with_restructuring_rows(session, contract)
        collector = session.scalar(select(User.id).where(User.username == "collector.joko"))
        row = Restructuring(
            contract_id=contract.id,
            kind="tenor_extension",
            terms={"installments": 24},
            reason="Income halved",
            requested_by_id=collector,
        )
        session.add(row)
        session.flush()
        return path.replace("{restructuring_id}", str(row.id))


def _repossessed(session, contract: Contract) -> None:
    """A disbursed schedule of three installments (Rp 2,700,000 of principal) whose vehicle
    was repossessed and appraised today, nothing sold yet."""
    from app.collection.models import WriteOff
    from app.servicing.models import Allocation, LedgerEntry, Repossession

    if session.get(LoanAccount, contract.id) is None:
        with_restructuring_rows(session, contract)
    session.execute(delete(Allocation).where(Allocation.contract_id == contract.id))
    session.execute(delete(LedgerEntry).where(LedgerEntry.contract_id == contract.id))
    session.execute(delete(WriteOff).where(WriteOff.contract_id == contract.id))
    session.execute(delete(Repossession).where(Repossession.contract_id == contract.id))
    session.execute(
        update(LoanAccount).where(LoanAccount.contract_id == contract.id).values(off_book_from=None)
    )
    session.add(
        Repossession(
            contract_id=contract.id,
            repossessed_on=today_jakarta(),
            appraised_value=3_000_000,
            appraised_on=today_jakarta(),
            appraiser="Tim taksasi",
        )
    )
    session.flush()


def with_repossession(db, number: str, path: str) -> str:
    with db.transaction() as session:
        _repossessed(session, _contract(session, number))
    return path


def with_shortfall(db, number: str, path: str) -> str:
    """Sold today for Rp 1,000,000: Rp 1,700,000 short."""
    from app.servicing.ledger import add_entry, reallocate
    from app.servicing.models import Repossession

    with db.transaction() as session:
        contract = _contract(session, number)
        _repossessed(session, contract)
        add_entry(session, contract, "auction_sale", today_jakarta(), 1_000_000, None)
        reallocate(session, contract)
        row = session.scalars(
            select(Repossession).where(Repossession.contract_id == contract.id)
        ).one()
        row.sold_on, row.buyer, row.proceeds = today_jakarta(), "Balai lelang", 1_000_000
        row.costs_recovered, row.to_debt, row.surplus, row.shortfall = 0, 1_000_000, 0, 1_700_000
    return path


REVIEWED_CUSTOMER = 900_001


def with_review(db, number: str, path: str) -> str:
    """A pre-screening held for the analyst's review of customer ``REVIEWED_CUSTOMER``."""
    with db.transaction() as session:
        contract = _contract(session, number)
        if session.get(Customer, REVIEWED_CUSTOMER) is None:
            session.add(Customer(id=REVIEWED_CUSTOMER, kind="person", full_name="Siti Rahmawati",
                                 source="import"))  # fmt: skip
        analyst = session.scalar(select(User.id).where(User.username == "ca.rina"))
        siti = Identity("Siti Rahmawati")
        candidate = candidate_of(REVIEWED_CUSTOMER, siti, siti, assess(siti, siti))
        party = {"role": "applicant", "name": siti.full_name, "outcome": "possible_repeat_order",
                 "repeat_order": False, "customer_id": None, "candidates": [candidate],
                 "negative_hits": []}  # fmt: skip
        review = {"party": 0, "role": "applicant", "customer_id": REVIEWED_CUSTOMER,
                  "decision": None}  # fmt: skip
        result = {"parties": [party], "reviews": [review], "stops": [], "warnings": [],
                  "vehicle_hits": [], "customer_type": "possible_repeat_order",
                  "customer_id": None, "model_version": 0}  # fmt: skip
        session.add(Prescreening(contract_id=contract.id, customer_type="possible_repeat_order",
                                 outcome="review", result=result, decided_by_id=analyst,
                                 model_version=0))  # fmt: skip
    return path


# For each (operation, transition): its method, a valid body, and how to get its URL ready
# for a contract. A new transition endpoint must add itself here.
Prepare = Callable[[Any, str, str], str]
ENDPOINTS: dict[tuple[str, Action], tuple[str, dict[str, Any], Prepare]] = {
    ("amend_application", Action.AMEND): ("PATCH", {"vehicle": {"colour": "Merah"}}, same),
    ("assign_survey", Action.ASSIGN_SURVEY): ("POST", {}, same),
    ("record_survey_result", Action.RECORD_SURVEY): (
        "POST",
        SURVEY_RESULT,
        lambda db, n, path: path.replace("{order_id}", str(open_survey_order(db, n))),
    ),
    ("cancel_contract", Action.CANCEL): ("POST", {"reason": "Customer bought in cash"}, same),
    ("prescreen_contract", Action.PRESCREEN): ("POST", {}, same),
    ("review_prescreening", Action.PRESCREEN): (
        "POST",
        {"customer_id": REVIEWED_CUSTOMER, "same_person": True, "reason": "Orang yang sama"},
        with_review,
    ),
    ("record_slik", Action.RECORD_SLIK): (
        "POST",
        {"worst_kol": 1, "outstanding": 0, "facilities": 0, "checked_on": TODAY},
        same,
    ),
    ("score_contract", Action.SCORE): ("POST", {}, same),
    ("choose_simulation", Action.SIMULATE): (
        "POST",
        {"package_code": f"MC-REG-{TODAY[:4]}", "tenor_months": 24, "down_payment": 6_000_000},
        same,
    ),
    ("reject_contract", Action.REJECT): (
        "POST",
        {"reason_code": "fictitious_address", "note": "Alamat fiktif"},
        same,
    ),
    ("request_approval", Action.REQUEST_APPROVAL): ("POST", {}, with_simulation),
    ("decide", Action.APPROVE): ("POST", {"decision": "approve"}, with_request),
    ("decide", Action.RETURN): (
        "POST",
        {"decision": "return", "reason": "Lengkapi data"},
        with_request,
    ),
    ("decide", Action.REJECT): (
        "POST",
        {"decision": "reject", "reason_code": "other", "reason": "Tidak layak"},
        with_request,
    ),
    ("deliver", Action.DELIVER): (
        "POST",
        {
            "delivered_on": TODAY,
            "chassis_number": "MH1JM8117PK000001",
            "engine_number": "JM81E0000001",
            "invoice_number": "INV-1",
            "invoice_amount": 20_000_000,
        },
        with_order,
    ),
    ("decide_restructuring", Action.RESTRUCTURE): (
        "POST",
        {"decision": "approve", "reason": "Income verified"},
        with_restructuring,
    ),
    ("sell_vehicle", Action.SELL_COLLATERAL): (
        "POST",
        {"sold_on": TODAY, "buyer": "Balai lelang", "proceeds": 5_000_000},
        with_repossession,
    ),
    ("decide_shortfall", Action.WRITE_OFF_SHORTFALL): (
        "POST",
        {"decision": "write_off", "reason": "Tidak ada harta lain"},
        with_shortfall,
    ),
    ("disburse", Action.DISBURSE): (
        "POST",
        {"amount": 14_000_000, "reference": "TRF-1", "disbursed_on": TODAY},
        with_order,
    ),
}
USER_OF_ROLE: dict[Role, str] = {}
for demo in USERS:
    USER_OF_ROLE.setdefault(demo.role, demo.username)


def transition_routes(app: FastAPI) -> dict[str, tuple[str, list[Action]]]:
    """Every operation whose OpenAPI entry names the transitions it makes."""
    return {
        operation["operationId"]: (path, [Action(a) for a in operation["x-transitions"]])
        for path, methods in app.openapi()["paths"].items()
        for operation in methods.values()
        if "x-transitions" in operation
    }


def test_every_transition_endpoint_is_exercised(app):
    declared = {(op, a) for op, (_, actions) in transition_routes(app).items() for a in actions}
    assert declared == set(ENDPOINTS)


@pytest.mark.parametrize(("operation", "action"), list(ENDPOINTS))
def test_endpoint_allows_exactly_what_the_table_allows(
    app, client: TestClient, database, operation, action
):
    path, actions = transition_routes(app)[operation]
    method, body, prepare = ENDPOINTS[(operation, action)]
    allowed_roles = frozenset.intersection(*(roles_for(a) for a in actions))
    number = submit(client)
    for state in ContractState:
        for role in Role:
            force_state(database, number, state.value)
            url = prepare(database, number, path.replace("{number}", number))
            response = client.request(method, url, json=body, headers=auth(USER_OF_ROLE[role]))
            if role not in allowed_roles:
                assert response.status_code == 403, (state, role, response.text)
            elif state in sources_for(action, role):
                assert response.status_code in (200, 201), (state, role, response.text)
            else:
                assert response.status_code == 409, (state, role, response.text)
                assert response.json()["current_state"] == state.value
                allowed = [s.value for s in sources_for(action, role)]
                assert response.json()["allowed_from"] == allowed


def test_twenty_concurrent_cancellations_one_wins(client: TestClient, live_server: str):
    number = submit(client)
    barrier = Barrier(20)

    def cancel(i: int) -> int:
        with httpx.Client(base_url=live_server, timeout=60) as http:
            barrier.wait()
            response = http.post(
                f"/v1/contracts/{number}/cancellation",
                json={"reason": f"withdrawn by request {i}"},
                headers=CS if i % 2 else DEALER,
            )
            return response.status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = sorted(pool.map(cancel, range(20)))
    assert statuses == [200] + [409] * 19
    events = client.get(f"/v1/contracts/{number}/events", headers=CS).json()
    assert [e["action"] for e in events] == ["submit", "cancel"]
    assert client.get(f"/v1/contracts/{number}", headers=CS).json()["state"] == "CANCELLED"


def test_stale_if_match_is_412_and_changes_nothing(client: TestClient):
    number = submit(client)
    response = client.get(f"/v1/contracts/{number}", headers=CS)
    etag = response.headers["ETag"]
    stale = etag.replace("-v1", "-v0")
    refused = client.post(
        f"/v1/contracts/{number}/cancellation",
        json={"reason": "Customer changed his mind"},
        headers={**CS, "If-Match": stale},
    )
    assert refused.status_code == 412
    assert refused.headers["content-type"] == "application/problem+json"
    assert client.get(f"/v1/contracts/{number}", headers=CS).json()["state"] == "SUBMITTED"
    accepted = client.post(
        f"/v1/contracts/{number}/cancellation",
        json={"reason": "Customer changed his mind"},
        headers={**CS, "If-Match": etag},
    )
    assert accepted.status_code == 200
    assert accepted.json()["state"] == "CANCELLED"


def test_events_record_who_role_when_from_to_and_why(client: TestClient):
    number = submit(client)
    client.post(
        f"/v1/contracts/{number}/cancellation",
        json={"reason": "Customer bought in cash"},
        headers=CS,
    )
    submitted, cancelled = client.get(f"/v1/contracts/{number}/events", headers=CS).json()
    assert submitted["action"] == "submit"
    assert submitted["from_state"] is None
    assert submitted["to_state"] == "SUBMITTED"
    assert submitted["actor"] == "dealer.sinar"
    assert submitted["actor_role"] == "dealer"
    assert submitted["payload"]["dealer"] == "D-JKT-001"
    assert cancelled == {
        "seq": 2,
        "action": "cancel",
        "from_state": "SUBMITTED",
        "to_state": "CANCELLED",
        "actor": "cs.dewi",
        "actor_role": "customer_service",
        "reason": "Customer bought in cash",
        "payload": {},
        "occurred_at": cancelled["occurred_at"],
    }
    assert cancelled["occurred_at"] >= submitted["occurred_at"]
