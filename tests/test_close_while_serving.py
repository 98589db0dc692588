"""The API keeps serving during a close of business: a two-month catch-up through the API
commits day by day, so while it runs a dealer's submissions and a reader's lookups every
100 ms all succeed; reads are not held up, and a write waits at most about one day's close."""

import threading
import time
from datetime import timedelta
from typing import Any

import httpx
from fastapi.testclient import TestClient

from app.core.clock import today_jakarta
from tests.conftest import ADMIN, CS, DEALER, application
from tests.test_collection import active_contract, pay
from tests.test_collection import close as close_day

DAYS = 60


def test_submissions_and_reads_carry_on_during_a_catch_up(
    client: TestClient, database: Any, live_server: str
) -> None:
    first = today_jakarta() - timedelta(days=DAYS)
    numbers = [active_contract(client, database, first) for _ in range(4)]
    pay(client, numbers[0], 1_000_000, first + timedelta(days=31), "PAY-1")
    close_day(client, first)
    closing = threading.Event()
    finished = threading.Event()
    close_seconds: list[float] = []
    reads: list[tuple[int, float]] = []
    writes: list[tuple[int, float]] = []

    def close() -> None:
        with httpx.Client(base_url=live_server, timeout=120) as http:
            closing.set()
            started = time.monotonic()
            response = http.post(
                "/v1/collection/close-of-business",
                headers=ADMIN,
                json={"business_date": today_jakarta().isoformat()},
            )
            close_seconds.append(time.monotonic() - started)
            assert response.status_code == 200, response.text
            assert len(response.json()["days"]) == DAYS
        finished.set()

    def work() -> None:
        closing.wait()
        with httpx.Client(base_url=live_server, timeout=60) as http:
            while not finished.is_set():
                started = time.monotonic()
                made = http.post("/v1/contracts", json=application(), headers=DEALER)
                writes.append((made.status_code, time.monotonic() - started))
                started = time.monotonic()
                read = http.get(f"/v1/contracts/{numbers[1]}", headers=CS)
                reads.append((read.status_code, time.monotonic() - started))
                time.sleep(0.1)

    failures: list[BaseException] = []

    def recorded(target: Any) -> threading.Thread:
        def run() -> None:
            try:
                target()
            except BaseException as error:
                failures.append(error)
                finished.set()

        return threading.Thread(target=run)

    closer, worker = recorded(close), recorded(work)
    worker.start()
    closer.start()
    closer.join(timeout=300)
    worker.join(timeout=60)
    assert not failures, failures
    assert reads
    assert writes
    assert {status for status, _ in writes} == {201}
    assert {status for status, _ in reads} == {200}
    one_day = close_seconds[0] / DAYS
    assert max(seconds for _, seconds in reads) < 1.0
    assert max(seconds for _, seconds in writes) < max(1.0, 3 * one_day) + 0.5
