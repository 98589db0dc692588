"""Stage 2 — pre-screening, rejection, customers and the negative list."""

import copy
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query, status
from fastapi.responses import JSONResponse
from sqlalchemy import select

from app.auth.dependencies import current_principal, require
from app.auth.roles import Permission
from app.auth.service import Principal, username_of
from app.contracts.models import Contract
from app.contracts.router import IfMatch, transition_out, transition_route
from app.contracts.schemas import TransitionOut
from app.contracts.service import check_if_match, get_visible, latest_of, transition
from app.contracts.states import Action
from app.contracts.views import masked
from app.core.dependencies import DbSession
from app.core.errors import NotFound, problem_responses
from app.core.i18n import _, gettext
from app.core.idempotency import Idempotent
from app.core.pagination import RowId, decode_cursor, encode_cursor
from app.core.privacy import SEES_PERSONAL_DATA
from app.prescreening import service
from app.prescreening.evidence import Outcome
from app.prescreening.explanations import describe, summary
from app.prescreening.imports import import_csv, negative_entry
from app.prescreening.matching import Identity
from app.prescreening.models import ContractParty, Customer, NegativeEntry, Prescreening
from app.prescreening.schemas import (
    CustomerContract,
    CustomerOut,
    IdentityIn,
    ImportReport,
    MatchesOut,
    NegativeEntryIn,
    NegativeEntryOut,
    NegativeEntryPage,
    PrescreeningOut,
    RejectionIn,
    RemovalIn,
    ReviewIn,
)
from app.reference.models import Dealer

router = APIRouter(prefix="/v1", tags=["stage 2 — pre-screening"])
Actor = Annotated[Principal, Depends(current_principal)]
ListReader = Annotated[Principal, Depends(require(Permission.NEGATIVE_LIST_READ))]
ListWriter = Annotated[Principal, Depends(require(Permission.NEGATIVE_LIST_WRITE))]
CustomerReader = Annotated[Principal, Depends(require(Permission.CUSTOMER_READ))]
DecisionReader = Annotated[Principal, Depends(require(Permission.DECISION_READ))]
Matcher = Annotated[Principal, Depends(require(Permission.CUSTOMER_MATCH))]

# In an explanation the values are the applicant's and the known person's: mask them the same.
_EXPLAINED = {"nik", "mother_maiden_name"}


# Results stored before the weights (agree / weak, no weight): read in today's terms.
_OLD_LEVELS = {"agree": "exact", "weak": "partial"}


def _upgraded(party: dict[str, Any]) -> None:
    party.setdefault("outcome", "repeat_order" if party.get("repeat_order") else "new_customer")
    for item in [*party["candidates"], *party["negative_hits"]]:
        item.setdefault("weight", 0.0)
        item.setdefault("review_reason", None)
        item.setdefault("outcome", "repeat_order" if item.get("same_person") else "new_customer")
        for field in item["fields"]:
            field["agreement"] = _OLD_LEVELS.get(field["agreement"], field["agreement"])
            field.setdefault("weight", 0.0)


def _worded(result: dict[str, Any]) -> dict[str, Any]:
    """The stored result with its evidence put in words, in the reader's language."""
    out = copy.deepcopy(result)
    for party in out.get("parties", []):
        _upgraded(party)
        for candidate in party["candidates"]:
            candidate["summary"] = summary(candidate)
        for item in [*party["candidates"], *party["negative_hits"]]:
            for field in item["fields"]:
                field["explanation"] = describe(field)
    return out


def _shown(principal: Principal, result: dict[str, Any]) -> dict[str, object]:
    result = _worded(result)
    if principal.role in SEES_PERSONAL_DATA:
        return result
    out: dict[str, object] = masked(result)
    for party in out.get("parties", []):  # type: ignore[attr-defined]
        for item in [*party["candidates"], *party["negative_hits"]]:
            for field in item["fields"]:
                if field["field"] in _EXPLAINED:
                    field["applicant"] = field["known"] = "***"
    return out


def prescreening_out(
    session: DbSession, principal: Principal, contract: Contract, screening: Prescreening
) -> PrescreeningOut:
    decided_by = username_of(session, screening.decided_by_id)
    return PrescreeningOut.model_validate(
        {
            **_shown(principal, screening.result),
            "contract_number": contract.number,
            "contract_state": contract.state,
            "outcome": screening.outcome,
            "model_version": screening.model_version,
            "decided_by": decided_by,
            "decided_at": screening.decided_at,
        }
    )


@router.post(
    "/contracts/{number}/prescreening",
    summary="Duplicate check (New Customer / Repeat Order) and negative list",
    response_model=PrescreeningOut,
    **transition_route(Action.PRESCREEN),
)
def prescreen_contract(
    number: str,
    once: Idempotent,
    session: DbSession,
    principal: Actor,
    if_match: IfMatch = None,
) -> JSONResponse:
    def work() -> tuple[PrescreeningOut, dict[str, str]]:
        contract = get_visible(session, principal, number)
        check_if_match(contract, if_match)
        screening = service.prescreen(session, principal, contract)
        return prescreening_out(session, principal, contract, screening), {}

    return once.run(principal.user_id, None, status.HTTP_200_OK, work)


@router.get(
    "/contracts/{number}/prescreening",
    summary="The stored pre-screening outcome, as decided",
    responses=problem_responses(403, 404),
)
def get_prescreening(number: str, session: DbSession, principal: DecisionReader) -> PrescreeningOut:
    contract = get_visible(session, principal, number)
    screening = latest_of(session, Prescreening, contract)
    if screening is None:
        raise NotFound(_("Contract {number} has not been pre-screened.").format(number=number))
    return prescreening_out(session, principal, contract, screening)


@router.post(
    "/contracts/{number}/prescreening/review",
    summary="The analyst confirms or denies a Possible Repeat Order; the contract moves on to "
    "PRESCREENED when none is left",
    response_model=PrescreeningOut,
    **transition_route(Action.PRESCREEN, responses=problem_responses(422)),
)
def review_prescreening(
    number: str,
    data: ReviewIn,
    once: Idempotent,
    session: DbSession,
    principal: Actor,
    if_match: IfMatch = None,
) -> JSONResponse:
    def work() -> tuple[PrescreeningOut, dict[str, str]]:
        contract = get_visible(session, principal, number)
        check_if_match(contract, if_match)
        screening = service.review(
            session, principal, contract, customer_id=data.customer_id,
            same_person=data.same_person, reason=data.reason,
        )  # fmt: skip
        return prescreening_out(session, principal, contract, screening), {}

    return once.run(principal.user_id, data, status.HTTP_200_OK, work)


@router.post(
    "/contracts/{number}/rejection",
    summary="Reject the application with a reason code (analyst before approval, approver "
    "while pending)",
    **transition_route(Action.REJECT),
)
def reject_contract(
    number: str, data: RejectionIn, session: DbSession, principal: Actor, if_match: IfMatch = None
) -> TransitionOut:
    contract = get_visible(session, principal, number)
    check_if_match(contract, if_match)
    before = contract.state
    reason = f"{data.reason_code.value}: {data.note}"
    transition(session, contract, Action.REJECT, principal, reason=reason,
               payload={"reason_code": data.reason_code.value})  # fmt: skip
    service.note_rejection(session, contract, principal, reason)
    return transition_out(contract, Action.REJECT, before)


def _customer_out(session: DbSession, principal: Principal, customer: Customer) -> CustomerOut:
    rows = session.execute(
        select(Contract, ContractParty.role, Dealer.code)
        .join(ContractParty, ContractParty.contract_id == Contract.id)
        .join(Dealer, Dealer.id == Contract.dealer_id)
        .where(ContractParty.customer_id == customer.id)
        .order_by(Contract.id)
    ).all()
    contracts = [
        CustomerContract(number=c.number, role=role, state=c.state, dealer_code=dealer,
                         otr_price=c.otr_price, created_at=c.created_at)
        for c, role, dealer in rows
    ]  # fmt: skip
    listed = [
        NegativeEntryOut.model_validate(entry)
        for entry, _ in service.negative_hits(session, service.identity_of_record(customer))
    ]
    outcomes = {"active": "ACTIVE", "paid_off": "PAID_OFF", "written_off": "WRITTEN_OFF"}
    data = {
        "id": customer.id,
        "kind": customer.kind,
        "full_name": customer.full_name,
        "nik": customer.nik,
        "npwp": customer.npwp,
        "birth_date": customer.birth_date,
        "birth_place": customer.birth_place,
        "mother_maiden_name": customer.mother_maiden_name,
        "source": customer.source,
        "created_at": customer.created_at,
        "contracts": contracts,
        "negative_list": listed,
        "collection": {k: sum(c.state == v for c, _, _ in rows) for k, v in outcomes.items()},
    }
    if principal.role not in SEES_PERSONAL_DATA:
        data.update({k: masked({k: data[k]})[k] for k in ("nik", "mother_maiden_name") if data[k]})
        for entry in listed:
            entry.nik = masked({"nik": entry.nik})["nik"] if entry.nik else None
            entry.mother_maiden_name = "***" if entry.mother_maiden_name else None
    return CustomerOut.model_validate(data)


@router.post(
    "/customers/matches",
    summary="Duplicate check of one person against every known customer (nothing stored)",
    responses=problem_responses(403),
)
def match_person(data: IdentityIn, session: DbSession, principal: Matcher) -> MatchesOut:
    identity = Identity(**data.model_dump())
    model = service.current_model(session)
    matches = service.match_customers(session, identity, model)
    candidates = [
        service.candidate_of(customer.id, identity, service.identity_of_record(customer), result)
        for customer, result in matches
    ]
    first = {
        outcome: next((c["customer_id"] for c in candidates if c["outcome"] == outcome), None)
        for outcome in Outcome
    }
    outcome = (
        Outcome.REPEAT_ORDER if first[Outcome.REPEAT_ORDER]
        else Outcome.POSSIBLE_REPEAT_ORDER if first[Outcome.POSSIBLE_REPEAT_ORDER]
        else Outcome.NEW_CUSTOMER
    )  # fmt: skip
    shown = _shown(principal, {"parties": [{"candidates": candidates, "negative_hits": []}]})
    return MatchesOut(
        outcome=outcome.value,
        repeat_order_customer_id=first[Outcome.REPEAT_ORDER],
        possible_repeat_order_customer_id=None
        if first[Outcome.REPEAT_ORDER]
        else first[Outcome.POSSIBLE_REPEAT_ORDER],
        model_version=model.version,
        candidates=shown["parties"][0]["candidates"],  # type: ignore[index]
    )


@router.get(
    "/customers/{customer_id:int}",
    summary="A customer: identity (masked per role), contracts, negative list, collection",
    responses=problem_responses(403, 404),
)
def get_customer(customer_id: RowId, session: DbSession, principal: CustomerReader) -> CustomerOut:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(_("No customer {id}.").format(id=customer_id))
    return _customer_out(session, principal, customer)


@router.get(
    "/negative-list",
    summary="The negative list, newest first",
    responses=problem_responses(403),
)
def list_negative_entries(
    session: DbSession,
    _: ListReader,
    category: Literal["rejected_order", "fraud", "repossessed", "overdue_60",
                      "bounced_cheques", "blocked"] | None = None,
    active: bool = True,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the last page")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> NegativeEntryPage:  # fmt: skip
    query = select(NegativeEntry).where(NegativeEntry.active == active)
    if category is not None:
        query = query.where(NegativeEntry.category == category)
    after = decode_cursor(cursor)
    if after is not None:
        query = query.where(NegativeEntry.id < after)
    rows = list(session.scalars(query.order_by(NegativeEntry.id.desc()).limit(limit + 1)))
    items = [NegativeEntryOut.model_validate(r) for r in rows[:limit]]
    more = len(rows) > limit
    return NegativeEntryPage(items=items, next_cursor=encode_cursor(rows[limit - 1].id) if more
                             else None)  # fmt: skip


@router.post(
    "/negative-list",
    summary="Put a person or a vehicle on the negative list",
    status_code=status.HTTP_201_CREATED,
    response_model=NegativeEntryOut,
    responses=problem_responses(403),
)
def add_negative_entry(
    data: NegativeEntryIn, once: Idempotent, session: DbSession, principal: ListWriter
) -> JSONResponse:
    def work() -> tuple[NegativeEntryOut, dict[str, str]]:
        entry = negative_entry(data, "manual", principal.user_id)
        return NegativeEntryOut.model_validate(service.add_negative_entry(session, entry)), {}

    return once.run(principal.user_id, data, status.HTTP_201_CREATED, work)


@router.post(
    "/negative-list/{entry_id}/removal",
    summary="Take an entry off the negative list (kept, inactive, with the reason)",
    responses=problem_responses(403, 404),
)
def remove_negative_entry(
    entry_id: RowId, data: RemovalIn, session: DbSession, _: ListWriter
) -> NegativeEntryOut:
    entry = session.get(NegativeEntry, entry_id)
    if entry is None:
        raise NotFound(gettext("No negative-list entry {id}.").format(id=entry_id))
    entry.active = False
    entry.reason = f"{entry.reason or ''} | removed: {data.reason}".strip(" |")[:500]
    session.flush()
    return NegativeEntryOut.model_validate(entry)


@router.post(
    "/negative-list/import",
    summary="Import entries from CSV; good rows are kept, bad rows reported",
    responses=problem_responses(403),
)
def import_negative_list(
    session: DbSession,
    principal: ListWriter,
    csv_text: Annotated[
        str,
        Body(
            media_type="text/csv",
            description="Header: subject,category,full_name,nik,birth_date,birth_place,"
            "mother_maiden_name,chassis_number,engine_number,dealers,reason "
            "(dealers separated by ';')",
            # The file's bytes as they are (OpenAPI's raw body): a generated client sends a
            # file, where a plain string would be taken for JSON.
            json_schema_extra={"format": "binary"},
            examples=["subject,category,full_name,nik,birth_date\n"
                      "person,fraud,Bambang Hermawan,3171011708750003,1975-08-17\n"],
        ),
    ],
) -> ImportReport:  # fmt: skip
    return import_csv(session, csv_text.splitlines(), "negative", created_by=principal.user_id)
