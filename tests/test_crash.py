"""A real uvicorn with two worker processes, under a bounded load of submissions (each with an
Idempotency-Key) and cancellations, is killed with SIGKILL mid-way and started again: every
acknowledged write is there, every contract's state is its last event's, and retrying each
request with its key gives one contract per key, the acknowledged ones unchanged."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from fastapi.testclient import TestClient

from app.core.settings import PROJECT_ROOT
from tests.conftest import CS, DEALER, application

WRITERS = 6


def _serve(database_url: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "KREDO_DATABASE_URL": database_url, "KREDO_LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--workers", "2", "--port", str(port),
         "--no-server-header", "--no-access-log", "--log-level", "warning"],
        cwd=PROJECT_ROOT, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    os.killpg(server.pid, signal.SIGKILL)
    raise RuntimeError("uvicorn did not start")


def test_kill_9_under_load_loses_no_acknowledged_write(
    client: TestClient, database: Any, database_url: str
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    server = _serve(database_url, port)
    acknowledged: dict[str, str] = {}  # idempotency key -> contract number
    cancelled: set[str] = set()
    tried: list[str] = []
    stop = threading.Event()

    def load(writer: int) -> None:
        with httpx.Client(base_url=base, timeout=10) as http:
            for n in range(10_000):
                if stop.is_set():
                    return
                key = f"crash-{writer}-{n:05d}"
                tried.append(key)
                try:
                    made = http.post("/v1/contracts", json=application(),
                                     headers={**DEALER, "Idempotency-Key": key})  # fmt: skip
                    if made.status_code != 201:
                        continue
                    acknowledged[key] = made.json()["number"]
                    if n % 3 == 0:
                        done = http.post(
                            f"/v1/contracts/{acknowledged[key]}/cancellation",
                            json={"reason": "Customer bought in cash"},
                            headers=CS,
                        )
                        if done.status_code == 200:
                            cancelled.add(acknowledged[key])
                except httpx.TransportError:
                    return  # the server is gone

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        futures = [pool.submit(load, w) for w in range(WRITERS)]
        # Killed in the middle of the load: once writes are being acknowledged (a loaded
        # machine starts slowly), not at a fixed time.
        deadline = time.monotonic() + 60
        while len(acknowledged) < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
        stop.set()
        for future in futures:
            future.result(timeout=30)
    assert len(acknowledged) > 10

    server = _serve(database_url, port)
    try:
        with httpx.Client(base_url=base, timeout=30) as http:
            for number in acknowledged.values():
                contract = http.get(f"/v1/contracts/{number}", headers=CS)
                assert contract.status_code == 200, number
                events = http.get(f"/v1/contracts/{number}/events", headers=CS).json()
                assert contract.json()["state"] == events[-1]["to_state"], number
                if number in cancelled:
                    assert contract.json()["state"] == "CANCELLED", number
            numbers: dict[str, str] = {}
            for key in tried:  # the client retries everything it sent, with the same key
                again = http.post("/v1/contracts", json=application(),
                                  headers={**DEALER, "Idempotency-Key": key})  # fmt: skip
                assert again.status_code == 201, again.text
                numbers[key] = again.json()["number"]
                if key in acknowledged:
                    assert numbers[key] == acknowledged[key]
                    assert again.headers["Idempotent-Replayed"] == "true"
            assert len(set(numbers.values())) == len(tried)
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
