"""The stored ledger, the one balance function (``balance_of``) and the close of business's
set-based positions SQL against the independent model (``tests.reference_ledger``), on the
same hypothesis-generated contracts as ``test_ledger_reference`` but through the database:
the account opened by the servicing code, payments posted in a shuffled order (so most are
back-dated), some reversed, a late-charge waiver and a refund on the day, a restructured
schedule. On each sampled day the position's days past due and principal, and every balance
field, must equal the model's; a paid-off contract has no position from its pay-off day."""

import random
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.auth.service import Principal, authenticate
from app.contracts.models import Contract
from app.core.clock import today_jakarta
from app.core.errors import Conflict
from app.demo import demo_key
from app.servicing import payments
from app.servicing.ledger import balance_of, open_account, reallocate
from app.servicing.models import Installment, LoanAccount, Payment
from tests import reference_ledger
from tests.conftest import submit
from tests.history import recomputed
from tests.test_ledger_reference import FIELDS, contracts


def _shift(contract: dict[str, Any], days: int) -> dict[str, Any]:
    """The same contract ``days`` later (every date moved)."""

    def moved(value: Any) -> Any:
        return value + timedelta(days=days) if isinstance(value, date) else value

    return {
        **{k: moved(v) for k, v in contract.items()},
        "installments": [{k: moved(v) for k, v in r.items()} for r in contract["installments"]],
        "events": [{k: moved(v) for k, v in e.items()} for e in contract["events"]],
    }


def _open(session: Session, number: str, contract: dict[str, Any], actor: Principal) -> Contract:
    """Disburse the generated contract through the servicing code, with its own terms."""
    row = session.scalars(select(Contract).where(Contract.number == number)).one()
    row.state = "ACTIVE"
    original = [r for r in contract["installments"] if r["in_force_from"] is None]
    disbursed: date = contract["disbursed_on"]
    quote = {
        "in_advance": contract["addm"],
        "amount_financed": sum(r["principal"] for r in original),
        "schedule": [
            {
                "number": r["number"],
                "due_month": (r["due_date"].year - disbursed.year) * 12
                + r["due_date"].month - disbursed.month,
                "amount": r["principal"] + r["interest"],
                "principal": r["principal"],
                "interest": r["interest"],
            }
            for r in original
        ],
    }  # fmt: skip
    open_account(session, row, actor, disbursed, quote, "TRF-REF")
    session.execute(
        update(LoanAccount)
        .where(LoanAccount.contract_id == row.id)
        .values(
            late_charge_rate=contract["late_charge_rate"],
            late_charge_cap=contract["late_charge_cap"],
            arrears_tolerance=contract["tolerance"],
            allocation_order=contract["order"],
            settlement_fee_rate=contract["settlement_fee_rate"],
        )
    )
    # The generated dates (shifted by whole days, so a month-end may differ from what
    # ``add_months`` gives) and a restructured schedule, as the restructuring service leaves it.
    for r in contract["installments"]:
        if r["in_force_from"] is None:
            session.execute(
                update(Installment)
                .where(Installment.contract_id == row.id, Installment.number == r["number"])
                .values(due_date=r["due_date"], accrues_from=r["accrues_from"],
                        superseded_on=r["superseded_on"])
            )  # fmt: skip
        if r["in_force_from"] is not None:
            session.add(
                Installment(
                    contract_id=row.id, number=r["number"], due_date=r["due_date"],
                    amount=r["principal"] + r["interest"], principal=r["principal"],
                    interest=r["interest"], accrues_from=r["accrues_from"],
                    in_force_from=r["in_force_from"],
                )
            )  # fmt: skip
    session.flush()
    reallocate(session, row)
    return row


def _post(
    session: Session, row: Contract, actor: Principal, contract: dict[str, Any], seed: int
) -> list[dict[str, Any]]:
    """Post the generated payments in a shuffled order and reverse some; the standing ones
    (what the model is given) are returned. A payment the service refuses (the contract was
    already paid off by then) is not standing either."""
    shuffle = random.Random(seed)
    wanted = [e for e in contract["events"] if e["kind"] == "payment"]
    standing = []
    for event in shuffle.sample(wanted, len(wanted)):
        try:
            with session.begin_nested():
                payment = payments.post_payment(session, actor, row, {
                    "paid_on": event["on"], "amount": event["amount"],
                    "reference": f"REF-{event['id']}",
                })  # fmt: skip
        except Conflict:
            continue
        if shuffle.random() < 0.2 and row.state == "ACTIVE":
            payments.reverse_payment(session, actor, row, payment, "bounced")
            continue
        standing.append(event)
    return standing


def _check_day(session: Session, row: Contract, want: dict[str, Any]) -> None:
    day: date = want["day"]
    got = balance_of(session, row, day)
    for name in FIELDS:
        assert getattr(got, name) == want[name], (day, name)
    position = session.execute(recomputed(session, day, [row.id])).all()
    if want["paid_off_on"] is not None and want["paid_off_on"] <= day:
        assert position == [], day
        return
    [(_, _, days_past_due, _, _, outstanding)] = position
    assert (days_past_due, outstanding) == (want["days_past_due"], want["outstanding_principal"])


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(contracts(), st.integers(0, 2**16))
def test_stored_ledger_and_positions_equal_the_reference_model(
    client: Any, database: Any, generated: dict[str, Any], seed: int
) -> None:
    today = today_jakarta()
    contract = _shift(generated, (today - generated["horizon"]).days)
    number = submit(client)
    with database.transaction() as session:
        found = authenticate(session, demo_key("finance.tono"))
        assert found is not None
        actor = found[0]
        row = _open(session, number, contract, actor)
        model = {**contract, "events": _post(session, row, actor, contract, seed)}
        balance = reference_ledger.balance(model, today)
        extra = []
        if row.state == "ACTIVE" and balance["late_charge_owed"] > 0:
            amount = (balance["late_charge_owed"] + 1) // 2
            payments.waive_late_charge(session, actor, row, amount, "Goodwill")
            extra.append({"kind": "waiver", "id": 10_000, "on": today, "amount": amount})
        if balance["credit"] > 0:
            amount = balance["credit"] // 3 or balance["credit"]
            payments.refund(session, actor, row, {"amount": amount, "reference": "RF-1"})
            extra.append({"kind": "refund", "id": 10_001, "on": today, "amount": amount})
        model["events"] += extra
        reversed_payments = session.scalars(
            select(Payment).where(Payment.contract_id == row.id, Payment.reversed_at.is_not(None))
        ).all()
        days = reference_ledger.simulate(model, today)
        marks = {e["on"] for e in model["events"]} | {p.paid_on for p in reversed_payments}
        for r in contract["installments"]:
            marks |= {r["due_date"], r["due_date"] + timedelta(days=1)}
        for want in days:
            day = want["day"]
            if day in marks or (day - contract["disbursed_on"]).days % 11 == 0 or day == today:
                _check_day(session, row, want)
        stored = {
            i.number: i.settled_on
            for i in session.scalars(select(Installment).where(Installment.contract_id == row.id))
        }
        for line in days[-1]["installments"]:
            assert stored[line["number"]] == line["settled_on"] or (
                line["settled_on"] is None and stored[line["number"]] > today
            ), line["number"]
