"""Packages, quotes and chosen simulations on the wire."""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    model_validator,
)
from pydantic_core import PydanticCustomError

from app.core.i18n import N_
from app.core.inputs import BusinessDate, PositiveRupiah, RequestModel, exact_int
from app.core.inputs import Rupiah as Money

Tenor = Annotated[StrictInt, Field(ge=1, le=84)]
Code = Annotated[str, Field(min_length=1, max_length=30)]


class RateIn(RequestModel):
    tenor_months: Tenor
    flat_rate: Decimal = Field(gt=0, lt=1, description="Flat rate per year: 0.18 = 1.5 %/month")


class InsuranceYearIn(RequestModel):
    rate: Decimal = Field(ge=0, lt=Decimal("0.2"), description="Premium per year on the value")
    value_share: Decimal = Field(gt=0, le=1, description="Insured value as a share of OTR")
    financed: StrictBool = Field(description="Added to the amount financed (else paid in cash)")


# A package gives its rates back as exact strings, where a request may also send a number: one
# model for each way, so that each has one schema (a shared model is split in two by FastAPI,
# `RateIn-Input` and `RateIn-Output`, and a generated client loses the package's answers).
class RateOut(RateIn):
    pass


class InsuranceYearOut(InsuranceYearIn):
    pass


PackageType = Literal["regular", "promo", "fleet", "employee", "repeat_order"]


class PackageIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "MC-REG-2026",
                    "name": "Motor Reguler 2026",
                    "type": "regular",
                    "product_code": "MC",
                    "dealer_codes": ["D-JKT-001", "D-JKT-002"],
                    "valid_from": "2026-01-01",
                    "expires_on": "2026-12-31",
                    "min_down_payment_pct": "20.00",
                    "admin_fee": 500000,
                    "insurance_admin_fee": 50000,
                    "fiduciary_fee": 150000,
                    "provision_rate": "0.00000",
                    "rounding_unit": 1000,
                    "in_advance": False,
                    "rates": [
                        {"tenor_months": 12, "flat_rate": "0.15"},
                        {"tenor_months": 24, "flat_rate": "0.18"},
                        {"tenor_months": 36, "flat_rate": "0.20"},
                    ],
                    "insurance": [
                        {"rate": "0.015", "value_share": "1", "financed": True},
                        {"rate": "0.015", "value_share": "0.85", "financed": True},
                        {"rate": "0.015", "value_share": "0.70", "financed": True},
                    ],
                }
            ]
        },
    )

    code: str = Field(pattern=r"^[A-Z0-9][A-Z0-9-]{1,29}$", max_length=30)
    name: str = Field(min_length=1, max_length=150)
    type: PackageType
    product_code: Annotated[str, Field(min_length=1, max_length=10)]
    dealer_codes: list[Annotated[str, Field(max_length=20)]] = Field(max_length=500)
    valid_from: BusinessDate
    expires_on: BusinessDate
    min_down_payment_pct: Decimal = Field(ge=0, lt=100, decimal_places=2)
    admin_fee: Money
    insurance_admin_fee: Money = 0
    fiduciary_fee: Money = 0
    provision_rate: Decimal = Field(default=Decimal(0), ge=0, lt=Decimal("0.1"))
    rounding_unit: Annotated[
        Literal[1, 10, 100, 500, 1000, 5000, 10000], BeforeValidator(exact_int)
    ] = 1000
    in_advance: StrictBool = False
    rates: Sequence[RateIn] = Field(min_length=1, max_length=20)
    insurance: Sequence[InsuranceYearIn] = Field(default=[], max_length=7)

    @model_validator(mode="after")
    def _consistent(self) -> "PackageIn":
        if self.expires_on < self.valid_from:
            raise ValueError(N_("expires_on comes before valid_from"))
        tenors = [r.tenor_months for r in self.rates]
        if len(tenors) != len(set(tenors)):
            raise ValueError(N_("each tenor appears once in rates"))
        years = -(-max(tenors) // 12)
        if self.insurance and len(self.insurance) < years:
            template = N_("insurance must cover {years} year(s), the longest tenor")
            raise PydanticCustomError(
                "value_error", template, {"years": years, "template": template}
            )
        return self


class PackagePatch(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"expires_on": "2027-03-31", "dealer_codes": ["D-JKT-001"]}]
        },
    )

    name: str | None = Field(default=None, min_length=1, max_length=150)
    dealer_codes: list[Annotated[str, Field(max_length=20)]] | None = Field(
        default=None, max_length=500
    )
    expires_on: BusinessDate | None = None
    active: StrictBool | None = None


class PackageOut(PackageIn):
    # Built from stored rows with context=STORED (app.core.inputs): the request rules of the
    # model it extends are not applied again to what the database holds.
    model_config = ConfigDict(extra="ignore")

    rates: Sequence[RateOut]
    insurance: Sequence[InsuranceYearOut]
    active: bool
    created_at: datetime


class PackageList(BaseModel):
    items: list[PackageOut]


class QuoteIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "package_code": "MC-REG-2026",
                    "dealer_code": "D-JKT-001",
                    "otr_price": 20000000,
                    "down_payment": 6000000,
                    "tenor_months": 24,
                }
            ]
        },
    )

    package_code: Code
    dealer_code: Annotated[str, Field(min_length=1, max_length=20)]
    otr_price: PositiveRupiah
    down_payment: Money
    tenor_months: Tenor


class ContractSimulationIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"package_code": "MC-REG-2026", "tenor_months": 24, "down_payment": 6000000}
            ]
        },
    )

    package_code: Code
    tenor_months: Tenor
    down_payment: Money


class InstallmentOut(BaseModel):
    number: int
    due_month: int = Field(description="Months after signing; 0 when paid in advance")
    amount: int
    principal: int
    interest: int
    balance: int


class QuoteOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "package_code": "MC-REG-2026",
                    "otr_price": 20000000,
                    "down_payment": 6000000,
                    "tenor_months": 24,
                    "in_advance": False,
                    "premiums": [],
                    "premiums_financed": 0,
                    "premiums_cash": 0,
                    "amount_financed": 14000000,
                    "flat_interest": 5040000,
                    "total_interest": 5056000,
                    "installment": 794000,
                    "total_payable": 19056000,
                    "provision": 0,
                    "fees": 650000,
                    "paid_at_signing": 6650000,
                    "flat_rate": "0.18",
                    "effective_rate": "0.315510",
                    "schedule": [],
                }
            ]
        }
    )

    package_code: str
    otr_price: int
    down_payment: int
    tenor_months: int
    in_advance: bool
    premiums: list[int]
    premiums_financed: int
    premiums_cash: int
    amount_financed: int
    flat_interest: int = Field(description="Amount financed x flat rate x years")
    total_interest: int = Field(
        description="Interest the customer pays: installment x tenor - amount financed "
        "(the flat interest plus the installment's rounding up), as the schedule splits it"
    )
    installment: int
    total_payable: int
    provision: int
    fees: int
    paid_at_signing: int
    flat_rate: Decimal
    effective_rate: Decimal = Field(description="Monthly IRR of the customer's flows x 12")
    schedule: list[InstallmentOut]


class ContractSimulationOut(QuoteOut):
    model_config = ConfigDict(extra="ignore")

    contract_number: str
    contract_state: str
    chosen_by: str
    chosen_at: datetime
