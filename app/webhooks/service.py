"""Webhook endpoints and their deliveries from the event log (``GET /v1/events``'s order).

The worker (:mod:`app.worker`) claims an endpoint (``FOR UPDATE SKIP LOCKED`` on PostgreSQL,
a lease on its row everywhere), brings its deliveries up to the event log, and sends them in
the log's order, the oldest pending first: a delivery that fails is retried with exponential
backoff for more than a day and nothing after it is sent before it (so a receiver sees each
contract's events in order); when its retries are spent the endpoint is disabled, its
deliveries kept, and it resumes where it stopped once an admin enables it again. A message is
sent at least once: receivers deduplicate by ``webhook-id``."""

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import Session

from app.auth.roles import Role
from app.auth.service import Principal
from app.collection.conduct import CONTACT_KINDS
from app.contracts.models import Contract, ContractEvent
from app.contracts.states import Action
from app.contracts.views import masked
from app.core.clock import utcnow
from app.core.database import Database
from app.core.errors import Conflict, NotFound
from app.core.i18n import _
from app.core.privacy import SEES_PERSONAL_DATA
from app.core.settings import get_settings
from app.webhooks import signing
from app.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

log = logging.getLogger("kredo.webhooks")

# The event log's actions an endpoint may ask for ("*": every one).
EVENT_TYPES = tuple(sorted(
    {a.value for a in Action}
    | {"payment", "recovery", "payment_reversal", "late_charge_waiver", "refund",
       "refund_reversal", "collateral_change", "reminder_consent"}
    | set(CONTACT_KINDS)
))  # fmt: skip
# Seconds to wait after the 1st, 2nd ... failed attempt: about 28 hours in all; after the
# last, the endpoint is disabled.
RETRY_SECONDS = (5, 300, 1800, 7200, 18000, 36000, 36000)
FAN_OUT_BATCH = 1000
SEND_BATCH = 100
TIMEOUT_SECONDS = 10.0


def lease() -> timedelta:
    """How long a worker holds an endpoint without recording anything (a killed worker's
    endpoint is free again after it)."""
    return timedelta(seconds=get_settings().worker_lease_seconds)


def visible(principal: Principal) -> Any:
    """An admin sees every endpoint; a dealer his dealership's."""
    if principal.role == Role.ADMIN:
        return WebhookEndpoint.id.is_not(None)
    return WebhookEndpoint.dealer_id == principal.dealer_id


def get_endpoint(session: Session, principal: Principal, endpoint_id: int) -> WebhookEndpoint:
    found = session.scalar(
        select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id, visible(principal))
    )
    if found is None:
        raise NotFound(_("No webhook endpoint {id} in your scope.").format(id=endpoint_id))
    return found


def create_endpoint(
    session: Session,
    principal: Principal,
    url: str,
    event_types: list[str],
    description: str | None,
) -> WebhookEndpoint:
    """A new endpoint, taking the events logged from now on; its secret is in the answer
    once."""
    endpoint = WebhookEndpoint(
        url=url,
        description=description,
        event_types=sorted(set(event_types)),
        secret=signing.new_secret(),
        owner_id=principal.user_id,
        owner_role=principal.role.value,
        dealer_id=principal.dealer_id if principal.role == Role.DEALER else None,
        active=True,
        last_event_id=session.scalar(select(func.coalesce(func.max(ContractEvent.id), 0))) or 0,
    )
    session.add(endpoint)
    session.flush()
    return endpoint


def set_active(session: Session, endpoint: WebhookEndpoint, active: bool) -> WebhookEndpoint:
    endpoint.active = active
    if active:
        endpoint.disabled_at, endpoint.disabled_reason = None, None
        # The delivery that exhausted its retries is tried again at once.
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.status == "pending")
            .values(next_attempt_at=utcnow())
        )
    session.flush()
    return endpoint


def replay(session: Session, endpoint: WebhookEndpoint, delivery_id: int) -> WebhookDelivery:
    """Send a delivery again (with its webhook-id), before the deliveries after it."""
    delivery = session.scalar(
        select(WebhookDelivery).where(
            WebhookDelivery.id == delivery_id, WebhookDelivery.endpoint_id == endpoint.id
        )
    )
    if delivery is None:
        raise NotFound(_("No delivery {id} for this endpoint.").format(id=delivery_id))
    if not endpoint.active:
        raise Conflict(_("The endpoint is disabled; enable it first."))
    delivery.status, delivery.next_attempt_at = "pending", utcnow()
    session.flush()
    return delivery


# --- the worker's side ------------------------------------------------------------------


def claim(database: Database, now: datetime, skip: set[int] | None = None) -> int | None:
    """An active endpoint no other worker holds (and not in ``skip``), leased to this one
    (``None``: none is free)."""
    with database.transaction() as session:
        free = or_(WebhookEndpoint.leased_until.is_(None), WebhookEndpoint.leased_until < now)
        query = (
            select(WebhookEndpoint.id)
            .where(WebhookEndpoint.active, free, WebhookEndpoint.id.not_in(skip or set()))
            .order_by(WebhookEndpoint.id)
            .limit(1)
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        endpoint_id = session.scalar(query)
        if endpoint_id is None:
            return None
        claimed = session.execute(
            update(WebhookEndpoint)
            .where(WebhookEndpoint.id == endpoint_id, free)
            .values(leased_until=now + lease())
        )
        return endpoint_id if getattr(claimed, "rowcount", 0) == 1 else None


def release(database: Database, endpoint_id: int) -> None:
    with database.transaction() as session:
        session.execute(
            update(WebhookEndpoint)
            .where(WebhookEndpoint.id == endpoint_id)
            .values(leased_until=None)
        )


def fan_out(session: Session, endpoint: WebhookEndpoint, at: datetime) -> int:
    """Deliveries for the events logged since the endpoint's last look, its types and scope."""
    made = 0
    while True:
        rows = session.execute(
            select(ContractEvent.id, ContractEvent.contract_id, ContractEvent.action,
                   Contract.dealer_id)
            .join(Contract, Contract.id == ContractEvent.contract_id)
            .where(ContractEvent.id > endpoint.last_event_id)
            .order_by(ContractEvent.id)
            .limit(FAN_OUT_BATCH)
        ).all()  # fmt: skip
        if not rows:
            return made
        wanted = set(endpoint.event_types)
        new = [
            {"endpoint_id": endpoint.id, "event_id": event_id, "contract_id": contract_id,
             "status": "pending", "attempts": 0, "next_attempt_at": at, "created_at": at}
            for event_id, contract_id, action, dealer_id in rows
            if ("*" in wanted or action in wanted)
            and (endpoint.dealer_id is None or dealer_id == endpoint.dealer_id)
        ]  # fmt: skip
        if new:
            session.execute(insert(WebhookDelivery), new)
            made += len(new)
        endpoint.last_event_id = rows[-1][0]
        session.flush()


def message(session: Session, endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> bytes:
    """The body: the event as ``GET /v1/events`` shows it, masked for the owner's role."""
    event, number = session.execute(
        select(ContractEvent, Contract.number)
        .join(Contract, Contract.id == ContractEvent.contract_id)
        .where(ContractEvent.id == delivery.event_id)
    ).one()
    payload = event.payload
    if Role(endpoint.owner_role) not in SEES_PERSONAL_DATA:
        payload = masked(payload)
    body = {
        "type": f"contract.{event.action}",
        "timestamp": event.occurred_at.isoformat(),
        "data": {
            "event_id": event.id,
            "contract_number": number,
            "seq": event.seq,
            "action": event.action,
            "from_state": event.from_state,
            "to_state": event.to_state,
            "actor_role": event.actor_role,
            "reason": event.reason,
            "occurred_at": event.occurred_at.isoformat(),
            "payload": payload,
        },
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def message_id(delivery: WebhookDelivery) -> str:
    return f"msg_{delivery.endpoint_id}_{delivery.event_id}"


@dataclass
class Sent:
    status_code: int | None
    error: str | None
    milliseconds: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def post(client: httpx.Client, url: str, body: bytes, headers: dict[str, str]) -> Sent:
    started = time.monotonic()
    try:
        response = client.post(url, content=body, headers=headers, timeout=TIMEOUT_SECONDS)
        code, error = response.status_code, None
    except httpx.HTTPError as exc:
        code, error = None, f"{type(exc).__name__}: {exc}"[:300]
    return Sent(code, error, round((time.monotonic() - started) * 1000))


def work_endpoint(
    database: Database,
    endpoint_id: int,
    client: httpx.Client,
    now: Callable[[], datetime],
    stopping: Callable[[], bool],
) -> int:
    """Fan out, then send the endpoint's due deliveries in order until one fails, none is
    due, or the worker is stopping. Gives how many were delivered."""
    delivered = 0
    with database.transaction() as session:
        endpoint = session.get_one(WebhookEndpoint, endpoint_id)
        fan_out(session, endpoint, now())
    while not stopping():
        with database.sessions() as session:
            endpoint = session.get_one(WebhookEndpoint, endpoint_id)
            batch = list(
                session.scalars(
                    select(WebhookDelivery)
                    .where(WebhookDelivery.endpoint_id == endpoint_id,
                           WebhookDelivery.status == "pending")
                    .order_by(WebhookDelivery.event_id)
                    .limit(SEND_BATCH)
                )
            )  # fmt: skip
            if not batch:
                return delivered
            outgoing = [(d.id, message_id(d), message(session, endpoint, d)) for d in batch]
            head_due = batch[0].next_attempt_at <= now()
            url, secret, active = endpoint.url, endpoint.secret, endpoint.active
        if not head_due or not active:
            return delivered
        # Sent in order until one fails; recorded together (a worker killed before recording
        # sends them again: at least once), and before the lease could run out.
        sent: list[tuple[int, Sent, datetime]] = []
        started = time.monotonic()
        for delivery_id, msg_id, body in outgoing:
            if stopping() or time.monotonic() - started > lease().total_seconds() / 2:
                break
            stamp = now()
            signed = signing.headers(secret, msg_id, int(stamp.timestamp()), body)
            sent.append((delivery_id, post(client, url, body, signed), stamp))
            if not sent[-1][1].ok:
                break
        with database.transaction() as session:
            for delivery_id, result, stamp in sent:
                ok = record(session, endpoint_id, delivery_id, result, stamp)
                delivered += ok
        if not sent or not sent[-1][1].ok or stopping():
            return delivered
    return delivered


def record(session: Session, endpoint_id: int, delivery_id: int, sent: Sent, at: datetime) -> bool:
    """The attempt, and what follows: delivered; retried later; or, its retries spent, the
    endpoint disabled (its deliveries kept for when it is enabled again)."""
    delivery = session.get_one(WebhookDelivery, delivery_id)
    delivery.attempts += 1
    session.add(WebhookAttempt(delivery_id=delivery_id, attempted_at=at,
                               status_code=sent.status_code, error=sent.error,
                               milliseconds=sent.milliseconds))  # fmt: skip
    endpoint = session.get_one(WebhookEndpoint, endpoint_id)
    endpoint.leased_until = at + lease()
    if sent.ok:
        delivery.status, delivery.delivered_at = "delivered", at
        session.flush()
        return True
    failures = delivery.attempts
    if failures <= len(RETRY_SECONDS):
        delivery.next_attempt_at = at + timedelta(seconds=RETRY_SECONDS[failures - 1])
    else:
        endpoint.active = False
        endpoint.disabled_at = at
        endpoint.disabled_reason = (
            f"{failures} failed attempts of delivery {delivery_id} over "
            f"{sum(RETRY_SECONDS) // 3600} hours; last: {sent.status_code or sent.error}"
        )[:300]
        # The admin is told in the operator's log (and on GET /v1/webhooks).
        log.warning("webhook endpoint %s disabled: %s", endpoint_id, endpoint.disabled_reason)
    session.flush()
    return False
