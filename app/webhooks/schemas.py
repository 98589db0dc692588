"""What the webhook endpoints take and give."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator

from app.core.inputs import RequestModel

ENDPOINT_EXAMPLE: dict[str, Any] = {
    "id": 3,
    "url": "https://dealer.example.co.id/kredo/hooks",
    "description": "Showroom system",
    "event_types": ["approve", "disburse"],
    "dealer_code": "D-JKT-001",
    "active": True,
    "disabled_at": None,
    "disabled_reason": None,
    "created_at": "2026-11-23T02:00:00Z",
    "pending": 0,
}


class EndpointIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "url": "https://dealer.example.co.id/kredo/hooks",
                    "event_types": ["approve", "disburse"],
                    "description": "Showroom system",
                }
            ]
        }
    )

    url: str = Field(min_length=8, max_length=500, pattern=r"^https?://[^\s]+$")
    event_types: list[str] = Field(
        min_length=1, max_length=50, description='Actions of the event log, or ["*"] for all'
    )
    description: str | None = Field(default=None, max_length=200)

    @field_validator("event_types")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        from app.webhooks.service import EVENT_TYPES

        unknown = [v for v in value if v != "*" and v not in EVENT_TYPES]
        if unknown:
            raise ValueError(f"unknown event types {unknown}; known: {', '.join(EVENT_TYPES)}")
        return value


class ActiveIn(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"active": True}]})

    active: StrictBool


class EndpointOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [ENDPOINT_EXAMPLE]})

    id: int
    url: str
    description: str | None
    event_types: list[str]
    dealer_code: str | None = Field(description="Only this dealer's contracts (a dealer's)")
    active: StrictBool
    disabled_at: datetime | None
    disabled_reason: str | None
    created_at: datetime
    pending: int = Field(description="Deliveries not yet accepted by the endpoint")


class EndpointCreated(EndpointOut):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{**ENDPOINT_EXAMPLE, "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}]
        }
    )

    secret: str = Field(description="Signs every delivery; shown this once only")


class EndpointList(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [ENDPOINT_EXAMPLE]}]})

    items: list[EndpointOut]


class AttemptOut(BaseModel):
    attempted_at: datetime
    status_code: int | None
    error: str | None
    milliseconds: int


DELIVERY_EXAMPLE: dict[str, Any] = {
    "id": 41,
    "webhook_id": "msg_3_1207",
    "event_id": 1207,
    "contract_number": "JKT01-2026-MC-000042",
    "action": "disburse",
    "status": "delivered",
    "attempts": [
        {"attempted_at": "2026-11-23T02:00:01Z", "status_code": 503, "error": None,
         "milliseconds": 12},
        {"attempted_at": "2026-11-23T02:00:06Z", "status_code": 200, "error": None,
         "milliseconds": 9},
    ],
    "next_attempt_at": "2026-11-23T02:00:06Z",
    "delivered_at": "2026-11-23T02:00:06Z",
}  # fmt: skip


class DeliveryOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [DELIVERY_EXAMPLE]})

    id: int
    webhook_id: str = Field(description="The webhook-id header: receivers deduplicate by it")
    event_id: int
    contract_number: str
    action: str
    status: str = Field(description="pending or delivered")
    attempts: list[AttemptOut]
    next_attempt_at: datetime
    delivered_at: datetime | None


class DeliveryPage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [DELIVERY_EXAMPLE], "next_cursor": None}]}
    )

    items: list[DeliveryOut]
    next_cursor: str | None
