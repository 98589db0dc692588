"""Tests of the reference ledger model itself, on small examples worked out by hand.

Every expected number below is computed in the comments from the rules document, not by
running the model. The base contract (ADDB, 3 installments, 2024 is a leap year):

    D0 = 2024-01-01
    #1 due 2024-02-01  principal 1_000_000  interest 100_000  (amount 1_100_000)  from 01-01
    #2 due 2024-03-01  principal 1_000_000  interest  80_000  (amount 1_080_000)  from 02-01
    #3 due 2024-04-01  principal 1_000_000  interest  60_000  (amount 1_060_000)  from 03-01
    late charge 0.001/day, no cap, tolerance 10_000, installment_first, fee 2 %
"""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from tests.reference_ledger import balance, rupiah, simulate

D0 = date(2024, 1, 1)
DUE1, DUE2, DUE3 = date(2024, 2, 1), date(2024, 3, 1), date(2024, 4, 1)


def inst(
    number: int,
    due: date,
    principal: int,
    interest: int,
    accrues_from: date,
    in_force_from: date | None = None,
    superseded_on: date | None = None,
) -> dict[str, Any]:
    return {
        "number": number,
        "due_date": due,
        "principal": principal,
        "interest": interest,
        "accrues_from": accrues_from,
        "in_force_from": in_force_from,
        "superseded_on": superseded_on,
    }


def contract(events: list[tuple[str, date, int]], **overrides: Any) -> dict[str, Any]:
    c: dict[str, Any] = {
        "disbursed_on": D0,
        "installments": [
            inst(1, DUE1, 1_000_000, 100_000, D0),
            inst(2, DUE2, 1_000_000, 80_000, DUE1),
            inst(3, DUE3, 1_000_000, 60_000, DUE2),
        ],
        "addm": False,
        "late_charge_rate": Decimal("0.001"),
        "late_charge_cap": None,
        "tolerance": 10_000,
        "order": "installment_first",
        "settlement_fee_rate": Decimal("0.02"),
        "events": [
            {"kind": kind, "id": n, "on": on, "amount": amount}
            for n, (kind, on, amount) in enumerate(events, start=1)
        ],
    }
    c.update(overrides)
    return c


def by_number(b: dict[str, Any], number: int) -> dict[str, Any]:
    return next(i for i in b["installments"] if i["number"] == number)


def test_rupiah_rounds_half_up() -> None:
    assert rupiah(Decimal("0.5")) == 1
    assert rupiah(Decimal("1.4999")) == 1
    assert rupiah(Decimal("2.5")) == 3
    assert rupiah(Decimal("1100.0")) == 1100


def test_on_time_contract_is_never_past_due_and_pays_off_on_last_due_date() -> None:
    c = contract(
        [
            ("payment", DUE1, 1_100_000),
            ("payment", DUE2, 1_080_000),
            ("payment", DUE3, 1_060_000),
        ]
    )
    days = simulate(c, DUE3)
    # Jan (31) + Feb (29) + Mar (31) + Apr 1 = 92 days.
    assert len(days) == 92
    assert days[0]["day"] == D0
    assert days[-1]["day"] == DUE3
    assert all(b["days_past_due"] == 0 for b in days)
    assert all(b["late_charge_owed"] == 0 for b in days)
    assert all(b["arrears"] == 0 for b in days)

    # D0: OP 3_000_000, no accrued interest (t <= accrues_from), fee 2 % = 60_000.
    first = days[0]
    assert first["outstanding_principal"] == 3_000_000
    assert first["accrued_interest"] == 0
    assert first["settlement_quote"] == 3_060_000
    assert first["next_due_date"] == DUE1
    assert first["next_due_amount"] == 1_100_000

    # 2024-01-16: #1 accrued = rupiah(100_000 * 15 / 31) = rupiah(48_387.09) = 48_387.
    mid = days[15]
    assert mid["day"] == date(2024, 1, 16)
    assert mid["accrued_interest"] == 48_387
    assert mid["settlement_quote"] == 3_000_000 + 48_387 + 60_000

    # 2024-02-15: #1 paid; next due #2, 1_080_000.
    feb15 = days[45]
    assert feb15["day"] == date(2024, 2, 15)
    assert feb15["next_due_date"] == DUE2
    assert feb15["next_due_amount"] == 1_080_000
    assert feb15["outstanding_principal"] == 2_000_000

    # Last day: S before the last payment = 1_000_000 + 60_000 + 0 + 20_000 = 1_080_000 >
    # 1_060_000, so it is an ordinary payment; then everything is paid -> paid off.
    last = days[-1]
    assert last["paid_off_on"] == DUE3
    assert last["settlement_fee_paid"] == 0
    assert last["credit"] == 0
    assert last["outstanding_principal"] == 0
    assert last["settlement_quote"] == 0
    assert last["next_due_date"] is None
    assert last["next_due_amount"] == 0
    for number, due in ((1, DUE1), (2, DUE2), (3, DUE3)):
        i = by_number(last, number)
        assert i["settled_on"] == due
        assert i["days_late"] == 0
        assert i["unpaid"] == 0
        assert i["waived_interest"] == 0
    assert balance(c, DUE3) == last


def test_one_day_late_charges_one_day_and_late_charge_never_counts_for_dpd() -> None:
    c = contract(
        [
            ("payment", DUE1 + timedelta(days=1), 1_100_000),  # 2024-02-02
            ("payment", DUE2, 1_080_000),  # on time; leaves the late charge unpaid
            ("payment", DUE3, 1_060_000),
            ("payment", date(2024, 4, 5), 1_100),
        ]
    )
    days = {b["day"]: b for b in simulate(c, date(2024, 4, 5))}
    # Due date itself, unpaid: DPD = D - due = 0.
    assert days[DUE1]["days_past_due"] == 0
    assert days[DUE1]["arrears"] == 1_100_000
    # 02-02: lc base = unpaid at end of 02-01 = 1_100_000 -> rupiah(0.001 * 1_100_000) = 1_100.
    # The payment (interest then principal) clears #1 but not the late charge.
    feb2 = days[date(2024, 2, 2)]
    assert by_number(feb2, 1)["accrued_lc"] == 1_100
    assert feb2["late_charge_owed"] == 1_100
    assert feb2["days_past_due"] == 0
    assert by_number(feb2, 1)["settled_on"] == date(2024, 2, 2)
    assert by_number(feb2, 1)["days_late"] == 1
    # No further accrual (unpaid 0 from the end of 02-02).
    assert days[date(2024, 2, 20)]["late_charge_owed"] == 1_100
    # 03-01: 1_080_000 pays #2 interest 80_000, principal 1_000_000, nothing left for lc.
    mar1 = days[DUE2]
    assert mar1["days_past_due"] == 0
    assert mar1["late_charge_owed"] == 1_100
    assert mar1["arrears"] == 0
    # 04-01: S = 1_000_000 + 60_000 + 1_100 + 20_000 = 1_081_100 > 1_060_000: ordinary payment,
    # #3 paid, but lc 1_100 still owed -> not paid off.
    apr1 = days[DUE3]
    assert apr1["paid_off_on"] is None
    assert apr1["days_past_due"] == 0
    assert apr1["late_charge_owed"] == 1_100
    assert apr1["outstanding_principal"] == 0
    assert apr1["settlement_quote"] == 1_100  # OP 0, AI 0, LC 1_100, fee 0
    # 04-05: S = 1_100, payment 1_100 >= S -> settlement, fee 0, paid off.
    apr5 = days[date(2024, 4, 5)]
    assert apr5["paid_off_on"] == date(2024, 4, 5)
    assert apr5["late_charge_owed"] == 0
    assert apr5["credit"] == 0
    assert apr5["settlement_fee_paid"] == 0
    assert by_number(apr5, 1)["paid_lc"] == 1_100


def test_dpd_counts_from_the_day_after_due() -> None:
    # No payment at all: DPD 1 on 02-02, 2 on 02-03; lc = rupiah(0.001 * 2 * 1_100_000) = 2_200.
    days = {b["day"]: b for b in simulate(contract([]), date(2024, 2, 3))}
    assert days[date(2024, 2, 2)]["days_past_due"] == 1
    assert days[date(2024, 2, 3)]["days_past_due"] == 2
    assert days[date(2024, 2, 3)]["late_charge_owed"] == 2_200
    # Paid on 02-03 (2 days late): DPD 1 on 02-02, 0 on 02-03 after catching up.
    c = contract([("payment", date(2024, 2, 3), 1_100_000)])
    days = {b["day"]: b for b in simulate(c, date(2024, 2, 4))}
    assert days[date(2024, 2, 2)]["days_past_due"] == 1
    assert days[date(2024, 2, 3)]["days_past_due"] == 0
    assert days[date(2024, 2, 4)]["days_past_due"] == 0
    assert days[date(2024, 2, 4)]["late_charge_owed"] == 2_200


def test_addm_first_installment_paid_at_signing() -> None:
    c = contract(
        [],
        addm=True,
        installments=[
            inst(1, D0, 500_000, 0, D0),
            inst(2, DUE1, 1_000_000, 50_000, D0),
        ],
    )
    b = balance(c, D0)
    one = by_number(b, 1)
    assert one["paid_principal"] == 500_000
    assert one["unpaid"] == 0
    assert one["settled_on"] == D0
    assert one["days_late"] == 0
    assert b["days_past_due"] == 0
    assert b["arrears"] == 0
    assert b["credit"] == 0
    assert b["outstanding_principal"] == 1_000_000
    assert b["next_due_date"] == DUE1
    assert b["next_due_amount"] == 1_050_000
    # S(D0) = 1_000_000 + 0 + 0 + 20_000.
    assert b["settlement_quote"] == 1_020_000
    assert b["paid_off_on"] is None


def test_shortfall_within_tolerance_is_not_past_due() -> None:
    c = contract([("payment", DUE1, 1_095_000)])
    # interest 100_000 then principal 995_000: 5_000 principal unpaid.
    # 02-10: lc base = 9 days (02-01..02-09) * 5_000 = 45_000 -> lc 45.
    b = balance(c, date(2024, 2, 10))
    assert b["arrears"] == 5_000
    assert b["days_past_due"] == 0
    assert b["late_charge_owed"] == 45
    assert b["outstanding_principal"] == 2_005_000
    assert by_number(b, 1)["days_late"] == 9
    strict = balance(contract([("payment", DUE1, 1_095_000)], tolerance=4_999), date(2024, 2, 10))
    assert strict["days_past_due"] == 9


def test_late_charge_cap() -> None:
    # cap = rupiah(0.005 * 1_100_000) = 5_500; daily charge 1_100 on #1 while unpaid.
    days = {
        b["day"]: b
        for b in simulate(contract([], late_charge_cap=Decimal("0.005")), date(2024, 2, 7))
    }
    assert days[date(2024, 2, 5)]["late_charge_owed"] == 4_400  # 4 days
    assert days[date(2024, 2, 6)]["late_charge_owed"] == 5_500  # 5 days = cap
    assert days[date(2024, 2, 7)]["late_charge_owed"] == 5_500  # 6 days, capped


def test_late_charge_rounds_the_running_total_not_each_day() -> None:
    # late_charge_first, tolerance 0. #1 paid on time (no lc anywhere); on 03-01 the payment
    # 1_078_900 pays #2 interest 80_000 and principal 998_900, leaving 1_100 unpaid.
    c = contract(
        [("payment", DUE1, 1_100_000), ("payment", DUE2, 1_078_900)],
        tolerance=0,
        order="late_charge_first",
    )
    days = {b["day"]: b for b in simulate(c, date(2024, 3, 3))}
    assert days[DUE2]["arrears"] == 1_100
    assert days[DUE2]["days_past_due"] == 0
    # 03-02: rupiah(0.001 * 1_100) = rupiah(1.1) = 1; 03-03: rupiah(2.2) = 2.
    assert days[date(2024, 3, 2)]["days_past_due"] == 1
    assert days[date(2024, 3, 2)]["late_charge_owed"] == 1
    assert days[date(2024, 3, 3)]["late_charge_owed"] == 2


def test_late_charge_first_order() -> None:
    # #1 paid 1 day late (02-02) with exactly its amount 1_100_000; lc that day is 1_100.
    #   installment_first: interest 100_000, principal 1_000_000; lc 1_100 stays owed.
    #   late_charge_first: lc 1_100, interest 100_000, principal 998_900 -> 1_100 unpaid.
    events = [("payment", date(2024, 2, 2), 1_100_000), ("payment", DUE2, 1_080_000)]
    lcf_days = {
        b["day"]: b
        for b in simulate(contract(events, order="late_charge_first", tolerance=0), DUE2)
    }
    lcf = lcf_days[date(2024, 2, 3)]
    assert by_number(lcf, 1)["paid_lc"] == 1_100
    assert by_number(lcf, 1)["paid_principal"] == 998_900
    assert by_number(lcf, 1)["unpaid"] == 1_100
    # 02-03: base = 1_100_000 (end 02-01) + 1_100 (end 02-02) -> rupiah(1_101.1) = 1_101;
    # owed 1_101 - 1_100 = 1. DPD = 02-03 - 02-01 = 2 (tolerance 0).
    assert by_number(lcf, 1)["accrued_lc"] == 1_101
    assert lcf["late_charge_owed"] == 1
    assert lcf["days_past_due"] == 2
    assert lcf["arrears"] == 1_100
    # 03-01: base = 1_100_000 + 28 days (02-02..02-29) * 1_100 = 1_130_800 -> 1_131; owed 31.
    # 1_080_000 pays #1 lc 31, #1 principal 1_100, #2 interest 80_000, #2 principal
    # 1_080_000 - 31 - 1_100 - 80_000 = 998_869 -> #2 unpaid 1_131.
    mar1 = lcf_days[DUE2]
    assert by_number(mar1, 1)["accrued_lc"] == 1_131
    assert by_number(mar1, 1)["paid_lc"] == 1_131
    assert by_number(mar1, 1)["unpaid"] == 0
    assert by_number(mar1, 1)["settled_on"] == DUE2
    assert by_number(mar1, 1)["days_late"] == 29
    assert by_number(mar1, 2)["paid_principal"] == 998_869
    assert by_number(mar1, 2)["unpaid"] == 1_131
    assert mar1["late_charge_owed"] == 0
    assert mar1["credit"] == 0

    inf = balance(contract(events, tolerance=0), date(2024, 2, 3))
    assert by_number(inf, 1)["paid_lc"] == 0
    assert by_number(inf, 1)["unpaid"] == 0
    assert inf["late_charge_owed"] == 1_100
    assert inf["days_past_due"] == 0


def test_early_settlement_mid_period() -> None:
    feb16 = date(2024, 2, 16)
    c = contract(
        [
            ("payment", DUE1, 1_100_000),
            ("payment", feb16, 2_500_000),
            ("payment", date(2024, 3, 10), 1_000),
        ]
    )
    days = {b["day"]: b for b in simulate(c, date(2024, 3, 10))}
    # S(02-16): OP 2_000_000; #2 accrued = rupiah(80_000 * 15 / 29) = rupiah(41_379.31) = 41_379;
    # #3 accrued 0 (t <= 03-01 start); LC 0; fee rupiah(0.02 * 2_000_000) = 40_000.
    # S = 2_081_379 before the payment.
    assert days[date(2024, 2, 15)]["paid_off_on"] is None
    # quote on 02-15: #2 accrued rupiah(80_000 * 14 / 29) = rupiah(38_620.69) = 38_621.
    assert days[date(2024, 2, 15)]["settlement_quote"] == 2_000_000 + 38_621 + 40_000
    b = days[feb16]
    assert b["paid_off_on"] == feb16
    assert b["settlement_fee_paid"] == 40_000
    assert b["credit"] == 2_500_000 - 2_081_379  # 418_621
    assert b["outstanding_principal"] == 0
    assert b["accrued_interest"] == 0
    assert b["settlement_quote"] == 0
    assert b["interest_due"] == 0
    assert b["arrears"] == 0
    assert b["next_due_date"] is None
    two, three = by_number(b, 2), by_number(b, 3)
    assert two["paid_interest"] == 41_379
    assert two["waived_interest"] == 80_000 - 41_379  # 38_621
    assert two["paid_principal"] == 1_000_000
    assert two["settled_on"] == feb16
    assert two["days_late"] == 0
    assert three["paid_interest"] == 0
    assert three["waived_interest"] == 60_000
    assert three["settled_on"] == feb16
    # Nothing accrues afterwards; a later payment is all credit.
    last = days[date(2024, 3, 10)]
    assert last["late_charge_owed"] == 0
    assert last["days_past_due"] == 0
    assert last["credit"] == 418_621 + 1_000
    assert last["paid_off_on"] == feb16


def test_refund_of_credit_and_credit_application() -> None:
    c = contract(
        [
            ("payment", DUE1, 1_150_000),  # 50_000 over -> credit
            ("refund", date(2024, 2, 10), 20_000),
            ("payment", DUE2, 1_050_000),
        ]
    )
    days = {b["day"]: b for b in simulate(c, DUE2)}
    assert days[DUE1]["credit"] == 50_000
    # Credit is not applied to #2 before it is due.
    assert by_number(days[date(2024, 2, 29)], 2)["paid_interest"] == 0
    feb10 = days[date(2024, 2, 10)]
    assert feb10["credit"] == 30_000
    # S(02-10): OP 2_000_000 + #2 accrued rupiah(80_000 * 9 / 29) = rupiah(24_827.59) = 24_828
    # + fee 40_000 = 2_064_828; quote = S - credit 30_000.
    assert feb10["settlement_quote"] == 2_034_828
    # 03-01: credit 30_000 goes to #2 interest first, then the payment 1_050_000 pays the
    # remaining interest 50_000 and principal 1_000_000.
    mar1 = days[DUE2]
    assert mar1["credit"] == 0
    assert by_number(mar1, 2)["paid_interest"] == 80_000
    assert by_number(mar1, 2)["unpaid"] == 0
    assert mar1["days_past_due"] == 0

    with pytest.raises(ValueError, match="refund"):
        simulate(contract([("refund", DUE1, 1)]), DUE1)


def test_waiver() -> None:
    feb4 = date(2024, 2, 4)
    c = contract(
        [
            ("payment", feb4, 1_100_000),  # 3 days late: lc rupiah(0.001 * 3_300_000) = 3_300
            ("waiver", date(2024, 2, 10), 3_000),
            ("payment", DUE2, 1_080_300),
        ]
    )
    days = {b["day"]: b for b in simulate(c, DUE2)}
    assert days[date(2024, 2, 3)]["days_past_due"] == 2
    assert days[feb4]["late_charge_owed"] == 3_300
    assert days[date(2024, 2, 10)]["late_charge_owed"] == 300
    assert by_number(days[date(2024, 2, 10)], 1)["waived_lc"] == 3_000
    # 03-01: #2 interest 80_000 + principal 1_000_000, then #1 lc 300.
    mar1 = days[DUE2]
    assert mar1["late_charge_owed"] == 0
    assert by_number(mar1, 1)["paid_lc"] == 300
    assert by_number(mar1, 1)["accrued_lc"] == 3_300
    assert mar1["credit"] == 0

    with pytest.raises(ValueError, match="waiver"):
        simulate(contract([("waiver", DUE1, 1)]), DUE1)


def test_restructured_schedule_switches_on_day_e() -> None:
    e = date(2024, 2, 10)
    new1, new2 = date(2024, 3, 10), date(2024, 4, 10)
    installments = [
        inst(1, DUE1, 1_000_000, 100_000, D0, superseded_on=e),
        inst(2, DUE2, 1_000_000, 80_000, DUE1, superseded_on=e),
        inst(3, DUE3, 1_000_000, 60_000, DUE2, superseded_on=e),
        inst(4, new1, 1_500_000, 150_000, e, in_force_from=e),
        inst(5, new2, 1_500_000, 100_000, new1, in_force_from=e),
    ]
    c = contract(
        [("payment", new1, 1_659_900), ("payment", new2, 1_600_000)],
        installments=installments,
    )
    days = {b["day"]: b for b in simulate(c, new2)}
    # 02-09: old schedule; #1 unpaid 8 days -> lc 8 * 1_100 = 8_800, DPD 8.
    feb9 = days[date(2024, 2, 9)]
    assert feb9["outstanding_principal"] == 3_000_000
    assert feb9["arrears"] == 1_100_000
    assert feb9["days_past_due"] == 8
    assert feb9["late_charge_owed"] == 8_800
    assert feb9["next_due_date"] == DUE2
    # 02-10 (E): new schedule in force; #1's lc covers days 02-01..02-09 = 9_900 and stays.
    feb10 = days[e]
    assert feb10["outstanding_principal"] == 3_000_000
    assert feb10["arrears"] == 0
    assert feb10["days_past_due"] == 0
    assert feb10["late_charge_owed"] == 9_900
    assert feb10["next_due_date"] == new1
    assert feb10["next_due_amount"] == 1_650_000
    # S(E) = 3_000_000 + 0 + 9_900 + 60_000.
    assert feb10["settlement_quote"] == 3_069_900
    assert days[date(2024, 2, 20)]["late_charge_owed"] == 9_900
    # 03-10: S = 3_000_000 + 150_000 + 9_900 + 60_000 = 3_219_900 > 1_659_900; pays #4
    # interest 150_000, principal 1_500_000, then the superseded #1's lc 9_900.
    mar10 = days[new1]
    assert mar10["late_charge_owed"] == 0
    assert mar10["days_past_due"] == 0
    assert by_number(mar10, 1)["paid_lc"] == 9_900
    assert by_number(mar10, 4)["unpaid"] == 0
    # A superseded installment keeps its formula unpaid (amount - paid - waived).
    assert by_number(mar10, 1)["unpaid"] == 1_100_000
    assert by_number(mar10, 1)["settled_on"] is None
    # 04-10: S = 1_500_000 + 100_000 + 0 + 30_000 = 1_630_000 > 1_600_000: ordinary payment,
    # then every in-force installment is paid and no lc owed -> paid off.
    apr10 = days[new2]
    assert apr10["paid_off_on"] == new2
    assert apr10["settlement_fee_paid"] == 0
    assert apr10["outstanding_principal"] == 0
    assert apr10["credit"] == 0
