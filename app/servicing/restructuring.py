"""Restructuring: a payment holiday, a tenor extension or a rate reduction for a debtor who
can pay again on easier terms. A collector requests it with the terms; an approver decides.
Approval keeps the old schedule (the unsettled installments stay, marked superseded, and the
schedule as it stood is stored with the decision) and adds a new one from the outstanding
principal and the interest already due and unpaid (from the balance function) capitalised.
What was paid of a superseded installment stays with it; the new installments are owed from
the day of approval. OJK: the quality at restructuring holds until three new installments
are paid on time (the close of business applies it)."""

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.approval.service import current_simulation
from app.auth.service import Principal
from app.collection.arithmetic import Plan, kol, restructure
from app.collection.positions import policy
from app.contracts.models import Contract
from app.contracts.service import ensure_allowed, transition
from app.contracts.states import Action, ContractState
from app.core.clock import today_jakarta, utcnow
from app.core.errors import Conflict, Unprocessable
from app.core.i18n import _
from app.servicing.ledger import add_months, balance_of
from app.servicing.models import Installment, Restructuring
from app.servicing.payments import settle_ledger
from app.simulation.calc import schedule

MAX_HOLIDAY_MONTHS = 6
MAX_INSTALLMENTS = 60  # what is left may be stretched to at most five years


def annual_rate(session: Session, contract: Contract) -> Decimal:
    """The effective annual rate the contract runs at now: the last approved restructuring's
    (one whose new schedule is in force), or the one disclosed at signing (the IRR x 12)."""
    latest = session.scalar(
        select(Restructuring.annual_rate)
        .where(
            Restructuring.contract_id == contract.id,
            Restructuring.status == "approved",
            Restructuring.effective_on.is_not(None),
        )
        .order_by(Restructuring.id.desc())
        .limit(1)
    )
    if latest is not None:
        return Decimal(latest)
    return Decimal(str(current_simulation(session, contract).result["effective_rate"]))


def _standing(session: Session, contract: Contract, today: date) -> dict[str, Any]:
    """What is still owed today, from the balance function: the installments in force not yet
    paid, the principal outstanding, the interest due and unpaid, and the next due date the
    new schedule starts from."""
    balance = balance_of(session, contract, today)
    rows = [r for r in balance.installments if r.in_force]
    open_rows = [r for r in rows if r.unpaid > 0]
    if not open_rows:
        raise Conflict(
            _("Contract {number} has nothing left to restructure.").format(number=contract.number)
        )
    upcoming = [r.due_date for r in open_rows if r.due_date > today]
    if upcoming:
        first_due = upcoming[0]
    else:
        last = rows[-1].due_date
        months = 1
        while add_months(last, months) <= today:
            months += 1
        first_due = add_months(last, months)
    return {
        "rows": rows,
        "open": open_rows,
        "outstanding": balance.outstanding_principal,
        "arrears_interest": balance.interest_due,
        "first_due": first_due,
        "kol": kol(balance.days_past_due, policy().kol_bands),
    }


def _plan(
    session: Session, contract: Contract, kind: str, terms: dict[str, Any], standing: dict[str, Any]
) -> tuple[Plan, Decimal]:
    """The new terms, or 422 naming the term that does not make the debt easier."""
    rate = annual_rate(session, contract)
    remaining = len(standing["open"])
    count, holiday, new_rate = remaining, 0, rate
    if kind == "payment_holiday":
        holiday = terms["holiday_months"]
    elif kind == "tenor_extension":
        count = terms["installments"]
        if count <= remaining:
            raise Unprocessable.field(
                "terms.installments",
                _("An extension needs more than the {count} installments left.").format(
                    count=remaining
                ),
                "not_an_extension",
            )
    else:
        new_rate = Decimal(terms["annual_rate"])
        if new_rate >= rate:
            raise Unprocessable.field(
                "terms.annual_rate",
                _("A reduction needs a rate below the current {rate}.").format(rate=rate),
                "not_a_reduction",
            )
    if count + holiday > MAX_INSTALLMENTS:
        raise Unprocessable.field(
            "terms",
            _("The new schedule may run at most {months} months.").format(months=MAX_INSTALLMENTS),
            "too_long",
        )
    plan = restructure(
        standing["outstanding"], standing["arrears_interest"], new_rate / 12, count, holiday
    )
    return plan, new_rate


def _record_plan(
    restructuring: Restructuring, plan: Plan, rate: Decimal, standing: dict[str, Any]
) -> None:
    restructuring.annual_rate = str(rate)
    restructuring.outstanding_principal = standing["outstanding"]
    restructuring.capitalised_interest = plan.capitalised_interest
    restructuring.installment = plan.installment
    restructuring.installments = plan.count
    restructuring.first_due_on = add_months(standing["first_due"], plan.holiday)


def _active(contract: Contract) -> None:
    if contract.state != ContractState.ACTIVE:
        raise Conflict(
            _("Contract {number} is {state}; only active contracts are restructured.").format(
                number=contract.number, state=contract.state
            )
        )


def request(
    session: Session, principal: Principal, contract: Contract, data: dict[str, Any]
) -> Restructuring:
    _active(contract)
    pending = session.scalar(
        select(Restructuring.id).where(
            Restructuring.contract_id == contract.id, Restructuring.status == "requested"
        )
    )
    if pending is not None:
        raise Conflict(
            _("Restructuring {id} of {number} awaits its decision.").format(
                id=pending, number=contract.number
            )
        )
    standing = _standing(session, contract, today_jakarta())
    plan, rate = _plan(session, contract, data["kind"], data["terms"], standing)
    restructuring = Restructuring(
        contract_id=contract.id,
        kind=data["kind"],
        terms=data["terms"],
        reason=data["reason"],
        requested_by_id=principal.user_id,
    )
    _record_plan(restructuring, plan, rate, standing)
    session.add(restructuring)
    session.flush()
    return restructuring


def _json_row(row: Any) -> dict[str, Any]:
    return {
        "number": row.number,
        "due_date": row.due_date.isoformat(),
        "principal": row.principal,
        "interest": row.interest,
        "paid_principal": row.paid_principal,
        "paid_interest": row.paid_interest,
        "unpaid": row.unpaid,
        "late_charge_owed": row.late_charge_owed,
        "settled_on": row.settled_on.isoformat() if row.settled_on else None,
    }


def _apply(session: Session, contract: Contract, restructuring: Restructuring, today: date) -> None:
    """Supersede the unsettled installments and add the new schedule, as of ``today``."""
    standing = _standing(session, contract, today)
    plan, rate = _plan(session, contract, restructuring.kind, restructuring.terms, standing)
    _record_plan(restructuring, plan, rate, standing)
    restructuring.effective_on = today
    restructuring.kol_floor = standing["kol"]
    restructuring.old_schedule = [_json_row(r) for r in standing["rows"]]
    open_numbers = [r.number for r in standing["open"]]
    session.execute(
        update(Installment)
        .where(Installment.contract_id == contract.id, Installment.number.in_(open_numbers))
        .values(superseded_by_id=restructuring.id, superseded_on=today)
    )
    last = session.scalar(
        select(func.max(Installment.number)).where(Installment.contract_id == contract.id)
    )
    first_due = restructuring.first_due_on
    assert first_due is not None  # set by _record_plan
    rows = schedule(plan.principal, plan.installment, plan.count, False, plan.monthly_rate)
    previous = max(today, add_months(first_due, -1))
    for row in rows:
        due = add_months(first_due, row.number - 1)
        session.add(
            Installment(
                contract_id=contract.id,
                number=(last or 0) + row.number,
                due_date=due,
                amount=row.amount,
                principal=row.principal,
                interest=row.interest,
                accrues_from=previous,
                in_force_from=today,
            )
        )
        previous = due
    session.flush()
    settle_ledger(session, contract, today)


def decide(
    session: Session,
    principal: Principal,
    contract: Contract,
    restructuring: Restructuring,
    decision: str,
    reason: str,
) -> Restructuring:
    ensure_allowed(contract, Action.RESTRUCTURE, principal)
    if restructuring.status != "requested":
        raise Conflict(
            _("Restructuring {id} is already {status}.").format(
                id=restructuring.id, status=restructuring.status
            )
        )
    restructuring.decided_by_id = principal.user_id
    restructuring.decided_at = utcnow()
    restructuring.decision_reason = reason
    if decision == "reject":
        restructuring.status = "rejected"
        session.flush()
        return restructuring
    _apply(session, contract, restructuring, today_jakarta())
    restructuring.status = "approved"
    transition(
        session,
        contract,
        Action.RESTRUCTURE,
        principal,
        reason=reason,
        payload={
            "restructuring_id": restructuring.id,
            "kind": restructuring.kind,
            "installment": restructuring.installment,
            "installments": restructuring.installments,
            "first_due_on": str(restructuring.first_due_on),
        },
    )
    return restructuring


def restructured_on(session: Session, contract: Contract) -> date | None:
    """The day the contract's current schedule was approved, if it was restructured."""
    return session.scalar(
        select(func.max(Restructuring.effective_on)).where(
            Restructuring.contract_id == contract.id, Restructuring.status == "approved"
        )
    )
