"""The portfolio page: thirteen month-ends of positions drawn as charts, checked as HTML and
then loaded in headless Chromium (Debian's package, installed here when missing) with the
console watched for errors."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import ConsoleMessage, sync_playwright
from sqlalchemy import select

from app.collection.arithmetic import BUCKETS, bucket, kol
from app.collection.models import CloseOfBusiness, Position, WriteOff
from app.collection.report import month_end, previous
from app.contracts.models import Contract
from tests.conftest import ADMIN, COLLECTOR, CS, submit

MONTH = (2025, 10)
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's Chromium, installed with apt when this machine has none."""
    found = shutil.which("chromium")
    if found:
        return found
    apt = ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]
    if os.geteuid() != 0:
        apt.insert(0, "sudo")
    if subprocess.run(apt, capture_output=True, check=False).returncode != 0:
        subprocess.run([*apt[:-4], "update"], capture_output=True, check=True)
        subprocess.run(apt, capture_output=True, check=True)
    installed = shutil.which("chromium")
    assert installed, "apt-get installed chromium but it is not on PATH"
    return installed


def _portfolio(client: TestClient, database) -> None:
    """Four contracts whose arrears move a bucket a month for thirteen month-ends, and one
    written off in the last month."""
    numbers = [submit(client) for _ in range(4)]
    with database.transaction() as session:
        ids = list(session.scalars(select(Contract.id).where(Contract.number.in_(numbers))))
        ends = [MONTH]
        for _ in range(12):
            ends.append(previous(*ends[-1]))
        before: dict[int, Position] = {}
        for age, (year, month) in enumerate(reversed(ends)):
            day = month_end(year, month)
            for n, contract_id in enumerate(ids):
                dpd = max(0, (age - 4 * n) * 31 - 5) if n else 0
                was = before.get(contract_id)
                before[contract_id] = Position(
                    contract_id=contract_id,
                    business_date=day,
                    days_past_due=dpd,
                    bucket=bucket(dpd),
                    kol=kol(dpd),
                    outstanding_principal=12_000_000 - age * 400_000 + n * 1_000_000,
                    # as the close writes a month-end: where it stood a month before
                    bucket_before=was.bucket if was else None,
                    outstanding_before=was.outstanding_principal if was else None,
                )
                session.add(before[contract_id])
            session.add(
                CloseOfBusiness(
                    business_date=day, contracts=len(ids), written_off=0, listed_overdue_60=0
                )
            )
        session.add(
            WriteOff(contract_id=ids[-1], business_date=month_end(*MONTH), amount=7_500_000)
        )


def test_the_page_draws_the_month(client: TestClient, database):
    _portfolio(client, database)
    page = client.get("/reports/portfolio/2025-10", headers=COLLECTOR)
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    html = page.text
    assert "<h1>Portfolio, 2025-10</h1>" in html
    assert html.count("<rect ") == len(BUCKETS)
    assert html.count("<polyline ") == 7 + 3  # flows into each bucket, then the three trends
    assert ">Nov 24</text>" in html  # twelve months back
    report = client.get("/v1/reports/portfolio?month=2025-10", headers=COLLECTOR).json()
    assert report["roll_rates"] == {
        "current": {"current": 7_600_000 + 10_600_000},
        "60-89": {"90-119": 9_600_000},
        "180+": {"180+": 8_600_000},
    }
    assert "<script" not in html

    late = client.get("/reports/portfolio/2025-11", headers=COLLECTOR)
    assert late.status_code == 409
    assert late.headers["content-type"] == "application/problem+json"
    assert client.get("/reports/portfolio/2025-13", headers=ADMIN).status_code == 422
    assert client.get("/reports/portfolio/2025-10", headers=CS).status_code == 403
    assert client.get("/reports/portfolio/2025-10").status_code == 401


def test_the_page_renders_in_headless_chromium(
    client: TestClient, database, live_server: str, chromium: str, tmp_path: Path
):
    _portfolio(client, database)
    problems: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            problems.append(f"{message.type}: {message.text}")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        try:
            context = browser.new_context(extra_http_headers=COLLECTOR)
            page = context.new_page()
            page.on("console", console)
            page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
            response = page.goto(f"{live_server}/reports/portfolio/2025-10")
            assert response is not None
            assert response.status == 200
            page.wait_for_load_state("load")
            assert page.title() == "Portfolio 2025-10 — Kredo"
            assert page.locator("svg#buckets rect").count() == len(BUCKETS)
            assert page.locator("svg#flows polyline").count() == 7
            assert page.locator("svg#trends circle").count() == 3 * 12
            drawn = page.locator("svg#buckets").bounding_box()
            assert drawn is not None
            assert drawn["width"] > 300
            assert drawn["height"] > 100
            page.screenshot(path=str(tmp_path / "portfolio.png"), full_page=True)
        finally:
            browser.close()
    assert problems == []
    assert (tmp_path / "portfolio.png").stat().st_size > 10_000


def test_months_without_a_close_leave_gaps(client: TestClient, database):
    _portfolio(client, database)
    with database.transaction() as session:
        gone = session.get_one(CloseOfBusiness, month_end(2025, 3))
        session.delete(gone)
    html = client.get("/reports/portfolio/2025-10", headers=COLLECTOR).text
    # March has no figures, and April's flow rates need March: the lines skip both.
    assert html.count("2025-03 → 1-29") == 0
    assert html.count("2025-04 → 1-29") == 0
    assert html.count("2025-05 → 1-29") == 1
