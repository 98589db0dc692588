"""Stage 4 — the installment arithmetic of motor-vehicle leasing, in integer rupiah.

The industry quotes a *flat* rate: interest on the whole amount financed for the whole tenor,
spread evenly. The customer is also told the *effective* rate, the internal rate of return of
his cash flows, and gets a schedule that splits each installment into principal and interest
by the effective method. Money is ``int`` rupiah throughout; rates are ``Decimal``.
"""

from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, localcontext

ZERO = Decimal(0)
ONE = Decimal(1)
MONTHS = Decimal(12)


def rupiah(amount: Decimal) -> int:
    """Round half up to the rupiah (banker's rounding has no place on a customer's bill)."""
    return int(amount.quantize(ONE, rounding=ROUND_HALF_UP))


def round_up(amount: Decimal, unit: int) -> int:
    """Up to the next multiple of ``unit`` rupiah: 793,333.33 → 794,000 for a unit of 1,000."""
    return int((amount / unit).to_integral_value(rounding=ROUND_CEILING)) * unit


@dataclass(frozen=True)
class InsuranceYear:
    """One year of cover: the premium rate on the insured value, and who pays it when."""

    rate: Decimal  # per year, on the insured value (0.025 = 2.5 %)
    value_share: Decimal  # insured value as a share of the OTR price (1, 0.85, 0.70, ...)
    financed: bool  # True: added to the amount financed; False: paid in cash at signing


@dataclass(frozen=True)
class Terms:
    otr_price: int
    down_payment: int
    tenor_months: int
    flat_rate: Decimal  # per year (0.18 = 18 %, i.e. 1.5 % a month)
    rounding_unit: int = 1000
    in_advance: bool = False  # ADDM: the first installment is paid at signing
    insurance: tuple[InsuranceYear, ...] = ()
    admin_fee: int = 0
    insurance_admin_fee: int = 0
    fiduciary_fee: int = 0
    provision_rate: Decimal = ZERO  # on the amount financed, paid at signing


@dataclass(frozen=True)
class Installment:
    number: int
    due_month: int  # months after signing: 0 for an installment paid in advance
    amount: int
    principal: int
    interest: int
    balance: int  # principal still owed after this installment


@dataclass(frozen=True)
class Quote:
    otr_price: int
    down_payment: int
    premiums: tuple[int, ...]
    premiums_financed: int
    premiums_cash: int
    amount_financed: int
    flat_interest: int  # amount financed x flat rate x years, before the installment's rounding
    total_interest: int  # what the customer pays beyond the amount financed: the schedule's
    installment: int
    total_payable: int  # installment x tenor
    provision: int
    fees: int  # admin + insurance admin + fiduciary + provision
    paid_at_signing: int  # down payment + cash premiums + fees (+ first installment if ADDM)
    flat_rate: Decimal
    effective_rate: Decimal  # the monthly IRR x 12, as disclosed
    schedule: tuple[Installment, ...] = field(repr=False)


def premiums(terms: Terms) -> tuple[int, ...]:
    """Each year's premium: rate x insured value, the value falling year by year."""
    return tuple(rupiah(terms.otr_price * y.value_share * y.rate) for y in terms.insurance)


def monthly_irr(principal: int, installment: int, tenor: int, in_advance: bool) -> Decimal:
    """The monthly rate at which the installments are worth exactly the amount financed.

    In arrears (ADDB) the customer receives ``principal`` and pays ``installment`` at months
    1..n; in advance (ADDM) the first payment falls at signing, so he receives
    ``principal - installment`` and pays at months 1..n-1. Solved by bisection to 1e-12.
    """
    received = principal - installment if in_advance else principal
    payments = tenor - 1 if in_advance else tenor
    if payments <= 0 or installment * payments <= received:
        return ZERO
    with localcontext() as ctx:
        ctx.prec = 34
        low, high = ZERO, ONE
        for _ in range(200):
            mid = (low + high) / 2
            factor = (ONE + mid) ** -payments
            present = installment * (ONE - factor) / mid if mid else Decimal(installment * payments)
            if present > received:
                low = mid
            else:
                high = mid
            if high - low < Decimal("1e-14"):
                break
        return ((low + high) / 2).quantize(Decimal("1e-12"))


def schedule(principal: int, installment: int, tenor: int, in_advance: bool,
             rate: Decimal) -> tuple[Installment, ...]:  # fmt: skip
    """Each installment split into interest (balance x monthly rate, to the rupiah) and
    principal; the last takes what the rounding left, so the balance ends at exactly zero."""
    rows: list[Installment] = []
    balance = principal
    for number in range(1, tenor + 1):
        due = number - 1 if in_advance else number
        interest = 0 if due == 0 else rupiah(balance * rate)
        part = installment - interest
        if number == tenor or part > balance:
            part = balance
            interest = installment - part
        balance -= part
        rows.append(Installment(number, due, installment, part, interest, balance))
    return tuple(rows)


def quote(terms: Terms) -> Quote:
    """Everything the customer is told, in integer rupiah."""
    paid = premiums(terms)
    financed = sum(p for p, y in zip(paid, terms.insurance, strict=True) if y.financed)
    cash = sum(paid) - financed
    amount_financed = terms.otr_price - terms.down_payment + financed
    years = Decimal(terms.tenor_months) / MONTHS
    flat_interest = rupiah(amount_financed * terms.flat_rate * years)
    installment = round_up(
        Decimal(amount_financed + flat_interest) / terms.tenor_months, terms.rounding_unit
    )
    provision = rupiah(amount_financed * terms.provision_rate)
    fees = terms.admin_fee + terms.insurance_admin_fee + terms.fiduciary_fee + provision
    rate = monthly_irr(amount_financed, installment, terms.tenor_months, terms.in_advance)
    return Quote(
        otr_price=terms.otr_price,
        down_payment=terms.down_payment,
        premiums=paid,
        premiums_financed=financed,
        premiums_cash=cash,
        amount_financed=amount_financed,
        flat_interest=flat_interest,
        # The rounding-up is interest too: disclosed, it is installment x tenor - financed.
        total_interest=installment * terms.tenor_months - amount_financed,
        installment=installment,
        total_payable=installment * terms.tenor_months,
        provision=provision,
        fees=fees,
        paid_at_signing=terms.down_payment + cash + fees + (installment if terms.in_advance
                                                             else 0),
        flat_rate=terms.flat_rate,
        effective_rate=(rate * MONTHS).quantize(Decimal("0.000001")),
        schedule=schedule(amount_financed, installment, terms.tenor_months, terms.in_advance,
                          rate),
    )  # fmt: skip
