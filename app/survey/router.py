"""Stage 1 — survey orders: `POST /v1/contracts/{number}/survey-order`,
`GET /v1/survey-orders`, `POST /v1/survey-orders/{id}/result`."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, status
from fastapi.responses import JSONResponse

from app.auth.dependencies import current_principal, require
from app.auth.roles import Permission
from app.auth.service import Principal
from app.contracts.router import IfMatch, transition_route
from app.contracts.service import check_if_match, get_visible
from app.contracts.states import Action
from app.core.dependencies import DbSession
from app.core.errors import problem_responses
from app.core.idempotency import Idempotent
from app.core.openapi import sends
from app.core.pagination import RowId, decode_cursor
from app.survey import service
from app.survey.schemas import SurveyOrderIn, SurveyOrderOut, SurveyOrderPage, SurveyResultIn

router = APIRouter(prefix="/v1", tags=["stage 1 — survey"])
Actor = Annotated[Principal, Depends(current_principal)]
Reader = Annotated[Principal, Depends(require(Permission.SURVEY_READ))]


@router.post(
    "/contracts/{number}/survey-order",
    summary="Send a surveyor: picked by the applicant's area and workload, or named",
    status_code=status.HTTP_201_CREATED,
    response_model=SurveyOrderOut,
    **transition_route(Action.ASSIGN_SURVEY, responses={201: sends("Location")}),
)
def assign_survey(
    number: str,
    data: SurveyOrderIn,
    once: Idempotent,
    session: DbSession,
    principal: Actor,
    if_match: IfMatch = None,
) -> JSONResponse:
    def work() -> tuple[SurveyOrderOut, dict[str, str]]:
        contract = get_visible(session, principal, number)
        check_if_match(contract, if_match)
        order = service.assign(session, principal, contract, data.surveyor, data.note)
        return service.order_view(session, order.id), {"Location": f"/v1/survey-orders/{order.id}"}

    return once.run(principal.user_id, data, status.HTTP_201_CREATED, work)


@router.get(
    "/survey-orders",
    summary="Survey work list: a surveyor's own orders, an analyst's branch's",
    responses=problem_responses(403),
)
def list_survey_orders(
    session: DbSession,
    principal: Reader,
    status: Literal["open", "done", "reassigned"] | None = None,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the last page")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> SurveyOrderPage:
    return service.work_list(session, principal, status, decode_cursor(cursor), limit)


@router.get(
    "/survey-orders/{order_id}",
    summary="Read one survey order",
    responses=problem_responses(403, 404),
)
def get_survey_order(order_id: RowId, session: DbSession, principal: Reader) -> SurveyOrderOut:
    return service.order_view(session, service.get_order(session, principal, order_id).id)


@router.post(
    "/survey-orders/{order_id}/result",
    summary="Record the visit and the document checklist; the contract becomes SURVEYED",
    response_model=SurveyOrderOut,
    **transition_route(Action.RECORD_SURVEY),
)
def record_survey_result(
    order_id: RowId,
    data: SurveyResultIn,
    session: DbSession,
    principal: Actor,
) -> SurveyOrderOut:
    order = service.get_order(session, principal, order_id)
    service.record_result(session, principal, order, data)
    return service.order_view(session, order.id)
