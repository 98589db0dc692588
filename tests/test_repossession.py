"""Repossession to auction: the vehicle handed over moves the contract to REPOSSESSED; it is
appraised, its costs recorded, and sold; the proceeds pay the costs first, then the debt as of
the sale day; a surplus goes back to the debtor, a shortfall is kept or written off by an
approver. The debtor and the chassis number go onto the negative list. Every figure below is
worked out in the test from the contract's schedule and terms, without the app's arithmetic."""

from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import holidays as holiday_calendar
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from app.collection.models import WriteOff
from app.contracts.models import Contract
from app.core.clock import JAKARTA, today_jakarta
from app.servicing.models import Collateral, LoanAccount
from tests.conftest import ADMIN, APPROVER, CS, FINANCE
from tests.test_collection import COLLECTOR, active_contract

CHASSIS, ENGINE = "MH1JM8117PK765432", "JM81E7654321"


def half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def working_day(day: date) -> date:
    """The latest day on or before ``day`` on which a collector may act (not a Sunday, not a
    national holiday)."""
    off = holiday_calendar.country_holidays("ID", years=[day.year - 1, day.year])
    while day.weekday() == 6 or day in off:
        day -= timedelta(days=1)
    return day


def at(day: date, hour: int = 10) -> str:
    return datetime.combine(day, time(hour), JAKARTA).isoformat()


def repossessed_contract(client: TestClient, database, disbursed_on: date, on: date) -> str:
    """An active contract never paid, its fiduciary registered, a warning letter sent and its
    vehicle handed over on ``on``."""
    number = active_contract(client, database, disbursed_on)
    with database.transaction() as session:
        contract_id = session.scalar(select(Contract.id).where(Contract.number == number))
        session.execute(
            update(Contract)
            .where(Contract.number == number)
            .values(chassis_number=CHASSIS, engine_number=ENGINE)
        )
        session.execute(
            update(Collateral)
            .where(Collateral.contract_id == contract_id)
            .values(fiduciary_registered_on=disbursed_on + timedelta(days=10),
                    fiduciary_certificate="W10.00123.AH.05")
        )  # fmt: skip
    url = f"/v1/contracts/{number}/collection-actions"
    base = {"place": "billing_address", "person": "debtor"}
    letter = client.post(url, headers=COLLECTOR, json=base | {
        "kind": "warning_letter", "performed_at": at(on, 9), "result": "sent"})  # fmt: skip
    assert letter.status_code == 201, letter.text
    grab = client.post(url, headers=COLLECTOR, json=base | {
        "kind": "repossession", "performed_at": at(on, 11), "result": "handed_over",
        "voluntary_handover": True})  # fmt: skip
    assert grab.status_code == 201, grab.text
    return number


def appraise(client: TestClient, url: str, value: int, on: date) -> None:
    body = {"appraised_value": value, "appraised_on": on.isoformat(), "appraiser": "Tim taksasi"}
    assert client.post(f"{url}/appraisal", headers=COLLECTOR, json=body).status_code == 200


def schedule(client: TestClient, number: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.get(
        f"/v1/contracts/{number}/installments", headers=FINANCE
    ).json()["items"]
    return items


def debt_by_hand(rows: list[dict[str, Any]], disbursed_on: date, day: date,
                 rate: Decimal, cap: Decimal | None) -> tuple[int, int, int]:  # fmt: skip
    """(principal, interest accrued, late charge) owed at the end of ``day`` by a contract
    never paid: every installment due is late since its due date, the running one has earned
    its interest pro rata of the days of its period."""
    principal = sum(r["principal"] for r in rows)
    interest = late = 0
    start = disbursed_on
    for r in rows:
        due = date.fromisoformat(r["due_date"])
        amount = r["principal"] + r["interest"]
        if due <= day:
            interest += r["interest"]
            charge = half_up(rate * amount * (day - due).days)
            late += min(charge, half_up(cap * amount)) if cap is not None else charge
        elif start < day:
            interest += half_up(Decimal(r["interest"] * (day - start).days) / (due - start).days)
        start = due
    return principal, interest, late


def terms(database, number: str) -> tuple[Decimal, Decimal | None]:
    with database.sessions() as session:
        account = session.scalars(
            select(LoanAccount).join(Contract, Contract.id == LoanAccount.contract_id)
            .where(Contract.number == number)
        ).one()  # fmt: skip
        return account.late_charge_rate, account.late_charge_cap


def test_auction_below_the_debt_and_the_shortfall_written_off(client: TestClient, database):
    today = today_jakarta()
    disbursed_on = today - timedelta(days=200)
    grabbed_on = working_day(today)
    number = repossessed_contract(client, database, disbursed_on, grabbed_on)
    contract = client.get(f"/v1/contracts/{number}", headers=CS).json()
    assert contract["state"] == "REPOSSESSED"
    tracking = client.get(f"/v1/contracts/{number}/tracking", headers=CS)
    assert tracking.status_code == 200, tracking.text
    assert tracking.json()["stage"] == "collection"
    assert tracking.json()["events"][-1]["what"] == "Vehicle handed over; awaiting its auction"

    # The debtor and the vehicle are on the negative list.
    listed = client.get("/v1/negative-list?category=repossessed", headers=ADMIN).json()["items"]
    assert sorted(e["subject"] for e in listed) == ["person", "vehicle"]
    vehicle = next(e for e in listed if e["subject"] == "vehicle")
    assert (vehicle["chassis_number"], vehicle["engine_number"]) == (CHASSIS, ENGINE)

    url = f"/v1/contracts/{number}/repossession"
    # Selling before the appraisal is refused; so is a sale by the collector.
    sale = {"sold_on": today.isoformat(), "buyer": "Balai Lelang Jakarta", "proceeds": 9_000_000}
    early = client.post(f"{url}/sale", headers=FINANCE, json=sale)
    assert early.status_code == 422
    assert early.json()["errors"][0]["rule"] == "not_appraised"
    assert client.post(f"{url}/sale", headers=COLLECTOR, json=sale).status_code == 403

    appraisal = {"appraised_value": 9_500_000, "appraised_on": today.isoformat(),
                 "appraiser": "KJPP Sinar Taksasi"}  # fmt: skip
    assert client.post(f"{url}/appraisal", headers=FINANCE, json=appraisal).status_code == 403
    appraised = client.post(f"{url}/appraisal", headers=COLLECTOR, json=appraisal)
    assert appraised.status_code == 200, appraised.text
    for amount, reason in ((750_000, "Towing and storage"), (1_250_000, "Auction house fee")):
        cost = {"amount": amount, "incurred_on": grabbed_on.isoformat(), "reason": reason}
        made = client.post(f"{url}/costs", headers=FINANCE, json=cost)
        assert made.status_code == 201, made.text
    assert client.post(f"{url}/costs", headers=COLLECTOR, json=cost).status_code == 403

    # By hand: what the contract owes at the end of the sale day.
    rows = schedule(client, number)
    assert all(r["paid"] == 0 for r in rows)
    rate, cap = terms(database, number)
    principal, interest, late = debt_by_hand(rows, disbursed_on, today, rate, cap)
    assert principal == 14_000_000
    costs = 750_000 + 1_250_000
    to_debt = 9_000_000 - costs
    shortfall = principal + interest + late - to_debt
    principal_paid = to_debt - late - interest  # late charges, then interest, then principal
    unearned = sum(r["interest"] for r in rows) - interest

    sold = client.post(f"{url}/sale", headers=FINANCE, json=sale)
    assert sold.status_code == 200, sold.text
    body = sold.json()
    assert (body["proceeds"], body["costs_recovered"], body["to_debt"], body["surplus"]) == (
        9_000_000, costs, to_debt, 0)  # fmt: skip
    assert body["shortfall"] == shortfall
    assert body["contract_state"] == "REPOSSESSED"  # the shortfall waits for an approver
    assert client.post(f"{url}/sale", headers=FINANCE, json=sale).status_code == 409

    ledger = client.get(f"/v1/contracts/{number}/ledger", headers=FINANCE).json()
    (entry,) = [e for e in ledger["items"] if e["kind"] == "auction_sale"]
    assert entry["amount"] == to_debt
    by_component: dict[str, int] = {}
    for allocation in entry["allocations"]:
        part = allocation["component"]
        by_component[part] = by_component.get(part, 0) + allocation["amount"]
    assert by_component == {
        "late_charge": late,
        "interest": interest,
        "principal": principal_paid,
        "interest_waived": unearned,
    }
    assert [e["amount"] for e in ledger["items"] if e["kind"] == "repossession_cost"] == [
        750_000, 1_250_000]  # fmt: skip
    # What is left is the shortfall, all principal, nothing more accruing on it.
    assert ledger["balance"]["outstanding_principal"] == shortfall == principal - principal_paid
    assert ledger["balance"]["late_charge_owed"] == 0
    assert ledger["balance"]["credit"] == 0

    # Only an approver decides the shortfall.
    decision = {"decision": "write_off", "reason": "Debtor has no assets left"}
    assert client.post(f"{url}/shortfall", headers=FINANCE, json=decision).status_code == 403
    written = client.post(f"{url}/shortfall", headers=APPROVER, json=decision)
    assert written.status_code == 200, written.text
    assert written.json()["shortfall_decision"] == "written_off"
    assert written.json()["written_off"] == shortfall
    assert written.json()["decided_by"] == "approver.hendra"
    assert client.get(f"/v1/contracts/{number}", headers=CS).json()["state"] == "WRITTEN_OFF"
    told = client.get(f"/v1/contracts/{number}/tracking", headers=CS).json()["events"]
    assert [e["what"] for e in told[-3:]] == [
        "Cost of repossession recorded", "Vehicle sold at auction",
        "Auction shortfall written off",
    ]  # fmt: skip

    # The ledger balances to the rupiah: the proceeds are costs + late + interest + principal,
    # and the principal financed is what the sale paid plus what was written off.
    ledger = client.get(f"/v1/contracts/{number}/ledger", headers=FINANCE).json()
    kinds = [e["kind"] for e in ledger["items"]]
    assert kinds.count("write_off") == 1
    write_off = next(e for e in ledger["items"] if e["kind"] == "write_off")
    assert write_off["amount"] == shortfall
    assert costs + late + interest + principal_paid == 9_000_000
    assert principal_paid + write_off["amount"] == 14_000_000
    with database.sessions() as session:
        off = session.scalars(select(WriteOff).join(Contract, Contract.id == WriteOff.contract_id)
                              .where(Contract.number == number)).one()  # fmt: skip
        assert (off.business_date, off.amount) == (today, shortfall)
    events = [e["action"] for e in client.get(f"/v1/contracts/{number}/events", headers=CS).json()]
    assert events[-6:] == [
        "repossess", "appraisal", "repossession_cost", "repossession_cost", "auction_sale",
        "write_off_shortfall",
    ]  # fmt: skip
    # Money that comes in later is a recovery.
    recovered = client.post("/v1/payments", headers=FINANCE, json={
        "contract_number": number, "amount": 500_000, "paid_on": today.isoformat(),
        "reference": "RECOVERY-1"})  # fmt: skip
    assert recovered.status_code == 201, recovered.text


def test_auction_above_the_debt_refunds_the_surplus(client: TestClient, database):
    today = today_jakarta()
    disbursed_on = today - timedelta(days=120)
    number = repossessed_contract(client, database, disbursed_on, working_day(today))
    url = f"/v1/contracts/{number}/repossession"
    appraise(client, url, 18_000_000, today)
    cost = {"amount": 1_000_000, "incurred_on": today.isoformat(), "reason": "Auction fee"}
    assert client.post(f"{url}/costs", headers=FINANCE, json=cost).status_code == 201
    rows = schedule(client, number)
    rate, cap = terms(database, number)
    principal, interest, late = debt_by_hand(rows, disbursed_on, today, rate, cap)
    proceeds = 20_000_000
    surplus = proceeds - 1_000_000 - (principal + interest + late)
    assert surplus > 0
    sold = client.post(f"{url}/sale", headers=FINANCE, json={
        "sold_on": today.isoformat(), "buyer": "Pembeli", "proceeds": proceeds})  # fmt: skip
    assert sold.status_code == 200, sold.text
    body = sold.json()
    assert (body["to_debt"], body["surplus"], body["shortfall"]) == (
        principal + interest + late, surplus, 0)  # fmt: skip
    assert body["contract_state"] == "PAID_OFF"
    ledger = client.get(f"/v1/contracts/{number}/ledger", headers=FINANCE).json()
    refund = [e for e in ledger["items"] if e["kind"] == "refund"]
    assert [e["amount"] for e in refund] == [surplus]
    assert ledger["balance"]["credit"] == 0
    assert ledger["balance"]["settlement_quote"] == 0
    # No shortfall to decide.
    decided = client.post(f"{url}/shortfall", headers=APPROVER,
                          json={"decision": "keep", "reason": "n/a"})  # fmt: skip
    assert decided.status_code == 409


def test_a_kept_shortfall_is_still_owed_and_paying_it_pays_the_contract_off(client, database):
    today = today_jakarta()
    disbursed_on = today - timedelta(days=100)
    number = repossessed_contract(client, database, disbursed_on, working_day(today))
    url = f"/v1/contracts/{number}/repossession"
    appraise(client, url, 10_000_000, today)
    rows = schedule(client, number)
    rate, cap = terms(database, number)
    principal, interest, late = debt_by_hand(rows, disbursed_on, today, rate, cap)
    sale = {"sold_on": today.isoformat(), "buyer": "Pembeli", "proceeds": 10_000_000}
    sold = client.post(f"{url}/sale", headers=FINANCE, json=sale).json()
    shortfall = principal + interest + late - 10_000_000
    assert sold["shortfall"] == shortfall
    kept = client.post(f"{url}/shortfall", headers=APPROVER,
                       json={"decision": "keep", "reason": "Debtor will pay"})  # fmt: skip
    assert kept.status_code == 200, kept.text
    assert kept.json()["contract_state"] == "REPOSSESSED"
    paid = client.post("/v1/payments", headers=FINANCE, json={
        "contract_number": number, "amount": shortfall, "paid_on": today.isoformat(),
        "reference": "SHORTFALL"})  # fmt: skip
    assert paid.status_code == 201, paid.text
    assert paid.json()["contract_state"] == "PAID_OFF"
