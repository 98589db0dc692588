"""The daily close of business: every contract on the book gets its position for the day
(:mod:`app.collection.positions`), contracts at the write-off threshold are written off, debtors
past 60 days go onto the negative list, lapsed Purchase Orders expire and broken promises are
marked. A day closes once; missed days close in order."""

import time
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Date, func, insert, literal, select, text, update
from sqlalchemy.orm import Session

from app.approval.service import expire_purchase_orders
from app.collection.arithmetic import Policy
from app.collection.models import (
    CloseOfBusiness,
    CollectionAction,
    Position,
    PositionSpan,
    WriteOff,
)
from app.collection.positions import (
    in_arrears_since,
    is_month_end,
    on_book,
    policy,
    record_day,
    write_month_end,
)
from app.contracts.models import Contract, ContractEvent
from app.contracts.service import EVENT_ORDER_LOCK
from app.contracts.states import Action, ContractState
from app.core.clock import today_jakarta, utcnow
from app.core.errors import Unprocessable
from app.core.i18n import _
from app.core.idempotency import forget_expired
from app.prescreening.models import NegativeEntry
from app.prescreening.service import add_negative_entries, identity_of, person_entry
from app.servicing.models import LedgerEntry, LoanAccount, Payment

OVERDUE_LISTING_DPD = 60
BATCH_WORK_MEM = "256MB"  # PostgreSQL's per-operation memory for the close of business
SQLITE_WRITER_POLL_SECONDS = 0.1
MAX_CATCH_UP_DAYS = 92  # a quarter per call: a mistyped date must not close decades


def list_debtor(session: Session, contract: Contract, category: str, reason: str) -> None:
    already = session.scalar(
        select(NegativeEntry.id).where(
            NegativeEntry.source_contract_id == contract.id,
            NegativeEntry.category == category,
            NegativeEntry.active,
        )
    )
    if already is None:
        add_negative_entries(session, _debtor_entries([contract], category, reason))


def _debtor_entries(contracts: list[Contract], category: str, reason: str) -> list[NegativeEntry]:
    """Negative-list entries for the individual debtors of these contracts (the list holds
    people; a company's contract lists no one)."""
    return [
        person_entry(
            identity_of(contract.application["applicant"]),
            category,
            source="collection",
            contract_id=contract.id,
            reason=reason,
        )
        for contract in contracts
        if contract.application["applicant"]["type"] == "individual"
    ]


def _empty_json(session: Session) -> Any:
    if session.get_bind().dialect.name == "sqlite":
        return func.json_object()
    return func.json_build_object()


def _write_off(session: Session, day: date, threshold: int) -> int:
    """Set-based: every active contract at ``threshold`` days past due today is written off
    with what it still owes, each with its event."""
    due = in_arrears_since(day - timedelta(days=threshold))
    ids = list(session.scalars(select(PositionSpan.contract_id).where(due)))
    if not ids:
        return 0
    session.execute(
        insert(WriteOff).from_select(
            ["contract_id", "business_date", "amount"],
            select(
                PositionSpan.contract_id, literal(day, Date), PositionSpan.outstanding_principal
            ).where(due),
        )
    )
    session.execute(
        insert(LedgerEntry).from_select(
            ["contract_id", "kind", "value_date", "amount", "reason", "detail", "created_at"],
            select(
                PositionSpan.contract_id,
                literal("write_off"),
                literal(day, Date),
                PositionSpan.outstanding_principal,
                literal(f"{threshold} days past due"),
                _empty_json(session),
                literal(utcnow()),
            ).where(due),
        )
    )
    session.execute(
        update(LoanAccount)
        .where(LoanAccount.contract_id.in_(ids))
        .values(off_book_from=day + timedelta(days=1))
        .execution_options(synchronize_session=False)
    )
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(EVENT_ORDER_LOCK)))
    session.execute(
        update(Contract)
        .where(Contract.id.in_(ids))
        .values(
            state=ContractState.WRITTEN_OFF.value, version=Contract.version + 1, updated_at=utcnow()
        )
        .execution_options(synchronize_session=False)
    )
    session.execute(
        insert(ContractEvent).from_select(
            [
                "contract_id",
                "seq",
                "action",
                "from_state",
                "to_state",
                "actor_role",
                "reason",
                "payload",
                "occurred_at",
            ],
            select(
                Contract.id,
                Contract.version,
                literal(Action.WRITE_OFF.value),
                literal(ContractState.ACTIVE.value),
                literal(ContractState.WRITTEN_OFF.value),
                literal("system"),
                literal(f"{threshold} days past due on {day}"),
                _empty_json(session),
                literal(utcnow()),
            ).where(Contract.id.in_(ids)),
        )
    )
    return len(ids)


def break_promises(session: Session, day: date) -> int:
    """Promises to pay whose date has passed without the promised money: broken today."""
    paid_since = (
        select(func.coalesce(func.sum(Payment.amount), 0))
        .where(
            Payment.contract_id == CollectionAction.contract_id,
            Payment.reversed_at.is_(None),
            Payment.paid_on >= func.date(CollectionAction.performed_at),
            Payment.paid_on <= CollectionAction.promise_date,
        )
        .scalar_subquery()
    )
    result = session.execute(
        update(CollectionAction)
        .where(
            CollectionAction.result == "promise_to_pay",
            CollectionAction.promise_broken_on.is_(None),
            CollectionAction.promise_date < day,
            paid_since < CollectionAction.promise_amount,
        )
        .values(promise_broken_on=day)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def close_business_day(session: Session, day: date, rules: Policy | None = None) -> CloseOfBusiness:
    """Close one business date; closing it again returns what the first close did."""
    done = session.get(CloseOfBusiness, day)
    if done is not None:
        return done
    last = session.scalar(select(func.max(CloseOfBusiness.business_date)))
    if last is not None and day != last + timedelta(days=1):
        raise Unprocessable.field(
            "business_date",
            _("The last day closed is {last}: {next} is closed next, no day skipped.").format(
                last=last, next=last + timedelta(days=1)
            ),
            "day_skipped",
        )
    rules = rules or policy()
    if session.get_bind().dialect.name == "postgresql":
        # One pass over every schedule: let the hash join and aggregate stay in memory, and
        # spend no time compiling it (JIT costs seconds here and saves none).
        session.execute(text(f"SET LOCAL work_mem = '{BATCH_WORK_MEM}'"))
        session.execute(text("SET LOCAL jit = off"))
    record_day(session, day)
    if is_month_end(day):
        write_month_end(session, day, rules)
        if session.get_bind().dialect.name == "postgresql":
            # The report runs next: let the planner know a month-end's worth of rows came in.
            session.execute(text(f"ANALYZE {Position.__tablename__}"))
    counted = session.scalar(
        select(func.count()).select_from(LoanAccount).where(on_book(day, session))
    )
    listed_before = select(NegativeEntry.source_contract_id).where(
        NegativeEntry.category == "overdue_60",
        NegativeEntry.active,
        NegativeEntry.source_contract_id.is_not(None),
    )
    newly_overdue = list(
        session.scalars(
            select(Contract)
            .join(PositionSpan, PositionSpan.contract_id == Contract.id)
            .where(
                in_arrears_since(day - timedelta(days=OVERDUE_LISTING_DPD + 1)),
                Contract.id.not_in(listed_before),
            )
        )
    )
    reason = f"More than {OVERDUE_LISTING_DPD} days past due on {day}"
    add_negative_entries(session, _debtor_entries(newly_overdue, "overdue_60", reason))
    listed = len(newly_overdue)
    written_off = _write_off(session, day, rules.write_off_days)
    expire_purchase_orders(session, day)
    break_promises(session, day)
    forget_expired(session)
    closed = CloseOfBusiness(
        business_date=day,
        contracts=counted or 0,
        written_off=written_off,
        listed_overdue_60=listed,
    )
    session.add(closed)
    session.flush()
    return closed


def close_through(
    session: Session, until: date, rules: Policy | None = None, *, commit_each_day: bool = False
) -> list[CloseOfBusiness]:
    """Every business date not yet closed, in order, up to ``until`` (a day that has ended
    or is ending: never a future one). With ``commit_each_day`` every day is its own
    transaction: the write lock is let go between days (the API keeps serving during a
    catch-up), and a catch-up cut short resumes from the last day it committed."""
    today = today_jakarta()
    if until > today:
        raise Unprocessable.field(
            "business_date",
            _("A business day is closed once it has come, not ahead of time."),
            "future_date",
        )
    last = session.scalar(select(func.max(CloseOfBusiness.business_date)))
    if last is None:
        first_disbursed = session.scalar(select(func.min(LoanAccount.disbursed_on)))
        earliest = first_disbursed or today - timedelta(days=MAX_CATCH_UP_DAYS)
        if until < earliest:
            raise Unprocessable.field(
                "business_date",
                (
                    _(
                        "The first close of business cannot be before {day} "
                        "(the first disbursement)."
                    )
                    if first_disbursed
                    else _("The first close of business cannot be before {day} (a quarter ago).")
                ).format(day=earliest),
                "before_first_disbursement",
            )
    start = last + timedelta(days=1) if last else until
    if (until - start).days >= MAX_CATCH_UP_DAYS:
        raise Unprocessable.field(
            "business_date",
            _("The last day closed is {last}; close at most {days} days at a time.").format(
                last=last, days=MAX_CATCH_UP_DAYS
            ),
            "catch_up_too_long",
        )
    closed = []
    day = start
    while day <= until:
        closed.append(close_business_day(session, day, rules))
        if commit_each_day:
            session.commit()
            if session.get_bind().dialect.name == "sqlite":
                # SQLite's busy handler polls (every 100 ms once it has waited a while) and
                # is not fair: without a pause the next day's BEGIN would take the lock back
                # before a waiting writer looked, and it would wait out the whole catch-up.
                time.sleep(SQLITE_WRITER_POLL_SECONDS)
        day += timedelta(days=1)
    return closed
