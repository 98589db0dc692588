"""Independent reference model of the loan-servicing ledger.

Written from the rules document ("Kredo servicing rules (v1)", kept beside it as
``tests/servicing_rules.md``) alone, without looking at the production code. It is a
deliberately plain, literal day-by-day simulator: every calendar day from ``disbursed_on``
through the target date is visited; late charge bases grow each day by the unpaid amounts at
the end of the previous day; payments, waivers and refunds are applied on their day in id order
(a waiver that clears the last late charge of a fully paid contract pays it off). No closed
forms, no shortcuts.

Public API:

- ``simulate(contract, until)`` -> one balance dict per day, ``disbursed_on`` .. ``until``.
- ``balance(contract, on)`` -> the balance dict of day ``on``.

Money is int rupiah, rates are Decimal, ``rupiah(x)`` rounds half up to a whole rupiah.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

__all__ = ["balance", "rupiah", "simulate"]

ONE_DAY = timedelta(days=1)


def rupiah(x: Decimal) -> int:
    """Round half up to a whole rupiah."""
    return int(x.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass
class _Installment:
    number: int
    due_date: date
    principal: int
    interest: int
    accrues_from: date
    in_force_from: date | None
    superseded_on: date | None
    paid_principal: int = 0
    paid_interest: int = 0
    waived_interest: int = 0
    paid_lc: int = 0
    waived_lc: int = 0
    # Sum over days s (due_date <= s, in force on s, contract not settled on s) of the
    # unpaid amount at the end of day s, for the days processed so far.
    lc_base: int = 0
    # rupiah(rate * lc_base), capped; recomputed whenever lc_base changes.
    accrued_lc: int = 0
    settled_on: date | None = None

    @property
    def amount(self) -> int:
        return self.principal + self.interest

    @property
    def unpaid(self) -> int:
        return self.amount - self.paid_interest - self.paid_principal - self.waived_interest

    def in_force(self, t: date) -> bool:
        return (self.in_force_from is None or self.in_force_from <= t) and (
            self.superseded_on is None or self.superseded_on > t
        )

    def accrued_int(self, t: date) -> int:
        if t >= self.due_date:
            return self.interest
        if t <= self.accrues_from:
            return 0
        elapsed = (t - self.accrues_from).days
        period = (self.due_date - self.accrues_from).days
        return rupiah(Decimal(self.interest * elapsed) / Decimal(period))


class _Ledger:
    def __init__(self, contract: dict[str, Any]) -> None:
        self.d0: date = contract["disbursed_on"]
        self.addm: bool = bool(contract["addm"])
        self.rate: Decimal = Decimal(contract["late_charge_rate"])
        cap = contract["late_charge_cap"]
        self.cap: Decimal | None = None if cap is None else Decimal(cap)
        self.tolerance: int = int(contract["tolerance"])
        self.order: str = contract["order"]
        if self.order not in ("installment_first", "late_charge_first"):
            raise ValueError(f"unknown order {self.order!r}")
        self.fee_rate: Decimal = Decimal(contract["settlement_fee_rate"])
        insts = [
            _Installment(
                number=int(i["number"]),
                due_date=i["due_date"],
                principal=int(i["principal"]),
                interest=int(i["interest"]),
                accrues_from=i["accrues_from"],
                in_force_from=i.get("in_force_from"),
                superseded_on=i.get("superseded_on"),
            )
            for i in contract["installments"]
        ]
        numbers = [i.number for i in insts]
        if len(set(numbers)) != len(numbers):
            raise ValueError("installment numbers must be unique")
        # "Oldest first": by (due_date, number).
        self.insts: list[_Installment] = sorted(insts, key=lambda i: (i.due_date, i.number))
        events = list(contract.get("events", []))
        for e in events:
            if e["kind"] not in ("payment", "waiver", "refund"):
                raise ValueError(f"unknown event kind {e['kind']!r}")
            if e["on"] < self.d0:
                raise ValueError("event before disbursement")
        self.events: list[dict[str, Any]] = sorted(events, key=lambda e: (e["on"], e["id"]))
        self.credit: int = 0
        self.settled_on: date | None = None
        self.settlement_fee: int = 0

    # ----- late charge -------------------------------------------------------------------

    def compute_accrued_lc(self, i: _Installment) -> int:
        value = rupiah(self.rate * i.lc_base)
        if self.cap is not None:
            value = min(value, rupiah(self.cap * i.amount))
        return value

    def lc_owed(self, i: _Installment) -> int:
        owed = i.accrued_lc - i.paid_lc - i.waived_lc
        assert owed >= 0, "late charge owed went negative"
        return owed

    def total_lc_owed(self) -> int:
        return sum(self.lc_owed(i) for i in self.insts)

    def accrue_late_charges(self, s: date) -> None:
        """Add day s (the end-of-day state just finished) to every late-charge base."""
        if self.settled_on is not None and self.settled_on <= s:
            return  # late charge never accrues after the contract is settled
        for i in self.insts:
            if i.due_date <= s and i.in_force(s) and i.unpaid > 0:
                i.lc_base += i.unpaid
                i.accrued_lc = self.compute_accrued_lc(i)

    # ----- money -------------------------------------------------------------------------

    def allocate_due(self, money: int, t: date) -> int:
        """Allocate money to what is due on t; return what is left."""
        due = [i for i in self.insts if i.in_force(t) and i.due_date <= t]

        def take(owed: int) -> int:
            nonlocal money
            taken = min(money, owed)
            money -= taken
            return taken

        if self.order == "installment_first":
            for i in due:
                i.paid_interest += take(i.interest - i.paid_interest)
                i.paid_principal += take(i.principal - i.paid_principal)
            for i in self.insts:
                i.paid_lc += take(self.lc_owed(i))
        else:  # late_charge_first
            for i in due:
                i.paid_lc += take(self.lc_owed(i))
                i.paid_interest += take(i.interest - i.paid_interest)
                i.paid_principal += take(i.principal - i.paid_principal)
            for i in self.insts:
                if not i.in_force(t):
                    i.paid_lc += take(self.lc_owed(i))
        return money

    def settlement_parts(self, t: date) -> tuple[int, int, int, int]:
        """(OP, AI, LC, F) of the settlement amount S(t)."""
        in_force = [i for i in self.insts if i.in_force(t)]
        op = sum(i.principal - i.paid_principal for i in in_force)
        ai = sum(max(0, i.accrued_int(t) - i.paid_interest) for i in in_force)
        lc = self.total_lc_owed()
        fee = rupiah(self.fee_rate * op)
        return op, ai, lc, fee

    def settlement_amount(self, t: date) -> int:
        return sum(self.settlement_parts(t))

    def settle(self, money: int, t: date) -> int:
        """Early settlement / pay-off on t; return the remainder (goes to credit)."""
        _, _, _, fee = self.settlement_parts(t)
        for i in self.insts:
            lc = self.lc_owed(i)
            i.paid_lc += lc
            money -= lc
        for i in self.insts:
            if i.in_force(t):
                owed = max(0, i.accrued_int(t) - i.paid_interest)
                i.paid_interest += owed
                money -= owed
        for i in self.insts:
            if i.in_force(t):
                owed = i.principal - i.paid_principal
                i.paid_principal += owed
                money -= owed
        money -= fee
        self.settlement_fee = fee
        for i in self.insts:
            if i.in_force(t):
                i.waived_interest += i.interest - i.paid_interest - i.waived_interest
        assert money >= 0, "settled with less than the settlement amount"
        self.settled_on = t
        return money

    def check_paid_off(self, t: date) -> None:
        if self.settled_on is not None:
            return
        if all(i.unpaid == 0 for i in self.insts if i.in_force(t)) and self.total_lc_owed() == 0:
            self.settled_on = t

    def inflow(self, amount: int, t: date, *, signing: bool) -> None:
        money = amount + self.credit
        self.credit = 0
        if self.settled_on is not None:
            self.credit = money  # a payment after pay-off is all credit
            return
        if not signing and money >= self.settlement_amount(t):
            self.credit = self.settle(money, t)
            return
        self.credit = self.allocate_due(money, t)
        self.check_paid_off(t)

    def waive(self, amount: int) -> None:
        if amount > self.total_lc_owed():
            raise ValueError("waiver exceeds the late charge owed")
        for i in self.insts:
            w = min(amount, self.lc_owed(i))
            i.waived_lc += w
            amount -= w

    def refund(self, amount: int) -> None:
        if amount > self.credit:
            raise ValueError("refund exceeds the credit")
        self.credit -= amount

    # ----- one day -----------------------------------------------------------------------

    def process_day(self, t: date, events: list[dict[str, Any]]) -> None:
        # 1. credit application (due-only)
        if self.credit > 0 and self.settled_on is None:
            self.credit = self.allocate_due(self.credit, t)
        # 2. events; the ADDM signing inflow comes first on D0
        if self.addm and t == self.d0:
            first = next(i for i in self.insts if i.number == 1)
            self.inflow(first.amount, t, signing=True)
        for e in events:
            amount = int(e["amount"])
            if e["kind"] == "payment":
                if amount <= 0:
                    raise ValueError("payment amount must be positive")
                self.inflow(amount, t, signing=False)
            elif e["kind"] == "waiver":
                self.waive(amount)
                if self.settled_on is None:
                    self.check_paid_off(t)
            else:
                self.refund(amount)
        # end of day: note when each installment's unpaid first reached 0
        for i in self.insts:
            if i.settled_on is None and i.unpaid == 0:
                i.settled_on = t

    # ----- outputs -----------------------------------------------------------------------

    def snapshot(self, d: date) -> dict[str, Any]:
        settled = self.settled_on is not None
        in_force = [i for i in self.insts if i.in_force(d)]
        due = [i for i in in_force if i.due_date <= d]

        dpd = 0
        running = 0
        for i in due:
            running += i.unpaid
            if running > self.tolerance:
                dpd = (d - i.due_date).days
                break

        next_due_date: date | None = None
        next_due_amount = 0
        for i in in_force:
            if i.due_date > d and i.unpaid > 0:
                next_due_date, next_due_amount = i.due_date, i.unpaid
                break

        op, ai, lc, fee = self.settlement_parts(d)
        quote = max(op + ai + lc + fee - self.credit, 0)

        installments = []
        for i in self.insts:
            end = i.settled_on or d
            installments.append(
                {
                    "number": i.number,
                    "due_date": i.due_date,
                    "principal": i.principal,
                    "interest": i.interest,
                    "paid_principal": i.paid_principal,
                    "paid_interest": i.paid_interest,
                    "waived_interest": i.waived_interest,
                    "accrued_lc": i.accrued_lc,
                    "paid_lc": i.paid_lc,
                    "waived_lc": i.waived_lc,
                    "lc_owed": self.lc_owed(i),
                    "unpaid": i.unpaid,
                    "settled_on": i.settled_on,
                    "days_late": max((end - i.due_date).days, 0),
                }
            )

        return {
            "day": d,
            "outstanding_principal": 0 if settled else op,
            "interest_due": sum(i.interest - i.paid_interest - i.waived_interest for i in due),
            "accrued_interest": 0 if settled else ai,
            "late_charge_owed": lc,
            "credit": self.credit,
            "arrears": sum(i.unpaid for i in due),
            "days_past_due": dpd,
            "next_due_date": next_due_date,
            "next_due_amount": next_due_amount,
            "settlement_quote": 0 if settled else quote,
            "paid_off_on": self.settled_on,
            "settlement_fee_paid": self.settlement_fee,
            "installments": installments,
        }


def simulate(contract: dict[str, Any], until: date) -> list[dict[str, Any]]:
    """One balance dict per calendar day from contract["disbursed_on"] through until."""
    ledger = _Ledger(contract)
    if until < ledger.d0:
        raise ValueError("until is before disbursement")
    by_day: dict[date, list[dict[str, Any]]] = {}
    for e in ledger.events:
        by_day.setdefault(e["on"], []).append(e)
    out: list[dict[str, Any]] = []
    t = ledger.d0
    while t <= until:
        if t > ledger.d0:
            ledger.accrue_late_charges(t - ONE_DAY)
        ledger.process_day(t, by_day.get(t, []))
        out.append(ledger.snapshot(t))
        t += ONE_DAY
    return out


def balance(contract: dict[str, Any], on: date) -> dict[str, Any]:
    """The balance as of the end of day on."""
    return simulate(contract, on)[-1]
