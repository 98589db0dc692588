"""Servicing's request and response bodies."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator
from pydantic_core import PydanticCustomError

from app.applications.schemas import PaymentMethod
from app.contracts.models import REASON_LENGTH
from app.core.i18n import N_
from app.core.inputs import BusinessDate, FreeText, PositiveRupiah, RequestModel
from app.servicing.restructuring import MAX_HOLIDAY_MONTHS, MAX_INSTALLMENTS

BALANCE_EXAMPLE: dict[str, Any] = {
    "on": "2027-01-10",
    "outstanding_principal": 13_557_939,
    "interest_due": 0,
    "accrued_interest": 208_000,
    "late_charge_owed": 0,
    "credit": 0,
    "arrears": 0,
    "days_past_due": 0,
    "next_due_date": "2027-01-24",
    "next_due_amount": 825_000,
    "settlement_quote": 13_765_939,
}

TERM_OF = {
    "payment_holiday": "holiday_months",
    "tenor_extension": "installments",
    "rate_reduction": "annual_rate",
}


class PaymentIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "contract_number": "JKT01-2026-MC-000042",
                    "amount": 825_000,
                    "paid_on": "2026-12-24",
                    "channel": "virtual_account",
                    "reference": "VA-8808-0042-1224",
                }
            ]
        },
    )

    contract_number: str = Field(min_length=1, max_length=40)
    amount: PositiveRupiah
    paid_on: BusinessDate
    channel: PaymentMethod | None = Field(default=None, description="Default: the contract's")
    reference: str = Field(min_length=3, max_length=60)


class ReversalIn(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "bounced"}]})

    reason: Literal["bounced", "mistaken"]


class InstallmentView(BaseModel):
    number: int
    due_date: date
    amount: int
    principal: int
    interest: int
    paid: int = Field(description="Principal and interest paid")
    outstanding: int = Field(description="Principal and interest still owed")
    late_charge_accrued: int
    late_charge_paid: int
    late_charge_waived: int
    late_charge_owed: int
    settled_on: date | None = Field(description="Value date on which it was paid in full")
    days_late: int


class InstallmentsOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "contract_number": "JKT01-2026-MC-000042",
                    "virtual_account": "8808000000000429",
                    "restructured_on": None,
                    "balance": BALANCE_EXAMPLE,
                    "items": [
                        {
                            "number": 1,
                            "due_date": "2026-12-24",
                            "amount": 825_000,
                            "principal": 442_061,
                            "interest": 382_939,
                            "paid": 825_000,
                            "outstanding": 0,
                            "late_charge_accrued": 0,
                            "late_charge_paid": 0,
                            "late_charge_waived": 0,
                            "late_charge_owed": 0,
                            "settled_on": "2026-12-24",
                            "days_late": 0,
                        }
                    ],
                }
            ]
        }
    )

    contract_number: str
    virtual_account: str | None = Field(
        description="The number the customer pays into at a bank or a payment point"
    )
    restructured_on: date | None = Field(
        description="When the current schedule was approved, for a restructured contract"
    )
    balance: "BalanceOut" = Field(description="The contract's balances today")
    items: list[InstallmentView] = Field(description="The schedule in force")


class RestructuringIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "payment_holiday",
                    "holiday_months": 3,
                    "reason": "Debtor hospitalised; salary resumes in March",
                },
                {"kind": "tenor_extension", "installments": 30, "reason": "Income halved"},
                {"kind": "rate_reduction", "annual_rate": "0.20", "reason": "Loyal debtor"},
            ]
        },
    )

    kind: Literal["payment_holiday", "tenor_extension", "rate_reduction"]
    holiday_months: StrictInt | None = Field(default=None, ge=1, le=MAX_HOLIDAY_MONTHS)
    installments: StrictInt | None = Field(
        default=None,
        ge=1,
        le=MAX_INSTALLMENTS,
        description="How many installments from now",
    )
    annual_rate: Decimal | None = Field(
        default=None, gt=0, lt=1, max_digits=8, decimal_places=6, description="Effective, a year"
    )
    reason: FreeText = Field(min_length=3, max_length=1000)

    @model_validator(mode="after")
    def _one_term(self) -> "RestructuringIn":
        given = {name for name in TERM_OF.values() if getattr(self, name) is not None}
        if given != {TERM_OF[self.kind]}:
            template = N_("a {kind} takes {term} and no other term")
            raise PydanticCustomError(
                "value_error",
                template,
                {"kind": self.kind, "term": TERM_OF[self.kind], "template": template},
            )
        return self

    def terms(self) -> dict[str, Any]:
        name = TERM_OF[self.kind]
        value = getattr(self, name)
        return {name: str(value) if isinstance(value, Decimal) else value}


class RestructuringDecisionIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"decision": "approve", "reason": "Income verified by the survey"}]
        },
    )

    decision: Literal["approve", "reject"]
    reason: FreeText = Field(min_length=3, max_length=REASON_LENGTH)


class RestructuringOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 1,
                    "contract_number": "JKT01-2026-MC-000042",
                    "kind": "payment_holiday",
                    "terms": {"holiday_months": 3},
                    "reason": "Debtor hospitalised; salary resumes in March",
                    "status": "approved",
                    "requested_by": "collector.joko",
                    "requested_at": "2026-11-20T03:00:00Z",
                    "decided_by": "approver.hendra",
                    "decided_at": "2026-11-21T04:00:00Z",
                    "decision_reason": "Hospital letter seen",
                    "effective_on": "2026-11-21",
                    "annual_rate": "0.315510",
                    "outstanding_principal": 10_400_000,
                    "capitalised_interest": 1_120_000,
                    "installment": 640_000,
                    "installments": 24,
                    "first_due_on": "2027-03-24",
                    "old_schedule": [],
                }
            ]
        }
    )

    id: int
    contract_number: str
    kind: str
    terms: dict[str, Any]
    reason: str
    status: str
    requested_by: str | None
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None
    effective_on: date | None = Field(description="The day the new schedule took over")
    annual_rate: Decimal | None = Field(description="Of the new schedule")
    outstanding_principal: int | None
    capitalised_interest: int | None = Field(
        description="Interest due and unpaid, and a holiday's interest, added to the principal"
    )
    installment: int | None
    installments: int | None
    first_due_on: date | None
    old_schedule: list[dict[str, Any]] | None = Field(
        description="The schedule as it stood when approved (kept; the new one is in force)"
    )


class RestructuringList(BaseModel):
    items: list[RestructuringOut]


class CollateralOut(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "fiduciary_deadline": "2026-12-22",
                    "fiduciary_registered_on": "2026-12-01",
                    "fiduciary_certificate": "W10.00123456.AH.05.01-2026",
                    "bpkb_status": "held",
                    "bpkb_number": "P-01234567",
                }
            ]
        },
    )

    fiduciary_deadline: date = Field(description="Registration is due within 30 days of signing")
    fiduciary_registered_on: date | None
    fiduciary_certificate: str | None
    bpkb_status: Literal["awaited", "held", "released"]
    bpkb_number: str | None


class OverdueCollateralOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "contract_number": "JKT01-2026-MC-000042",
                    "contract_state": "ACTIVE",
                    "what": "fiduciary",
                    "due_on": "2026-10-01",
                    "days_overdue": 53,
                    "flagged_on": "2026-10-02",
                    "dealer_code": "D-JKT-001",
                    "dealer_name": "Sinar Motor Kramat",
                    "disbursed_on": "2026-09-01",
                    "chase": "Register the fiduciary guarantee (AHU online) and record its "
                    "certificate.",
                }
            ]
        }
    )

    contract_number: str
    contract_state: str
    what: Literal["fiduciary", "bpkb"] = Field(
        description="fiduciary: not registered by its deadline; bpkb: not received from the "
        "dealer within the setting's days of disbursement"
    )
    due_on: date
    days_overdue: int
    flagged_on: date | None = Field(description="The first close of business that found it late")
    dealer_code: str
    dealer_name: str
    disbursed_on: date
    chase: str = Field(description="What to do, in words")


class OverdueCollateralList(BaseModel):
    on: date
    bpkb_due_days: int
    items: list[OverdueCollateralOut]


class CollateralIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "fiduciary_registered_on": "2026-12-01",
                    "fiduciary_certificate": "W10.00123456.AH.05.01-2026",
                },
                {"bpkb_status": "held", "bpkb_number": "P-01234567"},
            ]
        },
    )

    fiduciary_registered_on: BusinessDate | None = None
    fiduciary_certificate: str | None = Field(default=None, min_length=5, max_length=60)
    bpkb_status: Literal["awaited", "held", "released"] | None = None
    bpkb_number: str | None = Field(default=None, min_length=4, max_length=30)


class BalanceOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [BALANCE_EXAMPLE]})

    on: date
    outstanding_principal: int
    interest_due: int = Field(description="Interest of the installments due, unpaid")
    accrued_interest: int = Field(description="Interest due plus the running month's share")
    late_charge_owed: int
    credit: int = Field(description="Paid and not yet owed: applied on the next due date")
    arrears: int = Field(description="Principal and interest due and unpaid")
    days_past_due: int
    next_due_date: date | None
    next_due_amount: int
    settlement_quote: int = Field(description="What pays the contract off on this day")


class AllocationOut(BaseModel):
    installment: int | None = Field(description="Its number; none for credit, refund and fee")
    component: str
    value_date: date
    amount: int


class PaymentOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 1,
                    "contract_number": "JKT01-2026-MC-000042",
                    "amount": 825_000,
                    "paid_on": "2026-12-24",
                    "channel": "virtual_account",
                    "reference": "VA-8808-0042-1224",
                    "reversed": False,
                    "reversal_reason": None,
                    "recovery": False,
                    "contract_state": "ACTIVE",
                    "allocations": [
                        {"installment": 1, "component": "interest", "value_date": "2026-12-24",
                         "amount": 382_939},
                        {"installment": 1, "component": "principal", "value_date": "2026-12-24",
                         "amount": 442_061},
                    ],
                }
            ]
        }
    )  # fmt: skip

    id: int
    contract_number: str
    amount: int
    paid_on: date
    channel: str
    reference: str
    reversed: bool
    reversal_reason: str | None
    recovery: bool = Field(description="Collected after the write-off, outside the schedule")
    contract_state: str
    allocations: list[AllocationOut] = Field(description="What it paid, per installment")


class PaymentList(BaseModel):
    items: list[PaymentOut]


class LedgerEntryOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 7,
                    "kind": "refund",
                    "value_date": "2027-01-10",
                    "amount": 150_000,
                    "reference": "TRF-REFUND-0042",
                    "reason": "Overpayment",
                    "reverses": None,
                    "reversed": False,
                    "created_at": "2027-01-10T03:00:00Z",
                    "allocations": [
                        {"installment": None, "component": "refund",
                         "value_date": "2027-01-10", "amount": 150_000}
                    ],
                }
            ]
        }
    )  # fmt: skip

    id: int
    kind: str
    value_date: date
    amount: int
    reference: str | None
    reason: str | None
    reverses: int | None = Field(description="The entry a reversal cancels")
    reversed: bool
    created_at: datetime
    allocations: list[AllocationOut]


class LedgerOut(BaseModel):
    contract_number: str
    balance: BalanceOut
    items: list[LedgerEntryOut] = Field(description="Every money movement, by value date")


class RefundIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"amount": 150_000, "reference": "TRF-REFUND-0042", "reason": "Overpayment"}
            ]
        },
    )

    amount: PositiveRupiah
    reference: str = Field(min_length=3, max_length=60)
    reason: FreeText | None = Field(default=None, max_length=REASON_LENGTH)


class EntryReversalIn(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "Transfer returned"}]})

    reason: FreeText = Field(min_length=3, max_length=REASON_LENGTH)


class WaiverIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"amount": 25_000, "reason": "Late due to bank outage"}]},
    )

    amount: PositiveRupiah
    reason: FreeText = Field(min_length=3, max_length=REASON_LENGTH)


class SettlementQuoteOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "contract_number": "JKT01-2026-MC-000042",
                    "on": "2027-01-10",
                    "valid_until": "2027-01-10",
                    "outstanding_principal": 13_557_939,
                    "accrued_interest": 208_000,
                    "late_charge_owed": 0,
                    "settlement_fee": 0,
                    "credit": 0,
                    "total": 13_765_939,
                    "unearned_interest_waived": 4_650_000,
                }
            ]
        }
    )

    contract_number: str
    on: date
    valid_until: date = Field(description="The amount is for a payment with this value date")
    outstanding_principal: int
    accrued_interest: int = Field(description="Interest due and the running month's share")
    late_charge_owed: int
    settlement_fee: int
    credit: int = Field(description="Deducted")
    total: int = Field(description="A payment of this amount closes the contract")
    unearned_interest_waived: int = Field(description="Scheduled interest never charged")


class SettlementLetterOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "letter_number": "SKL-JKT01-2026-MC-000042",
                    "contract_number": "JKT01-2026-MC-000042",
                    "debtor": "Siti Rahmawati",
                    "vehicle": "Honda Vario 160 (2025)",
                    "chassis_number": "MH1JM8117PK123456",
                    "engine_number": "JM81E1234567",
                    "disbursed_on": "2026-11-24",
                    "paid_off_on": "2027-06-10",
                    "early_settlement": True,
                    "total_paid": 11_950_000,
                    "bpkb_number": "P-01234567",
                    "bpkb_releasable": True,
                    "title": "Surat Keterangan Lunas",
                    "text": "Nomor SKL-JKT01-2026-MC-000042.\n\nDengan ini kami menyatakan "
                    "bahwa kontrak JKT01-2026-MC-000042 atas nama Siti Rahmawati, yang dicairkan "
                    "pada 24 November 2026, telah lunas melalui pelunasan dipercepat pada 10 Juni "
                    "2027, dengan jumlah pembayaran seluruhnya Rp 11.950.000. Debitur tidak "
                    "memiliki kewajiban lagi atas kontrak ini.\n\nKendaraan: Honda Vario 160 "
                    "(2025); nomor rangka MH1JM8117PK123456; nomor mesin JM81E1234567.\n\n"
                    "BPKB (nomor P-01234567) diserahkan kembali kepada debitur dengan "
                    "menunjukkan surat ini.",
                }
            ]
        }
    )

    letter_number: str
    contract_number: str
    debtor: str
    vehicle: str
    chassis_number: str | None
    engine_number: str | None
    disbursed_on: date
    paid_off_on: date
    early_settlement: bool
    total_paid: int
    bpkb_number: str | None
    bpkb_releasable: bool = Field(description="The BPKB may be handed back to the debtor")
    title: str = Field(description="The letter's title, in the request's language")
    text: str = Field(
        description="The letter as the debtor reads it, in the request's language: amounts in "
        "rupiah and dates written out"
    )


class AppraisalIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "appraised_value": 9_500_000,
                    "appraised_on": "2026-11-20",
                    "appraiser": "KJPP Sinar Taksasi",
                }
            ]
        }
    )

    appraised_value: PositiveRupiah
    appraised_on: BusinessDate
    appraiser: FreeText = Field(min_length=2, max_length=150)


class RepossessionCostIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "amount": 750_000,
                    "incurred_on": "2026-11-18",
                    "reason": "Towing and storage",
                    "reference": "INV-TOW-0012",
                }
            ]
        }
    )

    amount: PositiveRupiah
    incurred_on: BusinessDate
    reason: FreeText = Field(min_length=2, max_length=200)
    reference: FreeText | None = Field(default=None, max_length=60)


class AuctionSaleIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "sold_on": "2026-11-23",
                    "buyer": "Balai Lelang Jakarta",
                    "proceeds": 9_000_000,
                    "reference": "LELANG-2026-0042",
                }
            ]
        }
    )

    sold_on: BusinessDate
    buyer: FreeText = Field(min_length=2, max_length=150)
    proceeds: PositiveRupiah
    reference: FreeText | None = Field(default=None, max_length=60)


class ShortfallDecisionIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"decision": "write_off", "reason": "Debtor has no assets left"}]
        }
    )

    decision: Literal["write_off", "keep"]
    reason: FreeText = Field(min_length=2, max_length=500)


class RepossessionCostOut(BaseModel):
    ledger_entry_id: int
    amount: int
    incurred_on: date
    reason: str | None
    reference: str | None


class RepossessionOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "contract_number": "JKT01-2026-MC-000042",
                    "contract_state": "WRITTEN_OFF",
                    "repossessed_on": "2026-11-10",
                    "appraised_value": 9_500_000,
                    "appraised_on": "2026-11-12",
                    "appraiser": "KJPP Sinar Taksasi",
                    "costs": [
                        {
                            "ledger_entry_id": 51,
                            "amount": 750_000,
                            "incurred_on": "2026-11-18",
                            "reason": "Towing and storage",
                            "reference": "INV-TOW-0012",
                        }
                    ],
                    "costs_total": 750_000,
                    "sold_on": "2026-11-23",
                    "buyer": "Balai Lelang Jakarta",
                    "proceeds": 9_000_000,
                    "costs_recovered": 750_000,
                    "to_debt": 8_250_000,
                    "surplus": 0,
                    "shortfall": 4_210_000,
                    "shortfall_decision": "written_off",
                    "decided_by": "approver.hendra",
                    "decision_reason": "Debtor has no assets left",
                    "written_off": 4_210_000,
                }
            ]
        }
    )

    contract_number: str
    contract_state: str
    repossessed_on: date
    appraised_value: int | None
    appraised_on: date | None
    appraiser: str | None
    costs: list[RepossessionCostOut]
    costs_total: int
    sold_on: date | None
    buyer: str | None
    proceeds: int | None
    costs_recovered: int | None = Field(description="Of the proceeds, to the costs (first)")
    to_debt: int | None = Field(description="Of the proceeds, to the debt as of the sale day")
    surplus: int | None = Field(description="Of the proceeds, refunded to the debtor")
    shortfall: int | None = Field(description="The debt the proceeds did not cover")
    shortfall_decision: Literal["kept", "written_off"] | None
    decided_by: str | None
    decision_reason: str | None
    written_off: int = Field(description="What left the book as a write-off after the sale")
