"""Pre-screening outcomes, customers and the negative list on the wire."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, model_validator

from app.contracts.models import REASON_LENGTH
from app.core.i18n import N_
from app.core.inputs import FreeText, HistoricDate, Nik, RequestModel

Level = Literal["exact", "close", "partial", "disagree", "missing"]
MatchOutcome = Literal["repeat_order", "possible_repeat_order", "new_customer"]


class FieldExplanation(BaseModel):
    field: str = Field(examples=["name"])
    priority: int = Field(description="1 name, 2 birth date, 3 birthplace, 4 mother, 5 NIK")
    applicant: str | None = Field(examples=["Siti Rahmawaty"])
    known: str | None = Field(examples=["Siti Rahmawati"])
    agreement: Level = Field(description="The agreement level of this identifier")
    weight: float = Field(
        description="log2(m/u) of the level, in bits (0 when missing)", examples=[11.4]
    )
    explanation: str = Field(
        examples=["name agrees closely: Rahmawaty ~ Rahmawati (a typo); +11.4"],
        description="The level and weight in words, in the reader's language",
    )


class Candidate(BaseModel):
    customer_id: int
    outcome: MatchOutcome = Field(description="What the weights (or the company's policy) say")
    weight: float = Field(description="Total weight of evidence, in bits")
    points: float = Field(
        description="The seed's count: identifiers agreeing (close counts 1, partial 0.5)"
    )
    same_person: bool = Field(description="A Repeat Order without review")
    identity_conflict: bool
    review_reason: Literal["name_differs", "nik_differs", "twin_pattern"] | None = Field(
        description="The rule that keeps this pair at most in the review band, if any"
    )
    summary: str = Field(description="Total, seed count and review rule, in words")
    fields: list[FieldExplanation]


class NegativeHit(BaseModel):
    entry_id: int
    category: str
    dealers: list[str] = []
    reason: str | None = None
    fields: list[FieldExplanation] = []


class PartyResult(BaseModel):
    role: Literal["applicant", "spouse", "board_member", "guarantor", "co_applicant"]
    name: str
    outcome: MatchOutcome
    repeat_order: bool
    customer_id: int | None
    candidates: list[Candidate]
    negative_hits: list[NegativeHit]


class ReviewItem(BaseModel):
    """A Possible Repeat Order of one party, and the analyst's decision once made."""

    party: int = Field(description="Position of the party in ``parties``")
    role: Literal["applicant", "spouse", "board_member"]
    customer_id: int = Field(description="The known customer he may be")
    decision: Literal["confirmed", "denied"] | None = None
    reason: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None


class Finding(BaseModel):
    party: str | None = None
    kind: str | None = None
    category: str | None = None
    entry_id: int | None = None
    customer_id: int | None = None
    dealers: list[str] | None = None


class PrescreeningOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "contract_number": "JKT01-2026-MC-000042",
                    "contract_state": "PRESCREENED",
                    "customer_type": "repeat_order",
                    "outcome": "passed",
                    "customer_id": 1207,
                    "parties": [],
                    "stops": [],
                    "model_version": 0, "reviews": [],
                    "warnings": [{"kind": "rejected_order", "party": "applicant",
                                  "dealers": ["D-JKT-003"], "entry_id": 88}],
                    "vehicle_hits": [],
                    "decided_by": "ca.rina",
                    "decided_at": "2026-11-22T10:00:00Z",
                }
            ]
        }
    )  # fmt: skip

    contract_number: str
    contract_state: str
    customer_type: MatchOutcome = Field(
        description="The applicant's: a possible_repeat_order until the analyst's review"
    )
    outcome: Literal["passed", "rejected", "review"] = Field(
        description="review: held (the contract stays SURVEYED) until every Possible Repeat "
        "Order is decided through POST .../prescreening/review"
    )
    customer_id: int | None = Field(description="The applicant's customer (none while held)")
    model_version: int = Field(description="The weights model that decided (0: built-in)")
    reviews: list[ReviewItem] = []
    parties: list[PartyResult]
    stops: list[Finding] = Field(description="Bad-customer hits: the contract is REJECTED")
    warnings: list[Finding] = Field(description="Rejected orders, identity conflicts")
    vehicle_hits: list[NegativeHit]
    decided_by: str
    decided_at: datetime


class RejectionReason(StrEnum):
    FICTITIOUS_ADDRESS = "fictitious_address"
    FALSE_DOCUMENTS = "false_documents"
    INCOME_NOT_VERIFIED = "income_not_verified"
    INSUFFICIENT_INCOME = "insufficient_income"
    BAD_CREDIT_HISTORY = "bad_credit_history"
    NEGATIVE_LIST = "negative_list"
    CUSTOMER_UNREACHABLE = "customer_unreachable"
    VEHICLE_ISSUE = "vehicle_issue"
    OTHER = "other"


class RejectionIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason_code": "fictitious_address",
                                         "note": "Alamat tidak ditemukan saat survei"}]},
    )  # fmt: skip

    reason_code: RejectionReason
    # Logged as "<reason_code>: <note>" in the contract's log.
    note: FreeText = Field(
        min_length=3,
        max_length=REASON_LENGTH - max(len(f"{code.value}: ") for code in RejectionReason),
    )


Category = Literal[
    "rejected_order", "fraud", "repossessed", "overdue_60", "bounced_cheques", "blocked"
]


class NegativeEntryIn(RequestModel):
    model_config = ConfigDict(
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {"subject": "person", "category": "fraud", "full_name": "Bambang Hermawan",
                 "nik": "3171011708750003", "birth_date": "1975-08-17",
                 "birth_place": "Semarang", "mother_maiden_name": "Lies",
                 "reason": "Dokumen palsu, laporan polisi 2025"},
                {"subject": "vehicle", "category": "repossessed",
                 "chassis_number": "MH1JM8117PK123456", "reason": "Ditarik 2025-06"},
            ]
        },
    )  # fmt: skip

    subject: Literal["person", "vehicle"]
    category: Category
    full_name: str | None = Field(default=None, min_length=1, max_length=150)
    nik: Nik | None = Field(default=None, pattern=r"^\d{16}$")
    birth_date: HistoricDate | None = None
    birth_place: str | None = Field(default=None, max_length=100)
    mother_maiden_name: str | None = Field(default=None, max_length=150)
    chassis_number: str | None = Field(default=None, pattern=r"^[A-Z0-9]{6,20}$", max_length=20)
    engine_number: str | None = Field(default=None, pattern=r"^[A-Z0-9]{6,20}$", max_length=20)
    dealers: list[Annotated[str, Field(max_length=20)]] = Field(default=[], max_length=20)
    reason: FreeText | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _identified(self) -> "NegativeEntryIn":
        if self.subject == "person" and not (
            self.full_name and (self.nik or self.birth_date or self.mother_maiden_name)
        ):
            raise ValueError(N_("a person needs a name and a NIK, birth date or mother's name"))
        if self.subject == "vehicle" and not (self.chassis_number or self.engine_number):
            raise ValueError(N_("a vehicle needs its chassis or engine number"))
        return self


class NegativeEntryOut(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {"id": 3, "subject": "person", "category": "fraud",
                 "full_name": "Bambang Hermawan", "nik": "3171011708750003",
                 "birth_date": "1975-08-17", "birth_place": "Semarang",
                 "mother_maiden_name": "Lies", "chassis_number": None, "engine_number": None,
                 "dealers": [], "source": "manual", "reason": "Dokumen palsu",
                 "listed_on": "2026-11-22", "active": True}
            ]
        },
    )  # fmt: skip

    id: int
    subject: str
    category: str
    full_name: str | None
    nik: str | None
    birth_date: date | None
    birth_place: str | None
    mother_maiden_name: str | None
    chassis_number: str | None
    engine_number: str | None
    dealers: list[str]
    source: str
    reason: str | None
    listed_on: date
    active: bool


class NegativeEntryPage(BaseModel):
    items: list[NegativeEntryOut]
    next_cursor: str | None


class RemovalIn(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "Lunas, diputihkan"}]})

    # Appended to the entry's reason as " | removed: <reason>", cut at the column's 500.
    reason: FreeText = Field(min_length=3, max_length=500)


class ImportRowError(BaseModel):
    row: int = Field(description="Line number in the file, the header being line 1")
    field: str
    rule: str
    message: str
    value: str | None = Field(
        default=None, description="The refused value as the file gave it (none for the whole row)"
    )


class ImportReport(BaseModel):
    """A file's rows: each created, updated (a row for someone already imported, with other
    details), unchanged (already there as the file says), or refused (``errors``).
    A person is known by his NIK (else by his name, birth date, birthplace and mother's name),
    a vehicle by its chassis number (else its engine number); on the negative list, once per
    category."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"rows": 3, "imported": 2, "created": 1, "updated": 0, "unchanged": 1,
                 "rejected": 1,
                 "errors": [{"row": 3, "field": "nik", "rule": "nik_length",
                             "message": "A NIK has 16 digits.", "value": "3171011708"}]}
            ]
        }
    )  # fmt: skip

    rows: int
    imported: int = Field(description="Rows accepted: created + updated + unchanged")
    created: int
    updated: int
    unchanged: int
    rejected: int
    errors: list[ImportRowError]


class CustomerContract(BaseModel):
    number: str
    role: str
    state: str
    dealer_code: str
    otr_price: int
    created_at: datetime


class CustomerOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"id": 1207, "kind": "person", "full_name": "Siti Rahmawati",
                 "nik": "3171015708900001", "npwp": None, "birth_date": "1990-08-17",
                 "birth_place": "Jakarta", "mother_maiden_name": "Aminah",
                 "source": "application", "created_at": "2026-11-22T10:00:00Z",
                 "contracts": [], "negative_list": [],
                 "collection": {"active": 0, "paid_off": 1, "written_off": 0}}
            ]
        }
    )  # fmt: skip

    id: int
    kind: str
    full_name: str
    nik: str | None
    npwp: str | None
    birth_date: date | None
    birth_place: str | None
    mother_maiden_name: str | None
    source: str
    created_at: datetime
    contracts: list[CustomerContract]
    negative_list: list[NegativeEntryOut]
    collection: dict[str, int] = Field(description="His contracts in collection, by outcome")


class IdentityIn(RequestModel):
    """The five identifiers of the duplicate check."""

    model_config = ConfigDict(
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {"full_name": "Hj. Siti Rahmawaty", "birth_date": "1990-08-17",
                 "birth_place": "DKI Jakarta", "mother_maiden_name": "Aminah",
                 "nik": "3171015708900001"}
            ]
        },
    )  # fmt: skip

    full_name: str = Field(min_length=1, max_length=150)
    birth_date: HistoricDate | None = None
    birth_place: str | None = Field(default=None, max_length=100)
    mother_maiden_name: str | None = Field(default=None, max_length=150)
    nik: Nik | None = Field(default=None, pattern=r"^\d{16}$")


class MatchesOut(BaseModel):
    outcome: MatchOutcome
    repeat_order_customer_id: int | None = Field(
        description="The known customer this person is (the weight of evidence at or above "
        "the upper threshold), or null"
    )
    possible_repeat_order_customer_id: int | None = Field(
        description="The known customer this person may be (the review band), or null"
    )
    model_version: int = Field(description="The weights model that decided (0: built-in)")
    candidates: list[Candidate]


class ReviewIn(RequestModel):
    """The analyst's decision on a Possible Repeat Order."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"customer_id": 1207, "same_person": True,
                                         "reason": "KTP lama dan baru sama orangnya, foto cocok"}]},
    )  # fmt: skip

    customer_id: StrictInt = Field(gt=0, description="The candidate under review")
    same_person: StrictBool = Field(
        description="true: a Repeat Order of him; false: a new customer"
    )
    reason: FreeText = Field(min_length=3, max_length=400)
