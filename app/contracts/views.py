"""Contracts rendered for a caller: reference codes resolved, personal data masked by role."""

from collections.abc import Callable
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.applications.schemas import ApplicationForm
from app.auth.models import User
from app.auth.service import Principal
from app.contracts.models import Contract, ContractEvent
from app.contracts.schemas import ContractOut, ContractPage, ContractSummary, EventOut
from app.core.inputs import STORED
from app.core.pagination import encode_cursor
from app.core.privacy import SEES_PERSONAL_DATA, mask_email, mask_nik, mask_phone, mask_text
from app.reference.models import Branch, Dealer, Product


def with_codes() -> Select[Contract, str, str, str, str]:
    return (
        select(Contract, Branch.code, Dealer.code, Product.code, User.username)
        .join(Branch, Branch.id == Contract.branch_id)
        .join(Dealer, Dealer.id == Contract.dealer_id)
        .join(Product, Product.id == Contract.product_id)
        .join(User, User.id == Contract.submitted_by_id)
    )


# Keys of the stored form that hold personal data, and how each is masked.
_MASKS: dict[str, Callable[[str], str]] = {
    "nik": mask_nik,
    "mother_maiden_name": mask_text,
    "number": mask_phone,
    "phone": mask_phone,
    "street": mask_text,
    "kelurahan": mask_text,
    "email": mask_email,
}


def masked(value: Any) -> Any:
    """The stored form with every personal field masked, at any depth."""
    if isinstance(value, list):
        return [masked(item) for item in value]
    if isinstance(value, dict):
        return {
            key: _MASKS[key](item) if key in _MASKS and isinstance(item, str) else masked(item)
            for key, item in value.items()
        }
    return value


def form_for(principal: Principal, form: dict[str, Any]) -> ApplicationForm:
    shown = form if principal.role in SEES_PERSONAL_DATA else masked(form)
    return ApplicationForm.model_validate(shown, context=STORED)


def contract_out(session: Session, contract: Contract, principal: Principal) -> ContractOut:
    row = session.execute(with_codes().where(Contract.id == contract.id)).one()
    _, branch_code, dealer_code, product_code, submitter = row
    application = form_for(principal, contract.application)
    return ContractOut(
        number=contract.number,
        state=contract.state,
        version=contract.version,
        branch_code=branch_code,
        dealer_code=dealer_code,
        product_code=product_code,
        submitted_by=submitter,
        application=application,
        created_at=contract.created_at,
        updated_at=contract.updated_at,
    )


def contract_page(
    session: Session, query: Select[Contract, str, str, str, str], limit: int
) -> ContractPage:
    """One page of ``query`` (ordered newest first), with the cursor of the next page."""
    rows = session.execute(query.order_by(Contract.id.desc()).limit(limit + 1)).all()
    items = [
        ContractSummary(
            number=c.number,
            state=c.state,
            branch_code=branch_code,
            dealer_code=dealer_code,
            product_code=product_code,
            applicant_type=c.applicant_type,
            applicant_name=c.applicant_name,
            otr_price=c.otr_price,
            created_at=c.created_at,
        )
        for c, branch_code, dealer_code, product_code, _ in rows[:limit]
    ]
    more = len(rows) > limit
    return ContractPage(
        items=items, next_cursor=encode_cursor(rows[limit - 1][0].id) if more else None
    )


def event_views(session: Session, events: list[ContractEvent]) -> list[EventOut]:
    actor_ids = {e.actor_id for e in events if e.actor_id is not None}
    names = {
        user_id: username
        for user_id, username in session.execute(
            select(User.id, User.username).where(User.id.in_(actor_ids))
        )
    }
    return [
        EventOut(
            seq=e.seq,
            action=e.action,
            from_state=e.from_state,
            to_state=e.to_state,
            actor=names.get(e.actor_id) if e.actor_id is not None else None,
            actor_role=e.actor_role,
            reason=e.reason,
            payload=e.payload,
            occurred_at=e.occurred_at,
        )
        for e in events
    ]
