"""Servicing — payments and their reversal, the installments and balances as of a date, the
ledger, late-charge waivers, refunds, early settlement, restructuring and collateral."""

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.dependencies import require
from app.auth.roles import Permission
from app.auth.service import Principal, username_of
from app.contracts.models import Contract
from app.contracts.router import transition_route
from app.contracts.service import get_visible
from app.contracts.states import Action
from app.core.clock import today_jakarta
from app.core.dependencies import DbSession
from app.core.errors import NotFound, Unprocessable, problem_responses
from app.core.i18n import _, format_date
from app.core.idempotency import Idempotent
from app.core.inputs import BusinessDate
from app.core.pagination import RowId
from app.servicing import collateral, payments, restructuring, rules, settlement
from app.servicing.ledger import account_of, balance_of, schedule_of
from app.servicing.models import Allocation, LedgerEntry, Payment, Restructuring
from app.servicing.schemas import (
    AllocationOut,
    BalanceOut,
    CollateralIn,
    CollateralOut,
    EntryReversalIn,
    InstallmentsOut,
    InstallmentView,
    LedgerEntryOut,
    LedgerOut,
    PaymentIn,
    PaymentList,
    PaymentOut,
    RefundIn,
    RestructuringDecisionIn,
    RestructuringIn,
    RestructuringList,
    RestructuringOut,
    ReversalIn,
    SettlementLetterOut,
    SettlementQuoteOut,
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
