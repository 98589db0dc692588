"""Stage 5 — `/v1/contracts/{number}/audit-findings`: auditors only; anyone else gets 404."""

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit import service
from app.audit.models import AuditFinding
from app.auth.dependencies import current_principal
from app.auth.models import User
from app.auth.roles import Role
from app.auth.service import Principal
from app.contracts.service import get_visible
from app.core.dependencies import DbSession
from app.core.errors import NotFound, problem_responses
from app.core.i18n import _
from app.core.idempotency import Idempotent
from app.core.inputs import FreeText, RequestModel
from app.core.pagination import RowId

router = APIRouter(prefix="/v1/contracts", tags=["stage 5 — audit findings"])


def auditor_only(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
    """Findings do not exist for anyone but internal audit: 404, not 403."""
    if principal.role is not Role.AUDITOR:
        raise NotFound(_("Not found."))
    return principal


Auditor = Annotated[Principal, Depends(auditor_only)]


class FindingIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "parameter": "income",
                    "severity": "blocking",
                    "remark": "Slip gaji tidak sesuai rekening koran",
                }
            ]
        },
    )

    parameter: str = Field(
        pattern=r"^[a-z_]+(\.[a-z_]+)*$",
        max_length=80,
        description="income, address, documents.kuitansi, ...",
    )
    remark: FreeText = Field(min_length=3, max_length=2000)
    severity: Literal["info", "warning", "blocking"]


class ResolutionIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"resolution": "Rekening koran 3 bulan diterima"}]},
    )

    resolution: FreeText = Field(min_length=3, max_length=2000)


class FindingOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 1,
                    "parameter": "income",
                    "remark": "...",
                    "severity": "blocking",
                    "status": "open",
                    "raised_by": "auditor.yuni",
                    "raised_at": "2026-11-22T09:00:00Z",
                    "resolved_by": None,
                    "resolved_at": None,
                    "resolution": None,
                }
            ]
        }
    )

    id: int
    parameter: str
    remark: str
    severity: str
    status: str
    raised_by: str
    raised_at: datetime
    resolved_by: str | None
    resolved_at: datetime | None
    resolution: str | None


class FindingList(BaseModel):
    items: list[FindingOut]
    held: bool = Field(description="An open blocking finding holds approval and disbursement")


def _out(session: Session, finding: AuditFinding) -> FindingOut:
    ids = [finding.raised_by_id, finding.resolved_by_id or 0]
    names = {
        uid: name
        for uid, name in session.execute(select(User.id, User.username).where(User.id.in_(ids)))
    }
    return FindingOut(
        id=finding.id,
        parameter=finding.parameter,
        remark=finding.remark,
        severity=finding.severity,
        status=finding.status,
        raised_by=names[finding.raised_by_id],
        raised_at=finding.raised_at,
        resolved_by=names.get(finding.resolved_by_id or 0),
        resolved_at=finding.resolved_at,
        resolution=finding.resolution,
    )


@router.get(
    "/{number}/audit-findings",
    summary="The contract's audit findings (auditors only)",
    responses=problem_responses(404),
)
def list_findings(number: str, session: DbSession, auditor: Auditor) -> FindingList:
    contract = get_visible(session, auditor, number)
    items = [_out(session, f) for f in service.findings(session, contract)]
    return FindingList(items=items, held=service.on_hold(session, contract))


@router.post(
    "/{number}/audit-findings",
    summary="Raise a finding on a parameter",
    status_code=status.HTTP_201_CREATED,
    response_model=FindingOut,
    responses=problem_responses(404),
)
def raise_finding(
    number: str, data: FindingIn, once: Idempotent, session: DbSession, auditor: Auditor
) -> JSONResponse:
    def work() -> tuple[FindingOut, dict[str, str]]:
        contract = get_visible(session, auditor, number)
        finding = service.raise_finding(
            session, auditor, contract, data.parameter, data.remark, data.severity
        )
        return _out(session, finding), {}

    return once.run(auditor.user_id, data, status.HTTP_201_CREATED, work)


@router.post(
    "/{number}/audit-findings/{finding_id}/resolution",
    summary="Resolve a finding",
    responses=problem_responses(404, 409),
)
def resolve_finding(
    number: str, finding_id: RowId, data: ResolutionIn, session: DbSession, auditor: Auditor
) -> FindingOut:
    contract = get_visible(session, auditor, number)
    return _out(session, service.resolve(session, auditor, contract, finding_id, data.resolution))
