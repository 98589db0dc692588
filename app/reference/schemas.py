"""Reference data on the wire. Codes are upper-case identifiers that appear in numbers."""

from decimal import Decimal
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictInt
from pydantic_core import PydanticCustomError

from app.core.inputs import RequestModel, Rupiah
from app.reference.models import FormCategory

T = TypeVar("T")

Code = Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9-]{0,19}$", max_length=20)]
AreaCode = Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9-]{0,9}$", max_length=10)]
# Branch, area and product names and cities are kept in 100 characters; a dealer's name in 150.
Name = Annotated[str, Field(min_length=1, max_length=100)]
DealerName = Annotated[str, Field(min_length=1, max_length=150)]
BranchCode = Annotated[str, Field(min_length=1, max_length=10, examples=["JKT01"])]
PostalPrefix = Annotated[str, Field(pattern=r"^\d{1,5}$", max_length=5)]


class _In(RequestModel):
    model_config = ConfigDict(str_strip_whitespace=True)


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class BranchIn(_In):
    code: Annotated[str, Field(pattern=r"^[A-Z0-9]{2,10}$", max_length=10, examples=["SBY01"])]
    name: Name = Field(examples=["Cabang Surabaya"])
    city: Name = Field(examples=["Surabaya"])


class BranchPatch(_In):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"name": "Cabang Jakarta Pusat", "active": True}]}
    )

    name: Name | None = None
    city: Name | None = None
    active: StrictBool | None = None


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
    name: DealerName = Field(examples=["PT Mitra Motor Sejahtera"])
    branch_code: BranchCode
    city: Name = Field(examples=["Jakarta Timur"])


class DealerPatch(_In):
    model_config = ConfigDict(json_schema_extra={"examples": [{"active": False}]})

    name: DealerName | None = None
    city: Name | None = None
    active: StrictBool | None = None


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
    code: AreaCode = Field(examples=["JKT-PST"])
    name: Name = Field(examples=["Jakarta Pusat"])
    category: FormCategory
    branch_code: BranchCode
    postal_prefixes: list[PostalPrefix] = Field(
        min_length=1, examples=[["101", "102", "103", "104", "105", "106", "107"]]
    )


class AreaPatch(_In):
    model_config = ConfigDict(json_schema_extra={"examples": [{"postal_prefixes": ["10", "107"]}]})

    name: Name | None = None
    branch_code: BranchCode | None = None
    postal_prefixes: list[PostalPrefix] | None = Field(default=None, min_length=1)


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


def _plan(days: list[int]) -> list[int]:
    if len(set(days)) != len(days):
        raise PydanticCustomError("reminder_days_repeated", "Each day once in the reminder plan.")
    return sorted(days)


ReminderDays = Annotated[
    list[Annotated[StrictInt, Field(ge=-30, le=60)]],
    Field(
        max_length=10,
        description="The days relative to the due date a reminder goes out (-3: three days "
        "before, 1: the day after); moved to the day before (before the due date) or after "
        "(from it on) when it is a Sunday or holiday",
        examples=[[-3, -1, 1, 7]],
    ),
    AfterValidator(_plan),
]


class ProductIn(_In):
    code: Annotated[str, Field(pattern=r"^[A-Z]{2,10}$", max_length=10, examples=["MC"])]
    name: Name = Field(examples=["Pembiayaan Sepeda Motor"])
    min_down_payment_pct: Decimal = Field(ge=0, lt=100, decimal_places=2, examples=["20.00"])
    slik_required_above: Rupiah = Field(
        default=50_000_000,
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
    arrears_tolerance: StrictInt = Field(
        default=10_000,
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
    reminder_days: ReminderDays = Field(default_factory=lambda: [-3, -1, 1, 7])
    promise_reminder: StrictBool = Field(
        default=True, description="A reminder the day before a promised payment"
    )


class ProductPatch(_In):
    model_config = ConfigDict(json_schema_extra={"examples": [{"min_down_payment_pct": "15.00"}]})

    name: Name | None = None
    min_down_payment_pct: Decimal | None = Field(default=None, ge=0, lt=100, decimal_places=2)
    slik_required_above: Rupiah | None = None
    late_charge_rate: Decimal | None = Field(
        default=None, ge=0, lt=Decimal("0.1"), decimal_places=5
    )
    late_charge_cap: Decimal | None = Field(default=None, gt=0, le=10, decimal_places=5)
    arrears_tolerance: StrictInt | None = Field(default=None, ge=0, le=1_000_000)
    allocation_order: AllocationOrder | None = None
    settlement_fee_rate: Decimal | None = Field(
        default=None, ge=0, lt=Decimal("0.1"), decimal_places=5
    )
    reminder_days: ReminderDays | None = None
    promise_reminder: StrictBool | None = None
    active: StrictBool | None = None


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
                    "reminder_days": [-3, -1, 1, 7],
                    "promise_reminder": True,
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
    reminder_days: list[int]
    promise_reminder: bool
    active: bool


class Page(BaseModel, Generic[T]):
    items: list[T]


class ProvinceOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "73",
                    "name": "Sulawesi Selatan",
                    "name_en": "South Sulawesi",
                    "iso_3166_2": "ID-SN",
                    "time_zone": "Asia/Makassar",
                    "also_written": ["Sulsel"],
                }
            ]
        }
    )

    code: str = Field(description="Two-digit BPS code: what an address's `province` keeps")
    name: str
    name_en: str
    iso_3166_2: str
    time_zone: str = Field(
        description="Asia/Jakarta (WIB), Asia/Makassar (WITA) or Asia/Jayapura (WIT)"
    )
    also_written: list[str] = Field(description="Other ways of writing it that are accepted")
