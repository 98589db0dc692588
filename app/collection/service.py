"""Collection: payments and their allocation, and the daily close of business.

The close of business is set-based SQL over every active contract: days past due from the
oldest installment unpaid at the business date, the bucket and the loan quality, written as
that day's position; contracts at 180 days are written off; debtors past 60 days go onto the
negative list; lapsed Purchase Orders expire. A day closes once; missed days close in order.
"""

from datetime import date, timedelta
from decimal import Decimal
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
    text,
    update,
)
from sqlalchemy.orm import Session

from app.approval.models import Installment
from app.approval.service import expire_purchase_orders
from app.auth.service import Principal
from app.collection.arithmetic import (
    BUCKET_FLOORS,
    BUCKETS,
    Due,
    KolBands,
    Policy,
    allocate,
    kol_bands,
)
from app.collection.models import (
    CloseOfBusiness,
    CollectionAction,
    InstallmentPayment,
    Payment,
    Position,
    WriteOff,
)
from app.contracts.models import Contract, ContractEvent
from app.contracts.service import EVENT_ORDER_LOCK, transition
from app.contracts.states import Action, ContractState
from app.core.clock import today_jakarta
from app.core.errors import Conflict, Unprocessable
from app.core.models import utcnow
from app.core.settings import Settings, get_settings
from app.prescreening.models import NegativeEntry
from app.prescreening.service import add_negative_entries, identity_of, person_entry
from app.reference.models import Product
from app.simulation.calc import rupiah

OVERDUE_LISTING_DPD = 60
BOUNCED_CHEQUES_LISTED = 3
BATCH_WORK_MEM = "256MB"  # PostgreSQL's per-operation memory for the close of business
MAX_CATCH_UP_DAYS = 92  # a quarter per call: a mistyped year must not close decades


def reallocate(session: Session, contract: Contract) -> int:
    """Allocate every standing payment again, in date order; returns the credit left."""
    rate = session.scalar(
        select(Product.late_charge_rate).where(Product.id == contract.product_id)
    ) or Decimal(0)
    installments = list(
        session.scalars(
            select(Installment)
            .where(Installment.contract_id == contract.id, Installment.superseded_by_id.is_(None))
            .order_by(Installment.number)
        )
    )
    payments = session.execute(
        select(Payment.paid_on, Payment.amount).where(
            Payment.contract_id == contract.id, Payment.reversed_at.is_(None)
        )
    ).all()
    schedule = [
        Due(i.number, i.due_date, i.principal, i.interest, rupiah(i.amount * rate))
        for i in installments
    ]
    paid, credit = allocate(schedule, [(p.paid_on, p.amount) for p in payments])
    session.execute(delete(InstallmentPayment).where(InstallmentPayment.contract_id == contract.id))
    # Only what money reached: an installment without a row is simply unpaid.
    session.add_all(
        InstallmentPayment(
            installment_id=i.id,
            contract_id=contract.id,
            late_charge=p.late_charge,
            interest=p.interest,
            principal=p.principal,
            settled_on=p.settled_on,
        )
        for i, p in zip(installments, paid, strict=True)
        if p.late_charge or p.interest or p.principal
    )
    session.flush()
    return credit


def _settled_in_full(session: Session, contract: Contract) -> bool:
    """Every installment of the schedule in force settled."""
    unsettled = session.scalar(
        select(func.count())
        .select_from(Installment)
        .outerjoin(InstallmentPayment, InstallmentPayment.installment_id == Installment.id)
        .where(
            Installment.contract_id == contract.id,
            Installment.superseded_by_id.is_(None),
            InstallmentPayment.settled_on.is_(None),
        )
    )
    return unsettled == 0


def post_payment(
    session: Session, principal: Principal, contract: Contract, data: dict[str, Any]
) -> Payment:
    recovery = contract.state == ContractState.WRITTEN_OFF
    if contract.state != ContractState.ACTIVE and not recovery:
        raise Conflict(
            f"Contract {contract.number} is {contract.state}; payments are taken "
            "from active contracts (and, as recoveries, from written-off ones)."
        )
    if data["paid_on"] > today_jakarta():
        raise Unprocessable.field(
            "paid_on", "A payment cannot be dated in the future.", "future_date"
        )
    payment = Payment(
        contract_id=contract.id,
        received_by_id=principal.user_id,
        channel=data.get("channel") or contract.application["payment_method"],
        amount=data["amount"],
        paid_on=data["paid_on"],
        reference=data["reference"],
    )
    payment.recovery = recovery
    session.add(payment)
    session.flush()
    if recovery:
        return payment
    reallocate(session, contract)
    _recompute_since(session, contract, payment.paid_on)
    if _settled_in_full(session, contract):
        transition(
            session,
            contract,
            Action.PAY_OFF,
            None,
            reason=f"Settled by payment {payment.reference}",
        )
    return payment


def reverse_payment(session: Session, payment: Payment, reason: str) -> Payment:
    if payment.reversed_at is not None:
        raise Conflict(f"Payment {payment.id} is already reversed.")
    payment.reversed_at = utcnow()
    payment.reversal_reason = reason
    contract = session.get_one(Contract, payment.contract_id)
    reallocate(session, contract)
    _recompute_since(session, contract, payment.paid_on)
    if reason == "bounced":
        bounced = (
            session.scalar(
                select(func.count())
                .select_from(Payment)
                .where(Payment.contract_id == contract.id, Payment.reversal_reason == "bounced")
            )
            or 0
        )
        if bounced >= BOUNCED_CHEQUES_LISTED:
            list_debtor(
                session,
                contract,
                "bounced_cheques",
                f"{bounced} bounced payments on contract {contract.number}",
            )
    return payment


def installments_view(session: Session, contract: Contract, today: date) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Installment, InstallmentPayment)
        .outerjoin(InstallmentPayment, InstallmentPayment.installment_id == Installment.id)
        .where(Installment.contract_id == contract.id, Installment.superseded_by_id.is_(None))
        .order_by(Installment.number)
    ).all()
    view = []
    for due, paid in rows:
        covered = (paid.principal + paid.interest) if paid else 0
        settled = paid.settled_on if paid else None
        late_until = settled or today
        view.append(
            {
                "number": due.number,
                "due_date": due.due_date,
                "amount": due.amount,
                "principal": due.principal,
                "interest": due.interest,
                "paid": covered,
                "late_charge_paid": paid.late_charge if paid else 0,
                "outstanding": due.amount - covered,
                "settled_on": settled,
                "days_late": max((late_until - due.due_date).days, 0),
            }
        )
    return view


# --- close of business --------------------------------------------------------------------


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


def policy(settings: Settings | None = None) -> Policy:
    """The close of business's rules from the service settings."""
    settings = settings or get_settings()
    return Policy(kol_bands(settings.kol_upper_days), settings.write_off_days)


def _kol(expression: ColumnElement[int], bands: KolBands) -> ColumnElement[Any]:
    whens = [(expression <= upper, quality) for quality, upper in bands if upper is not None]
    return case(*whens, else_=bands[-1][0])


def _positions_query(
    session: Session, day: date, rules: Policy, contract_ids: list[int] | None = None
) -> Any:
    """Each active contract's position on ``day``: one pass over the schedules in force
    finds the oldest installment unpaid that day and the principal outstanding; days past
    due, bucket and Kol are then worked out once per contract, not once per installment."""
    unpaid = or_(InstallmentPayment.settled_on.is_(None), InstallmentPayment.settled_on > day)
    per_contract = (
        select(
            Contract.id.label("contract_id"),
            func.min(case((and_(unpaid, Installment.due_date <= day), Installment.due_date))).label(
                "oldest_unpaid"
            ),
            (
                func.sum(Installment.principal)
                - func.coalesce(func.sum(InstallmentPayment.principal), 0)
            ).label("outstanding"),
        )
        .join(Contract, Contract.id == Installment.contract_id)
        .outerjoin(InstallmentPayment, InstallmentPayment.installment_id == Installment.id)
        .where(Contract.state == ContractState.ACTIVE.value, Installment.superseded_by_id.is_(None))
        .group_by(Contract.id)
    )
    if contract_ids is not None:
        per_contract = per_contract.where(Contract.id.in_(contract_ids))
    found = per_contract.subquery("per_contract")
    aged = select(
        found.c.contract_id,
        func.coalesce(_days(session, day, found.c.oldest_unpaid), 0).label("dpd"),
        found.c.outstanding,
    ).subquery("aged")
    return select(
        aged.c.contract_id,
        literal(day),
        aged.c.dpd,
        _band(aged.c.dpd, BUCKET_FLOORS, BUCKETS),
        _kol(aged.c.dpd, rules.kol_bands),
        aged.c.outstanding,
    )


def _write_positions(
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
            _positions_query(session, day, rules, contract_ids),
        )
    )


def _recompute_since(session: Session, contract: Contract, since: date) -> None:
    """A back-dated payment: the days already closed from ``since`` are written again."""
    days = list(
        session.scalars(
            select(CloseOfBusiness.business_date)
            .where(CloseOfBusiness.business_date >= since)
            .order_by(CloseOfBusiness.business_date)
        )
    )
    for day in days:
        _write_positions(session, day, policy(), [contract.id])


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


def _write_off(session: Session, day: date, threshold: int) -> int:
    """Set-based: every active contract at ``threshold`` days past due today is written off,
    each with its event."""
    due = select(Position.contract_id).where(
        Position.business_date == day, Position.days_past_due >= threshold
    )
    ids = list(session.scalars(due))
    if not ids:
        return 0
    session.execute(
        insert(WriteOff).from_select(
            ["contract_id", "business_date", "amount"],
            select(
                Position.contract_id, Position.business_date, Position.outstanding_principal
            ).where(Position.business_date == day, Position.contract_id.in_(ids)),
        )
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
                func.json_object()
                if session.get_bind().dialect.name == "sqlite"
                else func.json_build_object(),
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
    rules = rules or policy()
    if session.get_bind().dialect.name == "postgresql":
        # One pass over every schedule: let the hash join and aggregate stay in memory.
        session.execute(text(f"SET LOCAL work_mem = '{BATCH_WORK_MEM}'"))
    _write_positions(session, day, rules)
    # Counted, not taken from the INSERT's row count, which psycopg reports as -1 here.
    counted = session.scalar(
        select(func.count()).select_from(Position).where(Position.business_date == day)
    )
    listed_before = select(NegativeEntry.source_contract_id).where(
        NegativeEntry.category == "overdue_60",
        NegativeEntry.active,
        NegativeEntry.source_contract_id.is_not(None),
    )
    newly_overdue = list(
        session.scalars(
            select(Contract)
            .join(Position, Position.contract_id == Contract.id)
            .where(
                Position.business_date == day,
                Position.days_past_due > OVERDUE_LISTING_DPD,
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
    session: Session, until: date, rules: Policy | None = None
) -> list[CloseOfBusiness]:
    """Every business date not yet closed, in order, up to ``until`` (a day that has ended
    or is ending: never a future one)."""
    if until > today_jakarta():
        raise Unprocessable.field(
            "business_date",
            "A business day is closed once it has come, not ahead of time.",
            "future_date",
        )
    last = session.scalar(select(func.max(CloseOfBusiness.business_date)))
    start = last + timedelta(days=1) if last else until
    if (until - start).days >= MAX_CATCH_UP_DAYS:
        raise Unprocessable.field(
            "business_date",
            f"The last day closed is {last}; close at most {MAX_CATCH_UP_DAYS} days at a time.",
            "catch_up_too_long",
        )
    closed = []
    day = start
    while day <= until:
        closed.append(close_business_day(session, day, rules))
        day += timedelta(days=1)
    return closed
