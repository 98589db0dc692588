"""Collection arithmetic: buckets and Kol, and the seed document's two-month table."""

from datetime import date
from decimal import Decimal

import pytest

from app.collection.arithmetic import (
    Figures,
    Month,
    annuity,
    bucket,
    days_past_due,
    delinquency_rate,
    kol,
    net_flow_rates,
    recovery_rate,
    restructure,
)

F = Figures
# The collection report of seeds/001, September and October 2002 (accounts, rupiah).
SEPTEMBER = Month(
    buckets={
        "current": F(428_054, 682_399_530_618),
        "1-29": F(23_046, 43_321_936_067),
        "30-59": F(7_713, 13_658_170_957),
        "60-89": F(4_281, 8_414_089_279),
        "90-119": F(3_722, 8_110_915_380),
        "120-149": F(3_216, 7_868_662_627),
        "150-179": F(2_566, 6_468_370_767),
        "180+": F(1, 0),
    },
    write_off_mtd=F(2_784, 6_677_239_664),
    write_off_ytd=F(14_046, 33_945_456_823),
    enr=F(472_599, 770_241_675_695),
    recovery_ytd=12_148_241_910,
)
OCTOBER = Month(
    buckets={
        "current": F(442_203, 701_550_637_651),
        "1-29": F(24_350, 45_694_879_687),
        "30-59": F(8_408, 15_508_144_535),
        "60-89": F(5_151, 9_540_004_954),
        "90-119": F(3_575, 7_286_128_275),
        "120-149": F(3_231, 7_349_808_992),
        "150-179": F(2_571, 6_566_681_230),
        "180+": F(1, 2_558_793),
    },
    write_off_mtd=F(837, 5_137_805_292),
    write_off_ytd=F(16_329, 39_083_262_115),
    enr=F(489_490, 793_498_844_117),
    recovery_ytd=15_138_241_910,
)
D = Decimal


def test_the_seed_tables_october_figures():
    assert delinquency_rate(OCTOBER) == (D("6.13"), D("4.85"))
    assert recovery_rate(OCTOBER) == D("38.73")
    assert net_flow_rates(SEPTEMBER, OCTOBER) == {
        "1-29": D("6.70"),
        "30-59": D("35.80"),
        "60-89": D("69.85"),
        "90-119": D("86.59"),
        "120-149": D("90.62"),
        "150-179": D("83.45"),
        "write_off": D("79.43"),
    }


def test_the_seed_tables_september_figures():
    assert delinquency_rate(SEPTEMBER) == (D("6.05"), D("4.69"))
    assert recovery_rate(SEPTEMBER) == D("35.79")


@pytest.mark.parametrize(
    ("dpd", "expected_bucket", "expected_kol"),
    [
        (0, "current", 1),
        (1, "1-29", 2),
        (29, "1-29", 2),
        (30, "30-59", 2),
        (60, "60-89", 2),
        (90, "90-119", 2),
        (91, "90-119", 3),
        (120, "120-149", 3),
        (121, "120-149", 4),
        (150, "150-179", 4),
        (180, "180+", 4),
        (181, "180+", 5),
    ],
)
def test_buckets_and_loan_quality(dpd, expected_bucket, expected_kol):
    assert bucket(dpd) == expected_bucket
    assert kol(dpd) == expected_kol


def test_days_past_due_from_the_oldest_unpaid_installment():
    assert days_past_due(None, date(2026, 11, 22)) == 0
    assert days_past_due(date(2026, 11, 23), date(2026, 11, 22)) == 0
    assert days_past_due(date(2026, 9, 22), date(2026, 11, 22)) == 61


def test_older_kol_bands_are_configuration():
    old_rules = ((1, 0), (2, 90), (3, 180), (4, 270), (5, None))
    assert kol(200, old_rules) == 4


def test_payments_go_to_the_oldest_installment_late_charge_first():
    from app.collection.arithmetic import Due, allocate

    schedule = [Due(1, date(2026, 1, 10), 700, 300, 2), Due(2, date(2026, 2, 10), 720, 280, 2)]
    # Paid 5 days late with a late charge of 2 a day: 10 charge, 300 interest, 690 principal.
    paid, credit = allocate(schedule, [(date(2026, 1, 15), 1_000)])
    assert (paid[0].late_charge, paid[0].interest, paid[0].principal) == (10, 300, 690)
    assert paid[0].settled_on is None
    # On 1 February the first is 22 days late: its charge has grown to 44, of which 34 is
    # still owed, with 10 of principal; the rest pays the second in full.
    paid, credit = allocate(schedule, [(date(2026, 1, 15), 1_000), (date(2026, 2, 1), 1_100)])
    assert paid[0].settled_on == date(2026, 2, 1)
    assert (paid[1].interest, paid[1].principal) == (280, 720)
    assert paid[1].settled_on == date(2026, 2, 1)
    assert paid[0].late_charge == 44
    assert credit == 1_100 - 34 - 10 - 1_000  # kept as credit for the next installment


def test_annuity_worked_cases():
    # Rp 10,000,000 over 12 months at 2 % a month: 945,595.97, rounded up.
    assert annuity(10_000_000, D("0.02"), 12) == 945_596
    # Without interest the principal is split, the rupiah rounded up.
    assert annuity(1_200, D(0), 7) == 172


def test_a_payment_holiday_capitalises_the_arrears_and_each_months_interest():
    plan = restructure(10_000_000, 300_000, D("0.02"), 12, holiday=3)
    # 10,300,000 x 1.02^3 = 10,930,442 (each month rounded to the rupiah)
    assert plan.principal == 10_930_442
    assert plan.capitalised_interest == 930_442
    assert plan.installment == annuity(10_930_442, D("0.02"), 12) == 1_033_579
    assert (plan.count, plan.holiday) == (12, 3)


def test_an_extension_lowers_the_installment_and_a_rate_cut_too():
    base = restructure(10_000_000, 0, D("0.02"), 12)
    assert restructure(10_000_000, 0, D("0.02"), 24).installment < base.installment
    assert restructure(10_000_000, 0, D("0.01"), 12).installment < base.installment
    assert base.capitalised_interest == 0
