"""The warning letter (*Surat Peringatan*, SP1 to SP3) as the debtor reads it, in the
language of the request: its figures are stored with the action when it is sent, its words
are written when it is read."""

from datetime import date
from typing import Any

from app.core.i18n import N_, _, format_date, format_number, format_rupiah

TITLES = {
    "SP1": N_("First warning letter (SP1)"),
    "SP2": N_("Second warning letter (SP2)"),
    "SP3": N_("Third warning letter (SP3)"),
}


def warning_letter_title(letter: dict[str, Any]) -> str:
    level: str = letter["level"]
    return _(TITLES[level])


def warning_letter_text(number: str, letter: dict[str, Any], sent_on: date) -> str:
    """The body: what is late since when, and what is owed (arrears, interest, late charge,
    principal outstanding), as OJK requires a warning letter to state."""
    paragraphs = [_("Number {number}, {day}.").format(number=number, day=format_date(sent_on))]
    if letter.get("due_date"):
        paragraphs.append(
            _(
                "The installment due on {due_date} has not been paid: {days} days late, "
                "{count} installments unpaid."
            ).format(
                due_date=format_date(date.fromisoformat(letter["due_date"])),
                days=format_number(letter["days_late"]),
                count=format_number(letter["installments_late"]),
            )
        )
    owed = []
    if letter.get("arrears") is not None:
        owed.append(_("Arrears: {amount}").format(amount=format_rupiah(letter["arrears"])))
    owed += [
        _("Interest due: {amount}").format(amount=format_rupiah(letter["interest_due"])),
        _("Late charge: {amount}").format(amount=format_rupiah(letter["fines"])),
        _("Principal outstanding: {amount}").format(
            amount=format_rupiah(letter["outstanding_principal"])
        ),
    ]
    paragraphs.append("\n".join(owed))
    paragraphs.append(
        _("Please pay the arrears and the late charge at once, to avoid further collection steps.")
    )
    return "\n\n".join(paragraphs)
