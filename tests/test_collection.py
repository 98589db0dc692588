"""Collection through the API: a contract paid on time, then not; its days past due, bucket
and Kol move with each close of business; the negative list learns; a back-dated payment
brings it back."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.core.clock import today_jakarta
from app.servicing.ledger import add_months
from tests.conftest import ADMIN, ANALYST, CS, DEALER, FINANCE, auth, force_state, submit
from tests.test_transitions import purchase_order

COLLECTOR = auth("collector.joko")


def active_contract(client: TestClient, database, disbursed_on: date) -> str:
    number = submit(client, applicant={"marital_status": "single", "spouse": None})
    force_state(database, number, "SURVEYED")
    screened = client.post(f"/v1/contracts/{number}/prescreening", headers=ANALYST)
    assert screened.status_code == 200, screened.text
    force_state(database, number, "DELIVERED")
    purchase_order(database, number)
    paid = client.post(
        f"/v1/contracts/{number}/disbursement",
        headers=FINANCE,
        json={
            "amount": 14_000_000,
            "reference": "TRF-LIFE",
            "disbursed_on": disbursed_on.isoformat(),
        },
    )
    assert paid.status_code == 200, paid.text
    return number


def pay(client: TestClient, number: str, amount: int, on: date, ref: str) -> dict[str, Any]:
    response = client.post(
        "/v1/payments",
        headers=FINANCE,
        json={
            "contract_number": number,
            "amount": amount,
            "paid_on": on.isoformat(),
            "reference": ref,
        },
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def close_in_steps(session: Any, first: date, last: date) -> None:
    """Close every day from ``first`` to ``last``, a quarter at most per call."""
    from app.collection.cob import close_through

    day = first
    close_through(session, day)
    while day < last:
        day = min(day + timedelta(days=90), last)
        close_through(session, day)


def close(client: TestClient, day: date) -> None:
    response = client.post(
        "/v1/collection/close-of-business", headers=ADMIN, json={"business_date": day.isoformat()}
    )
    assert response.status_code == 200, response.text


def test_a_contract_through_collection(client: TestClient, database):
    start = today_jakarta() - timedelta(days=200)
    number = active_contract(client, database, start)
    schedule = client.get(f"/v1/contracts/{number}/installments", headers=COLLECTOR).json()
    installment = schedule["items"][0]["amount"]
    for n in range(3):  # three months on time
        pay(client, number, installment, add_months(start, n + 1), f"VA-{n}")
    fourth = add_months(start, 4)
    history: dict[int, tuple[int, str, int]] = {}
    for offset in range(-1, 62):
        day = fourth + timedelta(days=offset)
        close(client, day)
        last = client.get(f"/v1/contracts/{number}/positions", headers=COLLECTOR).json()
        position = last["items"][-1]
        assert position["business_date"] == day.isoformat()
        history[offset] = (position["days_past_due"], position["bucket"], position["kol"])
    assert history[-1] == (0, "current", 1)
    assert history[0] == (0, "current", 1)
    assert history[1] == (1, "1-29", 2)
    assert history[29] == (29, "1-29", 2)
    assert history[30] == (30, "30-59", 2)
    assert history[60] == (60, "60-89", 2)
    assert history[61] == (61, "60-89", 2)

    # Past 60 days the debtor is on the negative list, and his next application stops.
    listed = client.get("/v1/negative-list?category=overdue_60", headers=ADMIN).json()["items"]
    assert [e["full_name"] for e in listed] == ["Siti Rahmawati"]
    again = submit(client, applicant={"marital_status": "single", "spouse": None})
    force_state(database, again, "SURVEYED")
    screened = client.post(f"/v1/contracts/{again}/prescreening", headers=ANALYST).json()
    assert screened["contract_state"] == "REJECTED"
    assert screened["stops"][0]["category"] == "overdue_60"

    # A payment dated 5 days after the fourth fell due, entered late, covers three months:
    # the days closed since are recomputed, and the history shows the short arrears only.
    pay(client, number, 3 * installment, fourth + timedelta(days=5), "VA-LATE")
    positions = client.get(f"/v1/contracts/{number}/positions", headers=COLLECTOR).json()
    by_day = {p["business_date"]: p["days_past_due"] for p in positions["items"]}
    assert by_day[(fourth + timedelta(days=4)).isoformat()] == 4
    assert by_day[(fourth + timedelta(days=5)).isoformat()] == 0
    assert by_day[(fourth + timedelta(days=61)).isoformat()] == 0
    view = client.get(f"/v1/contracts/{number}/installments", headers=CS).json()["items"]
    assert [i["days_late"] for i in view[:4]] == [0, 0, 0, 5]
    assert view[3]["late_charge_paid"] > 0
    assert client.get(f"/v1/contracts/{number}/installments", headers=DEALER).status_code == 403


def test_closing_a_day_twice_changes_nothing_and_missed_days_close_in_order(client, database):
    start = today_jakarta() - timedelta(days=60)
    active_contract(client, database, start)
    day = start + timedelta(days=10)
    close(client, day)
    again = client.post(
        "/v1/collection/close-of-business", headers=ADMIN, json={"business_date": day.isoformat()}
    ).json()
    assert again["days"] == []
    caught_up = client.post(
        "/v1/collection/close-of-business",
        headers=ADMIN,
        json={"business_date": (day + timedelta(days=3)).isoformat()},
    ).json()["days"]
    assert [d["business_date"] for d in caught_up] == [
        (day + timedelta(days=n)).isoformat() for n in (1, 2, 3)
    ]
    assert [d["contracts"] for d in caught_up] == [1, 1, 1]  # the one active contract


def test_a_disbursement_dated_on_a_closed_day_has_its_positions_from_that_day(client, database):
    """The close looks only at contracts whose standing can change: a contract disbursed on a
    day already closed is recorded from its disbursement, not from its first due date."""
    start = today_jakarta() - timedelta(days=20)
    active_contract(client, database, start)
    close(client, start + timedelta(days=5))
    close(client, start + timedelta(days=12))
    late = active_contract(client, database, start + timedelta(days=3))
    close(client, start + timedelta(days=14))
    days = [
        p["business_date"]
        for p in client.get(f"/v1/contracts/{late}/positions", headers=COLLECTOR).json()["items"]
    ]
    assert days == [(start + timedelta(days=n)).isoformat() for n in range(5, 15)]


def test_no_day_is_skipped(client, database):
    """Closing a day whose day before is not closed (the first close aside) is refused: the
    days between would stay unclosed for good."""
    from app.collection.cob import close_business_day
    from app.collection.models import CloseOfBusiness
    from app.core.errors import Unprocessable

    start = today_jakarta() - timedelta(days=40)
    active_contract(client, database, start)
    first = start + timedelta(days=5)
    with database.transaction() as session:
        close_business_day(session, first)
        with pytest.raises(Unprocessable) as refused:
            close_business_day(session, first + timedelta(days=22))
        assert [e.rule for e in refused.value.errors or []] == ["day_skipped"]
        with pytest.raises(Unprocessable):
            close_business_day(session, first - timedelta(days=1))
        close_business_day(session, first + timedelta(days=1))
        assert session.query(CloseOfBusiness).count() == 2


def test_three_bounced_payments_list_the_debtor(client: TestClient, database):
    start = today_jakarta() - timedelta(days=100)
    number = active_contract(client, database, start)
    for n in range(3):
        payment = pay(client, number, 100_000, start + timedelta(days=n + 1), f"CHQ-{n}")
        reversed_ = client.post(
            f"/v1/payments/{payment['id']}/reversal", headers=FINANCE, json={"reason": "bounced"}
        )
        assert reversed_.json()["reversed"] is True
    listed = client.get("/v1/negative-list?category=bounced_cheques", headers=ADMIN).json()
    assert len(listed["items"]) == 1
    twice = client.post(
        f"/v1/payments/{payment['id']}/reversal", headers=FINANCE, json={"reason": "bounced"}
    )
    assert twice.status_code == 409


def test_payments_only_on_active_contracts_and_never_in_the_future(client, database):
    number = submit(client)
    refused = client.post(
        "/v1/payments",
        headers=FINANCE,
        json={
            "contract_number": number,
            "amount": 100_000,
            "paid_on": today_jakarta().isoformat(),
            "reference": "X-1",
        },
    )
    assert refused.status_code == 409
    active = active_contract(client, database, today_jakarta() - timedelta(days=10))
    future = client.post(
        "/v1/payments",
        headers=FINANCE,
        json={
            "contract_number": active,
            "amount": 100_000,
            "paid_on": (today_jakarta() + timedelta(days=1)).isoformat(),
            "reference": "X-2",
        },
    )
    assert future.status_code == 422
    assert (
        client.post(
            "/v1/payments",
            headers=DEALER,
            json={
                "contract_number": active,
                "amount": 1,
                "paid_on": "2026-01-01",
                "reference": "X-3",
            },
        ).status_code
        == 403
    )


def test_written_off_at_180_days_past_due(client: TestClient, database):
    start = today_jakarta() - timedelta(days=250)
    number = active_contract(client, database, start)
    first_due = add_months(start, 1)
    close(client, first_due + timedelta(days=179))
    assert client.get(f"/v1/contracts/{number}", headers=CS).json()["state"] == "ACTIVE"
    close(client, first_due + timedelta(days=180))
    assert client.get(f"/v1/contracts/{number}", headers=CS).json()["state"] == "WRITTEN_OFF"
    last = client.get(f"/v1/contracts/{number}/events", headers=CS).json()[-1]
    assert (last["action"], last["from_state"], last["actor_role"]) == (
        "write_off",
        "ACTIVE",
        "system",
    )
    feed = client.get("/v1/events?limit=1000", headers=ADMIN).json()["items"]
    assert feed[-1]["action"] == "write_off"


def test_the_portfolio_report(client: TestClient, database):
    from app.collection.report import month_end, previous

    today = today_jakarta()
    start = date(today.year, today.month, 1) - timedelta(days=250)
    good, bad = (active_contract(client, database, start) for _ in range(2))
    installment = client.get(f"/v1/contracts/{good}/installments", headers=COLLECTOR).json()[
        "items"
    ][0]["amount"]
    for n in range(1, 8):
        pay(client, good, installment, add_months(start, n), f"GOOD-{n}")
    with database.transaction() as session:
        close_in_steps(session, start, today - timedelta(days=1))
    assert client.get(f"/v1/contracts/{bad}", headers=CS).json()["state"] == "WRITTEN_OFF"
    pay(client, bad, 1_000_000, today, "RECOVERY-1")  # after write-off: a recovery

    written = add_months(start, 1) + timedelta(days=180)
    year, month = written.year, written.month
    assert month_end(year, month) < today
    report = client.get(f"/v1/reports/portfolio?month={year:04d}-{month:02d}", headers=COLLECTOR)
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["write_off_mtd"]["accounts"] == 1
    assert body["enr"]["accounts"] == 1  # the good contract, current
    assert body["buckets"]["current"]["accounts"] == 1
    # The same debtor holds both contracts: the written-off one, still owed, is Kol-5 (macet)
    # and is his worst (it was Kol-4 at 180 days and then vanished from the Kol table).
    assert body["debtor_kol"] == {"kol_5": 1}
    if written < month_end(year, month):
        assert body["kol"]["kol_5"] == {"accounts": 1, "amount": body["write_off_mtd"]["amount"]}
        assert body["npf"]["amount"] >= body["write_off_mtd"]["amount"]
    before = client.get(
        "/v1/reports/portfolio?month={:04d}-{:02d}".format(*previous(year, month)),
        headers=COLLECTOR,
    ).json()
    flowed = Decimal(body["write_off_mtd"]["amount"]) * 100 / before["buckets"]["150-179"]["amount"]
    assert Decimal(body["net_flow_rates"]["write_off"]) == flowed.quantize(Decimal("0.01"))
    assert body["roll_rates"]["150-179"] == {"closed": before["buckets"]["150-179"]["amount"]}
    csv_text = client.get(
        f"/v1/reports/portfolio?month={year:04d}-{month:02d}&format=csv", headers=COLLECTOR
    )
    assert csv_text.headers["content-type"].startswith("text/csv")
    assert csv_text.text.splitlines()[0] == "section,item,accounts,amount_or_rate"
    later = client.get(
        f"/v1/reports/portfolio?month={today.year:04d}-{today.month:02d}", headers=COLLECTOR
    )
    assert later.status_code == 409  # this month has not ended
    assert client.get("/v1/reports/portfolio?month=2026-13", headers=ADMIN).status_code == 422
    assert client.get("/v1/reports/portfolio?month=2026-10", headers=CS).status_code == 403


def test_write_off_and_recovery_figures_of_the_month(client: TestClient, database):
    from app.collection.report import figures

    today = today_jakarta()
    start = today - timedelta(days=260)
    number = active_contract(client, database, start)
    with database.transaction() as session:
        close_in_steps(session, start, today - timedelta(days=1))
    pay(client, number, 2_000_000, today, "REC-1")
    day = add_months(start, 1) + timedelta(days=180)
    with database.sessions() as session:
        month = figures(session, day.year, day.month)
        year = figures(session, today.year, today.month)
    assert month.write_off_mtd.accounts == 1
    assert month.write_off_mtd.amount > 0
    assert year.recovery_ytd == 2_000_000


def test_collection_actions_keep_to_the_ojk_rules(client: TestClient, database):
    from app.servicing.models import Collateral

    start = today_jakarta() - timedelta(days=120)
    number = active_contract(client, database, start)
    url = f"/v1/contracts/{number}/collection-actions"

    def act(at: str, **changes: Any):
        body = {
            "kind": "desk_call",
            "performed_at": at,
            "place": "billing_address",
            "person": "debtor",
            "result": "contacted",
        } | changes
        return client.post(url, json=body, headers=COLLECTOR)

    for at, rule in (
        ("2026-11-23T21:00:00+07:00", "ojk_hours"),
        ("2026-11-22T10:00:00+07:00", "ojk_sunday"),
        ("2026-08-17T10:00:00+07:00", "ojk_holiday"),
    ):
        refused = act(at)
        assert refused.status_code == 422, at
        assert refused.json()["errors"][0]["rule"] == rule
        assert "POJK 22/2023" in refused.json()["errors"][0]["message"]
    assert (
        act("2026-11-23T10:00:00+07:00", person="third_party").json()["errors"][0]["rule"]
        == "ojk_third_party"
    )
    assert act("2026-11-23T10:00:00+07:00", place="other").status_code == 422
    client.post(
        f"/v1/contracts/{number}/collection-consent",
        headers=COLLECTOR,
        json={"place": "Kantor debitur, Jl. Sudirman 1"},
    )
    assert act("2026-11-23T10:00:00+07:00", place="other").status_code == 201

    # Warning letters are numbered and state what OJK requires.
    first = act("2026-11-23T09:00:00+07:00", kind="warning_letter", result="sent").json()
    second = act("2026-11-23T11:00:00+07:00", kind="warning_letter", result="sent").json()
    assert first["letter_number"].startswith("SP1-JKT01-")
    assert second["letter"]["level"] == "SP2"
    assert set(first["letter"]) >= {
        "due_date",
        "days_late",
        "outstanding_principal",
        "interest_due",
        "fines",
    }

    # Repossession: refused without a registered fiduciary certificate or without default.
    early = start + timedelta(days=20)  # before the first installment falls due
    early += timedelta(days=1 if early.weekday() == 6 else 0)
    grab = act(
        f"{early.isoformat()}T10:00:00+07:00",
        kind="repossession",
        result="handed_over",
        voluntary_handover=True,
    )
    rules = {e["rule"] for e in grab.json()["errors"]}
    assert {"fiduciary_not_registered", "no_default"} <= rules
    with database.transaction() as session:
        session.query(Collateral).update({"fiduciary_registered_on": start})
    close(client, add_months(start, 1) + timedelta(days=10))
    grab = act(
        "2026-11-23T10:00:00+07:00",
        kind="repossession",
        result="handed_over",
        voluntary_handover=True,
    )
    assert grab.status_code == 201, grab.text
    listed = client.get("/v1/negative-list?category=repossessed", headers=ADMIN).json()["items"]
    assert len(listed) == 1


def test_broken_promises_and_the_work_list(client: TestClient, database):
    start = today_jakarta() - timedelta(days=100)
    small, large = (active_contract(client, database, start) for _ in range(2))
    due = add_months(start, 1)
    promise = {
        "kind": "desk_call",
        "performed_at": f"{due + timedelta(days=3)}T10:00:00+07:00",
        "place": "billing_address",
        "person": "debtor",
        "result": "promise_to_pay",
        "promise_date": (due + timedelta(days=6)).isoformat(),
        "promise_amount": 500_000,
    }
    made = client.post(f"/v1/contracts/{small}/collection-actions", json=promise, headers=COLLECTOR)
    assert made.status_code == 201, made.text
    with database.transaction() as session:
        from app.collection.cob import close_through

        close_through(session, due + timedelta(days=5))
        close_through(session, due + timedelta(days=8))
    accounts = client.get("/v1/collection/accounts", headers=COLLECTOR).json()["items"]
    assert {a["contract_number"] for a in accounts} == {small, large}
    broken = {a["contract_number"]: a["broken_promises"] for a in accounts}
    assert broken == {small: 1, large: 0}
    assert accounts[0]["strategy"].startswith("reminder call")
    assert client.get("/v1/collection/accounts", headers=CS).status_code == 403


def test_a_future_day_cannot_be_closed(client: TestClient):
    tomorrow = (today_jakarta() + timedelta(days=1)).isoformat()
    refused = client.post(
        "/v1/collection/close-of-business", headers=ADMIN, json={"business_date": tomorrow}
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["rule"] == "future_date"


def test_catching_up_is_a_quarter_at_a_time(client: TestClient, database):
    start = today_jakarta() - timedelta(days=200)
    active_contract(client, database, start)
    close(client, start)
    too_far = client.post(
        "/v1/collection/close-of-business",
        headers=ADMIN,
        json={"business_date": (start + timedelta(days=120)).isoformat()},
    )
    assert too_far.status_code == 422
    assert too_far.json()["errors"][0]["rule"] == "catch_up_too_long"


def test_a_mistyped_first_date_cannot_jam_the_close_of_business(client: TestClient, database):
    """Before: on a fresh database 0001-01-01 was closed, and every later close was then
    refused as a catch-up of more than a quarter, for good."""
    for typo, rules in (
        ("0001-01-01", {"date_range", "before_first_disbursement"}),
        ((today_jakarta() - timedelta(days=93)).isoformat(), {"before_first_disbursement"}),
    ):
        refused = client.post(
            "/v1/collection/close-of-business", headers=ADMIN, json={"business_date": typo}
        )
        assert refused.status_code == 422, refused.text
        [error] = refused.json()["errors"]
        assert (error["field"], error["rule"] in rules) == ("business_date", True)
    disbursed = today_jakarta() - timedelta(days=40)
    active_contract(client, database, disbursed)
    before = client.post(
        "/v1/collection/close-of-business",
        headers=ADMIN,
        json={"business_date": (disbursed - timedelta(days=1)).isoformat()},
    )
    assert before.json()["errors"][0]["rule"] == "before_first_disbursement"
    close(client, disbursed)
    close(client, today_jakarta())  # the catch-up from the first close goes through


def test_the_kol_bands_and_the_write_off_threshold_are_settings(client, database, monkeypatch):
    import pydantic

    from app.collection.cob import close_through
    from app.collection.positions import policy
    from app.core.settings import Settings, get_settings

    monkeypatch.setenv("KREDO_KOL_UPPER_DAYS", "[0, 30, 60, 90]")  # an older, stricter rule
    monkeypatch.setenv("KREDO_WRITE_OFF_DAYS", "45")
    get_settings.cache_clear()
    try:
        assert policy().kol_bands == ((1, 0), (2, 30), (3, 60), (4, 90), (5, None))
        start = today_jakarta() - timedelta(days=80)
        number = active_contract(client, database, start)
        with database.transaction() as session:
            close_through(session, add_months(start, 1) + timedelta(days=40))
        positions = client.get(f"/v1/contracts/{number}/positions", headers=COLLECTOR).json()
        last = positions["items"][-1]
        assert (last["days_past_due"], last["bucket"], last["kol"]) == (40, "30-59", 3)  # OJK: 2
        with database.transaction() as session:
            close_through(session, add_months(start, 1) + timedelta(days=45))
        assert client.get(f"/v1/contracts/{number}", headers=CS).json()["state"] == "WRITTEN_OFF"
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    with pytest.raises(pydantic.ValidationError):
        Settings(kol_upper_days=(0, 90, 90, 180))
