"""Reference data on the wire. Codes are upper-case identifiers that appear in numbers."""

from decimal import Decimal
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from app.reference.models import FormCategory

T = TypeVar("T")

Code = Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9-]{0,19}$", examples=["JKT01"])]
Name = Annotated[str, Field(min_length=1, max_length=150)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class BranchIn(_In):
    code: Annotated[str, Field(pattern=r"^[A-Z0-9]{2,10}$", examples=["SBY01"])]
    name: Name = Field(examples=["Cabang Surabaya"])
    city: Name = Field(examples=["Surabaya"])


class BranchPatch(_In):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"name": "Cabang Jakarta Pusat", "active": True}]}
    )

    name: Name | None = None
    city: Name | None = None
    active: bool | None = None


class BranchOut(_Out):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"code": "JKT01", "name": "Cabang Jakarta", "city": "Jakarta Pusat", "active": True}
            ]
        }
    )

    code: str
    name: str
    city: str
    active: bool


class DealerIn(_In):
    code: Code = Field(examples=["D-JKT-009"])
    name: Name = Field(examples=["PT Mitra Motor Sejahtera"])
    branch_code: str = Field(examples=["JKT01"])
    city: Name = Field(examples=["Jakarta Timur"])


class DealerPatch(_In):
    model_config = ConfigDict(json_schema_extra={"examples": [{"active": False}]})

    name: Name | None = None
    city: Name | None = None
    active: bool | None = None


class DealerOut(_Out):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "D-JKT-001",
                    "name": "PT Sinar Motor Kramat",
                    "branch_code": "JKT01",
                    "city": "Jakarta Pusat",
                    "active": True,
                }
            ]
        }
    )

    code: str
    name: str
    branch_code: str
    city: str
    active: bool


class AreaIn(_In):
    code: Code = Field(examples=["JKT-PST"])
    name: Name = Field(examples=["Jakarta Pusat"])
    category: FormCategory
    branch_code: str = Field(examples=["JKT01"])
    postal_prefixes: list[Annotated[str, Field(pattern=r"^\d{1,5}$")]] = Field(
        min_length=1, examples=[["101", "102", "103", "104", "105", "106", "107"]]
    )


class AreaPatch(_In):
    model_config = ConfigDict(json_schema_extra={"examples": [{"postal_prefixes": ["10", "107"]}]})

    name: Name | None = None
    branch_code: str | None = None
    postal_prefixes: list[Annotated[str, Field(pattern=r"^\d{1,5}$")]] | None = Field(
        default=None, min_length=1
    )


class AreaOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "JKT-PST",
                    "name": "Jakarta Pusat",
                    "category": "jakarta",
                    "branch_code": "JKT01",
                    "postal_prefixes": ["10"],
                }
            ]
        }
    )

    code: str
    name: str
    category: FormCategory
    branch_code: str
    postal_prefixes: list[str]


AllocationOrder = Literal["installment_first", "late_charge_first"]


class ProductIn(_In):
    code: Annotated[str, Field(pattern=r"^[A-Z]{2,10}$", examples=["MC"])]
    name: Name = Field(examples=["Pembiayaan Sepeda Motor"])
    min_down_payment_pct: Decimal = Field(ge=0, lt=100, decimal_places=2, examples=["20.00"])
    slik_required_above: int = Field(
        default=50_000_000,
        strict=True,
        ge=0,
        description="Amount financed above which fatal scores need the SLIK result",
    )
    late_charge_rate: Decimal = Field(
        default=Decimal("0.001"),
        ge=0,
        lt=Decimal("0.1"),
        decimal_places=5,
        description="Late charge per day late, as a share of the overdue principal + interest",
    )
    late_charge_cap: Decimal | None = Field(
        default=Decimal("0.5"),
        gt=0,
        le=Decimal("10"),
        decimal_places=5,
        description="Most late charge one installment can carry, as a share of it (null: no cap)",
    )
    arrears_tolerance: int = Field(
        default=10_000,
        strict=True,
        ge=0,
        le=1_000_000,
        description="Arrears up to this many rupiah (a rounding shortfall) are not past due",
    )
    allocation_order: AllocationOrder = Field(
        default="installment_first",
        description="installment_first: interest and principal of every installment due, "
        "then late charges; late_charge_first: per installment late charge, interest, principal",
    )
    settlement_fee_rate: Decimal = Field(
        default=Decimal(0),
        ge=0,
        lt=Decimal("0.1"),
        decimal_places=5,
        description="Early settlement fee, as a share of the principal outstanding",
    )


class ProductPatch(_In):
    model_config = ConfigDict(json_schema_extra={"examples": [{"min_down_payment_pct": "15.00"}]})

    name: Name | None = None
    min_down_payment_pct: Decimal | None = Field(default=None, ge=0, lt=100, decimal_places=2)
    slik_required_above: int | None = Field(default=None, strict=True, ge=0)
    late_charge_rate: Decimal | None = Field(
        default=None, ge=0, lt=Decimal("0.1"), decimal_places=5
    )
    late_charge_cap: Decimal | None = Field(default=None, gt=0, le=10, decimal_places=5)
    arrears_tolerance: int | None = Field(default=None, strict=True, ge=0, le=1_000_000)
    allocation_order: AllocationOrder | None = None
    settlement_fee_rate: Decimal | None = Field(
        default=None, ge=0, lt=Decimal("0.1"), decimal_places=5
    )
    active: bool | None = None


class ProductOut(_Out):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "MC",
                    "name": "Pembiayaan Sepeda Motor",
                    "min_down_payment_pct": "10.00",
                    "slik_required_above": 50_000_000,
                    "late_charge_rate": "0.00100",
                    "late_charge_cap": "0.50000",
                    "arrears_tolerance": 10_000,
                    "allocation_order": "installment_first",
                    "settlement_fee_rate": "0.00000",
                    "active": True,
                }
            ]
        }
    )

    code: str
    name: str
    min_down_payment_pct: Decimal
    slik_required_above: int
    late_charge_rate: Decimal
    late_charge_cap: Decimal | None
    arrears_tolerance: int
    allocation_order: str
    settlement_fee_rate: Decimal
    active: bool


class Page(BaseModel, Generic[T]):
    items: list[T]
