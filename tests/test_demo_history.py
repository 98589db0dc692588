"""The demo with a year behind it (``kredo seed-demo --with-history``, what ``make run`` seeds):
applications in every stage, a year of collection with every business day closed, a portfolio
report and a work list with something in them; a second run plays only the days since the
first and creates nothing twice. Checked on the demo the README test walks (one seed for both;
the walk only adds to it)."""

from datetime import date, timedelta

import httpx
from sqlalchemy import func, select

from app.collection.models import CloseOfBusiness
from app.contracts.models import Contract
from app.core.clock import today_jakarta
from app.core.database import Database
from app.demo_history import HISTORY_DAYS
from app.servicing.models import Payment
from tests.conftest import COLLECTOR, DemoServer, kredo_command

# Where applications stop or rest, and what becomes of the disbursed ones: all of them appear.
EVERY_STAGE = {
    "SUBMITTED", "SURVEY_ASSIGNED", "SURVEYED", "PRESCREENED", "SCORED", "SIMULATED",
    "PENDING_APPROVAL", "APPROVED", "ACTIVE", "PAID_OFF", "WRITTEN_OFF", "REJECTED",
    "CANCELLED", "EXPIRED",
}  # fmt: skip


def _counts(database: Database) -> tuple[dict[str, int], list[date], int]:
    with database.sessions() as session:
        states = dict(
            session.execute(select(Contract.state, func.count()).group_by(Contract.state)).all()
        )
        closed = list(
            session.scalars(
                select(CloseOfBusiness.business_date).order_by(CloseOfBusiness.business_date)
            )
        )
        payments = session.scalar(select(func.count()).select_from(Payment)) or 0
    return {str(k): int(v) for k, v in states.items()}, closed, payments


def test_a_year_of_history_fills_every_stage_and_the_portfolio(demo_server: DemoServer) -> None:
    database = Database(demo_server.database_url)
    try:
        states, closed, payments = _counts(database)
        today = today_jakarta()
        assert set(states) >= EVERY_STAGE, EVERY_STAGE - set(states)
        assert sum(states.values()) > 250
        assert states["ACTIVE"] > 150
        assert payments > 500
        # Every business day of the year closed, in order, none skipped, up to today.
        first = today - timedelta(days=HISTORY_DAYS)
        assert closed == [first + timedelta(days=n) for n in range(HISTORY_DAYS + 1)]

        with httpx.Client(base_url=demo_server.base, headers=COLLECTOR, timeout=60) as http:
            last_month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
            report = http.get(f"/v1/reports/portfolio?month={last_month}")
            assert report.status_code == 200, report.text
            figures = report.json()
            assert figures["enr"]["accounts"] > 150
            in_arrears = [b for name, b in figures["buckets"].items() if name != "current"]
            assert sum(bucket["accounts"] for bucket in in_arrears) > 5
            assert figures["write_off_ytd"]["accounts"] >= 1
            accounts = http.get("/v1/collection/accounts")
            assert accounts.status_code == 200
            assert accounts.json()["items"], "the work list is empty"
            assert http.get(f"/reports/portfolio/{last_month}").status_code == 200

        # Run again: only the days since the last run (none today), nothing twice.
        kredo_command(demo_server.env, "seed-demo", "--with-history")
        assert _counts(database) == (states, closed, payments)
    finally:
        database.dispose()
