"""The transition table and the endpoints agree, and concurrent transitions never both win."""

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.auth.roles import Role
from app.contracts.states import Action, ContractState, roles_for, sources_for
from app.demo import USERS
from tests.conftest import CS, DEALER, auth, force_state, submit

# A valid body for each transition endpoint; a new transition endpoint must add one here.
BODIES: dict[Action, dict[str, Any]] = {
    Action.CANCEL: {"reason": "Customer bought in cash"},
}
USER_OF_ROLE = {demo.role: demo.username for demo in USERS}


def transition_routes(app: FastAPI) -> list[tuple[Action, str]]:
    """Every operation whose OpenAPI entry names the transition it makes."""
    return [
        (Action(operation["x-transition"]), path)
        for path, methods in app.openapi()["paths"].items()
        for operation in methods.values()
        if "x-transition" in operation
    ]


def test_every_transition_endpoint_has_a_test_body(app):
    actions = {action for action, _ in transition_routes(app)}
    assert actions, "no endpoint declares x-transition"
    assert actions <= set(BODIES)


@pytest.mark.parametrize("action", list(BODIES))
def test_endpoint_allows_exactly_what_the_table_allows(app, client: TestClient, database, action):
    (path,) = [p for a, p in transition_routes(app) if a == action]
    number = submit(client)
    url = path.replace("{number}", number)
    for state in ContractState:
        for role in Role:
            force_state(database, number, state.value)
            response = client.post(url, json=BODIES[action], headers=auth(USER_OF_ROLE[role]))
            if role not in roles_for(action):
                expected = 403
            elif state in sources_for(action, role):
                expected = 200
            else:
                expected = 409
            assert response.status_code == expected, (state, role, response.text)
            if expected == 409:
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
