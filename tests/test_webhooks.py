"""Webhooks against a real HTTP receiver on a free port: deliveries signed as the Standard
Webhooks specification says (checked here with hmac, not with the service's code), a
dealer's endpoint sees only its own contracts, a receiver down then up gets every event in
the event log's order, an endpoint whose retries are spent is disabled and resumes when
enabled, and a worker killed in the middle of a delivery loses nothing."""

import base64
import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from app.core.clock import utcnow
from app.webhooks.service import RETRY_SECONDS
from app.worker import run_once
from tests.conftest import ADMIN, CS, DEALER, FINANCE, SALESMAN, submit


class Receiver:
    """An HTTP server in a thread that keeps every request it gets (its headers and body)
    and answers ``status``; with ``hang`` set, it holds the next request until released."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.status = 204
        self.hang = threading.Event()
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(
                    {"path": self.path, "headers": dict(self.headers.items()), "body": body}
                )
                if receiver.hang.is_set():
                    receiver.hang.clear()
                    receiver.release.wait(30)
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str = "/hooks") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def events(self, path: str = "/hooks") -> list[dict[str, Any]]:
        """What arrived at ``path``, each message once (receivers deduplicate by id)."""
        seen: dict[str, dict[str, Any]] = {}
        for request in self.received:
            if request["path"] == path:
                seen.setdefault(request["headers"]["webhook-id"], json.loads(request["body"]))
        return list(seen.values())


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.stop()


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """Standard Webhooks, written from the specification."""
    key = base64.b64decode(secret.split("_", 1)[1])
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.{body.decode()}"
    expected = base64.b64encode(hmac.new(key, signed.encode(), hashlib.sha256).digest())
    given = [s.split(",", 1)[1] for s in headers["webhook-signature"].split(" ")]
    return any(hmac.compare_digest(expected.decode(), g) for g in given)


def clock(at: datetime) -> Callable[[], datetime]:
    """The worker's clock stopped at ``at`` (a backoff is waited out without waiting)."""
    return lambda: at


def register(client: TestClient, headers: dict[str, str], url: str, types: list[str]) -> dict:
    made = client.post("/v1/webhooks", headers=headers, json={"url": url, "event_types": types})
    assert made.status_code == 201, made.text
    body: dict = made.json()
    return body


def feed(client: TestClient) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.get("/v1/events?limit=1000", headers=ADMIN).json()["items"]
    return items


def test_signed_deliveries_and_a_dealer_sees_only_its_own(client, database, receiver):
    admin = register(client, ADMIN, receiver.url("/all"), ["*"])
    dealer = register(client, DEALER, receiver.url("/dealer"), ["submit", "cancel"])
    assert admin["secret"].startswith("whsec_")
    assert admin["secret"] != dealer["secret"]
    shown = client.get(f"/v1/webhooks/{admin['id']}", headers=ADMIN).json()
    assert "secret" not in shown  # shown once
    assert client.get(f"/v1/webhooks/{admin['id']}", headers=DEALER).status_code == 404
    assert [e["id"] for e in client.get("/v1/webhooks", headers=DEALER).json()["items"]] == [
        dealer["id"]
    ]
    assert client.get("/v1/webhooks", headers=CS).status_code == 403
    assert (
        client.post(
            "/v1/webhooks", headers=ADMIN, json={"url": receiver.url(), "event_types": ["bogus"]}
        ).status_code
        == 422
    )

    ours = submit(client, DEALER)
    theirs = submit(client, SALESMAN, dealer_code="D-JKT-002")
    cancelled = client.post(f"/v1/contracts/{ours}/cancellation", headers=DEALER,
                            json={"reason": "Customer withdrew"})  # fmt: skip
    assert cancelled.status_code == 200, cancelled.text
    logged = [e for e in feed(client) if e["contract_number"] in (ours, theirs)]

    with httpx.Client() as http:
        assert run_once(database, http) == len(logged) + 2
    everything = receiver.events("/all")
    assert [(e["data"]["contract_number"], e["data"]["seq"]) for e in everything] == [
        (e["contract_number"], e["seq"]) for e in logged
    ]  # the event log's order
    assert [(e["type"], e["data"]["contract_number"]) for e in receiver.events("/dealer")] == [
        ("contract.submit", ours), ("contract.cancel", ours)]  # fmt: skip
    secrets = {"/all": admin["secret"], "/dealer": dealer["secret"]}
    for request in receiver.received:
        assert verify(secrets[request["path"]], request["headers"], request["body"])
        assert not verify(secrets[request["path"]], request["headers"], request["body"] + b" ")
        age = time.time() - int(request["headers"]["webhook-timestamp"])
        assert 0 <= age < 60

    # The README's verification example, as a receiver would copy it, accepts them too.
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    [example] = [
        block.split("```", 1)[0]
        for block in readme.split("```python\n")[1:]
        if "def verified" in block.split("```", 1)[0]
    ]
    namespace: dict[str, Any] = {}
    exec(example, namespace)
    for request in receiver.received:
        assert namespace["verified"](secrets[request["path"]], request["headers"], request["body"])

    deliveries = client.get(f"/v1/webhooks/{dealer['id']}/deliveries", headers=DEALER).json()
    assert [(d["action"], d["status"], len(d["attempts"])) for d in deliveries["items"]] == [
        ("submit", "delivered", 1), ("cancel", "delivered", 1)]  # fmt: skip
    assert deliveries["items"][0]["attempts"][0]["status_code"] == 204
    # Replayed: sent again with the same webhook-id.
    first = deliveries["items"][0]
    replayed = client.post(
        f"/v1/webhooks/{dealer['id']}/deliveries/{first['id']}/replay", headers=DEALER
    )
    assert replayed.status_code == 200, replayed.text
    with httpx.Client() as http:
        run_once(database, http)
    again = [r for r in receiver.received if r["path"] == "/dealer"]
    assert [r["headers"]["webhook-id"] for r in again][-1] == first["webhook_id"]
    assert len(again) == 3


def test_a_receiver_down_then_up_gets_every_event_in_order(client, database, receiver):
    endpoint = register(client, ADMIN, receiver.url(), ["*"])
    receiver.status = 503
    numbers = [submit(client, DEALER) for _ in range(3)]
    for number in numbers[:2]:
        done = client.post(f"/v1/contracts/{number}/cancellation", headers=DEALER,
                           json={"reason": "Withdrawn"})  # fmt: skip
        assert done.status_code == 200, done.text
    logged = [(e["contract_number"], e["seq"]) for e in feed(client) if e["contract_number"]
              in numbers]  # fmt: skip
    start = utcnow()
    with httpx.Client() as http:
        assert run_once(database, http, now=clock(start)) == 0
        assert len(receiver.received) == 1  # the oldest waits; nothing overtakes it
        assert run_once(database, http, now=clock(start + timedelta(seconds=2))) == 0
        assert len(receiver.received) == 1  # not due before its backoff
        receiver.status = 200
        later = start + timedelta(seconds=RETRY_SECONDS[0] + 1)
        assert run_once(database, http, now=clock(later)) == len(logged)
    got = [(e["data"]["contract_number"], e["data"]["seq"]) for e in receiver.events()]
    assert got == logged
    for number in numbers:  # in order per contract
        seqs = [seq for n, seq in got if n == number]
        assert seqs == sorted(seqs)
    items = client.get(f"/v1/webhooks/{endpoint['id']}/deliveries", headers=ADMIN).json()["items"]
    assert [a["status_code"] for a in items[0]["attempts"]] == [503, 200]
    assert all(d["status"] == "delivered" for d in items)


def test_an_endpoint_whose_retries_are_spent_is_disabled_and_resumes(client, database, receiver):
    endpoint = register(client, ADMIN, receiver.url(), ["submit"])
    receiver.stop()  # nobody listens: connection refused
    number = submit(client, DEALER)
    at = utcnow()
    with httpx.Client() as http:
        for wait in (0, *RETRY_SECONDS):
            at += timedelta(seconds=wait + 1)
            assert run_once(database, http, now=clock(at)) == 0
    assert sum(RETRY_SECONDS) > 24 * 3600  # retried for more than a day
    shown = client.get(f"/v1/webhooks/{endpoint['id']}", headers=ADMIN).json()
    assert shown["active"] is False
    assert shown["pending"] == 1  # kept
    assert "failed attempts" in shown["disabled_reason"]
    items = client.get(f"/v1/webhooks/{endpoint['id']}/deliveries", headers=ADMIN).json()["items"]
    attempts = items[0]["attempts"]
    assert len(attempts) == len(RETRY_SECONDS) + 1
    assert attempts[0]["status_code"] is None
    assert "ConnectError" in attempts[0]["error"]

    back = Receiver()
    try:
        moved = client.post(f"/v1/webhooks/{endpoint['id']}/active", headers=ADMIN,
                            json={"active": True})  # fmt: skip
        assert moved.status_code == 200, moved.text
        with database.transaction() as session:  # the endpoint moved to the new receiver
            from app.webhooks.models import WebhookEndpoint

            session.get_one(WebhookEndpoint, endpoint["id"]).url = back.url()
        with httpx.Client() as http:
            assert run_once(database, http) == 1
        assert [e["data"]["contract_number"] for e in back.events()] == [number]
    finally:
        back.stop()


def _worker(database_url: str) -> subprocess.Popen[str]:
    """``kredo worker`` in a process of its own; what it says is read with communicate()."""
    env = {**os.environ, "KREDO_DATABASE_URL": database_url, "KREDO_WORKER_LEASE_SECONDS": "2",
           "LANG": "en_US.UTF-8"}  # fmt: skip
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", "worker"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _wait(condition: Any, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_worker_killed_mid_delivery_loses_nothing(client, database, database_url, receiver):
    endpoint = register(client, ADMIN, receiver.url(), ["*"])
    numbers = [submit(client, DEALER) for _ in range(3)]
    logged = [(e["contract_number"], e["seq"]) for e in feed(client) if e["contract_number"]
              in numbers]  # fmt: skip
    receiver.hang.set()  # the first request is held
    worker = _worker(database_url)
    try:
        _wait(lambda: len(receiver.received) == 1)
        if database_url.startswith("sqlite"):
            second = _worker(database_url)
            _out, said = second.communicate(timeout=30)
            assert second.returncode == 1  # one at a time on SQLite
            assert "already runs" in said
        worker.kill()  # in the middle of the delivery: nothing was recorded
        worker.communicate(timeout=10)
        receiver.release.set()
        worker = _worker(database_url)

        def all_delivered() -> bool:
            items = client.get(f"/v1/webhooks/{endpoint['id']}/deliveries",
                               headers=ADMIN).json()["items"]  # fmt: skip
            return len(items) == len(logged) and all(d["status"] == "delivered" for d in items)

        _wait(all_delivered)
        worker.send_signal(signal.SIGTERM)
        _out, said = worker.communicate(timeout=30)
        assert worker.returncode == 0, said
        assert "worker stopped" in said
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate(timeout=10)
    ids = [r["headers"]["webhook-id"] for r in receiver.received]
    assert ids.count(ids[0]) == 2  # the interrupted one, sent again with its id
    got = [(e["data"]["contract_number"], e["data"]["seq"]) for e in receiver.events()]
    assert got == logged


def test_payloads_are_masked_for_a_dealer(client, database, receiver):
    from app.contracts.models import Contract
    from app.contracts.service import log_event
    from app.webhooks.models import WebhookDelivery, WebhookEndpoint
    from app.webhooks.service import message

    register(client, DEALER, receiver.url("/dealer"), ["*"])
    register(client, ADMIN, receiver.url("/all"), ["*"])
    number = submit(client, DEALER)
    with database.transaction() as session:
        from sqlalchemy import select

        contract = session.scalar(select(Contract).where(Contract.number == number))
        assert contract is not None
        event = log_event(session, contract, "collateral_change", None,
                          payload={"guarantor": {"nik": "3171011708450001",
                                                 "phone": "+6281234567890"}})  # fmt: skip
        for endpoint in session.scalars(select(WebhookEndpoint)):
            delivery = WebhookDelivery(endpoint_id=endpoint.id, event_id=event.id,
                                       contract_id=contract.id)  # fmt: skip
            body = json.loads(message(session, endpoint, delivery))
            guarantor = body["data"]["payload"]["guarantor"]
            if endpoint.owner_role == "dealer":
                assert guarantor == {"nik": "3171********0001", "phone": "+62812*****890"}
            else:
                assert guarantor["nik"] == "3171011708450001"
    assert client.get("/v1/webhooks", headers=FINANCE).status_code == 403
