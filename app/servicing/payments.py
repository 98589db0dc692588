"""Money movements of an active contract: payments and their reversals (a payment on a
written-off contract is a recovery), late-charge waivers by an approver, refunds of credit.
Each is a ledger entry and an event in the contract's log; the ledger is then replayed, the
contract paid off when it is settled, and the positions of days already closed recomputed."""

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.service import Principal
from app.collection.cob import list_debtor
from app.collection.positions import recompute_since
from app.contracts.models import Contract
from app.contracts.service import log_event, transition
from app.contracts.states import Action, ContractState
from app.core.clock import today_jakarta, utcnow
from app.core.errors import Conflict, NotFound, Unprocessable
from app.core.i18n import _, format_date, format_rupiah
from app.servicing import rules
from app.servicing.ledger import (
    account_of,
    add_entry,
    balance_of,
    payment_entry,
    reallocate,
)
from app.servicing.models import Allocation, LedgerEntry, Payment, Restructuring

BOUNCED_CHEQUES_LISTED = 3
PAYING_STATES = (ContractState.ACTIVE, ContractState.REPOSSESSED)


def settle_ledger(session: Session, contract: Contract, since: date) -> rules.Ledger:
    """Replay after a movement dated ``since``: store the allocations, pay the contract off
    when the ledger says it is settled, and recompute the positions of days already closed."""
    try:
        ledger = reallocate(session, contract)
    except ValueError as error:
        raise Conflict(
            _("Contract {number}: {error}.").format(number=contract.number, error=error)
        ) from error
    if ledger.paid_off_on is not None and contract.state in PAYING_STATES:
        account = account_of(session, contract)
        account.off_book_from = ledger.paid_off_on
        early = any(a.component == rules.Component.INTEREST_WAIVED for a in ledger.allocations)
        if early:
            waived = sum(
                a.amount for a in ledger.allocations
                if a.component == rules.Component.INTEREST_WAIVED
            )  # fmt: skip
            add_entry(session, contract, "early_settlement", ledger.paid_off_on, waived, None,
                      reason="Unearned interest not charged at early settlement")  # fmt: skip
        transition(
            session,
            contract,
            Action.PAY_OFF,
            None,
            reason=("Settled early" if early else "Paid in full") + f" on {ledger.paid_off_on}",
        )
    recompute_since(session, contract, since)
    return ledger


def _check_value_date(session: Session, contract: Contract, field: str, day: date) -> None:
    if day > today_jakarta():
        raise Unprocessable.field(
            field, _("A payment cannot be dated in the future."), "future_date"
        )
    account = account_of(session, contract)
    if day < account.disbursed_on:
        raise Unprocessable.field(
            field,
            _("Contract {number} was disbursed on {day}; nothing is paid on it before.").format(
                number=contract.number, day=format_date(account.disbursed_on)
            ),
            "before_disbursement",
        )
    restructured = session.scalar(
        select(func.max(Restructuring.effective_on)).where(
            Restructuring.contract_id == contract.id, Restructuring.status == "approved"
        )
    )
    if restructured is not None and day < restructured:
        raise Unprocessable.field(
            field,
            _(
                "Contract {number} was restructured on {day}: a payment dated before then would "
                "change the balance the new schedule was made from."
            ).format(number=contract.number, day=format_date(restructured)),
            "before_restructuring",
        )


def post_payment(
    session: Session, principal: Principal, contract: Contract, data: dict[str, Any]
) -> Payment:
    recovery = contract.state == ContractState.WRITTEN_OFF
    # A repossessed contract's debtor may still pay (redeem the vehicle before the auction, or
    # pay a shortfall kept as debt).
    if contract.state not in PAYING_STATES and not recovery:
        raise Conflict(
            _(
                "Contract {number} is {state}; payments are taken from active contracts (and, "
                "as recoveries, from written-off ones)."
            ).format(number=contract.number, state=contract.state)
        )
    _check_value_date(session, contract, "paid_on", data["paid_on"])
    payment = Payment(
        contract_id=contract.id,
        received_by_id=principal.user_id,
        channel=data.get("channel") or contract.application["payment_method"],
        amount=data["amount"],
        paid_on=data["paid_on"],
        reference=data["reference"],
        recovery=recovery,
    )
    session.add(payment)
    session.flush()
    kind = "recovery" if recovery else "payment"
    add_entry(session, contract, kind, payment.paid_on, payment.amount, principal,
              payment_id=payment.id, reference=payment.reference)  # fmt: skip
    log_event(session, contract, kind, principal,
              payload={"payment_id": payment.id, "amount": payment.amount,
                       "paid_on": payment.paid_on.isoformat()})  # fmt: skip
    if not recovery:
        settle_ledger(session, contract, payment.paid_on)
    return payment


def find_payment(session: Session, payment_id: int) -> tuple[Payment, str]:
    found = session.execute(
        select(Payment, Contract.number)
        .join(Contract, Contract.id == Payment.contract_id)
        .where(Payment.id == payment_id)
    ).first()
    if found is None:
        raise NotFound(_("No payment {id}.").format(id=payment_id))
    return found[0], found[1]


def reverse_payment(
    session: Session, principal: Principal, contract: Contract, payment: Payment, reason: str
) -> Payment:
    if payment.reversed_at is not None:
        raise Conflict(_("Payment {id} is already reversed.").format(id=payment.id))
    if contract.state not in (ContractState.ACTIVE, ContractState.WRITTEN_OFF):
        raise Conflict(
            _(
                "Contract {number} is {state}: its payments are final; record the returned "
                "money as a new arrangement."
            ).format(number=contract.number, state=contract.state)
        )
    payment.reversed_at = utcnow()
    payment.reversal_reason = reason
    entry = payment_entry(session, payment)
    add_entry(session, contract, "reversal", payment.paid_on, payment.amount, principal,
              reverses_id=entry.id, reference=payment.reference, reason=reason)  # fmt: skip
    log_event(session, contract, "payment_reversal", principal, reason=reason,
              payload={"payment_id": payment.id, "amount": payment.amount})  # fmt: skip
    if not payment.recovery:
        settle_ledger(session, contract, payment.paid_on)
    if reason == "bounced":
        bounced = bounced_payments(session, contract)
        if bounced >= BOUNCED_CHEQUES_LISTED:
            list_debtor(session, contract, "bounced_cheques",
                        f"{bounced} bounced payments on contract {contract.number}")  # fmt: skip
    return payment


def bounced_payments(session: Session, contract: Contract) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Payment)
            .where(Payment.contract_id == contract.id, Payment.reversal_reason == "bounced")
        )
        or 0
    )


def waive_late_charge(
    session: Session, principal: Principal, contract: Contract, amount: int, reason: str
) -> LedgerEntry:
    if contract.state != ContractState.ACTIVE:
        raise Conflict(
            _("Contract {number} is {state}; nothing to waive.").format(
                number=contract.number, state=contract.state
            )
        )
    today = today_jakarta()
    owed = balance_of(session, contract, today).late_charge_owed
    if amount > owed:
        raise Unprocessable.field(
            "amount", _("The late charge owed today is {amount}; waive at most that.").format(
                amount=format_rupiah(owed)),
            "more_than_owed",
        )  # fmt: skip
    entry = add_entry(session, contract, "late_charge_waiver", today, amount, principal,
                      reason=reason)  # fmt: skip
    log_event(session, contract, "late_charge_waiver", principal, reason=reason,
              payload={"amount": amount})  # fmt: skip
    settle_ledger(session, contract, today)
    return entry


def refund(
    session: Session, principal: Principal, contract: Contract, data: dict[str, Any]
) -> LedgerEntry:
    """Pay a credit balance back to the customer (finance), recorded and reversible."""
    if contract.state not in (ContractState.ACTIVE, ContractState.PAID_OFF):
        raise Conflict(
            _("Contract {number} is {state}; no credit to refund.").format(
                number=contract.number, state=contract.state
            )
        )
    today = today_jakarta()
    credit = balance_of(session, contract, today).credit
    if data["amount"] > credit:
        raise Unprocessable.field(
            "amount", _("The credit today is {amount}; refund at most that.").format(
                amount=format_rupiah(credit)),
            "more_than_credit",
        )  # fmt: skip
    entry = add_entry(session, contract, "refund", today, data["amount"], principal,
                      reference=data["reference"], reason=data.get("reason"))  # fmt: skip
    log_event(session, contract, "refund", principal, reason=data.get("reason"),
              payload={"ledger_entry_id": entry.id, "amount": data["amount"]})  # fmt: skip
    settle_ledger(session, contract, today)
    return entry


def reverse_refund(
    session: Session, principal: Principal, contract: Contract, entry: LedgerEntry, reason: str
) -> LedgerEntry:
    reversed_already = session.scalar(
        select(LedgerEntry.id).where(LedgerEntry.reverses_id == entry.id)
    )
    if entry.kind != "refund" or reversed_already is not None:
        raise Conflict(_("Ledger entry {id} is not a standing refund.").format(id=entry.id))
    reversal = add_entry(session, contract, "reversal", entry.value_date, entry.amount,
                         principal, reverses_id=entry.id, reason=reason)  # fmt: skip
    log_event(session, contract, "refund_reversal", principal, reason=reason,
              payload={"ledger_entry_id": entry.id, "amount": entry.amount})  # fmt: skip
    settle_ledger(session, contract, entry.value_date)
    return reversal


def ledger_rows(session: Session, contract: Contract) -> list[tuple[LedgerEntry, list[Allocation]]]:
    entries = list(
        session.scalars(
            select(LedgerEntry)
            .where(LedgerEntry.contract_id == contract.id)
            .order_by(LedgerEntry.value_date, LedgerEntry.id)
        )
    )
    allocations: dict[int | None, list[Allocation]] = {}
    for row in session.scalars(
        select(Allocation).where(Allocation.contract_id == contract.id).order_by(Allocation.id)
    ):
        allocations.setdefault(row.entry_id, []).append(row)
    return [(e, allocations.get(e.id, [])) for e in entries]
