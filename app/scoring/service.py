"""Stage 3 — fatal scores: publish rule sets, record SLIK, decide, and store the decision."""

from dataclasses import asdict
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.auth.service import Principal
from app.contracts.models import Contract
from app.contracts.service import ensure_allowed, latest_of, transition
from app.contracts.states import Action, ContractState
from app.core.clock import today_jakarta
from app.core.errors import Conflict, FieldError, NotFound, Unprocessable, invalid
from app.core.i18n import _, format_rupiah
from app.prescreening.models import ContractParty, Prescreening
from app.prescreening.service import note_rejection
from app.reference.models import Product
from app.reference.service import by_code
from app.scoring.facts import facts_of
from app.scoring.models import FatalScore, RuleSet, SlikCheck
from app.scoring.rules import definition_problems, evaluate
from app.scoring.schemas import DeviationIn, SlikIn
from app.simulation.calc import Terms, quote
from app.survey.models import SurveyOrder


def publish(
    session: Session,
    principal: Principal,
    product_code: str,
    definition: dict[str, Any],
    note: str | None,
) -> RuleSet:
    """Check a rule set and make it the product's active version; the old one retires."""
    product = by_code(session, Product, product_code, field="product_code")
    problems = definition_problems(definition)
    if problems:
        raise invalid(
            [FieldError(field=f"definition.{f}", message=m, rule=r) for f, m, r in problems]
        )
    latest = session.scalar(
        select(func.max(RuleSet.version)).where(RuleSet.product_id == product.id)
    )
    session.execute(
        update(RuleSet)
        .where(RuleSet.product_id == product.id, RuleSet.status == "active")
        .values(status="retired")
    )
    rule_set = RuleSet(
        product_id=product.id,
        version=(latest or 0) + 1,
        definition=definition,
        status="active",
        note=note,
        published_by_id=principal.user_id,
    )
    session.add(rule_set)
    session.flush()
    return rule_set


def active_rule_set(session: Session, product_id: int) -> RuleSet:
    rule_set = session.scalar(
        select(RuleSet).where(RuleSet.product_id == product_id, RuleSet.status == "active")
    )
    if rule_set is None:
        raise Conflict(_("No rule set is active for this product; head office publishes one."))
    return rule_set


def record_slik(
    session: Session, principal: Principal, contract: Contract, data: SlikIn
) -> SlikCheck:
    if data.checked_on > today_jakarta():
        raise Unprocessable.field(
            "checked_on", _("The check cannot be in the future."), "future_date"
        )
    check = SlikCheck(contract_id=contract.id, entered_by_id=principal.user_id, **data.model_dump())
    session.add(check)
    session.flush()
    transition(
        session,
        contract,
        Action.RECORD_SLIK,
        principal,
        payload={"worst_kol": data.worst_kol, "facilities": data.facilities},
    )
    return check


def _past_write_offs(session: Session, customer_id: int | None, contract: Contract) -> int:
    if customer_id is None:
        return 0
    return (
        session.scalar(
            select(func.count())
            .select_from(ContractParty)
            .join(Contract, Contract.id == ContractParty.contract_id)
            .where(
                ContractParty.customer_id == customer_id,
                Contract.id != contract.id,
                Contract.state == ContractState.WRITTEN_OFF.value,
            )
        )
        or 0
    )


def _survey(session: Session, contract: Contract) -> dict[str, Any] | None:
    order = session.scalar(
        select(SurveyOrder)
        .where(SurveyOrder.contract_id == contract.id, SurveyOrder.status == "done")
        .order_by(SurveyOrder.id.desc())
        .limit(1)
    )
    if order is None:
        return None
    return {
        "residence_verified": order.residence_verified,
        "income_verified": order.income_verified,
        "documents": order.documents,
    }


def decide(
    session: Session, principal: Principal, contract: Contract, deviation: DeviationIn | None
) -> FatalScore:
    """Apply the product's active rule set; reject on a knock-out unless the analyst
    overrides exactly the knocked-out rules as a deviation (approved later, higher up)."""
    ensure_allowed(contract, Action.SCORE, principal)
    product = session.get_one(Product, contract.product_id)
    rule_set = active_rule_set(session, product.id)
    slik = latest_of(session, SlikCheck, contract)
    financed = contract.otr_price - contract.down_payment
    if slik is None and financed > product.slik_required_above:
        raise Conflict(
            _(
                "Enter the SLIK result first: it is required when more than {amount} is financed."
            ).format(amount=format_rupiah(product.slik_required_above))
        )
    screening = latest_of(session, Prescreening, contract)
    result = screening.result if screening else {}
    definition = rule_set.definition
    estimate = quote(
        Terms(
            contract.otr_price,
            contract.down_payment,
            contract.tenor_months,
            Decimal(str(definition["parameters"]["reference_flat_rate"])),
        )
    )
    # The terms as they stand: a simulation chosen before a return may have changed them.
    terms = {"down_payment": contract.down_payment, "tenor_months": contract.tenor_months}
    facts = facts_of(
        {**contract.application, **terms},
        today=today_jakarta(),
        estimated_installment=estimate.installment,
        slik_worst_kol=slik.worst_kol if slik else None,
        negative_list_hit=bool(result.get("stops")),
        repeat_order=result.get("customer_type") == "repeat_order",
        past_write_offs=_past_write_offs(session, result.get("customer_id"), contract),
        survey=_survey(session, contract),
    )
    decision = evaluate(definition, facts)
    knocked = [o.code for o in decision.knocked_out]
    if deviation is not None:
        if not knocked:
            raise Unprocessable.field(
                "deviation", _("No knock-out fired: nothing to override."), "nothing_to_override"
            )
        if sorted(set(deviation.rules)) != sorted(knocked):
            raise Unprocessable.field(
                "deviation.rules",
                _("Override exactly the rules that fired: {rules}.").format(
                    rules=", ".join(knocked)
                ),
                "deviation_rules",
            )
    stored = FatalScore(
        contract_id=contract.id,
        rule_set_id=rule_set.id,
        rule_set_version=rule_set.version,
        facts={k: (str(v) if isinstance(v, Decimal) else v) for k, v in facts.items()},
        outcomes=[
            {
                **asdict(o),
                "threshold": o.threshold,
                "input": str(o.input) if isinstance(o.input, Decimal) else o.input,
            }
            for o in decision.outcomes
        ],
        points=[
            {"attribute": a, "input": str(v) if isinstance(v, Decimal) else v, "points": p}
            for a, v, p in decision.points
        ],
        score=decision.score,
        grade=decision.grade,
        recommendation=decision.recommendation,
        reason_codes=list(decision.reason_codes),
        knocked_out=bool(knocked),
        deviation=(
            {
                "rules": sorted(knocked),
                "justification": deviation.justification,
                "requested_by": principal.username,
            }
            if deviation
            else None
        ),
        decided_by_id=principal.user_id,
    )
    session.add(stored)
    session.flush()
    summary = {
        "fatal_score": stored.id,
        "rule_set_version": rule_set.version,
        "score": decision.score,
        "grade": decision.grade,
        "knocked_out": knocked,
        "deviation": deviation is not None,
    }
    if knocked and deviation is None:
        reason = f"fatal_scores: {', '.join(knocked)}"
        transition(session, contract, Action.REJECT, principal, reason=reason, payload=summary)
        note_rejection(session, contract, principal, reason)
    else:
        transition(session, contract, Action.SCORE, principal, payload=summary)
    return stored


def get_rule_set(session: Session, rule_set_id: int) -> RuleSet:
    rule_set = session.get(RuleSet, rule_set_id)
    if rule_set is None:
        raise NotFound(_("No rule set {id}.").format(id=rule_set_id))
    return rule_set
