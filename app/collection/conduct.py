"""OJK conduct rules for collection (POJK 22/2023 art. 62), pure.

A debtor is contacted Monday to Saturday, not on national holidays, between 08:00 and 20:00 in
his own time zone, at his billing address or domicile — unless he agreed otherwise beforehand
— and never through third parties. Repossession needs a default, a warning letter, a
registered fiduciary certificate, and the debtor's voluntary hand-over or a court order.
"""

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from app.core.i18n import N_, _
from app.reference.regions import province_code, provinces

WIB, WITA, WIT = ZoneInfo("Asia/Jakarta"), ZoneInfo("Asia/Makassar"), ZoneInfo("Asia/Jayapura")
FIRST_HOUR, LAST_HOUR = time(8, 0), time(20, 0)
CONTACT_KINDS = ("reminder_call", "desk_call", "field_visit", "warning_letter", "repossession")

Problem = tuple[str, str, str]


def debtor_zones(province: str) -> tuple[ZoneInfo, ...]:
    """The debtor's time zone, from his province's code (or a name the code list knows). A
    province kept from before the code list that names none gives all three: a contact is
    then allowed only when it is allowed wherever in Indonesia he lives."""
    code = province_code(province)
    return (provinces()[code].zone,) if code is not None else (WIB, WITA, WIT)


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
    moments = [contact.at.astimezone(zone) for zone in debtor_zones(province)]
    outside_hours = [m for m in moments if not FIRST_HOUR <= m.time() <= LAST_HOUR]
    problems: list[Problem] = []
    if any(m.weekday() == 6 for m in moments):
        problems.append(
            (
                "performed_at",
                _("Debtors are not contacted on Sundays (POJK 22/2023 art. 62)."),
                "ojk_sunday",
            )
        )
    if any(m.date() in holidays for m in moments):
        problems.append(
            (
                "performed_at",
                _("Debtors are not contacted on national holidays (POJK 22/2023 art. 62)."),
                "ojk_holiday",
            )
        )
    if outside_hours:
        problems.append(
            (
                "performed_at",
                _(
                    "Contact only between 08:00 and 20:00 of the debtor's time; it is {time} "
                    "there (POJK 22/2023 art. 62)."
                ).format(time=f"{outside_hours[0]:%H:%M}"),
                "ojk_hours",
            )
        )
    if contact.person != "debtor":
        problems.append(
            (
                "person",
                _("Collection never goes through third parties (POJK 22/2023 art. 62)."),
                "ojk_third_party",
            )
        )
    if contact.place == "other" and not consent_other_place:
        problems.append(
            (
                "place",
                _(
                    "Only at the billing address or domicile, unless the debtor "
                    "agreed otherwise beforehand (POJK 22/2023 art. 62)."
                ),
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
        problems.append(("kind", _("Repossession needs the debtor in default."), "no_default"))
    if warning_letters == 0:
        problems.append(
            ("kind", _("Repossession needs a warning letter sent first."), "no_warning_letter")
        )
    if not fiduciary_registered:
        problems.append(
            (
                "kind",
                _("Repossession needs a registered fiduciary certificate."),
                "fiduciary_not_registered",
            )
        )
    if not voluntary and not court_order:
        problems.append(
            (
                "voluntary_handover",
                _("Without the debtor's voluntary hand-over, repossession needs a court order."),
                "court_order_required",
            )
        )
    return problems


def strategy(bucket: str) -> str:
    """What collection does for an account in each bucket (in English: shown through
    ``gettext``)."""
    return {
        "current": N_("reminder before the due date"),
        "1-29": N_("reminder call after the due date (front-end)"),
        "30-59": N_("desk call and warning letter SP1 (mid-range)"),
        "60-89": N_("warning letters SP2 and SP3 (mid-range)"),
        "90-119": N_("field visit (hard-core)"),
        "120-149": N_("field visit (hard-core)"),
        "150-179": N_("field visit; repossession if the rules allow (hard-core)"),
        "180+": N_("remedial: recovery after write-off"),
    }[bucket]
