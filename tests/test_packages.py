"""Stage 4 — packages and quotes through the API: only a valid package the dealer may sell."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.core.clock import today_jakarta
from tests.conftest import ADMIN, ANALYST, CS, DEALER, SALESMAN, auth, row_counts

YEAR = today_jakarta().year


def quote(client: TestClient, headers=SALESMAN, **changes: Any):
    body = {
        "package_code": f"MC-REG-{YEAR}",
        "dealer_code": "D-JKT-001",
        "otr_price": 20_000_000,
        "down_payment": 6_000_000,
        "tenor_months": 24,
    } | changes
    return client.post("/v1/simulations", json=body, headers=headers)


def test_a_quote_for_anyone_with_nothing_stored(client: TestClient, database):
    before = row_counts(database)
    response = quote(client, headers=DEALER)
    assert response.status_code == 200, response.text
    q = response.json()
    assert (q["amount_financed"], q["installment"]) == (14_555_000, 825_000)
    assert row_counts(database) == before


def test_first_installment_in_advance_package(client: TestClient):
    q = quote(client, package_code=f"MC-ADDM-{YEAR}", tenor_months=23).json()
    assert q["in_advance"] is True
    assert q["schedule"][0]["due_month"] == 0
    assert q["paid_at_signing"] == 6_000_000 + 400_000 + 50_000 + 150_000 + q["installment"]


@pytest.mark.parametrize(
    ("changes", "field", "rule", "words"),
    [
        ({"package_code": f"MC-PROMO-{YEAR - 1}"}, "package_code", "expired", "expired on"),
        (
            {"package_code": f"MC-ADDM-{YEAR}", "dealer_code": "D-BDG-001", "tenor_months": 23},
            "package_code",
            "not_assigned",
            "not offered by dealer D-BDG-001",
        ),
        ({"tenor_months": 18}, "tenor_months", "tenor_not_offered", "offers tenors of 12, 24, 36"),
        (
            {"down_payment": 2_000_000},
            "down_payment",
            "below_minimum",
            "at least 15% of the OTR price (Rp 3,000,000)",
        ),
        ({"down_payment": 20_000_000}, "down_payment", "below_otr", "below the OTR price"),
        ({"package_code": "NOPE"}, "package_code", "unknown_package", "Unknown package"),
    ],
)
def test_a_quote_a_salesman_cannot_sell_is_refused_in_his_words(
    client, changes, field, rule, words
):
    response = quote(client, **changes)
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert (error["field"], error["rule"]) == (field, rule)
    assert words in error["message"]


def test_a_dealer_sees_and_quotes_only_its_own_packages(client: TestClient):
    priangan = auth("dealer.priangan")
    codes = [p["code"] for p in client.get("/v1/packages", headers=priangan).json()["items"]]
    assert f"MC-ADDM-{YEAR}" not in codes
    assert f"MC-REG-{YEAR}" in codes
    hidden = client.get(f"/v1/packages/MC-ADDM-{YEAR}", headers=priangan)
    assert hidden.status_code == 404
    assert quote(client, headers=priangan).status_code == 403
    valid = client.get(f"/v1/packages?valid_on={YEAR}-06-01", headers=CS).json()["items"]
    assert f"MC-PROMO-{YEAR - 1}" not in [p["code"] for p in valid]


def test_package_rules(client: TestClient):
    body = {
        "code": "MC-LOW-DP",
        "name": "Too generous",
        "type": "promo",
        "product_code": "MC",
        "dealer_codes": ["D-JKT-001"],
        "valid_from": f"{YEAR}-01-01",
        "expires_on": f"{YEAR}-12-31",
        "min_down_payment_pct": "5.00",
        "admin_fee": 0,
        "rates": [{"tenor_months": 12, "flat_rate": "0.15"}],
    }
    low = client.post("/v1/packages", json=body, headers=ADMIN)
    assert low.json()["errors"][0]["rule"] == "below_product_minimum"
    backwards = client.post(
        "/v1/packages",
        headers=ADMIN,
        json=body | {"min_down_payment_pct": "20.00", "expires_on": f"{YEAR - 1}-12-31"},
    )
    assert backwards.status_code == 422
    short_cover = client.post(
        "/v1/packages",
        headers=ADMIN,
        json=body
        | {
            "min_down_payment_pct": "20.00",
            "rates": [{"tenor_months": 36, "flat_rate": "0.2"}],
            "insurance": [{"rate": "0.015", "value_share": "1", "financed": True}],
        },
    )
    assert "cover 3 year" in short_cover.json()["errors"][0]["message"]
    made = client.post("/v1/packages", json=body | {"min_down_payment_pct": "20.00"}, headers=ADMIN)
    assert made.status_code == 201
    assert (
        client.post(
            "/v1/packages", json=body | {"min_down_payment_pct": "20.00"}, headers=ADMIN
        ).status_code
        == 409
    )
    withdrawn = client.patch("/v1/packages/MC-LOW-DP", json={"active": False}, headers=ADMIN)
    assert withdrawn.json()["active"] is False
    assert (
        quote(client, package_code="MC-LOW-DP", tenor_months=12).json()["errors"][0]["rule"]
        == "inactive"
    )
    assert client.post("/v1/packages", json=body, headers=ANALYST).status_code == 403
