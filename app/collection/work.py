"""Collection work: the work list by bucket, actions checked against the OJK conduct rules,
numbered warning letters, repossession, promises to pay and when they break."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from app.approval.models import Collateral
from app.auth.service import Principal
from app.collection.conduct import Contact, contact_problems, repossession_problems, strategy
from app.collection.models import CollectionAction, CollectionConsent, Holiday, Position
from app.collection.service import installments_view, list_debtor
from app.contracts.models import Contract
from app.contracts.numbering import next_number
from app.contracts.scope import visible_to
from app.core.clock import JAKARTA, today_jakarta
from app.core.errors import Conflict, FieldError, invalid
from app.reference.models import Branch


def holidays(session: Session, around: date) -> set[date]:
    return set(
        session.scalars(
            select(Holiday.day).where(
                func.extract("year", Holiday.day).in_(
                    [around.year - 1, around.year, around.year + 1]
                )
            )
        )
    )


def latest_position(session: Session, contract: Contract) -> Position | None:
    return session.scalar(
        select(Position)
        .where(Position.contract_id == contract.id)
        .order_by(Position.business_date.desc())
        .limit(1)
    )


def _letter(session: Session, contract: Contract, day: date) -> dict[str, Any]:
    """What OJK requires a warning letter to state, as of ``day``."""
    rows = installments_view(session, contract, day)
    late = [r for r in rows if r["outstanding"] > 0 and r["due_date"] <= day]
    return {
        "due_date": late[0]["due_date"].isoformat() if late else None,
        "days_late": late[0]["days_late"] if late else 0,
        "outstanding_principal": sum(r["principal"] for r in rows)
        - sum(min(r["paid"], r["principal"]) for r in rows),
        "interest_due": sum(r["interest"] for r in late),
        "fines": sum(r["late_charge_paid"] for r in rows),
        "installments_late": len(late),
    }


def record(
    session: Session, principal: Principal, contract: Contract, data: dict[str, Any]
) -> CollectionAction:
    if contract.state != "ACTIVE":
        raise Conflict(
            f"Contract {contract.number} is {contract.state}; collection works active contracts."
        )
    performed: datetime = data["performed_at"]
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
        position = latest_position(session, contract)
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
            position.days_past_due if position else 0,
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
    if data["kind"] == "repossession":
        list_debtor(session, contract, "repossessed", f"Vehicle repossessed, {contract.number}")
    return action


def work_list(
    session: Session, principal: Principal, bucket: str | None, limit: int
) -> list[dict[str, Any]]:
    """Accounts in arrears at the last close, riskiest first: amount at risk, days past due,
    then broken promises."""
    last_day = session.scalar(select(func.max(Position.business_date)))
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
    query = (
        select(Contract.number, Contract.applicant_name, Position, broken)
        .join(
            Position, and_(Position.contract_id == Contract.id, Position.business_date == last_day)
        )
        .where(visible_to(principal), Position.days_past_due > 0)
    )
    if bucket is not None:
        query = query.where(Position.bucket == bucket)
    rows = session.execute(
        query.order_by(
            Position.outstanding_principal.desc(), Position.days_past_due.desc(), broken.desc()
        ).limit(limit)
    ).all()
    return [
        {
            "contract_number": number,
            "debtor": name,
            "business_date": p.business_date,
            "days_past_due": p.days_past_due,
            "bucket": p.bucket,
            "kol": p.kol,
            "amount_at_risk": p.outstanding_principal,
            "broken_promises": promises,
            "strategy": strategy(p.bucket),
        }
        for number, name, p, promises in rows
    ]


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
