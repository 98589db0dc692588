"""Request logs (JSON, with a request id, never personal data) and health checks."""

import json
import logging
import threading
import time
from urllib.parse import quote, quote_plus

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.core.dependencies import DbSession
from app.core.logging import JsonFormatter
from app.core.settings import Settings
from app.main import create_app
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


def test_a_forced_500_leaves_no_personal_data_in_any_log_line(
    database_url: str, database, capfd: pytest.CaptureFixture[str]
):
    """A pipeline of calls with a forced 500 inside a statement that carries the applicant's
    data: every line on stderr (the service's and uvicorn's) is JSON with the request id, and
    none holds the NIK, name, mother's name, phone or street. Before: the traceback printed
    the SQL parameters, twice (the error line and uvicorn's own traceback)."""
    body = application()
    person = body["applicant"]
    secrets = (person["nik"], person["full_name"], person["mother_maiden_name"],
               person["address"]["street"], person["phones"][0]["number"])  # fmt: skip

    def build() -> FastAPI:
        app = create_app(Settings(database_url=database_url, env="test", log_level="INFO"))

        @app.post("/boom")
        def boom(session: DbSession) -> None:
            session.execute(
                text("SELECT * FROM no_such_table WHERE nik = :nik AND name = :name"),
                {"nik": secrets[0], "name": secrets[1]},
            )

        return app

    # Made by uvicorn after it has set up its own logging, as `uvicorn app.main:app` does.
    config = uvicorn.Config(build, factory=True, host="127.0.0.1", port=0, log_level="info",
                            server_header=False)  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
        assert http.post("/v1/contracts", json=body, headers=CS).status_code == 201
        assert http.get("/v1/contracts", params={"q": person["full_name"]}, headers=CS).is_success
        failed = http.post("/boom", json=body, headers={"X-Request-ID": "req-boom"})
        assert failed.status_code == 500
    server.should_exit = True
    thread.join(timeout=10)
    captured = capfd.readouterr()
    assert not captured.out.strip()  # uvicorn's own access lines included: nothing on stdout
    lines = [line for line in captured.err.splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is JSON
    errors = [r for r in records if r["level"] == "error"]
    assert len(errors) == 1  # logged once, not again by uvicorn
    assert errors[0]["request_id"] == "req-boom"
    assert "no_such_table" in errors[0]["exception"]
    for secret in secrets:
        for form in (secret, quote(secret), quote_plus(secret)):  # as typed, or in a URL
            assert all(form not in line for line in lines), form
