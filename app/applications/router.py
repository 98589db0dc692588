"""Stage 1 — `POST /v1/contracts`: the dealer's or salesman's application."""

from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from app.applications import service
from app.applications.schemas import ApplicationIn
from app.auth.dependencies import require
from app.auth.roles import Permission
from app.auth.service import Principal
from app.contracts.schemas import ContractOut
from app.contracts.service import etag_of
from app.contracts.views import contract_out
from app.core.dependencies import DbSession
from app.core.errors import problem_responses

router = APIRouter(prefix="/v1/contracts", tags=["stage 1 — application"])


@router.post(
    "",
    summary="Submit an application; the contract is numbered and starts SUBMITTED",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(403, 409),
)
def submit_application(
    data: ApplicationIn,
    response: Response,
    session: DbSession,
    principal: Annotated[Principal, Depends(require(Permission.CONTRACT_SUBMIT))],
) -> ContractOut:
    contract = service.submit(session, principal, data)
    response.headers["Location"] = f"/v1/contracts/{contract.number}"
    response.headers["ETag"] = etag_of(contract)
    return contract_out(session, contract, principal)
