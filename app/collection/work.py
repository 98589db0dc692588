"""Collection work: the work list by bucket, actions checked against the OJK conduct rules,
numbered warning letters, repossession, promises to pay and when they break."""

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.auth.roles import Role
from app.auth.service import Principal
from app.collection.calendar import calendar
from app.collection.cob import list_debtor, list_vehicle
from app.collection.conduct import Contact, contact_problems, repossession_problems, strategy
from app.collection.models import (
    CloseOfBusiness,
    CollectionAction,
    CollectionConsent,
    CollectorAssignment,
)
from app.collection.positions import in_arrears_since, policy, positions_on
from app.contracts.models import Contract
from app.contracts.numbering import next_number
from app.contracts.scope import visible_to
from app.contracts.service import log_event
from app.core.clock import JAKARTA, today_jakarta
from app.core.errors import Conflict, FieldError, Unprocessable, invalid
from app.core.i18n import _
from app.reference.models import Branch
from app.reminders.service import plan as plan_reminders
from app.servicing import repossession
from app.servicing.ledger import balance_of
from app.servicing.models import Collateral


def holidays(session: Session, around: date) -> set[date]:
    return set(calendar(session, [around.year - 1, around.year, around.year + 1]))


def _letter(session: Session, contract: Contract, day: date) -> dict[str, Any]:
    """What OJK requires a warning letter to state, as of ``day``, from the balance function:
    the oldest installment in arrears, days late, principal outstanding, interest due and the
    late charge (fines) owed."""
    balance = balance_of(session, contract, day)
    late = [r for r in balance.installments if r.in_force and r.due_date <= day and r.unpaid > 0]
    return {
        "due_date": late[0].due_date.isoformat() if late else None,
        "days_late": balance.days_past_due,
        "outstanding_principal": balance.outstanding_principal,
        "interest_due": balance.interest_due,
        "fines": balance.late_charge_owed,
        "arrears": balance.arrears,
        "installments_late": len(late),
    }


def record(
    session: Session, principal: Principal, contract: Contract, data: dict[str, Any]
) -> CollectionAction:
    if contract.state != "ACTIVE":
        raise Conflict(
            _("Contract {number} is {state}; collection works active contracts.").format(
                number=contract.number, state=contract.state
            )
        )
    performed: datetime = data["performed_at"]
    if performed.astimezone(JAKARTA).date() > today_jakarta():
        raise Unprocessable.field(
            "performed_at", _("A collection action is recorded once done, not ahead."),
            "future_date",
        )  # fmt: skip
    province = contract.application["applicant"]["address"]["province"]
    consent = (
        session.scalar(
            select(CollectionConsent.id)
            .where(CollectionConsent.contract_id == contract.id)
            .limit(1)
        )
        is not None
    )
    contact = Contact(data["kind"], performed, data["place"], data["person"])
    problems = contact_problems(contact, province, holidays(session, performed.date()), consent)
    if data["kind"] == "repossession":
        letters = (
            session.scalar(
                select(func.count())
                .select_from(CollectionAction)
                .where(
                    CollectionAction.contract_id == contract.id,
                    CollectionAction.kind == "warning_letter",
                )
            )
            or 0
        )
        collateral = session.scalar(select(Collateral).where(Collateral.contract_id == contract.id))
        problems += repossession_problems(
            balance_of(session, contract, performed.astimezone(JAKARTA).date()).days_past_due,
            letters,
            bool(collateral and collateral.fiduciary_registered_on),
            data.get("voluntary_handover", False),
            data.get("court_order"),
        )
    if problems:
        raise invalid([FieldError(field=f, message=m, rule=r) for f, m, r in problems])
    action = CollectionAction(
        contract_id=contract.id,
        kind=data["kind"],
        performed_at=performed,
        place=data["place"],
        result=data["result"],
        promise_date=data.get("promise_date"),
        promise_amount=data.get("promise_amount"),
        note=data.get("note"),
        collector_id=principal.user_id,
    )
    if data["kind"] == "warning_letter":
        branch = session.get_one(Branch, contract.branch_id)
        sent = (
            session.scalar(
                select(func.count())
                .select_from(CollectionAction)
                .where(
                    CollectionAction.contract_id == contract.id,
                    CollectionAction.kind == "warning_letter",
                )
            )
            or 0
        )
        level = min(sent + 1, 3)
        action.letter_number = f"SP{level}-" + next_number(
            session, branch.code, performed.astimezone(JAKARTA).year, "SP"
        )
        action.letter = {
            "level": f"SP{level}",
            **_letter(session, contract, performed.astimezone(JAKARTA).date()),
        }
    session.add(action)
    session.flush()
    log_event(session, contract, data["kind"], principal, reason=action.letter_number,
              payload={"action_id": action.id, "result": action.result})  # fmt: skip
    today = today_jakarta()
    if action.result == "promise_to_pay" and performed.astimezone(JAKARTA).date() == today:
        # A promise for tomorrow is reminded of today, whose plan may have run this morning.
        plan_reminders(session, today, installments=False)
    if data["kind"] == "repossession" and data["result"] == "handed_over":
        # The vehicle is in the company's hands: the contract waits for the auction.
        reason = f"Vehicle repossessed, {contract.number}"
        list_debtor(session, contract, "repossessed", reason)
        list_vehicle(session, contract, "repossessed", reason)
        repossession.start(session, principal, contract, performed.astimezone(JAKARTA).date(),
                           action.id)  # fmt: skip
    return action


def work_list(
    session: Session,
    principal: Principal,
    limit: int,
    bucket: str | None = None,
    branch: str | None = None,
    collector: str | None = None,
) -> list[dict[str, Any]]:
    """Accounts in arrears at the last close, riskiest first: amount at risk, days past due,
    then broken promises; filtered by bucket, branch code and assigned collector."""
    last_day = session.scalar(select(func.max(CloseOfBusiness.business_date)))
    if last_day is None:
        return []
    broken = (
        select(func.count())
        .where(
            CollectionAction.contract_id == Contract.id,
            CollectionAction.promise_broken_on.is_not(None),
        )
        .scalar_subquery()
    )
    arrears = positions_on(session, last_day, policy()).where(
        in_arrears_since(last_day - timedelta(days=1))
    )
    p = arrears.subquery("p")
    query = (
        select(
            Contract.number,
            Contract.applicant_name,
            p,
            broken.label("broken_promises"),
            User.username.label("collector"),
        )
        .join(p, p.c.contract_id == Contract.id)
        .outerjoin(CollectorAssignment, CollectorAssignment.contract_id == Contract.id)
        .outerjoin(User, User.id == CollectorAssignment.collector_id)
        .where(visible_to(principal))
    )
    if bucket is not None:
        query = query.where(p.c.bucket == bucket)
    if branch is not None:
        query = query.where(Contract.branch_id.in_(select(Branch.id).where(Branch.code == branch)))
    if collector is not None:
        query = query.where(User.username == collector)
    rows = session.execute(
        query.order_by(
            p.c.outstanding_principal.desc(), p.c.days_past_due.desc(), broken.desc()
        ).limit(limit)
    ).all()
    return [
        {
            "contract_number": row.number,
            "debtor": row.applicant_name,
            "business_date": row.business_date,
            "days_past_due": row.days_past_due,
            "bucket": row.bucket,
            "kol": row.kol,
            "amount_at_risk": row.outstanding_principal,
            "broken_promises": row.broken_promises,
            "strategy": _(strategy(row.bucket)),
            "collector": row.collector,
        }
        for row in rows
    ]


def assign_collector(
    session: Session, principal: Principal, contract: Contract, username: str
) -> CollectorAssignment:
    """Give the contract to a collector of its branch (replacing the one it had)."""
    collector = session.scalar(select(User).where(User.username == username, User.active))
    if collector is None or collector.role != Role.COLLECTOR:
        raise Unprocessable.field(
            "collector",
            _("{username} is not an active collector.").format(username=username),
            "role",
        )
    if collector.branch_id != contract.branch_id:
        raise Unprocessable.field(
            "collector",
            _("{username} works another branch than the contract's.").format(username=username),
            "branch",
        )
    assignment = session.get(CollectorAssignment, contract.id) or CollectorAssignment(
        contract_id=contract.id
    )
    assignment.collector_id = collector.id
    assignment.assigned_on = today_jakarta()
    assignment.assigned_by_id = principal.user_id
    session.add(assignment)
    session.flush()
    return assignment


def record_consent(
    session: Session, principal: Principal, contract: Contract, place: str
) -> CollectionConsent:
    consent = CollectionConsent(
        contract_id=contract.id,
        place=place,
        recorded_on=today_jakarta(),
        recorded_by_id=principal.user_id,
    )
    session.add(consent)
    session.flush()
    return consent


def actions_of(session: Session, contract: Contract) -> list[CollectionAction]:
    return list(
        session.scalars(
            select(CollectionAction)
            .where(CollectionAction.contract_id == contract.id)
            .order_by(CollectionAction.performed_at, CollectionAction.id)
        )
    )
