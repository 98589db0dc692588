"""Installment arithmetic: golden cases worked by hand, and properties over random terms."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from app.simulation.calc import InsuranceYear, Terms, quote

D = Decimal


def annuity(installment: int, rate: Decimal, payments: int) -> Decimal:
    """Present value of ``payments`` installments in arrears at a monthly ``rate``."""
    return installment * (1 - (1 + rate) ** -payments) / rate


def test_design_worked_example_motorcycle_24_months_in_arrears():
    # OTR 20,000,000; down payment 30 % = 6,000,000; amount financed 14,000,000.
    # Flat 1.5 % a month = 18 % a year, 24 months: interest 14,000,000 x 0.18 x 2 = 5,040,000.
    # Installment 19,040,000 / 24 = 793,333.33, rounded up to Rp 1,000: 794,000.
    q = quote(Terms(20_000_000, 6_000_000, 24, D("0.18")))
    assert (q.amount_financed, q.flat_interest, q.installment) == (14_000_000, 5_040_000, 794_000)
    # The rounding up of 793,333.33 is interest the customer pays: disclosed with the rest.
    assert q.total_interest == 794_000 * 24 - 14_000_000 == 5_056_000
    assert sum(row.interest for row in q.schedule) == q.total_interest
    assert q.total_payable == 794_000 * 24 == 19_056_000
    assert q.paid_at_signing == 6_000_000
    # 794,000 a month for 24 months is worth 14,000,000 at 2.629 % a month: 31.55 % a year.
    assert q.effective_rate == D("0.315510")
    assert abs(annuity(794_000, q.effective_rate / 12, 24) - 14_000_000) < 10
    assert sum(i.principal for i in q.schedule) == 14_000_000
    assert q.schedule[-1].balance == 0
    assert q.schedule[0].interest == 368_095  # 14,000,000 x 0.0262925


def test_motorcycle_23_months_first_installment_in_advance():
    # ADDM: OTR 18,500,000, down payment 20 % = 3,700,000, amount financed 14,800,000.
    # Flat 1.75 % a month = 21 % a year over 23 months: 14,800,000 x 0.21 x 23/12 = 5,957,000.
    # (14,800,000 + 5,957,000) / 23 = 902,478.26 -> 903,000. Paid at signing: the down payment,
    # the admin fee 400,000 and the first installment: 3,700,000 + 400,000 + 903,000.
    q = quote(Terms(18_500_000, 3_700_000, 23, D("0.21"), in_advance=True, admin_fee=400_000))
    assert (q.flat_interest, q.installment) == (5_957_000, 903_000)
    assert q.paid_at_signing == 5_003_000
    first = q.schedule[0]
    assert (first.due_month, first.interest, first.principal) == (0, 0, 903_000)
    assert q.schedule[-1].due_month == 22
    assert q.schedule[-1].balance == 0


def test_car_36_months_with_financed_insurance_and_fees():
    # OTR 250,000,000, down payment 50,000,000. All-risk 2.5 % a year on 100 %, 85 %, 70 % of
    # the OTR: 6,250,000 + 5,312,500 + 4,375,000 = 15,937,500, all financed.
    # Amount financed 200,000,000 + 15,937,500 = 215,937,500; flat 6.6 % a year for 3 years:
    # 42,755,625. (215,937,500 + 42,755,625) / 36 = 7,185,920.14 -> 7,186,000.
    # Provision 1 % of 215,937,500 = 2,159,375; fees 2,500,000 + 100,000 + 500,000 + provision.
    car = Terms(
        250_000_000,
        50_000_000,
        36,
        D("0.066"),
        insurance=(
            InsuranceYear(D("0.025"), D("1"), True),
            InsuranceYear(D("0.025"), D("0.85"), True),
            InsuranceYear(D("0.025"), D("0.70"), True),
        ),
        admin_fee=2_500_000,
        insurance_admin_fee=100_000,
        fiduciary_fee=500_000,
        provision_rate=D("0.01"),
    )
    q = quote(car)
    assert q.premiums == (6_250_000, 5_312_500, 4_375_000)
    assert (q.premiums_financed, q.premiums_cash) == (15_937_500, 0)
    assert (q.amount_financed, q.flat_interest) == (215_937_500, 42_755_625)
    assert q.installment == 7_186_000
    assert (q.provision, q.fees) == (2_159_375, 5_259_375)
    assert q.paid_at_signing == 55_259_375


def test_motorcycle_with_insurance_paid_in_cash():
    # OTR 20,000,000, down payment 4,000,000; total-loss-only 1.5 % a year on 100 % then 85 %:
    # 300,000 + 255,000 = 555,000 paid in cash, so the amount financed stays 16,000,000.
    # Flat 18 % a year over 2 years: 5,760,000; 21,760,000 / 24 = 906,666.67 -> 907,000.
    # At signing: 4,000,000 + 555,000 + admin 500,000 + fiduciary 150,000 = 5,205,000.
    mc = Terms(
        20_000_000,
        4_000_000,
        24,
        D("0.18"),
        insurance=(
            InsuranceYear(D("0.015"), D("1"), False),
            InsuranceYear(D("0.015"), D("0.85"), False),
        ),
        admin_fee=500_000,
        fiduciary_fee=150_000,
    )
    q = quote(mc)
    assert (q.premiums_cash, q.amount_financed) == (555_000, 16_000_000)
    assert (q.flat_interest, q.installment) == (5_760_000, 907_000)
    assert q.paid_at_signing == 5_205_000


def test_rounding_unit_of_500():
    # 19,040,000 / 24 = 793,333.33 -> 793,500 when the package rounds to Rp 500.
    assert quote(Terms(20_000_000, 6_000_000, 24, D("0.18"), rounding_unit=500)).installment == (
        793_500
    )


terms = st.builds(
    lambda otr, dp_share, tenor, monthly_bp, unit, advance: Terms(
        otr_price=otr,
        down_payment=otr * dp_share // 100,
        tenor_months=tenor,
        flat_rate=D(monthly_bp) / 10_000 * 12,
        rounding_unit=unit,
        in_advance=advance,
    ),
    otr=st.integers(5_000_000, 2_000_000_000),
    dp_share=st.integers(0, 90),
    tenor=st.integers(2, 84),
    monthly_bp=st.integers(10, 400),  # 0.10 % to 4 % a month
    unit=st.sampled_from([1, 100, 500, 1_000]),
    advance=st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(terms)
def test_schedule_properties(t: Terms):
    q = quote(t)
    principal_parts = [i.principal for i in q.schedule]
    assert sum(principal_parts) == q.amount_financed
    assert all(i.balance >= 0 for i in q.schedule)
    assert q.schedule[-1].balance == 0
    assert all(i.principal + i.interest == q.installment for i in q.schedule)
    assert q.installment * t.tenor_months >= q.amount_financed + q.flat_interest
    assert q.total_interest == q.installment * t.tenor_months - q.amount_financed
    assert sum(row.interest for row in q.schedule) == q.total_interest
    assert q.effective_rate > q.flat_rate
