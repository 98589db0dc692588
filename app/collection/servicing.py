"""Servicing an active contract: restructuring (requested by a collector, decided by an
approver), its collateral documents (the fiduciary certificate and the BPKB), and the
collector it is assigned to."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select

from app.auth.dependencies import require
from app.auth.roles import Permission
from app.auth.service import Principal, username_of
from app.collection import restructuring, work
from app.collection.models import CollectorAssignment, Restructuring
from app.collection.restructuring import MAX_HOLIDAY_MONTHS, MAX_INSTALLMENTS
from app.contracts.models import Contract
from app.contracts.router import transition_route
from app.contracts.service import get_visible
from app.contracts.states import Action
from app.core.dependencies import DbSession
from app.core.errors import NotFound, problem_responses
from app.core.idempotency import Idempotent
from app.core.pagination import RowId

router = APIRouter(prefix="/v1", tags=["collection"])
Requester = Annotated[Principal, Depends(require(Permission.RESTRUCTURE_REQUEST))]
Decider = Annotated[Principal, Depends(require(Permission.RESTRUCTURE_DECIDE))]
Reader = Annotated[Principal, Depends(require(Permission.RESTRUCTURE_READ))]
Assigner = Annotated[Principal, Depends(require(Permission.COLLECTION_ASSIGN))]
BackOffice = Annotated[Principal, Depends(require(Permission.COLLATERAL_WRITE))]
ScheduleReader = Annotated[Principal, Depends(require(Permission.SCHEDULE_READ))]

TERM_OF = {
    "payment_holiday": "holiday_months",
    "tenor_extension": "installments",
    "rate_reduction": "annual_rate",
}


class RestructuringIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "payment_holiday",
                    "holiday_months": 3,
                    "reason": "Debtor hospitalised; salary resumes in March",
                },
                {"kind": "tenor_extension", "installments": 30, "reason": "Income halved"},
                {"kind": "rate_reduction", "annual_rate": "0.20", "reason": "Loyal debtor"},
            ]
        },
    )

    kind: Literal["payment_holiday", "tenor_extension", "rate_reduction"]
    holiday_months: int | None = Field(default=None, strict=True, ge=1, le=MAX_HOLIDAY_MONTHS)
    installments: int | None = Field(
        default=None,
        strict=True,
        ge=1,
        le=MAX_INSTALLMENTS,
        description="How many installments from now",
    )
    annual_rate: Decimal | None = Field(
        default=None, gt=0, lt=1, max_digits=8, decimal_places=6, description="Effective, a year"
    )
    reason: str = Field(min_length=3, max_length=1000)

    @model_validator(mode="after")
    def _one_term(self) -> "RestructuringIn":
        given = {name for name in TERM_OF.values() if getattr(self, name) is not None}
        if given != {TERM_OF[self.kind]}:
            raise ValueError(f"a {self.kind} takes {TERM_OF[self.kind]} and no other term")
        return self

    def terms(self) -> dict[str, Any]:
        name = TERM_OF[self.kind]
        value = getattr(self, name)
        return {name: str(value) if isinstance(value, Decimal) else value}


class DecisionIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"decision": "approve", "reason": "Income verified by the survey"}]
        },
    )

    decision: Literal["approve", "reject"]
    reason: str = Field(min_length=3, max_length=1000)


class RestructuringOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 1,
                    "contract_number": "JKT01-2026-MC-000042",
                    "kind": "payment_holiday",
                    "terms": {"holiday_months": 3},
                    "reason": "Debtor hospitalised; salary resumes in March",
                    "status": "approved",
                    "requested_by": "collector.joko",
                    "requested_at": "2026-11-20T03:00:00Z",
                    "decided_by": "approver.hendra",
                    "decided_at": "2026-11-21T04:00:00Z",
                    "decision_reason": "Hospital letter seen",
                    "effective_on": "2026-11-21",
                    "annual_rate": "0.315510",
                    "outstanding_principal": 10_400_000,
                    "capitalised_interest": 1_120_000,
                    "installment": 640_000,
                    "installments": 24,
                    "first_due_on": "2027-03-24",
                    "old_schedule": [],
                }
            ]
        }
    )

    id: int
    contract_number: str
    kind: str
    terms: dict[str, Any]
    reason: str
    status: str
    requested_by: str | None
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None
    effective_on: date | None = Field(description="The day the new schedule took over")
    annual_rate: Decimal | None = Field(description="Of the new schedule")
    outstanding_principal: int | None
    capitalised_interest: int | None = Field(
        description="Interest due and unpaid, and a holiday's interest, added to the principal"
    )
    installment: int | None
    installments: int | None
    first_due_on: date | None
    old_schedule: list[dict[str, Any]] | None = Field(
        description="The schedule as it stood when approved (kept; the new one is in force)"
    )


class RestructuringList(BaseModel):
    items: list[RestructuringOut]


def _out(session: DbSession, row: Restructuring, number: str) -> RestructuringOut:
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
        return _out(session, row, number), {}

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
    return RestructuringList(items=[_out(session, r, number) for r in rows])


@router.post(
    "/restructurings/{restructuring_id}/decision",
    summary="Approve (the new schedule takes over) or reject a restructuring",
    **transition_route(Action.RESTRUCTURE),
)
def decide_restructuring(
    restructuring_id: RowId, data: DecisionIn, session: DbSession, principal: Decider
) -> RestructuringOut:
    found = session.execute(
        select(Restructuring, Contract.number)
        .join(Contract, Contract.id == Restructuring.contract_id)
        .where(Restructuring.id == restructuring_id)
    ).first()
    if found is None:
        raise NotFound(f"No restructuring {restructuring_id}.")
    row, number = found
    contract = get_visible(session, principal, number)  # 404 outside the approver's branch
    restructuring.decide(session, principal, contract, row, data.decision, data.reason)
    return _out(session, row, number)


class CollateralOut(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "fiduciary_deadline": "2026-12-22",
                    "fiduciary_registered_on": "2026-12-01",
                    "fiduciary_certificate": "W10.00123456.AH.05.01-2026",
                    "bpkb_status": "held",
                    "bpkb_number": "P-01234567",
                }
            ]
        },
    )

    fiduciary_deadline: date = Field(description="Registration is due within 30 days of signing")
    fiduciary_registered_on: date | None
    fiduciary_certificate: str | None
    bpkb_status: Literal["awaited", "held", "released"]
    bpkb_number: str | None


class CollateralIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "fiduciary_registered_on": "2026-12-01",
                    "fiduciary_certificate": "W10.00123456.AH.05.01-2026",
                },
                {"bpkb_status": "held", "bpkb_number": "P-01234567"},
            ]
        },
    )

    fiduciary_registered_on: date | None = None
    fiduciary_certificate: str | None = Field(default=None, min_length=5, max_length=60)
    bpkb_status: Literal["awaited", "held", "released"] | None = None
    bpkb_number: str | None = Field(default=None, min_length=4, max_length=30)


@router.get(
    "/contracts/{number}/collateral",
    summary="The fiduciary registration and the BPKB, with the registration deadline",
    responses=problem_responses(403, 404),
)
def read_collateral(number: str, session: DbSession, principal: ScheduleReader) -> CollateralOut:
    contract = get_visible(session, principal, number)
    return CollateralOut.model_validate(work.collateral_of(session, contract))


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
    return CollateralOut.model_validate(work.update_collateral(session, contract, changes))


class AssignmentIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"collector": "collector.joko"}]}
    )

    collector: str = Field(min_length=1, max_length=60, description="A collector's username")


class AssignmentOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "contract_number": "JKT01-2026-MC-000042",
                    "collector": "collector.joko",
                    "assigned_on": "2026-11-22",
                }
            ]
        }
    )

    contract_number: str
    collector: str
    assigned_on: date


@router.put(
    "/contracts/{number}/collector",
    summary="Assign the contract to a collector of its branch (the work list's filter)",
    responses=problem_responses(403, 404),
)
def assign_collector(
    number: str, data: AssignmentIn, session: DbSession, principal: Assigner
) -> AssignmentOut:
    contract = get_visible(session, principal, number)
    assignment: CollectorAssignment = work.assign_collector(
        session, principal, contract, data.collector
    )
    return AssignmentOut(
        contract_number=number, collector=data.collector, assigned_on=assignment.assigned_on
    )
