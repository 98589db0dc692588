"""The monthly portfolio report: per bucket accounts and amount, ENR, write-off month and
year to date, recovery, delinquency, net flow and recovery rates, Kol distribution and NPF,
and the roll-rate matrix — each a set-based query over the month-end positions."""

import calendar
from datetime import date
from itertools import pairwise
from typing import Any

from sqlalchemy import and_, func, literal, select, union_all
from sqlalchemy.orm import Session, aliased

from app.collection.arithmetic import (
    BUCKETS,
    Figures,
    Month,
    delinquency_rate,
    net_flow_rates,
    percent,
    recovery_rate,
)
from app.collection.models import CloseOfBusiness, Position, WriteOff
from app.core.errors import Conflict
from app.prescreening.models import ContractParty
from app.servicing.models import Payment


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def previous(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def _write_offs(session: Session, first: date, last: date) -> Figures:
    accounts, amount = session.execute(
        select(func.count(), func.coalesce(func.sum(WriteOff.amount), 0)).where(
            WriteOff.business_date >= first, WriteOff.business_date <= last
        )
    ).one()
    return Figures(int(accounts), int(amount))


def figures(session: Session, year: int, month: int) -> Month:
    end = month_end(year, month)
    rows = session.execute(
        select(Position.bucket, func.count(), func.sum(Position.outstanding_principal))
        .where(Position.business_date == end)
        .group_by(Position.bucket)
    ).all()
    buckets = {name: Figures(0, 0) for name in BUCKETS}
    for name, accounts, amount in rows:
        buckets[name] = Figures(int(accounts), int(amount or 0))
    recovered = session.scalar(
        select(func.coalesce(func.sum(Payment.amount), 0)).where(
            Payment.recovery,
            Payment.reversed_at.is_(None),
            Payment.paid_on >= date(year, 1, 1),
            Payment.paid_on <= end,
        )
    )
    return Month(
        buckets=buckets,
        write_off_mtd=_write_offs(session, date(year, month, 1), end),
        write_off_ytd=_write_offs(session, date(year, 1, 1), end),
        enr=Figures(
            sum(f.accounts for f in buckets.values()), sum(f.amount for f in buckets.values())
        ),
        recovery_ytd=int(recovered or 0),
    )


def _recovered(end: date) -> Any:
    """Recoveries on the written-off contract up to ``end``."""
    return (
        select(func.sum(Payment.amount))
        .where(
            Payment.contract_id == WriteOff.contract_id,
            Payment.recovery,
            Payment.reversed_at.is_(None),
            Payment.paid_on <= end,
        )
        .scalar_subquery()
    )


def _require_closed(session: Session, year: int, month: int) -> None:
    end = month_end(year, month)
    if session.get(CloseOfBusiness, end) is None:
        raise Conflict(f"The month-end {end} has not been closed yet (kredo cob --date {end}).")


def trend(session: Session, year: int, month: int, months: int = 12) -> list[dict[str, Any]]:
    """The rates of each of the ``months`` months up to this one, oldest first; a month whose
    end (or the end before it, for flow rates) was never closed has ``None`` for them."""
    _require_closed(session, year, month)
    ends = [(year, month)]
    for _ in range(months):
        ends.append(previous(*ends[-1]))
    ends.reverse()
    closed = set(
        session.scalars(
            select(CloseOfBusiness.business_date).where(
                CloseOfBusiness.business_date.in_([month_end(*m) for m in ends])
            )
        )
    )
    known = {m: figures(session, *m) for m in ends if month_end(*m) in closed}
    rows = []
    for before, current in pairwise(ends):
        month_figures = known.get(current)
        by_amount, by_accounts = delinquency_rate(month_figures) if month_figures else (None, None)
        rows.append(
            {
                "month": f"{current[0]:04d}-{current[1]:02d}",
                "net_flow_rates": net_flow_rates(known[before], month_figures)
                if month_figures and before in known
                else None,
                "delinquency_by_amount": by_amount,
                "delinquency_by_accounts": by_accounts,
                "recovery_rate": recovery_rate(month_figures) if month_figures else None,
            }
        )
    return rows


def portfolio(session: Session, year: int, month: int) -> dict[str, Any]:
    _require_closed(session, year, month)
    end = month_end(year, month)
    current = figures(session, year, month)
    before = figures(session, *previous(year, month))
    by_amount, by_accounts = delinquency_rate(current)
    # Every contract with debt at the month-end and its Kol: the positions, and the contracts
    # written off before it with debt left after recoveries (Kol-5, as SLIK has them).
    owed = (
        select(
            WriteOff.contract_id.label("contract_id"),
            literal(5).label("kol"),
            (WriteOff.amount - func.coalesce(_recovered(end), 0)).label("amount"),
        )
        .where(WriteOff.business_date < end)
        .subquery("owed")
    )
    standing = union_all(
        select(
            Position.contract_id, Position.kol, Position.outstanding_principal.label("amount")
        ).where(Position.business_date == end),
        select(owed.c.contract_id, owed.c.kol, owed.c.amount).where(owed.c.amount > 0),
    ).subquery("standing")
    kol = session.execute(
        select(standing.c.kol, func.count(), func.sum(standing.c.amount)).group_by(standing.c.kol)
    ).all()
    kol_figures = {f"kol_{k}": {"accounts": int(a), "amount": int(s or 0)} for k, a, s in kol}
    npf = sum(v["amount"] for k, v in kol_figures.items() if k in ("kol_3", "kol_4", "kol_5"))
    worst = (
        select(ContractParty.customer_id, func.max(standing.c.kol).label("kol"))
        .join(standing, standing.c.contract_id == ContractParty.contract_id)
        .where(ContractParty.role == "applicant")
        .group_by(ContractParty.customer_id)
        .subquery()
    )
    debtors = session.execute(select(worst.c.kol, func.count()).group_by(worst.c.kol)).all()
    last, now = aliased(Position), aliased(Position)
    prior_end = month_end(*previous(year, month))
    rolled = session.execute(
        select(
            last.bucket,
            func.coalesce(now.bucket, "closed"),
            func.count(),
            func.sum(last.outstanding_principal),
        )
        .outerjoin(now, and_(now.contract_id == last.contract_id, now.business_date == end))
        .where(last.business_date == prior_end)
        .group_by(last.bucket, now.bucket)
    ).all()
    roll: dict[str, dict[str, int]] = {}
    for source, target, _, amount in rolled:
        roll.setdefault(source, {})[target] = int(amount or 0)
    return {
        "month": f"{year:04d}-{month:02d}",
        "buckets": {
            b: {"accounts": f.accounts, "amount": f.amount} for b, f in current.buckets.items()
        },
        "enr": {"accounts": current.enr.accounts, "amount": current.enr.amount},
        "write_off_mtd": vars(current.write_off_mtd),
        "write_off_ytd": vars(current.write_off_ytd),
        "recovery_ytd": current.recovery_ytd,
        "recovery_rate": recovery_rate(current),
        "delinquency_rate": {"by_amount": by_amount, "by_accounts": by_accounts},
        "net_flow_rates": net_flow_rates(before, current),
        "kol": kol_figures,
        # A debtor's quality is the worst of his contracts (as SLIK reports it).
        "debtor_kol": {f"kol_{k}": int(n) for k, n in debtors},
        "npf": {"amount": npf, "rate": percent(npf, current.enr.amount)},
        "roll_rates": roll,
    }
