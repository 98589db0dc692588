"""Stage 1 — submitting an application: validate it whole, number it, open its log."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.applications.rules import Problem, age_problems, nik_problems, normalise_phone
from app.applications.schemas import ApplicationIn
from app.auth.roles import Role
from app.auth.service import Principal
from app.contracts.models import Contract
from app.contracts.numbering import next_number
from app.contracts.service import record_event
from app.contracts.states import Action, ContractState
from app.core.clock import today_jakarta
from app.core.errors import FieldError, Forbidden, Unprocessable
from app.reference.models import Branch, Dealer, Product
from app.reference.service import area_for_postal_code


def _raise_if(problems: list[Problem]) -> None:
    if problems:
        errors = [FieldError(field=f, message=m, rule=r) for f, m, r in problems]
        raise Unprocessable("; ".join(f"{e.field}: {e.message}" for e in errors), errors=errors)


def submit(session: Session, principal: Principal, data: ApplicationIn) -> Contract:
    """Check every field against the rules and reference data, then create the contract."""
    today = today_jakarta()
    problems: list[Problem] = []

    dealer = session.scalar(select(Dealer).where(Dealer.code == data.dealer_code))
    if principal.role is Role.DEALER and (dealer is None or dealer.id != principal.dealer_id):
        raise Forbidden("A dealer may submit applications only for its own dealership.")
    if dealer is None:
        problems.append(("dealer_code", f"Unknown dealer {data.dealer_code!r}.", "unknown_dealer"))
    elif not dealer.active:
        problems.append(("dealer_code", f"Dealer {dealer.code} is inactive.", "dealer_inactive"))
    elif not principal.is_head_office and dealer.branch_id != principal.branch_id:
        problems.append(
            ("dealer_code", f"Dealer {dealer.code} belongs to another branch.", "other_branch")
        )
    product = session.scalar(
        select(Product).where(Product.code == data.product_code, Product.active)
    )
    if product is None:
        problems.append(
            ("product_code", f"Unknown product {data.product_code!r}.", "unknown_product")
        )

    applicant = data.applicant
    problems += nik_problems("applicant.nik", applicant.nik, applicant.birth_date, applicant.sex)
    problems += age_problems("applicant.birth_date", applicant.birth_date, today)
    phone = normalise_phone(applicant.phone)
    if phone is None:
        problems.append(
            ("applicant.phone", "Not an Indonesian phone number (08... or +62...).", "phone")
        )
    area = area_for_postal_code(session, applicant.postal_code)
    if area is None:
        problems.append(("applicant.postal_code", "No survey area serves this postal code.",
                         "unknown_postal_code"))  # fmt: skip
    elif area.category != data.form_category.value:
        problems.append(("applicant.postal_code",
                         f"Postal code {applicant.postal_code} is in {area.name}, which is not "
                         f"{data.form_category.value}.", "form_category_mismatch"))  # fmt: skip
    if data.vehicle.year > today.year:
        problems.append(("vehicle.year", "The vehicle year is in the future.", "future_year"))
    if data.down_payment >= data.vehicle.otr_price:
        problems.append(("down_payment", "The down payment must be below the OTR price.",
                         "below_otr"))  # fmt: skip
    _raise_if(problems)
    assert dealer is not None
    assert product is not None
    assert phone is not None

    branch_code = session.scalar(select(Branch.code).where(Branch.id == dealer.branch_id))
    assert branch_code is not None
    form = data.model_dump(mode="json", exclude={"dealer_code", "product_code"})
    form["applicant"]["phone"] = phone
    contract = Contract(
        number=next_number(session, branch_code, today.year, product.code),
        branch_id=dealer.branch_id,
        product_id=product.id,
        dealer_id=dealer.id,
        submitted_by_id=principal.user_id,
        state=ContractState.SUBMITTED.value,
        version=1,
        form_category=data.form_category.value,
        applicant_name=applicant.full_name,
        applicant_nik=applicant.nik,
        applicant_birth_date=applicant.birth_date,
        otr_price=data.vehicle.otr_price,
        down_payment=data.down_payment,
        tenor_months=data.tenor_months,
        application=form,
    )
    session.add(contract)
    session.flush()
    record_event(
        session,
        contract,
        action=Action.SUBMIT,
        from_state=None,
        actor=principal,
        payload={
            "dealer": dealer.code,
            "product": product.code,
            "otr_price": data.vehicle.otr_price,
            "down_payment": data.down_payment,
            "tenor_months": data.tenor_months,
        },
    )
    return contract
