"""How contracts and their events look on the wire."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.applications.schemas import ApplicationForm
from app.contracts.models import REASON_LENGTH
from app.contracts.states import Action, ContractState
from app.core.inputs import FreeText, RequestModel


class ContractOut(BaseModel):
    number: str = Field(examples=["JKT01-2026-MC-000042"])
    state: ContractState
    version: int
    branch_code: str
    dealer_code: str
    product_code: str
    submitted_by: str
    application: ApplicationForm
    created_at: datetime
    updated_at: datetime


class ContractSummary(BaseModel):
    number: str = Field(examples=["JKT01-2026-MC-000042"])
    state: ContractState
    applicant_type: str = Field(examples=["individual"])
    branch_code: str
    dealer_code: str
    product_code: str
    applicant_name: str
    otr_price: int
    created_at: datetime


class ContractPage(BaseModel):
    items: list[ContractSummary]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null: last")


class EventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int = Field(description="Position in the contract's log")
    action: str = Field(examples=["submit"])
    from_state: ContractState | None
    to_state: ContractState
    actor: str | None = Field(description="Username, or null for the system")
    actor_role: str
    reason: str | None
    payload: dict[str, Any]
    occurred_at: datetime


class CancellationIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "Customer bought the motorcycle in cash"}]},
    )

    reason: FreeText = Field(min_length=3, max_length=REASON_LENGTH)


class TransitionOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "number": "JKT01-2026-MC-000042",
                    "action": "cancel",
                    "from_state": "SUBMITTED",
                    "state": "CANCELLED",
                    "version": 2,
                }
            ]
        }
    )

    number: str
    action: Action
    from_state: ContractState
    state: ContractState
    version: int
