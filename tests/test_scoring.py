"""Stage 3 — rule sets as data: thresholds exact, bad definitions refused, decisions kept
with the version that made them; and the API from SURVEYED to SIMULATED."""

import copy
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.core.clock import today_jakarta
from app.scoring.rules import definition_problems, evaluate
from app.scoring.standard import STANDARD_RULE_SET
from tests.conftest import ADMIN, ANALYST, CS, DEALER, force_state, submit

YEAR = today_jakarta().year
GOOD_FACTS: dict[str, Any] = {
    "age_at_application": 36,
    "age_at_maturity": Decimal("38.0"),
    "nik_consistent": True,
    "down_payment_pct": Decimal("30.00"),
    "installment_to_income_pct": Decimal("9.34"),
    "monthly_income": 8_500_000,
    "slik_worst_kol": 1,
    "negative_list_hit": False,
    "months_employed": 48,
    "vehicle_age_at_maturity": Decimal("3.0"),
    "tenor_months": 24,
    "occupation": "employee",
    "residence_status": "owned",
    "vehicle_condition": "new",
    "repeat_order": False,
    "past_write_offs": 0,
    "residence_verified": True,
    "income_verified": True,
    "documents_missing": 0,
}

# (rule code, fact, the last value that passes, the first that fails)
THRESHOLDS = [
    ("AGE_AT_APPLICATION", "age_at_application", 60, 61),
    ("AGE_AT_APPLICATION", "age_at_application", 21, 20),
    ("AGE_AT_MATURITY", "age_at_maturity", Decimal("65.0"), Decimal("65.1")),
    ("NIK_CONSISTENT", "nik_consistent", True, False),
    ("DOWN_PAYMENT", "down_payment_pct", Decimal("10.00"), Decimal("9.99")),
    ("INSTALLMENT_TO_INCOME", "installment_to_income_pct", Decimal("35.00"), Decimal("35.01")),
    ("SLIK_QUALITY", "slik_worst_kol", 2, 3),
    ("NEGATIVE_LIST", "negative_list_hit", False, True),
    ("EMPLOYMENT", "months_employed", 6, 5),
    ("VEHICLE_AGE", "vehicle_age_at_maturity", Decimal("15.0"), Decimal("15.1")),
]


@pytest.mark.parametrize(("code", "fact", "passing", "failing"), THRESHOLDS)
def test_each_knock_out_fires_exactly_at_its_threshold(code, fact, passing, failing):
    assert not evaluate(STANDARD_RULE_SET, GOOD_FACTS | {fact: passing}).knocked_out
    fired = evaluate(STANDARD_RULE_SET, GOOD_FACTS | {fact: failing}).knocked_out
    assert [o.code for o in fired] == [code]
    assert fired[0].input == failing


def test_a_missing_slik_passes_and_says_so():
    decision = evaluate(STANDARD_RULE_SET, GOOD_FACTS | {"slik_worst_kol": None})
    slik = next(o for o in decision.outcomes if o.code == "SLIK_QUALITY")
    assert (slik.passed, slik.input) == (True, None)


def test_scorecard_points_grade_and_reasons():
    strong = evaluate(STANDARD_RULE_SET, GOOD_FACTS)
    # 35 age + 35 income + 30 employee + 30 owned + 30 employment + 35 dp + 25 tenor + 20 new
    # + 0 new customer + 10 no write-off + 15 + 15 verified + 10 documents = 290: grade A.
    assert (strong.score, strong.grade, strong.recommendation) == (290, "A", "approve")
    weak = evaluate(
        STANDARD_RULE_SET,
        GOOD_FACTS
        | {
            "residence_status": "rented",
            "down_payment_pct": Decimal("12"),
            "tenor_months": 48,
            "income_verified": False,
        },
    )
    assert weak.reason_codes == (
        "RENTED_RESIDENCE",
        "LOW_DOWN_PAYMENT",
        "LONG_TENOR",
        "INCOME_NOT_VERIFIED",
    )
    assert weak.score == 290 - 20 - 30 - 20 - 30
    assert (weak.grade, weak.recommendation) == ("C", "approve_with_conditions")


def broken(**changes: Any) -> dict[str, Any]:
    definition = copy.deepcopy(STANDARD_RULE_SET)
    for path, value in changes.items():
        target: Any = definition
        *parents, last = path.split("__")
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value
    return definition


@pytest.mark.parametrize(
    ("definition", "field", "rule"),
    [
        (broken(knockouts__0__field="shoe_size"), "knockouts[0].field", "unknown_fact"),
        (broken(knockouts__0__operator="=="), "knockouts[0].operator", "operator"),
        (broken(knockouts__0__threshold=[60, 21]), "knockouts[0].threshold", "threshold"),
        (broken(knockouts__2__threshold="yes"), "knockouts[2].threshold", "threshold"),
        (broken(knockouts__1__code="AGE_AT_APPLICATION"), "knockouts[1].code", "code"),
        (broken(scorecard__0__bands__1__min=20), "scorecard[0].bands[1]", "band_overlap"),
        (broken(scorecard__0__bands__0__points="ten"), "scorecard[0].bands[0].points", "points"),
        (broken(grades__1__min_score=300), "grades", "grade_floors"),
        (broken(grades__0__recommendation="yes"), "grades[0].recommendation", "recommendation"),
        (broken(parameters={}), "parameters.reference_flat_rate", "reference_rate"),
    ],
)
def test_bad_rule_definitions_are_refused_precisely(definition, field, rule):
    assert (field, rule) in [(f, r) for f, _, r in definition_problems(definition)]


def test_the_standard_rule_set_is_valid():
    assert definition_problems(STANDARD_RULE_SET) == []


# --- through the API ---------------------------------------------------------------------


def prescreened(client: TestClient, database, **patch: Any) -> str:
    number = submit(client, DEALER, **patch)
    force_state(database, number, "SURVEYED")
    assert client.post(f"/v1/contracts/{number}/prescreening", headers=ANALYST).status_code == 200
    return number


def test_one_contract_from_surveyed_to_simulated(client: TestClient, database):
    number = prescreened(client, database)
    scored = client.post(f"/v1/contracts/{number}/fatal-scores", json={}, headers=ANALYST)
    assert scored.status_code == 200, scored.text
    body = scored.json()
    assert (body["contract_state"], body["rule_set_version"], body["knocked_out"]) == (
        "SCORED",
        1,
        False,
    )
    assert all(o["passed"] for o in body["outcomes"])
    simulated = client.post(
        f"/v1/contracts/{number}/simulation",
        headers=ANALYST,
        json={"package_code": f"MC-REG-{YEAR}", "tenor_months": 24, "down_payment": 6_000_000},
    )
    assert simulated.status_code == 200, simulated.text
    quote = simulated.json()
    assert quote["contract_state"] == "SIMULATED"
    # 20,000,000 OTR, 6,000,000 down, insurance 1.5 % on 100 % and 85 % financed:
    # 300,000 + 255,000; amount financed 14,555,000; 18 % flat for 2 years: 5,239,800;
    # 19,794,800 / 24 = 824,783.33 -> 825,000.
    assert (quote["amount_financed"], quote["flat_interest"], quote["installment"]) == (
        14_555_000,
        5_239_800,
        825_000,
    )
    # What the customer pays beyond the amount financed: 825,000 x 24 - 14,555,000.
    assert quote["total_interest"] == 5_245_000
    assert quote["paid_at_signing"] == 6_000_000 + 500_000 + 50_000 + 150_000
    assert len(quote["schedule"]) == 24
    events = [e["action"] for e in client.get(f"/v1/contracts/{number}/events", headers=CS).json()]
    assert events[-3:] == ["prescreen", "score", "simulate"]
    again = client.post(
        f"/v1/contracts/{number}/simulation",
        headers=ANALYST,
        json={"package_code": f"MC-REG-{YEAR}", "tenor_months": 36, "down_payment": 8_000_000},
    )
    assert again.json()["tenor_months"] == 36
    shown = client.get(f"/v1/contracts/{number}/simulation", headers=CS).json()
    assert shown["installment"] == again.json()["installment"]


def test_a_knock_out_rejects_with_its_reasons(client: TestClient, database):
    # Income of Rp 1,500,000 cannot carry an installment of about Rp 820,000.
    number = prescreened(client, database, applicant={"employment": {"monthly_income": 1_500_000}})
    scored = client.post(f"/v1/contracts/{number}/fatal-scores", json={}, headers=ANALYST).json()
    assert scored["contract_state"] == "REJECTED"
    assert [o["code"] for o in scored["outcomes"] if not o["passed"]] == ["INSTALLMENT_TO_INCOME"]
    events = client.get(f"/v1/contracts/{number}/events", headers=CS).json()
    assert events[-1]["reason"] == "fatal_scores: INSTALLMENT_TO_INCOME"


def test_a_deviation_overrides_exactly_the_knock_outs(client: TestClient, database):
    number = prescreened(client, database, applicant={"employment": {"monthly_income": 1_500_000}})
    url = f"/v1/contracts/{number}/fatal-scores"
    wrong = client.post(
        url,
        headers=ANALYST,
        json={
            "deviation": {
                "rules": ["SLIK_QUALITY"],
                "justification": "Suami bekerja, penghasilan terverifikasi",
            }
        },
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["rule"] == "deviation_rules"
    right = client.post(
        url,
        headers=ANALYST,
        json={
            "deviation": {
                "rules": ["INSTALLMENT_TO_INCOME"],
                "justification": "Suami bekerja, penghasilan terverifikasi",
            }
        },
    )
    assert right.status_code == 200
    assert right.json()["contract_state"] == "SCORED"
    assert right.json()["deviation"]["rules"] == ["INSTALLMENT_TO_INCOME"]


def test_slik_is_required_above_the_product_setting(client: TestClient, database):
    client.patch("/v1/products/MC", json={"slik_required_above": 10_000_000}, headers=ADMIN)
    number = prescreened(client, database)
    url = f"/v1/contracts/{number}/fatal-scores"
    assert client.post(url, json={}, headers=ANALYST).status_code == 409
    slik = {
        "worst_kol": 3,
        "outstanding": 4_000_000,
        "facilities": 1,
        "checked_on": today_jakarta().isoformat(),
    }
    assert (
        client.post(f"/v1/contracts/{number}/slik", json=slik, headers=ANALYST).status_code == 201
    )
    scored = client.post(url, json={}, headers=ANALYST).json()
    assert [o["code"] for o in scored["outcomes"] if not o["passed"]] == ["SLIK_QUALITY"]


def test_an_old_decision_keeps_the_version_and_outcomes_that_made_it(client: TestClient, database):
    number = prescreened(client, database)
    client.post(f"/v1/contracts/{number}/fatal-scores", json={}, headers=ANALYST)
    stricter = copy.deepcopy(STANDARD_RULE_SET)
    stricter["knockouts"][4]["threshold"] = 5  # installment at most 5 % of income
    published = client.post(
        "/v1/rule-sets",
        headers=ADMIN,
        json={"product_code": "MC", "note": "Stricter DSR", "definition": stricter},
    )
    assert (published.status_code, published.json()["version"]) == (201, 2)
    versions = client.get("/v1/rule-sets?product=MC", headers=CS).json()["items"]
    assert [(v["version"], v["status"]) for v in versions] == [(2, "active"), (1, "retired")]
    old = client.get(f"/v1/contracts/{number}/fatal-scores", headers=CS).json()
    assert old["rule_set_version"] == 1
    assert all(o["passed"] for o in old["outcomes"])
    newer = prescreened(client, database)
    decided = client.post(f"/v1/contracts/{newer}/fatal-scores", json={}, headers=ANALYST).json()
    assert decided["rule_set_version"] == 2
    assert decided["contract_state"] == "REJECTED"


def test_bad_rule_sets_are_refused_through_the_api(client: TestClient):
    refused = client.post(
        "/v1/rule-sets",
        headers=ADMIN,
        json={"product_code": "MC", "definition": broken(knockouts__0__field="shoe_size")},
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "definition.knockouts[0].field"
    assert (
        client.post(
            "/v1/rule-sets",
            headers=CS,
            json={"product_code": "MC", "definition": STANDARD_RULE_SET},
        ).status_code
        == 403
    )
