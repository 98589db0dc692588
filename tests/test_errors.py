"""Every error is RFC 9457 problem+json with no trace or SQL, and a rejected request writes
nothing."""

import logging

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from app.contracts.models import Contract
from app.core import database
from app.core.dependencies import DbSession
from app.core.settings import Settings
from app.main import create_app
from app.reference.models import Branch
from tests.conftest import ADMIN, CS, DEALER, application, auth, row_counts, submit

PROBLEM = "application/problem+json"


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail"} <= body.keys()
    assert "Traceback" not in response.text
    assert "SELECT" not in response.text.upper()
    return body


def test_400_malformed_json(client: TestClient):
    response = client.post(
        "/v1/contracts",
        content=b"{not json",
        headers={**DEALER, "content-type": "application/json"},
    )
    assert_problem(response, 400)


def test_401_without_key_and_with_unknown_key(client: TestClient):
    body = assert_problem(client.get("/v1/me"), 401)
    assert "Bearer" in body["detail"]
    assert client.get("/v1/me").headers["www-authenticate"] == "Bearer"
    assert_problem(client.get("/v1/me", headers=auth("nobody")), 401)


def test_403_for_a_role_not_allowed(client: TestClient):
    body = assert_problem(client.get("/v1/users", headers=CS), 403)
    assert "customer_service" in body["detail"]


def test_404_unknown_route_and_contract_outside_scope(client: TestClient):
    assert_problem(client.get("/v1/nothing-here", headers=ADMIN), 404)
    assert_problem(client.get("/v1/contracts/JKT01-2026-MC-999999", headers=CS), 404)


def test_405_wrong_method(client: TestClient):
    assert_problem(client.delete("/v1/contracts", headers=CS), 405)


def test_409_names_current_state_and_allowed(client: TestClient):
    number = submit(client)
    client.post(f"/v1/contracts/{number}/cancellation", json={"reason": "gone"}, headers=CS)
    body = assert_problem(
        client.post(f"/v1/contracts/{number}/cancellation", json={"reason": "again"}, headers=CS),
        409,
    )
    assert body["current_state"] == "CANCELLED"
    assert "SUBMITTED" in body["allowed_from"]


def test_422_lists_every_field_and_rule(client: TestClient, database):
    before = row_counts(database)
    body = application(down_payment=-5, tenor_months=0, applicant={"sex": "unknown"})
    body["vehicle"].pop("brand")
    problem = assert_problem(client.post("/v1/contracts", json=body, headers=DEALER), 422)
    fields = {(e["field"], e["rule"]) for e in problem["errors"]}
    assert ("down_payment", "greater_than") in fields
    assert ("tenor_months", "greater_than_equal") in fields
    assert ("applicant.sex", "enum") in fields
    assert ("vehicle.brand", "missing") in fields
    assert row_counts(database) == before


def test_500_is_a_problem_without_trace(database_url: str):
    app: FastAPI = create_app(Settings(database_url=database_url, env="test", log_level="WARNING"))

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals: SELECT * FROM users")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    body = assert_problem(response, 500)
    assert "secret" not in str(body)
    # Rendered outside every middleware of the app, and still with the security headers.
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"


def test_money_must_be_an_integer_not_a_float_or_string(client: TestClient):
    for value in (6_000_000.5, "6000000"):
        problem = assert_problem(
            client.post("/v1/contracts", json=application(down_payment=value), headers=DEALER), 422
        )
        assert problem["errors"][0]["field"] == "down_payment"


def test_unknown_or_repeated_query_parameters_are_refused(client: TestClient):
    typo = assert_problem(client.get("/v1/contracts?stat=CANCELLED", headers=CS), 422)
    assert typo["errors"] == [
        {"field": "query.stat", "message": "Unknown parameter.", "rule": "unknown"}
    ]
    assert "state" in typo["detail"]
    twice = assert_problem(
        client.get("/v1/contracts?state=SUBMITTED&state=REJECTED", headers=CS), 422
    )
    assert twice["errors"][0]["rule"] == "repeated"


def test_405_lists_every_documented_method(client: TestClient):
    response = client.put("/v1/users", headers=ADMIN)
    assert_problem(response, 405)
    assert response.headers["allow"] == "GET, POST"


def test_what_the_database_refuses_is_a_client_problem_and_logs_no_parameters(
    database_url: str, caplog: pytest.LogCaptureFixture
):
    """A unique violation that still happens (a race the lock did not cover) is 409; a value
    the database cannot hold is 422; neither is a 500, and the refused values (personal data)
    appear in no log line."""
    app: FastAPI = create_app(Settings(database_url=database_url, env="test", log_level="WARNING"))
    secret = "3171010101900001"

    @app.post("/twice")
    def twice(session: DbSession) -> None:
        for _ in range(2):
            session.add(Branch(code="DUP", name=secret, city="Jakarta"))
            session.flush()

    @app.post("/huge")
    def huge(session: DbSession) -> None:
        session.execute(update(Contract).values(otr_price=10**30, applicant_name=secret))

    with caplog.at_level(logging.DEBUG), TestClient(app, raise_server_exceptions=False) as client:
        conflict = assert_problem(client.post("/twice"), 409)
        refused = client.post("/huge")
    assert "branch" in conflict["detail"] or "record" in conflict["detail"]
    assert_problem(refused, 422)
    assert secret not in caplog.text
    db = database.Database(database_url)
    with db.sessions() as session:
        assert session.scalar(select(Branch.id).where(Branch.code == "DUP")) is None
    db.dispose()
