"""Branches, dealers, survey areas and products: admin writes, staff reads."""

from fastapi.testclient import TestClient

from app.demo import AREAS
from tests.conftest import ADMIN, ANALYST, CS, DEALER, INTEGRATION, row_counts


def test_demo_reference_data_is_complete(client: TestClient):
    branches = [b["code"] for b in client.get("/v1/branches", headers=CS).json()["items"]]
    assert branches == ["BDG01", "HO", "JKT01"]
    areas = {a["name"]: a for a in client.get("/v1/areas", headers=CS).json()["items"]}
    for city in ("Pusat", "Utara", "Selatan", "Timur", "Barat"):
        assert areas[f"Jakarta {city}"]["category"] == "jakarta"
    assert areas["Bandung"]["category"] == "non_jakarta"
    assert len(areas) == len(AREAS)
    products = [p["code"] for p in client.get("/v1/products", headers=CS).json()["items"]]
    assert products == ["CAR", "MC"]
    dealers = client.get("/v1/dealers?branch=JKT01", headers=INTEGRATION).json()["items"]
    assert {d["branch_code"] for d in dealers} == {"JKT01"}


def test_admin_maintains_branches(client: TestClient):
    body = {"code": "SBY01", "name": "Cabang Surabaya", "city": "Surabaya"}
    created = client.post("/v1/branches", json=body, headers=ADMIN)
    assert created.status_code == 201
    assert created.json() == {**body, "active": True}
    assert client.post("/v1/branches", json=body, headers=ADMIN).status_code == 409
    changed = client.patch("/v1/branches/SBY01", json={"active": False}, headers=ADMIN)
    assert changed.json()["active"] is False
    assert client.get("/v1/branches/SBY01", headers=CS).json()["active"] is False
    assert client.patch("/v1/branches/NOPE", json={"name": "x"}, headers=ADMIN).status_code == 404


def test_admin_maintains_dealers(client: TestClient):
    body = {
        "code": "D-JKT-009",
        "name": "PT Mitra Motor",
        "branch_code": "JKT01",
        "city": "Jakarta Timur",
    }
    assert client.post("/v1/dealers", json=body, headers=ADMIN).status_code == 201
    unknown = client.post(
        "/v1/dealers", json=body | {"code": "D-X", "branch_code": "ZZZ"}, headers=ADMIN
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0] == {
        "field": "branch_code",
        "message": "Unknown branch 'ZZZ'.",
        "rule": "unknown_branch",
    }
    off = client.patch("/v1/dealers/D-JKT-009", json={"active": False}, headers=ADMIN)
    assert off.json()["active"] is False


def test_admin_maintains_areas_and_prefixes_stay_unique(client: TestClient, database):
    body = {
        "code": "SBY",
        "name": "Surabaya",
        "category": "non_jakarta",
        "branch_code": "JKT01",
        "postal_prefixes": ["601", "602"],
    }
    assert client.post("/v1/areas", json=body, headers=ADMIN).status_code == 201
    before = row_counts(database)
    clash = client.post(
        "/v1/areas", json=body | {"code": "SBY2", "postal_prefixes": ["601"]}, headers=ADMIN
    )
    assert clash.status_code == 409
    assert "601" in clash.json()["detail"]
    assert row_counts(database) == before
    moved = client.patch("/v1/areas/SBY", json={"postal_prefixes": ["603"]}, headers=ADMIN)
    assert moved.json()["postal_prefixes"] == ["603"]
    bad = client.post(
        "/v1/areas", json=body | {"code": "X1", "postal_prefixes": ["6a"]}, headers=ADMIN
    )
    assert bad.status_code == 422


def test_admin_maintains_products(client: TestClient):
    body = {"code": "UCAR", "name": "Mobil Bekas", "min_down_payment_pct": "25.00"}
    created = client.post("/v1/products", json=body, headers=ADMIN)
    assert created.status_code == 201
    assert created.json()["min_down_payment_pct"] == "25.00"
    too_high = client.patch(
        "/v1/products/UCAR", json={"min_down_payment_pct": "100"}, headers=ADMIN
    )
    assert too_high.status_code == 422


def test_only_admin_writes_and_dealers_do_not_read(client: TestClient):
    body = {"code": "SBY01", "name": "Cabang Surabaya", "city": "Surabaya"}
    for headers in (CS, ANALYST, DEALER):
        assert client.post("/v1/branches", json=body, headers=headers).status_code == 403
    assert client.get("/v1/branches", headers=DEALER).status_code == 403
    assert client.get("/v1/branches", headers=ANALYST).status_code == 200
