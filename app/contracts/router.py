"""Reading contracts and their logs, and withdrawing one (`/v1/contracts/...`)."""

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Response

from app.applications.service import name_or_nik_filter
from app.auth.dependencies import current_principal, require, require_role
from app.auth.roles import Permission
from app.auth.service import Principal
from app.contracts import service
from app.contracts.models import Contract
from app.contracts.schemas import (
    CancellationIn,
    ContractOut,
    ContractPage,
    EventOut,
    TransitionOut,
)
from app.contracts.scope import visible_to
from app.contracts.states import Action, ContractState, roles_for
from app.contracts.views import contract_out, contract_page, event_views, with_codes
from app.core.clock import start_of_day
from app.core.dependencies import DbSession
from app.core.errors import Forbidden, problem_responses
from app.core.etags import etag_matches
from app.core.i18n import _
from app.core.inputs import BusinessDate
from app.core.openapi import sends
from app.core.pagination import decode_cursor
from app.core.privacy import SEES_PERSONAL_DATA
from app.reference.models import Dealer

router = APIRouter(prefix="/v1/contracts", tags=["contracts"])
Reader = Annotated[Principal, Depends(require(Permission.CONTRACT_READ))]
IfMatch = Annotated[str | None, Header(description="ETag of the version you read")]
IfNoneMatch = Annotated[
    str | None, Header(description="ETag of the version you hold: 304 while it is current")
]


def transition_route(
    *actions: Action, responses: dict[int | str, dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Route options shared by every endpoint that moves a contract along the machine:
    the roles come from the transition table (those allowed every one of the endpoint's
    actions), and the docs name the transitions (and any ``responses`` of the route's own)."""
    roles = frozenset.intersection(*(roles_for(action) for action in actions))
    return {
        "openapi_extra": {"x-transitions": [action.value for action in actions]},
        "responses": {**(responses or {}), **problem_responses(403, 404, 409, 412)},
        "dependencies": [Depends(require_role(roles, "/".join(a.value for a in actions)))],
    }


def transition_out(contract: Contract, action: Action, from_state: str) -> TransitionOut:
    return TransitionOut(
        number=contract.number,
        action=action,
        from_state=from_state,
        state=contract.state,
        version=contract.version,
    )


@router.get(
    "", summary="List contracts in your scope, newest first", responses=problem_responses(403)
)
def list_contracts(
    session: DbSession,
    principal: Reader,
    state: ContractState | None = None,
    dealer: Annotated[str | None, Query(description="Dealer code")] = None,
    submitted_from: Annotated[BusinessDate | None, Query(description="First day (Jakarta)")] = None,
    submitted_to: Annotated[BusinessDate | None, Query(description="Last day (Jakarta)")] = None,
    q: Annotated[
        str | None,
        Query(min_length=3, max_length=100, description="Staff only: a NIK or part of a name"),
    ] = None,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the last page")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ContractPage:
    query = with_codes().where(visible_to(principal))
    if state is not None:
        query = query.where(Contract.state == state.value)
    if dealer is not None:
        query = query.where(Dealer.code == dealer)
    if submitted_from is not None:
        query = query.where(Contract.created_at >= start_of_day(submitted_from))
    if submitted_to is not None:
        query = query.where(Contract.created_at < start_of_day(submitted_to + timedelta(days=1)))
    if q is not None:
        if principal.role not in SEES_PERSONAL_DATA:
            raise Forbidden(_("Searching by name or NIK is for branch staff."))
        query = query.where(name_or_nik_filter(q))
    after = decode_cursor(cursor)
    if after is not None:
        query = query.where(Contract.id < after)
    return contract_page(session, query, limit)


@router.get(
    "/{number}",
    summary="Read one contract (ETag; If-None-Match gives 304)",
    response_model=ContractOut,
    responses={200: sends("ETag"),
               304: {"description": "Not modified since the ETag you sent", **sends("ETag")},
               **problem_responses(403, 404)},
)  # fmt: skip
def get_contract(
    number: str,
    response: Response,
    session: DbSession,
    principal: Reader,
    if_none_match: IfNoneMatch = None,
) -> Any:
    contract = service.get_visible(session, principal, number)
    etag = service.etag_of(contract)
    if etag_matches(if_none_match, etag):
        return Response(status_code=304, headers={"ETag": etag})
    response.headers["ETag"] = etag
    return contract_out(session, contract, principal)


@router.get(
    "/{number}/events",
    summary="The contract's log: every transition with who, role, when, from, to and why",
    responses=problem_responses(403, 404),
)
def list_events(number: str, session: DbSession, principal: Reader) -> list[EventOut]:
    contract = service.get_visible(session, principal, number)
    return event_views(session, service.events_of(session, contract))


@router.post(
    "/{number}/cancellation",
    summary="Withdraw an application before disbursement",
    **transition_route(Action.CANCEL),
)
def cancel_contract(
    number: str,
    data: CancellationIn,
    session: DbSession,
    principal: Annotated[Principal, Depends(current_principal)],
    if_match: IfMatch = None,
) -> TransitionOut:
    contract = service.get_visible(session, principal, number)
    service.check_if_match(contract, if_match)
    before = contract.state
    service.transition(session, contract, Action.CANCEL, principal, reason=data.reason)
    return transition_out(contract, Action.CANCEL, before)
