"""Collateral deadlines: the fiduciary guarantee registered within 30 days of disbursement,
the BPKB received from the dealer within a setting's days; the work list of what is late, and
the close of business marking each from the first day it is found late."""

from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.collection.models import CloseOfBusiness
from app.core.clock import today_jakarta
from app.servicing.models import Collateral
from tests.conftest import ADMIN, CS, DEALER, FINANCE, auth
from tests.test_collection import COLLECTOR, active_contract, close_in_steps

URL = "/v1/collateral/overdue"


def register(client: TestClient, number: str, on: date) -> None:
    done = client.patch(
        f"/v1/contracts/{number}/collateral",
        headers=FINANCE,
        json={
            "fiduciary_certificate": f"W10.{number[-6:]}.AH",
            "fiduciary_registered_on": on.isoformat(),
        },
    )
    assert done.status_code == 200, done.text


def test_the_work_list_and_the_close_marking_what_is_late(client: TestClient, database):
    today = today_jakarta()
    # Disbursed 100, 40 and 20 days ago.
    old, late, fresh = (today - timedelta(days=d) for d in (100, 40, 20))
    a = active_contract(client, database, old)
    b = active_contract(client, database, late)
    c = active_contract(client, database, fresh)
    register(client, a, old + timedelta(days=12))  # A registered in time; its BPKB is late

    listed = client.get(URL, headers=FINANCE)
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert body["bpkb_due_days"] == 90
    items = [
        (i["contract_number"], i["what"], i["due_on"], i["days_overdue"]) for i in body["items"]
    ]
    # Worked by hand: B's registration was due 30 days after disbursement (10 days ago); A's
    # BPKB 90 days after (10 days ago). C is within both; A's registration was made.
    assert sorted(items) == sorted(
        [
            (b, "fiduciary", (late + timedelta(days=30)).isoformat(), 10),
            (a, "bpkb", (old + timedelta(days=90)).isoformat(), 10),
        ]
    )
    assert all(i["flagged_on"] is None for i in body["items"])  # no close has run yet
    assert all(i["dealer_code"] == "D-JKT-001" and i["chase"] for i in body["items"])
    only_bpkb = client.get(URL, params={"what": "bpkb"}, headers=FINANCE).json()["items"]
    assert [i["contract_number"] for i in only_bpkb] == [a]
    # As of an earlier day, nothing was late yet.
    earlier = (late + timedelta(days=30)).isoformat()
    assert client.get(URL, params={"on": earlier}, headers=FINANCE).json()["items"] == []
    assert c not in {i["contract_number"] for i in body["items"]}

    with database.transaction() as session:
        close_in_steps(session, old, today)
    with database.sessions() as session:
        marks = dict(
            session.execute(
                select(Collateral.contract_id, Collateral.fiduciary_overdue_since).where(
                    Collateral.fiduciary_overdue_since.is_not(None)
                )
            ).all()
        )
        bpkb_marks = list(
            session.scalars(select(Collateral.bpkb_overdue_since).where(
                Collateral.bpkb_overdue_since.is_not(None)))
        )  # fmt: skip
        flagged = session.scalar(select(func.sum(CloseOfBusiness.collateral_flagged)))
    # Each found on the first day past its deadline, once.
    assert list(marks.values()) == [late + timedelta(days=31)]
    assert bpkb_marks == [old + timedelta(days=91)]
    assert flagged == 2
    body = client.get(URL, headers=FINANCE).json()
    flagged_on = {(i["contract_number"], i["what"]): i["flagged_on"] for i in body["items"]}
    assert flagged_on == {
        (b, "fiduciary"): (late + timedelta(days=31)).isoformat(),
        (a, "bpkb"): (old + timedelta(days=91)).isoformat(),
    }

    # Registered late: off the list, the mark kept as the record that it was late.
    register(client, b, today)
    held = client.patch(
        f"/v1/contracts/{a}/collateral",
        headers=FINANCE,
        json={"bpkb_status": "held", "bpkb_number": "P-7654321"},
    )
    assert held.status_code == 200, held.text
    assert client.get(URL, headers=FINANCE).json()["items"] == []
    with database.sessions() as session:
        assert (
            session.scalar(
                select(func.count()).where(Collateral.fiduciary_overdue_since.is_not(None))
            )
            == 1
        )


def test_who_reads_the_work_list(client: TestClient, database):
    number = active_contract(client, database, today_jakarta() - timedelta(days=45))
    for headers in (COLLECTOR, CS, DEALER, auth("ca.rina"), auth("integration.ledger")):
        assert client.get(URL, headers=headers).status_code == 403
    everyone = client.get(URL, headers=ADMIN).json()["items"]
    assert [i["contract_number"] for i in everyone] == [number]
    wrong = client.get(URL, params={"what": "stnk"}, headers=FINANCE)
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "query.what"


def test_the_bpkb_deadline_is_a_setting(client: TestClient, database, monkeypatch):
    from app.core.settings import Settings
    from app.main import create_app
    from tests.conftest import DATABASE_URL, DOCUMENT_DIR

    number = active_contract(client, database, today_jakarta() - timedelta(days=45))
    strict = create_app(
        Settings(database_url=DATABASE_URL, env="test", log_level="WARNING",
                 document_dir=DOCUMENT_DIR, bpkb_due_days=30)
    )  # fmt: skip
    with TestClient(strict, raise_server_exceptions=False) as other:
        items = other.get(URL, params={"what": "bpkb"}, headers=FINANCE).json()["items"]
    assert [(i["contract_number"], i["days_overdue"]) for i in items] == [(number, 15)]
