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
from app.core.i18n import N_, _
from app.survey.models import SurveyOrder

S = ContractState
STAGES: dict[str, str] = {
    S.SUBMITTED: N_("1 application"),
    S.SURVEY_ASSIGNED: N_("1 application"),
    S.SURVEYED: N_("1 application"),
    S.PRESCREENED: N_("2 pre-screening"),
    S.SCORED: N_("3 fatal scores"),
    S.SIMULATED: N_("4 simulation"),
    S.PENDING_APPROVAL: N_("6 approval"),
    S.RETURNED: N_("6 approval"),
    S.APPROVED: N_("7 delivery"),
    S.DELIVERED: N_("7 disbursement"),
    S.ACTIVE: N_("collection"),
    S.REPOSSESSED: N_("collection"),
    S.PAID_OFF: N_("closed"),
    S.WRITTEN_OFF: N_("closed"),
    S.REJECTED: N_("closed"),
    S.CANCELLED: N_("closed"),
    S.EXPIRED: N_("closed"),
}
# Who must act next in each state, and what he does (the words in English, shown through
# gettext in the request's language).
NEXT: dict[str, tuple[str | None, str]] = {
    S.SUBMITTED: ("credit_analyst", N_("send a surveyor")),
    S.SURVEY_ASSIGNED: ("surveyor", N_("visit the applicant and record the survey")),
    S.SURVEYED: ("credit_analyst", N_("run pre-screening")),
    S.PRESCREENED: ("credit_analyst", N_("run the fatal scores")),
    S.SCORED: ("credit_analyst", N_("choose the package and terms")),
    S.SIMULATED: ("credit_analyst", N_("submit for approval")),
    S.PENDING_APPROVAL: ("approver", N_("approve, reject or return")),
    S.RETURNED: ("credit_analyst", N_("correct and resubmit")),
    S.APPROVED: ("dealer", N_("hand the vehicle over and send the invoice")),
    S.DELIVERED: ("finance", N_("pay the dealer")),
    S.ACTIVE: ("collector", N_("collect the installments")),
    S.REPOSSESSED: ("finance", N_("sell the vehicle at auction and post the proceeds")),
}
WORDS = {
    "submit": N_("Application submitted"),
    "amend": N_("Application data completed"),
    "assign_survey": N_("Survey assigned"),
    "record_survey": N_("Survey recorded"),
    "prescreen": N_("Pre-screening passed"),
    "record_slik": N_("SLIK result entered"),
    "score": N_("Fatal scores passed"),
    "simulate": N_("Package and terms chosen"),
    "request_approval": N_("Submitted for approval"),
    "approve": N_("Approved; Purchase Order issued"),
    "return": N_("Returned for revision"),
    "reject": N_("Rejected"),
    "deliver": N_("Vehicle delivered"),
    "disburse": N_("Paid to the dealer; contract active"),
    "cancel": N_("Withdrawn"),
    "expire": N_("Purchase Order lapsed"),
    "pay_off": N_("Paid off"),
    "write_off": N_("Written off"),
    "restructure": N_("Restructured: a new schedule"),
    "payment": N_("Payment received"),
    "recovery": N_("Recovery received after write-off"),
    "payment_reversal": N_("Payment reversed"),
    "late_charge_waiver": N_("Late charge waived"),
    "refund": N_("Credit refunded"),
    "refund_reversal": N_("Refund reversed"),
    "collateral_change": N_("Collateral documents updated"),
    "reminder_call": N_("Reminder call"),
    "desk_call": N_("Desk call"),
    "field_visit": N_("Field visit"),
    "warning_letter": N_("Warning letter sent"),
    "repossession": N_("Vehicle repossessed"),
    "repossess": N_("Vehicle handed over; awaiting its auction"),
    "appraisal": N_("Vehicle appraised"),
    "repossession_cost": N_("Cost of repossession recorded"),
    "auction_sale": N_("Vehicle sold at auction"),
    "sell_collateral": N_("Vehicle sold at auction; debt paid"),
    "shortfall_kept": N_("Auction shortfall kept as debt"),
    "write_off_shortfall": N_("Auction shortfall written off"),
    "document_added": N_("Document handed in"),
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
    holder: dict[str, Any] = {"role": role, "user": user, "next_step": _(task)}
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
            "what": _(WORDS[e.action]) if e.action in WORDS else e.action,
            "action": e.action,
            "from_state": e.from_state,
            "to_state": e.to_state,
            "by": name or _("system"),
            "role": e.actor_role,
            "reason": e.reason,
        }
        for e, name in rows
    ]
    stages: list[dict[str, Any]] = []
    for event, _name in rows:
        stage = STAGES[event.to_state]
        if stages and stages[-1]["stage"] == stage:
            continue
        if stages:
            stages[-1]["ended_at"] = event.occurred_at
        stages.append({"stage": stage, "started_at": event.occurred_at, "ended_at": None})
    for entry in stages:
        entry["seconds"] = _seconds(entry["started_at"], entry["ended_at"] or now)
        stage_name: str = entry["stage"]
        entry["stage"] = _(stage_name)
    return {
        "contract_number": contract.number,
        "state": contract.state,
        "stage": _(STAGES[contract.state]),
        "held_by": _holder(session, contract),
        "stages": stages,
        "events": events,
    }
