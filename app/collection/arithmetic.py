"""Collection arithmetic, pure: days past due, buckets, loan quality (*kolektibilitas*), and
the portfolio figures of a month: delinquency, net flow and recovery rates.

The formulas are those of the collection report in the source document (``seeds/001``):
  delinquency rate = amount 30-179 DPD / (ENR - write-off year to date), also by accounts;
  net flow rate of bucket b in month m = amount in b at m / amount in b-1 at m-1
      (current -> 1-29, 1-29 -> 30-59, ..., 150-179 -> write-off of the month);
  recovery rate = recovery year to date / write-off year to date.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

BUCKETS = ("current", "1-29", "30-59", "60-89", "90-119", "120-149", "150-179", "180+")
BUCKET_FLOORS = (0, 1, 30, 60, 90, 120, 150, 180)  # each bucket's first day past due
DELINQUENT = ("30-59", "60-89", "90-119", "120-149", "150-179")

# OJK loan quality as reported to SLIK: the first band whose upper bound holds (None: above).
KolBands = tuple[tuple[int, int | None], ...]
KOL_BANDS: KolBands = ((1, 0), (2, 90), (3, 120), (4, 180), (5, None))


def kol_bands(upper_days: tuple[int, ...]) -> KolBands:
    """Kol-1.. from the last day past due of each but the worst: (0, 90, 120, 180) is OJK's."""
    return (*((n, days) for n, days in enumerate(upper_days, start=1)), (len(upper_days) + 1, None))


@dataclass(frozen=True)
class Policy:
    """What the close of business applies: the Kol bands and the write-off threshold."""

    kol_bands: KolBands = KOL_BANDS
    write_off_days: int = 180


def days_past_due(oldest_unpaid_due: date | None, business_date: date) -> int:
    """Days since the oldest installment still unpaid fell due; 0 when nothing is late."""
    if oldest_unpaid_due is None:
        return 0
    return max((business_date - oldest_unpaid_due).days, 0)


def bucket(dpd: int) -> str:
    for name, floor in zip(reversed(BUCKETS), reversed(BUCKET_FLOORS), strict=True):
        if dpd >= floor:
            return name
    raise ValueError(dpd)


def kol(dpd: int, bands: KolBands = KOL_BANDS) -> int:
    """Kol-1 *lancar* .. Kol-5 *macet*; the bands are configuration (older rules differ)."""
    for quality, upper in bands:
        if upper is None or dpd <= upper:
            return quality
    raise ValueError(dpd)


@dataclass(frozen=True)
class Figures:
    accounts: int
    amount: int


@dataclass(frozen=True)
class Month:
    """One month-end of a portfolio: balances per bucket, and the write-off and recovery."""

    buckets: dict[str, Figures]
    write_off_mtd: Figures
    write_off_ytd: Figures
    enr: Figures  # end net receivables
    recovery_ytd: int


def percent(part: int, whole: int) -> Decimal:
    if whole == 0:
        return Decimal(0)
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def delinquency_rate(month: Month) -> tuple[Decimal, Decimal]:
    """(by amount, by accounts)."""
    amount = sum(month.buckets[b].amount for b in DELINQUENT)
    accounts = sum(month.buckets[b].accounts for b in DELINQUENT)
    return (
        percent(amount, month.enr.amount - month.write_off_ytd.amount),
        percent(accounts, month.enr.accounts - month.write_off_ytd.accounts),
    )


def net_flow_rates(previous: Month, current: Month) -> dict[str, Decimal]:
    """Keyed by the bucket flowed into: ``"1-29"`` is current -> 1-29, ``"write_off"`` is
    150-179 -> written off this month."""
    rates = {}
    for older, younger in zip(BUCKETS[1:7], BUCKETS[:6], strict=True):
        rates[older] = percent(current.buckets[older].amount, previous.buckets[younger].amount)
    rates["write_off"] = percent(current.write_off_mtd.amount, previous.buckets["150-179"].amount)
    return rates


def recovery_rate(month: Month) -> Decimal:
    return percent(month.recovery_ytd, month.write_off_ytd.amount)


@dataclass(frozen=True)
class Due:
    """One installment as the schedule has it."""

    number: int
    due_date: date
    principal: int
    interest: int
    daily_charge: int = 0  # late charge per day late, rupiah


@dataclass(frozen=True)
class Paid:
    """What the payments covered of one installment, and the day it was settled in full."""

    number: int
    late_charge: int
    interest: int
    principal: int
    settled_on: date | None


def allocate(schedule: list[Due], payments: list[tuple[date, int]]) -> tuple[list[Paid], int]:
    """Apply payments, in date order, to the oldest installment still open: its late charge
    (per day late, counted to the payment's date) first, then interest, then principal.
    Returns each installment's coverage and the credit left over (an overpayment).

    Pure and total: a back-dated payment or a reversal is handled by allocating again.
    """
    owed = [[0, d.interest, d.principal] for d in schedule]  # late charge, interest, principal
    covered = [[0, 0, 0] for _ in schedule]
    settled: list[date | None] = [None] * len(schedule)
    credit = 0
    for paid_on, amount in sorted(payments):
        money = amount + credit
        credit = 0
        for i, due in enumerate(schedule):
            if settled[i] is not None or money == 0:
                continue
            late_days = max((paid_on - due.due_date).days, 0)
            owed[i][0] = max(late_days * due.daily_charge, covered[i][0])
            for part in range(3):
                take = min(money, owed[i][part] - covered[i][part])
                covered[i][part] += take
                money -= take
            if all(covered[i][p] >= owed[i][p] for p in range(3)):
                settled[i] = paid_on
        credit = money
    return [
        Paid(d.number, c[0], c[1], c[2], s)
        for d, c, s in zip(schedule, covered, settled, strict=True)
    ], credit


@dataclass(frozen=True)
class Plan:
    """A restructured schedule's terms: ``count`` equal installments of ``installment`` on
    ``principal`` at ``monthly_rate``, the first ``holiday`` months after the next due date."""

    principal: int  # the outstanding principal plus the interest capitalised
    capitalised_interest: int
    monthly_rate: Decimal
    count: int
    holiday: int
    installment: int


def annuity(principal: int, monthly_rate: Decimal, count: int) -> int:
    """The level installment that repays ``principal`` in ``count`` months, rounded up to
    the rupiah so the last installment never owes more than the others."""
    if monthly_rate == 0:
        return -(-principal // count)
    factor = (1 + monthly_rate) ** -count
    exact = principal * monthly_rate / (1 - factor)
    return int(exact.to_integral_value(rounding=ROUND_CEILING))


def restructure(
    outstanding: int,
    arrears_interest: int,
    monthly_rate: Decimal,
    count: int,
    holiday: int = 0,
) -> Plan:
    """The new terms from what is still owed: the interest already due and unpaid is
    capitalised, and during a payment holiday the interest of each month is added too."""
    principal = outstanding + arrears_interest
    for _ in range(holiday):
        principal += int((principal * monthly_rate).to_integral_value(rounding=ROUND_HALF_UP))
    return Plan(
        principal=principal,
        capitalised_interest=principal - outstanding,
        monthly_rate=monthly_rate,
        count=count,
        holiday=holiday,
        installment=annuity(principal, monthly_rate, count),
    )
