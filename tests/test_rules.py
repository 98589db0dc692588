"""Pure checks of the application form: NIK, phone numbers, ages."""

from datetime import date

import pytest

from app.applications.rules import age_problems, nik_problems, normalise_phone


def rules(nik: str, birth: date, sex: str) -> list[str]:
    return [rule for _, _, rule in nik_problems("nik", nik, birth, sex)]


@pytest.mark.parametrize(
    ("case", "nik", "birth", "sex", "expected"),
    [
        ("man born 17 Aug 1945, Jakarta", "3171011708450001", date(1945, 8, 17), "male", []),
        ("woman: day + 40", "3171015708900001", date(1990, 8, 17), "female", []),
        ("Bandung woman born 2001", "3273016102010003", date(2001, 2, 21), "female", []),
        ("letters", "31710117084500AB", date(1945, 8, 17), "male", ["nik_digits"]),
        ("fifteen digits", "317101170845000", date(1945, 8, 17), "male", ["nik_length"]),
        (
            "unknown region 99",
            "9971011708450001",
            date(1945, 8, 17),
            "male",
            ["nik_region_or_date"],
        ),
        ("month 13", "3171011713450001", date(1945, 8, 17), "male", ["nik_region_or_date"]),
        # The day code is the birth day (01-31), or it plus 40 for a woman (41-71): 32-40
        # and 72-99 are no one's.
        ("day code 81", "3171018108450001", date(1945, 8, 17), "female", ["nik_day_code"]),
        ("day code 99", "3171019908450001", date(1945, 8, 17), "female", ["nik_day_code"]),
        ("day code 35", "3171013508450001", date(1945, 8, 17), "male", ["nik_region_or_date"]),
        ("day code 00", "3171010008450001", date(1945, 8, 17), "male", ["nik_region_or_date"]),
        (
            "woman without +40",
            "3171011708900001",
            date(1990, 8, 17),
            "female",
            ["nik_sex_mismatch"],
        ),
        ("man with +40", "3171015708900001", date(1990, 8, 17), "male", ["nik_sex_mismatch"]),
        (
            "birth day differs",
            "3171011808450001",
            date(1945, 8, 17),
            "male",
            ["nik_birth_date_mismatch"],
        ),
        (
            "birth year differs",
            "3171011708460001",
            date(1945, 8, 17),
            "male",
            ["nik_birth_date_mismatch"],
        ),
    ],
)
def test_nik(case, nik, birth, sex, expected):
    assert rules(nik, birth, sex) == expected, case


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0812-3456-7890", "+6281234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
        ("(021) 3912345", "+62213912345"),
        ("12345678", None),
        ("0812", None),
        ("+1 415 555 0100", None),
    ],
)
def test_phone_numbers_are_normalised_to_plus_62(raw, expected):
    assert normalise_phone(raw) == expected


def test_age_must_be_that_of_a_ktp_holder():
    today = date(2026, 11, 22)
    assert age_problems("birth_date", date(2009, 11, 22), today) == []  # 17 today
    assert age_problems("birth_date", date(2009, 11, 23), today)[0][2] == "age_range"
    assert age_problems("birth_date", date(1920, 1, 1), today)[0][2] == "age_range"
