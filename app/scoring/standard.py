"""The rule set the demo data publishes as version 1 for each product: a starting point that a
risk team would tune, shaped like those Indonesian multifinance companies use."""

from typing import Any

STANDARD_RULE_SET: dict[str, Any] = {
    "parameters": {"reference_flat_rate": "0.20"},
    "knockouts": [
        {
            "code": "AGE_AT_APPLICATION",
            "field": "age_at_application",
            "operator": "between",
            "threshold": [21, 60],
            "message": "Applicant must be 21 to 60 years old",
        },
        {
            "code": "AGE_AT_MATURITY",
            "field": "age_at_maturity",
            "operator": "<=",
            "threshold": 65,
            "message": "Applicant must be at most 65 at the end of the tenor",
        },
        {
            "code": "NIK_CONSISTENT",
            "field": "nik_consistent",
            "operator": "==",
            "threshold": True,
            "message": "NIK must agree with birth date and sex",
        },
        {
            "code": "DOWN_PAYMENT",
            "field": "down_payment_pct",
            "operator": ">=",
            "threshold": 10,
            "message": "Down payment at least 10 % of OTR",
        },
        {
            "code": "INSTALLMENT_TO_INCOME",
            "field": "installment_to_income_pct",
            "operator": "<=",
            "threshold": 35,
            "message": "Installment at most 35 % of monthly income",
        },
        {
            "code": "SLIK_QUALITY",
            "field": "slik_worst_kol",
            "operator": "<=",
            "threshold": 2,
            "message": "No credit-bureau quality of Kol-3 or worse",
        },
        {
            "code": "NEGATIVE_LIST",
            "field": "negative_list_hit",
            "operator": "==",
            "threshold": False,
            "message": "Not on the negative list",
        },
        {
            "code": "EMPLOYMENT",
            "field": "months_employed",
            "operator": ">=",
            "threshold": 6,
            "message": "At least 6 months in the present job or business",
        },
        {
            "code": "VEHICLE_AGE",
            "field": "vehicle_age_at_maturity",
            "operator": "<=",
            "threshold": 15,
            "message": "Vehicle at most 15 years old at the end of the tenor",
        },
    ],
    "scorecard": [
        {
            "attribute": "age_at_application",
            "bands": [
                {"max": 25, "points": 10, "reason": "YOUNG_APPLICANT"},
                {"min": 25, "max": 35, "points": 25},
                {"min": 35, "max": 50, "points": 35},
                {"min": 50, "points": 20},
            ],
        },
        {
            "attribute": "monthly_income",
            "bands": [
                {"max": 3_000_000, "points": 5, "reason": "LOW_INCOME"},
                {"min": 3_000_000, "max": 6_000_000, "points": 20},
                {"min": 6_000_000, "max": 15_000_000, "points": 35},
                {"min": 15_000_000, "points": 45},
            ],
        },
        {
            "attribute": "occupation",
            "bands": [
                {"values": ["civil_servant", "military_police"], "points": 40},
                {"values": ["employee", "professional"], "points": 30},
                {"values": ["entrepreneur"], "points": 20},
                {"values": ["driver", "farmer_fisher", "retired"], "points": 15},
                {"values": ["housewife", "other"], "points": 5, "reason": "UNSTABLE_OCCUPATION"},
            ],
        },
        {
            "attribute": "residence_status",
            "bands": [
                {"values": ["owned"], "points": 30},
                {"values": ["family", "official"], "points": 20},
                {"values": ["rented"], "points": 10, "reason": "RENTED_RESIDENCE"},
                {"values": ["other"], "points": 5, "reason": "RENTED_RESIDENCE"},
            ],
        },
        {
            "attribute": "months_employed",
            "bands": [
                {"max": 12, "points": 5, "reason": "SHORT_EMPLOYMENT"},
                {"min": 12, "max": 36, "points": 15},
                {"min": 36, "points": 30},
            ],
        },
        {
            "attribute": "down_payment_pct",
            "bands": [
                {"max": 20, "points": 5, "reason": "LOW_DOWN_PAYMENT"},
                {"min": 20, "max": 30, "points": 20},
                {"min": 30, "points": 35},
            ],
        },
        {
            "attribute": "tenor_months",
            "bands": [
                {"max": 13, "points": 30},
                {"min": 13, "max": 25, "points": 25},
                {"min": 25, "max": 37, "points": 15},
                {"min": 37, "points": 5, "reason": "LONG_TENOR"},
            ],
        },
        {
            "attribute": "vehicle_condition",
            "bands": [
                {"values": ["new"], "points": 20},
                {"values": ["used"], "points": 5, "reason": "USED_VEHICLE"},
            ],
        },
        {
            "attribute": "repeat_order",
            "bands": [{"value": True, "points": 20}, {"value": False, "points": 0}],
        },
        {
            "attribute": "past_write_offs",
            "bands": [
                {"max": 1, "points": 10},
                {"min": 1, "points": -60, "reason": "PAST_WRITE_OFF"},
            ],
        },
        {
            "attribute": "residence_verified",
            "bands": [
                {"value": True, "points": 15},
                {"value": False, "points": -20, "reason": "RESIDENCE_NOT_VERIFIED"},
            ],
        },
        {
            "attribute": "income_verified",
            "bands": [
                {"value": True, "points": 15},
                {"value": False, "points": -15, "reason": "INCOME_NOT_VERIFIED"},
            ],
        },
        {
            "attribute": "documents_missing",
            "bands": [
                {"max": 1, "points": 10},
                {"min": 1, "points": -10, "reason": "DOCUMENTS_MISSING"},
            ],
        },
    ],
    "grades": [
        {"grade": "A", "min_score": 260, "recommendation": "approve"},
        {"grade": "B", "min_score": 210, "recommendation": "approve"},
        {"grade": "C", "min_score": 160, "recommendation": "approve_with_conditions"},
        {"grade": "D", "min_score": 110, "recommendation": "review"},
        {"grade": "E", "min_score": -1000, "recommendation": "decline"},
    ],
}
