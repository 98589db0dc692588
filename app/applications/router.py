"""Stage 1 — `POST /v1/contracts` (submit) and `PATCH /v1/contracts/{number}` (complete)."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Response, status
from fastapi.responses import JSONResponse

from app.applications import service
from app.applications.schemas import ApplicationIn
from app.auth.dependencies import current_principal, require
from app.auth.roles import Permission
from app.auth.service import Principal
from app.contracts.router import IfMatch, transition_route
from app.contracts.schemas import ContractOut
from app.contracts.service import check_if_match, etag_of, get_visible
from app.contracts.states import Action
from app.contracts.views import contract_out
from app.core.dependencies import DbSession
from app.core.errors import problem_responses
from app.core.idempotency import Idempotent
from app.core.openapi import sends

router = APIRouter(prefix="/v1/contracts", tags=["stage 1 — application"])


@router.post(
    "",
    summary="Submit an application; the contract is numbered and starts SUBMITTED",
    status_code=status.HTTP_201_CREATED,
    response_model=ContractOut,
    responses={201: sends("Location", "ETag"), **problem_responses(403, 409)},
)
def submit_application(
    data: ApplicationIn,
    once: Idempotent,
    session: DbSession,
    principal: Annotated[Principal, Depends(require(Permission.CONTRACT_SUBMIT))],
) -> JSONResponse:
    def work() -> tuple[ContractOut, dict[str, str]]:
        contract = service.submit(session, principal, data)
        headers = {"Location": f"/v1/contracts/{contract.number}", "ETag": etag_of(contract)}
        return contract_out(session, contract, principal), headers

    return once.run(principal.user_id, data, status.HTTP_201_CREATED, work)


PATCH_EXAMPLE = {
    "applicant": {
        "phones": [
            {"kind": "mobile", "number": "0812-3456-7890"},
            {"kind": "office", "number": "021-3912345"},
        ],
        "employment": {"monthly_income": 9_000_000},
    },
    "vehicle": {"chassis_number": "MH1JM8117PK123456", "engine_number": "JM81E1234567"},
}


@router.patch(
    "/{number}",
    summary="Complete or correct the application (JSON Merge Patch), before pre-screening",
    response_model=ContractOut,
    **transition_route(Action.AMEND, responses={200: sends("ETag")}),
)
def amend_application(
    number: str,
    patch: Annotated[
        dict[str, Any],
        Body(
            description="A JSON Merge Patch (RFC 7396) of the application form: objects merge, "
            "`null` removes, lists replace. The whole form is validated again.",
            openapi_examples={
                "complete": {
                    "summary": "Add a phone, the income and the vehicle's numbers",
                    "value": PATCH_EXAMPLE,
                }
            },
            media_type="application/json",
        ),
    ],
    response: Response,
    session: DbSession,
    principal: Annotated[Principal, Depends(current_principal)],
    if_match: IfMatch = None,
) -> ContractOut:
    contract = get_visible(session, principal, number)
    check_if_match(contract, if_match)
    service.amend(session, principal, contract, patch)
    response.headers["ETag"] = etag_of(contract)
    return contract_out(session, contract, principal)
