"""OJK conduct rules for collection (POJK 22/2023 art. 62), pure.

A debtor is contacted Monday to Saturday, not on national holidays, between 08:00 and 20:00 in
his own time zone, at his billing address or domicile — unless he agreed otherwise beforehand
— and never through third parties. Repossession needs a default, a warning letter, a
registered fiduciary certificate, and the debtor's voluntary hand-over or a court order.
"""

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

WIB, WITA, WIT = ZoneInfo("Asia/Jakarta"), ZoneInfo("Asia/Makassar"), ZoneInfo("Asia/Jayapura")
# Provinces outside Western Indonesia Time, by a word of their name.
_WITA = (
    "bali",
    "nusa tenggara",
    "ntb",
    "ntt",
    "kalimantan selatan",
    "kalimantan timur",
    "kalimantan utara",
    "sulawesi",
    "gorontalo",
)
_WIT = ("maluku", "papua")
FIRST_HOUR, LAST_HOUR = time(8, 0), time(20, 0)
CONTACT_KINDS = ("reminder_call", "desk_call", "field_visit", "warning_letter", "repossession")

Problem = tuple[str, str, str]


def debtor_zone(province: str) -> ZoneInfo:
    name = province.lower()
    if any(word in name for word in _WIT):
        return WIT
    if any(word in name for word in _WITA):
        return WITA
    return WIB


@dataclass(frozen=True)
class Contact:
    kind: str
    at: datetime  # aware
    place: str  # billing_address | domicile | other
    person: str  # debtor | third_party


def contact_problems(
    contact: Contact, province: str, holidays: set[date], consent_other_place: bool
) -> list[Problem]:
    """Every rule a planned or recorded contact would break, citing POJK 22/2023 art. 62."""
    local = contact.at.astimezone(debtor_zone(province))
    problems: list[Problem] = []
    if local.weekday() == 6:
        problems.append(
            (
                "performed_at",
                "Debtors are not contacted on Sundays (POJK 22/2023 art. 62).",
                "ojk_sunday",
            )
        )
    if local.date() in holidays:
        problems.append(
            (
                "performed_at",
                "Debtors are not contacted on national holidays (POJK 22/2023 art. 62).",
                "ojk_holiday",
            )
        )
    if not FIRST_HOUR <= local.time() <= LAST_HOUR:
        problems.append(
            (
                "performed_at",
                f"Contact only between 08:00 and 20:00 of the "
                f"debtor's time; it is {local:%H:%M} there (POJK 22/2023 art. 62).",
                "ojk_hours",
            )
        )
    if contact.person != "debtor":
        problems.append(
            (
                "person",
                "Collection never goes through third parties (POJK 22/2023 art. 62).",
                "ojk_third_party",
            )
        )
    if contact.place == "other" and not consent_other_place:
        problems.append(
            (
                "place",
                "Only at the billing address or domicile, unless the debtor "
                "agreed otherwise beforehand (POJK 22/2023 art. 62).",
                "ojk_place",
            )
        )
    return problems


def repossession_problems(
    days_past_due: int,
    warning_letters: int,
    fiduciary_registered: bool,
    voluntary: bool,
    court_order: str | None,
) -> list[Problem]:
    problems: list[Problem] = []
    if days_past_due <= 0:
        problems.append(("kind", "Repossession needs the debtor in default.", "no_default"))
    if warning_letters == 0:
        problems.append(
            ("kind", "Repossession needs a warning letter sent first.", "no_warning_letter")
        )
    if not fiduciary_registered:
        problems.append(
            (
                "kind",
                "Repossession needs a registered fiduciary certificate.",
                "fiduciary_not_registered",
            )
        )
    if not voluntary and not court_order:
        problems.append(
            (
                "voluntary_handover",
                "Without the debtor's voluntary hand-over, repossession needs a court order.",
                "court_order_required",
            )
        )
    return problems


def strategy(bucket: str) -> str:
    """What collection does for an account in each bucket."""
    return {
        "current": "reminder before the due date",
        "1-29": "reminder call after the due date (front-end)",
        "30-59": "desk call and warning letter SP1 (mid-range)",
        "60-89": "warning letters SP2 and SP3 (mid-range)",
        "90-119": "field visit (hard-core)",
        "120-149": "field visit (hard-core)",
        "150-179": "field visit; repossession if the rules allow (hard-core)",
        "180+": "remedial: recovery after write-off",
    }[bucket]
