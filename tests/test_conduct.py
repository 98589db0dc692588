"""OJK conduct rules (POJK 22/2023 art. 62), as pure checks."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from app.collection.conduct import Contact, contact_problems, repossession_problems, strategy

WIB = ZoneInfo("Asia/Jakarta")
HOLIDAYS = {date(2026, 12, 25)}


def rules(
    at: datetime,
    province: str = "DKI Jakarta",
    place: str = "billing_address",
    person: str = "debtor",
    consent: bool = False,
) -> list[str]:
    contact = Contact("desk_call", at, place, person)
    return [rule for _, _, rule in contact_problems(contact, province, HOLIDAYS, consent)]


def test_a_weekday_call_at_ten_in_the_morning_is_fine():
    assert rules(datetime(2026, 11, 23, 10, 0, tzinfo=WIB)) == []


@pytest.mark.parametrize(
    ("case", "at", "province", "expected"),
    [
        (
            "21:00 in Jakarta",
            datetime(2026, 11, 23, 21, 0, tzinfo=WIB),
            "DKI Jakarta",
            ["ojk_hours"],
        ),
        (
            "07:59 in Jakarta",
            datetime(2026, 11, 23, 7, 59, tzinfo=WIB),
            "DKI Jakarta",
            ["ojk_hours"],
        ),
        (
            "19:30 in Jakarta is 20:30 in Makassar",
            datetime(2026, 11, 23, 19, 30, tzinfo=WIB),
            "Sulawesi Selatan",
            ["ojk_hours"],
        ),
        ("a Sunday", datetime(2026, 11, 22, 10, 0, tzinfo=WIB), "DKI Jakarta", ["ojk_sunday"]),
        (
            "Christmas Day",
            datetime(2026, 12, 25, 10, 0, tzinfo=WIB),
            "DKI Jakarta",
            ["ojk_holiday"],
        ),
        ("a Saturday morning", datetime(2026, 11, 28, 9, 0, tzinfo=WIB), "Jawa Barat", []),
    ],
)
def test_calls_outside_the_allowed_days_and_hours_are_refused(case, at, province, expected):
    assert rules(at, province) == expected, case


def test_no_third_parties_and_no_other_place_without_consent():
    at = datetime(2026, 11, 23, 10, 0, tzinfo=WIB)
    assert rules(at, person="third_party") == ["ojk_third_party"]
    assert rules(at, place="other") == ["ojk_place"]
    assert rules(at, place="other", consent=True) == []


def test_repossession_needs_default_letter_fiduciary_and_consent_or_court():
    assert repossession_problems(95, 1, True, True, None) == []
    assert repossession_problems(95, 1, True, False, "PN Jakarta Pusat 123/2026") == []
    found = [r for _, _, r in repossession_problems(0, 0, False, False, None)]
    assert found == [
        "no_default",
        "no_warning_letter",
        "fiduciary_not_registered",
        "court_order_required",
    ]


def test_strategy_by_bucket():
    assert "SP1" in strategy("30-59")
    assert "field visit" in strategy("90-119")
    assert "remedial" in strategy("180+")
