"""Payment-file benchmark: a bank's virtual-account report of 100,000 lines (one installment
each, for as many contracts, written-off ones among them: recoveries) posted through the
service's own import (``app.payment_files.service.import_file``, the function behind
``POST /v1/payment-files`` and ``kredo payments import``), then the same file again (every
line a duplicate, nothing posted). Target: 60 s for the first.

    .venv/bin/python -m bench.payment_files                     # SQLite in a temporary folder
    .venv/bin/python -m tools.with_postgres -- .venv/bin/python -m bench.payment_files
    .venv/bin/python -m bench.payment_files --lines 10000       # a smaller run

The portfolio is the collection benchmark's (``bench.collection``: contracts with their
schedules and ledgers as of 31 October 2026, loaded in bulk), its virtual accounts given as
the migration gives them to contracts disbursed before it; the payments are dated 20 November.
"""

import argparse
import sys
import time
from datetime import date
from typing import Any

from sqlalchemy import bindparam, column, func, select, table, update

from app.auth.service import principal_of
from app.contracts.models import Contract
from app.core.settings import get_settings
from app.payment_files.models import PaymentFileLine
from app.payment_files.service import import_file, summary
from app.servicing.models import Installment, LedgerEntry, LoanAccount
from app.servicing.virtual_accounts import virtual_account
from bench import demo_database
from bench.collection import Portfolio, load, references

PAID_ON = date(2026, 11, 20)
TARGET_SECONDS = 60


def bank_report(rows: list[tuple[str, int]]) -> str:
    lines = ["NO;TANGGAL;NO VA;NAMA;NOMINAL;NO REFERENSI;KETERANGAN"]
    for n, (va, amount) in enumerate(rows, start=1):
        written = f"{amount:,}".replace(",", ".") + ",00"
        lines.append(f"{n};{PAID_ON:%d/%m/%Y};{va};NASABAH {n};{written};BNCH{n:08d};SETORAN")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=100_000)
    args = parser.parse_args(argv)
    _, database = demo_database("payment_files")
    engine = database.engine.dialect.name
    refs, terms = references(database)
    stamp = "{} 03:00:00+00" if engine == "postgresql" else "{} 03:00:00.000000"
    started = time.perf_counter()
    # More contracts than lines: some of the portfolio is paid off and takes no payment.
    load(database.engine, Portfolio(20261122, refs, terms, stamp), args.lines * 13 // 10)
    prefix = get_settings().va_prefix
    with database.transaction() as session:
        ids = list(session.scalars(select(LoanAccount.contract_id)))
        accounts = table("loan_accounts", column("contract_id"), column("virtual_account"))
        session.execute(
            update(accounts)
            .where(accounts.c.contract_id == bindparam("key"))
            .values(virtual_account=bindparam("va")),
            [{"key": i, "va": virtual_account(prefix, i)} for i in ids],
        )
        payable = session.execute(
            select(LoanAccount.virtual_account, Installment.amount, Contract.state)
            .join(Contract, Contract.id == LoanAccount.contract_id)
            .join(Installment, Installment.contract_id == Contract.id)
            .where(Installment.number == 1, Contract.state.in_(["ACTIVE", "WRITTEN_OFF"]))
            .order_by(Contract.id)
            .limit(args.lines)
        ).all()
    loaded = time.perf_counter() - started
    rows: list[tuple[str, int]] = [(va or "", amount) for va, amount, _state in payable]
    written_off = sum(1 for *_x, state in payable if state == "WRITTEN_OFF")
    text = bank_report(rows)
    print(f"[{engine}] {len(ids):,} contracts loaded in {loaded:.0f}s; a file of "
          f"{len(rows):,} lines ({len(text) / 2**20:.1f} MiB)", file=sys.stderr)  # fmt: skip

    timings: list[tuple[str, float, Any]] = []
    for label in ("first upload", "same file again"):
        started = time.perf_counter()
        with database.transaction() as session:
            principal = principal_of(session, "finance.tono")
            assert principal is not None
            upload = import_file(session, principal, "bank_va", text, "bench.csv")
            file_id = upload.id
        seconds = time.perf_counter() - started
        with database.sessions() as session:
            tally = summary(session, session.get_one(type(upload), file_id))
        timings.append((label, seconds, tally))
    with database.sessions() as session:
        entries = session.scalar(
            select(func.count())
            .select_from(LedgerEntry)
            .where(
                LedgerEntry.kind.in_(["payment", "recovery"]),
                LedgerEntry.value_date == PAID_ON,
            )
        )
        lines = session.scalar(select(func.count()).select_from(PaymentFileLine))
    database.dispose()

    print(f"\nPayment file on {engine}: {len(rows):,} lines ({written_off:,} for written-off "
          f"contracts: recoveries)")  # fmt: skip
    print(f"{'step':<20} | {'seconds':>8} | {'target':>6} | {'lines/s':>8} | posted | "
          "recoveries | suspense | duplicates | reconciled")  # fmt: skip
    for label, seconds, tally in timings:
        target = TARGET_SECONDS if label == "first upload" else ""
        print(
            f"{label:<20} | {seconds:>8.1f} | {target:>6} | {len(rows) / seconds:>8,.0f} | "
            f"{tally.posted.lines:>6,} | {tally.recoveries.lines:>10,} | "
            f"{tally.suspense.lines:>8,} | {tally.duplicates.lines:>10,} | {tally.reconciled}"
        )
    print(f"ledger entries dated {PAID_ON}: {entries:,}; file lines kept: {lines:,}")
    first = timings[0]
    ok = first[2].posted.lines == entries and all(t[2].reconciled for t in timings)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
