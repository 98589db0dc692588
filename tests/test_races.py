"""Fifty concurrent requests on one contract, for every transition endpoint, against a real
uvicorn: exactly one wins, the others are 409 before they write anything, nobody gets a 5xx
or waits long, and a bystander is answered at once."""

import time
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.auth.roles import Role
from app.contracts.states import TRANSITIONS, Action, roles_for, sources_for
from tests.conftest import CS, auth, force_state, submit
from tests.test_transitions import ENDPOINTS, USER_OF_ROLE, transition_routes

RACERS = 50
PATIENCE_SECONDS = 10.0  # the slowest racer's answer, on a busy 2-core CI machine


def _actor_and_source(action: Action) -> tuple[Role, str]:
    for role in sorted(roles_for(action), key=lambda r: r.value):
        sources = sorted(s.value for s in sources_for(action, role))
        if sources:
            return role, sources[0]
    raise AssertionError(f"nobody may {action}")


def _repeatable(action: Action, source: str) -> bool:
    """Whether the action is allowed again from the state it leads to from ``source``."""
    [target] = {e.target for e in TRANSITIONS if e.action is action and e.source.value == source}
    return any(e.action is action and e.source == target for e in TRANSITIONS)


@pytest.mark.parametrize(("operation", "action"), list(ENDPOINTS))
def test_fifty_at_once_one_wins_the_rest_409(
    app: FastAPI, client: TestClient, database: Any, live_server: str, operation: str,
    action: Action,
) -> None:  # fmt: skip
    path, _ = transition_routes(app)[operation]
    method, body, prepare = ENDPOINTS[(operation, action)]
    role, source = _actor_and_source(action)
    number = submit(client)
    force_state(database, number, source)
    url = prepare(database, number, path.replace("{number}", number))
    headers = auth(USER_OF_ROLE[role])
    read = client.get(f"/v1/contracts/{number}", headers=CS)
    repeatable = _repeatable(action, source)
    if repeatable:  # the action may follow itself: the racers name the version they read
        headers = {**headers, "If-Match": read.headers["ETag"]}
    # A repeatable action's losers hold a stale version (412) or find the thing they would
    # decide already decided (409); any other action's find the contract moved on (409).
    losers = {409, 412} if repeatable else {409}
    before = len(client.get(f"/v1/contracts/{number}/events", headers=CS).json())
    barrier = Barrier(RACERS + 1)

    def race(_: int) -> tuple[int, float]:
        with httpx.Client(base_url=live_server, timeout=60) as http:
            barrier.wait()
            started = time.monotonic()
            response = http.request(method, url, json=body, headers=headers)
            return response.status_code, time.monotonic() - started

    def bystander() -> float:
        with httpx.Client(base_url=live_server, timeout=60) as http:
            barrier.wait()
            time.sleep(0.05)  # the racers are in flight
            started = time.monotonic()
            assert http.get("/v1/me", headers=CS).status_code == 200
            return time.monotonic() - started

    with ThreadPoolExecutor(max_workers=RACERS + 1) as pool:
        watched = pool.submit(bystander)
        answers = list(pool.map(race, range(RACERS)))
        waited = watched.result()
    statuses = sorted(status for status, _ in answers)
    assert statuses[0] in (200, 201), statuses
    assert set(statuses[1:]) <= losers, statuses
    assert max(seconds for _, seconds in answers) < PATIENCE_SECONDS
    assert waited < 2.5  # a read never queues behind the writers (they may wait 10 s)
    events = client.get(f"/v1/contracts/{number}/events", headers=CS).json()
    assert len(events) == before + 1
    assert events[-1]["action"] == action.value
