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
from app.core.i18n import _, format_date, format_rupiah
from app.servicing.ledger import Loaded, account_of
from app.servicing.models import Collateral, LedgerEntry, Payment

QUOTE_HORIZON_DAYS = 90  # a quote may look this far ahead (interest and late charge projected)


def quote(session: Session, contract: Contract, on: date) -> dict[str, Any]:
    if contract.state != ContractState.ACTIVE:
        raise Conflict(
            _("Contract {number} is {state}; only an active contract is settled early.").format(
                number=contract.number, state=contract.state
            )
        )
    account = account_of(session, contract)
    if on < account.disbursed_on or on > today_jakarta() + timedelta(days=QUOTE_HORIZON_DAYS):
        raise Unprocessable.field(
            "on",
            _("A quote is for a day from the disbursement ({day}) to {days} days ahead.").format(
                day=format_date(account.disbursed_on), days=QUOTE_HORIZON_DAYS
            ),
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
        raise Conflict(
            _("Contract {number} is {state}; a settlement letter is for a paid-off contract.")
            .format(number=contract.number, state=contract.state)
        )  # fmt: skip
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
    facts = {
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
    return {**facts, "title": _("Settlement letter"), "text": letter_text(facts)}


def letter_text(facts: dict[str, Any]) -> str:
    """The settlement letter as the debtor reads it, in the request's language."""
    paid_off = (
        _(
            "We state that contract {contract} of {debtor}, disbursed on {disbursed_on}, was "
            "paid off by early settlement on {paid_off_on}, {total_paid} having been paid in "
            "all. The debtor has no further obligation under this contract."
        )
        if facts["early_settlement"]
        else _(
            "We state that contract {contract} of {debtor}, disbursed on {disbursed_on}, was "
            "paid off on {paid_off_on}, {total_paid} having been paid in all. The debtor has no "
            "further obligation under this contract."
        )
    )
    unknown = "-"
    paragraphs = [
        _("Number {number}.").format(number=facts["letter_number"]),
        paid_off.format(
            contract=facts["contract_number"],
            debtor=facts["debtor"],
            disbursed_on=format_date(facts["disbursed_on"]),
            paid_off_on=format_date(facts["paid_off_on"]),
            total_paid=format_rupiah(facts["total_paid"]),
        ),
        _("Vehicle: {vehicle}; chassis number {chassis}; engine number {engine}.").format(
            vehicle=facts["vehicle"],
            chassis=facts["chassis_number"] or unknown,
            engine=facts["engine_number"] or unknown,
        ),
        _("The BPKB (number {bpkb}) is handed back to the debtor on presenting this letter.")
        .format(bpkb=facts["bpkb_number"] or unknown),
    ]  # fmt: skip
    return "\n\n".join(paragraphs)
