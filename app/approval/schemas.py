"""Authority levels, approvals, Purchase Orders, delivery and disbursement on the wire."""

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, model_validator

from app.contracts.models import REASON_LENGTH
from app.core.i18n import N_
from app.core.inputs import BusinessDate, FreeText, PositiveRupiah, RequestModel


class AuthorityLevelIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "branch_code": "JKT01",
                    "level": 2,
                    "name": "Branch manager",
                    "max_amount": 300_000_000,
                    "approves_deviations": True,
                }
            ]
        },
    )

    branch_code: str = Field(min_length=1, max_length=10)
    level: StrictInt = Field(ge=1, le=9)
    name: str = Field(min_length=1, max_length=80)
    max_amount: PositiveRupiah
    approves_deviations: StrictBool = False


class AuthorityLevelOut(AuthorityLevelIn):
    # Built from stored rows with context=STORED (app.core.inputs): the request rules of the
    # model it extends are not applied again to what the database holds.
    model_config = ConfigDict(extra="ignore")


class AuthorityLevelList(BaseModel):
    items: list[AuthorityLevelOut]


class ApprovalRequestIn(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"note": "Survei baik, DP 30 %"}]})

    note: FreeText | None = Field(default=None, max_length=REASON_LENGTH)


class DecisionIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"decision": "approve"},
                {"decision": "return", "reason": "Lengkapi rekening koran 3 bulan"},
                {
                    "decision": "reject",
                    "reason_code": "insufficient_income",
                    "reason": "Penghasilan tidak mencukupi",
                },
            ]
        },
    )

    decision: Literal["approve", "reject", "return"]
    reason_code: str | None = Field(default=None, pattern=r"^[a-z_]{3,40}$")
    reason: FreeText | None = Field(default=None, max_length=REASON_LENGTH)

    @model_validator(mode="after")
    def _explained(self) -> "DecisionIn":
        if self.decision == "reject" and not (self.reason_code and self.reason):
            raise ValueError(N_("a rejection needs a reason_code and a reason"))
        if self.decision == "return" and not self.reason:
            raise ValueError(N_("say what the analyst must fix"))
        return self


class ApprovalOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "contract_number": "JKT01-2026-MC-000042",
                    "contract_state": "PENDING_APPROVAL",
                    "amount_financed": 14_555_000,
                    "deviation": False,
                    "required_level": 1,
                    "status": "pending",
                    "note": None,
                    "requested_by": "ca.rina",
                    "requested_at": "2026-11-22T10:00:00Z",
                    "decided_by": None,
                    "decided_level": None,
                    "decision_reason": None,
                    "decided_at": None,
                    "purchase_order": None,
                }
            ]
        }
    )

    contract_number: str
    contract_state: str
    amount_financed: int
    deviation: bool
    required_level: int
    status: str
    note: str | None
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_level: int | None
    decision_reason: str | None
    decided_at: datetime | None
    purchase_order: str | None


class ApprovalList(BaseModel):
    items: list[ApprovalOut]


class PurchaseOrderOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "number": "PO-JKT01-2026-PO-000001",
                    "contract_number": "JKT01-2026-MC-000042",
                    "dealer_code": "D-JKT-001",
                    "vehicle": {"brand": "Honda", "model": "Vario 160"},
                    "otr_price": 20_000_000,
                    "down_payment": 6_000_000,
                    "amount_to_dealer": 14_000_000,
                    "issued_on": "2026-11-22",
                    "valid_until": "2026-12-22",
                    "status": "open",
                    "delivery": None,
                    "disbursement": None,
                }
            ]
        }
    )

    number: str
    contract_number: str
    dealer_code: str
    vehicle: dict[str, Any]
    otr_price: int
    down_payment: int
    amount_to_dealer: int = Field(description="What the company pays the dealer")
    issued_on: date
    valid_until: date
    status: str
    delivery: dict[str, Any] | None
    disbursement: dict[str, Any] | None


class DeliveryIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "delivered_on": "2026-11-23",
                    "chassis_number": "MH1JM8117PK123456",
                    "engine_number": "JM81E1234567",
                    "invoice_number": "INV/SMK/2026/11/0042",
                    "invoice_amount": 20_000_000,
                }
            ]
        },
    )

    delivered_on: BusinessDate
    chassis_number: str = Field(min_length=6, max_length=30)
    engine_number: str = Field(min_length=6, max_length=30)
    invoice_number: str = Field(min_length=3, max_length=60)
    invoice_amount: PositiveRupiah


class DisbursementIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"amount": 14_000_000, "reference": "TRF-BCA-88123", "disbursed_on": "2026-11-24"}
            ]
        },
    )

    amount: PositiveRupiah
    reference: str = Field(min_length=3, max_length=60)
    disbursed_on: BusinessDate
