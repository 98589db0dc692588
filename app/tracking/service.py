"""Stage 7 — tracking: a contract's timeline in plain words, where it waits and who holds it,
and the ordered event feed other systems read."""

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.approval.models import ApprovalRequest
from app.auth.models import User
from app.contracts.models import Contract, ContractEvent
from app.contracts.states import ContractState
from app.survey.models import SurveyOrder

S = ContractState
STAGES: dict[str, str] = {
    S.SUBMITTED: "1 application",
    S.SURVEY_ASSIGNED: "1 application",
    S.SURVEYED: "1 application",
    S.PRESCREENED: "2 pre-screening",
    S.SCORED: "3 fatal scores",
    S.SIMULATED: "4 simulation",
    S.PENDING_APPROVAL: "6 approval",
    S.RETURNED: "6 approval",
    S.APPROVED: "7 delivery",
    S.DELIVERED: "7 disbursement",
    S.ACTIVE: "collection",
    S.PAID_OFF: "closed",
    S.WRITTEN_OFF: "closed",
    S.REJECTED: "closed",
    S.CANCELLED: "closed",
    S.EXPIRED: "closed",
}
# Who must act next in each state, and what he does.
NEXT: dict[str, tuple[str | None, str]] = {
    S.SUBMITTED: ("credit_analyst", "send a surveyor"),
    S.SURVEY_ASSIGNED: ("surveyor", "visit the applicant and record the survey"),
    S.SURVEYED: ("credit_analyst", "run pre-screening"),
    S.PRESCREENED: ("credit_analyst", "run the fatal scores"),
    S.SCORED: ("credit_analyst", "choose the package and terms"),
    S.SIMULATED: ("credit_analyst", "submit for approval"),
    S.PENDING_APPROVAL: ("approver", "approve, reject or return"),
    S.RETURNED: ("credit_analyst", "correct and resubmit"),
    S.APPROVED: ("dealer", "hand the vehicle over and send the invoice"),
    S.DELIVERED: ("finance", "pay the dealer"),
    S.ACTIVE: ("collector", "collect the installments"),
}
WORDS = {
    "submit": "Application submitted",
    "amend": "Application data completed",
    "assign_survey": "Survey assigned",
    "record_survey": "Survey recorded",
    "prescreen": "Pre-screening passed",
    "record_slik": "SLIK result entered",
    "score": "Fatal scores passed",
    "simulate": "Package and terms chosen",
    "request_approval": "Submitted for approval",
    "approve": "Approved; Purchase Order issued",
    "return": "Returned for revision",
    "reject": "Rejected",
    "deliver": "Vehicle delivered",
    "disburse": "Paid to the dealer; contract active",
    "cancel": "Withdrawn",
    "expire": "Purchase Order lapsed",
    "pay_off": "Paid off",
    "write_off": "Written off",
}


def _holder(session: Session, contract: Contract) -> dict[str, Any] | None:
    role, task = NEXT.get(contract.state, (None, ""))
    if role is None:
        return None
    user = None
    if contract.state == S.SURVEY_ASSIGNED:
        user = session.scalar(
            select(User.username)
            .join(SurveyOrder, SurveyOrder.surveyor_id == User.id)
            .where(SurveyOrder.contract_id == contract.id, SurveyOrder.status == "open")
        )
    holder: dict[str, Any] = {"role": role, "user": user, "next_step": task}
    if contract.state == S.PENDING_APPROVAL:
        level = session.scalar(
            select(ApprovalRequest.required_level).where(
                ApprovalRequest.contract_id == contract.id, ApprovalRequest.status == "pending"
            )
        )
        holder["authority_level"] = level
    return holder


def _seconds(start: datetime, end: datetime) -> int:
    return int((end - start).total_seconds())


def timeline(session: Session, contract: Contract, now: datetime) -> dict[str, Any]:
    rows = session.execute(
        select(ContractEvent, User.username)
        .outerjoin(User, User.id == ContractEvent.actor_id)
        .where(ContractEvent.contract_id == contract.id)
        .order_by(ContractEvent.seq)
    ).all()
    events = [
        {
            "at": e.occurred_at,
            "what": WORDS.get(e.action, e.action),
            "action": e.action,
            "from_state": e.from_state,
            "to_state": e.to_state,
            "by": name or "system",
            "role": e.actor_role,
            "reason": e.reason,
        }
        for e, name in rows
    ]
    stages: list[dict[str, Any]] = []
    for event, _ in rows:
        stage = STAGES[event.to_state]
        if stages and stages[-1]["stage"] == stage:
            continue
        if stages:
            stages[-1]["ended_at"] = event.occurred_at
        stages.append({"stage": stage, "started_at": event.occurred_at, "ended_at": None})
    for entry in stages:
        entry["seconds"] = _seconds(entry["started_at"], entry["ended_at"] or now)
    return {
        "contract_number": contract.number,
        "state": contract.state,
        "stage": STAGES[contract.state],
        "held_by": _holder(session, contract),
        "stages": stages,
        "events": events,
    }
