"""Which contracts a caller may see: head office all, a dealer its own dealership's, a
salesman those he submitted, everyone else his branch's. Applied in every contract query."""

from sqlalchemy import ColumnElement, true

from app.auth.roles import Role
from app.auth.service import Principal
from app.contracts.models import Contract


def visible_to(principal: Principal) -> ColumnElement[bool]:
    if principal.role is Role.DEALER:
        return Contract.dealer_id == principal.dealer_id
    if principal.role is Role.SALESMAN:
        return Contract.submitted_by_id == principal.user_id
    if principal.is_head_office:
        return true()
    return Contract.branch_id == principal.branch_id
