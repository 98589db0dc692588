"""Stages 6 and 7 — authority levels, approval, Purchase Orders, delivery, disbursement."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, status
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.approval import service
from app.approval.models import ApprovalRequest, AuthorityLevel, PurchaseOrder
from app.approval.schemas import (
    ApprovalList,
    ApprovalOut,
    ApprovalRequestIn,
    AuthorityLevelIn,
    AuthorityLevelList,
    AuthorityLevelOut,
    DecisionIn,
    DeliveryIn,
    DisbursementIn,
    PurchaseOrderOut,
)
from app.auth.dependencies import current_principal, require
from app.auth.models import User
from app.auth.roles import Permission
from app.auth.service import Principal, username_of
from app.contracts.models import Contract
from app.contracts.router import IfMatch, transition_route
from app.contracts.scope import visible_to
from app.contracts.service import check_if_match, get_visible
from app.contracts.states import Action
from app.core.dependencies import DbSession
from app.core.errors import NotFound, problem_responses
from app.core.i18n import _
from app.core.idempotency import Idempotent
from app.core.inputs import STORED
from app.reference.models import Branch, Dealer
from app.reference.service import by_code

router = APIRouter(prefix="/v1", tags=["stages 6 and 7 — approval, delivery, disbursement"])
Actor = Annotated[Principal, Depends(current_principal)]
Reader = Annotated[Principal, Depends(require(Permission.REFERENCE_READ))]
Writer = Annotated[Principal, Depends(require(Permission.REFERENCE_WRITE))]
Approver = Annotated[Principal, Depends(require(Permission.APPROVAL_READ))]
OrderReader = Annotated[Principal, Depends(require(Permission.CONTRACT_READ))]


def _level_out(session: Session, level: AuthorityLevel) -> AuthorityLevelOut:
    branch = session.get_one(Branch, level.branch_id)
    return AuthorityLevelOut.model_validate(
        {
            "branch_code": branch.code,
            "level": level.level,
            "name": level.name,
            "max_amount": level.max_amount,
            "approves_deviations": level.approves_deviations,
        },
        context=STORED,
    )


@router.get("/authority-levels", summary="The authority matrix", responses=problem_responses(403))
def list_authority_levels(
    session: DbSession, _: Reader, branch: Annotated[str | None, Query()] = None
) -> AuthorityLevelList:
    query = select(AuthorityLevel).join(Branch, Branch.id == AuthorityLevel.branch_id)
    if branch is not None:
        query = query.where(Branch.code == branch)
    rows = session.scalars(query.order_by(Branch.code, AuthorityLevel.level))
    return AuthorityLevelList(items=[_level_out(session, r) for r in rows])


@router.put(
    "/authority-levels",
    summary="Set one level of a branch's matrix (create or change)",
    responses=problem_responses(403),
)
def set_authority_level(data: AuthorityLevelIn, session: DbSession, _: Writer) -> AuthorityLevelOut:
    branch = by_code(session, Branch, data.branch_code, field="branch_code")
    level = session.scalar(
        select(AuthorityLevel).where(
            AuthorityLevel.branch_id == branch.id, AuthorityLevel.level == data.level
        )
    )
    if level is None:
        level = AuthorityLevel(branch_id=branch.id, level=data.level)
        session.add(level)
    level.name, level.max_amount = data.name, data.max_amount
    level.approves_deviations = data.approves_deviations
    session.flush()
    return _level_out(session, level)


def approval_out(session: Session, request: ApprovalRequest, contract: Contract) -> ApprovalOut:
    order = session.scalar(
        select(PurchaseOrder.number).where(PurchaseOrder.contract_id == contract.id)
    )
    return ApprovalOut(
        contract_number=contract.number,
        contract_state=contract.state,
        amount_financed=request.amount_financed,
        deviation=request.deviation,
        required_level=request.required_level,
        status=request.status,
        note=request.note,
        requested_by=username_of(session, request.requested_by_id) or "",
        requested_at=request.requested_at,
        decided_by=username_of(session, request.decided_by_id),
        decided_level=request.decided_level,
        decision_reason=request.decision_reason,
        decided_at=request.decided_at,
        purchase_order=order,
    )


@router.post(
    "/contracts/{number}/approval-request",
    summary="Submit for approval",
    status_code=status.HTTP_201_CREATED,
    response_model=ApprovalOut,
    **transition_route(Action.REQUEST_APPROVAL),
)
def request_approval(
    number: str,
    data: ApprovalRequestIn,
    once: Idempotent,
    session: DbSession,
    principal: Actor,
    if_match: IfMatch = None,
) -> JSONResponse:
    def work() -> tuple[ApprovalOut, dict[str, str]]:
        contract = get_visible(session, principal, number)
        check_if_match(contract, if_match)
        request = service.request_approval(session, principal, contract, data.note)
        return approval_out(session, request, contract), {}

    return once.run(principal.user_id, data, status.HTTP_201_CREATED, work)


@router.post(
    "/contracts/{number}/decision",
    summary="Approve (issues the Purchase Order), reject, or return for revision",
    response_model=ApprovalOut,
    **transition_route(Action.APPROVE, Action.REJECT, Action.RETURN),
)
def decide(
    number: str, data: DecisionIn, session: DbSession, principal: Actor, if_match: IfMatch = None
) -> ApprovalOut:
    contract = get_visible(session, principal, number)
    check_if_match(contract, if_match)
    reason = f"{data.reason_code}: {data.reason}" if data.reason_code else data.reason
    request, _ = service.decide(session, principal, contract, data.decision, reason)
    return approval_out(session, request, contract)


@router.get("/approvals", summary="An approver's work list", responses=problem_responses(403))
def list_approvals(
    session: DbSession,
    principal: Approver,
    mine: Annotated[Literal["pending", "decided"], Query()] = "pending",
) -> ApprovalList:
    user = session.get_one(User, principal.user_id)
    query = (
        select(ApprovalRequest, Contract)
        .join(Contract, Contract.id == ApprovalRequest.contract_id)
        .where(visible_to(principal))
    )
    if mine == "pending":
        query = query.where(
            ApprovalRequest.status == "pending",
            ApprovalRequest.required_level <= (user.authority_level or 0),
        )
    else:
        query = query.where(ApprovalRequest.decided_by_id == principal.user_id)
    rows = session.execute(query.order_by(ApprovalRequest.requested_at)).all()
    return ApprovalList(items=[approval_out(session, r, c) for r, c in rows])


def order_out(session: Session, order: PurchaseOrder, contract: Contract) -> PurchaseOrderOut:
    dealer = session.get_one(Dealer, order.dealer_id)
    return PurchaseOrderOut(
        number=order.number,
        contract_number=contract.number,
        dealer_code=dealer.code,
        vehicle=order.vehicle,
        otr_price=order.otr_price,
        down_payment=order.down_payment,
        amount_to_dealer=order.amount_to_dealer,
        issued_on=order.issued_on,
        valid_until=order.valid_until,
        status=order.status,
        delivery=order.delivery,
        disbursement=order.disbursement,
    )


@router.get(
    "/purchase-orders/{number}",
    summary="A Purchase Order (a dealer sees its own)",
    responses=problem_responses(403, 404),
)
def get_purchase_order(number: str, session: DbSession, principal: OrderReader) -> PurchaseOrderOut:
    row = session.execute(
        select(PurchaseOrder, Contract)
        .join(Contract, Contract.id == PurchaseOrder.contract_id)
        .where(PurchaseOrder.number == number, visible_to(principal))
    ).first()
    if row is None:
        raise NotFound(_("No Purchase Order {number} in your scope.").format(number=number))
    return order_out(session, *row)


@router.post(
    "/contracts/{number}/delivery",
    summary="The dealer hands the vehicle over: numbers and invoice, checked against the PO",
    response_model=PurchaseOrderOut,
    **transition_route(Action.DELIVER),
)
def deliver(
    number: str, data: DeliveryIn, session: DbSession, principal: Actor, if_match: IfMatch = None
) -> PurchaseOrderOut:
    contract = get_visible(session, principal, number)
    check_if_match(contract, if_match)
    order = service.deliver(session, principal, contract, data.model_dump())
    return order_out(session, order, contract)


@router.post(
    "/contracts/{number}/disbursement",
    summary="Finance pays the dealer; the contract becomes ACTIVE with its schedule",
    response_model=PurchaseOrderOut,
    **transition_route(Action.DISBURSE),
)
def disburse(
    number: str,
    data: DisbursementIn,
    session: DbSession,
    principal: Actor,
    if_match: IfMatch = None,
) -> PurchaseOrderOut:
    contract = get_visible(session, principal, number)
    check_if_match(contract, if_match)
    order = service.disburse(session, principal, contract, data.model_dump())
    return order_out(session, order, contract)
