"""Guarantors (*penjamin*) and co-applicants on the application: their identity checked like
the applicant's, pre-screened like the spouse (duplicate check and negative list), shown in
the explanation, and a guarantor on the bad list stops the application."""

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import ADMIN, ANALYST, CS, DEALER, application, row_counts, submit
from tests.test_prescreening import prescreen, surveyed

FATHER: dict[str, Any] = {
    "role": "guarantor",
    "nik": "3171011203600003",
    "full_name": "Bambang Sutrisno",
    "birth_place": "Solo",
    "birth_date": "1960-03-12",
    "sex": "male",
    "mother_maiden_name": "Sumarni",
    "relationship": "Orang tua",
    "phone": "0813-1111-2222",
    "monthly_income": 6_000_000,
}
SISTER: dict[str, Any] = {
    "role": "co_applicant",
    "nik": "3171015009950004",
    "full_name": "Rina Rahmawati",
    "birth_place": "Jakarta",
    "birth_date": "1995-09-10",
    "sex": "female",
    "mother_maiden_name": "Aminah",
}


def test_a_guarantor_on_the_fraud_list_stops_the_application(client: TestClient, database):
    fraud = {
        "subject": "person",
        "category": "fraud",
        "full_name": "Bambang Sutrisno",
        "nik": "3171011203600003",
        "birth_date": "1960-03-12",
        "birth_place": "Solo",
    }
    assert client.post("/v1/negative-list", json=fraud, headers=ADMIN).status_code == 201
    number = surveyed(client, database, guarantors=[FATHER, SISTER])
    result = prescreen(client, number)
    assert (result["outcome"], result["contract_state"]) == ("rejected", "REJECTED")
    assert [(s["party"], s["category"]) for s in result["stops"]] == [("guarantor", "fraud")]
    # The explanation shows every party, the guarantor's hit field by field.
    roles = [p["role"] for p in result["parties"]]
    assert roles == ["applicant", "spouse", "guarantor", "co_applicant"]
    (hit,) = result["parties"][2]["negative_hits"]
    fields = {f["field"]: f["agreement"] for f in hit["fields"]}
    assert fields["nik"] == fields["name"] == fields["birth_date"] == "exact"
    events = client.get(f"/v1/contracts/{number}/events", headers=CS).json()
    assert events[-1]["reason"] == "negative_list: fraud (guarantor)"


def test_guarantors_pass_and_are_known_customers_next_time(client: TestClient, database):
    first = prescreen(client, surveyed(client, database, guarantors=[FATHER]))
    assert first["outcome"] == "passed"
    assert first["parties"][-1]["role"] == "guarantor"
    assert first["parties"][-1]["repeat_order"] is False
    # The same father guarantees a second contract: the duplicate check finds him.
    second = prescreen(client, surveyed(client, database, guarantors=[FATHER]))
    guarantor = second["parties"][-1]
    assert guarantor["role"] == "guarantor"
    assert guarantor["repeat_order"] is True
    assert guarantor["customer_id"] not in (None, second["customer_id"])
    customer = client.get(f"/v1/customers/{guarantor['customer_id']}", headers=ANALYST).json()
    assert customer["full_name"] == "Bambang Sutrisno"


def test_a_rejected_order_guarantor_warns(client: TestClient, database):
    entry = {
        "subject": "person",
        "category": "rejected_order",
        "full_name": "Rina Rahmawati",
        "nik": "3171015009950004",
        "birth_date": "1995-09-10",
    }
    assert client.post("/v1/negative-list", json=entry, headers=ADMIN).status_code == 201
    result = prescreen(client, surveyed(client, database, guarantors=[SISTER]))
    assert result["outcome"] == "passed"
    assert [(w["kind"], w["party"]) for w in result["warnings"]] == [
        ("rejected_order", "co_applicant")
    ]


def test_a_guarantors_identity_is_checked_like_the_applicants(client: TestClient, database):
    before = row_counts(database)
    for person, field, rule in (
        (FATHER | {"birth_date": "1961-03-12"}, "guarantors[0].nik", "nik_birth_date_mismatch"),
        (FATHER | {"sex": "female"}, "guarantors[0].nik", "nik_sex_mismatch"),
        (FATHER | {"nik": "3171015708900001"}, "guarantors[0].nik", "duplicate_party"),
        (FATHER | {"nik": "3171012304880002", "birth_date": "1988-04-23"},
         "guarantors[0].nik", "duplicate_party"),  # the spouse
        (FATHER | {"birth_date": "2012-03-12", "nik": "3171011203120003"},
         "guarantors[0].birth_date", "age_range"),  # a minor has no KTP
        (FATHER | {"phone": "12345678"}, "guarantors[0].phone", "phone"),
    ):  # fmt: skip
        refused = client.post(
            "/v1/contracts", json=application(guarantors=[person]), headers=DEALER
        )
        assert refused.status_code == 422, (field, refused.text)
        found = {(e["field"], e["rule"]) for e in refused.json()["errors"]}
        assert (field, rule) in found, (found, field, rule)
    twice = client.post("/v1/contracts", json=application(guarantors=[FATHER, FATHER]),
                        headers=DEALER)  # fmt: skip
    assert ("guarantors[1].nik", "duplicate_party") in {
        (e["field"], e["rule"]) for e in twice.json()["errors"]
    }
    wrong_role = client.post("/v1/contracts", json=application(guarantors=[FATHER | {"role": "x"}]),
                             headers=DEALER)  # fmt: skip
    assert wrong_role.status_code == 422
    assert row_counts(database) == before


def test_a_guarantors_personal_data_is_masked_like_the_applicants(client: TestClient):
    number = submit(client, guarantors=[FATHER])
    seen_by_dealer = client.get(f"/v1/contracts/{number}", headers=DEALER).json()
    shown = seen_by_dealer["application"]["guarantors"][0]
    assert shown["nik"] == "3171********0003"
    assert shown["mother_maiden_name"] == "***"
    assert shown["phone"].startswith("+62813")
    assert "*" in shown["phone"]
    full = client.get(f"/v1/contracts/{number}", headers=ANALYST).json()
    assert full["application"]["guarantors"][0]["nik"] == FATHER["nik"]
    assert full["application"]["guarantors"][0]["phone"] == "+6281311112222"
