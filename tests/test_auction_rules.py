"""The sale of a repossessed vehicle in the servicing rules, against a model written here:
whatever the day of the sale and the money it brings, the money goes to the late charge owed,
then the interest earned to that day, then the principal; the interest not yet earned is
waived; what is left owed is the shortfall and stops growing; money over the debt is credit."""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from app.servicing import rules

START = date(2026, 1, 10)
RATE, CAP = Decimal("0.001"), Decimal("0.5")


def half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def month(n: int) -> date:
    """The 10th of the n-th month after January 2026 (no month-end clipping needed)."""
    return date(2026 + (n // 12), n % 12 + 1, 10)


def schedule(installments: int, principal: int, interest: int) -> list[rules.Due]:
    return [
        rules.Due(number=n, due_date=month(n), principal=principal, interest=interest,
                  accrues_from=month(n - 1))
        for n in range(1, installments + 1)
    ]  # fmt: skip


def owed_by_hand(rows: list[rules.Due], day: date) -> tuple[int, int, int, int]:
    """(principal, interest earned, late charge, interest not yet earned) on ``day`` for a
    contract never paid."""
    principal = sum(r.principal for r in rows)
    earned = late = 0
    for r in rows:
        amount = r.principal + r.interest
        if r.due_date <= day:
            earned += r.interest
            late += min(half_up(RATE * amount * (day - r.due_date).days), half_up(CAP * amount))
        elif r.accrues_from < day:
            span = (r.due_date - r.accrues_from).days
            earned += half_up(Decimal(r.interest * (day - r.accrues_from).days) / span)
    return principal, earned, late, sum(r.interest for r in rows) - earned


@settings(max_examples=200, deadline=None)
@given(
    installments=st.integers(min_value=2, max_value=24),
    principal=st.integers(min_value=100_000, max_value=2_000_000),
    interest=st.integers(min_value=0, max_value=300_000),
    days=st.integers(min_value=1, max_value=800),
    share=st.fractions(min_value=0, max_value=2),
)
def test_a_sale_pays_late_charge_interest_then_principal(
    installments: int, principal: int, interest: int, days: int, share
) -> None:
    rows = schedule(installments, principal, interest)
    terms = rules.Terms(disbursed_on=START, late_charge_rate=RATE, late_charge_cap=CAP)
    day = START + timedelta(days=days)
    owed_principal, earned, late, unearned = owed_by_hand(rows, day)
    debt = owed_principal + earned + late
    money = max(1, int(debt * share))
    sale = rules.Movement(key=1, kind=rules.Kind.SALE, value_date=day, amount=money)
    ledger = rules.run(terms, rows, [sale], day)
    paid: dict[rules.Component, int] = {}
    for allocation in ledger.allocations:
        paid[allocation.component] = paid.get(allocation.component, 0) + allocation.amount

    to_late = min(money, late)
    to_interest = min(money - to_late, earned)
    to_principal = min(money - to_late - to_interest, owed_principal)
    surplus = money - to_late - to_interest - to_principal
    assert paid.get(rules.Component.LATE_CHARGE, 0) == to_late
    assert paid.get(rules.Component.INTEREST, 0) == to_interest
    assert paid.get(rules.Component.PRINCIPAL, 0) == to_principal
    assert paid.get(rules.Component.CREDIT, 0) == surplus
    assert paid.get(rules.Component.INTEREST_WAIVED, 0) == unearned
    assert rules.Component.SETTLEMENT_FEE not in paid  # no fee on a forced sale

    balance = ledger.balance(day)
    shortfall = debt - money
    assert balance.outstanding_principal == owed_principal - to_principal
    assert (ledger.paid_off_on == day) is (money >= debt)
    if money >= debt:
        assert balance.credit == surplus
        assert balance.settlement_quote == 0
    else:
        # Owed: the shortfall, all of it; the interest not earned never comes back.
        assert (
            balance.outstanding_principal + (earned - to_interest) + (late - to_late) == shortfall
        )
        later = rules.run(terms, rows, [sale], day + timedelta(days=400)).balance(
            day + timedelta(days=400)
        )
        assert later.outstanding_principal == balance.outstanding_principal
        assert later.accrued_interest == earned - to_interest
