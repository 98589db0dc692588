"""Repossession to auction (DESIGN §4): the vehicle handed over moves the contract to
REPOSSESSED; it is appraised; the costs of taking and selling it are recorded; the auction's
proceeds pay those costs first, then the debt as of the sale day (late charges, interest
accrued, principal; the interest not yet earned is never charged); a surplus goes back to the
debtor, a shortfall is kept as debt or written off by an approver.

The ledger holds it all: each cost a ``repossession_cost`` entry, the part of the proceeds
that reaches the debt (and any surplus) an ``auction_sale`` movement, the surplus a
``refund``, a shortfall written off a ``write_off``: the proceeds equal costs recovered +
debt paid + surplus, to the rupiah (a database check holds it).
"""

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.service import Principal
from app.collection.models import WriteOff
from app.collection.positions import recompute_since
from app.contracts.models import Contract
from app.contracts.service import ensure_allowed, log_event, transition
from app.contracts.states import Action
from app.core.clock import today_jakarta, utcnow
from app.core.errors import Conflict, Unprocessable
from app.core.i18n import _, format_date
from app.servicing.ledger import account_of, add_entry, balance_of, reallocate
from app.servicing.models import LedgerEntry, Repossession


def start(session: Session, principal: Principal, contract: Contract, on: date,
          action_id: int | None) -> Repossession:  # fmt: skip
    """The vehicle is handed over: ACTIVE → REPOSSESSED, its record opened."""
    transition(session, contract, Action.REPOSSESS, principal,
               payload={"repossessed_on": on.isoformat(), "action_id": action_id})  # fmt: skip
    row = Repossession(contract_id=contract.id, repossessed_on=on, action_id=action_id)
    session.add(row)
    session.flush()
    return row


def repossession_of(session: Session, contract: Contract) -> Repossession:
    row = session.scalar(select(Repossession).where(Repossession.contract_id == contract.id))
    if row is None:
        raise Conflict(
            _("Contract {number} has no repossessed vehicle.").format(number=contract.number)
        )
    return row


def costs_of(session: Session, contract: Contract) -> list[LedgerEntry]:
    return list(
        session.scalars(
            select(LedgerEntry)
            .where(LedgerEntry.contract_id == contract.id, LedgerEntry.kind == "repossession_cost")
            .order_by(LedgerEntry.value_date, LedgerEntry.id)
        )
    )


def _unsold(session: Session, contract: Contract) -> Repossession:
    row = repossession_of(session, contract)
    if row.sold_on is not None:
        raise Conflict(
            _("The vehicle of contract {number} was sold on {day}.").format(
                number=contract.number, day=format_date(row.sold_on)
            )
        )
    return row


def _check_day(field: str, day: date, row: Repossession) -> None:
    if day > today_jakarta():
        raise Unprocessable.field(field, _("This cannot be dated ahead."), "future_date")
    if day < row.repossessed_on:
        raise Unprocessable.field(
            field,
            _("The vehicle was repossessed on {day}; nothing of it happens before.").format(
                day=format_date(row.repossessed_on)
            ),
            "before_repossession",
        )


def appraise(session: Session, principal: Principal, contract: Contract,
             data: dict[str, Any]) -> Repossession:  # fmt: skip
    row = _unsold(session, contract)
    _check_day("appraised_on", data["appraised_on"], row)
    row.appraised_value = data["appraised_value"]
    row.appraised_on = data["appraised_on"]
    row.appraiser = data["appraiser"]
    session.flush()
    log_event(session, contract, "appraisal", principal,
              payload={"appraised_value": row.appraised_value})  # fmt: skip
    return row


def add_cost(session: Session, principal: Principal, contract: Contract,
             data: dict[str, Any]) -> LedgerEntry:  # fmt: skip
    row = _unsold(session, contract)
    _check_day("incurred_on", data["incurred_on"], row)
    entry = add_entry(session, contract, "repossession_cost", data["incurred_on"],
                      data["amount"], principal, reason=data["reason"],
                      reference=data.get("reference"))  # fmt: skip
    log_event(session, contract, "repossession_cost", principal, reason=data["reason"],
              payload={"ledger_entry_id": entry.id, "amount": entry.amount})  # fmt: skip
    return entry


def debt_on(session: Session, contract: Contract, day: date) -> int:
    """What the auction must pay of the debt on ``day``: principal outstanding, interest
    accrued to that day and late charge owed, less the credit held (no settlement fee)."""
    balance = balance_of(session, contract, day)
    owed = balance.outstanding_principal + balance.accrued_interest + balance.late_charge_owed
    return max(owed - balance.credit, 0)


def sell(session: Session, principal: Principal, contract: Contract,
         data: dict[str, Any]) -> Repossession:  # fmt: skip
    """Post the auction: costs first, then the debt, a surplus refunded. Paid off when the
    debt is covered; otherwise the contract stays REPOSSESSED with its shortfall."""
    ensure_allowed(contract, Action.SELL_COLLATERAL, principal)
    row = _unsold(session, contract)
    day: date = data["sold_on"]
    _check_day("sold_on", day, row)
    if row.appraised_value is None:
        raise Unprocessable.field(
            "sold_on", _("The vehicle is appraised before it is sold."), "not_appraised"
        )
    later_costs = [c for c in costs_of(session, contract) if c.value_date > day]
    if later_costs:
        raise Unprocessable.field(
            "sold_on", _("A cost is dated after this sale."), "cost_after_sale"
        )
    proceeds: int = data["proceeds"]
    costs = sum(c.amount for c in costs_of(session, contract))
    costs_recovered = min(proceeds, costs)
    rest = proceeds - costs_recovered
    debt = debt_on(session, contract, day)
    to_debt = min(rest, debt)
    surplus = rest - to_debt
    sale = None
    if rest > 0:
        sale = add_entry(session, contract, "auction_sale", day, rest, principal,
                         reference=data.get("reference"),
                         detail={"proceeds": proceeds, "costs_recovered": costs_recovered,
                                 "to_debt": to_debt, "surplus": surplus})  # fmt: skip
    if surplus > 0:
        add_entry(session, contract, "refund", day, surplus, principal,
                  reason="Auction surplus paid back to the debtor")  # fmt: skip
    ledger = reallocate(session, contract)
    row.sold_on = day
    row.buyer = data["buyer"]
    row.proceeds = proceeds
    row.costs_recovered = costs_recovered
    row.to_debt = to_debt
    row.surplus = surplus
    row.shortfall = debt - to_debt
    session.flush()
    payload = {"proceeds": proceeds, "costs_recovered": costs_recovered, "to_debt": to_debt,
               "surplus": surplus, "shortfall": row.shortfall,
               "ledger_entry_id": sale.id if sale else None}  # fmt: skip
    if ledger.paid_off_on is not None:
        account_of(session, contract).off_book_from = day
        transition(session, contract, Action.SELL_COLLATERAL, principal,
                   reason=f"Auction on {day} covered the debt", payload=payload)  # fmt: skip
    else:
        log_event(session, contract, "auction_sale", principal, payload=payload)
    recompute_since(session, contract, day)
    return row


def decide_shortfall(session: Session, principal: Principal, contract: Contract,
                     data: dict[str, Any]) -> Repossession:  # fmt: skip
    """An approver keeps the shortfall as debt (the debtor still pays it) or writes it off:
    what is still owed today leaves the book as a write-off, later money is a recovery."""
    ensure_allowed(contract, Action.WRITE_OFF_SHORTFALL, principal)
    row = repossession_of(session, contract)
    if row.sold_on is None or not row.shortfall:
        raise Conflict(
            _("Contract {number} has no shortfall from a sale to decide.").format(
                number=contract.number
            )
        )
    if row.shortfall_decision == "written_off":
        raise Conflict(_("The shortfall is already written off."))
    row.decided_by_id = principal.user_id
    row.decided_at = utcnow()
    row.decision_reason = data["reason"]
    if data["decision"] == "keep":
        if row.shortfall_decision == "kept":
            raise Conflict(_("The shortfall is already kept as debt."))
        row.shortfall_decision = "kept"
        session.flush()
        log_event(session, contract, "shortfall_kept", principal, reason=data["reason"],
                  payload={"shortfall": row.shortfall})  # fmt: skip
        return row
    day = today_jakarta()
    balance = balance_of(session, contract, day)
    owed = balance.outstanding_principal + balance.accrued_interest + balance.late_charge_owed
    owed = max(owed - balance.credit, 0)
    add_entry(session, contract, "write_off", day, owed, principal, reason=data["reason"],
              detail={"principal": balance.outstanding_principal,
                      "interest": balance.accrued_interest,
                      "late_charge": balance.late_charge_owed})  # fmt: skip
    # The portfolio report's write-off, as the close's: the principal outstanding.
    session.add(
        WriteOff(contract_id=contract.id, business_date=day, amount=balance.outstanding_principal)
    )
    account_of(session, contract).off_book_from = day + timedelta(days=1)
    row.shortfall_decision = "written_off"
    session.flush()
    transition(session, contract, Action.WRITE_OFF_SHORTFALL, principal, reason=data["reason"],
               payload={"shortfall": row.shortfall, "written_off": owed})  # fmt: skip
    recompute_since(session, contract, day)
    return row


def written_off(session: Session, contract: Contract) -> int:
    return int(
        session.scalar(
            select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
                LedgerEntry.contract_id == contract.id, LedgerEntry.kind == "write_off"
            )
        )
        or 0
    )
