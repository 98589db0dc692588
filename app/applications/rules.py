"""Pure checks of an application form: NIK, ages, phones, addresses, household, vehicle.
No database, no web: reference data comes in as plain values.

Each check returns the problems it found as ``(field, message, rule)`` so that one request
can report every mistake at once.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from stdnum.exceptions import ValidationError
from stdnum.id import nik as stdnum_nik
from stdnum.id import npwp as stdnum_npwp

from app.applications.schemas import (
    Address,
    ApplicationForm,
    CompanyApplicant,
    IndividualApplicant,
    MaritalStatus,
    PersonIdentity,
    Phone,
    PhoneKind,
)
from app.core.i18n import N_, _

Problem = tuple[str, str, str]

MIN_AGE_YEARS = 17  # the age at which an Indonesian receives a KTP
MAX_AGE_YEARS = 100
# Chassis (nomor rangka) and engine (nomor mesin) numbers: letters and digits once spaces and
# dashes are gone; 17 characters for a modern VIN, fewer on older motorcycles.
_FRAME_NUMBER = re.compile(r"^[A-Z0-9]{6,20}$")


@dataclass(frozen=True)
class AreaInfo:
    """The survey area a postal code belongs to."""

    code: str
    name: str
    category: str


def nik_problems(field: str, nik: str, birth_date: date, sex: str) -> list[Problem]:
    """A NIK is ``PPRRSSDDMMYYXXXX``: a known region, then the birth date (day + 40 for
    women), then a sequence. It has no check digit, so agreement with the stated date of birth
    and sex is the best evidence that it was typed right."""
    try:
        stdnum_nik.validate(nik)
    except ValidationError as exc:
        rule = {
            "InvalidFormat": "nik_digits",
            "InvalidLength": "nik_length",
        }.get(type(exc).__name__, "nik_region_or_date")
        message = {
            "nik_digits": N_("A NIK has only digits."),
            "nik_length": N_("A NIK has 16 digits."),
        }.get(rule, N_("The NIK has an unknown region code or an impossible date."))
        return [(field, _(message), rule)]
    day = int(nik[6:8])
    if not (1 <= day <= 31 or 41 <= day <= 71):
        return [
            (field, _("A NIK's birth day code is 01-31, or 41-71 for a woman."), "nik_day_code")
        ]
    if sex == "female" and day <= 40:
        return [(field, _("A woman's NIK carries her birth day plus 40."), "nik_sex_mismatch")]
    if sex == "male" and day > 40:
        return [(field, _("A man's NIK carries his birth day as is (+40 is for women)."),
                 "nik_sex_mismatch")]  # fmt: skip
    encoded = (day % 40, int(nik[8:10]), int(nik[10:12]))
    stated = (birth_date.day, birth_date.month, birth_date.year % 100)
    if encoded != stated:
        return [(field, _("The birth date in the NIK differs from the stated date of birth."),
                 "nik_birth_date_mismatch")]  # fmt: skip
    return []


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def age_problems(field: str, birth_date: date, today: date) -> list[Problem]:
    age = age_on(birth_date, today)
    if not MIN_AGE_YEARS <= age <= MAX_AGE_YEARS:
        message = _("Age {age} is outside {low} to {high}.")
        return [
            (field, message.format(age=age, low=MIN_AGE_YEARS, high=MAX_AGE_YEARS), "age_range")
        ]
    return []


def identity_problems(prefix: str, person: PersonIdentity, today: date) -> list[Problem]:
    return nik_problems(f"{prefix}.nik", person.nik, person.birth_date, person.sex) + age_problems(
        f"{prefix}.birth_date", person.birth_date, today
    )


_PHONE = re.compile(r"^(?:\+62|62|0)(8\d{7,11}|[2-7]\d{6,10})$")


def normalise_phone(raw: str) -> str | None:
    """An Indonesian number as ``+62...``, or ``None`` when it is not one.

    Mobile numbers start ``08`` (``+628``); fixed lines carry an area code (``021`` Jakarta).
    """
    digits = re.sub(r"[\s\-().]", "", raw)
    match = _PHONE.match(digits)
    return f"+62{match.group(1)}" if match else None


def phone_problems(prefix: str, phones: list[Phone], *, need_mobile: bool) -> list[Problem]:
    problems = [
        (f"{prefix}[{i}].number", _("Not an Indonesian phone number (08... or +62...)."), "phone")
        for i, phone in enumerate(phones)
        if normalise_phone(phone.number) is None
    ]
    if need_mobile and not any(p.kind is PhoneKind.MOBILE for p in phones):
        problems.append((prefix, _("Give at least one mobile number."), "mobile_required"))
    return problems


def normalise_frame_number(raw: str) -> str:
    return re.sub(r"[\s\-.]", "", raw).upper()


def address_problems(
    prefix: str, address: Address, category: str, area: AreaInfo | None
) -> list[Problem]:
    field = f"{prefix}.postal_code"
    if area is None:
        return [(field, _("No survey area serves postal code {code}.").format(
                 code=address.postal_code), "unknown_postal_code")]  # fmt: skip
    if area.category != category:
        return [(field, _("Postal code {code} is in {area}, which is not {category}: use the "
                          "other form.").format(code=address.postal_code, area=area.name,
                                                category=category.replace('_', '-')),
                 "form_category_mismatch")]  # fmt: skip
    if category == "jakarta" and area.name.lower() not in address.city.lower():
        return [(f"{prefix}.city", _("Postal code {code} is in {area}, not in {city}.").format(
                     code=address.postal_code, area=area.name, city=address.city),
                 "city_postal_code_mismatch")]  # fmt: skip
    return []


def _individual_problems(applicant: IndividualApplicant, today: date) -> list[Problem]:
    problems = identity_problems("applicant", applicant, today)
    married = applicant.marital_status is MaritalStatus.MARRIED
    if married and applicant.spouse is None:
        problems.append(("applicant.spouse", _("A married applicant names his or her spouse."),
                         "spouse_required"))  # fmt: skip
    if not married and applicant.spouse is not None:
        message = _("A spouse is given but the marital status is {status}.")
        status = applicant.marital_status.value
        problems.append(("applicant.spouse", message.format(status=status), "spouse_not_married"))
    if applicant.spouse is not None:
        problems += identity_problems("applicant.spouse", applicant.spouse, today)
        if applicant.spouse.nik == applicant.nik:
            problems.append(("applicant.spouse.nik", _("The spouse has the applicant's own NIK."),
                             "spouse_same_nik"))  # fmt: skip
        if applicant.spouse.phone and normalise_phone(applicant.spouse.phone) is None:
            problems.append(("applicant.spouse.phone", _("Not an Indonesian phone number."),
                             "phone"))  # fmt: skip
    problems += phone_problems("applicant.phones", applicant.phones, need_mobile=True)
    return problems


def _company_problems(applicant: CompanyApplicant, today: date) -> list[Problem]:
    problems: list[Problem] = []
    if not stdnum_npwp.is_valid(applicant.npwp):
        problems.append(("applicant.npwp", _("Not a valid NPWP (15 or 16 digits, check digit)."),
                         "npwp"))  # fmt: skip
    if applicant.established > today:
        problems.append(("applicant.established", _("The company cannot be founded in the future."),
                         "future_date"))  # fmt: skip
    seen: set[str] = set()
    for i, member in enumerate(applicant.board_members):
        problems += identity_problems(f"applicant.board_members[{i}]", member, today)
        if member.nik in seen:
            message = _("The same person is listed twice.")
            problems.append((f"applicant.board_members[{i}].nik", message, "duplicate_member"))
        seen.add(member.nik)
    problems += phone_problems("applicant.phones", applicant.phones, need_mobile=False)
    return problems


def _guarantor_problems(form: ApplicationForm, today: date) -> list[Problem]:
    """Guarantors and co-applicants: identity checked like the applicant's, and none of them
    one of the contract's other people."""
    applicant = form.applicant
    taken = (
        {applicant.nik} | ({applicant.spouse.nik} if applicant.spouse else set())
        if isinstance(applicant, IndividualApplicant)
        else {member.nik for member in applicant.board_members}
    )
    problems: list[Problem] = []
    for i, person in enumerate(form.guarantors):
        prefix = f"guarantors[{i}]"
        problems += identity_problems(prefix, person, today)
        if person.nik in taken:
            message = _("This person is already on the application.")
            problems.append((f"{prefix}.nik", message, "duplicate_party"))
        taken.add(person.nik)
        if person.phone and normalise_phone(person.phone) is None:
            problems.append((f"{prefix}.phone", _("Not an Indonesian phone number."), "phone"))
    return problems


def form_problems(
    form: ApplicationForm, today: date, area_of: Callable[[str], AreaInfo | None]
) -> list[Problem]:
    """Everything wrong with ``form`` that can be told without other contracts."""
    applicant = form.applicant
    problems = (
        _individual_problems(applicant, today)
        if isinstance(applicant, IndividualApplicant)
        else _company_problems(applicant, today)
    )
    problems += address_problems(
        "applicant.address",
        applicant.address,
        form.form_category.value,
        area_of(applicant.address.postal_code),
    )
    problems += _guarantor_problems(form, today)
    vehicle = form.vehicle
    if vehicle.year > today.year:
        problems.append(("vehicle.year", _("The vehicle year is in the future."), "future_year"))
    for name in ("chassis_number", "engine_number"):
        value = getattr(vehicle, name)
        if value is not None and not _FRAME_NUMBER.match(normalise_frame_number(value)):
            problems.append(
                (f"vehicle.{name}", _("Use 6 to 20 letters and digits."), "frame_number")
            )
    if form.down_payment >= vehicle.otr_price:
        problems.append(("down_payment", _("The down payment must be below the OTR price."),
                         "below_otr"))  # fmt: skip
    return problems


def normalised(form: ApplicationForm) -> dict[str, Any]:
    """The form as stored: phones as ``+62...``, chassis and engine numbers upper-case."""
    data = form.model_dump(mode="json", include=set(ApplicationForm.model_fields))
    applicant = data["applicant"]
    for phone in applicant["phones"]:
        phone["number"] = normalise_phone(phone["number"]) or phone["number"]
    spouse = applicant.get("spouse")
    if spouse and spouse.get("phone"):
        spouse["phone"] = normalise_phone(spouse["phone"]) or spouse["phone"]
    for person in data.get("guarantors", []):
        if person.get("phone"):
            person["phone"] = normalise_phone(person["phone"]) or person["phone"]
    for name in ("chassis_number", "engine_number"):
        if data["vehicle"][name]:
            data["vehicle"][name] = normalise_frame_number(data["vehicle"][name])
    return data
