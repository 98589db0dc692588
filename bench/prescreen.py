"""Pre-screening benchmark: duplicate-check latency, accuracy and blocking recall at 10k, 100k
and 1M customers, with a naive baseline (rapidfuzz ``extractOne`` over every name) timed in
the same run.

    .venv/bin/python -m bench.prescreen                       # SQLite in a temporary folder
    .venv/bin/python -m tools.with_postgres -- .venv/bin/python -m bench.prescreen
    .venv/bin/python -m bench.prescreen --sizes 10000 100000  # smaller runs

Customers are loaded in bulk with the service's own blocking keys (``blocking_keys``); the
queries go through ``match_customers``, as pre-screening does, and through HTTP
(``POST /v1/customers/matches`` on a real uvicorn).
"""

import argparse
import socket
import statistics
import sys
import threading
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import httpx
import uvicorn
from rapidfuzz import fuzz, process
from sqlalchemy import Engine

from app.core.database import Database
from app.core.settings import Settings
from app.demo import demo_key
from app.main import create_app
from app.prescreening.matching import Identity, blocking_keys
from app.prescreening.names import normalise_name
from app.prescreening.service import candidate_ids, match_customers
from bench import demo_database
from bench.population import Person, Population

QUERIES = 1000  # per size: half duplicates (labelled), a quarter siblings, a quarter new people
HTTP_QUERIES = 300
BASELINE_QUERIES = {10_000: 200, 100_000: 40}
BATCH = 20_000


def _rows(
    people: list[Person], first_id: int
) -> Iterable[tuple[list[tuple[Any, ...]], list[tuple[int, str, int]]]]:
    now = datetime.now(UTC)
    for start in range(0, len(people), BATCH):
        customers, keys = [], []
        for offset, person in enumerate(people[start : start + BATCH]):
            cid = first_id + start + offset
            p = person.identity
            customers.append(
                (
                    cid,
                    "person",
                    p.full_name,
                    p.nik,
                    p.birth_date,
                    p.birth_place,
                    p.mother_maiden_name,
                    "import",
                    now,
                )
            )
            keys += [(k, "customer", cid) for k in blocking_keys(p)]
        yield customers, keys


def load(engine: Engine, people: list[Person], first_id: int) -> None:
    """Bulk insert customers and their keys: COPY on PostgreSQL, executemany on SQLite."""
    columns = (
        "id, kind, full_name, nik, birth_date, birth_place, mother_maiden_name, source, created_at"
    )
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for customers, keys in _rows(people, first_id):
            if engine.dialect.name == "postgresql":
                with cursor.copy(f"COPY customers ({columns}) FROM STDIN") as copy:
                    for row in customers:
                        copy.write_row(row)
                with cursor.copy("COPY identity_keys (key, owner, owner_id) FROM STDIN") as copy:
                    for row in keys:
                        copy.write_row(row)
            else:
                cursor.execute("BEGIN")
                cursor.executemany(
                    f"INSERT INTO customers ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    customers,
                )
                cursor.executemany(
                    "INSERT INTO identity_keys (key, owner, owner_id) VALUES (?, ?, ?)", keys
                )
                cursor.execute("COMMIT")
        if engine.dialect.name == "postgresql":
            raw.commit()
            cursor.execute("ANALYZE customers")
            cursor.execute("ANALYZE identity_keys")
            raw.commit()
        else:
            cursor.execute("ANALYZE")
    finally:
        raw.close()


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    q = statistics.quantiles(samples, n=100)
    return q[49], q[94], q[98]


def build_queries(pop: Population, people: list[Person]) -> list[tuple[Identity, int | None]]:
    """(query, id of the customer it truly is, or None)."""
    queries: list[tuple[Identity, int | None]] = []
    for _ in range(QUERIES // 2):
        i = pop.rng.randrange(len(people))
        queries.append((pop.duplicate(people[i])[0], i + 1))
    for _ in range(QUERIES // 4):
        queries.append((pop.sibling(people[pop.rng.randrange(len(people))]).identity, None))
    for _ in range(QUERIES - len(queries)):
        queries.append((pop.person().identity, None))
    pop.rng.shuffle(queries)
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


def run_size(database: Database, url: str, pop: Population, people: list[Person]) -> dict[str, Any]:
    queries = build_queries(pop, people)
    service_ms: list[float] = []
    decisions: list[tuple[int | None, int | None]] = []
    blocked = duplicates = 0
    with database.sessions() as session:
        for identity, _ in queries[:50]:  # warm the caches
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
    with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
        for identity, _ in queries[:HTTP_QUERIES]:
            body = {
                "full_name": identity.full_name,
                "birth_place": identity.birth_place,
                "mother_maiden_name": identity.mother_maiden_name,
                "nik": identity.nik,
                "birth_date": identity.birth_date.isoformat() if identity.birth_date else None,
            }
            started = time.perf_counter()
            response = http.post("/v1/customers/matches", json=body)
            http_ms.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text
    server.should_exit = True
    thread.join()
    precision, recall = accuracy(decisions)
    return {
        "service": percentiles(service_ms),
        "http": percentiles(http_ms),
        "precision": precision,
        "recall": recall,
        "blocking_recall": blocked / max(duplicates, 1),
        "queries": queries,
    }


def baseline(
    people: list[Person], queries: list[tuple[Identity, int | None]], count: int
) -> dict[str, Any]:
    """rapidfuzz.process.extractOne over every normalised name: the scan we do not do."""
    names = [normalise_name(p.identity.full_name) for p in people]
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


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    args = parser.parse_args(argv)
    url, database = demo_database("prescreen")
    engine_name = database.engine.dialect.name
    pop = Population(seed=20261122)
    people: list[Person] = []
    rows = []
    for size in sorted(args.sizes):
        started = time.perf_counter()
        new = [pop.person() for _ in range(size - len(people))]
        load(database.engine, new, len(people) + 1)
        people += new
        loaded = time.perf_counter() - started
        result = run_size(database, url, pop, people)
        base = (
            baseline(people, result["queries"], BASELINE_QUERIES[size])
            if size in BASELINE_QUERIES
            else None
        )
        rows.append((size, loaded, result, base))
        print(f"[{engine_name}] {size:,} customers loaded in {loaded:.0f}s", file=sys.stderr)
    database.dispose()

    print(
        f"\nDuplicate check on {engine_name}, {QUERIES} queries per size "
        f"(HTTP: {HTTP_QUERIES}); milliseconds"
    )
    print(
        f"{'customers':>10} | {'service p50/p95/p99':>20} | {'HTTP p50/p95/p99':>20} | "
        f"{'precision':>9} | {'recall':>6} | {'blocking':>8} | {'baseline p50/p95 (P/R)':>26}"
    )
    for size, _, r, b in rows:
        svc = "/".join(f"{x:.1f}" for x in r["service"])
        web = "/".join(f"{x:.1f}" for x in r["http"])
        naive = (
            f"{b['latency'][0]:.0f}/{b['latency'][1]:.0f} ({b['precision']:.2f}/{b['recall']:.2f})"
            if b
            else "not run"
        )
        print(
            f"{size:>10,} | {svc:>20} | {web:>20} | {r['precision']:>9.4f} | "
            f"{r['recall']:>6.4f} | {r['blocking_recall']:>8.4f} | {naive:>26}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
