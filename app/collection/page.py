"""The portfolio page for a collection head: the month's report drawn as HTML with
server-side SVG charts — the arrears by bucket, each net flow rate on its own small chart over
the last twelve months, the delinquency and recovery trends, Kol and the roll rates in
percent — for the whole company or one branch, with the months before and after and the CSV.
No script runs in the page; it opens from a link once the browser has logged in (``/login``)
and is written in the request's language."""

from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.browser import page_reader
from app.auth.roles import Permission
from app.auth.service import Principal
from app.collection import charts, report
from app.collection.arithmetic import BUCKETS, percent
from app.core.dependencies import DbSession
from app.core.errors import Conflict, problem_responses
from app.core.i18n import (
    _,
    format_compact_rupiah,
    format_month,
    format_percent,
    format_rupiah,
    format_short_month,
)
from app.core.pages import HtmlRoute, render
from app.reference.models import Branch

router = APIRouter(tags=["collection"], route_class=HtmlRoute)
Reporter = Annotated[Principal, Depends(page_reader(Permission.REPORT_READ))]
MONTH_PATTERN = r"^(19|20)\d{2}-(0[1-9]|1[0-2])$"
Month = Annotated[str, Path(pattern=MONTH_PATTERN, examples=["2026-10"])]
BranchCode = Annotated[
    str | None,
    Query(max_length=10, description="One branch's contracts (empty: all)", examples=["JKT01"]),
]
# Each net flow rate and the bucket it flows from.
FLOWS = tuple(zip(BUCKETS[:-1], (*BUCKETS[1:-1], "write_off"), strict=True))


def _month(text: str) -> tuple[int, int]:
    year, number = text.split("-")
    return int(year), int(number)


def bucket_name(bucket: str) -> str:
    """How a person reads a bucket: the arrears ranges are days, the others words."""
    if bucket == "current":
        return _("current")
    if bucket == "write_off":
        return _("written off")
    if bucket == "closed":
        return _("left the book")
    return bucket


def _link(month: tuple[int, int], branch: str | None, suffix: str = "") -> str:
    query = f"?branch={quote(branch)}" if branch else ""
    return f"/reports/portfolio/{month[0]:04d}-{month[1]:02d}{suffix}{query}"


def _following(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def _roll_rates(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Each bucket's balance a month-end before, by where it stands now, in percent of it."""
    rows = []
    for source in BUCKETS:
        targets = data["roll_rates"].get(source)
        if not targets:
            continue
        base = sum(targets.values())
        rows.append(
            {
                "source": bucket_name(source),
                "base": format_rupiah(base),
                "cells": [
                    (format_percent(percent(targets[t], base)), format_rupiah(targets[t]))
                    if targets.get(t)
                    else None
                    for t in (*BUCKETS, "closed")
                ],
            }
        )
    return rows


def _charts(data: dict[str, Any], months: list[dict[str, Any]]) -> dict[str, Any]:
    shorts = [format_short_month(report.month_end(*_month(m["month"]))) for m in months]
    # Under a small chart every third month, ending with this one.
    sparse = [s if (len(shorts) - 1 - k) % 3 == 0 else "" for k, s in enumerate(shorts)]
    arrears = [(b, data["buckets"][b]["amount"]) for b in BUCKETS if b != "current"]
    flows = []
    for source, target in FLOWS:
        rates = [m["net_flow_rates"][target] if m["net_flow_rates"] else None for m in months]
        title = f"{bucket_name(source)} → {bucket_name(target)}"
        flows.append(
            {
                "id": f"flow-{target}",
                "title": title,
                "chart": charts.lines(shorts, {title: rates}, format_percent, sparse, charts.SMALL),
            }
        )
    trends = {
        _("delinquency by amount"): [m["delinquency_by_amount"] for m in months],
        _("delinquency by accounts"): [m["delinquency_by_accounts"] for m in months],
        _("recovery"): [m["recovery_rate"] for m in months],
    }
    return {
        "buckets": charts.bars(
            arrears,
            lambda v: format_compact_rupiah(int(v)),
            lambda name, value: f"{name}: {format_rupiah(value)}",
        ),
        "flows": flows,
        "trends": charts.lines(shorts, trends, format_percent, shorts),
    }


def _branches(session: Session) -> list[tuple[str, str]]:
    return [
        (code, name)
        for code, name in session.execute(
            select(Branch.code, Branch.name).where(Branch.active).order_by(Branch.code)
        )
    ]


def page(
    request: Request, session: Session, month: tuple[int, int], branch: str | None
) -> HTMLResponse:
    chosen = report.branch_id(session, branch) if branch else None
    data = report.portfolio(session, *month, chosen)
    months = report.trend(session, *month, branch=chosen)
    before, after = report.previous(*month), _following(*month)
    closed = report.months_closed(session, before, after)
    current = data["buckets"]["current"]
    return render(
        request,
        "portfolio.html",
        report=data,
        month=f"{month[0]:04d}-{month[1]:02d}",
        title=format_month(report.month_end(*month)),
        branch=branch,
        branches=_branches(session),
        previous=_link(before, branch) if before in closed else None,
        previous_title=format_month(report.month_end(*before)),
        next=_link(after, branch) if after in closed else None,
        next_title=format_month(report.month_end(*after)),
        csv=_link(month, branch, ".csv"),
        current=current,
        buckets_named=[(b, bucket_name(b)) for b in BUCKETS],
        rolls=_roll_rates(data),
        roll_targets=[bucket_name(t) for t in (*BUCKETS, "closed")],
        kols=[
            (k.replace("kol_", "Kol-"), row, data["debtor_kol"].get(k, 0))
            for k, row in sorted(data["kol"].items())
        ],
        rate=lambda value: format_percent(Decimal(value)) if value is not None else "",
        **_charts(data, months),
    )


@router.get("/reports/portfolio", include_in_schema=False)
def latest_portfolio(session: DbSession, _reader: Reporter, branch: BranchCode = None) -> Response:
    """The last month closed: where a browser lands after logging in."""
    latest = report.last_closed(session)
    if latest is None:
        raise Conflict(_("No month-end has been closed yet (kredo cob)."))
    return RedirectResponse(_link(latest, branch), status_code=303)


@router.get("/reports/portfolio/{month}.csv", include_in_schema=False)
def portfolio_csv(
    session: DbSession, _reader: Reporter, month: Month, branch: BranchCode = None
) -> Response:
    """The page's report as CSV (as ``/v1/reports/portfolio?format=csv``), for the browser
    that logged in."""
    chosen = report.branch_id(session, branch) if branch else None
    data = report.portfolio(session, *_month(month), chosen)
    name = f"portfolio-{month}{f'-{branch}' if branch else ''}.csv"
    return Response(
        report.as_csv(data),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(
    "/reports/portfolio/{month}",
    summary="The month's portfolio report as a page with charts (buckets, flow rates, trends)",
    response_class=HTMLResponse,
    responses={
        200: {"content": {"text/html": {"example": '<!doctype html><html lang="id">…</html>'}}},
        **problem_responses(403, 409),
    },
)
def portfolio_page(
    request: Request, session: DbSession, _reader: Reporter, month: Month, branch: BranchCode = None
) -> HTMLResponse:
    return page(request, session, _month(month), branch)
