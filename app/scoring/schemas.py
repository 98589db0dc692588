"""Rule sets, SLIK results and fatal-scores decisions on the wire."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from app.core.inputs import BusinessDate, Document, FreeText, RequestModel
from app.scoring.standard import STANDARD_RULE_SET

# SLIK reports what the applicant owes every lender: a company may owe far more than a
# vehicle costs, still well inside the column.
MAX_OUTSTANDING = 10**15


class RuleSetIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"product_code": "MC", "note": "DSR limit 35 %", "definition": STANDARD_RULE_SET}
            ]
        },
    )

    product_code: str = Field(min_length=1, max_length=10)
    note: FreeText | None = Field(default=None, max_length=500)
    definition: Document = Field(
        description="knockouts (code, field, operator, threshold, message), scorecard "
        "(attribute, bands with points and an optional reason code), grades A to E "
        "(min_score, recommendation), parameters.reference_flat_rate"
    )


class RuleSetOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 3,
                    "product_code": "MC",
                    "version": 2,
                    "status": "active",
                    "note": "DSR limit 35 %",
                    "published_by": "admin.sari",
                    "published_at": "2026-11-22T08:00:00Z",
                    "definition": STANDARD_RULE_SET,
                }
            ]
        }
    )

    id: int
    product_code: str
    version: int
    status: str
    note: str | None
    published_by: str | None
    published_at: datetime
    definition: dict[str, Any]


class RuleSetList(BaseModel):
    items: list[RuleSetOut]


class SlikIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "worst_kol": 1,
                    "outstanding": 12_500_000,
                    "facilities": 2,
                    "checked_on": "2026-11-22",
                }
            ]
        },
    )

    worst_kol: StrictInt = Field(
        ge=1, le=5, description="Worst quality over all facilities, Kol-1..5"
    )
    outstanding: StrictInt = Field(ge=0, le=MAX_OUTSTANDING, description="Rupiah owed elsewhere")
    facilities: StrictInt = Field(ge=0, le=500)
    checked_on: BusinessDate


class SlikOut(SlikIn):
    # Built from stored rows with context=STORED (app.core.inputs): the request rules of the
    # model it extends are not applied again to what the database holds.
    model_config = ConfigDict(extra="ignore")

    contract_number: str
    entered_by: str
    entered_at: datetime


class DeviationIn(RequestModel):
    rules: list[Annotated[str, Field(max_length=100)]] = Field(
        min_length=1, max_length=50, description="Codes of the knock-outs to override"
    )
    justification: FreeText = Field(min_length=10, max_length=1000)


class FatalScoresIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {},
                {
                    "deviation": {
                        "rules": ["INSTALLMENT_TO_INCOME"],
                        "justification": "Spouse's income of Rp 6,000,000 verified",
                    }
                },
            ]
        },
    )

    deviation: DeviationIn | None = None


class RuleOutcomeOut(BaseModel):
    code: str
    field: str
    operator: str
    threshold: Any
    input: Any
    passed: bool
    message: str


class PointsOut(BaseModel):
    attribute: str
    input: Any
    points: int


class FatalScoreOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "contract_number": "JKT01-2026-MC-000042",
                    "contract_state": "SCORED",
                    "rule_set_version": 1,
                    "knocked_out": False,
                    "score": 245,
                    "grade": "B",
                    "recommendation": "approve",
                    "reason_codes": ["LONG_TENOR"],
                    "outcomes": [],
                    "points": [],
                    "facts": {},
                    "deviation": None,
                    "decided_by": "ca.rina",
                    "decided_at": "2026-11-22T10:00:00Z",
                }
            ]
        }
    )

    contract_number: str
    contract_state: str
    rule_set_version: int
    knocked_out: bool
    score: int
    grade: str
    recommendation: str
    reason_codes: list[str]
    outcomes: list[RuleOutcomeOut]
    points: list[PointsOut]
    facts: dict[str, Any]
    deviation: dict[str, Any] | None
    decided_by: str
    decided_at: datetime
