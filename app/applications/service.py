"""Stage 1 — an application: submitted whole, numbered, then completed until pre-screening."""

from typing import Any

from pydantic import ValidationError
from sqlalchemy import ColumnElement, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.applications.rules import AreaInfo, Problem, form_problems, normalised
from app.applications.schemas import ApplicationForm, ApplicationIn, IndividualApplicant
from app.auth.roles import Role
from app.auth.service import Principal
from app.contracts.models import LIVE, Contract
from app.contracts.numbering import next_number
from app.contracts.service import ensure_allowed, record_event, transition
from app.contracts.states import Action, ContractState
from app.core.clock import today_jakarta
from app.core.errors import Conflict, FieldError, Forbidden, Unprocessable, field_errors, invalid
from app.core.i18n import N_, _
from app.core.inputs import compact_nik
from app.core.merge_patch import changed_paths, merge_patch
from app.reference.models import Branch, Dealer, Product
from app.reference.service import area_for_postal_code

# Fields of the form whose values never go into the event log, only their names.
FORM_FIELDS = ("form_category", "applicant", "vehicle", "down_payment", "tenor_months",
               "payment_method")  # fmt: skip


IN_USE = {
    "chassis_number": N_("This chassis number already backs another live contract."),
    "engine_number": N_("This engine number already backs another live contract."),
}


def _raise_if(problems: list[Problem]) -> None:
    if problems:
        raise invalid([FieldError(field=f, message=m, rule=r) for f, m, r in problems])


def _area_lookup(session: Session) -> Any:
    def area_of(postal_code: str) -> AreaInfo | None:
        area = area_for_postal_code(session, postal_code)
        return AreaInfo(area.code, area.name, area.category) if area else None

    return area_of


def ensure_vehicle_is_free(session: Session, stored: dict[str, Any], own_id: int | None) -> None:
    """409 when the chassis or engine number already backs another live contract."""
    vehicle = stored["vehicle"]
    for field in ("chassis_number", "engine_number"):
        value = vehicle.get(field)
        if value is None:
            continue
        column = getattr(Contract, field)
        query = select(Contract.id).where(column == value, LIVE)
        if own_id is not None:
            query = query.where(Contract.id != own_id)
        if session.scalar(query.limit(1)) is not None:
            raise Conflict(
                _(IN_USE[field]),
                errors=[FieldError(field=f"vehicle.{field}", message=_("Already in use."),
                                   rule="vehicle_in_use")],
            )  # fmt: skip


def _apply(contract: Contract, stored: dict[str, Any], form: ApplicationForm) -> None:
    """Copy what lists filter and sort on out of the form."""
    applicant = form.applicant
    contract.application = stored
    contract.form_category = form.form_category.value
    contract.applicant_type = applicant.type
    if isinstance(applicant, IndividualApplicant):
        contract.applicant_name = applicant.full_name
        contract.applicant_nik = applicant.nik
        contract.applicant_birth_date = applicant.birth_date
    else:
        contract.applicant_name = applicant.name
        contract.applicant_nik = None
        contract.applicant_birth_date = None
    contract.otr_price = form.vehicle.otr_price
    contract.down_payment = form.down_payment
    contract.tenor_months = form.tenor_months
    contract.chassis_number = stored["vehicle"]["chassis_number"]
    contract.engine_number = stored["vehicle"]["engine_number"]


def _flush_vehicle_guarded(session: Session) -> None:
    # The partial unique indexes decide a race between two contracts for one vehicle.
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        if "chassis" in str(exc.orig) or "engine" in str(exc.orig):
            raise Conflict(_("This vehicle already backs another live contract.")) from None
        raise


def submit(session: Session, principal: Principal, data: ApplicationIn) -> Contract:
    """Check every field against the rules and reference data, then create the contract."""
    today = today_jakarta()
    problems: list[Problem] = []
    dealer = session.scalar(select(Dealer).where(Dealer.code == data.dealer_code))
    if principal.role is Role.DEALER and (dealer is None or dealer.id != principal.dealer_id):
        raise Forbidden(_("A dealer may submit applications only for its own dealership."))
    if dealer is None:
        problems.append(
            ("dealer_code", _("Unknown dealer {code!r}.").format(code=data.dealer_code),
             "unknown_dealer")
        )  # fmt: skip
    elif not dealer.active:
        problems.append(
            ("dealer_code", _("Dealer {code} is inactive.").format(code=dealer.code),
             "dealer_inactive")
        )  # fmt: skip
    elif not principal.is_head_office and dealer.branch_id != principal.branch_id:
        problems.append(
            (
                "dealer_code",
                _("Dealer {code} belongs to another branch.").format(code=dealer.code),
                "other_branch",
            )
        )
    product = session.scalar(
        select(Product).where(Product.code == data.product_code, Product.active)
    )
    if product is None:
        problems.append(
            (
                "product_code",
                _("Unknown product {code!r}.").format(code=data.product_code),
                "unknown_product",
            )
        )
    problems += form_problems(data, today, _area_lookup(session))
    _raise_if(problems)
    assert dealer is not None
    assert product is not None

    stored = normalised(data)
    ensure_vehicle_is_free(session, stored, None)
    branch_code = session.scalar(select(Branch.code).where(Branch.id == dealer.branch_id))
    assert branch_code is not None
    contract = Contract(
        number=next_number(session, branch_code, today.year, product.code),
        branch_id=dealer.branch_id,
        product_id=product.id,
        dealer_id=dealer.id,
        submitted_by_id=principal.user_id,
        state=ContractState.SUBMITTED.value,
        version=1,
    )
    _apply(contract, stored, data)
    session.add(contract)
    _flush_vehicle_guarded(session)
    record_event(
        session,
        contract,
        action=Action.SUBMIT,
        from_state=None,
        actor=principal,
        payload={
            "dealer": dealer.code,
            "product": product.code,
            "applicant_type": contract.applicant_type,
            "otr_price": contract.otr_price,
            "down_payment": contract.down_payment,
            "tenor_months": contract.tenor_months,
        },
    )
    return contract


def amend(
    session: Session, principal: Principal, contract: Contract, patch: dict[str, Any]
) -> list[str]:
    """Apply a JSON Merge Patch to the contract's form; returns the paths that changed.

    The whole resulting form is validated again, as on submission. The event records the
    names of the changed fields, never their values.
    """
    ensure_allowed(contract, Action.AMEND, principal)
    unknown = sorted(set(patch) - set(FORM_FIELDS))
    if unknown:
        message = _("Not a field of the application form (dealer and product cannot change).")
        raise invalid([FieldError(field=k, message=message, rule="not_amendable")
                       for k in unknown])  # fmt: skip
    merged = merge_patch(contract.application, patch)
    try:
        form = ApplicationForm.model_validate(merged)
    except ValidationError as exc:
        raise invalid(field_errors(exc.errors())) from None
    _raise_if(form_problems(form, today_jakarta(), _area_lookup(session)))
    stored = normalised(form)
    changed = changed_paths(contract.application, stored)
    if not changed:
        return []
    ensure_vehicle_is_free(session, stored, contract.id)
    transition(session, contract, Action.AMEND, principal, payload={"changed": changed})
    _apply(contract, stored, form)
    _flush_vehicle_guarded(session)
    return changed


def ensure_form_meets_the_rules(contract: Contract) -> None:
    """422 naming the fields when the stored form breaks today's input rules (it was stored
    before them: a NUL, an invisible character in a name), so that a later stage never hands
    such a value to the database; the form is amended first."""
    try:
        ApplicationForm.model_validate(contract.application)
    except ValidationError as exc:
        errors = [
            FieldError(field=f"application.{e.field}", message=e.message, rule=e.rule)
            for e in field_errors(exc.errors())
        ]
        raise Unprocessable(
            _(
                "The application was stored before the current input rules and breaks them: "
                "{problems} Amend these fields first."
            ).format(problems="; ".join(f"{e.field}: {e.message}" for e in errors)),
            errors=errors,
        ) from None


def name_or_nik_filter(query_text: str) -> ColumnElement[bool]:
    """Staff search: 16 digits are a NIK (written with dots, dashes or spaces too), anything
    else part of a name.

    ``%`` and ``_`` in the query are the characters themselves, not LIKE wildcards.
    """
    nik: str = compact_nik(query_text)
    if nik.isdigit() and len(nik) == 16:
        return Contract.applicant_nik == nik
    return Contract.applicant_name.icontains(query_text, autoescape=True)
