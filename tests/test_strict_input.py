"""Strict input (issue 12): a value is taken only from its own JSON type, no string carries a
control or invisible character, and nothing reaches the database that it would refuse. Each
is refused with a 422 naming the field and the rule, and writes nothing."""

import copy
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from enum import Enum
from typing import Any, Literal, get_args, get_origin

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel, TypeAdapter
from sqlalchemy import BigInteger, Integer, String, select, update
from sqlalchemy.orm import InstrumentedAttribute

from app.applications.schemas import ApplicationIn, BoardMember, CompanyApplicant, PersonIdentity
from app.approval.models import ApprovalRequest, AuthorityLevel
from app.approval.schemas import ApprovalRequestIn, AuthorityLevelIn, DecisionIn, DeliveryIn
from app.audit.models import AuditFinding
from app.audit.router import FindingIn, ResolutionIn
from app.auth.models import User
from app.auth.schemas import UserIn
from app.collection.models import CollectionAction, CollectionConsent, Holiday
from app.collection.schemas import ActionIn, AssignmentIn, ConsentIn, HolidayIn
from app.contracts.models import Contract, ContractEvent
from app.contracts.schemas import CancellationIn
from app.core import inputs
from app.core.clock import today_jakarta
from app.prescreening.imports import import_csv
from app.prescreening.models import Customer, NegativeEntry
from app.prescreening.schemas import (
    IdentityIn,
    NegativeEntryIn,
    RejectionIn,
    RejectionReason,
    RemovalIn,
)
from app.reference.models import Area, Branch, Dealer, Product
from app.reference.schemas import (
    AreaIn,
    AreaPatch,
    BranchIn,
    BranchPatch,
    DealerIn,
    DealerPatch,
    ProductIn,
    ProductPatch,
)
from app.scoring.models import RuleSet, SlikCheck
from app.scoring.schemas import RuleSetIn, SlikIn
from app.scoring.standard import STANDARD_RULE_SET
from app.servicing.models import Collateral, LedgerEntry, Payment, Restructuring
from app.servicing.schemas import (
    CollateralIn,
    EntryReversalIn,
    PaymentIn,
    RefundIn,
    RestructuringDecisionIn,
    RestructuringIn,
    WaiverIn,
)
from app.simulation.models import Package
from app.simulation.schemas import PackageIn, PackagePatch
from app.survey.models import SurveyOrder
from app.survey.schemas import SurveyOrderIn, SurveyResultIn
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
    submit,
)
from tests.test_collection import active_contract
from tests.test_errors import assert_problem

HOLIDAY = {"day": "2026-12-25", "name": "Hari Raya Natal"}


def refused(response, field: str, rule: str | None = None) -> dict[str, Any]:
    problem = assert_problem(response, 422)
    fields = {(e["field"], e["rule"]) for e in problem["errors"]}
    assert any(f == field and (rule is None or r == rule) for f, r in fields), fields
    return problem


# -- 1. No coercion from other JSON types --------------------------------------------------


def test_a_json_number_is_neither_a_date_nor_a_boolean(client: TestClient, database):
    before = row_counts(database)
    refused(client.put("/v1/holidays", json={**HOLIDAY, "day": 0}, headers=ADMIN), "day")
    refused(client.patch("/v1/branches/JKT01", json={"active": 0}, headers=ADMIN), "active")
    refused(client.patch("/v1/branches/JKT01", json={"active": "false"}, headers=ADMIN), "active")
    assert row_counts(database) == before
    assert client.get("/v1/branches/JKT01", headers=ADMIN).json()["active"] is True


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"tenor_months": "24"}, "tenor_months"),
        ({"tenor_months": 24.0}, "tenor_months"),
        ({"tenor_months": True}, "tenor_months"),
        ({"vehicle": {"year": "2025"}}, "vehicle.year"),
        ({"applicant": {"years_at_address": "6"}}, "applicant.years_at_address"),
        ({"applicant": {"dependants": False}}, "applicant.dependants"),
        ({"applicant": {"birth_date": 0}}, "applicant.birth_date"),
        ({"applicant": {"birth_date": 19900817}}, "applicant.birth_date"),
        ({"applicant": {"birth_date": "1990-08-17T00:00:00"}}, "applicant.birth_date"),
        ({"applicant": {"birth_date": "17-08-1990"}}, "applicant.birth_date"),
    ],
)
def test_integers_and_dates_come_only_from_their_own_json_type(
    client: TestClient, database, patch: dict[str, Any], field: str
):
    before = row_counts(database)
    refused(client.post("/v1/contracts", json=application(**patch), headers=DEALER), field)
    assert row_counts(database) == before


def test_a_choice_of_numbers_is_not_met_by_a_boolean(client: TestClient):
    package = PackageIn.model_json_schema()["examples"][0]
    for value in (True, 1000.0, "1000"):
        response = client.post(
            "/v1/packages", json={**package, "code": "MC-X", "rounding_unit": value}, headers=ADMIN
        )
        refused(response, "rounding_unit")


def test_query_and_path_parameters_still_parse_from_text(client: TestClient):
    submit(client)
    listed = client.get(
        "/v1/contracts?limit=10&submitted_from=2026-01-01&submitted_to=2099-12-31", headers=CS
    )
    assert listed.status_code == 200, listed.text
    assert client.get("/v1/packages?valid_on=2026-06-01", headers=ANALYST).status_code == 200
    assert client.get("/v1/negative-list?active=false", headers=ANALYST).status_code == 200
    refused(client.get("/v1/contracts?limit=ten", headers=CS), "query.limit")


def test_a_date_field_takes_an_iso_string_or_a_date_and_nothing_else():
    day = TypeAdapter(inputs.BusinessDate)
    assert day.validate_python("2026-11-01") == date(2026, 11, 1)
    assert day.validate_python(date(2026, 11, 1)) == date(2026, 11, 1)
    assert day.validate_json('"2026-11-01"') == date(2026, 11, 1)
    for wrong in (0, 1_700_000_000, "2026-11-01T00:00:00", "2026-11-1", "20261101", True):
        with pytest.raises(ValueError, match="date"):
            day.validate_python(wrong)


def _api_routes(routes: Iterable[Any]) -> Iterator[APIRoute]:
    """Every operation, those of included routers too (FastAPI keeps them in their router)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from _api_routes(route.original_router.routes)


def _request_bodies(app: FastAPI) -> Iterator[tuple[str, Any]]:
    for route in _api_routes(app.routes):
        for param in route.dependant.body_params:
            yield f"{route.methods} {route.path}", param.field_info.annotation


# Which shared validator (app.core.inputs) makes each kind of value safe.
GUARDS: dict[str, set[Any]] = {
    "date": {inputs.iso_date},
    "datetime": {inputs.iso_datetime},
    "str": {inputs.clean_line, inputs.clean_note, inputs.clean_document},
    "any": {inputs.clean_document},
}


def _loose(schema: Any, path: str, guards: frozenset[Any] = frozenset()) -> Iterator[str]:
    """Every place in a pydantic core schema where a JSON value could be coerced or a string
    pass unchecked: an int or a bool not strict, a date, an instant, a string or any value not
    behind its validator, a choice of numbers that would take a boolean, a model that is not a
    RequestModel."""
    if isinstance(schema, list):
        for item in schema:
            yield from _loose(item, path, guards)
        return
    if not isinstance(schema, dict):
        return
    kind = schema.get("type")
    if kind in ("int", "bool") and not schema.get("strict"):
        yield f"{path}: {kind} not strict"
    if kind in GUARDS and not GUARDS[kind] & guards:
        yield f"{path}: {kind} not behind {sorted(f.__name__ for f in GUARDS[kind])}"
    if kind == "model" and not issubclass(schema["cls"], inputs.RequestModel):
        yield f"{path}: {schema['cls'].__name__} is not a RequestModel"
    numbers = [v for v in schema.get("expected", []) if isinstance(v, int)]
    if kind == "literal" and numbers and inputs.exact_int not in guards:
        yield f"{path}: a choice of numbers that takes true for 1"
    function = schema.get("function", {}).get("function")
    inner = guards | {function} if function else guards
    for key, value in schema.items():
        if key in ("function", "serialization", "metadata"):
            continue
        if key == "fields" and isinstance(value, dict):
            for name, field in value.items():
                yield from _loose(field, f"{path}.{name}")
        else:
            yield from _loose(value, path, inner)


def test_the_walk_finds_what_it_looks_for():
    class Lax(BaseModel):
        count: int
        on: date
        name: str
        unit: Literal[1, 10] = 1

    class Loose(inputs.RequestModel):
        count: int
        lax: Lax

    found = list(_loose(TypeAdapter(Loose).core_schema, "Loose"))
    assert found == [
        "Loose.count: int not strict",
        "Loose.lax: Lax is not a RequestModel",
        "Loose.lax.count: int not strict",
        "Loose.lax.on: date not behind ['iso_date']",
        "Loose.lax.name: str not behind ['clean_document', 'clean_line', 'clean_note']",
        "Loose.lax.unit: a choice of numbers that takes true for 1",
    ]


def test_every_request_body_takes_values_only_from_their_own_json_type(app: FastAPI):
    bodies = list(_request_bodies(app))
    assert len(bodies) > 40  # the walk reaches the operations of every router
    problems: list[str] = []
    for where, annotation in _request_bodies(app):
        if annotation in (str, dict[str, Any]):
            continue  # the CSV import (checked per row) and the merge patch (checked whole)
        problems += _loose(TypeAdapter(annotation).core_schema, where)
    assert problems == []


# -- 2. Control and invisible characters ----------------------------------------------------


@pytest.mark.parametrize("bad", ["\x00", "\x01", "\x1b[31m", "\x7f", "\x85", "\t", "\n"])
def test_a_control_character_in_a_body_string_is_refused(client: TestClient, database, bad: str):
    before = row_counts(database)
    body = {"code": "SBY02", "name": f"Cabang{bad}Surabaya", "city": "Surabaya"}
    refused(client.post("/v1/branches", json=body, headers=ADMIN), "name", "control_character")
    assert row_counts(database) == before


def test_nul_in_query_path_and_header_is_refused_before_the_database(client: TestClient):
    refused(client.get("/v1/contracts?q=ab%00cd", headers=CS), "query.q", "control_character")
    refused(client.get("/v1/contracts?dealer=%00", headers=CS), "query.dealer")
    refused(client.get("/v1/contracts?cursor=%01", headers=CS), "query.cursor")
    refused(client.get("/v1/dealers?branch=JKT%0001", headers=CS), "query.branch")
    refused(client.get("/v1/contracts/%00", headers=CS), "path.number", "control_character")
    refused(client.get("/v1/branches/JKT%C2%8501", headers=CS), "path.code", "control_character")
    refused(client.post("/v1/users/%00/keys", headers=ADMIN), "path.username")
    number = submit(client)
    refused(
        client.post(
            f"/v1/contracts/{number}/cancellation",
            json={"reason": "Bought in cash"},
            headers={**CS, "If-Match": '"1"\x01'},
        ),
        "header.if-match",
        "control_character",
    )
    refused(
        client.post(
            "/v1/contracts",
            json=application(),
            headers={**DEALER, "Idempotency-Key": "abc\x7fdefg"},
        ),
        "header.idempotency-key",
        "control_character",
    )
    assert_problem(client.get("/v1/nothing/%00", headers=CS), 404)


def test_a_free_text_reason_may_have_lines_and_tabs_but_no_other_control(client: TestClient):
    number = submit(client)
    refused(
        client.post(f"/v1/contracts/{number}/cancellation",
                    json={"reason": "Bought\x00 in cash"}, headers=CS),
        "reason",
        "control_character",
    )  # fmt: skip
    response = client.post(
        f"/v1/contracts/{number}/cancellation",
        json={"reason": "Bought in cash.\r\n\tThe dealer confirmed."},
        headers=CS,
    )
    assert response.status_code == 200, response.text
    events = client.get(f"/v1/contracts/{number}/events", headers=CS).json()
    assert events[-1]["reason"] == "Bought in cash.\r\n\tThe dealer confirmed."


@pytest.mark.parametrize(
    ("character", "what"),
    [
        ("\u202e", "right-to-left override"),
        ("\u2066", "left-to-right isolate"),
        ("\u200b", "zero width space"),
        ("\u200d", "zero width joiner"),
        ("\u2060", "word joiner"),
        ("\ufeff", "byte order mark"),
        ("\u00ad", "soft hyphen"),
    ],
)
def test_invisible_characters_are_refused_in_names(client: TestClient, character: str, what: str):
    for patch, field in (
        ({"applicant": {"full_name": f"Siti{character} Rahmawati"}}, "full_name"),
        ({"applicant": {"mother_maiden_name": f"{character}Aminah"}}, "mother_maiden_name"),
        ({"applicant": {"address": {"street": f"Jl. Kramat{character} 12"}}}, "address.street"),
    ):
        response = client.post("/v1/contracts", json=application(**patch), headers=DEALER)
        problem = refused(response, f"applicant.{field}", "invisible_character")
        assert what in problem["detail"].lower()


def test_a_right_to_left_override_is_refused_in_free_text_too(client: TestClient):
    number = submit(client)
    response = client.post(
        f"/v1/contracts/{number}/cancellation",
        json={"reason": "Refund \u202e0001 hR"},
        headers=CS,
    )
    refused(response, "reason", "invisible_character")


def test_a_lone_surrogate_is_refused_not_a_500(client: TestClient):
    response = client.post(
        "/v1/branches",
        content=b'{"code": "SBY02", "name": "Cabang \\ud800", "city": "Surabaya"}',
        headers={**ADMIN, "content-type": "application/json"},
    )
    refused(response, "name")


def test_a_rule_set_document_is_checked_string_by_string(client: TestClient, database):
    definition = copy.deepcopy(STANDARD_RULE_SET)
    definition["knockouts"][0]["message"] = "Too young\x00"
    before = row_counts(database)
    response = client.post(
        "/v1/rule-sets", json={"product_code": "MC", "definition": definition}, headers=ADMIN
    )
    problem = refused(response, "definition", "control_character")
    assert "knockouts[0].message" in problem["detail"]
    assert row_counts(database) == before


def test_a_customer_file_row_with_a_control_character_or_too_long_is_reported(database):
    lines = [
        "full_name,nik,birth_date,birth_place,mother_maiden_name",
        "Budi Santoso,,1980-01-02,Jakarta,Sri",
        "Budi\x00 Santoso,,1980-01-02,Jakarta,Sri",
        f"Budi Santoso,,1980-01-02,{'B' * 101},Sri",
        "Budi Santoso,,1980-01-02,Jakarta,\u202eirS",
    ]
    with database.transaction() as session:
        report = import_csv(session, lines, "customers")
    assert (report.imported, report.rejected) == (1, 3)
    assert [(e.row, e.field, e.rule) for e in report.errors] == [
        (3, "full_name", "control_character"),
        (4, "birth_place", "string_too_long"),
        (5, "mother_maiden_name", "invisible_character"),
    ]


def test_names_are_stored_in_nfc(client: TestClient, database):
    decomposed = "Andre\u0301 Wijaya"  # e + combining acute
    number = submit(client, applicant={"full_name": decomposed, "mother_maiden_name": "Zo\u0308e"})
    shown = client.get(f"/v1/contracts/{number}", headers=CS).json()["application"]["applicant"]
    assert shown["full_name"] == "Andr\u00e9 Wijaya"
    assert shown["mother_maiden_name"] == "Z\u00f6e"
    with database.sessions() as session:
        name = session.scalar(select(Contract.applicant_name).where(Contract.number == number))
    assert name == "Andr\u00e9 Wijaya"


# -- 3. Nothing the database would refuse ----------------------------------------------------


def test_a_branch_city_over_100_characters_is_refused_on_every_database(
    client: TestClient, database
):
    before = row_counts(database)
    body = {"code": "SBY02", "name": "Cabang Surabaya", "city": "S" * 101}
    refused(client.post("/v1/branches", json=body, headers=ADMIN), "city", "string_too_long")
    refused(
        client.patch("/v1/branches/JKT01", json={"name": "N" * 101}, headers=ADMIN),
        "name",
        "string_too_long",
    )
    assert row_counts(database) == before


@pytest.mark.parametrize(
    "query",
    [
        "submitted_from=0001-01-01",
        "submitted_to=9999-12-31",
        "submitted_from=1999-12-31",
        "submitted_to=2101-01-01",
    ],
)
def test_date_query_parameters_are_within_business_bounds(client: TestClient, query: str):
    name = query.partition("=")[0]
    refused(client.get(f"/v1/contracts?{query}", headers=CS), f"query.{name}", "date_range")


def test_a_package_validity_query_is_within_business_bounds(client: TestClient):
    refused(client.get("/v1/packages?valid_on=0001-01-01", headers=ANALYST), "query.valid_on")


@pytest.mark.parametrize("value", [2**63, 2**63 - 1, inputs.MAX_RUPIAH + 1, 10**40])
def test_money_beyond_its_business_bound_or_its_column_is_refused(
    client: TestClient, database, value: int
):
    before = row_counts(database)
    body = {"code": "TRK", "name": "Truk", "min_down_payment_pct": "20.00"}
    refused(
        client.post("/v1/products", json={**body, "slik_required_above": value}, headers=ADMIN),
        "slik_required_above",
        "less_than_equal",
    )
    user = {"username": "ca.new", "full_name": "New", "role": "credit_analyst",
            "branch_code": "JKT01", "approval_limit": value}  # fmt: skip
    refused(client.post("/v1/users", json=user, headers=ADMIN), "approval_limit")
    payment = {"contract_number": "JKT01-2026-MC-000001", "amount": value,
               "paid_on": "2026-12-24", "reference": "VA-0001"}  # fmt: skip
    refused(client.post("/v1/payments", json=payment, headers=FINANCE), "amount")
    assert row_counts(database) == before


def test_a_count_beyond_its_32_bit_column_is_refused(client: TestClient, database):
    number = submit(client)
    before = row_counts(database)
    slik = {"worst_kol": 1, "outstanding": 0, "facilities": 2**31, "checked_on": "2026-11-22"}
    refused(client.post(f"/v1/contracts/{number}/slik", json=slik, headers=ANALYST), "facilities")
    assert row_counts(database) == before


Column = InstrumentedAttribute[Any]
# Request fields stored 1:1 into a column: the field's name is the column's unless given here
# (None: not stored as it is, e.g. an NPWP stored compact).
STORED: list[tuple[type[BaseModel], Any, dict[str, Column | None]]] = [
    (BranchIn, Branch, {}),
    (BranchPatch, Branch, {}),
    (DealerIn, Dealer, {}),
    (DealerPatch, Dealer, {}),
    (AreaIn, Area, {}),
    (AreaPatch, Area, {}),
    (ProductIn, Product, {}),
    (ProductPatch, Product, {}),
    (UserIn, User, {}),
    (AuthorityLevelIn, AuthorityLevel, {}),
    (ApprovalRequestIn, ApprovalRequest, {}),
    (ApprovalRequestIn, None, {"note": ContractEvent.reason}),
    (DecisionIn, None, {"reason": ApprovalRequest.decision_reason}),
    (DecisionIn, None, {"reason": ContractEvent.reason}),
    (DecisionIn, None, {"reason": NegativeEntry.reason}),
    (DeliveryIn, Contract, {}),
    (CancellationIn, ContractEvent, {}),
    (PersonIdentity, Customer, {}),
    (BoardMember, Customer, {}),
    (CompanyApplicant, Customer, {"name": Customer.full_name, "npwp": None}),
    (CompanyApplicant, Contract, {"name": Contract.applicant_name}),
    (PersonIdentity, Contract, {"full_name": Contract.applicant_name}),
    (IdentityIn, Customer, {}),
    (NegativeEntryIn, NegativeEntry, {}),
    (RemovalIn, NegativeEntry, {}),
    (RuleSetIn, RuleSet, {}),
    (SlikIn, SlikCheck, {}),
    (PackageIn, Package, {}),
    (PackagePatch, Package, {}),
    (HolidayIn, Holiday, {}),
    (ActionIn, CollectionAction, {}),
    (ConsentIn, CollectionConsent, {}),
    (AssignmentIn, User, {"collector": User.username}),
    (SurveyOrderIn, SurveyOrder, {"surveyor": User.username}),
    (SurveyResultIn, SurveyOrder, {}),
    (FindingIn, AuditFinding, {}),
    (ResolutionIn, AuditFinding, {}),
    (PaymentIn, Payment, {"contract_number": Contract.number}),
    (RefundIn, LedgerEntry, {}),
    (RefundIn, None, {"reason": ContractEvent.reason}),
    (WaiverIn, LedgerEntry, {}),
    (WaiverIn, None, {"reason": ContractEvent.reason}),
    (EntryReversalIn, LedgerEntry, {}),
    (EntryReversalIn, None, {"reason": ContractEvent.reason}),
    (RestructuringIn, Restructuring, {"annual_rate": None}),
    (RestructuringDecisionIn, None, {"reason": Restructuring.decision_reason}),
    (RestructuringDecisionIn, None, {"reason": ContractEvent.reason}),
    (CollateralIn, Collateral, {}),
    (ApplicationIn, Dealer, {"dealer_code": Dealer.code}),
    (ApplicationIn, Product, {"product_code": Product.code}),
]
# BigInteger is an Integer too: the wider first.
INTEGER_RANGE = [(BigInteger, 2**63 - 1), (Integer, 2**31 - 1)]


def _metadata(annotation: Any) -> Iterator[Any]:
    """Constraints inside a field's type (``Name | None``, ``list[Code]`` left out)."""
    if get_origin(annotation) is list:
        return
    for item in getattr(annotation, "__metadata__", ()):
        yield from getattr(item, "metadata", [item])
    for arg in get_args(annotation):
        yield from _metadata(arg)


def _choices(annotation: Any) -> list[Any]:
    """The values a Literal or an enumeration allows, through ``| None`` and ``Annotated``."""
    if get_origin(annotation) is Literal:
        return list(get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return [member.value for member in annotation]
    return [v for arg in get_args(annotation) for v in _choices(arg) if v is not None]


def _bounds(field: Any) -> tuple[int | None, int | None, int | None]:
    """A field's (max_length, lowest, highest) from its constraints or its choices."""
    choices = _choices(field.annotation)
    if choices:
        numbers = [v for v in choices if isinstance(v, int)]
        longest = max((len(v) for v in choices if isinstance(v, str)), default=None)
        return longest, min(numbers, default=None), max(numbers, default=None)
    longest = low = high = None
    for item in [*_metadata(field.annotation), *field.metadata]:
        longest = getattr(item, "max_length", None) or longest
        for name, value in (("ge", 0), ("gt", 1)):
            if getattr(item, name, None) is not None:
                low = getattr(item, name) + value
        for name, value in (("le", 0), ("lt", -1)):
            if getattr(item, name, None) is not None:
                high = getattr(item, name) + value
    return longest, low, high


def test_every_stored_request_field_fits_its_column():
    problems: list[str] = []
    for schema, model, renamed in STORED:
        for name, field in schema.model_fields.items():
            column = renamed[name] if name in renamed else getattr(model, name, None)
            if column is None or not hasattr(column, "type"):
                continue
            kind = column.type
            longest, low, high = _bounds(field)
            where = f"{schema.__name__}.{name} -> {column}"
            length = getattr(kind, "length", None) if isinstance(kind, String) else None
            if length is not None and (longest is None or longest > length):
                problems.append(f"{where}: max_length {longest} over {length}")
            top = next((v for t, v in INTEGER_RANGE if isinstance(kind, t)), None)
            if top is not None and (high is None or high > top or low is None or low < -top):
                problems.append(f"{where}: range {low}..{high} outside +-{top}")
    assert problems == []


def test_the_rejection_note_fits_the_event_log_with_its_reason_code():
    longest_code = max(len(code.value) for code in RejectionReason)
    longest_note = _bounds(RejectionIn.model_fields["note"])[0]
    assert longest_note is not None
    assert longest_code + len(": ") + longest_note <= ContractEvent.reason.type.length


# -- 4. Holidays -------------------------------------------------------------------------------


def test_no_holiday_before_2000_and_no_coerced_day(client: TestClient, database):
    before = row_counts(database)
    for day in (0, "1970-01-01", "1999-12-31", "2101-01-01", 20261225, None, True):
        refused(client.put("/v1/holidays", json={**HOLIDAY, "day": day}, headers=ADMIN), "day")
    assert row_counts(database) == before
    first = client.put("/v1/holidays", json={**HOLIDAY, "day": "2000-01-01"}, headers=ADMIN)
    assert first.status_code == 200, first.text
    listed = client.get("/v1/holidays?year=2000", headers=ADMIN).json()["items"]
    assert {"day": "2000-01-01", "name": "Hari Raya Natal", "source": "national"} in listed


# -- 5. A NUL inside an application ------------------------------------------------------------


@pytest.mark.parametrize(
    "patch",
    [
        {"applicant": {"mother_maiden_name": "Ami\x00nah"}},
        {"applicant": {"birth_place": "Jakarta\x00"}},
        {"applicant": {"spouse": {"full_name": "Ahmad\x00 Fauzi"}}},
        {"applicant": {"address": {"kelurahan": "Ken\x00ari"}}},
        {"applicant": {"employment": {"employer": "PT\x00 Telkom"}}},
        {"vehicle": {"colour": "Hitam\x00"}},
    ],
)
def test_a_nul_anywhere_in_an_application_is_refused_at_submission_and_amendment(
    client: TestClient, database, patch: dict[str, Any]
):
    before = row_counts(database)
    response = client.post("/v1/contracts", json=application(**patch), headers=DEALER)
    assert assert_problem(response, 422)["errors"][0]["rule"] == "control_character"
    assert row_counts(database) == before
    number = submit(client)
    amended = client.patch(f"/v1/contracts/{number}", json=patch, headers=CS)
    assert assert_problem(amended, 422)["errors"][0]["rule"] == "control_character"


def test_a_form_stored_before_these_rules_is_read_and_must_be_amended_before_prescreening(
    client: TestClient, database
):
    """A form stored before these rules (a NUL, a zero-width space) reads as it is; pre-screening
    judges it by today's rules first, so it never meets the database's refusal: 422 naming the
    fields, nothing written, and once they are amended it runs."""
    number = submit(client)
    stored = {"full_name": "Siti\u200b Rahmawati", "mother_maiden_name": "Ami\x00nah"}
    with database.transaction() as session:
        contract = session.scalar(select(Contract).where(Contract.number == number))
        assert contract is not None
        form = {**contract.application}
        form["applicant"] = {**form["applicant"], **stored}
        session.execute(update(Contract).where(Contract.id == contract.id).values(application=form))
    shown = client.get(f"/v1/contracts/{number}", headers=CS)
    assert shown.status_code == 200, shown.text
    assert shown.json()["application"]["applicant"]["mother_maiden_name"] == "Ami\x00nah"
    force_state(database, number, "SURVEYED")
    before = row_counts(database)
    problem = assert_problem(
        client.post(f"/v1/contracts/{number}/prescreening", headers=ANALYST), 422
    )
    assert {(e["field"], e["rule"]) for e in problem["errors"]} == {
        ("application.applicant.full_name", "invisible_character"),
        ("application.applicant.mother_maiden_name", "control_character"),
    }
    assert row_counts(database) == before
    amended = client.patch(
        f"/v1/contracts/{number}",
        json={"applicant": {"full_name": "Siti Rahmawati", "mother_maiden_name": "Aminah"}},
        headers=ANALYST,
    )
    assert amended.status_code == 200, amended.text
    screened = client.post(f"/v1/contracts/{number}/prescreening", headers=ANALYST)
    assert screened.status_code == 200, screened.text


def test_a_balance_date_before_the_disbursement_or_out_of_bounds_is_refused(
    client: TestClient, database: Any
) -> None:
    """Before: `?on=` before the disbursement was a 500 from the ledger rules."""
    disbursed = today_jakarta() - timedelta(days=30)
    number = active_contract(client, database, disbursed)
    headers = auth("collector.joko")
    for path in ("installments", "ledger"):
        for day, rule in (
            ((disbursed - timedelta(days=1)).isoformat(), "before_disbursement"),
            ("0001-01-01", None),
        ):
            refused = client.get(f"/v1/contracts/{number}/{path}", params={"on": day},
                                 headers=headers)  # fmt: skip
            assert refused.status_code == 422, refused.text
            [error] = refused.json()["errors"]
            assert error["field"].endswith("on")
            assert rule is None or error["rule"] == rule
        on_the_day = client.get(f"/v1/contracts/{number}/{path}",
                                params={"on": disbursed.isoformat()}, headers=headers)  # fmt: skip
        assert on_the_day.status_code == 200
