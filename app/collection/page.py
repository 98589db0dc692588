"""The portfolio page: the month's report drawn as HTML with server-side SVG charts — the
bucket distribution, net flow rates over the last twelve months, and the delinquency and
recovery trends. No script runs in the page."""

import calendar
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from app.auth.dependencies import require
from app.auth.roles import Permission
from app.auth.service import Principal
from app.collection import charts, report
from app.collection.arithmetic import BUCKETS
from app.core.dependencies import DbSession
from app.core.errors import problem_responses

router = APIRouter(tags=["collection"])
Reporter = Annotated[Principal, Depends(require(Permission.REPORT_READ))]
TEMPLATES = Environment(
    loader=PackageLoader("app.collection", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
FLOWS = ("1-29", "30-59", "60-89", "90-119", "120-149", "150-179", "write_off")
# Inline styles only: nothing loads from anywhere, not even from this server.
POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def short(month: str) -> str:
    """``2025-03`` as ``Mar 25``, short enough for twelve under a chart."""
    year, number = month.split("-")
    return f"{calendar.month_abbr[int(number)]} {year[2:]}"


def render(data: dict[str, Any], months: list[dict[str, Any]]) -> str:
    names = [m["month"] for m in months]
    labels = [short(name) for name in names]
    flows = {
        f"→ {b}": [m["net_flow_rates"][b] if m["net_flow_rates"] else None for m in months]
        for b in FLOWS
    }
    trends = {
        "delinquency by amount": [m["delinquency_by_amount"] for m in months],
        "delinquency by accounts": [m["delinquency_by_accounts"] for m in months],
        "recovery": [m["recovery_rate"] for m in months],
    }
    return TEMPLATES.get_template("portfolio.html").render(
        report=data,
        box={"width": charts.WIDTH, "height": charts.HEIGHT, "left": charts.LEFT},
        baseline=charts.HEIGHT - charts.BOTTOM,
        buckets=charts.bars([(b, data["buckets"][b]["amount"]) for b in BUCKETS]),
        flows=charts.lines(names, flows, labels),
        trends=charts.lines(names, trends, labels),
        bucket_names=BUCKETS,
    )


@router.get(
    "/reports/portfolio/{month}",
    summary="The month's portfolio report as a page with charts (buckets, flow rates, trends)",
    response_class=HTMLResponse,
    responses={
        200: {"content": {"text/html": {"example": '<!doctype html><html lang="en">…</html>'}}},
        **problem_responses(403, 409),
    },
)
def portfolio_page(
    session: DbSession,
    _: Reporter,
    month: Annotated[str, Path(pattern=r"^(19|20)\d{2}-(0[1-9]|1[0-2])$", examples=["2026-10"])],
) -> HTMLResponse:
    year, number = (int(part) for part in month.split("-"))
    page = render(report.portfolio(session, year, number), report.trend(session, year, number))
    return HTMLResponse(page, headers={"Content-Security-Policy": POLICY})
