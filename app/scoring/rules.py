"""Stage 3 — fatal scores as data: knock-out rules, then a points scorecard and a grade.

A rule set is a plain document that the risk team edits and publishes as a new version; this
module checks one (``definition_problems``) and applies it to a contract's facts
(``evaluate``). Nothing here knows about the database or the web: a decision is a pure
function of the rule set and the facts, so it can be explained, and replayed, years later.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.core.i18n import _

# The facts a rule may test, and their kind. ``number`` facts compare with <, <=, >=, >,
# between; ``flag`` facts with ==; ``category`` facts with in / not_in.
FACTS: dict[str, str] = {
    "age_at_application": "number",  # years
    "age_at_maturity": "number",  # years, at the end of the tenor
    "nik_consistent": "flag",  # the NIK agrees with the stated birth date and sex
    "down_payment_pct": "number",  # of the OTR price
    "installment_to_income_pct": "number",  # estimated installment / monthly income
    "monthly_income": "number",  # rupiah (a company's revenue)
    "slik_worst_kol": "number",  # 1..5 from the credit bureau; missing when not checked
    "negative_list_hit": "flag",  # a bad-customer hit at pre-screening
    "months_employed": "number",
    "vehicle_age_at_maturity": "number",  # years
    "tenor_months": "number",
    "occupation": "category",
    "residence_status": "category",
    "vehicle_condition": "category",  # new | used
    "repeat_order": "flag",
    "past_write_offs": "number",  # written-off contracts of this customer
    "residence_verified": "flag",  # by the surveyor
    "income_verified": "flag",
    "documents_missing": "number",  # of the survey checklist
}
OPERATORS = {
    "number": {"<", "<=", ">=", ">", "between"},
    "flag": {"=="},
    "category": {"in", "not_in"},
}
GRADES = ("A", "B", "C", "D", "E")
RECOMMENDATIONS = ("approve", "approve_with_conditions", "review", "decline")

Problem = tuple[str, str, str]


def _number(value: Any) -> bool:
    return (
        isinstance(value, int | float | Decimal | str)
        and not isinstance(value, bool)
        and (_as_decimal(value) is not None)
    )


def _as_decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def _threshold_problems(path: str, kind: str, operator: str, threshold: Any) -> list[Problem]:
    if kind == "number" and operator == "between":
        ok = (isinstance(threshold, list) and len(threshold) == 2
              and all(_number(t) for t in threshold)
              and Decimal(str(threshold[0])) <= Decimal(str(threshold[1])))  # fmt: skip
        return [] if ok else [(f"{path}.threshold", _("between takes [low, high], low <= high."),
                               "threshold")]  # fmt: skip
    if kind == "number":
        return [] if _number(threshold) else [(f"{path}.threshold", _("A number is needed."),
                                               "threshold")]  # fmt: skip
    if kind == "flag":
        return [] if isinstance(threshold, bool) else [(f"{path}.threshold",
                                                        _("true or false is needed."),
                                                        "threshold")]  # fmt: skip
    listed = isinstance(threshold, list) and bool(threshold)
    ok = listed and all(isinstance(t, str) for t in threshold)
    return [] if ok else [(f"{path}.threshold", _("A list of values is needed."), "threshold")]


def definition_problems(definition: dict[str, Any]) -> list[Problem]:
    """Everything wrong with a rule set, each with its path, message and rule."""
    problems: list[Problem] = []
    codes: set[str] = set()
    for i, rule in enumerate(definition.get("knockouts", [])):
        path = f"knockouts[{i}]"
        code, field, operator = rule.get("code"), rule.get("field"), rule.get("operator")
        if not code or code in codes:
            problems.append((f"{path}.code", _("Each rule needs a code of its own."), "code"))
        codes.add(code)
        kind = FACTS.get(field or "")
        if kind is None:
            message = _("Unknown fact {fact!r}; known: {known}.")
            known = ", ".join(sorted(FACTS))
            problems.append((f"{path}.field", message.format(fact=field, known=known),
                             "unknown_fact"))  # fmt: skip
            continue
        if operator not in OPERATORS[kind]:
            message = _("{fact} is a {kind}: use {operators}.")
            operators = ", ".join(sorted(OPERATORS[kind]))
            problems.append((f"{path}.operator", message.format(fact=field, kind=kind,
                             operators=operators), "operator"))  # fmt: skip
            continue
        problems += _threshold_problems(path, kind, operator, rule.get("threshold"))
    for i, item in enumerate(definition.get("scorecard", [])):
        path = f"scorecard[{i}]"
        kind = FACTS.get(item.get("attribute", ""))
        if kind is None:
            message = _("Unknown fact {fact!r}.").format(fact=item.get("attribute"))
            problems.append((f"{path}.attribute", message, "unknown_fact"))
            continue
        bands = item.get("bands") or []
        if not bands:
            problems.append((f"{path}.bands", _("An attribute needs at least one band."), "bands"))
        spans: list[tuple[Decimal, Decimal]] = []
        for j, band in enumerate(bands):
            bpath = f"{path}.bands[{j}]"
            if not isinstance(band.get("points"), int) or isinstance(band.get("points"), bool):
                problems.append((f"{bpath}.points", _("Points are a whole number."), "points"))
            if kind == "number":
                low, high = band.get("min"), band.get("max")
                if (low is not None and not _number(low)) or (
                    high is not None and not _number(high)
                ):
                    problems.append((bpath, _("min and max are numbers (or absent)."), "band"))
                    continue
                lo = Decimal(str(low)) if low is not None else Decimal("-Infinity")
                hi = Decimal(str(high)) if high is not None else Decimal("Infinity")
                if lo >= hi:
                    problems.append((bpath, _("min must be below max."), "band"))
                elif any(lo < h and l < hi for l, h in spans):  # noqa: E741
                    problems.append((bpath, _("Bands of one attribute may not overlap."),
                                     "band_overlap"))  # fmt: skip
                spans.append((lo, hi))
            elif kind == "flag" and not isinstance(band.get("value"), bool):
                problems.append((f"{bpath}.value", _("A flag band has value true or false."),
                                 "band"))  # fmt: skip
            elif kind == "category" and not isinstance(band.get("values"), list):
                problems.append((f"{bpath}.values", _("A category band lists its values."),
                                 "band"))  # fmt: skip
    grades = definition.get("grades") or []
    if [g.get("grade") for g in grades] != list(GRADES):
        problems.append(("grades", _("Grades A to E, in that order."), "grades"))
    floors = [g.get("min_score") for g in grades]
    ordered = all(isinstance(f, int) for f in floors) and floors == sorted(floors, reverse=True)
    if not ordered or len(set(floors)) != len(floors):
        problems.append(("grades", _("Each grade's min_score is a whole number, strictly below "
                                     "the grade above."), "grade_floors"))  # fmt: skip
    for i, grade in enumerate(grades):
        if grade.get("recommendation") not in RECOMMENDATIONS:
            message = _("One of {values}.").format(values=", ".join(RECOMMENDATIONS))
            problems.append((f"grades[{i}].recommendation", message, "recommendation"))
    rate = definition.get("parameters", {}).get("reference_flat_rate")
    if rate is None or not _number(rate) or not Decimal("0") < Decimal(str(rate)) < 1:
        problems.append(("parameters.reference_flat_rate", _("The flat rate per year used to "
                         "estimate the installment, e.g. '0.20'."), "reference_rate"))  # fmt: skip
    return problems


@dataclass(frozen=True)
class RuleOutcome:
    code: str
    field: str
    operator: str
    threshold: Any
    input: Any
    passed: bool
    message: str


@dataclass(frozen=True)
class Decision:
    outcomes: tuple[RuleOutcome, ...]
    points: tuple[tuple[str, Any, int], ...]  # attribute, input, points
    score: int
    grade: str
    recommendation: str
    reason_codes: tuple[str, ...]

    @property
    def knocked_out(self) -> tuple[RuleOutcome, ...]:
        return tuple(o for o in self.outcomes if not o.passed)


def _passes(operator: str, value: Any, threshold: Any) -> bool:
    if operator == "==":
        return bool(value == threshold)
    if operator in ("in", "not_in"):
        return (value in threshold) == (operator == "in")
    number = Decimal(str(value))
    if operator == "between":
        return Decimal(str(threshold[0])) <= number <= Decimal(str(threshold[1]))
    limit = Decimal(str(threshold))
    return {"<": number < limit, "<=": number <= limit, ">=": number >= limit,
            ">": number > limit}[operator]  # fmt: skip


def _band_points(kind: str, bands: list[dict[str, Any]], value: Any) -> tuple[int, str | None]:
    for band in bands:
        if kind == "number" and value is not None:
            low, high = band.get("min"), band.get("max")
            number = Decimal(str(value))
            if (low is None or number >= Decimal(str(low))) and (
                high is None or number < Decimal(str(high))
            ):
                return band["points"], band.get("reason")
        elif (kind == "flag" and value is band.get("value")) or (
            kind == "category" and value in band.get("values", [])
        ):
            return band["points"], band.get("reason")
    return 0, None


def evaluate(definition: dict[str, Any], facts: dict[str, Any]) -> Decision:
    """Apply a (checked) rule set to the facts of one contract.

    A knock-out whose fact is missing (``None``: SLIK not checked for a small amount) passes,
    and its outcome says so; a number band is ``min <= value < max``.
    """
    outcomes = []
    for rule in definition.get("knockouts", []):
        value = facts.get(rule["field"])
        passed = value is None or _passes(rule["operator"], value, rule["threshold"])
        outcomes.append(RuleOutcome(
            code=rule["code"], field=rule["field"], operator=rule["operator"],
            threshold=rule["threshold"], input=value, passed=passed,
            message=rule.get("message") or rule["code"],
        ))  # fmt: skip
    points, reasons = [], []
    for item in definition.get("scorecard", []):
        attribute = item["attribute"]
        value = facts.get(attribute)
        got, reason = _band_points(FACTS[attribute], item["bands"], value)
        points.append((attribute, value, got))
        if reason:
            reasons.append(reason)
    score = sum(p for _attribute, _input, p in points)
    grade = next(g for g in [*definition["grades"], {"grade": "E", "min_score": None,
                                                     "recommendation": "decline"}]
                 if g["min_score"] is None or score >= g["min_score"])  # fmt: skip
    return Decision(
        outcomes=tuple(outcomes),
        points=tuple(points),
        score=score,
        grade=grade["grade"],
        recommendation=grade["recommendation"],
        reason_codes=tuple(reasons),
    )
