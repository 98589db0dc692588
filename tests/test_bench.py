"""The collection benchmark's portfolio, small, loaded into the suite's database the way the
benchmark loads a million contracts (explicit ids; COPY on PostgreSQL): the servicing rules
replay it as loaded, the days close one by one, and the database stays usable afterwards
(the sequences continue after the loaded ids, so a new contract can be submitted)."""

from datetime import timedelta

from fastapi.testclient import TestClient

from app.core.database import Database
from bench.collection import (
    MONTH_END,
    SEPTEMBER_END,
    Portfolio,
    check,
    close,
    load,
    references,
)
from tests.conftest import ADMIN, submit

CONTRACTS = 60


def test_the_benchmark_portfolio_replays_closes_and_leaves_a_usable_database(
    client: TestClient, database: Database
) -> None:
    refs, terms = references(database)
    postgres = database.engine.dialect.name == "postgresql"
    stamp = "{} 03:00:00+00" if postgres else "{} 03:00:00.000000"
    rows = load(database.engine, Portfolio(7, refs, terms, stamp), CONTRACTS)
    assert rows["contracts"] == CONTRACTS
    assert check(database, CONTRACTS, CONTRACTS) == []
    day = SEPTEMBER_END
    while day <= MONTH_END:
        close(database, day)
        day += timedelta(days=1)
    assert check(database, CONTRACTS, CONTRACTS) == []  # month-end positions included
    submit(client)  # a new contract after the loaded ids
    closed = client.post(
        "/v1/collection/close-of-business",
        headers=ADMIN,
        json={"business_date": (MONTH_END + timedelta(days=1)).isoformat()},
    )
    assert closed.status_code == 200, closed.text
