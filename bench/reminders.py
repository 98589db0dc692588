"""Reminder-plan benchmark: the worker's daily plan (``app.reminders.service.plan``: two
queries for every product's plan days and the promises, then a message per consented channel)
on a portfolio of 100,000 contracts by default, every debtor reachable by e-mail and SMS.

    .venv/bin/python -m bench.reminders                       # SQLite in a temporary folder
    .venv/bin/python -m tools.with_postgres -- .venv/bin/python -m bench.reminders
    .venv/bin/python -m bench.reminders --contracts 10000     # a smaller run

The portfolio is the collection benchmark's (``bench.collection``: contracts with their
schedules and ledgers as of 31 October 2026, loaded in bulk); the days planned are 2 to 14
November 2026 (the installments of November are not paid yet), each committed as the worker
commits it.
"""

import argparse
import statistics
import sys
import time
from datetime import date, timedelta

from sqlalchemy import func, select, text

from app.contracts.models import Contract
from app.reminders.models import Reminder
from app.reminders.service import plan
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


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contracts", type=int, default=100_000)
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
    database.dispose()

    print(f"\nReminder plan on {engine}: {args.contracts:,} contracts, {active:,} active")
    print(f"{'day':<14} | {'seconds':>7} | {'messages':>8} | {'per second':>10}")
    for day, seconds, planned in timings:
        rate = f"{planned / seconds:>10,.0f}" if planned else f"{'':>10}"
        print(f"{day:%a %Y-%m-%d} | {seconds:>7.2f} | {planned:>8,} | {rate}")
    print(f"median {statistics.median(t for _, t, _ in timings):.2f} s, slowest "
          f"{max(t for _, t, _ in timings):.2f} s; {total:,} messages queued")  # fmt: skip
    return 0 if total == sum(p for *_, p in timings) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
