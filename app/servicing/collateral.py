"""Collateral: the fiduciary certificate (registered within 30 days) and the BPKB, held until
the contract is paid off. Every change enters the contract's log."""

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Date, String, and_, literal, select, update
from sqlalchemy.orm import Session

from app.auth.service import Principal
from app.contracts.models import Contract
from app.contracts.scope import visible_to
from app.contracts.service import log_event
from app.contracts.states import ContractState
from app.core.clock import today_jakarta
from app.core.errors import NotFound, Unprocessable
from app.core.i18n import N_, _
from app.reference.models import Dealer
from app.servicing.models import Collateral, LoanAccount

# Contracts whose collateral is still chased: on the book, or repossessed and not yet sold.
CHASED_STATES = (ContractState.ACTIVE.value, ContractState.REPOSSESSED.value)
CHASE = {
    "fiduciary": N_("Register the fiduciary guarantee (AHU online) and record its certificate."),
    "bpkb": N_("Ask the dealer for the BPKB and record it as held."),
}


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


def _fiduciary_late(day: date) -> Any:
    return and_(Collateral.fiduciary_registered_on.is_(None), Collateral.fiduciary_deadline < day)


def _bpkb_late(day: date, due_days: int) -> Any:
    return and_(
        Collateral.bpkb_status == "awaited",
        LoanAccount.disbursed_on < day - timedelta(days=due_days),
    )


def flag_overdue(session: Session, day: date, bpkb_due_days: int) -> int:
    """The close of business: mark, in two set-based updates, every chased contract whose
    fiduciary registration passed its deadline or whose BPKB has not come from the dealer
    ``bpkb_due_days`` after disbursement, from the first day it was found late. Returns how
    many marks were made today."""
    chased = select(Contract.id).where(Contract.state.in_(CHASED_STATES))
    fiduciary = session.execute(
        update(Collateral)
        .where(
            Collateral.fiduciary_overdue_since.is_(None),
            Collateral.contract_id.in_(chased),
            _fiduciary_late(day),
        )
        .values(fiduciary_overdue_since=day)
        .execution_options(synchronize_session=False)
    )
    late_bpkb = (
        select(LoanAccount.contract_id)
        .join(Collateral, Collateral.contract_id == LoanAccount.contract_id)
        .where(LoanAccount.contract_id.in_(chased), _bpkb_late(day, bpkb_due_days))
    )
    bpkb = session.execute(
        update(Collateral)
        .where(Collateral.bpkb_overdue_since.is_(None), Collateral.contract_id.in_(late_bpkb))
        .values(bpkb_overdue_since=day)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(fiduciary, "rowcount", 0) or 0) + int(getattr(bpkb, "rowcount", 0) or 0)


def overdue(
    session: Session,
    principal: Principal,
    day: date,
    bpkb_due_days: int,
    what: str | None,
    limit: int,
) -> list[dict[str, Any]]:
    """The work list: each overdue fiduciary registration and each BPKB not received, as of
    ``day``, in the caller's scope, the longest overdue first."""
    columns = (
        Contract.number.label("contract_number"),
        Contract.state.label("contract_state"),
        Dealer.code.label("dealer_code"),
        Dealer.name.label("dealer_name"),
        LoanAccount.disbursed_on,
    )
    base = (
        select(*columns)
        .select_from(Collateral)
        .join(Contract, Contract.id == Collateral.contract_id)
        .join(LoanAccount, LoanAccount.contract_id == Contract.id)
        .join(Dealer, Dealer.id == Contract.dealer_id)
        .where(Contract.state.in_(CHASED_STATES), visible_to(principal))
    )
    rows: list[Any] = []
    # Each kind's longest overdue first, ``limit`` of each: the list's first ``limit`` are
    # among them.
    if what in (None, "fiduciary"):
        rows += session.execute(
            base.add_columns(
                literal("fiduciary", String).label("what"),
                Collateral.fiduciary_deadline.label("due_on"),
                Collateral.fiduciary_overdue_since.label("flagged_on"),
            )
            .where(_fiduciary_late(day))
            .order_by(Collateral.fiduciary_deadline, Contract.number)
            .limit(limit)
        ).all()
    if what in (None, "bpkb"):
        rows += session.execute(
            base.add_columns(
                literal("bpkb", String).label("what"),
                literal(None, Date).label("due_on"),
                Collateral.bpkb_overdue_since.label("flagged_on"),
            )
            .where(_bpkb_late(day, bpkb_due_days))
            .order_by(LoanAccount.disbursed_on, Contract.number)
            .limit(limit)
        ).all()
    items = []
    for row in rows:
        due_on = row.due_on or row.disbursed_on + timedelta(days=bpkb_due_days)
        items.append(
            {
                "contract_number": row.contract_number,
                "contract_state": row.contract_state,
                "what": row.what,
                "due_on": due_on,
                "days_overdue": (day - due_on).days,
                "flagged_on": row.flagged_on,
                "dealer_code": row.dealer_code,
                "dealer_name": row.dealer_name,
                "disbursed_on": row.disbursed_on,
                "chase": _(CHASE[row.what]),
            }
        )
    items.sort(key=lambda item: (-item["days_overdue"], item["contract_number"], item["what"]))
    return items[:limit]
