"""Collection's request and response bodies."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, computed_field, model_validator

from app.collection.letters import warning_letter_text, warning_letter_title
from app.core.clock import JAKARTA
from app.core.i18n import N_
from app.core.inputs import BusinessDate, BusinessInstant, FreeText, PositiveRupiah, RequestModel
from app.reminders.schemas import ReminderOut


class PositionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    business_date: date
    days_past_due: int
    bucket: str
    kol: int
    outstanding_principal: int


class PositionsOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "contract_number": "JKT01-2026-MC-000042",
                    "items": [
                        {
                            "business_date": "2027-02-25",
                            "days_past_due": 63,
                            "bucket": "60-89",
                            "kol": 2,
                            "outstanding_principal": 12_800_000,
                        }
                    ],
                }
            ]
        }
    )

    contract_number: str
    items: list[PositionOut] = Field(description="One per closed business day, oldest first")


class CloseIn(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"business_date": "2026-11-22"}]})

    business_date: BusinessDate


class ClosedDay(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    business_date: date
    contracts: int
    written_off: int
    listed_overdue_60: int
    collateral_flagged: int = Field(
        description="Fiduciary registrations and BPKBs found past their deadline that day"
    )


class CloseOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "days": [
                        {
                            "business_date": "2026-11-22",
                            "contracts": 1520,
                            "written_off": 2,
                            "listed_overdue_60": 5,
                            "collateral_flagged": 1,
                        }
                    ]
                }
            ]
        }
    )

    days: list[ClosedDay] = Field(description="Each day closed by this call, in order")


class PortfolioOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "month": "2026-10",
                    "buckets": {"current": {"accounts": 442203, "amount": 701550637651}},
                    "enr": {"accounts": 489490, "amount": 793498844117},
                    "write_off_mtd": {"accounts": 837, "amount": 5137805292},
                    "write_off_ytd": {"accounts": 16329, "amount": 39083262115},
                    "recovery_ytd": 15138241910,
                    "recovery_rate": "38.73",
                    "delinquency_rate": {"by_amount": "6.13", "by_accounts": "4.85"},
                    "net_flow_rates": {"1-29": "6.70", "write_off": "79.43"},
                    "kol": {"kol_1": {"accounts": 442203, "amount": 701550637651}},
                    "npf": {"amount": 21202618497, "rate": "2.67"},
                    "roll_rates": {"current": {"current": 690000000000, "1-29": 45694879687}},
                }
            ]
        }
    )

    month: str
    buckets: dict[str, dict[str, int]]
    enr: dict[str, int]
    write_off_mtd: dict[str, int]
    write_off_ytd: dict[str, int]
    recovery_ytd: int
    recovery_rate: Decimal
    delinquency_rate: dict[str, Decimal]
    net_flow_rates: dict[str, Decimal] = Field(description="Keyed by the bucket flowed into")
    kol: dict[str, dict[str, int]]
    debtor_kol: dict[str, int] = Field(description="Debtors by the worst Kol of their contracts")
    npf: dict[str, Decimal | int]
    roll_rates: dict[str, dict[str, int]] = Field(
        description="Last month-end's balance of each bucket, by where it stands now"
    )


class ActionIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "desk_call",
                    "performed_at": "2026-11-23T10:00:00+07:00",
                    "place": "billing_address",
                    "person": "debtor",
                    "result": "promise_to_pay",
                    "promise_date": "2026-11-30",
                    "promise_amount": 825000,
                },
                {
                    "kind": "warning_letter",
                    "performed_at": "2026-11-23T09:00:00+07:00",
                    "place": "billing_address",
                    "person": "debtor",
                    "result": "sent",
                },
            ]
        },
    )

    kind: Literal["reminder_call", "desk_call", "field_visit", "warning_letter", "repossession"]
    performed_at: BusinessInstant
    place: Literal["billing_address", "domicile", "other"]
    person: Literal["debtor", "third_party"]
    result: Literal[
        "contacted",
        "promise_to_pay",
        "refused",
        "not_found",
        "paid",
        "no_answer",
        "sent",
        "handed_over",
    ]
    promise_date: BusinessDate | None = None
    promise_amount: PositiveRupiah | None = None
    voluntary_handover: StrictBool = False
    court_order: str | None = Field(default=None, max_length=100)
    note: FreeText | None = Field(default=None, max_length=1000)

    @model_validator(mode="after")
    def _promise(self) -> "ActionIn":
        promised = self.result == "promise_to_pay"
        if promised != (self.promise_date is not None and self.promise_amount is not None):
            raise ValueError(N_("a promise to pay has a date and an amount, and only a promise"))
        return self


class ActionOut(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 1,
                    "kind": "warning_letter",
                    "performed_at": "2026-11-23T02:00:00Z",
                    "place": "billing_address",
                    "result": "sent",
                    "promise_date": None,
                    "promise_amount": None,
                    "promise_broken_on": None,
                    "letter_number": "SP1-JKT01-2026-SP-000001",
                    "letter": {
                        "level": "SP1",
                        "due_date": "2026-10-24",
                        "days_late": 30,
                        "outstanding_principal": 12800000,
                        "interest_due": 382939,
                        "fines": 0,
                        "installments_late": 1,
                    },
                    "note": None,
                    "letter_title": "Surat Peringatan Pertama (SP1)",
                    "letter_text": "Nomor SP1-JKT01-2026-SP-000001, 23 November 2026.\n\n"
                    "Angsuran yang jatuh tempo pada 24 Oktober 2026 belum dibayar: 30 hari "
                    "keterlambatan, 1 angsuran tertunggak.\n\nBunga terutang: Rp 382.939\n"
                    "Denda keterlambatan: Rp 0\nPokok terutang: Rp 12.800.000\n\nMohon segera "
                    "melunasi tunggakan beserta denda keterlambatan agar tidak dilakukan "
                    "tindakan penagihan lebih lanjut.",
                }
            ]
        },
    )

    id: int
    kind: str
    performed_at: datetime
    place: str
    result: str
    promise_date: date | None
    promise_amount: int | None
    promise_broken_on: date | None
    letter_number: str | None
    letter: dict[str, Any] | None
    note: str | None

    @computed_field(description="The warning letter's title, in the request's language")  # type: ignore[prop-decorator]
    @property
    def letter_title(self) -> str | None:
        return warning_letter_title(self.letter) if self.letter else None

    @computed_field(  # type: ignore[prop-decorator]
        description="The warning letter as the debtor reads it, in the request's language: "
        "amounts in rupiah and dates written out"
    )
    @property
    def letter_text(self) -> str | None:
        if not self.letter or not self.letter_number:
            return None
        sent_on = self.performed_at.astimezone(JAKARTA).date()
        return warning_letter_text(self.letter_number, self.letter, sent_on)


class ActionList(BaseModel):
    items: list[ActionOut]
    reminders: list[ReminderOut] = Field(
        default_factory=list, description="The reminders sent to the debtor, by day"
    )


class ConsentIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"place": "Kantor debitur, Jl. Sudirman 1, Jakarta"}]},
    )

    place: str = Field(min_length=3, max_length=200)


class Account(BaseModel):
    contract_number: str
    debtor: str
    business_date: date
    days_past_due: int
    bucket: str
    kol: int
    amount_at_risk: int
    broken_promises: int
    strategy: str
    collector: str | None = Field(description="The collector assigned, if any")


class AccountList(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "contract_number": "JKT01-2026-MC-000042",
                            "debtor": "Siti Rahmawati",
                            "business_date": "2026-11-22",
                            "days_past_due": 35,
                            "bucket": "30-59",
                            "kol": 2,
                            "amount_at_risk": 12800000,
                            "broken_promises": 1,
                            "strategy": "desk call and warning letter SP1 (mid-range)",
                            "collector": "collector.joko",
                        }
                    ]
                }
            ]
        }
    )

    items: list[Account]


class HolidayIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"day": "2026-12-25", "name": "Hari Raya Natal"}]},
    )

    day: BusinessDate
    name: str = Field(min_length=2, max_length=100)


class HolidayOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"day": "2026-12-25", "name": "Hari Raya Natal", "source": "national"}]
        },
    )

    day: date
    name: str
    source: Literal["national", "head_office"] = Field(
        description="national: Indonesia's calendar (the holidays package); head_office: added"
    )


class HolidayList(BaseModel):
    items: list[HolidayOut]


class AssignmentIn(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"collector": "collector.joko"}]})

    collector: str = Field(min_length=1, max_length=60, description="A collector's username")


class AssignmentOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "contract_number": "JKT01-2026-MC-000042",
                    "collector": "collector.joko",
                    "assigned_on": "2026-11-22",
                }
            ]
        }
    )

    contract_number: str
    collector: str
    assigned_on: date
