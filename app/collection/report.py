"""The monthly portfolio report: per bucket accounts and amount, ENR, write-off month and
year to date, recovery, delinquency, net flow and recovery rates, Kol distribution and NPF,
and the roll-rate matrix — each a set-based query over the month-end positions."""

import calendar
from datetime import date
from itertools import pairwise
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select, text
from sqlalchemy.orm import Session

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
from app.contracts.models import Contract
from app.core.errors import Conflict, Unprocessable
from app.core.i18n import gettext
from app.prescreening.models import ContractParty
from app.reference.models import Branch
from app.servicing.models import Payment

REPORT_WORK_MEM = "256MB"  # PostgreSQL's per-operation memory for the month's report


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def previous(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def branch_id(session: Session, code: str) -> int:
    """The branch a report is filtered by, from its code (422 for an unknown one)."""
    found = session.scalar(select(Branch.id).where(Branch.code == code))
    if found is None:
        raise Unprocessable.field(
            "query.branch", gettext("Unknown branch {code}.").format(code=code), "unknown_branch"
        )
    return found


def _in_branch(contract: Any, branch: int | None) -> list[ColumnElement[bool]]:
    """The condition keeping one branch's contracts (none: the whole company), a semi-join
    on the contracts' branch index, so a branch's report is the same set-based passes."""
    if branch is None:
        return []
    return [contract.in_(select(Contract.id).where(Contract.branch_id == branch))]


def _write_offs(session: Session, first: date, last: date, branch: int | None) -> Figures:
    accounts, amount = session.execute(
        select(func.count(), func.coalesce(func.sum(WriteOff.amount), 0)).where(
            WriteOff.business_date >= first,
            WriteOff.business_date <= last,
            *_in_branch(WriteOff.contract_id, branch),
        )
    ).one()
    return Figures(int(accounts), int(amount))


def _by(rows: Any, key: int) -> dict[Any, Figures]:
    """Rows ending in (accounts, amount), summed by their column ``key``."""
    summed: dict[Any, Figures] = {}
    for row in rows:
        was = summed.get(row[key], Figures(0, 0))
        summed[row[key]] = Figures(was.accounts + int(row[-2]), was.amount + int(row[-1] or 0))
    return summed


def _recovered(end: date, since: date | None = None) -> Any:
    """Recoveries on the written-off contract up to ``end`` (and from ``since``)."""
    paid = select(func.sum(Payment.amount)).where(
        Payment.contract_id == WriteOff.contract_id,
        Payment.recovery,
        Payment.reversed_at.is_(None),
        Payment.paid_on <= end,
    )
    if since is not None:
        paid = paid.where(Payment.paid_on >= since)
    return paid.scalar_subquery()


def _month(
    session: Session,
    year: int,
    month: int,
    buckets: dict[str, Figures],
    recovered: int,
    branch: int | None,
) -> Month:
    end = month_end(year, month)
    buckets = {name: buckets.get(name, Figures(0, 0)) for name in BUCKETS}
    return Month(
        buckets=buckets,
        write_off_mtd=_write_offs(session, date(year, month, 1), end, branch),
        write_off_ytd=_write_offs(session, date(year, 1, 1), end, branch),
        enr=Figures(
            sum(f.accounts for f in buckets.values()), sum(f.amount for f in buckets.values())
        ),
        recovery_ytd=recovered,
    )


def figures(session: Session, year: int, month: int, branch: int | None = None) -> Month:
    end = month_end(year, month)
    rows = session.execute(
        select(Position.bucket, func.count(), func.sum(Position.outstanding_principal))
        .where(Position.business_date == end, *_in_branch(Position.contract_id, branch))
        .group_by(Position.bucket)
    ).all()
    # Recoveries are taken on written-off contracts alone: summed write-off by write-off,
    # each over its contract's payments, rather than by a pass over every payment ever taken.
    recovered = session.scalar(
        select(func.coalesce(func.sum(_recovered(end, since=date(year, 1, 1))), 0))
        .select_from(WriteOff)
        .where(*_in_branch(WriteOff.contract_id, branch))
    )
    return _month(session, year, month, _by(rows, 0), int(recovered or 0), branch)


def _require_closed(session: Session, year: int, month: int) -> None:
    end = month_end(year, month)
    if session.get(CloseOfBusiness, end) is None:
        raise Conflict(
            gettext("The month-end {end} has not been closed yet (kredo cob {end}).").format(
                end=end
            )
        )


def months_closed(session: Session, *months: tuple[int, int]) -> set[tuple[int, int]]:
    """Which of ``months`` have their month-end closed."""
    ends = {month_end(*m): m for m in months}
    return {ends[d] for d in session.scalars(
        select(CloseOfBusiness.business_date).where(CloseOfBusiness.business_date.in_(ends))
    )}  # fmt: skip


def last_closed(session: Session) -> tuple[int, int] | None:
    """The latest month whose month-end is closed (None before the first)."""
    days = session.scalars(
        select(CloseOfBusiness.business_date).order_by(CloseOfBusiness.business_date.desc())
    )
    for day in days:
        if day == month_end(day.year, day.month):
            return day.year, day.month
    return None


def trend(
    session: Session, year: int, month: int, months: int = 12, branch: int | None = None
) -> list[dict[str, Any]]:
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
    known = {m: figures(session, *m, branch) for m in ends if month_end(*m) in closed}
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


def _debtor_kol(
    session: Session, end: date, owing: dict[int, int | None], branch: int | None
) -> dict[int, int]:
    """Debtors by their worst Kol: over the month-end's positions in debtor order (from an
    index), then the debtors who also owe on a contract written off before the month-end
    (``owing``: each with his worst Kol among the positions, if any) moved to Kol-5, as SLIK
    has them."""
    worst = (
        select(func.max(Position.kol).label("kol"))
        .where(
            Position.business_date == end,
            Position.debtor_id.is_not(None),
            *_in_branch(Position.contract_id, branch),
        )
        .group_by(Position.debtor_id)
        .subquery("worst")
    )
    debtors = {int(k): int(n) for k, n in session.execute(
        select(worst.c.kol, func.count()).group_by(worst.c.kol)
    )}  # fmt: skip
    for kol in owing.values():
        if kol is not None:
            debtors[kol] -= 1
        debtors[5] = debtors.get(5, 0) + 1
    return {k: n for k, n in sorted(debtors.items()) if n}


def portfolio(session: Session, year: int, month: int, branch: int | None = None) -> dict[str, Any]:
    """A few passes, each over a covering index in its groups' order: the month-end's
    positions by bucket, Kol and the bucket each stood in a month before (which give the roll
    rates), the month before by bucket (its flow rates' base, and what left the book since),
    the debtors' worst Kol; and the write-offs with their recoveries and debtors. With a
    ``branch``, the same passes over that branch's contracts alone (a debtor's worst Kol then
    among his contracts in the branch)."""
    _require_closed(session, year, month)
    end = month_end(year, month)
    if session.get_bind().dialect.name == "postgresql":
        # A few statements, each over a whole month-end: hash tables of a million debtors
        # kept in memory, and no time spent compiling (JIT) what runs once.
        session.execute(text(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'"))
        session.execute(text("SET LOCAL jit = off"))
    grouped = session.execute(
        select(
            Position.bucket_before,
            Position.bucket,
            Position.kol,
            func.count(),
            func.sum(Position.outstanding_principal),
            func.sum(Position.outstanding_before),
        )
        .where(Position.business_date == end, *_in_branch(Position.contract_id, branch))
        .group_by(Position.bucket_before, Position.bucket, Position.kol)
    ).all()
    positions = [(bucket, kol, count, amount) for _, bucket, kol, count, amount, _ in grouped]
    # Every contract with debt at the month-end has its Kol: the positions, and the contracts
    # written off before it with debt left after recoveries (Kol-5, as SLIK has them). Each
    # write-off's recoveries are looked up once, through its contract's payments.
    # With each write-off, its debtor and his worst Kol among the month-end's positions.
    left = WriteOff.amount - func.coalesce(_recovered(end), 0)
    his_worst = (
        select(func.max(Position.kol))
        .where(
            Position.business_date == end,
            Position.debtor_id == ContractParty.customer_id,
            *_in_branch(Position.contract_id, branch),
        )
        .scalar_subquery()
    )
    written = session.execute(
        select(
            WriteOff.business_date,
            left,
            _recovered(end, since=date(year, 1, 1)),
            ContractParty.customer_id,
            his_worst,
        )
        .outerjoin(
            ContractParty,
            and_(
                ContractParty.contract_id == WriteOff.contract_id,
                ContractParty.role == "applicant",
            ),
        )
        .where(*_in_branch(WriteOff.contract_id, branch))
    ).all()
    recovered = sum(int(this_year or 0) for _, _, this_year, _, _ in written)
    still_owed = [row for row in written if row[0] < end and row[1] > 0]
    owed = [int(amount) for _, amount, _, _, _ in still_owed]
    owing = {debtor: kol for _, _, _, debtor, kol in still_owed if debtor is not None}
    current = _month(session, year, month, _by(positions, 0), recovered, branch)
    by_amount, by_accounts = delinquency_rate(current)
    written_off = ("written off", 5, len(owed), sum(owed))  # in the shape of the positions
    kol = _by([*positions, written_off] if owed else positions, 1)
    kol_figures = {
        f"kol_{k}": {"accounts": f.accounts, "amount": f.amount} for k, f in sorted(kol.items())
    }
    npf = sum(v["amount"] for k, v in kol_figures.items() if k in ("kol_3", "kol_4", "kol_5"))
    # The roll rates: what stood in each bucket a month-end before, by where it stands now;
    # what is no longer on the book is what the month before had beyond what rolled.
    before_buckets = _by(
        session.execute(
            select(Position.bucket, func.count(), func.sum(Position.outstanding_principal))
            .where(
                Position.business_date == month_end(*previous(year, month)),
                *_in_branch(Position.contract_id, branch),
            )
            .group_by(Position.bucket)
        ),
        0,
    )
    roll: dict[str, dict[str, int]] = {}
    rolled: dict[str, Figures] = {}
    for source, target, _, count, _, amount in grouped:
        if source is not None:
            roll.setdefault(source, {}).setdefault(target, 0)
            roll[source][target] += int(amount or 0)
            was = rolled.get(source, Figures(0, 0))
            rolled[source] = Figures(was.accounts + int(count), was.amount + int(amount or 0))
    for source, had in before_buckets.items():
        went = rolled.get(source, Figures(0, 0))
        if had.accounts > went.accounts:
            roll.setdefault(source, {})["closed"] = had.amount - went.amount
    before = Month(
        buckets={name: before_buckets.get(name, Figures(0, 0)) for name in BUCKETS},
        write_off_mtd=Figures(0, 0),
        write_off_ytd=Figures(0, 0),
        enr=Figures(0, 0),
        recovery_ytd=0,
    )
    debtors = _debtor_kol(session, end, owing, branch)
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
        "debtor_kol": {f"kol_{k}": n for k, n in debtors.items()},
        "npf": {"amount": npf, "rate": percent(npf, current.enr.amount)},
        "roll_rates": roll,
    }


def as_csv(report: dict[str, Any]) -> str:
    """The report as CSV rows: section, item, accounts, and the amount or rate."""
    lines = ["section,item,accounts,amount_or_rate"]
    for name, row in report["buckets"].items():
        lines.append(f"bucket,{name},{row['accounts']},{row['amount']}")
    for key in ("enr", "write_off_mtd", "write_off_ytd"):
        lines.append(f"total,{key},{report[key]['accounts']},{report[key]['amount']}")
    lines.append(f"total,recovery_ytd,,{report['recovery_ytd']}")
    lines.append(f"rate,recovery,,{report['recovery_rate']}")
    for key, value in report["delinquency_rate"].items():
        lines.append(f"rate,delinquency_{key},,{value}")
    for key, value in report["net_flow_rates"].items():
        lines.append(f"net_flow,{key},,{value}")
    for key, row in report["kol"].items():
        lines.append(f"kol,{key},{row['accounts']},{row['amount']}")
    lines.append(f"rate,npf,,{report['npf']['rate']}")
    for source, targets in report["roll_rates"].items():
        for target, amount in targets.items():
            lines.append(f"roll,{source}->{target},,{amount}")
    return "\n".join(lines) + "\n"
