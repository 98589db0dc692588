"""Collection benchmark: the close of business and the portfolio report on a portfolio of
active contracts (1,000,000 by default) with a realistic spread of arrears, and the floor
measured in the same run: one ``SELECT bucket, count(*), sum(outstanding) ... GROUP BY`` over
the day's positions.

    .venv/bin/python -m bench.collection                       # SQLite in a temporary folder
    .venv/bin/python -m tools.with_postgres -- .venv/bin/python -m bench.collection
    .venv/bin/python -m bench.collection --contracts 100000    # a smaller run

The portfolio is loaded in bulk (COPY on PostgreSQL, executemany on SQLite): customers,
contracts with their applicant, schedules of 12 to 48 monthly installments, and what was paid
of them. Then the service's own ``close_business_day`` runs for 30 September (the first close:
it lists the backlog past 60 days and writes off those past 180), 29 October (a month of
arrears to catch up on), and then, timed, 30 October (one ordinary day) and 31 October (a
month-end), followed by the October portfolio report (``report.portfolio``) and the baseline.
"""

import argparse
import json
import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, func, select, text

from app.auth.models import User
from app.collection import report
from app.collection.cob import close_business_day
from app.collection.models import CloseOfBusiness, Position
from app.core.database import Database
from app.reference.models import Branch, Dealer, Product
from app.servicing.ledger import add_months
from bench import demo_database
from bench.population import Population

SEPTEMBER_END = date(2026, 9, 30)
CATCH_UP_DAY = date(2026, 10, 29)
ORDINARY_DAY = date(2026, 10, 30)
MONTH_END = date(2026, 10, 31)
# Share of the portfolio by how many installments are unpaid on 30 October: 0 is current,
# 1 is 1-29 days, 2 is 30-59, ... 7 is 180 days and more.
ARREARS = (0.875, 0.05, 0.025, 0.015, 0.01, 0.008, 0.007, 0.01)
TENORS = ((12, 0.2), (24, 0.4), (36, 0.3), (48, 0.1))
FLAT_RATE = 0.20
BATCH = 10_000

TABLES: dict[str, tuple[str, ...]] = {
    "customers": (
        "id", "kind", "full_name", "nik", "birth_date", "birth_place", "mother_maiden_name",
        "source", "created_at",
    ),
    "contracts": (
        "id", "number", "branch_id", "product_id", "dealer_id", "submitted_by_id", "state",
        "version", "form_category", "applicant_type", "applicant_name", "applicant_nik",
        "applicant_birth_date", "otr_price", "down_payment", "tenor_months", "application",
        "created_at", "updated_at",
    ),
    "contract_parties": ("id", "contract_id", "customer_id", "role"),
    "installments": ("id", "contract_id", "number", "due_date", "amount", "principal", "interest"),
    "installment_payments": (
        "installment_id", "contract_id", "late_charge", "interest", "principal", "settled_on",
    ),
}  # fmt: skip


class Portfolio:
    """Contracts generated batch by batch, the same for every database (seeded)."""

    def __init__(self, seed: int, refs: dict[str, int]) -> None:
        self.rng = random.Random(seed)
        self.people = Population(seed)
        self.refs = refs
        self.installment_id = 0

    def _tenor(self) -> int:
        return self.rng.choices([t for t, _ in TENORS], [w for _, w in TENORS])[0]

    def contract(self, cid: int, now: datetime) -> dict[str, list[tuple[Any, ...]]]:
        person = self.people.person().identity
        unpaid = self.rng.choices(range(len(ARREARS)), ARREARS)[0]
        tenor = self._tenor()
        elapsed = self.rng.randint(max(unpaid, 1), tenor - 1 if unpaid < tenor else tenor)
        # Disbursed ``elapsed`` months and a few days before 30 October.
        disbursed = add_months(ORDINARY_DAY, -elapsed)
        disbursed = disbursed.replace(day=self.rng.randint(1, 28))
        car = self.rng.random() < 0.2
        financed = (
            self.rng.randrange(80, 250) * 1_000_000
            if car
            else (self.rng.randrange(80, 300) * 100_000)
        )
        principal = financed // tenor
        interest = int(financed * FLAT_RATE / 12)
        due_dates = [add_months(disbursed, n) for n in range(1, tenor + 1)]
        fallen_due = sum(1 for d in due_dates if d <= ORDINARY_DAY)
        paid = max(fallen_due - unpaid, 0)
        # Some debtors were behind and caught up in October: their last installments were
        # settled late, on a day in October, so September's arrears cure (or roll less).
        caught_up = self.rng.choices((0, 1, 2, 3), (0.9, 0.06, 0.025, 0.015))[0]
        caught_up_on = date(2026, 10, self.rng.randint(1, 29))
        form = {
            "applicant": {
                "type": "individual",
                "full_name": person.full_name,
                "nik": person.nik,
                "birth_date": person.birth_date.isoformat() if person.birth_date else None,
                "birth_place": person.birth_place,
                "mother_maiden_name": person.mother_maiden_name,
                "address": {"province": "DKI Jakarta"},
            },
            "payment_method": "virtual_account",
        }
        rows: dict[str, list[tuple[Any, ...]]] = {
            "customers": [
                (
                    cid, "person", person.full_name, person.nik, person.birth_date,
                    person.birth_place, person.mother_maiden_name, "import", now,
                )
            ],
            "contracts": [
                (
                    cid, f"BEN01-2026-MC-{cid:07d}", self.refs["branch"], self.refs["product"],
                    self.refs["dealer"], self.refs["user"], "ACTIVE", 12, "individual",
                    "individual", person.full_name, person.nik, person.birth_date,
                    financed * 5 // 4, financed // 4, tenor, json.dumps(form), now, now,
                )
            ],
            "contract_parties": [(cid, cid, cid, "applicant")],
            "installments": [],
            "installment_payments": [],
        }  # fmt: skip
        for n, due in enumerate(due_dates, start=1):
            self.installment_id += 1
            last = n == tenor
            part = financed - principal * (tenor - 1) if last else principal
            rows["installments"].append(
                (self.installment_id, cid, n, due, part + interest, part, interest)
            )
            if n <= paid:
                late = n > paid - caught_up and due < caught_up_on
                rows["installment_payments"].append(
                    (self.installment_id, cid, 0, interest, part, caught_up_on if late else due)
                )
        return rows


def batches(portfolio: Portfolio, count: int) -> Iterator[dict[str, list[tuple[Any, ...]]]]:
    now = datetime.now(UTC)
    for start in range(1, count + 1, BATCH):
        merged: dict[str, list[tuple[Any, ...]]] = {table: [] for table in TABLES}
        for cid in range(start, min(start + BATCH, count + 1)):
            for table, rows in portfolio.contract(cid, now).items():
                merged[table] += rows
        yield merged


def load(engine: Engine, portfolio: Portfolio, count: int) -> None:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        postgres = engine.dialect.name == "postgresql"
        for batch in batches(portfolio, count):
            if not postgres:
                cursor.execute("BEGIN")
            for table, rows in batch.items():
                columns = ", ".join(TABLES[table])
                if postgres:
                    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                else:
                    marks = ", ".join("?" for _ in TABLES[table])
                    cursor.executemany(
                        f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                        [
                            tuple(v.isoformat() if isinstance(v, date) else v for v in row)
                            for row in rows
                        ],
                    )
            if postgres:
                raw.commit()
            else:
                cursor.execute("COMMIT")
        cursor.execute("ANALYZE")
        if postgres:
            raw.commit()
    finally:
        raw.close()


def references(database: Database) -> dict[str, int]:
    with database.sessions() as session:
        return {
            "branch": session.scalars(select(Branch.id).order_by(Branch.id)).first() or 0,
            "product": session.scalars(select(Product.id).order_by(Product.id)).first() or 0,
            "dealer": session.scalars(select(Dealer.id).order_by(Dealer.id)).first() or 0,
            "user": session.scalars(select(User.id).order_by(User.id)).first() or 0,
        }


def close(database: Database, day: date) -> tuple[float, CloseOfBusiness]:
    started = time.perf_counter()
    with database.transaction() as session:
        closed = close_business_day(session, day)
        session.expunge(closed)
    return time.perf_counter() - started, closed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contracts", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    _, database = demo_database("collection")
    engine = database.engine.dialect.name
    started = time.perf_counter()
    load(database.engine, Portfolio(20261122, references(database)), args.contracts)
    loaded = time.perf_counter() - started
    print(f"[{engine}] {args.contracts:,} contracts loaded in {loaded:.0f}s", file=sys.stderr)

    timings = []
    for day, label in (
        (SEPTEMBER_END, "first close, 30 Sep (lists the backlog past 60 days)"),
        (CATCH_UP_DAY, "29 Oct (a month of new arrears)"),
        (ORDINARY_DAY, "one day, 30 Oct"),
        (MONTH_END, "month-end, 31 Oct"),
    ):
        seconds, closed = close(database, day)
        timings.append((label, seconds, closed))
        print(f"[{engine}] {label}: {seconds:.1f}s", file=sys.stderr)

    with database.sessions() as session:
        started = time.perf_counter()
        october = report.portfolio(session, 2026, 10)
        report_seconds = time.perf_counter() - started
        started = time.perf_counter()
        floor = session.execute(
            select(Position.bucket, func.count(), func.sum(Position.outstanding_principal))
            .where(Position.business_date == MONTH_END)
            .group_by(Position.bucket)
        ).all()
        floor_seconds = time.perf_counter() - started
        positions = session.scalar(select(func.count()).select_from(Position))
        installments = session.scalar(text("SELECT count(*) FROM installments"))
    database.dispose()

    print(
        f"\nCollection on {engine}: {args.contracts:,} active contracts, "
        f"{installments:,} installments; loaded in {loaded:.0f}s"
    )
    print(f"{'step':<55} | {'seconds':>8} | {'contracts':>9} | {'written off':>11} | listed")
    for label, seconds, closed in timings:
        print(
            f"{label:<55} | {seconds:>8.1f} | {closed.contracts:>9,} | "
            f"{closed.written_off:>11,} | {closed.listed_overdue_60:,}"
        )
    print(f"{'portfolio report, October':<55} | {report_seconds:>8.2f} |")
    print(f"{'baseline: GROUP BY bucket over one day positions':<55} | {floor_seconds:>8.2f} |")
    print(
        f"positions kept: {positions:,}; October ENR {october['enr']['accounts']:,} accounts, "
        f"Rp {october['enr']['amount']:,}; delinquency {october['delinquency_rate']['by_amount']} %"
        f"; flows {dict(october['net_flow_rates'])}; buckets "
        f"{ {b: v['accounts'] for b, v in october['buckets'].items()} }; floor rows {len(floor)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
