"""The holiday calendar: Indonesia's national holidays of every year from the ``holidays``
package (names in Indonesian), which head office adjusts: a day added (cuti bersama, a date
moved by the year's joint decree) or a national holiday taken off. Collection contact follows
the adjusted calendar."""

from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient

from app.core.clock import today_jakarta
from tests.conftest import ADMIN, COLLECTOR, CS
from tests.test_collection import active_contract


def _days(client: TestClient, year: int) -> dict[str, dict[str, Any]]:
    listed = client.get(f"/v1/holidays?year={year}", headers=COLLECTOR)
    assert listed.status_code == 200, listed.text
    return {h["day"]: h for h in listed.json()["items"]}


def test_every_year_has_its_national_holidays_in_indonesian(client: TestClient):
    for year in (2026, 2031, 2045):
        days = _days(client, year)
        assert days[f"{year}-08-17"] == {
            "day": f"{year}-08-17",
            "name": "Hari Kemerdekaan Republik Indonesia",
            "source": "national",
        }
        assert f"{year}-12-25" in days
        assert f"{year}-01-01" in days
        assert len(days) >= 14  # Idul Fitri, Idul Adha, Nyepi, Waisak... fall on other days
    assert "2026-03-21" in _days(client, 2026)  # Idul Fitri 1447 H


def test_head_office_adds_a_joint_holiday_and_takes_a_national_one_off(client: TestClient):
    added = client.put(
        "/v1/holidays", json={"day": "2031-12-26", "name": "Cuti Bersama Natal"}, headers=ADMIN
    )
    assert added.status_code == 200, added.text
    removed = client.delete("/v1/holidays/2031-08-17", headers=ADMIN)
    assert removed.status_code == 204, removed.text
    days = _days(client, 2031)
    assert days["2031-12-26"] == {
        "day": "2031-12-26",
        "name": "Cuti Bersama Natal",
        "source": "head_office",
    }
    assert "2031-08-17" not in days
    # Taking off the added day deletes it; a day that is no holiday is 404.
    assert client.delete("/v1/holidays/2031-12-26", headers=ADMIN).status_code == 204
    assert "2031-12-26" not in _days(client, 2031)
    assert client.delete("/v1/holidays/2031-12-26", headers=ADMIN).status_code == 404
    # Putting a national holiday back.
    back = client.put(
        "/v1/holidays",
        json={"day": "2031-08-17", "name": "Hari Kemerdekaan Republik Indonesia"},
        headers=ADMIN,
    )
    assert back.status_code == 200, back.text
    assert _days(client, 2031)["2031-08-17"]["source"] == "national"
    assert client.delete("/v1/holidays/2031-08-17", headers=CS).status_code == 403


def test_collection_contact_follows_the_adjusted_calendar(client: TestClient, database):
    today = today_jakarta()
    listed = {**_days(client, today.year - 1), **_days(client, today.year)}
    holidays = sorted(
        date.fromisoformat(d) for d in listed if date.fromisoformat(d) < today - timedelta(days=1)
    )
    national = next(d for d in reversed(holidays) if d.weekday() != 6)  # the last on a weekday
    ordinary = next(
        d
        for d in (national - timedelta(days=n) for n in range(1, 10))
        if d.weekday() != 6 and d not in holidays
    )
    number = active_contract(client, database, ordinary - timedelta(days=5))
    url = f"/v1/contracts/{number}/collection-actions"

    def call(day: date) -> Any:
        return client.post(
            url,
            headers=COLLECTOR,
            json={
                "kind": "desk_call",
                "performed_at": f"{day.isoformat()}T10:00:00+07:00",
                "place": "billing_address",
                "person": "debtor",
                "result": "no_answer",
            },
        )

    assert call(national).json()["errors"][0]["rule"] == "ojk_holiday"
    added = {"day": ordinary.isoformat(), "name": "Cuti Bersama"}
    assert client.put("/v1/holidays", json=added, headers=ADMIN).status_code == 200
    assert call(ordinary).json()["errors"][0]["rule"] == "ojk_holiday"
    assert client.delete(f"/v1/holidays/{national.isoformat()}", headers=ADMIN).status_code == 204
    assert call(national).status_code == 201
