"""The portfolio page: thirteen month-ends of positions drawn as charts, checked as HTML (in
Indonesian and English, for the company and one branch, its errors as pages for a browser)
and then used in headless Chromium (Debian's package, installed here when missing) as a
collection head does: log in on the form, read the month, go a month back, filter a branch,
log out; the console watched for errors (a refused style or form shows there)."""

from pathlib import Path

from fastapi.testclient import TestClient
from playwright.sync_api import ConsoleMessage, sync_playwright
from sqlalchemy import select, update

from app.collection.arithmetic import BUCKETS, bucket, kol
from app.collection.models import CloseOfBusiness, Position, WriteOff
from app.collection.page import _roll_rates
from app.collection.report import month_end, previous
from app.contracts.models import Contract
from app.core.i18n import use_language
from app.demo import demo_key
from app.reference.models import Branch
from tests.conftest import ADMIN, CHROMIUM_FLAGS, COLLECTOR, CS, submit

MONTH = (2025, 10)


REFUSED = "the server responded with a status of 401 (Unauthorized)"
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def _portfolio(client: TestClient, database) -> None:
    """Four contracts whose arrears move a bucket a month for thirteen month-ends, and one
    written off in the last month; the last of them in Bandung (BDG01), the others in
    Jakarta (JKT01)."""
    numbers = [submit(client) for _ in range(4)]
    with database.transaction() as session:
        ids = list(session.scalars(select(Contract.id).where(Contract.number.in_(numbers))))
        bandung = session.scalar(select(Branch.id).where(Branch.code == "BDG01"))
        session.execute(update(Contract).where(Contract.id == ids[-1]).values(branch_id=bandung))
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
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "form-action 'self'" in policy
    assert "script" not in policy
    html = page.text
    assert '<html lang="en">' in html
    assert "<h1>Portfolio, October 2025</h1>" in html
    # The arrears alone are bars; the current bucket is said in words.
    assert html.count("<rect ") == len(BUCKETS) - 1
    assert ">current: " not in html
    assert "Current (not in arrears), not charted: 2 accounts, Rp 17,400,000." in html
    # Each flow its own small chart, then the three trends in one.
    assert html.count("<polyline ") == 7 + 3
    for flow in ("1-29", "30-59", "60-89", "90-119", "120-149", "150-179", "write_off"):
        assert f'<svg id="flow-{flow}"' in html
    assert "<h3>150-179 → written off</h3>" in html
    assert ">Nov 24</text>" in html  # twelve months back, under the trends
    report = client.get("/v1/reports/portfolio?month=2025-10", headers=COLLECTOR).json()
    assert report["roll_rates"] == {
        "current": {"current": 7_600_000 + 10_600_000},
        "60-89": {"90-119": 9_600_000},
        "180+": {"180+": 8_600_000},
    }
    # Roll rates in percent of each row's base, the amount in the cell's title.
    assert '<td title="Rp 9,600,000">100%</td>' in html
    assert "9,600,000</td>" in html  # the 60-89 row's base
    assert '<a id="previous" href="/reports/portfolio/2025-09">← September 2025</a>' in html
    assert 'id="next"' not in html  # November is not closed
    assert 'href="/reports/portfolio/2025-10.csv"' in html
    assert "<script" not in html


def test_roll_rates_are_percent_of_what_stood_in_the_bucket():
    data = {"roll_rates": {"current": {"current": 750, "1-29": 250}, "30-59": {"closed": 40}}}
    with use_language("id"):
        current, arrears = _roll_rates(data)
    assert current["source"] == "lancar"
    assert current["base"] == "Rp 1.000"
    assert current["cells"][:3] == [("75%", "Rp 750"), ("25%", "Rp 250"), None]
    assert arrears["cells"][-1] == ("100%", "Rp 40")


def test_the_page_is_in_indonesian_by_default(client: TestClient, database):
    _portfolio(client, database)
    page = client.get("/reports/portfolio/2025-10", headers={**COLLECTOR, "Accept-Language": "id"})
    assert page.status_code == 200, page.text
    assert page.headers["content-language"] == "id"
    html = page.text
    assert '<html lang="id">' in html
    assert "<h1>Portofolio, Oktober 2025</h1>" in html
    assert "Rp 17.400.000" in html
    assert ">Nov 24</text>" in html
    assert ">Okt 25</text>" in html
    assert "jt</text>" in html  # the bucket axis: Rp 5 jt, not 5 jt in English
    for english in ("Arrears by bucket", "Roll rates", "Net flow rates", "accounts", "Log out"):
        assert english not in html, english
    untold = client.get("/reports/portfolio/2025-10", headers={**COLLECTOR, "Accept-Language": ""})
    assert '<html lang="id">' in untold.text


def test_a_branch_is_reported_alone(client: TestClient, database):
    _portfolio(client, database)
    whole = client.get("/v1/reports/portfolio?month=2025-10", headers=COLLECTOR).json()
    parts = {
        code: client.get(
            f"/v1/reports/portfolio?month=2025-10&branch={code}", headers=COLLECTOR
        ).json()
        for code in ("JKT01", "BDG01")
    }
    assert parts["BDG01"]["enr"] == {"accounts": 1, "amount": 10_200_000}
    assert parts["BDG01"]["write_off_mtd"] == {"accounts": 1, "amount": 7_500_000}
    assert parts["JKT01"]["write_off_mtd"] == {"accounts": 0, "amount": 0}
    for key in ("enr", "write_off_ytd"):
        assert whole[key] == {
            field: parts["JKT01"][key][field] + parts["BDG01"][key][field]
            for field in ("accounts", "amount")
        }
    assert whole["buckets"]["180+"] == parts["JKT01"]["buckets"]["180+"]

    page = client.get("/reports/portfolio/2025-10?branch=BDG01", headers=COLLECTOR).text
    assert "<h1>Portfolio, October 2025 · branch BDG01</h1>" in page
    assert '<option value="BDG01" selected>' in page
    assert 'href="/reports/portfolio/2025-09?branch=BDG01"' in page
    assert 'href="/reports/portfolio/2025-10.csv?branch=BDG01"' in page
    assert "1 account, Rp 10,200,000." in page

    csv = client.get("/reports/portfolio/2025-10.csv?branch=BDG01", headers=COLLECTOR)
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    assert (
        csv.headers["content-disposition"] == 'attachment; filename="portfolio-2025-10-BDG01.csv"'
    )
    api = client.get(
        "/v1/reports/portfolio?month=2025-10&branch=BDG01&format=csv", headers=COLLECTOR
    )
    assert csv.text == api.text
    assert "total,enr,1,10200000" in csv.text

    unknown = client.get("/v1/reports/portfolio?month=2025-10&branch=XXX01", headers=COLLECTOR)
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["rule"] == "unknown_branch"


def test_errors_are_pages_for_a_browser_and_problems_for_the_rest(client: TestClient, database):
    _portfolio(client, database)
    late = client.get("/reports/portfolio/2025-11", headers={**COLLECTOR, **HTML})
    assert late.status_code == 409
    assert late.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in late.headers["content-security-policy"]
    assert "<h1>Conflict</h1>" in late.text
    assert "The month-end 2025-11-30 has not been closed yet" in late.text
    assert 'href="/reports/portfolio"' in late.text  # the last month closed
    bad = client.get("/reports/portfolio/2025-13", headers={**ADMIN, **HTML})
    assert bad.status_code == 422
    assert "<code>path.month</code>" in bad.text
    unknown = client.get("/reports/portfolio/2025-10?branch=XXX01", headers={**ADMIN, **HTML})
    assert unknown.status_code == 422
    assert "Unknown branch XXX01." in unknown.text
    stray = client.get("/reports/portfolio/2025-10?bulan=10", headers={**ADMIN, **HTML})
    assert stray.status_code == 422
    assert "<code>query.bulan</code>" in stray.text
    refused = client.get("/reports/portfolio/2025-10", headers={**CS, **HTML})
    assert refused.status_code == 403
    assert "<h1>Not allowed for your role</h1>" in refused.text
    anonymous = client.get(
        "/reports/portfolio/2025-10?branch=JKT01", headers=HTML, follow_redirects=False
    )
    assert anonymous.status_code == 303
    assert (
        anonymous.headers["location"] == "/login?next=/reports/portfolio/2025-10%3Fbranch%3DJKT01"
    )
    indonesian = client.get(
        "/reports/portfolio/2025-11", headers={**COLLECTOR, **HTML, "Accept-Language": "id"}
    )
    assert '<html lang="id">' in indonesian.text
    assert "Conflict" not in indonesian.text

    # An API client (no text/html in Accept) still gets problem+json.
    late = client.get("/reports/portfolio/2025-11", headers=COLLECTOR)
    assert late.status_code == 409
    assert late.headers["content-type"] == "application/problem+json"
    assert client.get("/reports/portfolio/2025-13", headers=ADMIN).status_code == 422
    assert client.get("/reports/portfolio/2025-10", headers=CS).status_code == 403
    assert client.get("/reports/portfolio/2025-10").status_code == 401


def test_the_bare_address_opens_the_last_month_closed(client: TestClient, database):
    before = client.get("/reports/portfolio", headers={**COLLECTOR, **HTML})
    assert before.status_code == 409
    assert "No month-end has been closed yet" in before.text
    _portfolio(client, database)
    latest = client.get(
        "/reports/portfolio?branch=BDG01", headers=COLLECTOR, follow_redirects=False
    )
    assert latest.status_code == 303
    assert latest.headers["location"] == "/reports/portfolio/2025-10?branch=BDG01"


def test_the_page_is_used_in_headless_chromium(
    client: TestClient, database, live_server: str, chromium: str, tmp_path: Path
):
    """Log in on the form, read October, go back to September, filter Bandung, download
    the CSV link's target, log out; a screenshot of each step."""
    _portfolio(client, database)
    problems: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            problems.append(f"{message.type}: {message.text}")

    shots = tmp_path / "screenshots"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        try:
            context = browser.new_context(locale="id-ID", viewport={"width": 1200, "height": 900})
            page = context.new_page()
            page.on("console", console)
            page.on("pageerror", lambda error: problems.append(f"page error: {error}"))

            # A link to the page sends a browser without a session to the login form.
            page.goto(f"{live_server}/reports/portfolio/2025-10")
            assert page.url == (f"{live_server}/login?next=/reports/portfolio/2025-10")
            assert page.locator("h1").inner_text() == "Masuk ke Kredo"
            page.screenshot(path=str(shots / "1-login.png"), full_page=True)
            page.fill("#api_key", "kredo_demo_nobody")
            page.click("#login")
            assert (
                page.locator("p.problem").inner_text()
                == "Kunci API tidak dikenal atau sudah dicabut."
            )
            # The refused login is answered 401, which Chromium notes; nothing else may be.
            assert problems == [f"error: Failed to load resource: {REFUSED}"]
            problems.clear()
            page.fill("#api_key", demo_key("collector.joko"))
            page.click("#login")
            page.wait_for_url(f"{live_server}/reports/portfolio/2025-10")
            assert page.title() == "Portofolio Oktober 2025 — Kredo"
            assert page.locator("h1").inner_text() == "Portofolio, Oktober 2025"
            assert page.locator("header .who").inner_text().endswith("collector.joko")
            assert page.locator("svg#buckets rect").count() == len(BUCKETS) - 1
            assert page.locator(".multiples svg").count() == 7
            assert page.locator(".multiples svg polyline").count() == 7
            assert page.locator("svg#trends circle").count() == 3 * 12
            assert "tidak digambar" in page.locator("#current").inner_text()
            drawn = page.locator("svg#buckets").bounding_box()
            assert drawn is not None
            assert drawn["width"] > 300
            assert drawn["height"] > 100
            small = page.locator("svg#flow-30-59").bounding_box()
            assert small is not None
            assert 150 < small["width"] < 600
            page.screenshot(path=str(shots / "2-october.png"), full_page=True)

            page.click("#previous")
            page.wait_for_url(f"{live_server}/reports/portfolio/2025-09")
            assert page.locator("h1").inner_text() == "Portofolio, September 2025"
            assert page.locator("#next").get_attribute("href") == "/reports/portfolio/2025-10"
            page.screenshot(path=str(shots / "3-september.png"), full_page=True)

            page.select_option("#branch", "BDG01")
            page.click("#filter")
            page.wait_for_url(f"{live_server}/reports/portfolio/2025-09?branch=BDG01")
            assert page.locator("h1").inner_text() == "Portofolio, September 2025 · cabang BDG01"
            assert page.locator("#branch").input_value() == "BDG01"
            page.screenshot(path=str(shots / "4-bandung.png"), full_page=True)

            with page.expect_download() as downloading:
                page.click("#csv")
            download = downloading.value
            assert download.suggested_filename == "portfolio-2025-09-BDG01.csv"
            saved = shots / download.suggested_filename
            download.save_as(saved)
            assert saved.read_text().startswith("section,item,accounts,amount_or_rate\n")

            page.click("#logout")
            page.wait_for_url(f"{live_server}/login?logged_out=true")
            assert page.locator("p.notice").inner_text() == "Anda sudah keluar."
            assert not [c for c in context.cookies() if c["name"] == "kredo_session"]
            page.screenshot(path=str(shots / "5-logged-out.png"), full_page=True)
            page.goto(f"{live_server}/reports/portfolio/2025-09")
            assert "/login?next=" in page.url
        finally:
            browser.close()
    assert problems == []
    assert all((shots / name).stat().st_size > 5_000 for name in (
        "1-login.png", "2-october.png", "3-september.png", "4-bandung.png", "5-logged-out.png"
    ))  # fmt: skip


def test_months_without_a_close_leave_gaps(client: TestClient, database):
    _portfolio(client, database)
    with database.transaction() as session:
        gone = session.get_one(CloseOfBusiness, month_end(2025, 3))
        session.delete(gone)
    html = client.get("/reports/portfolio/2025-10", headers=COLLECTOR).text
    # March has no figures, and April's flow rates need March: the lines skip both.
    assert html.count("Mar 25 current → 1-29") == 0
    assert html.count("Apr 25 current → 1-29") == 0
    assert html.count("May 25 current → 1-29") == 1
