"""Submitting, reading and listing contracts: numbers, scope, masking, pagination, ETags."""

from fastapi.testclient import TestClient

from app.core.clock import today_jakarta
from tests.conftest import (
    ADMIN,
    ANALYST,
    AUDITOR,
    CS,
    DEALER,
    FINANCE,
    SALESMAN,
    SURVEYOR,
    application,
    auth,
    row_counts,
    submit,
)

YEAR = today_jakarta().year


def test_submission_numbers_per_branch_year_and_product(client: TestClient):
    first = submit(client)
    second = submit(client, headers=SALESMAN)
    avanza = {"brand": "Toyota", "model": "Avanza", "otr_price": 250_000_000}
    car = submit(client, headers=CS, product_code="CAR", vehicle=avanza)
    assert first == f"JKT01-{YEAR}-MC-000001"
    assert second == f"JKT01-{YEAR}-MC-000002"
    assert car == f"JKT01-{YEAR}-CAR-000001"


def test_submission_returns_the_contract_with_location_and_etag(client: TestClient):
    response = client.post("/v1/contracts", json=application(), headers=CS)
    body = response.json()
    assert response.headers["location"] == f"/v1/contracts/{body['number']}"
    assert response.headers["etag"] == f'W/"{body["number"]}-v1"'
    assert body["state"] == "SUBMITTED"
    assert body["branch_code"] == "JKT01"
    assert body["submitted_by"] == "cs.dewi"
    applicant = body["application"]["applicant"]
    assert applicant["phones"] == [{"kind": "mobile", "number": "+6281234567890"}]
    assert applicant["nik"] == "3171015708900001"


def test_dealer_sees_personal_data_masked(client: TestClient):
    number = submit(client)
    applicant = client.get(f"/v1/contracts/{number}", headers=DEALER).json()["application"][
        "applicant"
    ]
    assert applicant["nik"] == "3171********0001"
    assert applicant["mother_maiden_name"] == "***"
    assert applicant["address"]["street"] == "***"
    assert applicant["address"]["kelurahan"] == "***"
    assert applicant["address"]["city"] == "Jakarta Pusat"
    assert applicant["phones"][0]["number"] == "+62812*****890"
    assert applicant["spouse"]["nik"] == "3171********0002"
    assert applicant["spouse"]["mother_maiden_name"] == "***"
    assert applicant["full_name"] == "Siti Rahmawati"
    finance = client.get(f"/v1/contracts/{number}", headers=FINANCE).json()
    assert finance["application"]["applicant"]["nik"] == "3171********0001"
    analyst = client.get(f"/v1/contracts/{number}", headers=ANALYST).json()
    assert analyst["application"]["applicant"]["nik"] == "3171015708900001"


def test_scope_dealer_salesman_branch_and_head_office(client: TestClient):
    mine = submit(client)  # dealer.sinar, dealer D-JKT-001
    other_dealer = submit(client, headers=SALESMAN, dealer_code="D-JKT-002")
    bandung_cs = client.post(
        "/v1/users",
        json={
            "username": "cs.bdg",
            "full_name": "CS Bandung",
            "role": "customer_service",
            "branch_code": "BDG01",
        },
        headers=ADMIN,
    ).json()["api_key"]
    bandung = {"Authorization": f"Bearer {bandung_cs}"}

    assert client.get(f"/v1/contracts/{mine}", headers=DEALER).status_code == 200
    assert client.get(f"/v1/contracts/{other_dealer}", headers=DEALER).status_code == 404
    assert client.get(f"/v1/contracts/{mine}", headers=SALESMAN).status_code == 404
    assert client.get(f"/v1/contracts/{other_dealer}", headers=SALESMAN).status_code == 200
    assert client.get(f"/v1/contracts/{mine}", headers=bandung).status_code == 404
    assert client.get(f"/v1/contracts/{mine}", headers=AUDITOR).status_code == 200  # head office
    assert client.get(f"/v1/contracts/{mine}", headers=SURVEYOR).status_code == 403

    def numbers(headers: dict[str, str]) -> set[str]:
        return {c["number"] for c in client.get("/v1/contracts", headers=headers).json()["items"]}

    assert numbers(DEALER) == {mine}
    assert numbers(SALESMAN) == {other_dealer}
    assert numbers(CS) == {mine, other_dealer}
    assert numbers(bandung) == set()
    events = client.get(f"/v1/contracts/{mine}/events", headers=bandung)
    assert events.status_code == 404


def test_dealer_submits_only_for_itself(client: TestClient, database):
    before = row_counts(database)
    response = client.post(
        "/v1/contracts", json=application(dealer_code="D-JKT-002"), headers=DEALER
    )
    assert response.status_code == 403
    assert row_counts(database) == before


def test_submission_rules_reported_together_and_nothing_written(client: TestClient, database):
    before = row_counts(database)
    body = application(
        dealer_code="D-BDG-001",
        down_payment=20_000_000,
        applicant={
            "nik": "3171011708900001",
            "address": {"postal_code": "40111"},
            "phones": [{"kind": "mobile", "number": "12345678"}],
        },
    )
    response = client.post("/v1/contracts", json=body, headers=CS)
    assert response.status_code == 422
    rules = {(e["field"], e["rule"]) for e in response.json()["errors"]}
    assert rules == {
        ("dealer_code", "other_branch"),
        ("down_payment", "below_otr"),
        ("applicant.nik", "nik_sex_mismatch"),
        ("applicant.address.postal_code", "form_category_mismatch"),
        ("applicant.phones[0].number", "phone"),
    }
    assert row_counts(database) == before


def test_list_filters_and_paginates_with_a_cursor(client: TestClient):
    numbers = [submit(client) for _ in range(5)]
    client.post(f"/v1/contracts/{numbers[0]}/cancellation", json={"reason": "gone"}, headers=CS)
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = client.get("/v1/contracts", params=params, headers=CS).json()
        seen += [c["number"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(numbers))
    cancelled = client.get("/v1/contracts?state=CANCELLED", headers=CS).json()["items"]
    assert [c["number"] for c in cancelled] == [numbers[0]]
    by_dealer = client.get("/v1/contracts?dealer=D-JKT-002", headers=CS).json()["items"]
    assert by_dealer == []
    bad = client.get("/v1/contracts?cursor=bogus", headers=CS)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "cursor"


def test_etag_and_if_none_match(client: TestClient):
    number = submit(client)
    first = client.get(f"/v1/contracts/{number}", headers=CS)
    etag = first.headers["etag"]
    again = client.get(f"/v1/contracts/{number}", headers={**CS, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    client.post(f"/v1/contracts/{number}/cancellation", json={"reason": "gone"}, headers=CS)
    changed = client.get(f"/v1/contracts/{number}", headers={**CS, "If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag


def test_inactive_dealer_cannot_submit(client: TestClient):
    client.patch("/v1/dealers/D-JKT-002", json={"active": False}, headers=ADMIN)
    response = client.post(
        "/v1/contracts", json=application(dealer_code="D-JKT-002"), headers=auth("sales.budi")
    )
    assert response.json()["errors"][0]["rule"] == "dealer_inactive"


def test_etag_matching_is_weak_and_takes_lists():
    from app.core.etags import etag_matches

    tag = 'W/"JKT01-2026-MC-000001-v3"'
    assert etag_matches(tag, tag)
    assert etag_matches('"JKT01-2026-MC-000001-v3"', tag)
    assert etag_matches(f'W/"other", {tag}', tag)
    assert etag_matches("*", tag)
    assert not etag_matches('W/"JKT01-2026-MC-000001-v2"', tag)
    assert not etag_matches(None, tag)
