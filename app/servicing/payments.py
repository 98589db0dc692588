"""Money movements of an active contract: payments and their reversals (a payment on a
written-off contract is a recovery), late-charge waivers by an approver, refunds of credit.
Each is a ledger entry and an event in the contract's log; the ledger is then replayed, the
contract paid off when it is settled, and the positions of days already closed recomputed."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from app.auth.service import Principal
from app.collection.cob import list_debtor
from app.collection.positions import recompute_many
from app.contracts.models import Contract, ContractEvent
from app.contracts.service import EVENT_ORDER_LOCK, log_event, transition
from app.contracts.states import Action, ContractState
from app.core.clock import today_jakarta, utcnow
from app.core.errors import Conflict, NotFound, ProblemError, Unprocessable
from app.core.i18n import _, format_date, format_rupiah
from app.servicing import rules
from app.servicing.ledger import (
    LedgerError,
    account_of,
    add_entry,
    balance_of,
    payment_entry,
    reallocate_many,
)
from app.servicing.models import Allocation, LedgerEntry, LoanAccount, Payment, Restructuring

BOUNCED_CHEQUES_LISTED = 3
PAYING_STATES = (ContractState.ACTIVE, ContractState.REPOSSESSED)


def settle_ledger(session: Session, contract: Contract, since: date) -> rules.Ledger:
    """Replay after a movement dated ``since``: store the allocations, pay the contract off
    when the ledger says it is settled, and recompute the positions of days already closed."""
    return settle_ledgers(session, {contract.id: since})[contract.id]


def settle_ledgers(
    session: Session, since: dict[int, date], *, replay_from: bool = False
) -> dict[int, rules.Ledger]:
    """:func:`settle_ledger` for many contracts, each with the value date of its earliest
    movement; ``replay_from``: only money was added (payments), so the allocations before
    that date stand and only the later ones are written again."""
    try:
        ledgers = reallocate_many(
            session, {c: (day if replay_from else None) for c, day in since.items()}
        )
    except LedgerError as error:
        raise Conflict(
            _("Contract {number}: {error}.").format(number=error.number, error=error.reason)
        ) from error
    for contract_id, ledger in ledgers.items():
        if ledger.paid_off_on is None:
            continue
        contract = session.get_one(Contract, contract_id)
        if contract.state not in PAYING_STATES:
            continue
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
    recompute_many(session, since)
    return ledgers


@dataclass(frozen=True)
class Receipt:
    """Money received for a contract: what :func:`post_payments` posts."""

    contract_id: int
    amount: int
    paid_on: date
    channel: str
    reference: str


@dataclass(frozen=True)
class Refusal:
    """Why a receipt was not posted: the contract's state (409) or the value date (422)."""

    status: int
    field: str
    rule: str
    message: str

    def error(self) -> ProblemError:
        if self.status == 409:
            return Conflict(self.message)
        return Unprocessable.field(self.field, self.message, self.rule)


# How many contracts one statement reads or locks (SQLite takes 32,766 parameters at most).
CHUNK = 5000
PAYMENTS = cast(Table, Payment.__table__)
LEDGER = cast(Table, LedgerEntry.__table__)
EVENTS = cast(Table, ContractEvent.__table__)
CONTRACTS = cast(Table, Contract.__table__)


def _refusal(
    state: str, number: str, day: date, disbursed_on: date | None, restructured: date | None
) -> Refusal | None:
    # A repossessed contract's debtor may still pay (redeem the vehicle before the auction, or
    # pay a shortfall kept as debt); on a written-off one the money is a recovery.
    if state not in (*PAYING_STATES, ContractState.WRITTEN_OFF):
        return Refusal(409, "contract_number", "contract_state", _(
            "Contract {number} is {state}; payments are taken from active contracts (and, "
            "as recoveries, from written-off ones)."
        ).format(number=number, state=state))  # fmt: skip
    if day > today_jakarta():
        return Refusal(422, "paid_on", "future_date", _("A payment cannot be dated in the future."))
    if disbursed_on is None or day < disbursed_on:
        return Refusal(422, "paid_on", "before_disbursement", _(
            "Contract {number} was disbursed on {day}; nothing is paid on it before."
        ).format(number=number, day=format_date(disbursed_on) if disbursed_on else "-")
        )  # fmt: skip
    if restructured is not None and day < restructured:
        return Refusal(422, "paid_on", "before_restructuring", _(
            "Contract {number} was restructured on {day}: a payment dated before then would "
            "change the balance the new schedule was made from."
        ).format(number=number, day=format_date(restructured)))  # fmt: skip
    return None


def post_payments(
    session: Session, principal: Principal, receipts: Sequence[Receipt]
) -> list[int | Refusal]:
    """The one way money received is posted, one payment or a settlement file's thousands:
    each receipt is checked (the contract active, or written off: a recovery; the value date
    neither in the future nor before the disbursement or a restructuring), becomes a payment,
    its ledger entry and its event, and the ledgers are then replayed and settled. Several
    receipts for one contract are taken in their order, as if posted one after the other (one
    that pays the contract off refuses the next). Gives, per receipt, the payment's id or why
    it was refused."""
    outcome: list[int | Refusal] = [
        Refusal(0, "", "", "")  # every one is replaced below
    ] * len(receipts)
    rounds: list[list[int]] = []
    seen: dict[int, int] = {}
    for index, receipt in enumerate(receipts):
        turn = seen.get(receipt.contract_id, 0)
        seen[receipt.contract_id] = turn + 1
        if turn == len(rounds):
            rounds.append([])
        rounds[turn].append(index)
    for indexes in rounds:
        for start in range(0, len(indexes), CHUNK * 4):
            _post_round(session, principal, receipts, indexes[start : start + CHUNK * 4], outcome)
    return outcome


def _post_round(
    session: Session,
    principal: Principal,
    receipts: Sequence[Receipt],
    indexes: list[int],
    outcome: list[int | Refusal],
) -> None:
    """Receipts of distinct contracts: checked, inserted in bulk, settled together."""
    ids = sorted({receipts[i].contract_id for i in indexes})
    postgres = session.get_bind().dialect.name == "postgresql"
    found: dict[int, Any] = {}
    restructured: dict[int, date] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        query = (
            select(Contract.id, Contract.number, Contract.state, Contract.version,
                   LoanAccount.disbursed_on)
            .outerjoin(LoanAccount, LoanAccount.contract_id == Contract.id)
            .where(Contract.id.in_(chunk))
            .order_by(Contract.id)
        )  # fmt: skip
        if postgres:  # concurrent writers of a contract queue here, in one order
            query = query.with_for_update(of=Contract)
        found.update((row.id, row) for row in session.execute(query))
        restructured.update(
            (contract_id, day)
            for contract_id, day in session.execute(
                select(Restructuring.contract_id, func.max(Restructuring.effective_on))
                .where(Restructuring.contract_id.in_(chunk), Restructuring.status == "approved")
                .group_by(Restructuring.contract_id)
            )
            if day is not None
        )
    taken: list[int] = []
    for index in indexes:
        receipt = receipts[index]
        row = found[receipt.contract_id]
        refused = _refusal(row.state, row.number, receipt.paid_on, row.disbursed_on,
                           restructured.get(receipt.contract_id))  # fmt: skip
        if refused is not None:
            outcome[index] = refused
        else:
            taken.append(index)
    if not taken:
        return
    now = utcnow()
    recovery = {i: found[receipts[i].contract_id].state == ContractState.WRITTEN_OFF for i in taken}
    payment_ids = session.execute(
        insert(PAYMENTS).returning(PAYMENTS.c.id, sort_by_parameter_order=True),
        [
            {
                "contract_id": receipts[i].contract_id,
                "received_by_id": principal.user_id,
                "channel": receipts[i].channel,
                "amount": receipts[i].amount,
                "paid_on": receipts[i].paid_on,
                "reference": receipts[i].reference,
                "recovery": recovery[i],
                "received_at": now,
            }
            for i in taken
        ],
    ).scalars().all()  # fmt: skip
    for index, payment_id in zip(taken, payment_ids, strict=True):
        outcome[index] = payment_id
    session.execute(
        insert(LEDGER),
        [
            {
                "contract_id": receipts[i].contract_id,
                "kind": "recovery" if recovery[i] else "payment",
                "value_date": receipts[i].paid_on,
                "amount": receipts[i].amount,
                "payment_id": payment_id,
                "reference": receipts[i].reference,
                "detail": {},
                "created_by_id": principal.user_id,
                "created_at": now,
            }
            for i, payment_id in zip(taken, payment_ids, strict=True)
        ],
    )
    # Each payment is an event of its contract's log, numbered after the contract's version
    # (compare-and-set on it, as every change of a contract is).
    if postgres:
        session.execute(select(func.pg_advisory_xact_lock(EVENT_ORDER_LOCK)))
    session.execute(
        insert(EVENTS),
        [
            {
                "contract_id": receipts[i].contract_id,
                "seq": found[receipts[i].contract_id].version + 1,
                "action": "recovery" if recovery[i] else "payment",
                "from_state": found[receipts[i].contract_id].state,
                "to_state": found[receipts[i].contract_id].state,
                "actor_id": principal.user_id,
                "actor_role": principal.role.value,
                "payload": {"payment_id": payment_id, "amount": receipts[i].amount,
                            "paid_on": receipts[i].paid_on.isoformat()},
                "occurred_at": now,
            }
            for i, payment_id in zip(taken, payment_ids, strict=True)
        ],
    )  # fmt: skip
    bumped = session.execute(
        update(CONTRACTS)
        .where(CONTRACTS.c.id == bindparam("key"), CONTRACTS.c.version == bindparam("was"))
        .values(version=bindparam("now"), updated_at=now),
        [
            {"key": c, "was": found[c].version, "now": found[c].version + 1}
            for c in sorted({receipts[i].contract_id for i in taken})
        ],
    )
    if getattr(bumped, "rowcount", -1) not in (-1, len({receipts[i].contract_id for i in taken})):
        session.rollback()
        raise Conflict(_("A contract was changed by another request; post the payments again."))
    for contract_id in {receipts[i].contract_id for i in taken}:
        contract = session.identity_map.get(identity_key(Contract, contract_id))
        if contract is not None:
            session.expire(contract, ["version", "updated_at"])
    since: dict[int, date] = {}
    for i in taken:
        if not recovery[i]:
            cid = receipts[i].contract_id
            since[cid] = min(since.get(cid, receipts[i].paid_on), receipts[i].paid_on)
    if since:
        settle_ledgers(session, since, replay_from=True)


def post_payment(
    session: Session, principal: Principal, contract: Contract, data: dict[str, Any]
) -> Payment:
    """One payment (``POST /v1/payments``), through :func:`post_payments` like any other."""
    receipt = Receipt(
        contract_id=contract.id,
        amount=data["amount"],
        paid_on=data["paid_on"],
        channel=data.get("channel") or contract.application["payment_method"],
        reference=data["reference"],
    )
    session.flush()
    [posted] = post_payments(session, principal, [receipt])
    if isinstance(posted, Refusal):
        raise posted.error()
    session.refresh(contract)
    return session.get_one(Payment, posted)


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
