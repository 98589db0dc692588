"""Stage 3 — `/v1/rule-sets`, `POST /v1/contracts/{number}/slik`, `.../fatal-scores`."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.dependencies import current_principal, require
from app.auth.roles import Permission
from app.auth.service import Principal, username_of
from app.contracts.models import Contract
from app.contracts.router import IfMatch, transition_route
from app.contracts.service import check_if_match, get_visible, latest_of
from app.contracts.states import Action
from app.core.dependencies import DbSession
from app.core.errors import NotFound, problem_responses
from app.core.i18n import _
from app.core.idempotency import Idempotent
from app.core.inputs import STORED
from app.core.pagination import RowId
from app.reference.models import Product
from app.scoring import service
from app.scoring.models import FatalScore, RuleSet, SlikCheck
from app.scoring.schemas import (
    FatalScoreOut,
    FatalScoresIn,
    RuleSetIn,
    RuleSetList,
    RuleSetOut,
    SlikIn,
    SlikOut,
)

router = APIRouter(prefix="/v1", tags=["stage 3 — fatal scores"])
Actor = Annotated[Principal, Depends(current_principal)]
Reader = Annotated[Principal, Depends(require(Permission.REFERENCE_READ))]
Writer = Annotated[Principal, Depends(require(Permission.REFERENCE_WRITE))]
DecisionReader = Annotated[Principal, Depends(require(Permission.DECISION_READ))]


def _rule_set_out(session: Session, rule_set: RuleSet) -> RuleSetOut:
    product = session.get_one(Product, rule_set.product_id)
    return RuleSetOut(
        id=rule_set.id,
        product_code=product.code,
        version=rule_set.version,
        status=rule_set.status,
        note=rule_set.note,
        published_by=username_of(session, rule_set.published_by_id),
        published_at=rule_set.published_at,
        definition=rule_set.definition,
    )


@router.get(
    "/rule-sets", summary="Rule sets, every version, newest first", responses=problem_responses(403)
)
def list_rule_sets(
    session: DbSession,
    _: Reader,
    product: Annotated[str | None, Query(description="Product code")] = None,
) -> RuleSetList:
    query = select(RuleSet).join(Product, Product.id == RuleSet.product_id)
    if product is not None:
        query = query.where(Product.code == product)
    rows = session.scalars(query.order_by(Product.code, RuleSet.version.desc()))
    return RuleSetList(items=[_rule_set_out(session, r) for r in rows])


@router.get(
    "/rule-sets/{rule_set_id}",
    summary="One rule set version",
    responses=problem_responses(403, 404),
)
def get_rule_set(rule_set_id: RowId, session: DbSession, _: Reader) -> RuleSetOut:
    return _rule_set_out(session, service.get_rule_set(session, rule_set_id))


@router.post(
    "/rule-sets",
    summary="Publish a new rule-set version; it becomes the active one",
    status_code=status.HTTP_201_CREATED,
    response_model=RuleSetOut,
    responses=problem_responses(403, 404),
)
def publish_rule_set(
    data: RuleSetIn, once: Idempotent, session: DbSession, principal: Writer
) -> JSONResponse:
    def work() -> tuple[RuleSetOut, dict[str, str]]:
        published = service.publish(
            session, principal, data.product_code, data.definition, data.note
        )
        return _rule_set_out(session, published), {}

    return once.run(principal.user_id, data, status.HTTP_201_CREATED, work)


def _slik_out(session: Session, contract: Contract, check: SlikCheck) -> SlikOut:
    return SlikOut.model_validate(
        {
            "contract_number": contract.number,
            "worst_kol": check.worst_kol,
            "outstanding": check.outstanding,
            "facilities": check.facilities,
            "checked_on": check.checked_on,
            "entered_by": username_of(session, check.entered_by_id) or "",
            "entered_at": check.entered_at,
        },
        context=STORED,
    )


@router.post(
    "/contracts/{number}/slik",
    summary="Enter the applicant's SLIK (credit bureau) result",
    status_code=status.HTTP_201_CREATED,
    response_model=SlikOut,
    **transition_route(Action.RECORD_SLIK),
)
def record_slik(
    number: str,
    data: SlikIn,
    once: Idempotent,
    session: DbSession,
    principal: Actor,
    if_match: IfMatch = None,
) -> JSONResponse:
    def work() -> tuple[SlikOut, dict[str, str]]:
        contract = get_visible(session, principal, number)
        check_if_match(contract, if_match)
        check = service.record_slik(session, principal, contract, data)
        return _slik_out(session, contract, check), {}

    return once.run(principal.user_id, data, status.HTTP_201_CREATED, work)


def fatal_score_out(session: Session, contract: Contract, stored: FatalScore) -> FatalScoreOut:
    return FatalScoreOut.model_validate(
        {
            "contract_number": contract.number,
            "contract_state": contract.state,
            "rule_set_version": stored.rule_set_version,
            "knocked_out": stored.knocked_out,
            "score": stored.score,
            "grade": stored.grade,
            "recommendation": stored.recommendation,
            "reason_codes": stored.reason_codes,
            "outcomes": stored.outcomes,
            "points": stored.points,
            "facts": stored.facts,
            "deviation": stored.deviation,
            "decided_by": username_of(session, stored.decided_by_id),
            "decided_at": stored.decided_at,
        }
    )


@router.post(
    "/contracts/{number}/fatal-scores",
    summary="Knock-out rules, then the scorecard: SCORED, or REJECTED with the reasons",
    response_model=FatalScoreOut,
    **transition_route(Action.SCORE),
)
def score_contract(
    number: str, data: FatalScoresIn, session: DbSession, principal: Actor, if_match: IfMatch = None
) -> FatalScoreOut:
    contract = get_visible(session, principal, number)
    check_if_match(contract, if_match)
    stored = service.decide(session, principal, contract, data.deviation)
    return fatal_score_out(session, contract, stored)


@router.get(
    "/contracts/{number}/fatal-scores",
    summary="The stored decision, with the rule-set version that made it",
    responses=problem_responses(403, 404),
)
def get_fatal_scores(number: str, session: DbSession, principal: DecisionReader) -> FatalScoreOut:
    contract = get_visible(session, principal, number)
    stored = latest_of(session, FatalScore, contract)
    if stored is None:
        raise NotFound(
            _("Contract {number} has no fatal-scores decision yet.").format(number=number)
        )
    return fatal_score_out(session, contract, stored)
