"""Stage 7 — tracking for customer service and dealers, and the event feed (`/v1/events`)."""

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from app.auth.dependencies import require
from app.auth.roles import Permission
from app.auth.service import Principal
from app.contracts.models import Contract, ContractEvent
from app.contracts.router import IfNoneMatch
from app.contracts.scope import visible_to
from app.contracts.service import get_visible
from app.core.clock import utcnow
from app.core.dependencies import DbSession
from app.core.errors import NotFound, problem_responses
from app.core.etags import etag_matches
from app.core.i18n import _, language
from app.core.openapi import sends
from app.core.pagination import RowId, decode_cursor, encode_cursor
from app.prescreening.models import ContractParty
from app.tracking.service import timeline

router = APIRouter(prefix="/v1", tags=["stage 7 — tracking"])
Tracker = Annotated[Principal, Depends(require(Permission.TRACKING_READ))]
FeedReader = Annotated[Principal, Depends(require(Permission.EVENT_FEED))]
ETAGGED: dict[int | str, dict[str, Any]] = {
    200: sends("ETag"),
    304: {"description": "Not modified since the ETag you sent", **sends("ETag")},
}


class StageOut(BaseModel):
    stage: str
    started_at: Any
    ended_at: Any
    seconds: int = Field(description="How long the contract was (or has been) in this stage")


class TrackingEvent(BaseModel):
    at: Any
    what: str
    action: str
    from_state: str | None
    to_state: str
    by: str
    role: str
    reason: str | None


class TrackingOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "contract_number": "JKT01-2026-MC-000042",
                    "state": "PENDING_APPROVAL",
                    "stage": "6 approval",
                    "held_by": {
                        "role": "approver",
                        "user": None,
                        "next_step": "approve, reject or return",
                        "authority_level": 1,
                    },
                    "stages": [
                        {
                            "stage": "1 application",
                            "started_at": "2026-11-20T02:00:00Z",
                            "ended_at": "2026-11-21T03:00:00Z",
                            "seconds": 90000,
                        }
                    ],
                    "events": [
                        {
                            "at": "2026-11-20T02:00:00Z",
                            "what": "Application submitted",
                            "action": "submit",
                            "from_state": None,
                            "to_state": "SUBMITTED",
                            "by": "dealer.sinar",
                            "role": "dealer",
                            "reason": None,
                        }
                    ],
                }
            ]
        }
    )

    contract_number: str
    state: str
    stage: str
    held_by: dict[str, Any] | None = Field(description="Who must act next, and what he does")
    stages: list[StageOut]
    events: list[TrackingEvent]


class CustomerTracking(BaseModel):
    customer_id: int
    contracts: list[TrackingOut]


@router.get(
    "/contracts/{number}/tracking",
    response_model=TrackingOut,
    summary="Timeline, current stage, who holds it, how long each stage took",
    responses={**ETAGGED, **problem_responses(403, 404)},
)
def track_contract(
    number: str,
    response: Response,
    session: DbSession,
    principal: Tracker,
    if_none_match: IfNoneMatch = None,
) -> Any:
    contract = get_visible(session, principal, number)
    etag = f'W/"track-{contract.number}-v{contract.version}-{language()}"'
    if etag_matches(if_none_match, etag):
        return Response(status_code=304, headers={"ETag": etag})
    response.headers["ETag"] = etag
    return timeline(session, contract, utcnow())


@router.get(
    "/customers/{customer_id:int}/tracking",
    response_model=CustomerTracking,
    summary="Every contract of one consumer, tracked",
    responses={**ETAGGED, **problem_responses(403, 404)},
)
def track_customer(
    customer_id: RowId,
    response: Response,
    session: DbSession,
    principal: Tracker,
    if_none_match: IfNoneMatch = None,
) -> Any:
    contracts = list(
        session.scalars(
            select(Contract)
            .join(ContractParty, ContractParty.contract_id == Contract.id)
            .where(
                ContractParty.customer_id == customer_id,
                ContractParty.role == "applicant",
                visible_to(principal),
            )
            .order_by(Contract.id)
        )
    )
    if not contracts:
        raise NotFound(_("No contract of customer {id} in your scope.").format(id=customer_id))
    # The words are in the request's language: one tag per language.
    versions = ",".join(f"{c.number}:{c.version}" for c in contracts) + f";{language()}"
    etag = f'W/"customer-{customer_id}-{hashlib.sha256(versions.encode()).hexdigest()[:16]}"'
    if etag_matches(if_none_match, etag):
        return Response(status_code=304, headers={"ETag": etag})
    response.headers["ETag"] = etag
    now = utcnow()
    return {"customer_id": customer_id, "contracts": [timeline(session, c, now) for c in contracts]}


class FeedEvent(BaseModel):
    cursor: str = Field(description="Resume after this event with ?after=")
    contract_number: str
    seq: int
    action: str
    from_state: str | None
    to_state: str
    actor_role: str
    occurred_at: Any
    payload: dict[str, Any]


class FeedPage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [], "next_cursor": "azE6MTI"}]}
    )

    items: list[FeedEvent]
    next_cursor: str | None = Field(
        description="Pass as `after`; it stays put when no newer "
        "event exists yet, so a reader polls with it"
    )


@router.get(
    "/events",
    summary="Every transition of every contract, in commit order",
    responses=problem_responses(403),
)
def event_feed(
    session: DbSession,
    _: FeedReader,
    after: Annotated[str | None, Query(description="A cursor from this feed")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> FeedPage:
    last = decode_cursor(after) or 0
    rows = session.execute(
        select(ContractEvent, Contract.number)
        .join(Contract, Contract.id == ContractEvent.contract_id)
        .where(ContractEvent.id > last)
        .order_by(ContractEvent.id)
        .limit(limit)
    ).all()
    items = [
        FeedEvent(
            cursor=encode_cursor(e.id),
            contract_number=n,
            seq=e.seq,
            action=e.action,
            from_state=e.from_state,
            to_state=e.to_state,
            actor_role=e.actor_role,
            occurred_at=e.occurred_at,
            payload=e.payload,
        )
        for e, n in rows
    ]
    next_cursor = items[-1].cursor if items else (after or encode_cursor(0))
    return FeedPage(items=items, next_cursor=next_cursor)
