"""Latency of submitting and reading contracts through the HTTP API, with the floor measured
in the same run (``GET /healthz``: the framework and transport, no database work).

    .venv/bin/python -m bench.contracts                 # SQLite in a temporary folder
    .venv/bin/python -m tools.with_postgres -- .venv/bin/python -m bench.contracts

Prints p50 / p95 / p99 in milliseconds per operation.
"""

import statistics
import sys
import time
from collections.abc import Callable

from fastapi.testclient import TestClient

from app.applications.schemas import EXAMPLE_FORM
from app.core.settings import Settings
from app.demo import demo_key
from app.main import create_app
from bench import demo_database

ROUNDS = 300
BODY = {"dealer_code": "D-JKT-001", "product_code": "MC", **EXAMPLE_FORM}


def timed(operation: Callable[[], object]) -> list[float]:
    samples = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        operation()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def row(label: str, samples: list[float]) -> str:
    q = statistics.quantiles(samples, n=100)
    return f"{label:<28} {q[49]:8.2f} {q[94]:8.2f} {q[98]:8.2f}"


def main() -> int:
    url, database = demo_database("bench")
    database.dispose()
    app = create_app(Settings(database_url=url, log_level="WARNING"))
    dealer = {"Authorization": f"Bearer {demo_key('dealer.sinar')}"}
    cs = {"Authorization": f"Bearer {demo_key('cs.dewi')}"}
    with TestClient(app) as client:
        numbers: list[str] = []

        def submit() -> None:
            numbers.append(client.post("/v1/contracts", json=BODY, headers=dealer).json()["number"])

        results = [
            ("GET /healthz (floor)", timed(lambda: client.get("/healthz"))),
            ("POST /v1/contracts", timed(submit)),
            (
                "GET /v1/contracts/{n}",
                timed(lambda: client.get(f"/v1/contracts/{numbers[-1]}", headers=cs)),
            ),
            ("GET /v1/contracts?limit=50", timed(lambda: client.get("/v1/contracts", headers=cs))),
        ]
    print(f"database: {url.split(':')[0]}, {ROUNDS} rounds each, milliseconds")
    print(f"{'operation':<28} {'p50':>8} {'p95':>8} {'p99':>8}")
    for label, samples in results:
        print(row(label, samples))
    return 0


if __name__ == "__main__":
    sys.exit(main())
