"""Collateral: the fiduciary certificate (registered within 30 days) and the BPKB, held until
the contract is paid off. Every change enters the contract's log."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.service import Principal
from app.contracts.models import Contract
from app.contracts.service import log_event
from app.contracts.states import ContractState
from app.core.clock import today_jakarta
from app.core.errors import NotFound, Unprocessable
from app.core.i18n import _
from app.servicing.models import Collateral


def collateral_of(session: Session, contract: Contract) -> Collateral:
    collateral = session.scalar(select(Collateral).where(Collateral.contract_id == contract.id))
    if collateral is None:
        raise NotFound(
            _("Contract {number} has no collateral: it was never disbursed.").format(
                number=contract.number
            )
        )
    return collateral


def update_collateral(
    session: Session, principal: Principal, contract: Contract, changes: dict[str, Any]
) -> Collateral:
    """Register the fiduciary certificate, and follow the BPKB from awaited to held to
    released (only once the contract is paid off)."""
    collateral = collateral_of(session, contract)
    registered = changes.get("fiduciary_registered_on")
    if registered is not None and registered > today_jakarta():
        raise Unprocessable.field(
            "fiduciary_registered_on", _("A registration cannot be dated ahead."), "future_date"
        )
    if changes.get("bpkb_status") == "released" and contract.state != ContractState.PAID_OFF:
        raise Unprocessable.field(
            "bpkb_status",
            _("The BPKB is held until the contract is paid off; {number} is {state}.").format(
                number=contract.number, state=contract.state
            ),
            "bpkb_held_until_paid_off",
        )
    for name, value in changes.items():
        setattr(collateral, name, value)
    if (collateral.fiduciary_certificate is None) != (collateral.fiduciary_registered_on is None):
        raise Unprocessable.field(
            "fiduciary_certificate",
            _("A fiduciary registration has both its certificate number and its date."),
            "certificate_and_date",
        )
    if collateral.bpkb_status != "awaited" and not collateral.bpkb_number:
        raise Unprocessable.field(
            "bpkb_number", _("A BPKB held or released has its number."), "bpkb_number"
        )
    log_event(session, contract, "collateral_change", principal,
              payload={"fields": sorted(changes)})  # fmt: skip
    return collateral
