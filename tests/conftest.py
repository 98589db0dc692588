"""Test fixtures: a migrated database (SQLite, or PostgreSQL when KREDO_TEST_DATABASE_URL
names one), emptied and re-seeded with the demo data before each test, and clients that
drive the real ASGI app over httpx."""

import copy
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, make_url, select, text, update

from app.applications.schemas import EXAMPLE_FORM
from app.contracts.models import Contract
from app.core.database import Database
from app.core.merge_patch import merge_patch
from app.core.migrations import migrate
from app.core.settings import PROJECT_ROOT, Settings
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
VENV_BIN = Path(sys.executable).parent
# One app for the whole run; schemathesis needs it at import time to read its OpenAPI document.
APP = create_app(Settings(database_url=DATABASE_URL, env="test", log_level="WARNING"))


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


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """``app`` on a real uvicorn on a free loopback port."""
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
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(app: FastAPI) -> Iterator[str]:
    """The app served by a real uvicorn on a free loopback port, for concurrent HTTP tests."""
    with serving(app) as base:
        yield base


@dataclass(frozen=True)
class DemoServer:
    """The demo ``make run`` serves, on a database of its own: where it listens, the
    environment its ``kredo`` commands run in (``KREDO_DATABASE_URL`` naming that database, the
    venv's ``kredo`` on the ``PATH``), and what the seed printed."""

    base: str
    env: dict[str, str]
    database_url: str
    seeded: str


def kredo_command(env: dict[str, str], *args: str) -> str:
    """``kredo`` in a process of its own; its output (stdout, then stderr)."""
    done = subprocess.run(
        [str(VENV_BIN / "kredo"), *args], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


@pytest.fixture(scope="session")
def demo_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of its own: on the suite's PostgreSQL server when the suite runs there."""
    suite = os.environ.get("KREDO_TEST_DATABASE_URL")
    if not suite or not suite.startswith("postgresql"):
        yield f"sqlite:///{tmp_path_factory.mktemp('demo')}/kredo.db"
        return
    name = f"kredo_demo_{os.getpid()}"
    admin = create_engine(suite, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
            connection.execute(text(f"CREATE DATABASE {name}"))
        yield make_url(suite).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def demo_server(
    demo_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DemoServer]:
    """What ``make run`` does, once for the session: migrate, ``kredo seed-demo
    --with-history`` (a year of history), and a real uvicorn serving it on a free port."""
    env = {
        **os.environ,
        "KREDO_DATABASE_URL": demo_database_url,
        "KREDO_LOG_LEVEL": "WARNING",
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    env.pop("KREDO_TEST_DATABASE_URL", None)
    kredo_command(env, "migrate")
    seeded = kredo_command(env, "seed-demo", "--with-history")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    logged = tmp_path_factory.mktemp("demo-server") / "uvicorn.log"
    log = logged.open("wb")
    process = subprocess.Popen(
        [str(VENV_BIN / "uvicorn"), "app.main:app", "--host", "127.0.0.1", "--port", str(port),
         "--no-server-header", "--no-access-log"],
        cwd=PROJECT_ROOT, env=env, start_new_session=True, stdout=log, stderr=log,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90  # a loaded machine imports the app slowly
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            failed = f"uvicorn did not start:\n{logged.read_text()[-3000:]}"
            assert process.poll() is None, failed
            assert time.monotonic() < deadline, failed
            time.sleep(0.1)
        yield DemoServer(base, env, demo_database_url, seeded)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


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
