"""The servicing rules, pure: what a contract owes on any date, from its schedule and its
money movements. One function, :func:`run`, replays a contract's ledger in value-date order and
gives its balance as of a date and the allocation of every movement; everything that shows a
balance (installments, positions, letters, restructuring, the pay-off quote) reads it, and the
close of business is the same rules in SQL, tested equal to it.

The rules (README, "Balances"):
- a payment pays what is due on its value date, oldest installment first, in the product's
  order: ``installment_first`` (interest and principal of every due installment, then late
  charges) or ``late_charge_first`` (per installment: late charge, interest, principal);
  what is left is credit, applied to each later installment on its due date;
- late charge accrues per day on each installment's unpaid principal + interest, from the day
  after its due date, at the rate fixed on the contract, capped at a share of the installment;
- days past due count principal and interest only, from the oldest installment at which the
  unpaid amounts, oldest first, exceed the arrears tolerance;
- a payment that covers the settlement amount (principal outstanding, interest accrued to that
  day, late charge owed and the settlement fee) settles the contract: the interest not yet
  accrued is waived, never charged;
- the sale of a repossessed vehicle (what of its proceeds is left after the costs) pays, in
  the settlement's order, the late charge owed, the interest accrued to the sale day and the
  principal outstanding, without a settlement fee; the interest not yet accrued is waived
  whether or not it covers them, so what it leaves owed (the shortfall) stops growing but for
  late charges; when it covers them, the contract is paid off and the rest is credit.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any


def rupiah(amount: Decimal) -> int:
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


class Order(StrEnum):
    INSTALLMENT_FIRST = "installment_first"
    LATE_CHARGE_FIRST = "late_charge_first"


class Component(StrEnum):
    INTEREST = "interest"
    PRINCIPAL = "principal"
    LATE_CHARGE = "late_charge"
    LATE_CHARGE_WAIVED = "late_charge_waived"
    INTEREST_WAIVED = "interest_waived"  # unearned interest, at early settlement
    SETTLEMENT_FEE = "settlement_fee"
    CREDIT = "credit"  # money kept for later (an overpayment)
    REFUND = "refund"  # credit paid back


NOT_MONEY = frozenset({Component.LATE_CHARGE_WAIVED, Component.INTEREST_WAIVED})


class Kind(StrEnum):
    SIGNING = "paid_at_signing"  # the ADDM first installment, paid when the contract is signed
    PAYMENT = "payment"
    WAIVER = "late_charge_waiver"
    REFUND = "refund"
    SALE = "auction_sale"  # a repossessed vehicle's proceeds, after the costs


@dataclass(frozen=True)
class Terms:
    """What was fixed on the contract at disbursement (a product change never re-prices it)."""

    disbursed_on: date
    late_charge_rate: Decimal = Decimal("0.001")  # per day, on the overdue installment
    late_charge_cap: Decimal | None = None  # share of the installment
    tolerance: int = 0  # rupiah of arrears that do not count
    order: Order = Order.INSTALLMENT_FIRST
    settlement_fee_rate: Decimal = Decimal(0)  # share of the principal outstanding


@dataclass(frozen=True)
class Due:
    """One installment of a schedule. ``in_force_from``/``superseded_on`` bound the days it is
    owed (a restructuring supersedes the unsettled installments and adds new ones)."""

    number: int
    due_date: date
    principal: int
    interest: int
    accrues_from: date
    in_force_from: date | None = None
    superseded_on: date | None = None

    @property
    def amount(self) -> int:
        return self.principal + self.interest

    def in_force(self, day: date) -> bool:
        return (self.in_force_from is None or self.in_force_from <= day) and (
            self.superseded_on is None or self.superseded_on > day
        )

    def accrued_interest(self, day: date) -> int:
        if day >= self.due_date:
            return self.interest
        if day <= self.accrues_from:
            return 0
        elapsed = (day - self.accrues_from).days
        return rupiah(Decimal(self.interest * elapsed) / (self.due_date - self.accrues_from).days)


@dataclass(frozen=True)
class Movement:
    """Money in (a payment, the ADDM installment at signing), a waiver or a refund."""

    key: int  # the ledger entry's id; movements of one day are taken in this order
    kind: Kind
    value_date: date
    amount: int


@dataclass(frozen=True)
class Allocation:
    key: int | None  # the movement; None for credit applied on a due date
    number: int | None  # the installment; None for credit, refund and fee
    component: Component
    value_date: date
    amount: int


@dataclass
class Line:
    """One installment's standing."""

    due: Due
    paid_interest: int = 0
    paid_principal: int = 0
    paid_late_charge: int = 0
    waived_late_charge: int = 0
    waived_interest: int = 0
    late_base: int = 0  # sum over the days late of the unpaid amount at the day's start
    settled_on: date | None = None

    @property
    def unpaid(self) -> int:
        return self.due.amount - self.paid_interest - self.paid_principal - self.waived_interest

    def late_charge_accrued(self, terms: Terms) -> int:
        if self.late_base == 0:  # never late (most lines): no Decimal arithmetic to do
            return 0
        accrued = rupiah(terms.late_charge_rate * self.late_base)
        if terms.late_charge_cap is not None:
            accrued = min(accrued, rupiah(terms.late_charge_cap * self.due.amount))
        return accrued

    def late_charge_owed(self, terms: Terms) -> int:
        return self.late_charge_accrued(terms) - self.paid_late_charge - self.waived_late_charge


@dataclass(frozen=True)
class InstallmentBalance:
    number: int
    due_date: date
    principal: int
    interest: int
    paid_principal: int
    paid_interest: int
    waived_interest: int
    late_charge_accrued: int
    late_charge_paid: int
    late_charge_waived: int
    late_charge_owed: int
    unpaid: int
    settled_on: date | None
    days_late: int
    in_force: bool


@dataclass(frozen=True)
class Balance:
    """A contract's standing at the end of ``day``."""

    day: date
    outstanding_principal: int
    interest_due: int  # of installments due, unpaid
    accrued_interest: int  # interest_due plus the running period's share
    late_charge_owed: int
    credit: int
    arrears: int  # principal + interest due and unpaid
    days_past_due: int
    next_due_date: date | None
    next_due_amount: int
    settlement_fee: int
    settlement_quote: int  # what pays the contract off today
    paid_off_on: date | None
    installments: tuple[InstallmentBalance, ...]


@dataclass
class Ledger:
    """A contract's ledger replayed in value-date order (build it with :func:`run`)."""

    terms: Terms
    lines: list[Line]
    credit: int = 0
    paid_off_on: date | None = None
    fee_paid: int = 0
    allocations: list[Allocation] = field(default_factory=list)
    _day: date | None = None  # the last day whose end the lines describe
    # Where the money being allocated comes from, spent in order: the credit already held
    # (key None) before the payment's own amount, so each payment's rows add up to it.
    _sources: list[list[Any]] = field(default_factory=list)

    # --- time --------------------------------------------------------------------------

    def _accrue_until(self, day: date) -> None:
        """Add the days from the last one processed up to the day before ``day`` to each
        installment's late base: the charge for a day is on the unpaid at its start."""
        start = self._day
        if start is None or day <= start:
            return
        for line in self.lines:
            first = max(start, line.due.due_date)
            if line.due.superseded_on is not None and line.due.superseded_on <= first:
                continue
            if line.unpaid > 0 and first < day and line.due.in_force(first):
                line.late_base += line.unpaid * (day - first).days

    def _move_to(self, day: date) -> None:
        self._accrue_until(day)
        self._day = day

    # --- allocation ---------------------------------------------------------------------

    def _take(self, key: int | None, line: Line | None, part: Component, day: date,
              money: int, owed: int) -> int:  # fmt: skip
        take = min(money, owed)
        if take <= 0:
            return 0
        if line is not None:
            if part == Component.INTEREST:
                line.paid_interest += take
            elif part == Component.PRINCIPAL:
                line.paid_principal += take
            elif part == Component.LATE_CHARGE:
                line.paid_late_charge += take
            elif part == Component.LATE_CHARGE_WAIVED:
                line.waived_late_charge += take
            elif part == Component.INTEREST_WAIVED:
                line.waived_interest += take
            if line.settled_on is None and line.unpaid == 0:
                line.settled_on = day
        self._record(key, line.due.number if line else None, part, day, take)
        return take

    def _record(self, key: int | None, number: int | None, part: Component, day: date,
                amount: int) -> None:  # fmt: skip
        """One allocation row, or one per source of the money when it is pooled."""
        if not self._sources or part in NOT_MONEY:
            self.allocations.append(Allocation(key, number, part, day, amount))
            return
        for source in self._sources:
            chunk = min(amount, source[1])
            if chunk > 0:
                source[1] -= chunk
                amount -= chunk
                self.allocations.append(Allocation(source[0], number, part, day, chunk))

    def _due_lines(self, day: date) -> list[Line]:
        return [ln for ln in self.lines if ln.due.in_force(day) and ln.due.due_date <= day]

    def _pay_due(self, key: int | None, money: int, day: date) -> int:
        """Pay what is due on ``day`` in the contract's order; returns what is left."""
        terms = self.terms
        due = self._due_lines(day)
        if terms.order == Order.LATE_CHARGE_FIRST:
            for line in due:
                for part, owed in (
                    (Component.LATE_CHARGE, line.late_charge_owed(terms)),
                    (Component.INTEREST, line.due.interest - line.paid_interest),
                    (Component.PRINCIPAL, line.due.principal - line.paid_principal),
                ):
                    money -= self._take(key, line, part, day, money, owed)
            rest = [ln for ln in self.lines if not ln.due.in_force(day)]
        else:
            for line in due:
                money -= self._take(key, line, Component.INTEREST, day, money,
                                    line.due.interest - line.paid_interest)  # fmt: skip
                money -= self._take(key, line, Component.PRINCIPAL, day, money,
                                    line.due.principal - line.paid_principal)  # fmt: skip
            rest = self.lines
        for line in rest:
            money -= self._take(key, line, Component.LATE_CHARGE, day, money,
                                line.late_charge_owed(terms))  # fmt: skip
        return money

    def settlement_parts(self, day: date) -> tuple[int, int, int, int]:
        """(principal outstanding, interest accrued and unpaid, late charge owed, fee)."""
        in_force = [ln for ln in self.lines if ln.due.in_force(day)]
        principal = sum(ln.due.principal - ln.paid_principal for ln in in_force)
        interest = sum(
            max(0, ln.due.accrued_interest(day) - ln.paid_interest - ln.waived_interest)
            for ln in in_force
        )
        late = sum(ln.late_charge_owed(self.terms) for ln in self.lines)
        fee = rupiah(self.terms.settlement_fee_rate * principal)
        return principal, interest, late, fee

    def _settle(self, key: int, money: int, day: date, fee: int, *, whole: bool = True) -> int:
        """Pay late charges, accrued interest, principal and the fee, waive the unearned
        interest; ``whole``: the money covers it all and the contract is paid off."""
        terms = self.terms
        for line in self.lines:
            money -= self._take(key, line, Component.LATE_CHARGE, day, money,
                                line.late_charge_owed(terms))  # fmt: skip
        in_force = [ln for ln in self.lines if ln.due.in_force(day)]
        for line in in_force:
            owed = max(
                0, line.due.accrued_interest(day) - line.paid_interest - line.waived_interest
            )
            money -= self._take(key, line, Component.INTEREST, day, money, owed)
        for line in in_force:
            owed = line.due.principal - line.paid_principal
            money -= self._take(key, line, Component.PRINCIPAL, day, money, owed)
        money -= self._take(key, None, Component.SETTLEMENT_FEE, day, money, fee)
        self.fee_paid += fee
        for line in in_force:
            # Paid off, every accrued interest is paid; a sale short of the debt leaves the
            # accrued interest it did not reach owed, and waives only what is not yet earned.
            earned = (
                line.paid_interest
                if whole
                else max(line.paid_interest, line.due.accrued_interest(day))
            )
            unearned = line.due.interest - earned - line.waived_interest
            self._take(key, line, Component.INTEREST_WAIVED, day, unearned, unearned)
        if whole:
            self.paid_off_on = day
        return money

    def _to_credit(self, key: int | None, money: int, day: date) -> None:
        if money > 0:
            self.credit += money
            if key is not None:
                self.allocations.append(Allocation(key, None, Component.CREDIT, day, money))

    def _fully_paid(self, day: date) -> bool:
        return all(ln.unpaid == 0 for ln in self.lines if ln.due.in_force(day)) and all(
            ln.late_charge_owed(self.terms) == 0 for ln in self.lines
        )

    def _apply_credit(self, day: date) -> None:
        if self.credit > 0 and self.paid_off_on is None:
            money, self.credit = self.credit, 0
            self.credit = self._pay_due(None, money, day)

    def _receive(self, movement: Movement) -> None:
        day = movement.value_date
        if self.paid_off_on is not None:
            self._to_credit(movement.key, movement.amount, day)
            return
        money = movement.amount + self.credit
        self._sources = [[None, self.credit], [movement.key, movement.amount]]
        self.credit = 0
        parts = self.settlement_parts(day)
        if movement.kind == Kind.PAYMENT and money >= sum(parts):
            left = self._settle(movement.key, money, day, parts[3])
        elif movement.kind == Kind.SALE:
            whole = money >= sum(parts[:3])
            left = self._settle(movement.key, money, day, 0, whole=whole)
        else:
            left = self._pay_due(movement.key, money, day)
            if self._fully_paid(day):
                self.paid_off_on = day
        # What is left goes back to credit; the payment's own part of it is recorded as such
        # (the credit held before never left the pool).
        own = self._sources[1][1]
        self._sources = []
        self.credit += left - own
        self._to_credit(movement.key, own, day)

    def _waive(self, movement: Movement) -> None:
        left = movement.amount
        for line in self.lines:
            owed = line.late_charge_owed(self.terms)
            day = movement.value_date
            left -= self._take(movement.key, line, Component.LATE_CHARGE_WAIVED, day, left, owed)
        if left:
            raise ValueError(f"waiver {movement.key} exceeds the late charge owed by {left}")
        if self.paid_off_on is None and self._fully_paid(movement.value_date):
            self.paid_off_on = movement.value_date

    def _refund(self, movement: Movement) -> None:
        if movement.amount > self.credit:
            raise ValueError(f"refund {movement.key} exceeds the credit of {self.credit}")
        self.credit -= movement.amount
        self.allocations.append(
            Allocation(movement.key, None, Component.REFUND, movement.value_date, movement.amount)
        )

    def process(self, day: date, movements: list[Movement]) -> None:
        self._move_to(day)
        self._apply_credit(day)
        for movement in movements:
            if movement.kind == Kind.WAIVER:
                self._waive(movement)
            elif movement.kind == Kind.REFUND:
                self._refund(movement)
            else:
                self._receive(movement)

    # --- reading ------------------------------------------------------------------------

    def balance(self, day: date) -> Balance:
        """The standing at the end of ``day`` (every movement up to it processed)."""
        assert self._day is not None
        assert day >= self._day
        self._move_to(day)
        terms = self.terms
        in_force = [ln for ln in self.lines if ln.due.in_force(day)]
        due = [ln for ln in in_force if ln.due.due_date <= day]
        days_past_due, running = 0, 0
        for line in due:
            running += line.unpaid
            if running > terms.tolerance:
                days_past_due = (day - line.due.due_date).days
                break
        upcoming = [ln for ln in in_force if ln.due.due_date > day and ln.unpaid > 0]
        settled = self.paid_off_on is not None
        principal, interest, late, fee = self.settlement_parts(day)
        rows = tuple(
            InstallmentBalance(
                number=ln.due.number,
                due_date=ln.due.due_date,
                principal=ln.due.principal,
                interest=ln.due.interest,
                paid_principal=ln.paid_principal,
                paid_interest=ln.paid_interest,
                waived_interest=ln.waived_interest,
                late_charge_accrued=ln.late_charge_accrued(terms),
                late_charge_paid=ln.paid_late_charge,
                late_charge_waived=ln.waived_late_charge,
                late_charge_owed=ln.late_charge_owed(terms),
                unpaid=ln.unpaid,
                settled_on=ln.settled_on,
                days_late=max(((ln.settled_on or day) - ln.due.due_date).days, 0),
                in_force=ln.due.in_force(day),
            )
            for ln in self.lines
        )
        return Balance(
            day=day,
            outstanding_principal=principal,
            interest_due=sum(ln.due.interest - ln.paid_interest - ln.waived_interest for ln in due),
            accrued_interest=0 if settled else interest,
            late_charge_owed=late,
            credit=self.credit,
            arrears=sum(ln.unpaid for ln in due),
            days_past_due=days_past_due,
            next_due_date=upcoming[0].due.due_date if upcoming else None,
            next_due_amount=upcoming[0].unpaid if upcoming else 0,
            settlement_fee=0 if settled else fee,
            settlement_quote=0
            if settled
            else max(principal + interest + late + fee - self.credit, 0),
            paid_off_on=self.paid_off_on,
            installments=rows,
        )


def run(terms: Terms, schedule: list[Due], movements: list[Movement], until: date) -> Ledger:
    """Replay the contract to the end of ``until``: every movement dated up to it, in value-date
    order (the ADDM installment paid at signing is a movement of the disbursement day), and the
    credit applied on each due date."""
    lines = [Line(d) for d in sorted(schedule, key=lambda d: (d.due_date, d.number))]
    ledger = Ledger(terms, lines)
    by_day: dict[date, list[Movement]] = {}
    for movement in sorted(movements, key=lambda m: (m.value_date, m.key)):
        if movement.value_date <= until:
            by_day.setdefault(movement.value_date, []).append(movement)
    days = set(by_day) | {terms.disbursed_on}
    for line in lines:
        for day in (line.due.due_date, line.due.in_force_from, line.due.superseded_on):
            if day is not None and day <= until:
                days.add(day)
    for day in sorted(d for d in days if d >= terms.disbursed_on):
        ledger.process(day, by_day.get(day, []))
    ledger._move_to(max(until, terms.disbursed_on))
    return ledger


def balance(terms: Terms, schedule: list[Due], movements: list[Movement], on: date) -> Balance:
    return run(terms, schedule, movements, on).balance(on)


def last_day_of(schedule: list[Due], movements: list[Movement], after: date) -> date:
    """A day by which everything the ledger holds has happened: the allocations of a run to
    it are complete (credit applied to every due date included)."""
    days = [after, *(d.due_date for d in schedule), *(m.value_date for m in movements)]
    return max(days) + timedelta(days=1)


def resume(
    terms: Terms,
    schedule: list[Due],
    before: list[Allocation],
    movements: list[Movement],
    since: date,
    until: date,
) -> Ledger:
    """:func:`run` from ``since`` on, for a contract not paid off before ``since`` whose
    schedule no restructuring changed: the standing at
    the start of ``since`` is rebuilt from ``before``, the allocations a replay made before
    that day (what each installment was paid and waived, the credit held, and each late day's
    unpaid amount, summed as the late charge's base), and only the movements from ``since``
    are replayed. The ledger's ``allocations`` are then those from ``since`` on; everything
    else is what :func:`run` gives."""
    assert all(d.in_force_from is None and d.superseded_on is None for d in schedule)
    lines = [Line(d) for d in sorted(schedule, key=lambda d: (d.due_date, d.number))]
    by_number = {line.due.number: line for line in lines}
    credit = 0
    unpaid_moves: dict[int, list[tuple[date, int]]] = {}
    for a in before:
        assert a.value_date < since
        if a.key is None:  # credit spent (on a due date, or pooled into a payment)
            credit -= a.amount
        elif a.component == Component.CREDIT:
            credit += a.amount
        elif a.component == Component.REFUND:
            credit -= a.amount
        if a.number is None:
            continue
        line = by_number[a.number]
        if a.component == Component.INTEREST:
            line.paid_interest += a.amount
        elif a.component == Component.PRINCIPAL:
            line.paid_principal += a.amount
        elif a.component == Component.LATE_CHARGE:
            line.paid_late_charge += a.amount
        elif a.component == Component.LATE_CHARGE_WAIVED:
            line.waived_late_charge += a.amount
        elif a.component == Component.INTEREST_WAIVED:
            line.waived_interest += a.amount
        if a.component in (Component.INTEREST, Component.PRINCIPAL, Component.INTEREST_WAIVED):
            unpaid_moves.setdefault(a.number, []).append((a.value_date, a.amount))
    for line in lines:
        # The late base: each day from the due date to the day before ``since``, the amount
        # unpaid at that day's end; and the day the installment was paid in full.
        unpaid, cursor = line.due.amount, line.due.due_date
        for day, amount in sorted(unpaid_moves.get(line.due.number, [])):
            if day > cursor:
                line.late_base += unpaid * (day - cursor).days
                cursor = day
            unpaid -= amount
            if unpaid == 0 and line.settled_on is None:
                line.settled_on = day
        if since > cursor:
            line.late_base += unpaid * (since - cursor).days
    ledger = Ledger(terms, lines, credit=credit)
    ledger._day = since
    by_day: dict[date, list[Movement]] = {}
    for movement in sorted(movements, key=lambda m: (m.value_date, m.key)):
        if since <= movement.value_date <= until:
            by_day.setdefault(movement.value_date, []).append(movement)
    days = set(by_day) | {since}
    days.update(line.due.due_date for line in lines if since <= line.due.due_date <= until)
    last = max(by_day, default=since)
    for day in sorted(days):
        if day > last and ledger.credit == 0:
            # Nothing is left to apply on a later due date: the replay has made every
            # allocation it will (a balance read from the ledger accrues the days after).
            return ledger
        ledger.process(day, by_day.get(day, []))
    ledger._move_to(max(until, since))
    return ledger
