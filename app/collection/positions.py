"""Each contract's position on a business day, and the history of positions.

**The standing** of a contract on a day is what the days cannot move on their own: the oldest
installment in arrears (beyond the arrears tolerance), the Kol a restructuring holds, and the
principal outstanding. It follows the servicing rules of :mod:`app.servicing.rules` (days past
due from principal and interest only; only ledger allocations with a value date up to the day)
as one set-based statement (:func:`standing_query`); the suite checks it equal to the
per-contract balance function and to an independent model on generated contracts.

**The position** (days past due, bucket, Kol, principal outstanding) is the standing seen from
a day (:func:`seen_on`): in arrears since 1 October is 30 days past due on 31 October.

**The history** is kept as spans of unchanged standing (``collection_position_spans``): the
close of business recomputes the standing only of the contracts whose standing can change that
day (:func:`movable_on`: disbursed, off the book, an installment falling due, a ledger movement
with that value date, a restructuring taking effect), ends their span when it changed and opens
the next. A month-end's positions are also written whole (``collection_positions``), for the
portfolio report. Any past day's position is the span covering it, seen from that day."""

from bisect import bisect_left
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ColumnElement,
    Date,
    Integer,
    MetaData,
    Select,
    SmallInteger,
    Table,
    and_,
    case,
    cast,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    union,
    update,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.sql.operators import custom_op

from app.collection.arithmetic import BUCKET_FLOORS, BUCKETS, KolBands, Policy, kol_bands
from app.collection.models import CloseOfBusiness, Position, PositionSpan
from app.contracts.models import Contract
from app.core.settings import Settings, get_settings
from app.prescreening.models import ContractParty
from app.servicing.models import Allocation, Installment, LedgerEntry, LoanAccount, Restructuring

ON_TIME_TO_IMPROVE = 3  # OJK: a restructured credit improves after three installments on time

# Scratch tables of one close (per connection, emptied before use): the contracts looked at
# and their standing that day.
_scratch = MetaData()
LOOKED_AT = Table("kredo_looked_at", _scratch, Column("contract_id", Integer, primary_key=True))
STANDING = Table(
    "kredo_standing",
    _scratch,
    Column("contract_id", Integer, primary_key=True),
    Column("arrears_since", Date),
    Column("kol_floor", SmallInteger),
    Column("outstanding_principal", BigInteger),
    Column("opens", Boolean),  # a new span opens (none is open for the contract)
)
_SCRATCH_DDL = (
    "CREATE TEMPORARY TABLE IF NOT EXISTS kredo_looked_at (contract_id INTEGER PRIMARY KEY)",
    "CREATE TEMPORARY TABLE IF NOT EXISTS kredo_standing (contract_id INTEGER PRIMARY KEY, "
    "arrears_since DATE, kol_floor SMALLINT, outstanding_principal BIGINT, opens BOOLEAN)",
)


def policy(settings: Settings | None = None) -> Policy:
    """The close of business's rules from the service settings."""
    settings = settings or get_settings()
    return Policy(kol_bands(settings.kol_upper_days), settings.write_off_days)


def _days(session: Session, later: Any, earlier: Any) -> ColumnElement[int]:
    later = literal(later) if isinstance(later, date) else later
    if session.get_bind().dialect.name == "postgresql":
        return cast(later - earlier, Integer)
    return cast(func.julianday(later) - func.julianday(earlier), Integer)


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


def seen_on(
    session: Session, day: Any, arrears_since: Any, kol_floor: Any, rules: Policy
) -> tuple[ColumnElement[int], ColumnElement[str], ColumnElement[int]]:
    """Days past due, bucket and Kol of a standing on ``day`` (a date or a date column)."""
    dpd = func.coalesce(_days(session, day, arrears_since), 0)
    kol = _kol(dpd, rules.kol_bands)
    held = case((and_(kol_floor.is_not(None), kol_floor > kol), kol_floor), else_=kol)
    return dpd, _band(dpd, BUCKET_FLOORS, BUCKETS), held


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


def standing_query(session: Session, day: date, contracts: Any = None) -> Select[Any]:
    """(contract_id, arrears_since, kol_floor, outstanding_principal) of every contract on the
    book on ``day``, or of those among ``contracts`` (a list or a select of contract ids).

    Only installments not settled by ``day`` are read (a settled one owes nothing), and only
    those due read the ledger: one not yet due has no allocation dated before it (credit waits
    for the due date). A contract on the book with every installment settled (a late charge
    still owed) stands at no arrears and nothing outstanding."""
    unsettled = or_(Installment.settled_on.is_(None), Installment.settled_on > day)
    due = Installment.due_date <= day
    rows = (
        select(
            Installment.contract_id,
            Installment.due_date,
            Installment.number,
            LoanAccount.arrears_tolerance.label("tolerance"),
            # Interest waived (not yet earned at a settlement or a repossessed vehicle's
            # sale) is owed no more, as in the rules.
            case(
                (due, Installment.amount - _paid(day, "interest", "principal", "interest_waived")),
                else_=0,
            ).label("unpaid"),
            case(
                (due, Installment.principal - _paid(day, "principal")),
                else_=Installment.principal,
            ).label("principal_left"),
        )
        .join(LoanAccount, LoanAccount.contract_id == Installment.contract_id)
        .where(on_book(day, session), in_force(day), unsettled)
    )
    accounts = select(LoanAccount.contract_id).where(on_book(day, session))
    if contracts is not None:
        rows = rows.where(Installment.contract_id.in_(contracts))
        accounts = accounts.where(LoanAccount.contract_id.in_(contracts))
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
    book = accounts.subquery("book")
    return (
        select(
            book.c.contract_id,
            oldest.c.oldest.label("arrears_since"),
            floor.c.kol_floor,
            func.coalesce(per_contract.c.outstanding, 0).label("outstanding_principal"),
        )
        .outerjoin(per_contract, per_contract.c.contract_id == book.c.contract_id)
        .outerjoin(oldest, oldest.c.contract_id == book.c.contract_id)
        .outerjoin(floor, floor.c.contract_id == book.c.contract_id)
    )


def movable_on(day: date) -> Any:
    """The contracts whose standing can change on ``day``, each found through an index: put
    on or taken off the book, an installment falling due (credit held is applied then), a
    ledger movement dated that day, a restructuring taking effect. Every other contract
    stands as it did the day before."""
    return union(
        select(LoanAccount.contract_id).where(LoanAccount.disbursed_on == day),
        select(LoanAccount.contract_id).where(LoanAccount.off_book_from == day),
        select(Installment.contract_id).where(Installment.due_date == day),
        select(LedgerEntry.contract_id).where(LedgerEntry.value_date == day),
        select(Restructuring.contract_id).where(Restructuring.effective_on == day),
    )


def _valid_on(day: Any) -> ColumnElement[bool]:
    return and_(
        PositionSpan.valid_from <= day,
        or_(PositionSpan.valid_until.is_(None), PositionSpan.valid_until > day),
    )


def positions_on(
    session: Session, day: date, rules: Policy
) -> Select[int, date, int, str, int, int]:
    """(contract_id, day, days past due, bucket, Kol, principal outstanding) of every contract
    on the book on a closed ``day``, from the history."""
    dpd, bucket, kol = seen_on(
        session, day, PositionSpan.arrears_since, PositionSpan.kol_floor, rules
    )
    return select(
        PositionSpan.contract_id.label("contract_id"),
        literal(day, Date).label("business_date"),
        dpd.label("days_past_due"),
        bucket.label("bucket"),
        kol.label("kol"),
        PositionSpan.outstanding_principal.label("outstanding_principal"),
    ).where(_valid_on(day))


def history_of(
    session: Session, contract: Contract, rules: Policy
) -> Select[date, int, str, int, int]:
    """The contract's position at every close of business it was on the book, oldest first."""
    day = CloseOfBusiness.business_date
    dpd, bucket, kol = seen_on(
        session, day, PositionSpan.arrears_since, PositionSpan.kol_floor, rules
    )
    return (
        select(
            day.label("business_date"),
            dpd.label("days_past_due"),
            bucket.label("bucket"),
            kol.label("kol"),
            PositionSpan.outstanding_principal.label("outstanding_principal"),
        )
        .join(PositionSpan, _valid_on(day))
        .where(PositionSpan.contract_id == contract.id)
        .order_by(day)
    )


def in_arrears_since(up_to: date) -> ColumnElement[bool]:
    """Today's spans (the open ones) in arrears since ``up_to`` or earlier."""
    return and_(
        PositionSpan.valid_until.is_(None),
        PositionSpan.arrears_since.is_not(None),
        PositionSpan.arrears_since <= up_to,
    )


def _scratch_tables(session: Session) -> None:
    for statement in _SCRATCH_DDL:
        session.execute(text(statement))
    session.execute(delete(STANDING))
    session.execute(delete(LOOKED_AT))


def record_day(session: Session, day: date, contract_ids: list[int] | None = None) -> None:
    """Bring the history up to ``day``: the contracts whose standing can change that day (all
    of them when the day before was not closed, as at the first close; ``contract_ids`` when
    given) get it recomputed; a span whose standing changed, or whose contract left the book, ends
    the day before, and the new standing opens a span from ``day``."""
    _scratch_tables(session)
    everyone = False
    if contract_ids is not None:
        looked_at: Any = select(LoanAccount.contract_id).where(
            LoanAccount.contract_id.in_(contract_ids)
        )
    elif (
        # Only the key: the migrations that replay old days run this before later columns exist.
        session.scalar(
            select(CloseOfBusiness.business_date).where(
                CloseOfBusiness.business_date == day - timedelta(days=1)
            )
        )
        is None
    ):
        everyone = True
        # Everyone: on the book, or with a span still open that may have to end.
        looked_at = union(
            select(LoanAccount.contract_id).where(on_book(day, session)),
            select(PositionSpan.contract_id).where(PositionSpan.valid_until.is_(None)),
        )
    else:
        looked_at = movable_on(day)
    postgres = session.get_bind().dialect.name == "postgresql"
    session.execute(insert(LOOKED_AT).from_select(["contract_id"], looked_at))
    if postgres:  # a temporary table has no statistics until it is analysed
        session.execute(text(f"ANALYZE {LOOKED_AT.name}"))
    session.execute(
        insert(STANDING).from_select(
            ["contract_id", "arrears_since", "kol_floor", "outstanding_principal"],
            standing_query(session, day, select(LOOKED_AT.c.contract_id)),
        )
    )
    if postgres:
        session.execute(text(f"ANALYZE {STANDING.name}"))
    unchanged = exists().where(
        STANDING.c.contract_id == PositionSpan.contract_id,
        STANDING.c.arrears_since.is_not_distinct_from(PositionSpan.arrears_since),
        STANDING.c.kol_floor.is_not_distinct_from(PositionSpan.kol_floor),
        STANDING.c.outstanding_principal == PositionSpan.outstanding_principal,
    )
    session.execute(
        update(PositionSpan)
        .where(
            PositionSpan.valid_until.is_(None),
            PositionSpan.contract_id.in_(select(LOOKED_AT.c.contract_id)),
            ~unchanged,
        )
        .values(valid_until=day)
        .execution_options(synchronize_session=False)
    )
    # Marked first, inserted after: an insert probing the table it fills would, planned as a
    # scan, read its own new rows again for every row (quadratic on PostgreSQL).
    still_open = exists().where(
        PositionSpan.contract_id == STANDING.c.contract_id, PositionSpan.valid_until.is_(None)
    )
    session.execute(update(STANDING).values(opens=~still_open))
    session.execute(
        insert(PositionSpan).from_select(
            ["contract_id", "valid_from", "arrears_since", "kol_floor", "outstanding_principal"],
            select(
                STANDING.c.contract_id,
                literal(day, Date),
                STANDING.c.arrears_since,
                STANDING.c.kol_floor,
                STANDING.c.outstanding_principal,
            ).where(STANDING.c.opens),
        )
    )
    if postgres and everyone:
        # The first close (or one after a gap) wrote a span for every contract: let the
        # planner know before the next day's anti-joins, rather than when autovacuum comes.
        session.execute(text(f"ANALYZE {PositionSpan.__tablename__}"))


def write_month_end(
    session: Session, day: date, rules: Policy, contract_ids: list[int] | None = None
) -> None:
    """The month-end's positions, whole, from the history just recorded: each with its
    debtor and where it stood at the month-end before."""
    before = aliased(Position)
    applicant = and_(
        ContractParty.contract_id == PositionSpan.contract_id, ContractParty.role == "applicant"
    )
    query = (
        positions_on(session, day, rules)
        .add_columns(ContractParty.customer_id, before.bucket, before.outstanding_principal)
        .outerjoin(ContractParty, applicant)
        .outerjoin(
            before,
            and_(
                before.business_date == day.replace(day=1) - timedelta(days=1),
                before.contract_id == PositionSpan.contract_id,
            ),
        )
    )
    target = delete(Position).where(Position.business_date == day)
    if contract_ids is not None:
        target = target.where(Position.contract_id.in_(contract_ids))
        query = query.where(PositionSpan.contract_id.in_(contract_ids))
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
                "debtor_id",
                "bucket_before",
                "outstanding_before",
            ],
            query,
        )
    )


def is_month_end(day: date) -> bool:
    return (day + timedelta(days=1)).day == 1


def recompute_since(session: Session, contract: Contract, since: date) -> None:
    """A back-dated movement: the contract's history from ``since`` is recorded again, day by
    day over the days already closed, and its month-end positions with it."""
    days = list(
        session.scalars(
            select(CloseOfBusiness.business_date)
            .where(CloseOfBusiness.business_date >= since)
            .order_by(CloseOfBusiness.business_date)
        )
    )
    if not days:
        return
    ours = PositionSpan.contract_id == contract.id
    session.execute(delete(PositionSpan).where(ours, PositionSpan.valid_from >= days[0]))
    session.execute(
        update(PositionSpan)
        .where(ours, PositionSpan.valid_until >= days[0])
        .values(valid_until=None)
        .execution_options(synchronize_session=False)
    )
    rules = policy()
    for day in days:
        record_day(session, day, [contract.id])
        if is_month_end(day):
            write_month_end(session, day, rules, [contract.id])


RECOMPUTE_CHUNK = 5000


def recompute_many(session: Session, since: dict[int, date]) -> None:
    """:func:`recompute_since` for many contracts, each from its own day, a day's contracts
    recorded together."""
    if not since:
        return
    days = list(
        session.scalars(
            select(CloseOfBusiness.business_date)
            .where(CloseOfBusiness.business_date >= min(since.values()))
            .order_by(CloseOfBusiness.business_date)
        )
    )
    if not days:
        return
    first: dict[int, date] = {}
    for contract_id, day in since.items():
        at = bisect_left(days, day)
        if at < len(days):
            first[contract_id] = days[at]
    by_day: dict[date, list[int]] = {}
    for contract_id, day in first.items():
        by_day.setdefault(day, []).append(contract_id)
    for day, ids in by_day.items():
        for start in range(0, len(ids), RECOMPUTE_CHUNK):
            chunk = ids[start : start + RECOMPUTE_CHUNK]
            ours = PositionSpan.contract_id.in_(chunk)
            session.execute(delete(PositionSpan).where(ours, PositionSpan.valid_from >= day))
            session.execute(
                update(PositionSpan)
                .where(ours, PositionSpan.valid_until >= day)
                .values(valid_until=None)
                .execution_options(synchronize_session=False)
            )
    rules = policy()
    for day in days:
        ids = sorted(c for c, d in first.items() if d <= day)
        for start in range(0, len(ids), RECOMPUTE_CHUNK):
            chunk = ids[start : start + RECOMPUTE_CHUNK]
            record_day(session, day, chunk)
            if is_month_end(day):
                write_month_end(session, day, rules, chunk)
