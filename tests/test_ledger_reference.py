"""The production balance function (``app.servicing.rules``) and the close of business's
set-based SQL (``app.collection.positions``) against an independent day-by-day model written
from the rules alone (``tests.reference_ledger``), on hypothesis-generated contracts: ADDB and
ADDM, tenors 6-48, partial, late, early, reversed (absent), over- and settlement payments,
late-charge waivers, refunds of credit and a restructuring. Every day's balance must be equal."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.servicing import rules
from app.servicing.ledger import add_months
from tests import reference_ledger

START = date(2025, 1, 15)


def _state(contract: dict[str, Any], events: list[dict[str, Any]], day: date) -> dict[str, Any]:
    """The reference model's balance at the end of ``day`` with only ``events``."""
    return reference_ledger.balance({**contract, "events": events}, day)


def _admissible(contract: dict[str, Any], wanted: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The wanted events in value-date order, each waiver cut to the late charge owed and each
    refund to the credit held just before it (what the service would accept); empty ones go."""
    kept: list[dict[str, Any]] = []
    for event in sorted(wanted, key=lambda e: (e["on"], e["id"])):
        if event["kind"] != "payment":
            state = _state(contract, kept, event["on"])
            room = state["late_charge_owed"] if event["kind"] == "waiver" else state["credit"]
            event = {**event, "amount": min(event["amount"], room)}
            if event["amount"] <= 0:
                continue
        kept.append(event)
    return kept


def _restructure(
    contract: dict[str, Any], effective: date, months: int, rate_per_month: Decimal
) -> None:
    """A restructuring on ``effective``: the installments still unpaid the evening before are
    superseded, and the principal they still owed is spread over ``months`` new installments
    from the month after, with flat interest at ``rate_per_month``."""
    before = _state(contract, contract["events"], effective - timedelta(days=1))
    paid = {row["number"]: row for row in before["installments"]}
    left = 0
    for row in contract["installments"]:
        if paid[row["number"]]["unpaid"] > 0:
            row["superseded_on"] = effective
            left += row["principal"] - paid[row["number"]]["paid_principal"]
    if left == 0:
        return
    interest = reference_ledger.rupiah(Decimal(left) * rate_per_month)
    first = len(contract["installments"]) + 1
    previous = effective
    for k in range(months):
        due = add_months(effective, k + 1)
        contract["installments"].append(
            {
                "number": first + k,
                "due_date": due,
                "principal": left // months + (left % months if k == months - 1 else 0),
                "interest": interest,
                "accrues_from": previous,
                "in_force_from": effective,
                "superseded_on": None,
            }
        )
        previous = due


@st.composite
def contracts(draw: st.DrawFn) -> dict[str, Any]:
    tenor = draw(st.integers(6, 48))
    addm = draw(st.booleans())
    installment = draw(st.integers(300, 3_000)) * 1_000
    interest = draw(st.integers(50, installment // 3_000)) * 1_000
    disbursed = START + timedelta(days=draw(st.integers(0, 30)))
    schedule: list[dict[str, Any]] = []
    previous = disbursed
    for n in range(1, tenor + 1):
        due = add_months(disbursed, n - 1 if addm else n)
        first_addm = addm and n == 1
        schedule.append(
            {
                "number": n,
                "due_date": due,
                "principal": installment if first_addm else installment - interest,
                "interest": 0 if first_addm else interest,
                "accrues_from": previous if due > previous else due,
                "in_force_from": None,
                "superseded_on": None,
            }
        )
        previous = due
    horizon: date = schedule[-1]["due_date"] + timedelta(days=40)
    days = (horizon - disbursed).days
    wanted: list[dict[str, Any]] = []
    for key in range(1, draw(st.integers(0, 14)) + 1):
        on = disbursed + timedelta(days=draw(st.integers(0, days)))
        kind = draw(st.sampled_from(["payment"] * 8 + ["big", "tiny", "waiver", "refund"]))
        amount = {
            "payment": installment * draw(st.integers(1, 3)) - draw(st.sampled_from([0, 5_000])),
            "big": installment * tenor,
            "tiny": draw(st.integers(1, 20_000)),
            "waiver": draw(st.integers(1, installment)),
            "refund": draw(st.integers(1, installment * 2)),
        }[kind]
        kind = kind if kind in ("waiver", "refund") else "payment"
        wanted.append({"kind": kind, "id": key, "on": on, "amount": amount})
    contract: dict[str, Any] = {
        "disbursed_on": disbursed,
        "installments": schedule,
        "addm": addm,
        "late_charge_rate": draw(st.sampled_from([Decimal("0.001"), Decimal("0.005")])),
        "late_charge_cap": draw(st.sampled_from([None, Decimal("0.1"), Decimal("0.5")])),
        "tolerance": draw(st.sampled_from([0, 10_000])),
        "order": draw(st.sampled_from(["installment_first", "late_charge_first"])),
        "settlement_fee_rate": draw(st.sampled_from([Decimal(0), Decimal("0.02")])),
        "events": [],
        "horizon": horizon,
    }
    payments = [e for e in wanted if e["kind"] == "payment"]
    if draw(st.booleans()):
        contract["events"] = payments
        effective = disbursed + timedelta(days=draw(st.integers(1, days - 1)))
        _restructure(contract, effective, draw(st.integers(3, 24)), Decimal("0.015"))
        contract["horizon"] = max(
            horizon, max(r["due_date"] for r in contract["installments"]) + timedelta(days=40)
        )
    contract["events"] = _admissible(contract, wanted)
    return contract


KINDS = {"payment": rules.Kind.PAYMENT, "waiver": rules.Kind.WAIVER, "refund": rules.Kind.REFUND}


def production(
    contract: dict[str, Any],
) -> tuple[rules.Terms, list[rules.Due], list[rules.Movement]]:
    terms = rules.Terms(
        disbursed_on=contract["disbursed_on"],
        late_charge_rate=contract["late_charge_rate"],
        late_charge_cap=contract["late_charge_cap"],
        tolerance=contract["tolerance"],
        order=rules.Order(contract["order"]),
        settlement_fee_rate=contract["settlement_fee_rate"],
    )
    schedule = [
        rules.Due(r["number"], r["due_date"], r["principal"], r["interest"], r["accrues_from"],
                  r["in_force_from"], r["superseded_on"])
        for r in contract["installments"]
    ]  # fmt: skip
    movements = [
        rules.Movement(e["id"], KINDS[e["kind"]], e["on"], e["amount"]) for e in contract["events"]
    ]
    if contract["addm"]:
        first = schedule[0]
        movements.insert(0, rules.Movement(0, rules.Kind.SIGNING, first.due_date, first.amount))
    return terms, schedule, movements


FIELDS = (
    "outstanding_principal", "interest_due", "accrued_interest", "late_charge_owed", "credit",
    "arrears", "days_past_due", "next_due_date", "next_due_amount", "settlement_quote",
    "paid_off_on",
)  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(contracts())
def test_every_day_equals_the_reference_model(contract: dict[str, Any]) -> None:
    terms, schedule, movements = production(contract)
    expected = reference_ledger.simulate(contract, contract["horizon"])
    day = contract["disbursed_on"]
    for want in expected:
        got = rules.balance(terms, schedule, movements, want["day"])
        for name in FIELDS:
            assert getattr(got, name) == want[name], (want["day"], name)
        for row, ref in zip(got.installments, want["installments"], strict=True):
            assert (row.number, row.paid_principal, row.paid_interest, row.late_charge_owed,
                    row.late_charge_paid, row.unpaid, row.settled_on, row.days_late) == (
                ref["number"], ref["paid_principal"], ref["paid_interest"], ref["lc_owed"],
                ref["paid_lc"], ref["unpaid"], ref["settled_on"], ref["days_late"],
            ), want["day"]  # fmt: skip
        day += timedelta(days=1)


def test_a_customer_paying_every_installment_on_its_due_date_is_always_current() -> None:
    for addm in (False, True):
        disbursed = date(2025, 3, 31)
        schedule = [
            rules.Due(n, add_months(disbursed, n - 1 if addm else n), 700_000, 100_000,
                      add_months(disbursed, n - 2 if addm else n - 1))
            for n in range(1, 13)
        ]  # fmt: skip
        movements = [
            rules.Movement(n, rules.Kind.PAYMENT, d.due_date, d.amount)
            for n, d in enumerate(schedule, start=1)
            if not (addm and n == 1)
        ]
        if addm:
            movements.append(rules.Movement(0, rules.Kind.SIGNING, disbursed, 800_000))
        terms = rules.Terms(disbursed_on=disbursed, tolerance=10_000)
        day = disbursed
        while day <= schedule[-1].due_date:
            assert rules.balance(terms, schedule, movements, day).days_past_due == 0, (addm, day)
            day += timedelta(days=1)


MONEY = {rules.Component.INTEREST, rules.Component.PRINCIPAL, rules.Component.LATE_CHARGE,
         rules.Component.SETTLEMENT_FEE, rules.Component.CREDIT}  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(contracts())
def test_each_payment_is_allocated_exactly_its_own_amount(contract: dict[str, Any]) -> None:
    """What a payment paid (interest, principal, late charge, fee) and kept as credit adds up
    to its amount: credit held from before is spent under its own rows (no entry), never
    counted again under the next payment. Before: a payment of 825,000 arriving on top of
    825,000 of credit listed 1,650,000 kept as credit."""
    terms, schedule, movements = production(contract)
    ledger = rules.run(terms, schedule, movements, contract["horizon"])
    for movement in movements:
        if movement.kind in (rules.Kind.PAYMENT, rules.Kind.SIGNING):
            rows = [a for a in ledger.allocations if a.key == movement.key]
            assert sum(a.amount for a in rows if a.component in MONEY) == movement.amount


def test_credit_held_is_not_counted_again_under_the_next_payment() -> None:
    disbursed = date(2026, 1, 10)
    schedule = [
        rules.Due(n, add_months(disbursed, n), 725_000, 100_000, add_months(disbursed, n - 1))
        for n in range(1, 7)
    ]
    first, second = (rules.Movement(k, rules.Kind.PAYMENT, disbursed, 825_000) for k in (1, 2))
    ledger = rules.run(rules.Terms(disbursed_on=disbursed), schedule, [first, second],
                       schedule[0].due_date)  # fmt: skip
    kept = {a.key: a.amount for a in ledger.allocations if a.component == rules.Component.CREDIT}
    assert kept == {1: 825_000, 2: 825_000}
    paid = [(a.key, a.component, a.amount) for a in ledger.allocations if a.number == 1]
    assert paid == [(None, rules.Component.INTEREST, 100_000),
                    (None, rules.Component.PRINCIPAL, 725_000)]  # fmt: skip
    assert ledger.credit == 825_000


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(contracts(), st.data())
def test_a_payment_replayed_from_its_value_date_gives_the_whole_replay(
    contract: dict[str, Any], data: st.DataObject
) -> None:
    """A payment is posted by replaying the ledger from its value date only, the standing at
    that day's start rebuilt from the allocations made before it (``rules.resume``): what it
    allocates, the days installments are settled, the pay-off day and every balance after it
    are what the replay of the whole ledger gives."""
    terms, schedule, movements = production(contract)
    assume(all(d.in_force_from is None and d.superseded_on is None for d in schedule))
    horizon: date = contract["horizon"]
    paid_on = terms.disbursed_on + timedelta(
        days=data.draw(st.integers(0, (horizon - terms.disbursed_on).days))
    )
    amount = data.draw(st.integers(1, 3 * max(d.amount for d in schedule)))
    new = rules.Movement(max((m.key for m in movements), default=0) + 1, rules.Kind.PAYMENT,
                         paid_on, amount)  # fmt: skip
    old = rules.run(
        terms, schedule, movements, rules.last_day_of(schedule, movements, terms.disbursed_on)
    )
    # A contract paid off takes no payment: it is active on the day the payment is dated.
    assume(old.paid_off_on is None or old.paid_off_on >= paid_on)
    before = [a for a in old.allocations if a.value_date < paid_on]
    everything = [*movements, new]
    end = rules.last_day_of(schedule, everything, terms.disbursed_on)
    try:
        whole = rules.run(terms, schedule, everything, end)
    except ValueError:  # a waiver or refund after it no longer fits: the service refuses it
        assume(False)
        raise
    resumed = rules.resume(terms, schedule, before, everything, paid_on, end)
    assert resumed.allocations == [a for a in whole.allocations if a.value_date >= paid_on]
    assert [ln.settled_on for ln in resumed.lines] == [ln.settled_on for ln in whole.lines]
    assert resumed.paid_off_on == whole.paid_off_on
    for day in (end, end + timedelta(days=45)):
        assert resumed.balance(day) == whole.balance(day)
