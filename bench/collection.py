"""Collection benchmark: the close of business and the portfolio report on a portfolio of
contracts (1,000,000 by default) with its servicing ledger and a realistic spread of arrears,
and the floor measured in the same run: one ``SELECT bucket, count(*), sum(outstanding) ...
GROUP BY`` over the day's positions.

    .venv/bin/python -m bench.collection                       # SQLite in a temporary folder
    .venv/bin/python -m tools.with_postgres -- .venv/bin/python -m bench.collection
    .venv/bin/python -m bench.collection --contracts 100000    # a smaller run

The portfolio is loaded in bulk (COPY on PostgreSQL, executemany on SQLite) in the shape
``app.servicing.ledger.open_account`` and ``reallocate`` give a disbursed contract: customer,
contract and applicant, loan account with the product's terms, collateral, the schedule of the
demo packages (motorcycles in arrears and in advance, cars; 11 to 60 installments split by the
effective method), and the ledger as of 31 October: the disbursement, the ADDM installment paid
at signing, every payment with what it paid of each installment and component on its value
date (early money as credit applied on the due date, late money with its late charge), partial
payments, write-offs of earlier months with their recoveries, contracts paid off. Then the
service's own ``close_business_day`` runs for every day from 30 September (the first close:
everyone is looked at, the backlog past 60 days listed and those past 180 written off) to 31
October, one by one as the service closes them; 30 October (one ordinary day) and 31 October
(a month-end) are shown, with the median and slowest of the others, followed by
the October portfolio report (``report.portfolio``) and the baseline. Last, a sample of the
contracts is replayed through the servicing rules: the stored allocations, settlement days and
month-end positions must be what the service itself would have written.

``--year`` closes every day from 1 November 2025 to 31 October 2026 instead (the portfolio's
payments spread over the year as its debtors' habits have them: most on or near the due date,
some late, some never) and the history's size per contract-day is the figure to read.
"""

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    func,
    select,
    text,
)
from sqlalchemy.orm import Session

from app.auth.models import User
from app.collection import report
from app.collection.cob import close_business_day
from app.collection.models import CloseOfBusiness, Position, PositionSpan
from app.collection.positions import is_month_end, policy
from app.contracts.models import Contract
from app.core.database import Database
from app.reference.models import Branch, Dealer, Product
from app.servicing.ledger import Loaded, add_months
from app.servicing.models import Allocation, Installment, LoanAccount
from app.servicing.rules import last_day_of, rupiah
from app.simulation.calc import monthly_irr, round_up, schedule
from bench import demo_database
from bench.population import Population

SEPTEMBER_END = date(2026, 9, 30)
ORDINARY_DAY = date(2026, 10, 30)
MONTH_END = date(2026, 10, 31)
LEDGER_END = MONTH_END  # the ledger holds the movements up to the month-end, none later
# Share of the portfolio by how many installments are unpaid on 30 October: 0 is current,
# 1 is 1-29 days, 2 is 30-59, ... 7 is 180 days and more.
ARREARS = (0.875, 0.05, 0.025, 0.015, 0.01, 0.008, 0.007, 0.01)
# Contracts written off in the 21 months before September, each 180 days after its first
# unpaid installment fell due; some of them recovered part of the debt since.
WRITTEN_OFF = 0.04
WRITE_OFFS_FROM, WRITE_OFFS_UNTIL = date(2025, 1, 1), SEPTEMBER_END - timedelta(days=1)
# --year: every day from 1 November 2025 to 31 October 2026 is closed; the loaded write-offs
# are those before it, in the 21 months before.
YEAR_FIRST = date(2025, 11, 1)
YEAR_WRITE_OFFS = (date(2024, 2, 1), YEAR_FIRST - timedelta(days=1))
RECOVERED = 0.4
# Debtors behind who caught up in October (their September arrears cure), and debtors in
# arrears who paid part of their oldest installment.
CAUGHT_UP = ((0, 0.9), (1, 0.06), (2, 0.025), (3, 0.015))
PARTIAL = 0.3
# When debtors pay, in days from the due date: most a few days early, some late.
HABITS = (((-7, 0), 0.6), ((-3, 5), 0.3), ((0, 12), 0.1))
CHANNELS = (("virtual_account", 0.6), ("pos", 0.2), ("auto_debit", 0.1), ("branch_cashier", 0.1))
ROUNDING = 1000
BATCH = 10_000


@dataclass(frozen=True)
class Package:
    """A demo package (``app.demo``): its product, ADDM or not, its rates per tenor (months,
    flat rate a year, share of the package's contracts) and the amounts it finances."""

    product: str
    in_advance: bool
    share: float
    tenors: tuple[tuple[int, str, float], ...]
    financed: tuple[int, int, int]  # from, to (excluded), in units of


PACKAGES = (
    Package("MC", False, 0.48, ((12, "0.15", 0.2), (24, "0.18", 0.45), (36, "0.20", 0.35)),
            (80, 300, 100_000)),
    Package("MC", True, 0.32, ((11, "0.14", 0.2), (23, "0.17", 0.45), (35, "0.19", 0.35)),
            (80, 300, 100_000)),
    Package("CAR", False, 0.20, ((12, "0.055", 0.15), (36, "0.066", 0.45), (60, "0.075", 0.4)),
            (80, 250, 1_000_000)),
)  # fmt: skip

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
    "loan_accounts": (
        "contract_id", "disbursed_on", "addm", "late_charge_rate", "late_charge_cap",
        "arrears_tolerance", "allocation_order", "settlement_fee_rate", "off_book_from",
    ),
    "collaterals": (
        "id", "contract_id", "fiduciary_deadline", "fiduciary_registered_on",
        "fiduciary_certificate", "bpkb_status", "bpkb_number",
    ),
    "installments": (
        "id", "contract_id", "number", "due_date", "amount", "principal", "interest",
        "accrues_from", "settled_on",
    ),
    "payments": (
        "id", "contract_id", "amount", "paid_on", "channel", "reference", "received_by_id",
        "received_at", "recovery",
    ),
    "ledger_entries": (
        "id", "contract_id", "kind", "value_date", "amount", "payment_id", "reference",
        "reason", "detail", "created_by_id", "created_at",
    ),
    "allocations": (
        "contract_id", "entry_id", "installment_id", "component", "value_date", "amount",
    ),
    "write_offs": ("contract_id", "business_date", "amount"),
}  # fmt: skip
Rows = dict[str, list[tuple[Any, ...]]]


@dataclass(frozen=True)
class Terms:
    """A product's servicing terms, as the loan account copies them at disbursement."""

    product_id: int
    late_charge_rate: Decimal
    late_charge_cap: Decimal | None
    arrears_tolerance: int
    settlement_fee_rate: Decimal

    def late_charge(self, amount: int, days: int) -> int:
        """The late charge of an installment left wholly unpaid ``days`` past its due date."""
        charged = rupiah(self.late_charge_rate * amount * days)
        if self.late_charge_cap is not None:
            charged = min(charged, rupiah(self.late_charge_cap * amount))
        return charged


@cache
def plan(financed: int, tenor: int, flat: str, in_advance: bool) -> tuple[tuple[int, ...], ...]:
    """(months after signing, amount, principal, interest) of each installment: the quote's
    schedule (``app.simulation.calc``) of a package's flat rate."""
    flat_interest = rupiah(Decimal(financed) * Decimal(flat) * tenor / 12)
    installment = round_up(Decimal(financed + flat_interest) / tenor, ROUNDING)
    rate = monthly_irr(financed, installment, tenor, in_advance)
    return tuple(
        (row.due_month, row.amount, row.principal, row.interest)
        for row in schedule(financed, installment, tenor, in_advance, rate)
    )


@dataclass
class Loan:
    """One contract's story up to the month-end: its schedule and when each installment was
    paid. Installments are counted from 0 here (``number`` - 1)."""

    package: Package
    financed: int
    installments: tuple[tuple[int, ...], ...]
    disbursed: date
    dues: list[date]
    paid: dict[int, date]  # installment -> the day a payment settled it (not the signing's)
    uncharged: set[int]  # paid late, the late charge left owing (a catch-up still behind)
    partial: tuple[int, date, int] | None = None  # installment, day, amount
    written_off: date | None = None

    @property
    def tenor(self) -> int:
        return len(self.installments)

    @property
    def first(self) -> int:
        """The first installment a payment pays: the ADDM one is paid at signing."""
        return 1 if self.package.in_advance else 0

    @property
    def paid_off(self) -> date | None:
        return self.paid.get(self.tenor - 1) if self.written_off is None else None


class Memo(dict[Any, Any]):
    """A function's results by argument, each worked out once: a few thousand days recur in
    the hundred million rows."""

    def __init__(self, function: Callable[[Any], Any]) -> None:
        super().__init__()
        self.function = function

    def __missing__(self, key: Any) -> Any:
        value = self[key] = self.function(key)
        return value


class Portfolio:
    """Contracts generated one by one, the same for every database (seeded), each with the
    rows a disbursed contract has once its payments were posted and its ledger replayed."""

    def __init__(
        self,
        seed: int,
        refs: dict[str, int],
        terms: dict[str, Terms],
        stamp: str,
        write_offs: tuple[date, date] = (WRITE_OFFS_FROM, WRITE_OFFS_UNTIL),
    ):
        self.rng = random.Random(seed)
        self.write_offs = write_offs
        self.people = Population(seed)
        self.refs = refs
        self.terms = terms
        self.iso = Memo(date.isoformat)
        self.at = Memo(stamp.format)  # a day's 10:00 WIB, as the database takes a timestamp
        self.months = Memo(lambda key: add_months(*key))
        self.write_off_days = policy().write_off_days
        self.ids = {"installment": 0, "entry": 0, "payment": 0}

    def _next(self, kind: str) -> int:
        self.ids[kind] += 1
        return self.ids[kind]

    def _offset(self, habit: tuple[int, int]) -> timedelta:
        return timedelta(days=self.rng.randint(*habit))

    def loan(self) -> Loan:
        rng = self.rng
        package = rng.choices(PACKAGES, [p.share for p in PACKAGES])[0]
        tenor, flat, _ = rng.choices(package.tenors, [w for _, _, w in package.tenors])[0]
        low, high, unit = package.financed
        financed = rng.randrange(low, high) * unit
        installments = plan(financed, tenor, flat, package.in_advance)
        habit = rng.choices([h for h, _ in HABITS], [w for _, w in HABITS])[0]
        first = 1 if package.in_advance else 0
        if rng.random() < WRITTEN_OFF:
            # A few installments paid, then nothing: written off when the first unpaid one
            # was 180 days past due.
            stop = max(first, min(int(rng.expovariate(1 / 8)), tenor - 1))
            since, until = self.write_offs
            span = (until - since).days
            due = since + timedelta(days=rng.randint(0, span) - self.write_off_days)
            disbursed = add_months(due.replace(day=min(due.day, 28)), -installments[stop][0])
            dues = [self.months[disbursed, row[0]] for row in installments]
            written_off = dues[stop] + timedelta(days=self.write_off_days)
            before = {n: dues[n] + self._offset(habit) for n in range(first, stop)}
            return Loan(package, financed, installments, disbursed, dues, before, set(),
                        written_off=written_off)  # fmt: skip

        unpaid = rng.choices(range(len(ARREARS)), ARREARS)[0]
        elapsed = rng.randint(1, tenor + 1) if unpaid == 0 else rng.randint(unpaid, tenor)
        disbursed = add_months(ORDINARY_DAY, -elapsed).replace(day=rng.randint(1, 28))
        dues = [self.months[disbursed, row[0]] for row in installments]
        owed = sum(1 for d in dues if d <= ORDINARY_DAY)
        unpaid = min(unpaid, owed - first)
        stop = owed - unpaid  # installments before it are paid, the ``unpaid`` from it not
        # Some debtors who were behind caught up on a day in October: their last installments
        # before ``stop`` were paid together that day (only debtors not yet near write-off).
        catching_up = rng.choices([c for c, _ in CAUGHT_UP], [w for _, w in CAUGHT_UP])[0]
        caught_on = date(2026, 10, rng.randint(1, 29))
        caught: set[int] = set()
        if unpaid + catching_up <= 5:
            start = max(stop - catching_up, first)
            caught = {n for n in range(start, stop) if dues[n] <= caught_on}
        paid: dict[int, date] = {}
        for n in range(first, tenor if unpaid == 0 else stop):
            if n in caught:
                day = caught_on
            else:
                # Money before its due date settles the last installment early (the rules
                # waive the interest not yet accrued): the last one is paid from its due date.
                offset = self._offset(habit)
                day = dues[n] + (max(offset, timedelta(0)) if n == tenor - 1 else offset)
                if caught and n > max(caught):
                    day = max(day, caught_on + timedelta(days=1))
            if day > LEDGER_END:
                break
            paid[n] = day
        # A catch-up pays the late charges too when it leaves nothing due; else the rules
        # would give that money to the next installment due, and the charges stay owing.
        behind = any(dues[n] <= caught_on for n in range(first, tenor) if n not in paid)
        loan = Loan(package, financed, installments, disbursed, dues, paid,
                    caught if behind else set())  # fmt: skip
        if unpaid and not caught and rng.random() < PARTIAL:
            day = min(dues[stop] + timedelta(days=rng.randint(1, 25)), LEDGER_END)
            amount = int(installments[stop][1] * rng.uniform(0.2, 0.8)) // 10_000 * 10_000
            loan.partial = (stop, day, max(amount, 10_000))
        return loan

    def contract(self, cid: int, rows: Rows) -> None:
        loan = self.loan()
        rng, user, iso = self.rng, self.refs["finance"], self.iso
        terms = self.terms[loan.package.product]
        person = self.people.person().identity
        disbursed, installments, dues = loan.disbursed, loan.installments, loan.dues
        state, off_book = "ACTIVE", None
        if loan.written_off is not None:
            state, off_book = "WRITTEN_OFF", loan.written_off + timedelta(days=1)
        elif loan.paid_off is not None:
            state, off_book = "PAID_OFF", loan.paid_off
        form = {
            "applicant": {
                "type": "individual",
                "full_name": person.full_name,
                "nik": person.nik,
                "birth_date": person.birth_date.isoformat() if person.birth_date else None,
                "birth_place": person.birth_place,
                "mother_maiden_name": person.mother_maiden_name,
                "address": {"province": "31"},
            },
            "payment_method": "virtual_account",
        }
        signed = self.at[disbursed]
        born = person.birth_date.isoformat() if person.birth_date else None
        rows["customers"].append(
            (cid, "person", person.full_name, person.nik, born, person.birth_place,
             person.mother_maiden_name, "import", signed)
        )  # fmt: skip
        rows["contracts"].append(
            (cid, f"BEN01-{disbursed.year}-{loan.package.product}-{cid:07d}",
             self.refs["branch"], terms.product_id, self.refs["dealer"], self.refs["salesman"],
             state, 12 if state == "ACTIVE" else 13, "individual", "individual",
             person.full_name, person.nik, born, loan.financed * 5 // 4, loan.financed // 4,
             loan.tenor, json.dumps(form), signed, self.at[off_book or disbursed])
        )  # fmt: skip
        rows["contract_parties"].append((cid, cid, cid, "applicant"))
        rows["loan_accounts"].append(
            (cid, iso[disbursed], int(loan.package.in_advance),
             str(terms.late_charge_rate),
             None if terms.late_charge_cap is None else str(terms.late_charge_cap),
             terms.arrears_tolerance, "installment_first", str(terms.settlement_fee_rate),
             iso[off_book] if off_book else None)
        )  # fmt: skip
        held = disbursed < LEDGER_END - timedelta(days=60)
        rows["collaterals"].append(
            (cid, cid, iso[disbursed + timedelta(days=30)],
             iso[disbursed + timedelta(days=rng.randint(3, 25))],
             f"W10.{cid:08d}.AH.05.01 TAHUN {disbursed.year}",
             "released" if loan.paid_off else "held" if held else "awaited",
             f"P-{cid:08d}" if held or loan.paid_off else None)
        )  # fmt: skip

        channel = rng.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0]
        ids = [self._next("installment") for _ in installments]
        settled: dict[int, date] = {}
        allocations = rows["allocations"]

        def entry(kind: str, day: date, amount: int, **extra: Any) -> int:
            key = self._next("entry")
            rows["ledger_entries"].append(
                (key, cid, kind, iso[day], amount, extra.get("payment"),
                 extra.get("reference"), extra.get("reason"), "{}", extra.get("by", user),
                 self.at[day])
            )  # fmt: skip
            return key

        def payment(day: date, amount: int, recovery: bool = False) -> int:
            number = self._next("payment")
            reference = f"{channel[:3].upper()}-{number:010d}"
            rows["payments"].append(
                (number, cid, amount, iso[day], channel, reference, user,
                 self.at[day], int(recovery))
            )  # fmt: skip
            kind = "recovery" if recovery else "payment"
            return entry(kind, day, amount, payment=number, reference=reference)

        def allocate(key: int | None, n: int, day: date, interest: int, principal: int) -> None:
            if interest:
                allocations.append((cid, key, ids[n], "interest", iso[day], interest))
            if principal:
                allocations.append((cid, key, ids[n], "principal", iso[day], principal))

        entry("disbursement", disbursed, loan.financed, reference=f"TRF-{cid:010d}")
        if loan.first:
            key = entry("paid_at_signing", disbursed, installments[0][1],
                        reason="First installment paid at signing (ADDM)")  # fmt: skip
            allocate(key, 0, disbursed, installments[0][3], installments[0][2])
            settled[0] = disbursed
        by_day: dict[date, list[int]] = {}
        for n, day in loan.paid.items():
            by_day.setdefault(day, []).append(n)
        for day in sorted(by_day):
            lines = by_day[day]
            if len(lines) == 1 and day < dues[lines[0]]:
                # Money before the due date is credit, applied on the due date.
                n = lines[0]
                key = payment(day, installments[n][1])
                allocations.append((cid, key, None, "credit", iso[day], installments[n][1]))
                allocate(None, n, dues[n], installments[n][3], installments[n][2])
                settled[n] = dues[n]
                continue
            late = {
                n: terms.late_charge(installments[n][1], (day - dues[n]).days)
                for n in lines
                if day > dues[n] and n not in loan.uncharged
            }
            late = {n: charge for n, charge in late.items() if charge}
            key = payment(day, sum(installments[n][1] for n in lines) + sum(late.values()))
            for n in lines:
                allocate(key, n, day, installments[n][3], installments[n][2])
                settled[n] = day
            for n, charge in late.items():
                allocations.append((cid, key, ids[n], "late_charge", iso[day], charge))
        if loan.partial is not None:
            n, day, amount = loan.partial
            interest = min(amount, installments[n][3])
            allocate(payment(day, amount), n, day, interest, amount - interest)
        if loan.written_off is not None:
            owed = sum(row[2] for n, row in enumerate(installments) if n not in settled)
            entry("write_off", loan.written_off, owed, by=None,
                  reason=f"{self.write_off_days} days past due")  # fmt: skip
            rows["write_offs"].append((cid, iso[loan.written_off], owed))
            if rng.random() < RECOVERED:
                times = rng.randint(1, 3)
                days = sorted(loan.written_off + timedelta(days=rng.randint(14, 400))
                              for _ in range(times))  # fmt: skip
                for day in days:
                    amount = int(owed * rng.uniform(0.05, 0.3) / times) // 10_000 * 10_000
                    if day <= LEDGER_END and amount > 0:
                        payment(day, amount, recovery=True)
        previous = disbursed
        for n, (row, due) in enumerate(zip(installments, dues, strict=True)):
            on = settled.get(n)
            rows["installments"].append(
                (ids[n], cid, n + 1, iso[due], row[1], row[2], row[3],
                 iso[previous if due > previous else due],
                 iso[on] if on else None)
            )  # fmt: skip
            previous = due


def batches(portfolio: Portfolio, count: int) -> Iterator[Rows]:
    for start in range(1, count + 1, BATCH):
        rows: Rows = {table: [] for table in TABLES}
        for cid in range(start, min(start + BATCH, count + 1)):
            portfolio.contract(cid, rows)
        yield rows


def _deferred(cursor: Any, postgres: bool) -> tuple[list[str], list[str]]:
    """The statements that drop the secondary indexes of the loaded tables (and on PostgreSQL
    their foreign keys), and those that make them again: built once after the load, in one
    sorted pass each, rather than entry by entry, row by row (PostgreSQL checks a copied
    row's foreign keys one at a time)."""
    tables = list(TABLES)
    if not postgres:
        marks = ", ".join("?" for _ in tables)
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({marks})",
            tables,
        )
        indexes = cursor.fetchall()
        return [f'DROP INDEX "{name}"' for name, _ in indexes], [sql for _, sql in indexes]
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
        [tables],
    )
    keys = cursor.fetchall()
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
        "AND tablename = ANY(%s) AND indexname NOT IN (SELECT conname FROM pg_constraint)",
        [tables],
    )
    indexes = cursor.fetchall()
    drop = [f'ALTER TABLE {table} DROP CONSTRAINT "{name}"' for table, name, _ in keys]
    make = [f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {how}' for table, name, how in keys]
    return (
        drop + [f'DROP INDEX "{name}"' for name, _ in indexes],
        [sql for _, sql in indexes] + make,
    )


def load(engine: Engine, portfolio: Portfolio, count: int) -> dict[str, int]:
    """Insert the portfolio batch by batch; the rows of each table."""
    loaded = dict.fromkeys(TABLES, 0)
    postgres = engine.dialect.name == "postgresql"
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()

        def begin() -> None:  # the SQLite connection leaves transactions to its user
            if not postgres:
                cursor.execute("BEGIN")

        drop, make = _deferred(cursor, postgres)
        begin()
        for statement in drop:
            cursor.execute(statement)
        raw.commit()
        for batch in batches(portfolio, count):
            begin()
            for table, rows in batch.items():
                loaded[table] += len(rows)
                columns = ", ".join(TABLES[table])
                if postgres:
                    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                else:
                    marks = ", ".join("?" for _ in TABLES[table])
                    cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
            raw.commit()
        begin()
        if postgres:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            cursor.execute("SET work_mem = '256MB'")
        for statement in make:
            cursor.execute(statement)
        if postgres:
            # The ids were given: the sequences continue after them.
            for table, names in TABLES.items():
                if "id" in names:
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
        raw.commit()
        if not postgres:
            cursor.execute("ANALYZE")
    finally:
        raw.close()
    if postgres:
        # As a database whose rows are mostly old: statistics, visibility map and hint bits
        # in place, so the timed closes do not pay for the load (nor race autovacuum).
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    return loaded


def references(database: Database) -> tuple[dict[str, int], dict[str, Terms]]:
    with database.sessions() as session:

        def user(role: str) -> int:
            found = session.scalars(select(User.id).where(User.role == role).order_by(User.id))
            return found.first() or 0

        refs = {
            "branch": session.scalars(select(Branch.id).order_by(Branch.id)).first() or 0,
            "dealer": session.scalars(select(Dealer.id).order_by(Dealer.id)).first() or 0,
            "salesman": user("salesman"),
            "finance": user("finance"),
        }
        terms = {}
        for product in session.scalars(select(Product).where(Product.code.in_(["MC", "CAR"]))):
            # The ledger generated here pays due installments first, late charges after.
            assert product.allocation_order == "installment_first", product.code
            terms[product.code] = Terms(
                product.id,
                product.late_charge_rate,
                product.late_charge_cap,
                product.arrears_tolerance,
                product.settlement_fee_rate,
            )
        return refs, terms


def close(database: Database, day: date) -> tuple[float, CloseOfBusiness]:
    started = time.perf_counter()
    with database.transaction() as session:
        closed = close_business_day(session, day)
        session.expunge(closed)
    return time.perf_counter() - started, closed


def check(database: Database, count: int, sample: int) -> list[str]:
    """Replay ``sample`` contracts, spread over the portfolio, through the servicing rules
    (``app.servicing.ledger``): their stored allocations, settlement days, pay-off day and
    month-end position must be what the service writes. The differences found."""
    differences = []
    with database.sessions() as session:
        for cid in range(1, count + 1, max(count // sample, 1)):
            contract = session.get_one(Contract, cid)
            loaded = Loaded(session, contract)
            ledger = loaded.run(
                last_day_of(loaded.schedule, loaded.movements, loaded.account.disbursed_on)
            )
            ids = {row.number: row.id for row in loaded.rows}
            replayed = sorted(
                (a.key or 0, ids[a.number] if a.number else 0, a.component.value, a.value_date,
                 a.amount)
                for a in ledger.allocations
            )  # fmt: skip
            stored = sorted(
                (key or 0, number or 0, component, day, amount)
                for key, number, component, day, amount in session.execute(
                    select(
                        Allocation.entry_id,
                        Allocation.installment_id,
                        Allocation.component,
                        Allocation.value_date,
                        Allocation.amount,
                    ).where(Allocation.contract_id == cid)
                )
            )
            if stored != replayed:
                differences.append(f"{contract.number}: allocations {stored} != {replayed}")
            settled = {line.due.number: line.settled_on for line in ledger.lines}
            if {row.number: row.settled_on for row in loaded.rows} != settled:
                differences.append(f"{contract.number}: settlement days")
            account = session.get_one(LoanAccount, cid)
            if contract.state != "WRITTEN_OFF" and ledger.paid_off_on != account.off_book_from:
                differences.append(
                    f"{contract.number}: paid off {ledger.paid_off_on}, {account.off_book_from}"
                )
            position = session.scalars(
                select(Position).where(
                    Position.business_date == MONTH_END, Position.contract_id == cid
                )
            ).first()
            if position is not None:
                balance = loaded.run(MONTH_END).balance(MONTH_END)
                if (position.days_past_due, position.outstanding_principal) != (
                    balance.days_past_due,
                    balance.outstanding_principal,
                ):
                    differences.append(f"{contract.number}: position on {MONTH_END}")
    return differences


HISTORY = ("collection_position_spans", "collection_positions")
# The history as it was kept before the spans: a row a contract a day, in this shape.
ROW_A_DAY = Table(
    "bench_row_a_day",
    MetaData(),
    Column("business_date", Date, primary_key=True),
    Column("contract_id", Integer, primary_key=True),
    Column("days_past_due", Integer),
    Column("bucket", String(10)),
    Column("kol", Integer),
    Column("outstanding_principal", BigInteger),
    Index("ix_bench_row_a_day_contract", "contract_id", "business_date"),
    sqlite_with_rowid=False,
)


def table_bytes(session: Session, table: str) -> int:
    """A table's bytes with its indexes."""
    if session.get_bind().dialect.name == "postgresql":
        query = text("SELECT pg_total_relation_size(:t)")
    else:
        query = text(
            "SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name IN "
            "(SELECT name FROM sqlite_master WHERE tbl_name = :t)"
        )
    return int(session.scalar(query, {"t": table}) or 0)


def row_a_day_bytes(database: Database, day: date) -> float:
    """Bytes per contract-day of the former design: one day's positions written in its shape,
    measured, and dropped."""
    ROW_A_DAY.create(database.engine)
    try:
        with database.transaction() as session:
            session.execute(
                ROW_A_DAY.insert().from_select(
                    [c.name for c in ROW_A_DAY.columns],
                    select(
                        Position.business_date,
                        Position.contract_id,
                        Position.days_past_due,
                        Position.bucket,
                        Position.kol,
                        Position.outstanding_principal,
                    ).where(Position.business_date == day),
                )
            )
        with database.transaction() as session:
            rows = session.scalar(select(func.count()).select_from(ROW_A_DAY)) or 1
            return table_bytes(session, ROW_A_DAY.name) / rows
    finally:
        ROW_A_DAY.drop(database.engine)


def close_days(
    database: Database, first: date, last: date, engine: str
) -> list[tuple[date, float, CloseOfBusiness]]:
    closes = []
    day = first
    while day <= last:
        seconds, closed = close(database, day)
        closes.append((day, seconds, closed))
        print(f"[{engine}] closed {day}: {seconds:.1f}s", file=sys.stderr)
        day += timedelta(days=1)
    return closes


def _spread(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    return (
        f"median {statistics.median(ordered):.1f}s, slowest {ordered[-1]:.1f}s "
        f"({len(ordered)} days)"
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contracts", type=int, default=1_000_000)
    parser.add_argument("--check", type=int, default=200, help="contracts replayed at the end")
    parser.add_argument(
        "--year", action="store_true", help="close every day from 1 Nov 2025 to 31 Oct 2026"
    )
    args = parser.parse_args(argv)
    _, database = demo_database("collection")
    engine = database.engine.dialect.name
    refs, terms = references(database)
    stamp = "{} 03:00:00+00" if engine == "postgresql" else "{} 03:00:00.000000"
    started = time.perf_counter()
    portfolio = Portfolio(20261122, refs, terms, stamp, *([YEAR_WRITE_OFFS] if args.year else []))
    rows = load(database.engine, portfolio, args.contracts)
    loaded = time.perf_counter() - started
    print(f"[{engine}] {args.contracts:,} contracts loaded in {loaded:.0f}s", file=sys.stderr)

    first = YEAR_FIRST if args.year else SEPTEMBER_END
    closes = close_days(database, first, MONTH_END, engine)
    ordinary = [t for day, t, _ in closes[1:] if not is_month_end(day)]
    month_ends = [t for day, t, _ in closes[1:] if is_month_end(day)]
    by_day = {day: (t, closed) for day, t, closed in closes}

    floor_query = (
        select(Position.bucket, func.count(), func.sum(Position.outstanding_principal))
        .where(Position.business_date == MONTH_END)
        .group_by(Position.bucket)
    )
    with database.sessions() as session:
        # The floor first, untimed: both then read the month-end from a warm cache.
        session.execute(floor_query).all()
        started = time.perf_counter()
        october = report.portfolio(session, 2026, 10)
        report_seconds = time.perf_counter() - started
        started = time.perf_counter()
        floor = session.execute(floor_query).all()
        floor_seconds = time.perf_counter() - started
        spans = session.scalar(select(func.count()).select_from(PositionSpan)) or 0
        positions = session.scalar(select(func.count()).select_from(Position)) or 0
        history = sum(table_bytes(session, table) for table in HISTORY)
        settled = session.scalar(
            select(func.count()).select_from(Installment).where(Installment.settled_on.is_not(None))
        )
        recovered = session.scalar(text("SELECT count(*) FROM payments WHERE recovery"))
    per_row = row_a_day_bytes(database, MONTH_END)
    differences = check(database, args.contracts, args.check) if args.check else []
    database.dispose()

    print(
        f"\nCollection on {engine}: {args.contracts:,} contracts, "
        f"{rows['installments']:,} installments ({settled:,} settled), "
        f"{rows['ledger_entries']:,} ledger entries, {rows['allocations']:,} allocations, "
        f"{rows['write_offs']:,} written off before the first close ({recovered:,} "
        f"recoveries); loaded in {loaded:.0f}s"
    )
    print(f"{'step':<55} | {'seconds':>8} | {'target':>6} | {'contracts':>9} | "
          f"{'written off':>11} | listed")  # fmt: skip
    shown: list[tuple[date, str, int | None]] = [
        (first, f"first close, {first:%d %b %Y} (everyone; the backlog)", None)
    ]
    if not args.year:
        shown += [(ORDINARY_DAY, "one day, 30 Oct", 15), (MONTH_END, "month-end, 31 Oct", 30)]
    for day, label, target in shown:
        seconds, closed = by_day[day]
        print(
            f"{label:<55} | {seconds:>8.1f} | {target or '':>6} | {closed.contracts:>9,} | "
            f"{closed.written_off:>11,} | {closed.listed_overdue_60:,}"
        )
    print(f"{'ordinary days after the first':<55} | {_spread(ordinary)}; target 15s")
    print(f"{'month-ends':<55} | {_spread(month_ends)}; target 30s")
    ratio = report_seconds / floor_seconds if floor_seconds else 0
    print(f"{'portfolio report, October':<55} | {report_seconds:>8.2f} | {2:>6} | "
          f"{ratio:.1f}x the floor (target 5x)")  # fmt: skip
    print(f"{'baseline: GROUP BY bucket over one month-end':<55} | {floor_seconds:>8.2f} |")
    contract_days = sum(closed.contracts for _, _, closed in closes)
    print(
        f"history bytes per contract-day: {history / contract_days:.1f} "
        f"(target 14; a row a contract a day, as before: {per_row:.1f}) - {spans:,} spans and "
        f"{positions:,} month-end positions, {history / 2**20:,.0f} MiB, over "
        f"{contract_days:,} contract-days ({len(closes)} days closed)"
    )
    print(
        f"October ENR {october['enr']['accounts']:,} accounts, "
        f"Rp {october['enr']['amount']:,}; delinquency {october['delinquency_rate']['by_amount']} %"
        f"; flows {dict(october['net_flow_rates'])}; buckets "
        f"{ {b: v['accounts'] for b, v in october['buckets'].items()} }; floor rows {len(floor)}"
    )
    print(
        f"October: written off {october['write_off_mtd']}, year to date "
        f"{october['write_off_ytd']}, recovered Rp {october['recovery_ytd']:,}; Kol "
        f"{ {k: v['accounts'] for k, v in october['kol'].items()} }; roll from current "
        f"{october['roll_rates'].get('current')}"
    )
    if args.check:
        print(f"replayed {args.check} contracts through the servicing rules: "
              f"{len(differences)} differ")  # fmt: skip
        for difference in differences[:10]:
            print(f"  {difference}")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
