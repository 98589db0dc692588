"""Webhook benchmark: 10,000 events of the log delivered by the worker's own round
(``app.worker.run_once``: claim, fan-out, sign, POST, record each attempt) to a local
receiver, beside the floor: the same 10,000 signed bodies POSTed to the same receiver by a
plain loop with nothing recorded (what the receiver and HTTP alone cost).

    .venv/bin/python -m bench.webhooks                   # SQLite in a temporary folder
    .venv/bin/python -m tools.with_postgres -- .venv/bin/python -m bench.webhooks
    .venv/bin/python -m bench.webhooks --events 2000     # a smaller run
"""

import argparse
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
from sqlalchemy import func, insert, select

from app.auth.service import principal_of
from app.contracts.models import Contract, ContractEvent
from app.core.clock import utcnow
from app.webhooks import signing
from app.webhooks.models import WebhookDelivery
from app.webhooks.service import create_endpoint, message, message_id
from app.worker import run_once
from bench import demo_database
from bench.collection import Portfolio, load, references

EVENTS_A_CONTRACT = 10


class Receiver:
    def __init__(self) -> None:
        self.count = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver offers

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["Content-Length"]))
                receiver.count += 1
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10_000)
    args = parser.parse_args(argv)
    _, database = demo_database("webhooks")
    engine = database.engine.dialect.name
    refs, terms = references(database)
    stamp = "{} 03:00:00+00" if engine == "postgresql" else "{} 03:00:00.000000"
    load(database.engine, Portfolio(20261122, refs, terms, stamp),
         args.events // EVENTS_A_CONTRACT)  # fmt: skip
    receiver = Receiver()
    with database.transaction() as session:
        admin = principal_of(session, "admin.sari")
        assert admin is not None
        endpoint = create_endpoint(session, admin, receiver.url, ["*"], "bench")
        endpoint_id, secret = endpoint.id, endpoint.secret
        ids = list(session.scalars(select(Contract.id).order_by(Contract.id)))
        now = utcnow()
        session.execute(
            insert(ContractEvent),
            [
                {"contract_id": c, "seq": 1000 + n, "action": "payment", "from_state": "ACTIVE",
                 "to_state": "ACTIVE", "actor_role": "system", "occurred_at": now,
                 "payload": {"amount": 825_000, "paid_on": "2026-11-20"}}
                for n in range(EVENTS_A_CONTRACT) for c in ids
            ][: args.events],
        )  # fmt: skip

    with httpx.Client() as client:
        started = time.perf_counter()
        delivered = 0
        while True:
            done = run_once(database, client)
            delivered += done
            if done == 0:
                break
        worker_seconds = time.perf_counter() - started
        with database.sessions() as session:
            bodies = [
                (message_id(d), message(session, d_endpoint, d))
                for d_endpoint in [session.get_one(type(endpoint), endpoint_id)]
                for d in session.scalars(
                    select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
                    .order_by(WebhookDelivery.event_id)
                )
            ]  # fmt: skip
            pending = session.scalar(
                select(func.count()).select_from(WebhookDelivery)
                .where(WebhookDelivery.status == "pending")
            )  # fmt: skip
        started = time.perf_counter()
        for msg_id, body in bodies:
            stamp_now = int(time.time())
            signed = signing.headers(secret, msg_id, stamp_now, body)
            response = client.post(receiver.url, content=body, headers=signed)
            response.raise_for_status()
        floor_seconds = time.perf_counter() - started
    database.dispose()
    receiver.server.shutdown()

    print(f"\nWebhooks on {engine}: {delivered:,} deliveries ({pending} left pending); "
          f"the receiver took {receiver.count:,} requests")  # fmt: skip
    print(f"{'step':<44} | {'seconds':>8} | {'per second':>10}")
    print(f"{'worker: fan-out, sign, POST, record':<44} | {worker_seconds:>8.1f} | "
          f"{delivered / worker_seconds:>10,.0f}")  # fmt: skip
    print(f"{'floor: the same POSTs, nothing recorded':<44} | {floor_seconds:>8.1f} | "
          f"{len(bodies) / floor_seconds:>10,.0f}")  # fmt: skip
    print(f"the worker at {worker_seconds / floor_seconds:.1f}x the floor")
    return 0 if delivered == args.events and pending == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
