"""The edges a front-end developer meets (issue 14, item 4): CORS for listed origins, gzip,
415 for a body of the wrong media type, money only as a JSON integer, a NIK written with
separators, provinces from a code list with their time zone, and error paths as the client
wrote the fields."""

import copy
import gzip
import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import sqlalchemy as sa
import stdnum.id
from alembic import command
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import select

from app.collection.calendar import national
from app.collection.conduct import Contact, contact_problems
from app.contracts.models import Contract
from app.core.database import make_engine
from app.core.migrations import alembic_config
from app.core.settings import Settings
from app.main import create_app
from app.reference.regions import province_code, provinces
from app.simulation.schemas import PackageIn
from tests.conftest import (
    ADMIN,
    ANALYST,
    CS,
    DEALER,
    FINANCE,
    application,
    auth,
    force_state,
    row_counts,
    serving,
    submit,
)
from tests.test_errors import PROBLEM, assert_problem
from tests.test_transitions import purchase_order

ORIGIN = "https://dealer.sinar-motor.co.id"
STRANGER = "https://elsewhere.example"
COLLECTOR = auth("collector.joko")
MAKASSAR = {
    "street": "Jl. Somba Opu No. 7",
    "kelurahan": "Losari",
    "kecamatan": "Ujung Pandang",
    "city": "Makassar",
    "postal_code": "90111",
}


@pytest.fixture(scope="module")
def cors_server(database_url: str) -> Iterator[str]:
    """The service with one front-end origin allowed, on a real uvicorn."""
    settings = Settings(
        database_url=database_url, env="test", log_level="WARNING", cors_origins=[ORIGIN]
    )
    with serving(create_app(settings)) as url:
        yield url


# The machine may be busy (benchmarks, other suites): generous, so a slow answer is no failure.
WAIT = 60


def http(method: str, url: str, **options: Any) -> httpx.Response:
    return httpx.request(method, url, timeout=WAIT, **options)


def cors_headers(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.startswith("access-control-")}


def preflight(base: str, origin: str, method: str = "POST", headers: str = "") -> httpx.Response:
    asked = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers:
        asked["Access-Control-Request-Headers"] = headers
    return http("OPTIONS", f"{base}/v1/contracts", headers=asked)


# -- 1. CORS -------------------------------------------------------------------------------


def test_a_listed_origin_gets_its_preflight_answered_and_reads_the_headers_it_needs(
    cors_server: str, database
):
    asked = "authorization, content-type, idempotency-key, if-match, accept-language"
    answer = preflight(cors_server, ORIGIN, "POST", asked)
    assert answer.status_code == 200, answer.text
    assert answer.headers["access-control-allow-origin"] == ORIGIN
    methods = {m.strip() for m in answer.headers["access-control-allow-methods"].split(",")}
    assert {"GET", "POST", "PUT", "PATCH", "DELETE"} <= methods
    allowed = {h.strip().lower() for h in answer.headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "content-type", "if-match", "if-none-match", "idempotency-key",
            "accept-language"} <= allowed  # fmt: skip
    assert "access-control-allow-credentials" not in answer.headers
    assert answer.headers["strict-transport-security"]  # the edge's headers on a preflight too

    # The call itself: the front-end may read the new contract's Location and ETag.
    made = http(
        "POST",
        f"{cors_server}/v1/contracts",
        json=application(),
        headers={**DEALER, "Origin": ORIGIN, "Idempotency-Key": "cors-0001"},
    )
    assert made.status_code == 201, made.text
    assert made.headers["access-control-allow-origin"] == ORIGIN
    exposed = {h.strip().lower() for h in made.headers["access-control-expose-headers"].split(",")}
    assert {"etag", "location", "idempotent-replayed", "retry-after", "content-language"} <= exposed
    assert "origin" in made.headers["vary"].lower()


def test_an_origin_not_listed_gets_no_cors_header_at_all(cors_server: str):
    answer = preflight(cors_server, STRANGER, "POST", "authorization, content-type")
    assert cors_headers(answer) == {}
    assert answer.status_code == 405  # the plain OPTIONS it is
    assert answer.headers["content-type"] == PROBLEM
    read = http("GET", f"{cors_server}/v1/me", headers={**CS, "Origin": STRANGER})
    assert read.status_code == 200
    assert cors_headers(read) == {}


def test_a_preflight_asking_for_a_header_not_taken_is_a_problem(cors_server: str):
    answer = preflight(cors_server, ORIGIN, "POST", "authorization, x-debug")
    problem = assert_problem(answer, 400)
    assert {e["rule"] for e in problem["errors"]} == {"cors_headers"}
    assert "x-debug" in problem["detail"]
    assert "access-control-allow-credentials" not in answer.headers
    trace = assert_problem(preflight(cors_server, ORIGIN, "TRACE"), 400)
    assert trace["errors"][0]["field"] == "header.access-control-request-method"


def test_without_the_setting_no_origin_may_call(live_server: str):
    answer = preflight(live_server, ORIGIN, "POST", "authorization")
    assert answer.status_code == 405
    assert cors_headers(answer) == {}


@pytest.mark.parametrize(
    "origins",
    [["*"], ["https://dealer.example/"], ["dealer.example"], ["https://dealer.example/app"]],
)
def test_an_origin_is_scheme_host_and_port_only(origins: list[str]):
    with pytest.raises(ValidationError, match="not an origin"):
        Settings(cors_origins=origins)


def test_the_origins_come_from_the_environment_as_a_json_list(monkeypatch):
    monkeypatch.setenv("KREDO_CORS_ORIGINS", json.dumps([ORIGIN, "http://localhost:5173"]))
    assert Settings().cors_origins == [ORIGIN, "http://localhost:5173"]
    monkeypatch.delenv("KREDO_CORS_ORIGINS")
    assert Settings().cors_origins == []


# -- 2. gzip -------------------------------------------------------------------------------


def test_the_openapi_document_goes_compressed_when_the_client_takes_gzip(live_server: str):
    # httpx would inflate on its own; the raw stream shows the bytes on the wire.
    with httpx.stream(
        "GET", f"{live_server}/openapi.json", headers={"Accept-Encoding": "gzip"}, timeout=WAIT
    ) as wire:
        compressed = b"".join(wire.iter_raw())
        headers = wire.headers
    assert headers["content-encoding"] == "gzip"
    assert "accept-encoding" in headers["vary"].lower()
    document = json.loads(gzip.decompress(compressed))
    assert document["openapi"].startswith("3.")
    assert len(compressed) * 4 < len(json.dumps(document))
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["cache-control"] == "no-store"
    plain = http("GET", f"{live_server}/openapi.json", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.json() == document
    small = http("GET", f"{live_server}/healthz", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers  # under 1 KB: not worth it


def test_conditional_reads_and_the_security_headers_survive_compression(
    live_server: str, client: TestClient
):
    number = submit(client)
    url = f"{live_server}/v1/contracts/{number}"
    zipped = http("GET", url, headers={**CS, "Accept-Encoding": "gzip"})
    plain = http("GET", url, headers={**CS, "Accept-Encoding": "identity"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.json() == plain.json()
    assert zipped.headers["etag"] == plain.headers["etag"]
    assert zipped.headers["content-security-policy"] == plain.headers["content-security-policy"]
    again = http(
        "GET",
        url,
        headers={**CS, "Accept-Encoding": "gzip", "If-None-Match": zipped.headers["etag"]},
    )
    assert again.status_code == 304
    assert again.content == b""


# -- 3. 415 --------------------------------------------------------------------------------


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_a_json_operation_refuses_another_media_type_with_415(
    client: TestClient, database, content_type: str | None
):
    before = row_counts(database)
    headers = {**DEALER} | ({"Content-Type": content_type} if content_type else {})
    response = client.post("/v1/contracts", content=json.dumps(application()), headers=headers)
    problem = assert_problem(response, 415)
    assert problem["errors"] == [
        {"field": "header.content-type", "message": problem["detail"], "rule": "media_type"}
    ]
    assert "application/json" in problem["detail"]
    assert response.headers["accept-post"] == "application/json"
    assert row_counts(database) == before


def test_json_with_a_charset_or_as_a_merge_patch_is_taken(client: TestClient):
    made = client.post(
        "/v1/contracts",
        content=json.dumps(application()),
        headers={**DEALER, "Content-Type": "application/json; charset=utf-8"},
    )
    assert made.status_code == 201, made.text
    number = made.json()["number"]
    patched = client.patch(
        f"/v1/contracts/{number}",
        content=json.dumps({"vehicle": {"colour": "Merah"}}),
        headers={
            **CS,
            "Content-Type": "application/merge-patch+json",
            "If-Match": made.headers["etag"],
        },
    )
    assert patched.status_code == 200, patched.text
    wrong = client.patch(
        f"/v1/contracts/{number}",
        content="colour=Biru",
        headers={**CS, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert_problem(wrong, 415)
    assert wrong.headers["accept-patch"] == "application/json, application/merge-patch+json"


def test_the_csv_import_takes_csv_and_refuses_json(client: TestClient, database):
    rows = "subject,category,full_name,nik\nperson,fraud,Bambang Hermawan,3171011708750003\n"
    taken = client.post(
        "/v1/negative-list/import", content=rows, headers={**ADMIN, "Content-Type": "text/csv"}
    )
    assert taken.status_code == 200, taken.text
    assert taken.json()["imported"] == 1
    before = row_counts(database)
    for content_type in ("application/json", "text/plain"):
        refused = client.post(
            "/v1/negative-list/import",
            content=rows,
            headers={**ADMIN, "Content-Type": content_type},
        )
        assert "text/csv" in assert_problem(refused, 415)["detail"]
    assert row_counts(database) == before


def test_a_missing_body_is_reported_missing_not_of_the_wrong_type(client: TestClient):
    number = submit(client)
    order = client.post(f"/v1/contracts/{number}/survey-order", headers=ANALYST)
    assert "content-type" not in order.request.headers
    assert assert_problem(order, 422)["errors"] == [
        {"field": "body", "message": "This field is required.", "rule": "missing"}
    ]


# -- 4. Money is a JSON integer -------------------------------------------------------------


FLOATS = [8_000_000.0, 8e6, "8000000", 8_000_000.5, True]


def _package() -> dict[str, Any]:
    return {**PackageIn.model_json_schema()["examples"][0], "code": "MC-FLT"}


def _user(limit: Any) -> dict[str, Any]:
    return {"username": "approver.flt", "full_name": "Float", "role": "approver",
            "branch_code": "JKT01", "authority_level": 1, "approval_limit": limit}  # fmt: skip


MONEY: list[tuple[str, str, Any, str, dict[str, str]]] = [
    ("POST", "/v1/contracts", lambda v: application(down_payment=v), "down_payment", DEALER),
    ("POST", "/v1/contracts", lambda v: application(vehicle={"otr_price": v}), "vehicle.otr_price",
     DEALER),
    ("POST", "/v1/contracts",
     lambda v: application(applicant={"employment": {"monthly_income": v}}),
     "applicant.employment.monthly_income", DEALER),
    ("POST", "/v1/simulations", lambda v: {"package_code": "MC-REG", "dealer_code": "D-JKT-001",
     "otr_price": v, "down_payment": 6_000_000, "tenor_months": 24}, "otr_price", DEALER),
    ("POST", "/v1/packages", lambda v: _package() | {"admin_fee": v}, "admin_fee", ADMIN),
    ("PUT", "/v1/authority-levels", lambda v: {"branch_code": "JKT01", "level": 4,
     "name": "Direksi", "max_amount": v}, "max_amount", ADMIN),
    ("POST", "/v1/users", _user, "approval_limit", ADMIN),
    ("POST", "/v1/payments", lambda v: {"contract_number": "JKT01-2026-MC-000001", "amount": v,
     "paid_on": "2026-11-20", "reference": "VA-FLT"}, "amount", FINANCE),
]  # fmt: skip


@pytest.mark.parametrize(("method", "url", "body", "field", "who"), MONEY)
def test_money_given_as_a_float_or_a_string_is_refused_everywhere(
    client: TestClient, database, method: str, url: str, body: Any, field: str, who: dict
):
    before = row_counts(database)
    for value in FLOATS:
        response = client.request(method, url, json=body(value), headers=who)
        problem = assert_problem(response, 422)
        rules = {e["rule"] for e in problem["errors"] if e["field"] == field}
        assert rules == {"int_type"}, (value, problem["errors"])
    assert row_counts(database) == before


def test_money_written_with_a_fraction_in_the_json_text_is_refused(client: TestClient, database):
    """Not only what Python's json makes a float: the bytes a front-end sends."""
    before = row_counts(database)
    text = json.dumps(application()).replace('"down_payment": 6000000', '"down_payment": 6000000.0')
    assert "6000000.0" in text
    for written in ("6000000.0", "6e6", "6.0E6"):
        response = client.post(
            "/v1/contracts",
            content=text.replace("6000000.0", written),
            headers={**DEALER, "Content-Type": "application/json"},
        )
        assert assert_problem(response, 422)["errors"][0]["field"] == "down_payment"
    assert row_counts(database) == before


# -- 5. NIK ---------------------------------------------------------------------------------


def test_staff_find_a_nik_written_with_separators(client: TestClient):
    number = submit(client)
    for written in ("3171015708900001", "3171-0157-0890-0001", "317101.570890.0001",
                    "3171 0157 0890 0001"):  # fmt: skip
        found = client.get("/v1/contracts", params={"q": written}, headers=CS)
        assert found.status_code == 200, found.text
        assert [c["number"] for c in found.json()["items"]] == [number], written


def test_a_nik_with_separators_is_matched_and_listed_as_its_digits(client: TestClient):
    matched = client.post(
        "/v1/customers/matches",
        json={"full_name": "Siti Rahmawati", "birth_date": "1990-08-17",
              "nik": "317101.570890.0001"},
        headers=ANALYST,
    )  # fmt: skip
    assert matched.status_code == 200, matched.text
    listed = client.post(
        "/v1/negative-list",
        json={"subject": "person", "category": "fraud", "full_name": "Bambang Hermawan",
              "nik": "3171-0117-0875-0003", "reason": "Dokumen palsu"},
        headers=ADMIN,
    )  # fmt: skip
    assert listed.status_code == 201, listed.text
    assert listed.json()["nik"] == "3171011708750003"


def test_a_nik_day_code_of_81_to_99_is_refused_at_submission(client: TestClient, database):
    before = row_counts(database)
    response = client.post(
        "/v1/contracts",
        json=application(applicant={"nik": "3171018508900001", "sex": "female"}),
        headers=DEALER,
    )
    errors = assert_problem(response, 422)["errors"]
    assert ("applicant.nik", "nik_day_code") in {(e["field"], e["rule"]) for e in errors}
    assert row_counts(database) == before


# -- 6. Provinces ---------------------------------------------------------------------------


def test_the_code_list_has_the_38_provinces_each_in_its_time_zone():
    listed = provinces()
    assert len(listed) == 38
    assert all(len(code) == 2 and code.isdigit() for code in listed)
    zones = {code: p.time_zone for code, p in listed.items()}
    assert zones["31"] == zones["32"] == zones["61"] == "Asia/Jakarta"
    assert zones["51"] == zones["64"] == zones["73"] == zones["65"] == "Asia/Makassar"
    assert zones["81"] == zones["94"] == zones["97"] == "Asia/Jayapura"
    assert {p.name for p in listed.values()} >= {"DKI Jakarta", "Sulawesi Selatan", "Papua"}
    for province in listed.values():
        ZoneInfo(province.time_zone)


def test_the_code_list_agrees_with_python_stdnum_on_the_provinces_it_knows():
    """python-stdnum ships the provinces of NIKs (33, from before 2012's Kalimantan Utara and
    2022's Papua provinces), with their ISO 3166-2 codes: an independent check of ours."""
    data = Path(stdnum.id.__file__).with_name("loc.dat").read_text(encoding="utf-8")
    theirs = {}
    for line in data.splitlines():
        if line[:2].isdigit() and "iso3166_2=" in line:
            theirs[line[:2]] = line.split('iso3166_2="')[1].split('"')[0]
    assert len(theirs) == 33
    ours = {code: p.iso_3166_2 for code, p in provinces().items()}
    assert {code: ours.get(code) for code in theirs} == theirs
    assert set(ours) - set(theirs) == {"65", "92", "95", "96", "97"}


@pytest.mark.parametrize(
    ("written", "code"),
    [("73", "73"), ("Sulawesi Selatan", "73"), ("Sulsel", "73"), ("SULSEL", "73"),
     ("Prov. Sulawesi Selatan", "73"), ("South Sulawesi", "73"), ("Kaltim", "64"),
     ("Kalimantan Timur", "64"), ("DKI Jakarta", "31"), ("D.K.I. Jakarta", "31"),
     ("Jakarta", "31"), ("DIY", "34"), ("D.I. Yogyakarta", "34"), ("NTT", "53"),
     ("Papua", "94"), ("Papua Barat", "91"), ("Riau", "14"), ("Kepri", "21")],
)  # fmt: skip
def test_a_province_is_read_from_its_code_name_or_abbreviation(written: str, code: str):
    assert province_code(written) == code


@pytest.mark.parametrize("written", ["Sulawesi", "Kalimantan", "Jawa", "Irian Jaya", "99", "3"])
def test_a_text_naming_no_single_province_is_none(written: str):
    assert province_code(written) is None


def test_every_way_of_writing_a_province_names_one_only():
    from app.reference.regions import _names

    assert len(set(_names().values())) == 38


def test_the_province_is_stored_as_its_code(client: TestClient, database):
    number = submit(client, applicant={"address": {"province": "DKI Jakarta"}})
    stored = client.get(f"/v1/contracts/{number}", headers=CS).json()
    assert stored["application"]["applicant"]["address"]["province"] == "31"
    with database.sessions() as session:
        contract = session.scalar(select(Contract).where(Contract.number == number))
        assert contract is not None
        assert contract.application["applicant"]["address"]["province"] == "31"


@pytest.mark.parametrize("written", ["Sulawesi", "Jakarta Raya Baru", "32a", ""])
def test_an_unknown_province_is_refused_naming_the_field_and_rule(
    client: TestClient, database, written: str
):
    before = row_counts(database)
    response = client.post(
        "/v1/contracts", json=application(applicant={"address": {"province": written}}),
        headers=DEALER,
    )  # fmt: skip
    errors = assert_problem(response, 422)["errors"]
    assert [e["field"] for e in errors] == ["applicant.address.province"]
    assert errors[0]["rule"] in ({"province_unknown"} if written else {"string_too_short"})
    assert row_counts(database) == before


def test_the_province_list_is_read_by_any_front_end(client: TestClient):
    listed = client.get("/v1/provinces", headers=DEALER)
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert len(items) == 38
    assert items[0] == {"code": "11", "name": "Aceh", "name_en": "Aceh", "iso_3166_2": "ID-AC",
                        "time_zone": "Asia/Jakarta", "also_written": ["NAD",
                        "Nanggroe Aceh Darussalam"]}  # fmt: skip
    sulsel = next(i for i in items if i["code"] == "73")
    assert sulsel["time_zone"] == "Asia/Makassar"
    assert client.get("/v1/provinces").status_code == 401


def _weekday_in_the_past() -> date:
    day = date.today() - timedelta(days=7)
    while day.weekday() == 6 or day in national(day.year):
        day -= timedelta(days=1)
    return day


def _active_in_makassar(client: TestClient, database, province: str) -> str:
    area = {"code": "MKS", "name": "Makassar", "category": "non_jakarta",
            "branch_code": "JKT01", "postal_prefixes": ["902"]}  # fmt: skip
    created = client.post("/v1/areas", json=area, headers=ADMIN)
    assert created.status_code in (201, 409), created.text
    address = {**MAKASSAR, "postal_code": "90221", "province": province}
    applicant = {"address": address, "marital_status": "single", "spouse": None}
    number = submit(client, form_category="non_jakarta", applicant=applicant)
    force_state(database, number, "SURVEYED")
    screened = client.post(f"/v1/contracts/{number}/prescreening", headers=ANALYST)
    assert screened.status_code == 200, screened.text
    force_state(database, number, "DELIVERED")
    purchase_order(database, number)
    paid = client.post(
        f"/v1/contracts/{number}/disbursement",
        headers=FINANCE,
        json={"amount": 14_000_000, "reference": "TRF-MKS",
              "disbursed_on": (date.today() - timedelta(days=60)).isoformat()},
    )  # fmt: skip
    assert paid.status_code == 200, paid.text
    return number


def test_collection_keeps_to_the_debtors_own_hours_in_makassar(client: TestClient, database):
    """19:30 in Jakarta is 20:30 in Makassar: too late to call a debtor there, whose province
    was written Sulsel (it used to fall back to Jakarta time)."""
    number = _active_in_makassar(client, database, "Sulsel")
    day = _weekday_in_the_past()
    call = {"kind": "desk_call", "place": "billing_address", "person": "debtor",
            "result": "contacted"}  # fmt: skip
    url = f"/v1/contracts/{number}/collection-actions"
    late = client.post(url, json=call | {"performed_at": f"{day}T19:30:00+07:00"},
                       headers=COLLECTOR)  # fmt: skip
    assert [e["rule"] for e in assert_problem(late, 422)["errors"]] == ["ojk_hours"]
    assert "20:30" in late.json()["errors"][0]["message"]
    early = client.post(url, json=call | {"performed_at": f"{day}T07:30:00+07:00"},
                        headers=COLLECTOR)  # fmt: skip
    assert early.status_code == 201, early.text  # 08:30 in Makassar


def test_a_province_kept_from_before_the_code_list_is_checked_in_every_zone():
    """ "Sulawesi" names no single province: a call is allowed only when it is allowed in
    Jakarta, Makassar and Jayapura alike."""
    wib = ZoneInfo("Asia/Jakarta")

    def rules(hour: int, minute: int = 0) -> list[str]:
        at = datetime(2026, 11, 23, hour, minute, tzinfo=wib)
        contact = Contact("desk_call", at, "billing_address", "debtor")
        return [rule for _, _, rule in contact_problems(contact, "Sulawesi", set(), False)]

    assert rules(7, 30) == ["ojk_hours"]  # 07:30 in Jakarta
    assert rules(18, 30) == ["ojk_hours"]  # 20:30 in Jayapura
    assert rules(10) == []
    assert rules(18, 0) == []  # 20:00 in Jayapura, the last minute allowed


def test_the_migration_maps_stored_provinces_to_codes_where_unambiguous(tmp_path: Path):
    url = f"sqlite:///{tmp_path}/provinces.db"
    config = alembic_config(url)
    command.upgrade(config, "2e7a4c91b3d0")
    engine = make_engine(url)
    written = ["Sulsel", "DKI Jakarta", "Kalimantan Timur", "Sulawesi", "73", None]
    contracts = sa.table(
        "contracts", sa.column("id", sa.Integer), sa.column("application", sa.JSON)
    )
    forms = []
    for province in written:
        form = copy.deepcopy(application())
        form["applicant"]["address"]["province"] = province
        forms.append(form)
    with engine.begin() as connection:
        _insert_contracts(connection, forms)
    command.upgrade(config, "5b8d2f7a9c41")
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(contracts.c.application).order_by(contracts.c.id)
        ).scalars()
        after = [row["applicant"]["address"]["province"] for row in rows]
    assert after == ["73", "31", "64", "Sulawesi", "73", None]
    command.downgrade(config, "2e7a4c91b3d0")
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(contracts.c.application).order_by(contracts.c.id)
        ).scalars()
        back = [row["applicant"]["address"]["province"] for row in rows]
    assert back == ["Sulawesi Selatan", "DKI Jakarta", "Kalimantan Timur", "Sulawesi",
                    "Sulawesi Selatan", None]  # fmt: skip
    engine.dispose()


def _insert_contracts(connection: sa.Connection, forms: list[dict[str, Any]]) -> None:
    """Contracts as the service wrote them before the code list, with the rows they need,
    into the tables as reflected at that revision."""
    meta = sa.MetaData()
    meta.reflect(bind=connection)
    t = meta.tables
    created = datetime(2026, 11, 1, 3, 0, tzinfo=ZoneInfo("UTC"))
    connection.execute(t["branches"].insert(), [{"id": 1, "code": "JKT01", "name": "Kramat",
                       "city": "Jakarta", "active": True}])  # fmt: skip
    connection.execute(t["products"].insert(), [{"id": 1, "code": "MC", "name": "Motor",
                       "min_down_payment_pct": 10, "active": True}])  # fmt: skip
    connection.execute(t["dealers"].insert(), [{"id": 1, "code": "D-JKT-001", "name": "Sinar",
                       "branch_id": 1, "city": "Jakarta", "active": True}])  # fmt: skip
    connection.execute(t["users"].insert(), [{"id": 1, "username": "sales.budi",
                       "full_name": "Budi", "role": "salesman", "branch_id": 1, "active": True,
                       "is_demo": False, "created_at": created}])  # fmt: skip
    connection.execute(t["contracts"].insert(), [
        {"id": i, "number": f"JKT01-2026-MC-{i:06d}", "branch_id": 1, "product_id": 1,
         "dealer_id": 1, "submitted_by_id": 1, "state": "SUBMITTED", "version": 1,
         "form_category": "jakarta", "applicant_type": "individual",
         "applicant_name": "Siti Rahmawati", "applicant_nik": "3171015708900001",
         "otr_price": 20_000_000, "down_payment": 6_000_000, "tenor_months": 24,
         "application": form, "created_at": created, "updated_at": created}
        for i, form in enumerate(forms, start=1)
    ])  # fmt: skip


# -- 7. Error paths -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("patch", "field", "rule"),
    [
        ({"applicant": {"birth_date": "17-08-1990"}}, "applicant.birth_date", "date_type"),
        ({"applicant": {"sex": "x"}}, "applicant.sex", "enum"),
        ({"applicant": {"employment": {"monthly_income": 1.5}}},
         "applicant.employment.monthly_income", "int_type"),
        ({"applicant": {"phones": [{"kind": "mobile", "number": 812}]}},
         "applicant.phones[0].number", "string_type"),
        ({"applicant": {"unknown": 1}}, "applicant.unknown", "extra_forbidden"),
    ],
)  # fmt: skip
def test_an_error_names_the_field_as_the_client_wrote_it(
    client: TestClient, patch: dict[str, Any], field: str, rule: str
):
    errors = assert_problem(
        client.post("/v1/contracts", json=application(**patch), headers=DEALER), 422
    )["errors"]
    assert (field, rule) in {(e["field"], e["rule"]) for e in errors}
    assert not any(".individual" in e["field"] or ".company" in e["field"] for e in errors)


def test_a_company_applicants_errors_carry_no_union_tag_either(client: TestClient):
    from tests.test_applications import COMPANY

    company = copy.deepcopy(COMPANY)
    company["established"] = 2015
    company["board_members"][1]["birth_date"] = "12-03-1980"
    body = application(applicant=None) | {"applicant": company}
    response = client.post("/v1/contracts", json=body, headers=DEALER)
    fields = {(e["field"], e["rule"]) for e in assert_problem(response, 422)["errors"]}
    assert fields == {("applicant.established", "date_type"),
                      ("applicant.board_members[1].birth_date", "date_type")}  # fmt: skip


def test_a_wrong_applicant_type_is_named_at_the_applicant(client: TestClient):
    response = client.post(
        "/v1/contracts", json=application(applicant={"type": "cooperative"}), headers=DEALER
    )
    errors = assert_problem(response, 422)["errors"]
    assert [(e["field"], e["rule"]) for e in errors] == [("applicant", "union_tag_invalid")]
