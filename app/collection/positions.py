"""Each contract's position on a business day, set-based: the servicing rules of
:mod:`app.servicing.rules` (days past due from principal and interest only, with the arrears
tolerance; the principal outstanding) as one SQL statement over every contract on the book that
day, reading only ledger allocations with a value date up to it. The suite checks it equal to
the per-contract balance function on generated contracts."""

from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.sql.operators import custom_op

from app.collection.arithmetic import BUCKET_FLOORS, BUCKETS, KolBands, Policy, kol_bands
from app.collection.models import CloseOfBusiness, Position
from app.contracts.models import Contract
from app.core.settings import Settings, get_settings
from app.servicing.models import Allocation, Installment, LoanAccount, Restructuring

ON_TIME_TO_IMPROVE = 3  # OJK: a restructured credit improves after three installments on time


def policy(settings: Settings | None = None) -> Policy:
    """The close of business's rules from the service settings."""
    settings = settings or get_settings()
    return Policy(kol_bands(settings.kol_upper_days), settings.write_off_days)


def _days(session: Session, later: date, earlier: Any) -> ColumnElement[int]:
    if session.get_bind().dialect.name == "postgresql":
        return cast(literal(later) - earlier, Integer)
    return cast(func.julianday(literal(later.isoformat())) - func.julianday(earlier), Integer)


def _band(
    expression: ColumnElement[int], floors: tuple[int, ...], names: tuple[Any, ...]
) -> ColumnElement[Any]:
    whens = [
        (expression >= floor, name)
        for floor, name in zip(reversed(floors), reversed(names), strict=True)
    ]
    return case(*whens, else_=names[0])


def _kol(expression: ColumnElement[int], bands: KolBands) -> ColumnElement[Any]:
    whens = [(expression <= upper, quality) for quality, upper in bands if upper is not None]
    return case(*whens, else_=bands[-1][0])


def on_book(day: date, session: Session) -> ColumnElement[bool]:
    """Contracts with a position on ``day``: disbursed by then and not yet paid off or
    written off. On SQLite the query is told to scan the accounts rather than walk the
    disbursement-date index (which picks nearly every row on a late day)."""
    disbursed: ColumnElement[date] = LoanAccount.disbursed_on.expression
    if session.get_bind().dialect.name == "sqlite":
        # Unary plus: SQLite's way of not using an index on the column.
        disbursed = UnaryExpression(disbursed, operator=custom_op("+"), type_=disbursed.type)
    return and_(
        disbursed <= day,
        or_(LoanAccount.off_book_from.is_(None), LoanAccount.off_book_from > day),
    )


def in_force(day: date) -> ColumnElement[bool]:
    return and_(
        or_(Installment.in_force_from.is_(None), Installment.in_force_from <= day),
        or_(Installment.superseded_on.is_(None), Installment.superseded_on > day),
    )


def _paid(day: date, *components: str) -> Any:
    return (
        select(func.coalesce(func.sum(Allocation.amount), 0))
        .where(
            Allocation.installment_id == Installment.id,
            Allocation.component.in_(components),
            Allocation.value_date <= day,
        )
        .scalar_subquery()
    )


def positions_query(
    session: Session, day: date, rules: Policy, contract_ids: list[int] | None = None
) -> Any:
    """(contract_id, day, days past due, bucket, Kol, principal outstanding) of every contract
    on the book on ``day``. Only installments not settled by ``day`` are read (a settled one
    owes nothing), and only those due read the ledger: one not yet due has no allocation
    dated before it (credit waits for the due date). A contract on the book with every
    installment settled (a late charge still owed) has its position at 0 days and 0 left."""
    unsettled = or_(Installment.settled_on.is_(None), Installment.settled_on > day)
    due = Installment.due_date <= day
    rows = (
        select(
            Installment.contract_id,
            Installment.due_date,
            Installment.number,
            LoanAccount.arrears_tolerance.label("tolerance"),
            case((due, Installment.amount - _paid(day, "interest", "principal")), else_=0).label(
                "unpaid"
            ),
            case(
                (due, Installment.principal - _paid(day, "principal")),
                else_=Installment.principal,
            ).label("principal_left"),
        )
        .join(LoanAccount, LoanAccount.contract_id == Installment.contract_id)
        .where(on_book(day, session), in_force(day), unsettled)
    )
    if contract_ids is not None:
        rows = rows.where(Installment.contract_id.in_(contract_ids))
    base = rows.cte("base")
    running = (
        select(
            base.c.contract_id,
            base.c.due_date,
            base.c.tolerance,
            func.sum(base.c.unpaid)
            .over(partition_by=base.c.contract_id, order_by=(base.c.due_date, base.c.number))
            .label("running"),
        )
        .where(base.c.unpaid > 0)
        .subquery("running")
    )
    oldest = (
        select(running.c.contract_id, func.min(running.c.due_date).label("oldest"))
        .where(running.c.running > running.c.tolerance)
        .group_by(running.c.contract_id)
        .subquery("oldest")
    )
    per_contract = (
        select(base.c.contract_id, func.sum(base.c.principal_left).label("outstanding"))
        .group_by(base.c.contract_id)
        .subquery("per_contract")
    )
    on_time = (
        select(func.count())
        .where(
            Installment.contract_id == Restructuring.contract_id,
            Installment.in_force_from == Restructuring.effective_on,
            Installment.due_date <= day,
            Installment.settled_on <= Installment.due_date,
        )
        .scalar_subquery()
    )
    floor = (
        select(Restructuring.contract_id, func.max(Restructuring.kol_floor).label("kol_floor"))
        .where(
            Restructuring.status == "approved",
            Restructuring.effective_on <= day,
            Restructuring.kol_floor.is_not(None),
            on_time < ON_TIME_TO_IMPROVE,
        )
        .group_by(Restructuring.contract_id)
        .subquery("floor")
    )
    dpd = func.coalesce(_days(session, day, oldest.c.oldest), 0)
    kol = _kol(dpd, rules.kol_bands)
    held = case(
        (and_(floor.c.kol_floor.is_not(None), floor.c.kol_floor > kol), floor.c.kol_floor),
        else_=kol,
    )
    accounts = select(LoanAccount.contract_id).where(on_book(day, session))
    if contract_ids is not None:
        accounts = accounts.where(LoanAccount.contract_id.in_(contract_ids))
    book = accounts.subquery("book")
    return (
        select(
            book.c.contract_id,
            literal(day),
            dpd,
            _band(dpd, BUCKET_FLOORS, BUCKETS),
            held,
            func.coalesce(per_contract.c.outstanding, 0),
        )
        .outerjoin(per_contract, per_contract.c.contract_id == book.c.contract_id)
        .outerjoin(oldest, oldest.c.contract_id == book.c.contract_id)
        .outerjoin(floor, floor.c.contract_id == book.c.contract_id)
    )


def write_positions(
    session: Session, day: date, rules: Policy, contract_ids: list[int] | None = None
) -> None:
    target = delete(Position).where(Position.business_date == day)
    if contract_ids is not None:
        target = target.where(Position.contract_id.in_(contract_ids))
    session.execute(target)
    session.execute(
        insert(Position).from_select(
            [
                "contract_id",
                "business_date",
                "days_past_due",
                "bucket",
                "kol",
                "outstanding_principal",
            ],
            positions_query(session, day, rules, contract_ids),
        )
    )


def recompute_since(session: Session, contract: Contract, since: date) -> None:
    """A back-dated movement: the days already closed from ``since`` are written again."""
    days = session.scalars(
        select(CloseOfBusiness.business_date)
        .where(CloseOfBusiness.business_date >= since)
        .order_by(CloseOfBusiness.business_date)
    )
    rules = policy()
    for day in days:
        write_positions(session, day, rules, [contract.id])
