"""Pre-screening benchmark: duplicate-check latency, accuracy and blocking recall at 10k, 100k
and 1M customers (and 10M on PostgreSQL), with a naive baseline (rapidfuzz ``extractOne`` over
every name) timed in the same run.

    .venv/bin/python -m bench.prescreen                       # SQLite, 10k / 100k / 1M
    .venv/bin/python -m tools.with_postgres -- .venv/bin/python -m bench.prescreen  # + 10M
    .venv/bin/python -m bench.prescreen --sizes 10000 100000  # smaller runs

Customers are generated as a stream (only the few the queries are about are kept) and loaded
in bulk with the service's own blocking keys (``blocking_keys``): COPY on PostgreSQL, with the
keys' index built once after the load and the tables vacuumed and analysed before timing;
executemany on SQLite. The queries go through ``match_customers``, as pre-screening does, and
through HTTP (``POST /v1/customers/matches`` on a real uvicorn).
"""

import argparse
import random
import socket
import statistics
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TextIO

import httpx
import uvicorn
from rapidfuzz import fuzz, process
from sqlalchemy import Engine, event

from app.core.database import Database
from app.core.settings import Settings
from app.demo import demo_key
from app.main import create_app
from app.prescreening.matching import Identity, blocking_keys
from app.prescreening.names import normalise_name
from app.prescreening.service import candidate_ids, match_customers
from bench import demo_database
from bench.population import Person, Population

SEED = 20261122
SIZES = [10_000, 100_000, 1_000_000]
POSTGRES_SIZES = [*SIZES, 10_000_000]
QUERIES = 1000  # per size, in-process and through HTTP: half duplicates (labelled), a quarter
WARM_UP = 50  # siblings, a quarter new people; the warm-up queries are new people, not timed
BASELINE_QUERIES = {10_000: 200, 100_000: 40}
BATCH = 20_000
TARGET_P95_MS = 25.0  # through HTTP, at the largest size
TARGET_GROWTH = 2.0  # p95 from GROWTH_FROM to the largest size
GROWTH_FROM = 100_000
TABLES = ("customers", "identity_keys")
CUSTOMER_COLUMNS = (
    "id, kind, full_name, nik, birth_date, birth_place, mother_maiden_name, source, created_at"
)
Query = tuple[Identity, int | None]  # the applicant, and the customer he truly is (or None)


class Progress:
    """A bar with rate and ETA on a terminal; elsewhere (a log file) a plain line every tenth
    of the way, so that a long load shows it is alive without filling the log."""

    def __init__(self, label: str, total: int, stream: TextIO = sys.stderr) -> None:
        self.label, self.total, self.stream = label, total, stream
        self.done = 0
        self.started = self.shown = time.perf_counter()
        self.terminal = stream.isatty()
        self.next_line = total / 10

    def advance(self, count: int) -> None:
        self.done += count
        now = time.perf_counter()
        if self.terminal and (now - self.shown >= 0.2 or self.done >= self.total):
            self.shown = now
            print(f"\r{self._line(now)}", end="", file=self.stream, flush=True)
        elif not self.terminal and self.done >= self.next_line:
            self.next_line += self.total / 10
            print(self._line(now), file=self.stream, flush=True)

    def close(self) -> None:
        if self.terminal:
            print(file=self.stream)

    def _line(self, now: float) -> str:
        elapsed = max(now - self.started, 1e-9)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate else 0.0
        share = self.done / self.total if self.total else 1.0
        bar = "#" * round(share * 30)
        return (
            f"{self.label} [{bar:<30}] {share:>4.0%} {self.done:>11,}/{self.total:,} "
            f"{rate:>8,.0f}/s elapsed {_clock(elapsed)} ETA {_clock(left)}"
        )


def _clock(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}"


# --- the population, as a stream -------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """Which known people (0-based, customer id - 1) the queries of one size are about: chosen
    before the population is generated, so that only they need to be kept."""

    duplicates: list[int]
    siblings: list[int]


def plan(rng: random.Random, sizes: list[int]) -> dict[int, Plan]:
    return {
        size: Plan(
            [rng.randrange(size) for _ in range(QUERIES // 2)],
            [rng.randrange(size) for _ in range(QUERIES // 4)],
        )
        for size in sizes
    }


def people(
    pop: Population,
    start: int,
    stop: int,
    kept: dict[int, Person | None],
    names: list[str],
    names_up_to: int,
) -> Iterator[tuple[int, list[Person]]]:
    """People ``start`` to ``stop`` (0-based) in batches; those asked for in ``kept`` (with a
    ``None``) are kept, and the normalised names of the first ``names_up_to`` (the baseline's)."""
    for first in range(start, stop, BATCH):
        batch = [pop.person() for _ in range(min(BATCH, stop - first))]
        for index, person in enumerate(batch, first):
            if index in kept:
                kept[index] = person
        wanted = max(0, min(names_up_to, first + len(batch)) - first)
        names += (normalise_name(p.identity.full_name) for p in batch[:wanted])
        yield first, batch


def rows(
    batches: Iterable[tuple[int, list[Person]]],
) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[int, str, int]]]]:
    now = datetime.now(UTC)
    for first, batch in batches:
        customers, keys = [], []
        for offset, person in enumerate(batch, first + 1):
            p = person.identity
            customers.append((offset, "person", p.full_name, p.nik, p.birth_date, p.birth_place,
                              p.mother_maiden_name, "import", now))  # fmt: skip
            keys += [(k, "customer", offset) for k in blocking_keys(p)]
        yield customers, keys


# --- loading -----------------------------------------------------------------------------------


@dataclass
class Loaded:
    seconds: float = 0.0  # generating, keying and writing the rows
    indexing: float = 0.0  # building the deferred indexes (PostgreSQL)
    analysing: float = 0.0  # VACUUM ANALYZE (PostgreSQL), ANALYZE (SQLite)


def _deferred(cursor: Any) -> tuple[list[str], list[str]]:
    """On PostgreSQL, the statements that drop the loaded tables' indexes and the keys' primary
    key, and those that make them again: one sorted pass each after the load, rather than a
    random insert into a B-tree of tens of millions per key. The customers' own primary key
    stays (ids arrive in order; a contract's parties refer to it)."""
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype IN ('p', 'u') AND conrelid = 'identity_keys'::regclass"
    )
    keys = cursor.fetchall()
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
        "AND tablename = ANY(%s) AND indexname NOT IN (SELECT conname FROM pg_constraint)",
        [list(TABLES)],
    )
    indexes = cursor.fetchall()
    drop = [f'ALTER TABLE {table} DROP CONSTRAINT "{name}"' for table, name, _ in keys]
    make = [f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {how}' for table, name, how in keys]
    return (
        drop + [f'DROP INDEX "{name}"' for name, _ in indexes],
        [sql for _, sql in indexes] + make,
    )


def load(
    engine: Engine, batches: Iterable[tuple[int, list[Person]]], start: int, stop: int
) -> Loaded:
    """Bulk insert customers and their keys: COPY on PostgreSQL, executemany on SQLite."""
    postgres = engine.dialect.name == "postgresql"
    loaded = Loaded()
    started = time.perf_counter()
    progress = Progress(f"[{engine.dialect.name}] customers {start:,}->{stop:,}", stop - start)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        make: list[str] = []
        if postgres:
            drop, make = _deferred(cursor)
            for statement in drop:
                cursor.execute(statement)
            raw.commit()
        for customers, keys in rows(batches):
            if postgres:
                with cursor.copy(f"COPY customers ({CUSTOMER_COLUMNS}) FROM STDIN") as copy:
                    for row in customers:
                        copy.write_row(row)
                with cursor.copy("COPY identity_keys (key, owner, owner_id) FROM STDIN") as copy:
                    for row in keys:
                        copy.write_row(row)
                raw.commit()
            else:
                cursor.execute("BEGIN")
                marks = ", ".join("?" * 9)
                cursor.executemany(
                    f"INSERT INTO customers ({CUSTOMER_COLUMNS}) VALUES ({marks})", customers
                )
                cursor.executemany(
                    "INSERT INTO identity_keys (key, owner, owner_id) VALUES (?, ?, ?)", keys
                )
                cursor.execute("COMMIT")
            progress.advance(len(customers))
        progress.close()
        loaded.seconds = time.perf_counter() - started
        started = time.perf_counter()
        if postgres:
            cursor.execute("SET maintenance_work_mem = '1GB'")
            for statement in make:
                cursor.execute(statement)
            raw.commit()
            loaded.indexing = time.perf_counter() - started
        else:
            cursor.execute("ANALYZE")
            loaded.analysing = time.perf_counter() - started
    finally:
        raw.close()
    if postgres:
        # Statistics for the planner, and the visibility map that lets the candidate query read
        # the keys' index alone, as on a database whose rows are mostly old.
        started = time.perf_counter()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for table in TABLES:
                connection.exec_driver_sql(f"VACUUM (ANALYZE) {table}")
        loaded.analysing = time.perf_counter() - started
    return loaded


def database_size(engine: Engine) -> dict[str, int]:
    """Bytes: the whole database, and each loaded table with its indexes (PostgreSQL)."""
    with engine.connect() as connection:
        if engine.dialect.name != "postgresql":
            pages = connection.exec_driver_sql("PRAGMA page_count").scalar_one()
            size = connection.exec_driver_sql("PRAGMA page_size").scalar_one()
            return {"database": int(pages) * int(size)}
        sizes = {
            "database": connection.exec_driver_sql(
                "SELECT pg_database_size(current_database())"
            ).scalar_one()
        }
        for table in TABLES:
            sizes[table] = connection.exec_driver_sql(
                f"SELECT pg_total_relation_size('{table}')"
            ).scalar_one()
        return {name: int(value) for name, value in sizes.items()}


# --- timing ------------------------------------------------------------------------------------


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    q = statistics.quantiles(samples, n=100)
    return q[49], q[94], q[98]


def build_queries(asker: Population, kept: dict[int, Person | None], plan: Plan) -> list[Query]:
    def known(index: int) -> Person:
        person = kept[index]
        assert person is not None, index
        return person

    queries: list[Query] = [(asker.duplicate(known(i))[0], i + 1) for i in plan.duplicates]
    queries += [(asker.sibling(known(i)).identity, None) for i in plan.siblings]
    queries += [(asker.person().identity, None) for _ in range(QUERIES - len(queries))]
    asker.rng.shuffle(queries)
    return queries


def accuracy(decisions: list[tuple[int | None, int | None]]) -> tuple[float, float]:
    """Precision and recall of Repeat Order decisions: (decided customer, true customer)."""
    tp = sum(1 for got, truth in decisions if got is not None and got == truth)
    fp = sum(1 for got, truth in decisions if got is not None and got != truth)
    fn = sum(1 for got, truth in decisions if truth is not None and got != truth)
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1)


def serve(url: str) -> tuple[uvicorn.Server, threading.Thread, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(Settings(database_url=url, log_level="WARNING"))
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return server, thread, f"http://127.0.0.1:{port}"


def _body(identity: Identity) -> dict[str, Any]:
    return {
        "full_name": identity.full_name,
        "birth_place": identity.birth_place,
        "mother_maiden_name": identity.mother_maiden_name,
        "nik": identity.nik,
        "birth_date": identity.birth_date.isoformat() if identity.birth_date else None,
    }


def explain(database: Database, identity: Identity) -> str:
    """The plan of the candidate query for ``identity``, as ``candidate_ids`` sends it, with
    its timing and buffers on PostgreSQL."""
    sent: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "identity_keys" in statement:
            sent.append((statement, parameters))

    event.listen(database.engine, "before_cursor_execute", capture)
    try:
        with database.sessions() as session:
            candidate_ids(session, "customer", identity)
    finally:
        event.remove(database.engine, "before_cursor_execute", capture)
    statement, parameters = sent[0]
    postgres = database.engine.dialect.name == "postgresql"
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
    raw = database.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(prefix + statement, parameters)
        lines = [" ".join(str(cell) for cell in row) for row in cursor.fetchall()]
        raw.rollback()
    finally:
        raw.close()
    return "\n".join(lines)


def run_size(
    database: Database, url: str, queries: list[Query], warm_up: list[Identity]
) -> dict[str, Any]:
    service_ms: list[float] = []
    decisions: list[tuple[int | None, int | None]] = []
    blocked = duplicates = 0
    with database.sessions() as session:
        for identity in warm_up:
            match_customers(session, identity)
        for identity, truth in queries:
            started = time.perf_counter()
            found = match_customers(session, identity)
            service_ms.append((time.perf_counter() - started) * 1000)
            repeat = next((c.id for c, r in found if r.same_person), None)
            decisions.append((repeat, truth))
            if truth is not None:
                duplicates += 1
                blocked += truth in candidate_ids(session, "customer", identity)
    server, thread, base = serve(url)
    http_ms: list[float] = []
    headers = {"Authorization": f"Bearer {demo_key('ca.rina')}"}
    try:
        with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
            for identity in warm_up:
                http.post("/v1/customers/matches", json=_body(identity))
            for identity, _ in queries:
                started = time.perf_counter()
                response = http.post("/v1/customers/matches", json=_body(identity))
                http_ms.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.text
    finally:
        server.should_exit = True
        thread.join()
    precision, recall = accuracy(decisions)
    return {
        "service": percentiles(service_ms),
        "http": percentiles(http_ms),
        "precision": precision,
        "recall": recall,
        "blocking_recall": blocked / max(duplicates, 1),
    }


def baseline(names: list[str], queries: list[Query], count: int) -> dict[str, Any]:
    """rapidfuzz.process.extractOne over every normalised name: the scan we do not do."""
    times: list[float] = []
    decisions: list[tuple[int | None, int | None]] = []
    for identity, truth in queries[:count]:
        started = time.perf_counter()
        best = process.extractOne(
            normalise_name(identity.full_name), names, scorer=fuzz.token_sort_ratio, score_cutoff=90
        )
        times.append((time.perf_counter() - started) * 1000)
        decisions.append((best[2] + 1 if best else None, truth))
    precision, recall = accuracy(decisions)
    return {"latency": percentiles(times), "precision": precision, "recall": recall}


# --- the run -----------------------------------------------------------------------------------


def _gib(size: int) -> str:
    return f"{size / 2**30:.2f} GiB" if size >= 2**30 else f"{size / 2**20:.0f} MiB"


def report(
    engine_name: str, rows: list[tuple[int, Loaded, dict[str, int], dict[str, Any]]]
) -> None:
    print(f"\nDuplicate check on {engine_name}, {QUERIES} queries per size; milliseconds")
    print(
        f"{'customers':>10} | {'service p50/p95/p99':>20} | {'HTTP p50/p95/p99':>20} | "
        f"{'precision':>9} | {'recall':>6} | {'blocking':>8} | {'baseline p50/p95 (P/R)':>26}"
    )
    for size, _, _, r in rows:
        svc = "/".join(f"{x:.1f}" for x in r["service"])
        web = "/".join(f"{x:.1f}" for x in r["http"])
        b = r.get("baseline")
        naive = (
            f"{b['latency'][0]:.0f}/{b['latency'][1]:.0f} ({b['precision']:.2f}/{b['recall']:.2f})"
            if b
            else "not run"
        )
        print(
            f"{size:>10,} | {svc:>20} | {web:>20} | {r['precision']:>9.4f} | "
            f"{r['recall']:>6.4f} | {r['blocking_recall']:>8.4f} | {naive:>26}"
        )
    print("\nLoading (seconds; each size adds to the one before) and the database after it")
    for size, loaded, sizes, _ in rows:
        tables = ", ".join(f"{name} {_gib(sizes[name])}" for name in TABLES if name in sizes)
        print(
            f"{size:>10,} | rows {loaded.seconds:>7.0f} | indexes {loaded.indexing:>5.0f} | "
            f"analyse {loaded.analysing:>5.0f} | database {_gib(sizes['database'])}"
            + (f" ({tables})" if tables else "")
        )
    largest, _, _, last = rows[-1]
    met = "met" if last["http"][1] <= TARGET_P95_MS else "NOT MET"
    print(
        f"\nHTTP p95 at {largest:,}: {last['http'][1]:.1f} ms "
        f"(target at most {TARGET_P95_MS:.0f} ms: {met})"
    )
    start = next((row for row in rows if row[0] == GROWTH_FROM), rows[0])
    if start[0] < largest:
        for where in ("service", "http"):
            growth = last[where][1] / start[3][where][1]
            verdict = "met" if growth <= TARGET_GROWTH else "NOT MET"
            print(
                f"p95 growth {start[0]:,} -> {largest:,} ({where}): {growth:.2f}x "
                f"(target at most {TARGET_GROWTH:.0f}x: {verdict})"
            )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        help=f"customers to time at, each loaded on top of the one before (default: "
        f"{' '.join(map(str, SIZES))}; on PostgreSQL also {POSTGRES_SIZES[-1]})",
    )
    parser.add_argument(
        "--hard",
        action="store_true",
        help="the harder benchmark instead (bench/hard.py): per error class, families, twins, "
        "namesakes; --known customers, --queries queries",
    )
    parser.add_argument("--known", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=5_000)
    parser.add_argument(
        "--splink",
        action="store_true",
        help="with --hard: also run Splink (DuckDB) on the same records (pip install '.[bench]')",
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="print the candidate query's plan for a few duplicates at each size",
    )
    args = parser.parse_args(argv)
    if args.hard:
        from bench.hard import run

        return run(args.known, args.queries, args.splink)
    url, database = demo_database("prescreen")
    engine_name = database.engine.dialect.name
    sizes = sorted(set(args.sizes or (POSTGRES_SIZES if engine_name == "postgresql" else SIZES)))
    pop, asker = Population(seed=SEED), Population(seed=SEED + 1)
    plans = plan(asker.rng, sizes)
    kept: dict[int, Person | None] = {
        i: None for p in plans.values() for i in (*p.duplicates, *p.siblings)
    }
    names: list[str] = []
    names_up_to = max((s for s in sizes if s in BASELINE_QUERIES), default=0)
    rows: list[tuple[int, Loaded, dict[str, int], dict[str, Any]]] = []
    done = 0
    for size in sizes:
        batches = people(pop, done, size, kept, names, names_up_to)
        loaded = load(database.engine, batches, done, size)
        done = size
        print(
            f"[{engine_name}] {size:,} customers: rows {loaded.seconds:.0f}s, indexes "
            f"{loaded.indexing:.0f}s, analyse {loaded.analysing:.0f}s",
            file=sys.stderr,
        )
        queries = build_queries(asker, kept, plans[size])
        warm_up = [asker.person().identity for _ in range(WARM_UP)]
        result = run_size(database, url, queries, warm_up)
        if size in BASELINE_QUERIES:
            result["baseline"] = baseline(names[:size], queries, BASELINE_QUERIES[size])
        rows.append((size, loaded, database_size(database.engine), result))
        if args.explain:
            for identity, _ in [q for q in queries if q[1] is not None][:3]:
                print(f"\n[{engine_name}] {size:,}: {identity}", file=sys.stderr)
                print(explain(database, identity), file=sys.stderr)
        print(
            f"[{engine_name}] {size:,} customers: HTTP p95 {result['http'][1]:.1f} ms, service "
            f"p95 {result['service'][1]:.1f} ms",
            file=sys.stderr,
        )
    database.dispose()
    report(engine_name, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
