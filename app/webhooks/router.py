"""Webhooks (`/v1/webhooks`): an admin registers endpoints for other systems, a dealer for
its own contracts; deliveries come from the event log, signed (Standard Webhooks)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.dependencies import require
from app.auth.roles import Permission
from app.auth.service import Principal
from app.contracts.models import Contract, ContractEvent
from app.core.dependencies import DbSession
from app.core.errors import problem_responses
from app.core.pagination import RowId, decode_cursor, encode_cursor
from app.reference.models import Dealer
from app.webhooks import service
from app.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from app.webhooks.schemas import (
    ActiveIn,
    AttemptOut,
    DeliveryOut,
    DeliveryPage,
    EndpointCreated,
    EndpointIn,
    EndpointList,
    EndpointOut,
)

router = APIRouter(prefix="/v1", tags=["stage 7 — tracking"])
Manager = Annotated[Principal, Depends(require(Permission.WEBHOOK_MANAGE))]


def endpoint_out(session: Session, endpoint: WebhookEndpoint) -> EndpointOut:
    dealer = session.scalar(select(Dealer.code).where(Dealer.id == endpoint.dealer_id))
    pending = session.scalar(
        select(func.count())
        .select_from(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.status == "pending")
    )
    return EndpointOut(
        id=endpoint.id,
        url=endpoint.url,
        description=endpoint.description,
        event_types=endpoint.event_types,
        dealer_code=dealer,
        active=endpoint.active,
        disabled_at=endpoint.disabled_at,
        disabled_reason=endpoint.disabled_reason,
        created_at=endpoint.created_at,
        pending=pending or 0,
    )


@router.post("/webhooks", status_code=status.HTTP_201_CREATED,
             summary="Register an endpoint; its secret is in this answer only",
             responses=problem_responses(403))  # fmt: skip
def create_webhook(data: EndpointIn, session: DbSession, principal: Manager) -> EndpointCreated:
    endpoint = service.create_endpoint(
        session, principal, data.url, data.event_types, data.description
    )
    return EndpointCreated(**endpoint_out(session, endpoint).model_dump(), secret=endpoint.secret)


@router.get("/webhooks", summary="Your endpoints (an admin: all)", responses=problem_responses(403))
def list_webhooks(session: DbSession, principal: Manager) -> EndpointList:
    rows = session.scalars(
        select(WebhookEndpoint).where(service.visible(principal)).order_by(WebhookEndpoint.id)
    )
    return EndpointList(items=[endpoint_out(session, e) for e in rows])


@router.get("/webhooks/{endpoint_id}", summary="One endpoint",
            responses=problem_responses(403, 404))  # fmt: skip
def read_webhook(endpoint_id: RowId, session: DbSession, principal: Manager) -> EndpointOut:
    return endpoint_out(session, service.get_endpoint(session, principal, endpoint_id))


@router.post("/webhooks/{endpoint_id}/active",
             summary="Disable an endpoint, or enable it again: it resumes where it stopped",
             responses=problem_responses(403, 404))  # fmt: skip
def activate_webhook(
    endpoint_id: RowId, data: ActiveIn, session: DbSession, principal: Manager
) -> EndpointOut:
    endpoint = service.get_endpoint(session, principal, endpoint_id)
    return endpoint_out(session, service.set_active(session, endpoint, data.active))


def deliveries_out(session: Session, rows: list[WebhookDelivery]) -> list[DeliveryOut]:
    ids = [d.id for d in rows]
    attempts: dict[int, list[AttemptOut]] = {i: [] for i in ids}
    for a in session.scalars(
        select(WebhookAttempt)
        .where(WebhookAttempt.delivery_id.in_(ids))
        .order_by(WebhookAttempt.id)
    ):
        attempts[a.delivery_id].append(
            AttemptOut(
                attempted_at=a.attempted_at,
                status_code=a.status_code,
                error=a.error,
                milliseconds=a.milliseconds,
            )
        )
    facts = {
        event_id: (number, action)
        for event_id, number, action in session.execute(
            select(ContractEvent.id, Contract.number, ContractEvent.action)
            .join(Contract, Contract.id == ContractEvent.contract_id)
            .where(ContractEvent.id.in_([d.event_id for d in rows]))
        )
    }
    return [
        DeliveryOut(
            id=d.id,
            webhook_id=service.message_id(d),
            event_id=d.event_id,
            contract_number=facts[d.event_id][0],
            action=facts[d.event_id][1],
            status=d.status,
            attempts=attempts[d.id],
            next_attempt_at=d.next_attempt_at,
            delivered_at=d.delivered_at,
        )
        for d in rows
    ]


@router.get("/webhooks/{endpoint_id}/deliveries",
            summary="The endpoint's deliveries in the event log's order, each with its attempts",
            responses=problem_responses(403, 404))  # fmt: skip
def list_deliveries(
    endpoint_id: RowId,
    session: DbSession,
    principal: Manager,
    after: Annotated[str | None, Query(description="A cursor from this list")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> DeliveryPage:
    endpoint = service.get_endpoint(session, principal, endpoint_id)
    rows = list(
        session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint.id,
                   WebhookDelivery.event_id > (decode_cursor(after) or 0))
            .order_by(WebhookDelivery.event_id)
            .limit(limit)
        )
    )  # fmt: skip
    return DeliveryPage(
        items=deliveries_out(session, rows),
        next_cursor=encode_cursor(rows[-1].event_id) if len(rows) == limit else None,
    )


@router.post("/webhooks/{endpoint_id}/deliveries/{delivery_id}/replay",
             summary="Send a delivery again, with its webhook-id",
             responses=problem_responses(403, 404, 409))  # fmt: skip
def replay_delivery(
    endpoint_id: RowId, delivery_id: RowId, session: DbSession, principal: Manager
) -> DeliveryOut:
    endpoint = service.get_endpoint(session, principal, endpoint_id)
    return deliveries_out(session, [service.replay(session, endpoint, delivery_id)])[0]
