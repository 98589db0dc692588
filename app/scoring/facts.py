"""The facts a rule set is applied to, drawn from the stored stages of one contract.
Pure: the caller gathers the stored pieces, this turns them into plain values."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from app.applications.rules import age_on, nik_problems


def _pct(part: int, whole: int) -> Decimal:
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def facts_of(
    form: dict[str, Any],
    *,
    today: date,
    estimated_installment: int,
    slik_worst_kol: int | None,
    negative_list_hit: bool,
    repeat_order: bool,
    past_write_offs: int,
    survey: dict[str, Any] | None,
) -> dict[str, Any]:
    applicant = form["applicant"]
    vehicle = form["vehicle"]
    tenor = form["tenor_months"]
    company = applicant["type"] == "company"
    if company:
        # A company is judged by its eldest board member's age and by its revenue.
        people = applicant["board_members"]
        birth = min(date.fromisoformat(m["birth_date"]) for m in people)
        income = applicant["monthly_revenue"]
        months_employed = (today.year - date.fromisoformat(applicant["established"]).year) * 12
        nik_ok = all(not nik_problems("nik", m["nik"], date.fromisoformat(m["birth_date"]),
                                      m["sex"]) for m in people)  # fmt: skip
        occupation, residence = "entrepreneur", "owned"
    else:
        birth = date.fromisoformat(applicant["birth_date"])
        income = applicant["employment"]["monthly_income"]
        months_employed = applicant["employment"]["months_employed"]
        nik_ok = not nik_problems("nik", applicant["nik"], birth, applicant["sex"])
        occupation = applicant["employment"]["occupation"]
        residence = applicant["residence_status"]
    age = age_on(birth, today)
    years = Decimal(tenor) / 12
    documents = (survey or {}).get("documents") or {}
    return {
        "age_at_application": age,
        "age_at_maturity": (Decimal(age) + years).quantize(Decimal("0.1")),
        "nik_consistent": nik_ok,
        "down_payment_pct": _pct(form["down_payment"], vehicle["otr_price"]),
        "installment_to_income_pct": _pct(estimated_installment, income),
        "monthly_income": income,
        "slik_worst_kol": slik_worst_kol,
        "negative_list_hit": negative_list_hit,
        "months_employed": months_employed,
        "vehicle_age_at_maturity": (Decimal(today.year - vehicle["year"]) + years).quantize(
            Decimal("0.1")
        ),
        "tenor_months": tenor,
        "occupation": occupation,
        "residence_status": residence,
        "vehicle_condition": vehicle["condition"],
        "repeat_order": repeat_order,
        "past_write_offs": past_write_offs,
        "residence_verified": (survey or {}).get("residence_verified"),
        "income_verified": (survey or {}).get("income_verified"),
        "documents_missing": sum(1 for d in documents.values() if not d.get("collected")),
    }
