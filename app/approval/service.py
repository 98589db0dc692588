"""Stages 6 and 7 — approval by authority, the Purchase Order, delivery and disbursement.

An approval request is routed to the lowest level of the branch's authority matrix whose
limit covers the amount financed (one that may approve deviations, when the fatal scores
carry one). Nobody decides a contract he submitted or whose data he changed (maker-checker).
Approval issues the Purchase Order in the same transaction; disbursement turns the stored
simulation into the repayment schedule and opens the collateral's deadlines.
"""

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.applications.rules import normalise_frame_number
from app.applications.service import ensure_vehicle_is_free
from app.approval.models import ApprovalRequest, AuthorityLevel, PurchaseOrder
from app.audit.service import ensure_not_held
from app.auth.models import User
from app.auth.service import Principal
from app.collection.positions import recompute_since
from app.contracts.models import Contract, ContractEvent
from app.contracts.numbering import next_number
from app.contracts.service import ensure_allowed, latest_of, transition
from app.contracts.states import Action
from app.core.clock import today_jakarta, utcnow
from app.core.errors import Conflict, Forbidden, Unprocessable
from app.core.i18n import N_, _, format_date, format_rupiah
from app.prescreening.service import note_rejection
from app.reference.models import Branch
from app.scoring.models import FatalScore
from app.servicing.ledger import open_account
from app.simulation.models import Simulation

PO_VALID_DAYS = 30
# Events whose actor changed the contract's data: he may not also approve it.
MAKERS = {"submit", "amend", "record_slik", "score", "simulate", "request_approval"}
DIFFERS = {
    "chassis_number": N_("The chassis number differs from the one on the application."),
    "engine_number": N_("The engine number differs from the one on the application."),
}


def current_simulation(session: Session, contract: Contract) -> Simulation:
    simulation = session.scalar(
        select(Simulation).where(Simulation.contract_id == contract.id, Simulation.current)
    )
    if simulation is None:
        raise Conflict(
            _("Contract {number} has no chosen terms; simulate first.").format(
                number=contract.number
            )
        )
    return simulation


def required_level(
    session: Session, branch_id: int, amount: int, deviation: bool
) -> AuthorityLevel:
    query = (
        select(AuthorityLevel)
        .where(AuthorityLevel.branch_id == branch_id, AuthorityLevel.max_amount >= amount)
        .order_by(AuthorityLevel.level)
        .limit(1)
    )
    if deviation:
        query = query.where(AuthorityLevel.approves_deviations)
    level = session.scalar(query)
    if level is None:
        code = session.scalar(select(Branch.code).where(Branch.id == branch_id))
        message = (
            _(
                "No authority level of branch {branch} covers {amount} with a deviation; head "
                "office extends the matrix."
            )
            if deviation
            else _(
                "No authority level of branch {branch} covers {amount}; head office extends the "
                "matrix."
            )
        )
        raise Conflict(message.format(branch=code, amount=format_rupiah(amount)))
    return level


def pending_request(session: Session, contract: Contract) -> ApprovalRequest:
    request = session.scalar(
        select(ApprovalRequest).where(
            ApprovalRequest.contract_id == contract.id, ApprovalRequest.status == "pending"
        )
    )
    if request is None:
        raise Conflict(
            _("Contract {number} has no pending approval request.").format(number=contract.number)
        )
    return request


def request_approval(
    session: Session, principal: Principal, contract: Contract, note: str | None
) -> ApprovalRequest:
    ensure_allowed(contract, Action.REQUEST_APPROVAL, principal)
    simulation = current_simulation(session, contract)
    amount = int(simulation.result["amount_financed"])
    scored = latest_of(session, FatalScore, contract)
    deviation = bool(scored and scored.deviation)
    level = required_level(session, contract.branch_id, amount, deviation)
    request = ApprovalRequest(
        contract_id=contract.id,
        branch_id=contract.branch_id,
        amount_financed=amount,
        deviation=deviation,
        required_level=level.level,
        note=note,
        status="pending",
        requested_by_id=principal.user_id,
    )
    session.add(request)
    session.flush()
    transition(
        session,
        contract,
        Action.REQUEST_APPROVAL,
        principal,
        reason=note,
        payload={
            "approval_request": request.id,
            "amount_financed": amount,
            "required_level": level.level,
            "deviation": deviation,
        },
    )
    return request


def _check_authority(
    session: Session, principal: Principal, contract: Contract, request: ApprovalRequest
) -> int:
    makers = set(
        session.scalars(
            select(ContractEvent.actor_id).where(
                ContractEvent.contract_id == contract.id, ContractEvent.action.in_(MAKERS)
            )
        )
    )
    if principal.user_id in makers or principal.user_id == request.requested_by_id:
        raise Forbidden(
            _(
                "Maker-checker: you submitted or changed this contract, so another approver "
                "decides it."
            )
        )
    if not principal.is_head_office and principal.branch_id != contract.branch_id:
        raise Forbidden(_("An approver decides contracts of his own branch."))
    user = session.get_one(User, principal.user_id)
    needed = session.scalar(
        select(AuthorityLevel).where(
            AuthorityLevel.branch_id == contract.branch_id,
            AuthorityLevel.level == request.required_level,
        )
    )
    name = needed.name if needed else _("level {level}").format(level=request.required_level)
    if user.authority_level is None or user.authority_level < request.required_level:
        raise Forbidden(
            _("This decision needs authority level {level} ({name}); yours is {yours}.").format(
                level=request.required_level, name=name, yours=user.authority_level or _("none")
            )
        )
    if user.approval_limit is not None and user.approval_limit < request.amount_financed:
        raise Forbidden(
            _("Your personal limit of {limit} is below the {amount} financed.").format(
                limit=format_rupiah(user.approval_limit),
                amount=format_rupiah(request.amount_financed),
            )
        )
    return user.authority_level


def issue_purchase_order(session: Session, contract: Contract) -> PurchaseOrder:
    today = today_jakarta()
    branch = session.get_one(Branch, contract.branch_id)
    vehicle = contract.application["vehicle"]
    order = PurchaseOrder(
        number="PO-" + next_number(session, branch.code, today.year, "PO"),
        contract_id=contract.id,
        dealer_id=contract.dealer_id,
        vehicle=vehicle,
        otr_price=contract.otr_price,
        down_payment=contract.down_payment,
        amount_to_dealer=contract.otr_price - contract.down_payment,
        issued_on=today,
        valid_until=today + timedelta(days=PO_VALID_DAYS),
        status="open",
    )
    session.add(order)
    session.flush()
    return order


def decide(
    session: Session, principal: Principal, contract: Contract, decision: str, reason: str | None
) -> tuple[ApprovalRequest, PurchaseOrder | None]:
    action = {"approve": Action.APPROVE, "reject": Action.REJECT, "return": Action.RETURN}[decision]
    ensure_allowed(contract, action, principal)
    request = pending_request(session, contract)
    level = _check_authority(session, principal, contract, request)
    order = None
    payload: dict[str, Any] = {"approval_request": request.id, "level": level}
    if action is Action.APPROVE:
        ensure_not_held(session, contract, N_("approval"))
        current_simulation(session, contract)  # approval prices the terms that were chosen
        order = issue_purchase_order(session, contract)
        payload |= {"purchase_order": order.number, "valid_until": order.valid_until.isoformat()}
    request.status = {"approve": "approved", "reject": "rejected", "return": "returned"}[decision]
    request.decided_by_id = principal.user_id
    request.decided_level = level
    request.decision_reason = reason
    request.decided_at = utcnow()
    session.flush()
    transition(session, contract, action, principal, reason=reason, payload=payload)
    if action is Action.REJECT:
        note_rejection(session, contract, principal, reason or "rejected at approval")
    return request, order


def purchase_order_of(session: Session, contract: Contract) -> PurchaseOrder:
    order = session.scalar(select(PurchaseOrder).where(PurchaseOrder.contract_id == contract.id))
    if order is None:
        raise Conflict(_("Contract {number} has no Purchase Order.").format(number=contract.number))
    return order


def deliver(
    session: Session, principal: Principal, contract: Contract, data: dict[str, Any]
) -> PurchaseOrder:
    """The dealer hands the vehicle over: the numbers and the invoice, checked against the PO."""
    ensure_allowed(contract, Action.DELIVER, principal)
    order = purchase_order_of(session, contract)
    today = today_jakarta()
    if order.valid_until < today:
        raise Conflict(
            _("Purchase Order {number} lapsed on {day}.").format(
                number=order.number, day=format_date(order.valid_until)
            )
        )
    if not order.issued_on <= data["delivered_on"] <= today:
        raise Unprocessable.field(
            "delivered_on",
            _("Between the PO's issue ({day}) and today.").format(day=format_date(order.issued_on)),
            "delivery_date",
        )
    if data["invoice_amount"] != order.otr_price:
        raise Unprocessable.field(
            "invoice_amount",
            _("The invoice must be the PO's OTR price, {amount}.").format(
                amount=format_rupiah(order.otr_price)
            ),
            "invoice_amount",
        )
    vehicle = dict(contract.application["vehicle"])
    for field in ("chassis_number", "engine_number"):
        given = normalise_frame_number(data[field])
        if vehicle.get(field) and vehicle[field] != given:
            raise Unprocessable.field(
                field,
                _(DIFFERS[field]),
                "vehicle_mismatch",
            )
        vehicle[field] = given
    ensure_vehicle_is_free(session, {"vehicle": vehicle}, contract.id)
    contract.application = {**contract.application, "vehicle": vehicle}
    contract.chassis_number = vehicle["chassis_number"]
    contract.engine_number = vehicle["engine_number"]
    order.delivery = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in data.items()}
    order.delivery.update(
        chassis_number=vehicle["chassis_number"], engine_number=vehicle["engine_number"]
    )
    session.flush()
    transition(
        session,
        contract,
        Action.DELIVER,
        principal,
        payload={"purchase_order": order.number, "invoice_number": data["invoice_number"]},
    )
    return order


def disburse(
    session: Session, principal: Principal, contract: Contract, data: dict[str, Any]
) -> PurchaseOrder:
    """Finance pays the dealer: the contract becomes ACTIVE with its schedule and collateral."""
    ensure_allowed(contract, Action.DISBURSE, principal)
    ensure_not_held(session, contract, N_("disbursement"))
    order = purchase_order_of(session, contract)
    if data["amount"] != order.amount_to_dealer:
        raise Unprocessable.field(
            "amount",
            _("Pay the dealer exactly the PO's {amount}.").format(
                amount=format_rupiah(order.amount_to_dealer)
            ),
            "amount",
        )
    paid_on: date = data["disbursed_on"]
    if paid_on > today_jakarta():
        raise Unprocessable.field("disbursed_on", _("Not in the future."), "future_date")
    delivered_on = date.fromisoformat(order.delivery["delivered_on"]) if order.delivery else None
    if delivered_on is not None and paid_on < delivered_on:
        raise Unprocessable.field(
            "disbursed_on",
            _("The dealer is paid once the vehicle is delivered ({day}), not before.").format(
                day=format_date(delivered_on)
            ),
            "before_delivery",
        )
    simulation = current_simulation(session, contract)
    open_account(session, contract, principal, paid_on, simulation.result, data["reference"])
    recompute_since(session, contract, paid_on)  # disbursed on a day already closed
    order.status = "fulfilled"
    order.disbursement = {
        "amount": data["amount"],
        "reference": data["reference"],
        "disbursed_on": paid_on.isoformat(),
    }
    session.flush()
    transition(
        session,
        contract,
        Action.DISBURSE,
        principal,
        payload={
            "purchase_order": order.number,
            "amount": data["amount"],
            "reference": data["reference"],
            "installments": len(simulation.result["schedule"]),
        },
    )
    return order


def expire_purchase_orders(session: Session, today: date) -> list[str]:
    """Approved contracts whose PO lapsed unfulfilled become EXPIRED (by the system)."""
    lapsed = session.execute(
        select(PurchaseOrder, Contract)
        .join(Contract, Contract.id == PurchaseOrder.contract_id)
        .where(
            PurchaseOrder.status == "open",
            PurchaseOrder.valid_until < today,
            Contract.state == "APPROVED",
        )
        .order_by(PurchaseOrder.id)
    ).all()
    for order, contract in lapsed:
        order.status = "expired"
        transition(
            session,
            contract,
            Action.EXPIRE,
            None,
            reason=f"Purchase Order {order.number} lapsed on {order.valid_until}",
        )
    return [contract.number for _, contract in lapsed]
