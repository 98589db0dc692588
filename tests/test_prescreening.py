"""Stage 2 — pre-screening through the API: Repeat Orders, the negative list, feedback."""

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import ADMIN, ANALYST, CS, DEALER, FINANCE, auth, force_state, submit


def surveyed(client: TestClient, database, headers=DEALER, **patch: Any) -> str:
    number = submit(client, headers, **patch)
    force_state(database, number, "SURVEYED")
    return number


def prescreen(client: TestClient, number: str) -> dict[str, Any]:
    response = client.post(f"/v1/contracts/{number}/prescreening", headers=ANALYST)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_first_application_is_a_new_customer(client: TestClient, database):
    result = prescreen(client, surveyed(client, database))
    assert (result["customer_type"], result["outcome"], result["contract_state"]) == (
        "new_customer",
        "passed",
        "PRESCREENED",
    )
    roles = [p["role"] for p in result["parties"]]
    assert roles == ["applicant", "spouse"]


def test_repeat_order_through_a_typo_and_a_swapped_birth_date(client: TestClient, database):
    first = prescreen(client, surveyed(client, database))
    # Same woman, two years on: her name typo'd and day/month swapped, no spouse any more.
    again = surveyed(
        client,
        database,
        applicant={
            "full_name": "Hj. Siti Rahmawaty",
            "birth_date": "1990-08-17",
            "birth_place": "DKI Jakarta",
            "marital_status": "widowed",
            "spouse": None,
        },
    )
    result = prescreen(client, again)
    assert result["customer_type"] == "repeat_order"
    assert result["customer_id"] == first["customer_id"]
    candidate = result["parties"][0]["candidates"][0]
    agreement = {f["field"]: f["agreement"] for f in candidate["fields"]}
    assert agreement == {
        "name": "close",
        "birth_date": "exact",
        "birth_place": "exact",
        "mother_maiden_name": "exact",
        "nik": "exact",
    }
    assert candidate["fields"][0]["explanation"].startswith(
        "name agrees closely: Rahmawaty ~ Rahmawati (a typo); +"
    )
    # Born 8 August 1990 with a NIK to match: the birth-date error is carried into the NIK,
    # whose region and sequence still agree. The seed's guard (birth date and NIK both
    # contradicting) refused this; the weights find her.
    other = surveyed(
        client,
        database,
        applicant={
            "nik": "3171014808900001",
            "birth_date": "1990-08-08",
            "full_name": "Siti Rahmawaty",
        },
    )
    result = prescreen(client, other)
    assert result["customer_type"] == "repeat_order"
    shown = result["parties"][0]["candidates"][0]
    assert (shown["customer_id"], shown["points"], shown["same_person"]) == (
        first["customer_id"],
        4.0,
        True,
    )
    levels = {f["field"]: f["agreement"] for f in shown["fields"]}
    assert (levels["birth_date"], levels["nik"]) == ("partial", "partial")

    customer = client.get(f"/v1/customers/{first['customer_id']}", headers=CS).json()
    assert [c["role"] for c in customer["contracts"]] == ["applicant"] * 3


def test_swapped_day_and_month_is_a_close_agreement(client: TestClient, database):
    rina = {
        "nik": "3171014503920002",
        "full_name": "Rina Marlina",
        "birth_date": "1992-03-05",
        "birth_place": "Bandung",
        "mother_maiden_name": "Euis",
        "marital_status": "single",
        "spouse": None,
    }
    prescreen(client, surveyed(client, database, applicant=rina))
    typo = rina | {
        "full_name": "Rina Marlinah",
        "birth_date": "1992-05-03",
        "nik": "3171014305920002",
    }
    result = prescreen(client, surveyed(client, database, applicant=typo))
    assert result["customer_type"] == "repeat_order"
    fields = {f["field"]: f for f in result["parties"][0]["candidates"][0]["fields"]}
    assert fields["birth_date"]["agreement"] == "close"
    assert fields["name"]["applicant"] == "Rina Marlinah"
    assert fields["name"]["known"] == "Rina Marlina"


def test_spouse_on_the_fraud_list_rejects(client: TestClient, database):
    fraud = {
        "subject": "person",
        "category": "fraud",
        "full_name": "Achmad Fauzi",
        "nik": "3171012304880002",
        "birth_date": "1988-04-23",
        "birth_place": "Bogor",
        "mother_maiden_name": "Khadijah",
        "reason": "Pemalsuan BPKB 2024",
    }
    assert client.post("/v1/negative-list", json=fraud, headers=ADMIN).status_code == 201
    number = surveyed(client, database)
    result = prescreen(client, number)
    assert result["outcome"] == "rejected"
    assert result["contract_state"] == "REJECTED"
    assert result["stops"][0] | {"entry_id": 0} == {
        "party": "spouse",
        "category": "fraud",
        "entry_id": 0,
        "kind": None,
        "customer_id": None,
        "dealers": None,
    }
    events = client.get(f"/v1/contracts/{number}/events", headers=CS).json()
    assert events[-1]["reason"] == "negative_list: fraud (spouse)"


def test_a_rejected_prospect_warns_the_next_analyst_with_the_dealer(client: TestClient, database):
    number = surveyed(client, database, headers=auth("sales.budi"), dealer_code="D-JKT-003")
    rejected = client.post(
        f"/v1/contracts/{number}/rejection",
        headers=ANALYST,
        json={"reason_code": "fictitious_address", "note": "Alamat fiktif"},
    )
    assert rejected.status_code == 200
    listed = client.get("/v1/negative-list?category=rejected_order", headers=ANALYST).json()
    assert listed["items"][0]["dealers"] == ["D-JKT-003"]
    result = prescreen(client, surveyed(client, database))
    assert result["outcome"] == "passed"
    warning = next(w for w in result["warnings"] if w["kind"] == "rejected_order")
    assert warning["dealers"] == ["D-JKT-003"]


def test_a_rejected_repeat_order_goes_onto_the_bad_list(client: TestClient, database):
    prescreen(client, surveyed(client, database))
    second = surveyed(client, database)
    assert prescreen(client, second)["customer_type"] == "repeat_order"
    client.post(
        f"/v1/contracts/{second}/rejection",
        headers=ANALYST,
        json={"reason_code": "bad_credit_history", "note": "Tunggakan di tempat lain"},
    )
    blocked = client.get("/v1/negative-list?category=blocked", headers=ADMIN).json()["items"]
    assert [b["full_name"] for b in blocked] == ["Siti Rahmawati"]
    third = prescreen(client, surveyed(client, database))
    assert third["outcome"] == "rejected"
    assert third["stops"][0]["category"] == "blocked"


def test_identity_conflict_is_flagged(client: TestClient, database):
    siti = prescreen(client, surveyed(client, database))
    # Another person presents Siti's NIK (its birth date and sex agree, the rest does not).
    impostor = {
        "full_name": "Maya Anggraini",
        "birth_place": "Medan",
        "mother_maiden_name": "Sri",
        "marital_status": "single",
        "spouse": None,
    }
    number = surveyed(client, database, applicant=impostor)
    result = prescreen(client, number)
    # Same NIK, another name: at most a case for the analyst, never a Repeat Order.
    assert (result["customer_type"], result["outcome"]) == ("possible_repeat_order", "review")
    assert {
        "kind": "identity_conflict",
        "party": "applicant",
        "customer_id": siti["customer_id"],
    }.items() <= result["warnings"][0].items()
    candidate = result["parties"][0]["candidates"][0]
    assert candidate["identity_conflict"] is True
    assert candidate["same_person"] is False
    assert candidate["review_reason"] == "name_differs"
    assert result["reviews"] == [
        {"party": 0, "role": "applicant", "customer_id": siti["customer_id"], "decision": None,
         "reason": None, "decided_by": None, "decided_at": None}
    ]  # fmt: skip
    assert result["customer_id"] is None


def held(client: TestClient, database) -> tuple[str, int]:
    """A contract held for review: another woman presents Siti's NIK. Its number and the
    customer under review."""
    siti = prescreen(client, surveyed(client, database))
    impostor = {
        "full_name": "Maya Anggraini",
        "birth_place": "Medan",
        "mother_maiden_name": "Sri",
        "marital_status": "single",
        "spouse": None,
    }
    number = surveyed(client, database, applicant=impostor)
    assert prescreen(client, number)["outcome"] == "review"
    return number, siti["customer_id"]  # fmt: skip


def test_a_possible_repeat_order_holds_the_contract_until_the_analyst_decides(
    client: TestClient, database
):
    number, siti = held(client, database)
    contract = client.get(f"/v1/contracts/{number}", headers=CS).json()
    assert contract["state"] == "SURVEYED"
    # Nothing moves on while held: fatal scores need PRESCREENED, and pre-screening again
    # waits for the decision.
    assert client.post(f"/v1/contracts/{number}/fatal-scores", headers=ANALYST,
                       json={}).status_code in (409, 422)  # fmt: skip
    again = client.post(f"/v1/contracts/{number}/prescreening", headers=ANALYST)
    assert again.status_code == 409
    assert "review" in again.json()["detail"]
    events = client.get(f"/v1/contracts/{number}/events", headers=CS).json()
    assert (events[-1]["action"], events[-1]["to_state"]) == ("prescreening_held", "SURVEYED")
    assert events[-1]["payload"]["model_version"] == 0

    decision = {"customer_id": siti, "same_person": False,
                "reason": "Foto KTP berbeda, NIK dipinjam"}  # fmt: skip
    url = f"/v1/contracts/{number}/prescreening/review"
    for role in (CS, FINANCE, ADMIN, DEALER):
        assert client.post(url, headers=role, json=decision).status_code == 403
    wrong = client.post(url, headers=ANALYST, json=decision | {"customer_id": siti + 999})
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0] | {"message": ""} == {
        "field": "customer_id", "rule": "not_under_review", "message": ""}  # fmt: skip

    decided = client.post(url, headers=ANALYST, json=decision)
    assert decided.status_code == 200, decided.text
    body = decided.json()
    assert (body["outcome"], body["customer_type"], body["contract_state"]) == (
        "passed", "new_customer", "PRESCREENED")  # fmt: skip
    assert body["customer_id"] not in (None, siti)
    assert body["reviews"][0] | {"decided_at": None} == {
        "party": 0, "role": "applicant", "customer_id": siti, "decision": "denied",
        "reason": "Foto KTP berbeda, NIK dipinjam", "decided_by": "ca.rina", "decided_at": None,
    }  # fmt: skip
    events = client.get(f"/v1/contracts/{number}/events", headers=CS).json()
    last = events[-1]
    assert (last["action"], last["from_state"], last["to_state"], last["actor"]) == (
        "prescreen", "SURVEYED", "PRESCREENED", "ca.rina")  # fmt: skip
    assert last["reason"] == (
        f"denied (applicant = customer {siti}): Foto KTP berbeda, NIK dipinjam"
    )
    assert (last["payload"]["decision"], last["payload"]["model_version"]) == ("denied", 0)
    # Decided once: a second decision finds nothing to review.
    assert client.post(url, headers=ANALYST, json=decision).status_code == 409


def test_a_confirmed_review_makes_a_repeat_order(client: TestClient, database):
    number, siti = held(client, database)
    url = f"/v1/contracts/{number}/prescreening/review"
    decision = {"customer_id": siti, "same_person": True, "reason": "Ganti nama, akta ada"}
    body = client.post(url, headers=ANALYST, json=decision).json()
    assert (body["customer_type"], body["customer_id"]) == ("repeat_order", siti)
    customer = client.get(f"/v1/customers/{siti}", headers=CS).json()
    assert [c["number"] for c in customer["contracts"]][-1] == number
    stored = client.get(f"/v1/contracts/{number}/prescreening", headers=ANALYST).json()
    assert stored["reviews"][0]["decision"] == "confirmed"


def test_a_review_request_is_checked_whole(client: TestClient, database):
    number, siti = held(client, database)
    url = f"/v1/contracts/{number}/prescreening/review"
    for bad in ({"customer_id": siti, "same_person": True},
                {"customer_id": siti, "same_person": "maybe", "reason": "Sama orangnya"},
                {"customer_id": 0, "same_person": True, "reason": "Sama orangnya"}):  # fmt: skip
        response = client.post(url, headers=ANALYST, json=bad)
        assert response.status_code == 422, bad
    assert client.get(f"/v1/contracts/{number}", headers=CS).json()["state"] == "SURVEYED"


def test_explanations_read_in_indonesian(client: TestClient, database):
    prescreen(client, surveyed(client, database))
    number = surveyed(client, database, applicant={"full_name": "Siti Rahmawaty"})
    prescreen(client, number)
    shown = client.get(f"/v1/contracts/{number}/prescreening",
                       headers=ANALYST | {"Accept-Language": "id"}).json()  # fmt: skip
    candidate = shown["parties"][0]["candidates"][0]
    words = [f["explanation"] for f in candidate["fields"]]
    assert words[0].startswith(
        "nama cocok dengan sedikit beda: Rahmawaty ~ Rahmawati (salah ketik); +"
    )
    assert "," in words[0].rsplit("+", 1)[1]  # a decimal comma


def test_vehicle_on_the_list_rejects(client: TestClient, database):
    entry = {
        "subject": "vehicle",
        "category": "repossessed",
        "chassis_number": "MH1JM8117PK123456",
        "reason": "Ditarik 2025-06",
    }
    client.post("/v1/negative-list", json=entry, headers=ADMIN)
    number = surveyed(client, database, vehicle={"chassis_number": "MH1JM8117PK123456"})
    result = prescreen(client, number)
    assert result["outcome"] == "rejected"
    assert result["stops"][0]["party"] == "vehicle"


def test_explanations_are_masked_for_roles_without_personal_data(client: TestClient, database):
    prescreen(client, surveyed(client, database))
    number = surveyed(client, database)
    prescreen(client, number)
    shown = client.get(f"/v1/contracts/{number}/prescreening", headers=FINANCE).json()
    fields = {f["field"]: f for f in shown["parties"][0]["candidates"][0]["fields"]}
    assert fields["nik"]["applicant"] == fields["nik"]["known"] == "***"
    assert fields["name"]["applicant"] == "Siti Rahmawati"
    assert client.get(f"/v1/contracts/{number}/prescreening", headers=DEALER).status_code == 403


def test_negative_list_csv_import_keeps_good_rows_and_reports_bad(client: TestClient):
    csv_text = (
        "subject,category,full_name,nik,birth_date,chassis_number,dealers,reason\n"
        "person,fraud,Bambang Hermawan,3171011708750003,1975-08-17,,,KTP palsu\n"
        "person,overdue,Joko Susilo,,1980-01-01,,,\n"
        "vehicle,repossessed,,,,MH1JM8117PK999999,,Ditarik\n"
        "person,rejected_order,Dewi,,,,,\n"
        "person,rejected_order,Dewi Sartika,,1985-02-02,,D-JKT-001;D-JKT-002,\n"
    )
    response = client.post(
        "/v1/negative-list/import", content=csv_text, headers=ADMIN | {"content-type": "text/csv"}
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["rows"], report["imported"], report["rejected"]) == (5, 3, 2)
    assert [(e["row"], e["field"]) for e in report["errors"]] == [(3, "category"), (5, "row")]
    listed = client.get("/v1/negative-list", headers=ADMIN).json()["items"]
    assert listed[0]["dealers"] == ["D-JKT-001", "D-JKT-002"]


def test_negative_list_entry_removed_stops_matching(client: TestClient, database):
    fraud = {
        "subject": "person",
        "category": "fraud",
        "full_name": "Siti Rahmawati",
        "nik": "3171015708900001",
        "birth_date": "1990-08-17",
    }
    entry = client.post("/v1/negative-list", json=fraud, headers=ADMIN).json()
    removed = client.post(
        f"/v1/negative-list/{entry['id']}/removal", headers=ADMIN, json={"reason": "Salah input"}
    )
    assert removed.json()["active"] is False
    assert prescreen(client, surveyed(client, database))["outcome"] == "passed"
    assert client.post("/v1/negative-list", json=fraud, headers=ANALYST).status_code == 403


def test_creating_a_negative_list_entry_is_idempotent(client: TestClient):
    fraud = {"subject": "vehicle", "category": "repossessed", "engine_number": "JM81E7777777"}
    key = {"Idempotency-Key": "blacklist-import-0007"}
    first = client.post("/v1/negative-list", json=fraud, headers=ADMIN | key)
    again = client.post("/v1/negative-list", json=fraud, headers=ADMIN | key)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert len(client.get("/v1/negative-list", headers=ADMIN).json()["items"]) == 1


def test_a_pre_screening_stored_before_the_weights_still_reads(client: TestClient, database):
    """Results stored by the three-of-five matcher (agree / weak, a score, no weight) are
    shown in today's terms, never a 500."""
    from sqlalchemy import select, update

    from app.contracts.models import Contract
    from app.prescreening.models import Prescreening

    prescreen(client, surveyed(client, database))
    number = surveyed(client, database)
    prescreen(client, number)
    with database.transaction() as session:
        contract_id = session.scalar(select(Contract.id).where(Contract.number == number))
        screening = session.scalar(
            select(Prescreening).where(Prescreening.contract_id == contract_id)
        )
        old = screening.result
        for party in old["parties"]:
            party.pop("outcome")
            for candidate in party["candidates"]:
                for key in ("outcome", "weight", "review_reason"):
                    candidate.pop(key)
                for field in candidate["fields"]:
                    field.pop("weight")
                    field["score"] = 100.0
                    field["agreement"] = {"exact": "agree", "close": "agree"}.get(
                        field["agreement"], "weak"
                    )
        old.pop("reviews")
        old.pop("model_version")
        session.execute(
            update(Prescreening).where(Prescreening.id == screening.id).values(result=old)
        )
    shown = client.get(f"/v1/contracts/{number}/prescreening", headers=ANALYST)
    assert shown.status_code == 200, shown.text
    candidate = shown.json()["parties"][0]["candidates"][0]
    assert (candidate["outcome"], candidate["weight"]) == ("repeat_order", 0.0)
    assert candidate["fields"][0]["agreement"] == "exact"
    assert candidate["fields"][0]["explanation"].startswith("name agrees")


def test_a_possible_negative_list_hit_warns_and_does_not_stop(client: TestClient, database):
    """A fraud entry with only a name and a mother's name alike: weight in the review band.
    The analyst is warned; only a Repeat Order of a bad entry stops the application."""
    fraud = {"subject": "person", "category": "fraud", "full_name": "Siti Rahmawati",
             "mother_maiden_name": "Aminah", "reason": "KTP palsu 2024"}  # fmt: skip
    entry = client.post("/v1/negative-list", json=fraud, headers=ADMIN).json()
    result = prescreen(client, surveyed(client, database))
    assert result["outcome"] == "passed"
    assert result["stops"] == []
    warning = next(w for w in result["warnings"] if w["kind"] == "possible_negative_hit")
    assert (warning["party"], warning["category"], warning["entry_id"]) == (
        "applicant", "fraud", entry["id"])  # fmt: skip
