"""The demo with a year behind it (``kredo seed-demo --with-history``, what ``make run`` seeds):
applications in every stage, a year of collection with every business day closed, a portfolio
report and a work list with something in them; a second run plays only the days since the
first and creates nothing twice."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.collection.models import CloseOfBusiness
from app.contracts.models import Contract
from app.core.clock import today_jakarta
from app.core.database import Database
from app.demo_history import HISTORY_DAYS, seed_history
from tests.conftest import COLLECTOR

# Where applications stop or rest, and what becomes of the disbursed ones: all of them appear.
EVERY_STAGE = {
    "SUBMITTED", "SURVEY_ASSIGNED", "SURVEYED", "PRESCREENED", "SCORED", "SIMULATED",
    "PENDING_APPROVAL", "APPROVED", "ACTIVE", "PAID_OFF", "WRITTEN_OFF", "REJECTED",
    "CANCELLED", "EXPIRED",
}  # fmt: skip


def test_a_year_of_history_fills_every_stage_and_the_portfolio(
    database: Database, client: TestClient
) -> None:
    played: list[tuple[int, int]] = []
    story = seed_history(database, lambda done, total: played.append((done, total)))
    today = today_jakarta()
    assert story.days_closed == HISTORY_DAYS + 1
    assert played[-1] == (HISTORY_DAYS + 1, HISTORY_DAYS + 1)
    with database.sessions() as session:
        states = dict(
            session.execute(select(Contract.state, func.count()).group_by(Contract.state)).all()
        )
        closed = list(
            session.scalars(
                select(CloseOfBusiness.business_date).order_by(CloseOfBusiness.business_date)
            )
        )
    assert set(states) >= EVERY_STAGE, EVERY_STAGE - set(states)
    assert sum(states.values()) == story.contracts > 250
    assert states["ACTIVE"] > 150
    assert story.payments > 500
    # Every business day of the year closed, in order, none skipped, up to today.
    first = today - timedelta(days=HISTORY_DAYS)
    assert closed == [first + timedelta(days=n) for n in range(HISTORY_DAYS + 1)]

    head = COLLECTOR
    last_month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    report = client.get(f"/v1/reports/portfolio?month={last_month}", headers=head)
    assert report.status_code == 200, report.text
    figures = report.json()
    assert figures["enr"]["accounts"] > 150
    in_arrears = [b for name, b in figures["buckets"].items() if name != "current"]
    assert sum(bucket["accounts"] for bucket in in_arrears) > 5
    assert figures["write_off_ytd"]["accounts"] >= 1
    accounts = client.get("/v1/collection/accounts", headers=head)
    assert accounts.status_code == 200
    assert accounts.json()["items"], "the work list is empty"
    page = client.get(f"/reports/portfolio/{last_month}", headers=head)
    assert page.status_code == 200

    # Run again: only the days since the last run (none today), nothing twice.
    again = seed_history(database)
    assert (again.contracts, again.payments, again.days_closed) == (0, 0, 0)
    with database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Contract)) == story.contracts
