"""Test fixtures: a migrated database (SQLite, or PostgreSQL when KREDO_TEST_DATABASE_URL
names one), emptied and re-seeded with the demo data before each test, and clients that
drive the real ASGI app over httpx."""

import copy
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from app.applications.schemas import EXAMPLE_FORM
from app.contracts.models import Contract
from app.core.database import Database
from app.core.merge_patch import merge_patch
from app.core.migrations import migrate
from app.core.settings import Settings
from app.demo import demo_key, seed_demo
from app.main import create_app
from app.tables import Base


def _database_url() -> str:
    url = os.environ.get("KREDO_TEST_DATABASE_URL")
    if url:
        return url
    folder = Path(tempfile.mkdtemp(prefix="kredo-test-"))
    return f"sqlite:///{folder}/kredo_test.db"


DATABASE_URL = _database_url()
# One app for the whole run; schemathesis needs it at import time to read its OpenAPI document.
DOCUMENT_DIR = Path(tempfile.mkdtemp(prefix="kredo-documents-"))
APP = create_app(
    Settings(database_url=DATABASE_URL, env="test", log_level="WARNING", document_dir=DOCUMENT_DIR)
)


@pytest.fixture(scope="session")
def database_url() -> str:
    migrate(DATABASE_URL)
    return DATABASE_URL


@pytest.fixture(scope="session")
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    yield db
    db.dispose()


@pytest.fixture(scope="session")
def app(database_url: str) -> FastAPI:
    return APP


@pytest.fixture(autouse=True)
def fresh_data(request: pytest.FixtureRequest) -> None:
    """Every test that touches the database starts from the demo data and nothing else."""
    if "database" not in request.fixturenames and "client" not in request.fixturenames:
        return
    reset(request.getfixturevalue("database"))


def reset(database: Database) -> None:
    """The demo data and nothing else (also between the examples of a hypothesis test that
    closes days: the function-scoped fixture runs once for all of them)."""
    with database.transaction() as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(table.delete())
        seed_demo(session)


@pytest.fixture(autouse=True)
def no_failed_authentications() -> None:
    """Each test starts with no failed authentication counted against the test client (the
    whole suite calls from one address, and some tests fail on purpose)."""
    APP.state.auth_throttle.reset()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """A client that reads English (the words the tests check); ``tests/test_i18n.py`` asks for
    Indonesian, the service's default, and for nothing in particular."""
    with TestClient(
        app, raise_server_exceptions=False, headers={"Accept-Language": "en"}
    ) as test_client:
        yield test_client


def auth(username: str) -> dict[str, str]:
    """Headers of a demo user (see ``app.demo.USERS``)."""
    return {"Authorization": f"Bearer {demo_key(username)}"}


DEALER = auth("dealer.sinar")
SALESMAN = auth("sales.budi")
CS = auth("cs.dewi")
ANALYST = auth("ca.rina")
SURVEYOR = auth("surveyor.agus")
APPROVER = auth("approver.hendra")
AUDITOR = auth("auditor.yuni")
FINANCE = auth("finance.tono")
COLLECTOR = auth("collector.joko")
ADMIN = auth("admin.sari")
INTEGRATION = auth("integration.ledger")


def application(**patch: Any) -> dict[str, Any]:
    """A valid Jakarta motorcycle application (the OpenAPI example) with ``patch`` merged in
    as a JSON Merge Patch: nested objects merge, ``None`` removes a key, lists replace."""
    body = {"dealer_code": "D-JKT-001", "product_code": "MC", **copy.deepcopy(EXAMPLE_FORM)}
    merged: dict[str, Any] = merge_patch(body, patch)
    return merged


def submit(client: TestClient, headers: dict[str, str] = DEALER, **overrides: Any) -> str:
    response = client.post("/v1/contracts", json=application(**overrides), headers=headers)
    assert response.status_code == 201, response.text
    number: str = response.json()["number"]
    return number


def row_counts(database: Database) -> dict[str, int]:
    """Rows per table, to show that a rejected request wrote nothing."""
    with database.sessions() as session:
        return {
            table.name: session.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }


def force_state(database: Database, number: str, state: str) -> None:
    """Put a contract straight into ``state`` (test set-up for the transition table)."""
    with database.transaction() as session:
        session.execute(update(Contract).where(Contract.number == number).values(state=state))


@pytest.fixture(scope="session")
def live_server(app: FastAPI) -> Iterator[str]:
    """The app served by a real uvicorn on a free loopback port, for concurrent HTTP tests."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", access_log=False,
        server_header=False,
    )  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's Chromium, installed with apt when this machine has none."""
    found = shutil.which("chromium")
    if found:
        return found
    apt = ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]
    if os.geteuid() != 0:
        apt.insert(0, "sudo")
    if subprocess.run(apt, capture_output=True, check=False).returncode != 0:
        subprocess.run([*apt[:-4], "update"], capture_output=True, check=True)
        subprocess.run(apt, capture_output=True, check=True)
    installed = shutil.which("chromium")
    assert installed, "apt-get installed chromium but it is not on PATH"
    return installed
