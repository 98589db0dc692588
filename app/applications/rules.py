"""Pure checks of an application form: NIK, phone numbers, ages. No database, no web.

Each check returns the problems it found as ``(field, message, rule)`` so that one request
can report every mistake at once.
"""

import re
from datetime import date

from stdnum.exceptions import ValidationError
from stdnum.id import nik as stdnum_nik

Problem = tuple[str, str, str]

MIN_AGE_YEARS = 17  # the age at which an Indonesian receives a KTP
MAX_AGE_YEARS = 100


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
            "nik_digits": "A NIK has only digits.",
            "nik_length": "A NIK has 16 digits.",
        }.get(rule, "The NIK has an unknown region code or an impossible date.")
        return [(field, message, rule)]
    day = int(nik[6:8])
    if sex == "female" and day <= 40:
        return [(field, "A woman's NIK carries her birth day plus 40.", "nik_sex_mismatch")]
    if sex == "male" and day > 40:
        return [(field, "A man's NIK carries his birth day as is (+40 is for women).",
                 "nik_sex_mismatch")]  # fmt: skip
    encoded = (day % 40, int(nik[8:10]), int(nik[10:12]))
    stated = (birth_date.day, birth_date.month, birth_date.year % 100)
    if encoded != stated:
        return [(field, "The birth date in the NIK differs from the stated date of birth.",
                 "nik_birth_date_mismatch")]  # fmt: skip
    return []


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def age_problems(field: str, birth_date: date, today: date) -> list[Problem]:
    age = age_on(birth_date, today)
    if not MIN_AGE_YEARS <= age <= MAX_AGE_YEARS:
        return [(field, f"Age {age} is outside {MIN_AGE_YEARS} to {MAX_AGE_YEARS}.", "age_range")]
    return []


_PHONE = re.compile(r"^(?:\+62|62|0)(8\d{7,11}|[2-7]\d{6,10})$")


def normalise_phone(raw: str) -> str | None:
    """An Indonesian number as ``+62...``, or ``None`` when it is not one.

    Mobile numbers start ``08`` (``+628``); fixed lines carry an area code (``021`` Jakarta).
    """
    digits = re.sub(r"[\s\-().]", "", raw)
    match = _PHONE.match(digits)
    return f"+62{match.group(1)}" if match else None
