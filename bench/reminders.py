"""Reminder-plan benchmark: the worker's daily plan (``app.reminders.service.plan``: two
queries for every product's plan days and the promises, then a message per consented channel)
on a portfolio of 100,000 contracts by default, every debtor reachable by e-mail and SMS.

    .venv/bin/python -m bench.reminders                       # SQLite in a temporary folder
    .venv/bin/python -m tools.with_postgres -- .venv/bin/python -m bench.reminders
    .venv/bin/python -m bench.reminders --contracts 10000     # a smaller run
    .venv/bin/python -m bench.reminders --contracts 10000 --send  # and the last day sent

With ``--send`` the worker (``app.worker.run_once``, one process) then sends the last day's
messages to a local SMTP server (aiosmtpd) and a local HTTP receiver standing in for the SMS
gateway, at noon of that day.

The portfolio is the collection benchmark's (``bench.collection``: contracts with their
schedules and ledgers as of 31 October 2026, loaded in bulk); the days planned are 2 to 14
November 2026 (the installments of November are not paid yet), each committed as the worker
commits it.
"""

import argparse
import socket
import statistics
import sys
import threading
import time
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
from sqlalchemy import func, select, text

from app.contracts.models import Contract
from app.core.clock import JAKARTA
from app.core.database import Database
from app.core.settings import Settings
from app.reminders.models import Reminder
from app.reminders.service import plan
from app.worker import run_once
from bench import demo_database
from bench.collection import Portfolio, load, references

FIRST_DAY = date(2026, 11, 2)
DAYS = 13
REACHABLE_SQLITE = """
UPDATE contracts SET application = json_set(application,
    '$.applicant.email', 'debitur@example.co.id',
    '$.applicant.contact_consent', json('{"email": true, "sms": true, "whatsapp": false}'),
    '$.applicant.phones', json('[{"kind": "mobile", "number": "0812-3456-7890"}]'))
"""
REACHABLE_POSTGRES = """
UPDATE contracts SET application = jsonb_set(jsonb_set(jsonb_set(application::jsonb,
    '{applicant,email}', '"debitur@example.co.id"'),
    '{applicant,contact_consent}', '{"email": true, "sms": true, "whatsapp": false}'),
    '{applicant,phones}', '[{"kind": "mobile", "number": "0812-3456-7890"}]')::json
"""


class _Accept(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def send_day(database: Database, day: date) -> tuple[float, int, int]:
    """The worker sends ``day``'s messages at its noon: seconds, sent, e-mails received."""
    from aiosmtpd.controller import Controller

    class Count:
        received = 0

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            Count.received += 1
            return "250 OK"

    gateway = ThreadingHTTPServer(("127.0.0.1", 0), _Accept)
    threading.Thread(target=gateway.serve_forever, daemon=True).start()
    with socket.socket() as probe:  # a free port for the SMTP server
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    smtp = Controller(Count(), hostname="127.0.0.1", port=port)
    smtp.start()
    settings = Settings(
        smtp_host="127.0.0.1", smtp_port=smtp.port,
        sms_gateway_url=f"http://127.0.0.1:{gateway.server_address[1]}/sms",
    )  # fmt: skip
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=JAKARTA)
    sent = 0
    started = time.perf_counter()
    try:
        with httpx.Client() as client:
            while done := run_once(database, client, now=lambda: noon, settings=settings):
                sent += done
    finally:
        seconds = time.perf_counter() - started
        smtp.stop()
        gateway.shutdown()
    return seconds, sent, Count.received


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contracts", type=int, default=100_000)
    parser.add_argument("--send", action="store_true", help="and send the last day's messages")
    args = parser.parse_args(argv)
    _, database = demo_database("reminders")
    engine = database.engine.dialect.name
    refs, terms = references(database)
    stamp = "{} 03:00:00+00" if engine == "postgresql" else "{} 03:00:00.000000"
    started = time.perf_counter()
    load(database.engine, Portfolio(20261123, refs, terms, stamp), args.contracts)
    with database.transaction() as session:
        session.execute(text(REACHABLE_POSTGRES if engine == "postgresql" else REACHABLE_SQLITE))
        active = session.scalar(
            select(func.count()).select_from(Contract).where(Contract.state == "ACTIVE")
        )
    print(f"[{engine}] {args.contracts:,} contracts ({active:,} active) loaded in "
          f"{time.perf_counter() - started:.0f}s", file=sys.stderr)  # fmt: skip

    timings: list[tuple[date, float, int]] = []
    for offset in range(DAYS):
        day = FIRST_DAY + timedelta(days=offset)
        started = time.perf_counter()
        with database.transaction() as session:
            planned = plan(session, day)
        timings.append((day, time.perf_counter() - started, planned))
    with database.sessions() as session:
        total = session.scalar(select(func.count()).select_from(Reminder))
    sending = send_day(database, timings[-1][0]) if args.send else None
    database.dispose()

    print(f"\nReminder plan on {engine}: {args.contracts:,} contracts, {active:,} active")
    print(f"{'day':<14} | {'seconds':>7} | {'messages':>8} | {'per second':>10}")
    for day, seconds, planned in timings:
        rate = f"{planned / seconds:>10,.0f}" if planned else f"{'':>10}"
        print(f"{day:%a %Y-%m-%d} | {seconds:>7.2f} | {planned:>8,} | {rate}")
    print(f"median {statistics.median(t for _, t, _ in timings):.2f} s, slowest "
          f"{max(t for _, t, _ in timings):.2f} s; {total:,} messages queued")  # fmt: skip
    ok = total == sum(p for *_, p in timings)
    if sending is not None:
        seconds, sent, mails = sending
        print(f"sent {timings[-1][0]:%a %Y-%m-%d}: {sent:,} messages in {seconds:.1f} s "
              f"({sent / seconds:,.0f} a second; {mails:,} e-mails received)")  # fmt: skip
        ok = ok and sent == timings[-1][2] and mails * 2 == sent
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
