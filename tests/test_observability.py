"""Request logs (JSON, with a request id, never personal data) and health checks."""

import json
import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.core.logging import JsonFormatter
from tests.conftest import CS, application

ACCESS = "kredo.access"


def test_one_json_line_per_request_without_personal_data(client: TestClient, caplog):
    caplog.set_level(logging.DEBUG, logger="kredo")
    body = application()
    response = client.post("/v1/contracts", json=body, headers={**CS, "X-Request-ID": "req-42"})
    assert response.headers["x-request-id"] == "req-42"
    client.get("/v1/contracts", params={"q": body["applicant"]["nik"]}, headers=CS)
    formatter = JsonFormatter()
    lines = [json.loads(formatter.format(record)) for record in caplog.records]
    requests = [line for line in lines if line["logger"] == ACCESS]
    assert requests[0] | {"time": None, "duration_ms": None} == {
        "time": None,
        "level": "info",
        "logger": ACCESS,
        "message": "request",
        "request_id": "req-42",
        "user": "cs.dewi",
        "method": "POST",
        "path": "/v1/contracts",
        "status": 201,
        "duration_ms": None,
    }
    logged = json.dumps(lines)
    applicant = body["applicant"]
    for secret in (
        applicant["nik"],
        applicant["full_name"],
        applicant["mother_maiden_name"],
        applicant["address"]["street"],
        applicant["spouse"]["nik"],
        "81234567890",
    ):
        assert secret not in logged


def test_a_request_id_is_made_when_none_or_a_bad_one_is_sent(client: TestClient):
    made = client.get("/healthz").headers["x-request-id"]
    assert len(made) == 32
    injected = client.get("/healthz", headers={"X-Request-ID": "bad id\nwith newline"})
    assert injected.headers["x-request-id"] != "bad id\nwith newline"


def test_healthz_and_readyz(client: TestClient):
    assert client.get("/healthz").json() == {
        "status": "ok",
        "database": None,
        "revision": None,
        "head": None,
    }
    ready = client.get("/readyz").json()
    assert ready["status"] == "ok"
    assert ready["revision"] == ready["head"]


@pytest.mark.usefixtures("client")
def test_readyz_is_503_when_migrations_are_behind(client: TestClient, database):
    with database.transaction() as session:
        (revision,) = session.execute(text("SELECT version_num FROM alembic_version")).one()
        session.execute(text("UPDATE alembic_version SET version_num = 'old'"))
    try:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["database"] == "behind"
    finally:
        with database.transaction() as session:
            session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": revision})
