"""A contract's ledger in the database: opening the account at disbursement, the one balance
function every reader uses (:func:`balance_of`), and :func:`reallocate`, which replays the
ledger after any movement and stores what each movement paid of each installment."""

import calendar
from datetime import date, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from app.auth.service import Principal
from app.contracts.models import Contract
from app.core.errors import Conflict
from app.core.i18n import _
from app.core.settings import get_settings
from app.reference.models import Product
from app.servicing import rules
from app.servicing.models import (
    Allocation,
    Collateral,
    Installment,
    LedgerEntry,
    LoanAccount,
    Payment,
)
from app.servicing.virtual_accounts import virtual_account

FIDUCIARY_DAYS = 30  # the fiduciary guarantee is registered within 30 days of signing
# Entries the rules replay as money in, waivers and refunds (the others are records).
MOVEMENT_KINDS = {
    "paid_at_signing": rules.Kind.SIGNING,
    "payment": rules.Kind.PAYMENT,
    "late_charge_waiver": rules.Kind.WAIVER,
    "refund": rules.Kind.REFUND,
    "auction_sale": rules.Kind.SALE,
}


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day (31 January + 1 → 28/29 Feb)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_entry(
    session: Session,
    contract: Contract,
    kind: str,
    value_date: date,
    amount: int,
    actor: Principal | None,
    **details: Any,
) -> LedgerEntry:
    entry = LedgerEntry(
        contract_id=contract.id,
        kind=kind,
        value_date=value_date,
        amount=amount,
        created_by_id=actor.user_id if actor else None,
        **details,
    )
    session.add(entry)
    session.flush()
    return entry


def open_account(
    session: Session,
    contract: Contract,
    actor: Principal,
    disbursed_on: date,
    quote: dict[str, Any],
    reference: str,
) -> LoanAccount:
    """The disbursed contract's account, schedule, collateral and first ledger rows; an ADDM
    contract's first installment is settled on the day, from the amount paid at signing."""
    product = session.get_one(Product, contract.product_id)
    addm = bool(quote.get("in_advance"))
    account = LoanAccount(
        contract_id=contract.id,
        disbursed_on=disbursed_on,
        addm=addm,
        late_charge_rate=product.late_charge_rate,
        late_charge_cap=product.late_charge_cap,
        arrears_tolerance=product.arrears_tolerance,
        allocation_order=product.allocation_order,
        settlement_fee_rate=product.settlement_fee_rate,
        virtual_account=virtual_account(get_settings().va_prefix, contract.id),
    )
    session.add(account)
    previous = disbursed_on
    rows = []
    for row in quote["schedule"]:
        due = add_months(disbursed_on, row["due_month"])
        rows.append(
            Installment(
                contract_id=contract.id,
                number=row["number"],
                due_date=due,
                amount=row["amount"],
                principal=row["principal"],
                interest=row["interest"],
                accrues_from=previous if due > previous else due,
            )
        )
        previous = due
    session.add_all(rows)
    session.add(
        Collateral(
            contract_id=contract.id,
            fiduciary_deadline=disbursed_on + timedelta(days=FIDUCIARY_DAYS),
            bpkb_status="awaited",
        )
    )
    add_entry(session, contract, "disbursement", disbursed_on, quote["amount_financed"], actor,
              reference=reference)  # fmt: skip
    if addm:
        add_entry(session, contract, "paid_at_signing", disbursed_on, rows[0].amount, actor,
                  reason="First installment paid at signing (ADDM)")  # fmt: skip
    reallocate(session, contract)
    return account


def account_of(session: Session, contract: Contract) -> LoanAccount:
    account = session.get(LoanAccount, contract.id)
    if account is None:
        raise Conflict(
            _("Contract {number} was never disbursed: it has no ledger.").format(
                number=contract.number
            )
        )
    return account


def terms_of(account: LoanAccount) -> rules.Terms:
    return rules.Terms(
        disbursed_on=account.disbursed_on,
        late_charge_rate=account.late_charge_rate,
        late_charge_cap=account.late_charge_cap,
        tolerance=account.arrears_tolerance,
        order=rules.Order(account.allocation_order),
        settlement_fee_rate=account.settlement_fee_rate,
    )


def schedule_of(session: Session, contract: Contract) -> list[Installment]:
    return list(
        session.scalars(
            select(Installment)
            .where(Installment.contract_id == contract.id)
            .order_by(Installment.due_date, Installment.number)
        )
    )


def due_of(row: Installment) -> rules.Due:
    return rules.Due(
        number=row.number,
        due_date=row.due_date,
        principal=row.principal,
        interest=row.interest,
        accrues_from=row.accrues_from,
        in_force_from=row.in_force_from,
        superseded_on=row.superseded_on,
    )


def movements_of(session: Session, contract: Contract) -> list[rules.Movement]:
    """The standing movements: every payment, signing, waiver and refund not reversed."""
    reversed_ids = select(LedgerEntry.reverses_id).where(
        LedgerEntry.contract_id == contract.id, LedgerEntry.reverses_id.is_not(None)
    )
    entries = session.scalars(
        select(LedgerEntry).where(
            LedgerEntry.contract_id == contract.id,
            LedgerEntry.kind.in_(MOVEMENT_KINDS),
            LedgerEntry.id.not_in(reversed_ids),
        )
    )
    return [rules.Movement(e.id, MOVEMENT_KINDS[e.kind], e.value_date, e.amount) for e in entries]


class Loaded:
    """A contract's ledger as the rules take it."""

    def __init__(self, session: Session, contract: Contract) -> None:
        self.account = account_of(session, contract)
        self.terms = terms_of(self.account)
        self.rows = schedule_of(session, contract)
        self.schedule = [due_of(r) for r in self.rows]
        self.movements = movements_of(session, contract)

    def run(self, until: date) -> rules.Ledger:
        return rules.run(self.terms, self.schedule, self.movements, until)


def balance_of(session: Session, contract: Contract, on: date) -> rules.Balance:
    """The contract's balances at the end of ``on``: the one way a balance is computed."""
    return Loaded(session, contract).run(on).balance(on)


class LedgerError(Exception):
    """The movements of a contract do not replay (a waiver or refund beyond what was owed)."""

    def __init__(self, number: str, reason: str) -> None:
        super().__init__(f"{number}: {reason}")
        self.number, self.reason = number, reason


def reallocate(session: Session, contract: Contract, since: date | None = None) -> rules.Ledger:
    """Replay the whole ledger and store its allocations and each installment's settlement day
    (credit applied on future due dates included: nothing else can happen before them without
    a new replay)."""
    return reallocate_many(session, {contract.id: since})[contract.id]


def reallocate_many(session: Session, since: dict[int, date | None]) -> dict[int, rules.Ledger]:
    """:func:`reallocate` for many contracts at once, their rows read and written a few
    statements for all: the replay is the same rules, contract by contract. ``since`` is, per
    contract, the earliest value date a movement was added or removed on (``None``: unknown):
    the replay is in value-date order, so the allocations dated before it are what they were
    and only the later ones are written again."""
    ledgers: dict[int, rules.Ledger] = {}
    ids = sorted(since)
    for start in range(0, len(ids), REPLAY_BATCH):
        ledgers.update(
            _reallocate_batch(session, {c: since[c] for c in ids[start : start + REPLAY_BATCH]})
        )
    session.flush()
    return ledgers


REPLAY_BATCH = 2000
COMPONENTS = {c.value: c for c in rules.Component}
# The tables themselves: the replay writes rows in bulk, no ORM object among them.
ALLOCATIONS = cast(Table, Allocation.__table__)
INSTALLMENTS = cast(Table, Installment.__table__)


def _reallocate_batch(session: Session, since: dict[int, date | None]) -> dict[int, rules.Ledger]:
    ids = list(since)
    accounts = {
        a.contract_id: a
        for a in session.scalars(select(LoanAccount).where(LoanAccount.contract_id.in_(ids)))
    }
    for contract_id in ids:
        if contract_id not in accounts:
            number = session.scalar(select(Contract.number).where(Contract.id == contract_id))
            raise Conflict(
                _("Contract {number} was never disbursed: it has no ledger.").format(number=number)
            )
    schedules: dict[int, list[tuple[Any, ...]]] = {c: [] for c in ids}
    connection = session.connection()
    for row in connection.execute(
        select(
            Installment.contract_id,
            Installment.id,
            Installment.number,
            Installment.due_date,
            Installment.principal,
            Installment.interest,
            Installment.accrues_from,
            Installment.in_force_from,
            Installment.superseded_on,
            Installment.settled_on,
        )
        .where(Installment.contract_id.in_(ids))
        .order_by(Installment.contract_id, Installment.due_date, Installment.number)
    ).all():  # fmt: skip (all rows at once: much cheaper than one fetch a row)
        schedules[row[0]].append(tuple(row))
    movements: dict[int, list[rules.Movement]] = {c: [] for c in ids}
    reversed_ids = select(LedgerEntry.reverses_id).where(
        LedgerEntry.contract_id.in_(ids), LedgerEntry.reverses_id.is_not(None)
    )
    for contract_id, key, kind, value_date, amount in connection.execute(
        select(LedgerEntry.contract_id, LedgerEntry.id, LedgerEntry.kind, LedgerEntry.value_date,
               LedgerEntry.amount)
        .where(LedgerEntry.contract_id.in_(ids), LedgerEntry.kind.in_(MOVEMENT_KINDS),
               LedgerEntry.id.not_in(reversed_ids))
    ).all():  # fmt: skip
        movements[contract_id].append(rules.Movement(key, MOVEMENT_KINDS[kind], value_date, amount))
    # The allocations before the day to replay from, for the schedules no restructuring
    # changed (the others are replayed whole).
    resumable = [
        c for c in ids
        if since[c] is not None and accounts[c].off_book_from is None
        and all(r[7] is None and r[8] is None for r in schedules[c])
    ]  # fmt: skip
    before: dict[int, list[rules.Allocation]] = {c: [] for c in resumable}
    if resumable:
        numbers = {r[1]: r[2] for c in resumable for r in schedules[c]}
        for contract_id, entry, installment_id, component, value_date, amount in connection.execute(
            select(Allocation.contract_id, Allocation.entry_id, Allocation.installment_id,
                   Allocation.component, Allocation.value_date, Allocation.amount)
            .where(Allocation.contract_id.in_(resumable))
        ).all():  # fmt: skip
            first = since[contract_id]
            if first is not None and value_date < first:
                which = numbers[installment_id] if installment_id is not None else None
                before[contract_id].append(rules.Allocation(
                    entry, which, COMPONENTS[component], value_date, amount))  # fmt: skip
    ledgers: dict[int, rules.Ledger] = {}
    new_rows: list[dict[str, Any]] = []
    settled_rows: list[dict[str, Any]] = []
    whole: list[int] = []
    partial: list[dict[str, Any]] = []
    for contract_id in ids:
        account = accounts[contract_id]
        rows = schedules[contract_id]
        schedule = [rules.Due(r[2], r[3], r[4], r[5], r[6], r[7], r[8]) for r in rows]
        moves = movements[contract_id]
        end = rules.last_day_of(schedule, moves, account.disbursed_on)
        try:
            if contract_id in before:
                ledger = rules.resume(terms_of(account), schedule, before[contract_id], moves,
                                      since[contract_id] or end, end)  # fmt: skip
            else:
                ledger = rules.run(terms_of(account), schedule, moves, end)
        except ValueError as error:
            number = session.scalar(select(Contract.number).where(Contract.id == contract_id))
            raise LedgerError(number or str(contract_id), str(error)) from error
        ledgers[contract_id] = ledger
        ids_by_number = {r[2]: r[1] for r in rows}
        first = since[contract_id]
        if first is None:
            whole.append(contract_id)
        else:
            partial.append({"key": contract_id, "first": first})
        new_rows.extend(
            {
                "contract_id": contract_id,
                "entry_id": a.key,
                "installment_id": ids_by_number[a.number] if a.number is not None else None,
                "component": a.component.value,
                "value_date": a.value_date,
                "amount": a.amount,
            }
            for a in ledger.allocations
            if first is None or a.value_date >= first
        )
        settled = {line.due.number: line.settled_on for line in ledger.lines}
        settled_rows.extend(
            {"key": r[1], "settled": settled[r[2]]} for r in rows if r[9] != settled[r[2]]
        )
    if whole:
        session.execute(delete(ALLOCATIONS).where(ALLOCATIONS.c.contract_id.in_(whole)))
    if partial:
        session.execute(
            delete(ALLOCATIONS).where(
                ALLOCATIONS.c.contract_id == bindparam("key"),
                ALLOCATIONS.c.value_date >= bindparam("first"),
            ),
            partial,
        )
    if new_rows:
        session.execute(insert(ALLOCATIONS), new_rows)
    if settled_rows:
        session.execute(
            update(INSTALLMENTS)
            .where(INSTALLMENTS.c.id == bindparam("key"))
            .values(settled_on=bindparam("settled")),
            settled_rows,
        )
    return ledgers


def payment_entry(session: Session, payment: Payment) -> LedgerEntry:
    return session.scalars(select(LedgerEntry).where(LedgerEntry.payment_id == payment.id)).one()
