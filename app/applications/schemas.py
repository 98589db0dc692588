"""The application form (stage 1) as the API receives it and shows it back."""

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from app.reference.models import FormCategory

Rupiah = Annotated[int, Field(strict=True, gt=0, le=100_000_000_000, description="Rupiah")]
Text = Annotated[str, Field(min_length=1, max_length=150)]


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


class VehicleCondition(StrEnum):
    NEW = "new"
    USED = "used"


class PaymentMethod(StrEnum):
    """How the customer will pay his installments."""

    PICK_UP = "pick_up"
    COURIER = "courier"
    ATM = "atm"
    POS = "pos"
    VIRTUAL_ACCOUNT = "virtual_account"
    AUTO_DEBIT = "auto_debit"


class _Form(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ApplicantIn(_Form):
    nik: str = Field(description="16-digit KTP number", examples=["3171015708900001"])
    full_name: Text = Field(examples=["Siti Rahmawati"])
    birth_place: Text = Field(examples=["Jakarta"])
    birth_date: date = Field(examples=["1990-08-17"])
    sex: Sex
    mother_maiden_name: Text = Field(examples=["Aminah"])
    phone: str = Field(min_length=8, max_length=20, examples=["0812-3456-7890"])
    address: str = Field(min_length=5, max_length=300, examples=["Jl. Kramat Raya No. 12"])
    postal_code: str = Field(pattern=r"^\d{5}$", examples=["10450"])


class VehicleIn(_Form):
    brand: Text = Field(examples=["Honda"])
    model: Text = Field(examples=["Vario 160"])
    year: int = Field(ge=1980, examples=[2026])
    condition: VehicleCondition
    otr_price: Rupiah = Field(examples=[20_000_000], description="On-the-road price, rupiah")


class ApplicationIn(_Form):
    """A new application, as the dealer's or salesman's front-end submits it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "form_category": "jakarta",
                    "dealer_code": "D-JKT-001",
                    "product_code": "MC",
                    "applicant": {
                        "nik": "3171015708900001",
                        "full_name": "Siti Rahmawati",
                        "birth_place": "Jakarta",
                        "birth_date": "1990-08-17",
                        "sex": "female",
                        "mother_maiden_name": "Aminah",
                        "phone": "0812-3456-7890",
                        "address": "Jl. Kramat Raya No. 12, Senen",
                        "postal_code": "10450",
                    },
                    "vehicle": {
                        "brand": "Honda",
                        "model": "Vario 160",
                        "year": 2026,
                        "condition": "new",
                        "otr_price": 20_000_000,
                    },
                    "down_payment": 6_000_000,
                    "tenor_months": 24,
                    "payment_method": "virtual_account",
                }
            ]
        }
    )

    form_category: FormCategory
    dealer_code: str = Field(min_length=1, max_length=20)
    product_code: str = Field(min_length=1, max_length=10)
    applicant: ApplicantIn
    vehicle: VehicleIn
    down_payment: Rupiah
    tenor_months: int = Field(ge=1, le=84)
    payment_method: PaymentMethod


class ApplicantOut(BaseModel):
    """The applicant; NIK, mother's name, phone and address are masked for some roles."""

    nik: str
    full_name: str
    birth_place: str
    birth_date: date
    sex: Sex
    mother_maiden_name: str
    phone: str
    address: str
    postal_code: str


class ApplicationOut(BaseModel):
    form_category: FormCategory
    applicant: ApplicantOut
    vehicle: VehicleIn
    down_payment: int
    tenor_months: int
    payment_method: PaymentMethod
