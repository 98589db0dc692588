"""Collection — payments, the installment view, positions, and the close of business."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response, status
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select

from app.applications.schemas import PaymentMethod
from app.auth.dependencies import require
from app.auth.roles import Permission
from app.auth.service import Principal
from app.collection import report, restructuring, service, work
from app.collection.models import Holiday, Payment, Position
from app.contracts.models import Contract
from app.contracts.service import get_visible
from app.core.clock import today_jakarta
from app.core.dependencies import DbSession
from app.core.errors import NotFound, problem_responses
from app.core.idempotency import Idempotent
from app.core.pagination import RowId

router = APIRouter(prefix="/v1", tags=["collection"])
Cashier = Annotated[Principal, Depends(require(Permission.PAYMENT_POST))]
ScheduleReader = Annotated[Principal, Depends(require(Permission.SCHEDULE_READ))]
Closer = Annotated[Principal, Depends(require(Permission.CLOSE_OF_BUSINESS))]
Reporter = Annotated[Principal, Depends(require(Permission.REPORT_READ))]
Collector = Annotated[Principal, Depends(require(Permission.COLLECTION_WORK))]
HolidayReader = Annotated[Principal, Depends(require(Permission.REFERENCE_READ))]


class PaymentIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "contract_number": "JKT01-2026-MC-000042",
                    "amount": 825_000,
                    "paid_on": "2026-12-24",
                    "channel": "virtual_account",
                    "reference": "VA-8808-0042-1224",
                }
            ]
        },
    )

    contract_number: str
    amount: int = Field(strict=True, gt=0, le=100_000_000_000)
    paid_on: date
    channel: PaymentMethod | None = Field(default=None, description="Default: the contract's")
    reference: str = Field(min_length=3, max_length=60)


class PaymentOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 1,
                    "contract_number": "JKT01-2026-MC-000042",
                    "amount": 825_000,
                    "paid_on": "2026-12-24",
                    "channel": "virtual_account",
                    "reference": "VA-8808-0042-1224",
                    "reversed": False,
                    "contract_state": "ACTIVE",
                }
            ]
        }
    )

    id: int
    contract_number: str
    amount: int
    paid_on: date
    channel: str
    reference: str
    reversed: bool
    contract_state: str


class ReversalIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "bounced"}]}
    )

    reason: Literal["bounced", "mistaken"]


class InstallmentView(BaseModel):
    number: int
    due_date: date
    amount: int
    principal: int
    interest: int
    paid: int
    late_charge_paid: int
    outstanding: int
    settled_on: date | None
    days_late: int


class InstallmentsOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "contract_number": "JKT01-2026-MC-000042",
                    "restructured_on": None,
                    "items": [
                        {
                            "number": 1,
                            "due_date": "2026-12-24",
                            "amount": 825_000,
                            "principal": 442_061,
                            "interest": 382_939,
                            "paid": 825_000,
                            "late_charge_paid": 0,
                            "outstanding": 0,
                            "settled_on": "2026-12-24",
                            "days_late": 0,
                        }
                    ],
                }
            ]
        }
    )

    contract_number: str
    restructured_on: date | None = Field(
        description="When the current schedule was approved, for a restructured contract"
    )
    items: list[InstallmentView] = Field(description="The schedule in force")


class PositionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    business_date: date
    days_past_due: int
    bucket: str
    kol: int
    outstanding_principal: int


class PositionsOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "contract_number": "JKT01-2026-MC-000042",
                    "items": [
                        {
                            "business_date": "2027-02-25",
                            "days_past_due": 63,
                            "bucket": "60-89",
                            "kol": 2,
                            "outstanding_principal": 12_800_000,
                        }
                    ],
                }
            ]
        }
    )

    contract_number: str
    items: list[PositionOut] = Field(description="One per closed business day, oldest first")


class CloseIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"business_date": "2026-11-22"}]}
    )

    business_date: date


class ClosedDay(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    business_date: date
    contracts: int
    written_off: int
    listed_overdue_60: int


class CloseOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "days": [
                        {
                            "business_date": "2026-11-22",
                            "contracts": 1520,
                            "written_off": 2,
                            "listed_overdue_60": 5,
                        }
                    ]
                }
            ]
        }
    )

    days: list[ClosedDay] = Field(description="Each day closed by this call, in order")


def _payment_out(payment: Payment, number: str, state: str) -> PaymentOut:
    return PaymentOut(
        id=payment.id,
        contract_number=number,
        amount=payment.amount,
        paid_on=payment.paid_on,
        channel=payment.channel,
        reference=payment.reference,
        reversed=payment.reversed_at is not None,
        contract_state=state,
    )


@router.post(
    "/payments",
    summary="Post a payment; it goes to the oldest installment first",
    status_code=status.HTTP_201_CREATED,
    response_model=PaymentOut,
    responses=problem_responses(403, 404, 409),
)
def post_payment(
    data: PaymentIn, once: Idempotent, session: DbSession, principal: Cashier
) -> JSONResponse:
    def work() -> tuple[PaymentOut, dict[str, str]]:
        contract = get_visible(session, principal, data.contract_number)
        payment = service.post_payment(session, principal, contract, data.model_dump())
        return _payment_out(payment, contract.number, contract.state), {}

    return once.run(principal.user_id, data, status.HTTP_201_CREATED, work)


@router.post(
    "/payments/{payment_id}/reversal",
    summary="Reverse a bounced or mistaken payment; everything after it is recomputed",
    responses=problem_responses(403, 404, 409),
)
def reverse_payment(
    payment_id: RowId, data: ReversalIn, session: DbSession, principal: Cashier
) -> PaymentOut:
    found = session.execute(
        select(Payment, Contract.number)
        .join(Contract, Contract.id == Payment.contract_id)
        .where(Payment.id == payment_id)
    ).first()
    if found is None:
        raise NotFound(f"No payment {payment_id}.")
    payment, number = found
    contract = get_visible(session, principal, number)  # 404 outside the caller's scope
    service.reverse_payment(session, payment, data.reason)
    return _payment_out(payment, contract.number, contract.state)


@router.get(
    "/contracts/{number}/installments",
    summary="The schedule with what was paid, what is outstanding and days late",
    responses=problem_responses(403, 404),
)
def list_installments(
    number: str, session: DbSession, principal: ScheduleReader
) -> InstallmentsOut:
    contract = get_visible(session, principal, number)
    rows = service.installments_view(session, contract, today_jakarta())
    return InstallmentsOut(
        contract_number=number,
        restructured_on=restructuring.restructured_on(session, contract),
        items=[InstallmentView.model_validate(r) for r in rows],
    )


@router.get(
    "/contracts/{number}/positions",
    summary="Days past due, bucket and Kol at each close of business",
    responses=problem_responses(403, 404),
)
def list_positions(number: str, session: DbSession, principal: ScheduleReader) -> PositionsOut:
    contract = get_visible(session, principal, number)
    rows = session.scalars(
        select(Position).where(Position.contract_id == contract.id).order_by(Position.business_date)
    )
    return PositionsOut(contract_number=number, items=[PositionOut.model_validate(r) for r in rows])


@router.post(
    "/collection/close-of-business",
    summary="Close every business day not yet closed, up to the date given",
    responses=problem_responses(403),
)
def close_of_business(data: CloseIn, session: DbSession, _: Closer) -> CloseOut:
    closed = service.close_through(session, data.business_date)
    return CloseOut(days=[ClosedDay.model_validate(c) for c in closed])


class PortfolioOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "month": "2026-10",
                    "buckets": {"current": {"accounts": 442203, "amount": 701550637651}},
                    "enr": {"accounts": 489490, "amount": 793498844117},
                    "write_off_mtd": {"accounts": 837, "amount": 5137805292},
                    "write_off_ytd": {"accounts": 16329, "amount": 39083262115},
                    "recovery_ytd": 15138241910,
                    "recovery_rate": "38.73",
                    "delinquency_rate": {"by_amount": "6.13", "by_accounts": "4.85"},
                    "net_flow_rates": {"1-29": "6.70", "write_off": "79.43"},
                    "kol": {"kol_1": {"accounts": 442203, "amount": 701550637651}},
                    "npf": {"amount": 21202618497, "rate": "2.67"},
                    "roll_rates": {"current": {"current": 690000000000, "1-29": 45694879687}},
                }
            ]
        }
    )

    month: str
    buckets: dict[str, dict[str, int]]
    enr: dict[str, int]
    write_off_mtd: dict[str, int]
    write_off_ytd: dict[str, int]
    recovery_ytd: int
    recovery_rate: Decimal
    delinquency_rate: dict[str, Decimal]
    net_flow_rates: dict[str, Decimal] = Field(description="Keyed by the bucket flowed into")
    kol: dict[str, dict[str, int]]
    debtor_kol: dict[str, int] = Field(description="Debtors by the worst Kol of their contracts")
    npf: dict[str, Decimal | int]
    roll_rates: dict[str, dict[str, int]] = Field(
        description="Last month-end's balance of each bucket, by where it stands now"
    )


def _csv(report: dict[str, Any]) -> str:
    lines = ["section,item,accounts,amount_or_rate"]
    for name, row in report["buckets"].items():
        lines.append(f"bucket,{name},{row['accounts']},{row['amount']}")
    for key in ("enr", "write_off_mtd", "write_off_ytd"):
        lines.append(f"total,{key},{report[key]['accounts']},{report[key]['amount']}")
    lines.append(f"total,recovery_ytd,,{report['recovery_ytd']}")
    lines.append(f"rate,recovery,,{report['recovery_rate']}")
    for key, value in report["delinquency_rate"].items():
        lines.append(f"rate,delinquency_{key},,{value}")
    for key, value in report["net_flow_rates"].items():
        lines.append(f"net_flow,{key},,{value}")
    for key, row in report["kol"].items():
        lines.append(f"kol,{key},{row['accounts']},{row['amount']}")
    lines.append(f"rate,npf,,{report['npf']['rate']}")
    for source, targets in report["roll_rates"].items():
        for target, amount in targets.items():
            lines.append(f"roll,{source}->{target},,{amount}")
    return "\n".join(lines) + "\n"


@router.get(
    "/reports/portfolio",
    summary="Buckets, ENR, write-off, recovery, delinquency, flow rates, Kol, roll rates",
    response_model=PortfolioOut,
    responses={200: {"content": {"text/csv": {}}}, **problem_responses(403, 409)},
)
def portfolio_report(
    session: DbSession,
    _: Reporter,
    month: Annotated[str, Query(pattern=r"^(19|20)\d{2}-(0[1-9]|1[0-2])$", examples=["2026-10"])],
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> Any:
    year, number = (int(part) for part in month.split("-"))
    data = report.portfolio(session, year, number)
    if format == "csv":
        return Response(_csv(data), media_type="text/csv")
    return data


class ActionIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "desk_call",
                    "performed_at": "2026-11-23T10:00:00+07:00",
                    "place": "billing_address",
                    "person": "debtor",
                    "result": "promise_to_pay",
                    "promise_date": "2026-11-30",
                    "promise_amount": 825000,
                },
                {
                    "kind": "warning_letter",
                    "performed_at": "2026-11-23T09:00:00+07:00",
                    "place": "billing_address",
                    "person": "debtor",
                    "result": "sent",
                },
            ]
        },
    )

    kind: Literal["reminder_call", "desk_call", "field_visit", "warning_letter", "repossession"]
    performed_at: AwareDatetime
    place: Literal["billing_address", "domicile", "other"]
    person: Literal["debtor", "third_party"]
    result: Literal[
        "contacted",
        "promise_to_pay",
        "refused",
        "not_found",
        "paid",
        "no_answer",
        "sent",
        "handed_over",
    ]
    promise_date: date | None = None
    promise_amount: int | None = Field(default=None, strict=True, gt=0)
    voluntary_handover: bool = False
    court_order: str | None = Field(default=None, max_length=100)
    note: str | None = Field(default=None, max_length=1000)

    @model_validator(mode="after")
    def _promise(self) -> "ActionIn":
        promised = self.result == "promise_to_pay"
        if promised != (self.promise_date is not None and self.promise_amount is not None):
            raise ValueError("a promise to pay has a date and an amount, and only a promise")
        return self


class ActionOut(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 1,
                    "kind": "warning_letter",
                    "performed_at": "2026-11-23T02:00:00Z",
                    "place": "billing_address",
                    "result": "sent",
                    "promise_date": None,
                    "promise_amount": None,
                    "promise_broken_on": None,
                    "letter_number": "SP1-JKT01-2026-SP-000001",
                    "letter": {
                        "level": "SP1",
                        "due_date": "2026-10-24",
                        "days_late": 30,
                        "outstanding_principal": 12800000,
                        "interest_due": 382939,
                        "fines": 0,
                        "installments_late": 1,
                    },
                    "note": None,
                }
            ]
        },
    )

    id: int
    kind: str
    performed_at: datetime
    place: str
    result: str
    promise_date: date | None
    promise_amount: int | None
    promise_broken_on: date | None
    letter_number: str | None
    letter: dict[str, Any] | None
    note: str | None


class ConsentIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"place": "Kantor debitur, Jl. Sudirman 1, Jakarta"}]},
    )

    place: str = Field(min_length=3, max_length=200)


class Account(BaseModel):
    contract_number: str
    debtor: str
    business_date: date
    days_past_due: int
    bucket: str
    kol: int
    amount_at_risk: int
    broken_promises: int
    strategy: str
    collector: str | None = Field(description="The collector assigned, if any")


class AccountList(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "contract_number": "JKT01-2026-MC-000042",
                            "debtor": "Siti Rahmawati",
                            "business_date": "2026-11-22",
                            "days_past_due": 35,
                            "bucket": "30-59",
                            "kol": 2,
                            "amount_at_risk": 12800000,
                            "broken_promises": 1,
                            "strategy": "desk call and warning letter SP1 (mid-range)",
                            "collector": "collector.joko",
                        }
                    ]
                }
            ]
        }
    )

    items: list[Account]


class HolidayIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"day": "2026-12-25", "name": "Hari Raya Natal"}]},
    )

    day: date
    name: str = Field(min_length=2, max_length=100)


class HolidayList(BaseModel):
    items: list[HolidayIn]


@router.post(
    "/contracts/{number}/collection-actions",
    summary="Record a collection action and its result, within the OJK conduct rules",
    status_code=status.HTTP_201_CREATED,
    response_model=ActionOut,
    responses=problem_responses(403, 404, 409),
)
def record_action(
    number: str, data: ActionIn, once: Idempotent, session: DbSession, principal: Collector
) -> JSONResponse:
    def work_() -> tuple[ActionOut, dict[str, str]]:
        contract = get_visible(session, principal, number)
        action = work.record(session, principal, contract, data.model_dump())
        return ActionOut.model_validate(action), {}

    return once.run(principal.user_id, data, status.HTTP_201_CREATED, work_)


@router.post(
    "/contracts/{number}/collection-consent",
    summary="Record the debtor's prior consent to be met at another place",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(403, 404),
)
def record_consent(
    number: str, data: ConsentIn, session: DbSession, principal: Collector
) -> ConsentIn:
    contract = get_visible(session, principal, number)
    consent = work.record_consent(session, principal, contract, data.place)
    return ConsentIn(place=consent.place)


@router.get(
    "/collection/accounts",
    summary="Accounts in arrears, riskiest first, with the strategy for their bucket",
    responses=problem_responses(403),
)
def collection_accounts(
    session: DbSession,
    principal: Collector,
    bucket: Annotated[
        Literal["1-29", "30-59", "60-89", "90-119", "120-149", "150-179", "180+"] | None, Query()
    ] = None,
    branch: Annotated[str | None, Query(max_length=10, examples=["JKT01"])] = None,
    collector: Annotated[
        str | None, Query(max_length=60, description="Assigned collector's username")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AccountList:
    rows = work.work_list(session, principal, limit, bucket, branch, collector)
    return AccountList(items=[Account.model_validate(a) for a in rows])


@router.get(
    "/holidays",
    summary="National holidays (no collection contact)",
    responses=problem_responses(403),
)
def list_holidays(session: DbSession, _: HolidayReader) -> HolidayList:
    rows = session.scalars(select(Holiday).order_by(Holiday.day))
    return HolidayList(items=[HolidayIn(day=h.day, name=h.name) for h in rows])


@router.put(
    "/holidays", summary="Add or rename a national holiday", responses=problem_responses(403)
)
def set_holiday(data: HolidayIn, session: DbSession, _: Closer) -> HolidayIn:
    holiday = session.get(Holiday, data.day) or Holiday(day=data.day)
    holiday.name = data.name
    session.add(holiday)
    session.flush()
    return data
