"""Servicing — payments and their reversal, the installments and balances as of a date, the
ledger, late-charge waivers, refunds, early settlement, restructuring and collateral."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, status
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.dependencies import require
from app.auth.roles import Permission
from app.auth.service import Principal, username_of
from app.contracts.models import Contract
from app.contracts.router import transition_route
from app.contracts.service import check_if_match, get_visible
from app.contracts.states import Action
from app.core.clock import today_jakarta
from app.core.dependencies import DbSession
from app.core.errors import NotFound, Unprocessable, problem_responses
from app.core.i18n import _, format_date
from app.core.idempotency import Idempotent
from app.core.inputs import BusinessDate
from app.core.pagination import RowId
from app.servicing import collateral, payments, repossession, restructuring, rules, settlement
from app.servicing.ledger import account_of, balance_of, schedule_of
from app.servicing.models import Allocation, LedgerEntry, Payment, Restructuring
from app.servicing.schemas import (
    AllocationOut,
    AppraisalIn,
    AuctionSaleIn,
    BalanceOut,
    CollateralIn,
    CollateralOut,
    EntryReversalIn,
    InstallmentsOut,
    InstallmentView,
    LedgerEntryOut,
    LedgerOut,
    OverdueCollateralList,
    OverdueCollateralOut,
    PaymentIn,
    PaymentList,
    PaymentOut,
    RefundIn,
    RepossessionCostIn,
    RepossessionCostOut,
    RepossessionOut,
    RestructuringDecisionIn,
    RestructuringIn,
    RestructuringList,
    RestructuringOut,
    ReversalIn,
    SettlementLetterOut,
    SettlementQuoteOut,
    ShortfallDecisionIn,
    WaiverIn,
)

router = APIRouter(prefix="/v1", tags=["servicing"])
Cashier = Annotated[Principal, Depends(require(Permission.PAYMENT_POST))]
ScheduleReader = Annotated[Principal, Depends(require(Permission.SCHEDULE_READ))]
Refunder = Annotated[Principal, Depends(require(Permission.REFUND))]
Waiver = Annotated[Principal, Depends(require(Permission.LATE_CHARGE_WAIVE))]
Requester = Annotated[Principal, Depends(require(Permission.RESTRUCTURE_REQUEST))]
Decider = Annotated[Principal, Depends(require(Permission.RESTRUCTURE_DECIDE))]
Reader = Annotated[Principal, Depends(require(Permission.RESTRUCTURE_READ))]
BackOffice = Annotated[Principal, Depends(require(Permission.COLLATERAL_WRITE))]
RepossessionReader = Annotated[Principal, Depends(require(Permission.REPOSSESSION_READ))]
Appraiser = Annotated[Principal, Depends(require(Permission.REPOSSESSION_APPRAISE))]
CostRecorder = Annotated[Principal, Depends(require(Permission.REPOSSESSION_COST))]
Chaser = Annotated[Principal, Depends(require(Permission.COLLATERAL_OVERDUE))]
OnDate = Annotated[BusinessDate | None, Query(description="Default: today (Jakarta)")]


def _balance(session: Session, contract: Contract, on: date | None) -> rules.Balance:
    """The balance as of ``on`` (default today), which a contract has from its disbursement."""
    day = on or today_jakarta()
    disbursed_on = account_of(session, contract).disbursed_on
    if day < disbursed_on:
        raise Unprocessable.field(
            "on",
            _("Balances start on the disbursement ({day}).").format(day=format_date(disbursed_on)),
            "before_disbursement",
        )
    return balance_of(session, contract, day)


def _balance_out(balance: rules.Balance) -> BalanceOut:
    return BalanceOut(
        on=balance.day,
        outstanding_principal=balance.outstanding_principal,
        interest_due=balance.interest_due,
        accrued_interest=balance.accrued_interest,
        late_charge_owed=balance.late_charge_owed,
        credit=balance.credit,
        arrears=balance.arrears,
        days_past_due=balance.days_past_due,
        next_due_date=balance.next_due_date,
        next_due_amount=balance.next_due_amount,
        settlement_quote=balance.settlement_quote,
    )


def _allocations(rows: list[Allocation], numbers: dict[int, int]) -> list[AllocationOut]:
    return [
        AllocationOut(
            installment=numbers[a.installment_id] if a.installment_id is not None else None,
            component=a.component,
            value_date=a.value_date,
            amount=a.amount,
        )
        for a in rows
    ]


def _numbers(session: DbSession, contract: Contract) -> dict[int, int]:
    return {row.id: row.number for row in schedule_of(session, contract)}


def _payment_out(session: DbSession, payment: Payment, contract: Contract) -> PaymentOut:
    rows = session.scalars(
        select(Allocation)
        .join(LedgerEntry, LedgerEntry.id == Allocation.entry_id)
        .where(LedgerEntry.payment_id == payment.id)
        .order_by(Allocation.id)
    )
    return PaymentOut(
        id=payment.id,
        contract_number=contract.number,
        amount=payment.amount,
        paid_on=payment.paid_on,
        channel=payment.channel,
        reference=payment.reference,
        reversed=payment.reversed_at is not None,
        reversal_reason=payment.reversal_reason,
        recovery=payment.recovery,
        contract_state=contract.state,
        allocations=_allocations(list(rows), _numbers(session, contract)),
    )


@router.post(
    "/payments",
    summary="Post a payment: what is due first, oldest installment first; a payment that "
    "covers the settlement quote closes the contract",
    status_code=status.HTTP_201_CREATED,
    response_model=PaymentOut,
    responses=problem_responses(403, 404, 409),
)
def post_payment(
    data: PaymentIn, once: Idempotent, session: DbSession, principal: Cashier
) -> JSONResponse:
    def work_() -> tuple[PaymentOut, dict[str, str]]:
        contract = get_visible(session, principal, data.contract_number)
        payment = payments.post_payment(session, principal, contract, data.model_dump())
        return _payment_out(session, payment, contract), {}

    return once.run(principal.user_id, data, status.HTTP_201_CREATED, work_)


@router.post(
    "/payments/{payment_id}/reversal",
    summary="Reverse a bounced or mistaken payment; everything after it is recomputed",
    responses=problem_responses(403, 404, 409),
)
def reverse_payment(
    payment_id: RowId, data: ReversalIn, session: DbSession, principal: Cashier
) -> PaymentOut:
    payment, number = payments.find_payment(session, payment_id)
    contract = get_visible(session, principal, number)  # 404 outside the caller's scope
    session.refresh(payment)  # after the lock: a concurrent reversal is seen as made
    payments.reverse_payment(session, principal, contract, payment, data.reason)
    return _payment_out(session, payment, contract)


@router.get(
    "/contracts/{number}/payments",
    summary="The contract's payments, oldest first, with what each paid",
    responses=problem_responses(403, 404),
)
def list_payments(number: str, session: DbSession, principal: ScheduleReader) -> PaymentList:
    contract = get_visible(session, principal, number)
    rows = session.scalars(
        select(Payment).where(Payment.contract_id == contract.id).order_by(
            Payment.paid_on, Payment.id)
    )  # fmt: skip
    return PaymentList(items=[_payment_out(session, p, contract) for p in rows])


@router.get(
    "/contracts/{number}/installments",
    summary="The schedule with what was paid, late charges and days late, and the balances, "
    "as of a date",
    responses=problem_responses(403, 404),
)
def list_installments(
    number: str, session: DbSession, principal: ScheduleReader, on: OnDate = None
) -> InstallmentsOut:
    contract = get_visible(session, principal, number)
    balance = _balance(session, contract, on)
    return InstallmentsOut(
        contract_number=number,
        virtual_account=account_of(session, contract).virtual_account,
        restructured_on=restructuring.restructured_on(session, contract),
        balance=_balance_out(balance),
        items=[
            InstallmentView(
                number=r.number,
                due_date=r.due_date,
                amount=r.principal + r.interest,
                principal=r.principal,
                interest=r.interest,
                paid=r.paid_principal + r.paid_interest,
                outstanding=r.unpaid,
                late_charge_accrued=r.late_charge_accrued,
                late_charge_paid=r.late_charge_paid,
                late_charge_waived=r.late_charge_waived,
                late_charge_owed=r.late_charge_owed,
                settled_on=r.settled_on,
                days_late=r.days_late,
            )
            for r in balance.installments
            if r.in_force
        ],
    )


@router.get(
    "/contracts/{number}/ledger",
    summary="Every money movement of the contract with its allocation, and its balances",
    responses=problem_responses(403, 404),
)
def read_ledger(
    number: str, session: DbSession, principal: ScheduleReader, on: OnDate = None
) -> LedgerOut:
    contract = get_visible(session, principal, number)
    numbers = _numbers(session, contract)
    entries = payments.ledger_rows(session, contract)
    reversed_ids = {e.reverses_id for e, _ in entries if e.reverses_id is not None}
    return LedgerOut(
        contract_number=number,
        balance=_balance_out(_balance(session, contract, on)),
        items=[
            LedgerEntryOut(
                id=e.id,
                kind=e.kind,
                value_date=e.value_date,
                amount=e.amount,
                reference=e.reference,
                reason=e.reason,
                reverses=e.reverses_id,
                reversed=e.id in reversed_ids,
                created_at=e.created_at,
                allocations=_allocations(rows, numbers),
            )
            for e, rows in entries
        ],
    )


@router.post(
    "/contracts/{number}/late-charge-waivers",
    summary="Waive late charge owed (an approver, with the reason recorded)",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(403, 404, 409),
)
def waive_late_charge(
    number: str, data: WaiverIn, session: DbSession, principal: Waiver
) -> BalanceOut:
    contract = get_visible(session, principal, number)
    payments.waive_late_charge(session, principal, contract, data.amount, data.reason)
    return _balance_out(balance_of(session, contract, today_jakarta()))


@router.post(
    "/contracts/{number}/refunds",
    summary="Pay a credit balance back to the customer (finance; reversible)",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(403, 404, 409),
)
def refund(number: str, data: RefundIn, session: DbSession, principal: Refunder) -> LedgerEntryOut:
    contract = get_visible(session, principal, number)
    entry = payments.refund(session, principal, contract, data.model_dump())
    return _entry_out(session, contract, entry)


def _entry_out(session: DbSession, contract: Contract, entry: LedgerEntry) -> LedgerEntryOut:
    rows = list(session.scalars(select(Allocation).where(Allocation.entry_id == entry.id)))
    return LedgerEntryOut(
        id=entry.id,
        kind=entry.kind,
        value_date=entry.value_date,
        amount=entry.amount,
        reference=entry.reference,
        reason=entry.reason,
        reverses=entry.reverses_id,
        reversed=False,
        created_at=entry.created_at,
        allocations=_allocations(rows, _numbers(session, contract)),
    )


@router.post(
    "/refunds/{entry_id}/reversal",
    summary="Reverse a refund (the transfer came back): the credit is restored",
    responses=problem_responses(403, 404, 409),
)
def reverse_refund(
    entry_id: RowId, data: EntryReversalIn, session: DbSession, principal: Refunder
) -> LedgerEntryOut:
    found = session.execute(
        select(LedgerEntry, Contract.number)
        .join(Contract, Contract.id == LedgerEntry.contract_id)
        .where(LedgerEntry.id == entry_id, LedgerEntry.kind == "refund")
    ).first()
    if found is None:
        raise NotFound(_("No refund {id}.").format(id=entry_id))
    contract = get_visible(session, principal, found[1])
    reversal = payments.reverse_refund(session, principal, contract, found[0], data.reason)
    return _entry_out(session, contract, reversal)


@router.get(
    "/contracts/{number}/settlement-quote",
    summary="Early settlement: what pays the contract off on a date (no unearned interest)",
    responses=problem_responses(403, 404, 409),
)
def settlement_quote(
    number: str, session: DbSession, principal: ScheduleReader, on: OnDate = None
) -> SettlementQuoteOut:
    contract = get_visible(session, principal, number)
    return SettlementQuoteOut.model_validate(
        settlement.quote(session, contract, on or today_jakarta())
    )


@router.get(
    "/contracts/{number}/settlement-letter",
    summary="The settlement letter (surat keterangan lunas) of a paid-off contract",
    responses=problem_responses(403, 404, 409),
)
def settlement_letter(
    number: str, session: DbSession, principal: ScheduleReader
) -> SettlementLetterOut:
    contract = get_visible(session, principal, number)
    return SettlementLetterOut.model_validate(settlement.letter(session, contract))


def _restructuring_out(session: DbSession, row: Restructuring, number: str) -> RestructuringOut:
    return RestructuringOut(
        id=row.id,
        contract_number=number,
        kind=row.kind,
        terms=row.terms,
        reason=row.reason,
        status=row.status,
        requested_by=username_of(session, row.requested_by_id),
        requested_at=row.requested_at,
        decided_by=username_of(session, row.decided_by_id),
        decided_at=row.decided_at,
        decision_reason=row.decision_reason,
        effective_on=row.effective_on,
        annual_rate=Decimal(row.annual_rate) if row.annual_rate else None,
        outstanding_principal=row.outstanding_principal,
        capitalised_interest=row.capitalised_interest,
        installment=row.installment,
        installments=row.installments,
        first_due_on=row.first_due_on,
        old_schedule=row.old_schedule,
    )


@router.post(
    "/contracts/{number}/restructurings",
    summary="Request a payment holiday, tenor extension or rate reduction (with its new terms)",
    status_code=status.HTTP_201_CREATED,
    response_model=RestructuringOut,
    responses=problem_responses(403, 404, 409),
)
def request_restructuring(
    number: str, data: RestructuringIn, once: Idempotent, session: DbSession, principal: Requester
) -> JSONResponse:
    def work_() -> tuple[RestructuringOut, dict[str, str]]:
        contract = get_visible(session, principal, number)
        row = restructuring.request(
            session,
            principal,
            contract,
            {"kind": data.kind, "terms": data.terms(), "reason": data.reason},
        )
        return _restructuring_out(session, row, number), {}

    return once.run(principal.user_id, data, status.HTTP_201_CREATED, work_)


@router.get(
    "/contracts/{number}/restructurings",
    summary="The contract's restructurings, requested and decided, oldest first",
    responses=problem_responses(403, 404),
)
def list_restructurings(number: str, session: DbSession, principal: Reader) -> RestructuringList:
    contract = get_visible(session, principal, number)
    rows = session.scalars(
        select(Restructuring)
        .where(Restructuring.contract_id == contract.id)
        .order_by(Restructuring.id)
    )
    return RestructuringList(items=[_restructuring_out(session, r, number) for r in rows])


@router.post(
    "/restructurings/{restructuring_id}/decision",
    summary="Approve (the new schedule takes over) or reject a restructuring",
    **transition_route(Action.RESTRUCTURE),
)
def decide_restructuring(
    restructuring_id: RowId, data: RestructuringDecisionIn, session: DbSession, principal: Decider
) -> RestructuringOut:
    number = session.scalar(
        select(Contract.number)
        .join(Restructuring, Contract.id == Restructuring.contract_id)
        .where(Restructuring.id == restructuring_id)
    )
    if number is None:
        raise NotFound(_("No restructuring {id}.").format(id=restructuring_id))
    contract = get_visible(session, principal, number)  # 404 outside the approver's branch
    # Read after the contract is locked: a concurrent decision is seen as made.
    row = session.get_one(Restructuring, restructuring_id)
    restructuring.decide(session, principal, contract, row, data.decision, data.reason)
    return _restructuring_out(session, row, number)


@router.get(
    "/contracts/{number}/collateral",
    summary="The fiduciary registration and the BPKB, with the registration deadline",
    responses=problem_responses(403, 404),
)
def read_collateral(number: str, session: DbSession, principal: ScheduleReader) -> CollateralOut:
    contract = get_visible(session, principal, number)
    return CollateralOut.model_validate(collateral.collateral_of(session, contract))


@router.patch(
    "/contracts/{number}/collateral",
    summary="Register the fiduciary certificate, or record the BPKB held or released",
    responses=problem_responses(403, 404),
)
def update_collateral(
    number: str, data: CollateralIn, session: DbSession, principal: BackOffice
) -> CollateralOut:
    contract = get_visible(session, principal, number)
    changes = data.model_dump(exclude_unset=True)
    return CollateralOut.model_validate(
        collateral.update_collateral(session, principal, contract, changes)
    )


@router.get(
    "/collateral/overdue",
    summary="Work list: fiduciary registrations past their 30 days, BPKBs not received",
    responses=problem_responses(403),
)
def overdue_collateral(
    request: Request,
    session: DbSession,
    principal: Chaser,
    on: OnDate = None,
    what: Annotated[
        Literal["fiduciary", "bpkb"] | None, Query(description="Only this kind")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> OverdueCollateralList:
    day = on or today_jakarta()
    due_days = request.app.state.settings.bpkb_due_days
    items = collateral.overdue(session, principal, day, due_days, what, limit)
    return OverdueCollateralList(
        on=day,
        bpkb_due_days=due_days,
        items=[OverdueCollateralOut.model_validate(item) for item in items],
    )


def _repossession_out(session: Session, contract: Contract) -> RepossessionOut:
    row = repossession.repossession_of(session, contract)
    costs = repossession.costs_of(session, contract)
    return RepossessionOut(
        contract_number=contract.number,
        contract_state=contract.state,
        repossessed_on=row.repossessed_on,
        appraised_value=row.appraised_value,
        appraised_on=row.appraised_on,
        appraiser=row.appraiser,
        costs=[
            RepossessionCostOut(
                ledger_entry_id=c.id,
                amount=c.amount,
                incurred_on=c.value_date,
                reason=c.reason,
                reference=c.reference,
            )
            for c in costs
        ],
        costs_total=sum(c.amount for c in costs),
        sold_on=row.sold_on,
        buyer=row.buyer,
        proceeds=row.proceeds,
        costs_recovered=row.costs_recovered,
        to_debt=row.to_debt,
        surplus=row.surplus,
        shortfall=row.shortfall,
        shortfall_decision=row.shortfall_decision,
        decided_by=username_of(session, row.decided_by_id),
        decision_reason=row.decision_reason,
        written_off=repossession.written_off(session, contract),
    )


@router.get(
    "/contracts/{number}/repossession",
    summary="The repossessed vehicle: appraisal, costs, the auction and where its proceeds went",
    responses=problem_responses(403, 404, 409),
)
def read_repossession(
    number: str, session: DbSession, principal: RepossessionReader
) -> RepossessionOut:
    contract = get_visible(session, principal, number)
    return _repossession_out(session, contract)


@router.post(
    "/contracts/{number}/repossession/appraisal",
    summary="Record the repossessed vehicle's appraisal",
    responses=problem_responses(403, 404, 409),
)
def appraise_vehicle(
    number: str, data: AppraisalIn, session: DbSession, principal: Appraiser
) -> RepossessionOut:
    contract = get_visible(session, principal, number)
    repossession.appraise(session, principal, contract, data.model_dump())
    return _repossession_out(session, contract)


@router.post(
    "/contracts/{number}/repossession/costs",
    summary="Record a cost of taking or selling the vehicle (towing, storage, auction fee)",
    status_code=status.HTTP_201_CREATED,
    response_model=RepossessionOut,
    responses=problem_responses(403, 404, 409),
)
def add_repossession_cost(
    number: str, data: RepossessionCostIn, once: Idempotent, session: DbSession,
    principal: CostRecorder,
) -> JSONResponse:  # fmt: skip
    def work_() -> tuple[RepossessionOut, dict[str, str]]:
        contract = get_visible(session, principal, number)
        repossession.add_cost(session, principal, contract, data.model_dump())
        return _repossession_out(session, contract), {}

    return once.run(principal.user_id, data, status.HTTP_201_CREATED, work_)


@router.post(
    "/contracts/{number}/repossession/sale",
    summary="Post the auction: proceeds to the costs, then the debt; a surplus refunded",
    **transition_route(Action.SELL_COLLATERAL),
)
def sell_vehicle(
    number: str,
    data: AuctionSaleIn,
    session: DbSession,
    principal: Annotated[Principal, Depends(require(Permission.REPOSSESSION_COST))],
    if_match: Annotated[str | None, Header(description="ETag of the version you read")] = None,
) -> RepossessionOut:
    contract = get_visible(session, principal, number)
    check_if_match(contract, if_match)
    repossession.sell(session, principal, contract, data.model_dump())
    return _repossession_out(session, contract)


@router.post(
    "/contracts/{number}/repossession/shortfall",
    summary="Keep the auction's shortfall as debt, or write it off (approver)",
    **transition_route(Action.WRITE_OFF_SHORTFALL),
)
def decide_shortfall(
    number: str,
    data: ShortfallDecisionIn,
    session: DbSession,
    principal: Annotated[Principal, Depends(require(Permission.REPOSSESSION_READ))],
    if_match: Annotated[str | None, Header(description="ETag of the version you read")] = None,
) -> RepossessionOut:
    contract = get_visible(session, principal, number)
    check_if_match(contract, if_match)
    repossession.decide_shortfall(session, principal, contract, data.model_dump())
    return _repossession_out(session, contract)
