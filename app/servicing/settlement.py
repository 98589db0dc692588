"""Early settlement (*pelunasan dipercepat*): the pay-off quote as of a date, and the
settlement letter (*surat keterangan lunas*) of a paid-off contract. Paying the quote closes
the contract: :mod:`app.servicing.rules` settles a payment that covers it, and never charges
the interest not yet accrued."""

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.contracts.models import Contract
from app.contracts.states import ContractState
from app.core.clock import today_jakarta
from app.core.errors import Conflict, Unprocessable
from app.servicing.ledger import Loaded, account_of
from app.servicing.models import Collateral, LedgerEntry, Payment

QUOTE_HORIZON_DAYS = 90  # a quote may look this far ahead (interest and late charge projected)


def quote(session: Session, contract: Contract, on: date) -> dict[str, Any]:
    if contract.state != ContractState.ACTIVE:
        raise Conflict(f"Contract {contract.number} is {contract.state}; only an active "
                       "contract is settled early.")  # fmt: skip
    account = account_of(session, contract)
    if on < account.disbursed_on or on > today_jakarta() + timedelta(days=QUOTE_HORIZON_DAYS):
        raise Unprocessable.field(
            "on",
            f"A quote is for a day from the disbursement ({account.disbursed_on}) to "
            f"{QUOTE_HORIZON_DAYS} days ahead.",
            "quote_date",
        )
    ledger = Loaded(session, contract).run(on)
    balance = ledger.balance(on)
    principal, interest, late, fee = ledger.settlement_parts(on)
    unearned = sum(r.interest - r.paid_interest for r in balance.installments if r.in_force) - (
        interest
    )
    return {
        "contract_number": contract.number,
        "on": on,
        "valid_until": on,
        "outstanding_principal": principal,
        "accrued_interest": interest,
        "late_charge_owed": late,
        "settlement_fee": fee,
        "credit": balance.credit,
        "total": balance.settlement_quote,
        "unearned_interest_waived": max(unearned, 0),
    }


def letter(session: Session, contract: Contract) -> dict[str, Any]:
    """The statement that the contract is paid off, with what the customer needs to collect
    his BPKB."""
    if contract.state != ContractState.PAID_OFF:
        raise Conflict(f"Contract {contract.number} is {contract.state}; a settlement letter "
                       "is for a paid-off contract.")  # fmt: skip
    account = account_of(session, contract)
    paid = session.scalar(
        select(func.coalesce(func.sum(Payment.amount), 0)).where(
            Payment.contract_id == contract.id, Payment.reversed_at.is_(None)
        )
    )
    early = session.scalar(
        select(LedgerEntry.id).where(
            LedgerEntry.contract_id == contract.id, LedgerEntry.kind == "early_settlement"
        )
    )
    collateral = session.scalar(select(Collateral).where(Collateral.contract_id == contract.id))
    vehicle = contract.application["vehicle"]
    assert account.off_book_from is not None  # set when the contract was paid off
    return {
        "letter_number": f"SKL-{contract.number}",
        "contract_number": contract.number,
        "debtor": contract.applicant_name,
        "vehicle": f"{vehicle['brand']} {vehicle['model']} ({vehicle['year']})",
        "chassis_number": contract.chassis_number,
        "engine_number": contract.engine_number,
        "disbursed_on": account.disbursed_on,
        "paid_off_on": account.off_book_from,
        "early_settlement": early is not None,
        "total_paid": int(paid or 0),
        "bpkb_number": collateral.bpkb_number if collateral else None,
        "bpkb_releasable": True,
    }
