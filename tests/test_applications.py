"""Stage 1 — application: the form, its rules, completion, idempotency, survey orders."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from threading import Barrier
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from app.core.clock import today_jakarta, utcnow
from tests.conftest import (
    ADMIN,
    ANALYST,
    CS,
    DEALER,
    SALESMAN,
    SURVEYOR,
    application,
    auth,
    row_counts,
    submit,
)

TODAY = today_jakarta()
DOCUMENTS = (
    "contract",
    "guarantee_statement",
    "receipt",
    "different_signature_statement",
    "vehicle_checklist",
)


def survey_result(**patch: Any) -> dict[str, Any]:
    body = {
        "visit_date": TODAY.isoformat(),
        "residence_verified": True,
        "income_verified": True,
        "remarks": "Rumah milik sendiri, usaha warung di depan rumah.",
        "documents": {name: {"collected": True} for name in DOCUMENTS},
    }
    return body | patch


COMPANY: dict[str, Any] = {
    "type": "company",
    "name": "PT Maju Jaya Logistik",
    "legal_form": "pt",
    "npwp": "013000666091000",
    "established": "2015-03-01",
    "business_line": "Jasa pengiriman barang",
    "address": {
        "street": "Jl. Gunung Sahari No. 8",
        "kelurahan": "Gunung Sahari Selatan",
        "kecamatan": "Kemayoran",
        "city": "Jakarta Pusat",
        "province": "DKI Jakarta",
        "postal_code": "10610",
    },
    "phones": [{"kind": "office", "number": "021-4201234"}],
    "monthly_revenue": 350_000_000,
    "monthly_expenses": 200_000_000,
    "board_members": [
        {
            "nik": "3171011708750003",
            "full_name": "Hendro Gunawan",
            "birth_place": "Semarang",
            "birth_date": "1975-08-17",
            "sex": "male",
            "mother_maiden_name": "Lies",
            "position": "president_director",
        },
        {
            "nik": "3171015203800004",
            "full_name": "Maria Ulfa",
            "birth_place": "Medan",
            "birth_date": "1980-03-12",
            "sex": "female",
            "mother_maiden_name": "Rosmawati",
            "position": "commissioner",
        },
    ],
}


def test_the_whole_of_stage_one(client: TestClient):
    # The dealer's front-end submits over a bad network: the same request twice, one key.
    key = {"Idempotency-Key": "sinar-2026-11-22-0001"}
    body = application(
        applicant={
            "address": {
                "street": "Jl. Fatmawati No. 5",
                "kelurahan": "Cipete Utara",
                "kecamatan": "Kebayoran Baru",
                "city": "Jakarta Selatan",
                "postal_code": "12150",
            }
        }
    )
    first = client.post("/v1/contracts", json=body, headers=DEALER | key)
    again = client.post("/v1/contracts", json=body, headers=DEALER | key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == first.headers["location"]
    number = first.json()["number"]
    assert len(client.get("/v1/contracts", headers=CS).json()["items"]) == 1

    # Customer service completes the data with the ETag it read.
    etag = client.get(f"/v1/contracts/{number}", headers=CS).headers["etag"]
    completed = client.patch(
        f"/v1/contracts/{number}",
        json={
            "applicant": {
                "phones": [
                    {"kind": "mobile", "number": "0812-3456-7890"},
                    {"kind": "office", "number": "(021) 7654321"},
                ],
                "employment": {"monthly_income": 9_000_000},
            },
            "vehicle": {"chassis_number": "mh1jm8117pk123456", "engine_number": "JM81E-1234567"},
        },
        headers=CS | {"If-Match": etag},
    )
    assert completed.status_code == 200, completed.text
    vehicle = completed.json()["application"]["vehicle"]
    assert (vehicle["chassis_number"], vehicle["engine_number"]) == (
        "MH1JM8117PK123456",
        "JM81E1234567",
    )

    # The analyst sends a surveyor: the address is in Jakarta Selatan.
    order = client.post(f"/v1/contracts/{number}/survey-order", json={}, headers=ANALYST)
    assert order.status_code == 201, order.text
    assert (order.json()["area_name"], order.json()["surveyor"]) == (
        "Jakarta Selatan",
        "surveyor.dimas",
    )
    assert order.json()["automatic"] is True

    # The surveyor sees it in his work list, visits, and records the checklist.
    dimas = auth("surveyor.dimas")
    work = client.get("/v1/survey-orders?status=open", headers=dimas).json()["items"]
    assert [o["contract_number"] for o in work] == [number]
    assert work[0]["address"]["street"] == "Jl. Fatmawati No. 5"
    documents: dict[str, dict[str, Any]] = {name: {"collected": True} for name in DOCUMENTS}
    same_signature = {"collected": False, "remark": "Tanda tangan sama dengan KTP"}
    documents["different_signature_statement"] = same_signature
    result = client.post(
        f"/v1/survey-orders/{order.json()['id']}/result",
        json=survey_result(documents=documents),
        headers=dimas,
    )
    assert result.status_code == 200, result.text
    assert result.json()["status"] == "done"
    assert client.get(f"/v1/contracts/{number}", headers=CS).json()["state"] == "SURVEYED"

    # The log tells the story.
    events = client.get(f"/v1/contracts/{number}/events", headers=CS).json()
    story = [(e["action"], e["from_state"], e["to_state"], e["actor"]) for e in events]
    assert story == [
        ("submit", None, "SUBMITTED", "dealer.sinar"),
        ("amend", "SUBMITTED", "SUBMITTED", "cs.dewi"),
        ("assign_survey", "SUBMITTED", "SURVEY_ASSIGNED", "ca.rina"),
        ("record_survey", "SURVEY_ASSIGNED", "SURVEYED", "surveyor.dimas"),
    ]
    assert events[1]["payload"] == {
        "changed": [
            "applicant.employment.monthly_income",
            "applicant.phones",
            "vehicle.chassis_number",
            "vehicle.engine_number",
        ]
    }
    assert events[2]["payload"] == {
        "survey_order": order.json()["id"],
        "area": "JKT-SEL",
        "surveyor": "surveyor.dimas",
        "automatic": True,
    }
    assert events[3]["payload"]["documents_missing"] == ["different_signature_statement"]
    assert "9000000" not in str(events)
    assert "7654321" not in str(events)


def test_a_nik_written_with_separators_is_read_as_its_digits(client: TestClient):
    """Clerks write a NIK in groups (KTP print: 317101.570890.0001; forms: 3171-0157-0890-0001,
    or spaces): the separators go before any check, and the NIK is stored as 16 digits."""
    for written in ("317101.570890.0001", "3171-0157-0890-0001", "3171 0157 0890 0001"):
        response = client.post(
            "/v1/contracts", json=application(applicant={"nik": written}), headers=DEALER
        )
        assert response.status_code == 201, (written, response.text)
        number = response.json()["number"]
        form = client.get(f"/v1/contracts/{number}", headers=CS).json()
        assert form["application"]["applicant"]["nik"].replace("*", "")[:4] in ("3171", "")
        assert "-" not in form["application"]["applicant"]["nik"]
        assert "." not in form["application"]["applicant"]["nik"]
    refused = client.post(
        "/v1/contracts", json=application(applicant={"nik": "3171-0157-0890-000"}), headers=DEALER
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["rule"] == "nik_length"


def test_same_key_with_another_body_is_422_and_writes_nothing(client: TestClient, database):
    key = {"Idempotency-Key": "sinar-key-0002"}
    assert client.post("/v1/contracts", json=application(), headers=DEALER | key).status_code == 201
    before = row_counts(database)
    other = client.post("/v1/contracts", json=application(tenor_months=36), headers=DEALER | key)
    assert other.status_code == 422
    assert other.json()["errors"][0]["rule"] == "idempotency_key_reused"
    assert row_counts(database) == before


def test_a_key_expires_after_a_day_and_the_close_of_business_clears_old_keys(
    client: TestClient, database
):
    """The IETF draft suggests keys be kept for 24 hours: after that the same key is a new
    request, and the expired records are cleared by the close of business."""
    from sqlalchemy import func, select, update

    from app.collection.cob import close_through
    from app.core.idempotency import IdempotencyRecord
    from app.core.settings import get_settings

    key = {"Idempotency-Key": "sinar-key-expiry"}
    first = client.post("/v1/contracts", json=application(), headers=DEALER | key)
    assert first.status_code == 201
    hours = get_settings().idempotency_key_hours
    assert hours == 24
    with database.transaction() as session:
        session.execute(
            update(IdempotencyRecord).values(
                created_at=utcnow() - timedelta(hours=hours, minutes=1)
            )
        )
    again = client.post("/v1/contracts", json=application(tenor_months=36), headers=DEALER | key)
    assert again.status_code == 201, again.text  # a new request, not a reused key
    assert again.json()["number"] != first.json()["number"]
    assert "Idempotent-Replayed" not in again.headers
    with database.transaction() as session:
        session.execute(
            update(IdempotencyRecord).values(created_at=utcnow() - timedelta(hours=hours + 1))
        )
        close_through(session, today_jakarta())
        assert session.scalar(select(func.count()).select_from(IdempotencyRecord)) == 0


def test_keys_belong_to_their_user(client: TestClient):
    key = {"Idempotency-Key": "shared-key-0003"}
    mine = client.post("/v1/contracts", json=application(), headers=DEALER | key).json()
    theirs = client.post("/v1/contracts", json=application(), headers=SALESMAN | key).json()
    assert mine["number"] != theirs["number"]


def test_concurrent_requests_with_one_key_create_one_contract(client, live_server):
    barrier = Barrier(8)
    body = application()

    def post(_: int) -> tuple[int, str]:
        with httpx.Client(base_url=live_server, timeout=60) as http:
            barrier.wait()
            key = {"Idempotency-Key": "flaky-network-0004"}
            response = http.post("/v1/contracts", json=body, headers=DEALER | key)
            return response.status_code, response.json()["number"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(post, range(8)))
    assert {status for status, _ in results} == {201}
    assert len({number for _, number in results}) == 1
    assert len(client.get("/v1/contracts", headers=CS).json()["items"]) == 1


def test_fifty_concurrent_submissions_get_fifty_consecutive_numbers(client, live_server):
    barrier = Barrier(50)

    def post(i: int) -> str:
        headers = (DEALER, SALESMAN, CS)[i % 3]
        with httpx.Client(base_url=live_server, timeout=120) as http:
            barrier.wait()
            response = http.post("/v1/contracts", json=application(), headers=headers)
            assert response.status_code == 201, response.text
            number: str = response.json()["number"]
            return number

    with ThreadPoolExecutor(max_workers=50) as pool:
        numbers = list(pool.map(post, range(50)))
    sequences = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    assert sequences == list(range(1, 51))
    assert all(n.startswith(f"JKT01-{TODAY.year}-MC-") for n in numbers)


def person(**patch: Any) -> dict[str, Any]:
    return {"applicant": patch}


BAD_INPUTS: list[tuple[str, dict[str, Any], int, str, str]] = [
    # (case, merge patch of a valid application, status, field, rule)
    ("NIK with letters", person(nik="31710157089000AB"), 422, "applicant.nik", "nik_digits"),
    ("NIK of 15 digits", person(nik="317101570890000"), 422, "applicant.nik", "nik_length"),
    (
        "unknown NIK region",
        person(nik="9971015708900001"),
        422,
        "applicant.nik",
        "nik_region_or_date",
    ),
    (
        "NIK date not the birth date",
        person(nik="3171015808900001"),
        422,
        "applicant.nik",
        "nik_birth_date_mismatch",
    ),
    (
        "female NIK without +40",
        person(nik="3171011708900001"),
        422,
        "applicant.nik",
        "nik_sex_mismatch",
    ),
    ("male NIK with +40", {"applicant": {"sex": "male"}}, 422, "applicant.nik", "nik_sex_mismatch"),
    (
        "spouse NIK wrong date",
        {"applicant": {"spouse": {"nik": "3171012404880002"}}},
        422,
        "applicant.spouse.nik",
        "nik_birth_date_mismatch",
    ),
    (
        "unknown postal code",
        {"applicant": {"address": {"postal_code": "99999"}}},
        422,
        "applicant.address.postal_code",
        "unknown_postal_code",
    ),
    (
        "Jakarta form, Bandung postal code",
        {"applicant": {"address": {"postal_code": "40111"}}},
        422,
        "applicant.address.postal_code",
        "form_category_mismatch",
    ),
    (
        "non-Jakarta form, Jakarta postal code",
        {"form_category": "non_jakarta"},
        422,
        "applicant.address.postal_code",
        "form_category_mismatch",
    ),
    (
        "postal code of another Jakarta city",
        {"applicant": {"address": {"postal_code": "12150"}}},
        422,
        "applicant.address.city",
        "city_postal_code_mismatch",
    ),
    (
        "malformed postal code",
        {"applicant": {"address": {"postal_code": "1043"}}},
        422,
        "applicant.address.postal_code",
        "string_pattern_mismatch",
    ),
    ("down payment equal to OTR", {"down_payment": 20_000_000}, 422, "down_payment", "below_otr"),
    ("down payment above OTR", {"down_payment": 25_000_000}, 422, "down_payment", "below_otr"),
    ("negative down payment", {"down_payment": -1}, 422, "down_payment", "greater_than"),
    (
        "negative OTR price",
        {"vehicle": {"otr_price": -20_000_000}},
        422,
        "vehicle.otr_price",
        "greater_than",
    ),
    ("fractional rupiah", {"down_payment": 6_000_000.5}, 422, "down_payment", "int_type"),
    (
        "negative income",
        {"applicant": {"employment": {"monthly_income": -1}}},
        422,
        "applicant.employment.monthly_income",
        "greater_than",
    ),
    (
        "married without spouse",
        {"applicant": {"spouse": None}},
        422,
        "applicant.spouse",
        "spouse_required",
    ),
    (
        "single with spouse",
        {"applicant": {"marital_status": "single"}},
        422,
        "applicant.spouse",
        "spouse_not_married",
    ),
    (
        "spouse with the applicant's NIK",
        {
            "applicant": {
                "spouse": {"nik": "3171015708900001", "birth_date": "1990-08-17", "sex": "female"}
            }
        },
        422,
        "applicant.spouse.nik",
        "spouse_same_nik",
    ),
    (
        "applicant aged 15",
        {"applicant": {"nik": "3171015708110001", "birth_date": "2011-08-17"}},
        422,
        "applicant.birth_date",
        "age_range",
    ),
    (
        "vehicle year in the future",
        {"vehicle": {"year": TODAY.year + 1}},
        422,
        "vehicle.year",
        "future_year",
    ),
    (
        "phone not Indonesian",
        {"applicant": {"phones": [{"kind": "mobile", "number": "+1 415 555 0100"}]}},
        422,
        "applicant.phones[0].number",
        "phone",
    ),
    (
        "no mobile phone",
        {"applicant": {"phones": [{"kind": "home", "number": "021-3912345"}]}},
        422,
        "applicant.phones",
        "mobile_required",
    ),
    (
        "no phone at all",
        {"applicant": {"phones": []}},
        422,
        "applicant.phones",
        "too_short",
    ),
    ("tenor of 0 months", {"tenor_months": 0}, 422, "tenor_months", "greater_than_equal"),
    ("unknown payment method", {"payment_method": "cheque"}, 422, "payment_method", "enum"),
    ("unknown dealer", {"dealer_code": "D-XXX-999"}, 422, "dealer_code", "unknown_dealer"),
    ("unknown product", {"product_code": "BOAT"}, 422, "product_code", "unknown_product"),
    ("unknown field", {"favourite_colour": "blue"}, 422, "favourite_colour", "extra_forbidden"),
    (
        "chassis number with symbols",
        {"vehicle": {"chassis_number": "MH1#JM8117"}},
        422,
        "vehicle.chassis_number",
        "frame_number",
    ),
    (
        "company with a bad NPWP",
        {"applicant": None} | {"applicant": COMPANY | {"npwp": "013000665091000"}},
        422,
        "applicant.npwp",
        "npwp",
    ),
    (
        "company without board members",
        {"applicant": COMPANY | {"board_members": []}},
        422,
        "applicant.board_members",
        "too_short",
    ),
    (
        "board member listed twice",
        {
            "applicant": COMPANY
            | {"board_members": [COMPANY["board_members"][0], COMPANY["board_members"][0]]}
        },
        422,
        "applicant.board_members[1].nik",
        "duplicate_member",
    ),
    ("dealer submitting for another dealer", {"dealer_code": "D-JKT-002"}, 403, "", ""),
]


@pytest.mark.parametrize(
    ("patch", "status", "field", "rule"),
    [case[1:] for case in BAD_INPUTS],
    ids=[case[0] for case in BAD_INPUTS],
)
def test_bad_input_is_refused_precisely_and_writes_nothing(
    client: TestClient, database, patch, status, field, rule
):
    body = application(**patch)
    if isinstance(patch.get("applicant"), dict) and patch["applicant"].get("type") == "company":
        body["applicant"] = patch["applicant"]
    before = row_counts(database)
    # Customer service submits; the dealer's front-end for the one case about dealers.
    response = client.post("/v1/contracts", json=body, headers=DEALER if status == 403 else CS)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    if status == 422:
        assert {"field": field, "rule": rule} in [
            {"field": e["field"], "rule": e["rule"]} for e in response.json()["errors"]
        ], response.json()["errors"]
    assert row_counts(database) == before


def test_a_vehicle_backs_one_live_contract(client: TestClient, database):
    numbers = {"chassis_number": "MH1JM8117PK123456", "engine_number": "JM81E1234567"}
    first = submit(client, vehicle=numbers)
    before = row_counts(database)
    taken = client.post("/v1/contracts", json=application(vehicle=numbers), headers=DEALER)
    assert taken.status_code == 409
    assert taken.json()["errors"][0]["field"] == "vehicle.chassis_number"
    assert row_counts(database) == before
    other = submit(client)
    same_engine = {"vehicle": {"engine_number": "jm81e1234567"}}
    by_patch = client.patch(f"/v1/contracts/{other}", json=same_engine, headers=CS)
    assert by_patch.status_code == 409
    client.post(
        f"/v1/contracts/{first}/cancellation", json={"reason": "Unit tidak tersedia"}, headers=CS
    )
    assert (
        client.post("/v1/contracts", json=application(vehicle=numbers), headers=DEALER).status_code
        == 201
    )


def test_company_applicant_with_its_board_members(client: TestClient):
    body = application()
    body["applicant"] = COMPANY
    response = client.post("/v1/contracts", json=body, headers=CS)
    assert response.status_code == 201, response.text
    number = response.json()["number"]
    summary = client.get("/v1/contracts", headers=CS).json()["items"][0]
    assert summary["applicant_type"] == "company"
    assert summary["applicant_name"] == "PT Maju Jaya Logistik"
    members = client.get(f"/v1/contracts/{number}", headers=DEALER).json()["application"][
        "applicant"
    ]["board_members"]
    assert [m["nik"] for m in members] == ["3171********0003", "3171********0004"]


def test_completion_rules(client: TestClient, database):
    number = submit(client)
    etag = client.get(f"/v1/contracts/{number}", headers=CS).headers["etag"]
    client.patch(f"/v1/contracts/{number}", json={"tenor_months": 36}, headers=CS)
    stale = client.patch(
        f"/v1/contracts/{number}", json={"tenor_months": 12}, headers=CS | {"If-Match": etag}
    )
    assert stale.status_code == 412
    before = row_counts(database)
    for patch, rule in (
        ({"dealer_code": "D-JKT-002"}, "not_amendable"),
        ({"down_payment": 30_000_000}, "below_otr"),
        ({"applicant": {"nik": "3171011708900001"}}, "nik_sex_mismatch"),
        ({"applicant": {"marital_status": "widowed"}}, "spouse_not_married"),
    ):
        refused = client.patch(f"/v1/contracts/{number}", json=patch, headers=CS)
        assert refused.status_code == 422, patch
        assert refused.json()["errors"][0]["rule"] == rule
    assert row_counts(database) == before
    assert (
        client.patch(
            f"/v1/contracts/{number}", json={"tenor_months": 12}, headers=DEALER
        ).status_code
        == 403
    )
    widowed = client.patch(
        f"/v1/contracts/{number}",
        json={"applicant": {"marital_status": "widowed", "spouse": None}},
        headers=ANALYST,
    )
    assert widowed.status_code == 200
    assert (
        "spouse" not in widowed.json()["application"]["applicant"]
        or widowed.json()["application"]["applicant"]["spouse"] is None
    )
    unchanged = client.patch(f"/v1/contracts/{number}", json={"tenor_months": 36}, headers=CS)
    assert unchanged.json()["version"] == widowed.json()["version"]


def test_survey_goes_to_the_least_busy_surveyor_of_the_area(client: TestClient):
    first, second, third = (submit(client) for _ in range(3))
    chosen = [
        client.post(f"/v1/contracts/{n}/survey-order", json={}, headers=ANALYST).json()["surveyor"]
        for n in (first, second)
    ]
    assert chosen == ["surveyor.agus", "surveyor.gilang"]
    named = client.post(
        f"/v1/contracts/{third}/survey-order",
        json={"surveyor": "surveyor.agus", "note": "Kenal lokasi"},
        headers=ANALYST,
    ).json()
    assert (named["surveyor"], named["automatic"]) == ("surveyor.agus", False)
    # Reassigning replaces the open order.
    again = client.post(f"/v1/contracts/{third}/survey-order", json={}, headers=ANALYST).json()
    assert again["surveyor"] == "surveyor.gilang"
    orders = client.get("/v1/survey-orders", headers=ANALYST).json()["items"]
    assert [o["status"] for o in orders if o["contract_number"] == third] == ["reassigned", "open"]


def test_survey_order_refusals(client: TestClient):
    number = submit(client)
    for surveyor, rule in (
        ("cs.dewi", "not_a_surveyor"),
        ("surveyor.fajar", "other_branch"),
        ("nobody", "not_a_surveyor"),
    ):
        refused = client.post(
            f"/v1/contracts/{number}/survey-order", json={"surveyor": surveyor}, headers=ANALYST
        )
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["rule"] == rule
    assert (
        client.post(f"/v1/contracts/{number}/survey-order", json={}, headers=CS).status_code == 403
    )


def test_survey_result_rules(client: TestClient, database):
    number = submit(client)
    order = client.post(
        f"/v1/contracts/{number}/survey-order", json={"surveyor": "surveyor.agus"}, headers=ANALYST
    ).json()
    url = f"/v1/survey-orders/{order['id']}/result"
    # Only the assigned surveyor sees and completes the order.
    gilang = auth("surveyor.gilang")
    assert client.get(f"/v1/survey-orders/{order['id']}", headers=gilang).status_code == 404
    assert client.post(url, json=survey_result(), headers=gilang).status_code == 404
    assert client.get("/v1/survey-orders", headers=gilang).json()["items"] == []
    before = row_counts(database)
    missing_remark = survey_result(
        documents={name: {"collected": name != "receipt"} for name in DOCUMENTS}
    )
    for body, field in (
        (missing_remark, "documents.receipt"),
        (survey_result(visit_date=(TODAY + timedelta(days=1)).isoformat()), "visit_date"),
        (
            survey_result(documents={"contract": {"collected": True}}),
            "documents.guarantee_statement",
        ),
    ):
        refused = client.post(url, json=body, headers=SURVEYOR)
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["field"] == field
    assert row_counts(database) == before
    assert client.post(url, json=survey_result(), headers=SURVEYOR).status_code == 200
    twice = client.post(url, json=survey_result(), headers=SURVEYOR)
    assert twice.status_code == 409


def test_staff_search_by_name_nik_and_date(client: TestClient):
    number = submit(client)
    other = submit(
        client,
        applicant={
            "full_name": "Budi Hartono",
            "sex": "male",
            "nik": "3171011708900002",
            "mother_maiden_name": "Sri",
            "spouse": {"nik": "3171015304880002", "sex": "female", "birth_date": "1988-04-13"},
        },
    )

    def found(**params: Any) -> list[str]:
        page = client.get("/v1/contracts", params=params, headers=CS).json()
        return [c["number"] for c in page["items"]]

    assert found(q="rahmawati") == [number]
    assert found(q="3171011708900002") == [other]
    today = TODAY.isoformat()
    assert found(submitted_from=today, submitted_to=today) == [other, number]
    assert found(submitted_to=(TODAY - timedelta(days=1)).isoformat()) == []
    assert client.get("/v1/contracts?q=rahmawati", headers=DEALER).status_code == 403


def test_name_search_takes_percent_and_underscore_literally(client: TestClient):
    plain = submit(client)
    percent = submit(client, applicant={"full_name": "Toko 100% Jaya"})
    underscore = submit(client, applicant={"full_name": "Budi_Santoso"})

    def found(q: str) -> list[str]:
        page = client.get("/v1/contracts", params={"q": q}, headers=CS)
        assert page.status_code == 200, page.text
        return [c["number"] for c in page.json()["items"]]

    assert found("rahmawati") == [plain]
    # Wildcards typed by a person are characters, not patterns: no name holds three of them.
    assert found("%%%") == []
    assert found("___") == []
    assert found("_%_") == []
    assert found("0% j") == [percent]
    assert found("00%") == [percent]
    assert found("i_s") == [underscore]
    assert found("i/_") == []  # and so is the character SQL escapes them with


def test_demo_has_field_staff_for_every_jakarta_area(client: TestClient):
    users = client.get("/v1/users", headers=ADMIN).json()["items"]
    for area in ("JKT-PST", "JKT-UTR", "JKT-BRT", "JKT-SEL", "JKT-TIM"):
        for role in ("surveyor", "salesman"):
            assert any(u["role"] == role and area in u["area_codes"] for u in users), (area, role)
    dealers = client.get("/v1/dealers?branch=JKT01", headers=ADMIN).json()["items"]
    assert len(dealers) >= 5
