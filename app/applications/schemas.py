"""The application form (stage 1), as the API receives it and shows it back.

Two form categories share one shape: a Jakarta form names one of Jakarta's administrative
cities, a non-Jakarta form any regency or city. The applicant is a person (with spouse when
married) or a company (with its board members, *pengurus*).
"""

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationInfo,
    WrapValidator,
)
from pydantic_core import PydanticCustomError

from app.core import inputs
from app.core.i18n import N_
from app.core.inputs import HistoricDate, Nik, RequestModel, is_stored, without_union_tag
from app.reference.models import FormCategory
from app.reference.regions import province_code

Rupiah = Annotated[inputs.PositiveRupiah, Field(description="Rupiah")]
RupiahOrZero = Annotated[inputs.Rupiah, Field(description="Rupiah")]
Text = Annotated[str, Field(min_length=1, max_length=150)]
# Customers and the negative list keep a birth place in 100 characters.
Place = Annotated[str, Field(min_length=1, max_length=100)]


def _province(value: str, info: ValidationInfo) -> str:
    """A province by its BPS code or a name or abbreviation that names one province only;
    kept as the code. A form stored before the code list keeps what it holds."""
    if is_stored(info):
        return value
    code = province_code(value)
    if code is None:
        template = N_(
            "{value} is not a province: give its two-digit code (31 DKI Jakarta, 73 Sulawesi "
            "Selatan...) or its name; GET /v1/provinces lists them."
        )
        raise PydanticCustomError(
            "province_unknown", template, {"value": value, "template": template}
        )
    return code


Province = Annotated[
    str,
    Field(
        min_length=1,
        max_length=150,
        description="Province: its two-digit BPS code (`GET /v1/provinces`), or its name or a "
        "common abbreviation (`Sulsel`, `Kaltim`), stored as the code",
        examples=["31"],
    ),
    AfterValidator(_province),
]


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


class MaritalStatus(StrEnum):
    SINGLE = "single"
    MARRIED = "married"
    DIVORCED = "divorced"
    WIDOWED = "widowed"


class Occupation(StrEnum):
    EMPLOYEE = "employee"
    CIVIL_SERVANT = "civil_servant"
    MILITARY_POLICE = "military_police"
    ENTREPRENEUR = "entrepreneur"
    PROFESSIONAL = "professional"
    FARMER_FISHER = "farmer_fisher"
    DRIVER = "driver"
    HOUSEWIFE = "housewife"
    RETIRED = "retired"
    OTHER = "other"


class ResidenceStatus(StrEnum):
    OWNED = "owned"
    FAMILY = "family"
    RENTED = "rented"
    OFFICIAL = "official"
    OTHER = "other"


class PhoneKind(StrEnum):
    MOBILE = "mobile"
    HOME = "home"
    OFFICE = "office"


class BoardPosition(StrEnum):
    PRESIDENT_DIRECTOR = "president_director"
    DIRECTOR = "director"
    PRESIDENT_COMMISSIONER = "president_commissioner"
    COMMISSIONER = "commissioner"
    PARTNER = "partner"  # a CV's active partner (sekutu komplementer)


class LegalForm(StrEnum):
    PT = "pt"
    CV = "cv"
    KOPERASI = "koperasi"
    YAYASAN = "yayasan"
    OTHER = "other"


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
    BRANCH_CASHIER = "branch_cashier"


class _Form(RequestModel):
    model_config = ConfigDict(str_strip_whitespace=True)


class PersonIdentity(_Form):
    """The five identifiers of the duplicate check, and sex (encoded in the NIK)."""

    nik: Nik = Field(examples=["3171015708900001"])
    full_name: Text = Field(examples=["Siti Rahmawati"])
    birth_place: Place = Field(examples=["Jakarta"])
    birth_date: HistoricDate = Field(examples=["1990-08-17"])
    sex: Sex
    mother_maiden_name: Text = Field(examples=["Aminah"])


class Phone(_Form):
    kind: PhoneKind
    number: str = Field(min_length=6, max_length=20, examples=["0812-3456-7890"])


class ContactConsent(_Form):
    """The channels the customer agreed to receive reminders on (none unless he says so)."""

    email: StrictBool = False
    sms: StrictBool = False
    whatsapp: StrictBool = False


class _Reachable(_Form):
    """How reminders reach the customer himself: his e-mail, the channels he consented to,
    and the language he reads them in."""

    email: str | None = Field(
        default=None,
        max_length=254,
        pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
        examples=["siti.rahmawati@example.co.id"],
    )
    contact_consent: ContactConsent = Field(default_factory=ContactConsent)
    language: Literal["id", "en"] = Field(
        default="id", description="The language of the messages he is sent"
    )


class Address(_Form):
    street: str = Field(min_length=3, max_length=200, examples=["Jl. Kramat Raya No. 12"])
    rt: str | None = Field(default=None, pattern=r"^\d{1,3}$", examples=["005"])
    rw: str | None = Field(default=None, pattern=r"^\d{1,3}$", examples=["002"])
    kelurahan: Text = Field(examples=["Kenari"])
    kecamatan: Text = Field(examples=["Senen"])
    city: Text = Field(description="Kota/kabupaten", examples=["Jakarta Pusat"])
    province: Province
    postal_code: str = Field(pattern=r"^\d{5}$", examples=["10430"])


class Spouse(PersonIdentity):
    occupation: Occupation | None = None
    phone: str | None = Field(default=None, min_length=6, max_length=20)


class Guarantor(PersonIdentity):
    """A guarantor (*penjamin*) or a co-applicant: identified and pre-screened like a spouse,
    and stopped by the bad list like the applicant."""

    role: Literal["guarantor", "co_applicant"] = Field(
        description="guarantor (penjamin) or co_applicant (pemohon bersama)"
    )
    relationship: Text | None = Field(default=None, examples=["Orang tua"])
    phone: str | None = Field(default=None, min_length=6, max_length=20)
    monthly_income: RupiahOrZero | None = None


class Employment(_Form):
    occupation: Occupation
    employer: str | None = Field(default=None, max_length=150, examples=["PT Telkom Indonesia"])
    months_employed: StrictInt = Field(ge=0, le=720, description="Length of employment or business")
    monthly_income: Rupiah = Field(examples=[8_500_000])
    monthly_expenses: RupiahOrZero = Field(examples=[3_000_000])


class IndividualApplicant(PersonIdentity, _Reachable):
    type: Literal["individual"] = "individual"
    marital_status: MaritalStatus
    spouse: Spouse | None = None
    dependants: StrictInt = Field(default=0, ge=0, le=20)
    address: Address
    residence_status: ResidenceStatus
    years_at_address: StrictInt = Field(ge=0, le=100)
    phones: list[Phone] = Field(min_length=1, max_length=5)
    employment: Employment


class BoardMember(PersonIdentity):
    position: BoardPosition


class CompanyApplicant(_Reachable):
    type: Literal["company"] = "company"
    name: Text = Field(examples=["PT Maju Jaya Logistik"])
    legal_form: LegalForm
    # Up to 20 with its dots and dash (01.300.066.6-091.000); customers keep it compact.
    npwp: str = Field(
        max_length=20, description="Tax number, 15 or 16 digits", examples=["013000666091000"]
    )
    established: HistoricDate
    business_line: Text = Field(examples=["Jasa pengiriman barang"])
    address: Address
    phones: list[Phone] = Field(min_length=1, max_length=5)
    monthly_revenue: Rupiah
    monthly_expenses: RupiahOrZero
    board_members: list[BoardMember] = Field(min_length=1, max_length=10)


Applicant = Annotated[
    IndividualApplicant | CompanyApplicant,
    Field(discriminator="type"),
    WrapValidator(without_union_tag),
]


class Vehicle(_Form):
    brand: Text = Field(examples=["Honda"])
    model: Text = Field(examples=["Vario 160"])
    year: StrictInt = Field(ge=1980, le=2100, examples=[2026])
    condition: VehicleCondition
    colour: str | None = Field(default=None, max_length=50, examples=["Hitam"])
    otr_price: Rupiah = Field(examples=[20_000_000], description="On-the-road price, rupiah")
    chassis_number: str | None = Field(
        default=None, max_length=30, description="Nomor rangka, once known", examples=[None]
    )
    engine_number: str | None = Field(
        default=None, max_length=30, description="Nomor mesin, once known", examples=[None]
    )


class ApplicationForm(_Form):
    """What the contract keeps of the application; personal fields masked for some roles."""

    form_category: FormCategory
    applicant: Applicant
    vehicle: Vehicle
    down_payment: Rupiah
    tenor_months: StrictInt = Field(ge=1, le=84)
    payment_method: PaymentMethod
    guarantors: list[Guarantor] = Field(
        default_factory=list,
        max_length=5,
        description="Guarantors and co-applicants, each pre-screened like the spouse",
    )


EXAMPLE_FORM: dict[str, Any] = {
    "form_category": "jakarta",
    "applicant": {
        "type": "individual",
        "nik": "3171015708900001",
        "full_name": "Siti Rahmawati",
        "birth_place": "Jakarta",
        "birth_date": "1990-08-17",
        "sex": "female",
        "mother_maiden_name": "Aminah",
        "marital_status": "married",
        "spouse": {
            "nik": "3171012304880002",
            "full_name": "Ahmad Fauzi",
            "birth_place": "Bogor",
            "birth_date": "1988-04-23",
            "sex": "male",
            "mother_maiden_name": "Khadijah",
            "occupation": "employee",
        },
        "dependants": 1,
        "address": {
            "street": "Jl. Kramat Raya No. 12",
            "rt": "005",
            "rw": "002",
            "kelurahan": "Kenari",
            "kecamatan": "Senen",
            "city": "Jakarta Pusat",
            "province": "31",
            "postal_code": "10430",
        },
        "residence_status": "owned",
        "years_at_address": 6,
        "phones": [{"kind": "mobile", "number": "0812-3456-7890"}],
        "employment": {
            "occupation": "employee",
            "employer": "PT Telkom Indonesia",
            "months_employed": 48,
            "monthly_income": 8_500_000,
            "monthly_expenses": 3_000_000,
        },
    },
    "vehicle": {
        "brand": "Honda",
        "model": "Vario 160",
        "year": 2025,
        "condition": "new",
        "colour": "Hitam",
        "otr_price": 20_000_000,
    },
    "down_payment": 6_000_000,
    "tenor_months": 24,
    "payment_method": "virtual_account",
}


class ApplicationIn(ApplicationForm):
    """A new application, as the dealer's or salesman's front-end submits it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"dealer_code": "D-JKT-001", "product_code": "MC", **EXAMPLE_FORM}]
        }
    )

    dealer_code: str = Field(min_length=1, max_length=20)
    product_code: str = Field(min_length=1, max_length=10)
