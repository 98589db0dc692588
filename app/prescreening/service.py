"""Stage 2 — pre-screening: who the applicant is (New Customer or Repeat Order) and whether
anyone on the contract is on the negative list. Candidates come from indexed blocking keys,
never from a scan; the matcher explains every candidate field by field."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session
from stdnum.id import npwp as stdnum_npwp

from app.applications.service import ensure_form_meets_the_rules
from app.auth.service import Principal
from app.contracts.models import Contract
from app.contracts.service import ensure_allowed, latest_of, transition
from app.contracts.states import Action
from app.core.clock import today_jakarta
from app.prescreening.matching import (
    FIELDS,
    Comparison,
    Identity,
    blocking_keys,
    compare,
)
from app.prescreening.models import (
    BAD_CATEGORIES,
    ContractParty,
    Customer,
    IdentityKey,
    NegativeEntry,
    Prescreening,
)
from app.reference.models import Dealer

CANDIDATE_LIMIT = 25  # ranked by shared keys: the one he is shares most of them
SHOWN_CANDIDATES = 5


@dataclass(frozen=True)
class Party:
    role: str  # applicant | spouse | board_member | guarantor | co_applicant
    identity: Identity
    kind: str = "person"
    npwp: str | None = None


def identity_of(person: dict[str, Any]) -> Identity:
    born = person.get("birth_date")
    return Identity(
        full_name=person.get("full_name") or person.get("name") or "",
        birth_date=date.fromisoformat(born) if isinstance(born, str) else born,
        birth_place=person.get("birth_place"),
        mother_maiden_name=person.get("mother_maiden_name"),
        nik=person.get("nik"),
    )


def parties_of(form: dict[str, Any]) -> list[Party]:
    """The people a contract is about: an individual and spouse, or a company's board."""
    applicant = form["applicant"]
    if applicant["type"] == "company":
        # Compact (digits only), as customers keep it: "01.300.066.6-091.000" is one company.
        company = Party("applicant", Identity(full_name=applicant["name"]), "company",
                        stdnum_npwp.compact(applicant["npwp"]))  # fmt: skip
        return (
            [company]
            + [Party("board_member", identity_of(m)) for m in applicant["board_members"]]
            + guarantors_of(form)
        )
    parties = [Party("applicant", identity_of(applicant))]
    if applicant.get("spouse"):
        parties.append(Party("spouse", identity_of(applicant["spouse"])))
    return parties + guarantors_of(form)


def guarantors_of(form: dict[str, Any]) -> list[Party]:
    """Guarantors and co-applicants, screened like the spouse (a form stored before they
    existed has none)."""
    return [Party(person["role"], identity_of(person)) for person in form.get("guarantors", [])]


# --- writing known people with their keys ------------------------------------------------------


def write_keys(session: Session, owner: str, owner_id: int, identity: Identity) -> None:
    rows = [{"key": k, "owner": owner, "owner_id": owner_id} for k in blocking_keys(identity)]
    if rows:  # a name of titles only, with nothing else, has no key to be found by
        session.execute(insert(IdentityKey), rows)


def add_customer(session: Session, party: Party, source: str) -> Customer:
    """A new customer and, in the same transaction, the keys that will find him."""
    person = party.identity
    customer = Customer(
        kind=party.kind,
        full_name=person.full_name,
        nik=person.nik,
        npwp=party.npwp,
        birth_date=person.birth_date,
        birth_place=person.birth_place,
        mother_maiden_name=person.mother_maiden_name,
        source=source,
    )
    session.add(customer)
    session.flush()
    if party.kind == "person":
        write_keys(session, "customer", customer.id, person)
    return customer


def add_negative_entries(session: Session, entries: list[NegativeEntry]) -> None:
    """Entries and the keys that will find the people among them, in two statements however
    many there are (the close of business lists a day's debtors past 60 days at once)."""
    session.add_all(entries)
    session.flush()
    keys = [
        {"key": key, "owner": "negative", "owner_id": entry.id}
        for entry in entries
        if entry.subject == "person" and entry.full_name
        for key in blocking_keys(identity_of_record(entry))
    ]
    if keys:  # a name of titles only, with nothing else, has no key to be found by
        session.execute(insert(IdentityKey), keys)


def add_negative_entry(session: Session, entry: NegativeEntry) -> NegativeEntry:
    add_negative_entries(session, [entry])
    return entry


def identity_of_record(entry: NegativeEntry | Customer) -> Identity:
    return Identity(
        full_name=entry.full_name or "",
        birth_date=entry.birth_date,
        birth_place=entry.birth_place,
        mother_maiden_name=entry.mother_maiden_name,
        nik=entry.nik,
    )


# --- finding them -----------------------------------------------------------------------------


def candidate_ids(session: Session, owner: str, identity: Identity) -> list[int]:
    """Who shares a blocking key with ``identity``, those sharing the most keys first."""
    keys = blocking_keys(identity, for_query=True)
    if not keys:
        return []
    shared = func.count()
    return list(
        session.scalars(
            select(IdentityKey.owner_id)
            .where(IdentityKey.owner == owner, IdentityKey.key.in_(keys))
            .group_by(IdentityKey.owner_id)
            .order_by(shared.desc(), IdentityKey.owner_id)
            .limit(CANDIDATE_LIMIT)
        )
    )


def match_customers(session: Session, identity: Identity) -> list[tuple[Customer, Comparison]]:
    """Known people who may be ``identity``, best first (the Repeat Order, if any, leads)."""
    ids = candidate_ids(session, "customer", identity)
    if not ids:
        return []
    customers = session.scalars(select(Customer).where(Customer.id.in_(ids)))
    scored = [(c, compare(identity, identity_of_record(c))) for c in customers]
    scored = [(c, r) for c, r in scored if r.points >= 2 or r.identity_conflict]
    scored.sort(key=lambda pair: (pair[1].same_person, pair[1].rank, -pair[0].id), reverse=True)
    return scored[:SHOWN_CANDIDATES]


def negative_hits(session: Session, identity: Identity) -> list[tuple[NegativeEntry, Comparison]]:
    ids = candidate_ids(session, "negative", identity)
    if not ids:
        return []
    entries = session.scalars(
        select(NegativeEntry).where(NegativeEntry.id.in_(ids), NegativeEntry.active)
    )
    hits = [(e, compare(identity, identity_of_record(e))) for e in entries]
    return [(e, r) for e, r in hits if r.same_person]


def vehicle_hits(session: Session, vehicle: dict[str, Any]) -> list[NegativeEntry]:
    numbers = [(NegativeEntry.chassis_number, vehicle.get("chassis_number")),
               (NegativeEntry.engine_number, vehicle.get("engine_number"))]  # fmt: skip
    found: dict[int, NegativeEntry] = {}
    for column, value in numbers:
        if value:
            for entry in session.scalars(
                select(NegativeEntry).where(column == value, NegativeEntry.active)
            ):
                found[entry.id] = entry
    return list(found.values())


# --- explaining -------------------------------------------------------------------------------


def _values(identity: Identity) -> dict[str, str | None]:
    return {
        "name": identity.full_name,
        "birth_date": identity.birth_date.isoformat() if identity.birth_date else None,
        "birth_place": identity.birth_place,
        "mother_maiden_name": identity.mother_maiden_name,
        "nik": identity.nik,
    }


def explain(applicant: Identity, known: Identity, result: Comparison) -> list[dict[str, Any]]:
    mine, theirs = _values(applicant), _values(known)
    return [
        {
            "field": f.field,
            "priority": FIELDS.index(f.field) + 1,
            "applicant": mine[f.field],
            "known": theirs[f.field],
            "score": f.score,
            "agreement": f.agreement.value,
        }
        for f in result.fields
    ]


# --- the stage --------------------------------------------------------------------------------


def _company_customer(session: Session, npwp: str) -> Customer | None:
    return session.scalar(
        select(Customer).where(Customer.kind == "company", Customer.npwp == npwp).limit(1)
    )


def _screen_party(session: Session, party: Party, result: dict[str, Any]) -> Customer | None:
    """Fill ``result`` for one party; return the known customer he is, if any."""
    entry: dict[str, Any] = {"role": party.role, "name": party.identity.full_name,
                             "candidates": [], "negative_hits": []}  # fmt: skip
    result["parties"].append(entry)
    if party.kind == "company":
        known = _company_customer(session, party.npwp or "")
        entry["repeat_order"] = known is not None
        entry["customer_id"] = known.id if known else None
        return known
    repeat = None
    for customer, comparison in match_customers(session, party.identity):
        entry["candidates"].append({
            "customer_id": customer.id,
            "points": comparison.points,
            "same_person": comparison.same_person,
            "identity_conflict": comparison.identity_conflict,
            "fields": explain(party.identity, identity_of_record(customer), comparison),
        })  # fmt: skip
        if comparison.same_person and repeat is None:
            repeat = customer
        if comparison.identity_conflict:
            result["warnings"].append({"kind": "identity_conflict", "party": party.role,
                                       "customer_id": customer.id})  # fmt: skip
    for negative, comparison in negative_hits(session, party.identity):
        fields = explain(party.identity, identity_of_record(negative), comparison)
        hit = {"entry_id": negative.id, "category": negative.category, "fields": fields,
               "dealers": negative.dealers, "reason": negative.reason}  # fmt: skip
        entry["negative_hits"].append(hit)
        if negative.category in BAD_CATEGORIES:
            result["stops"].append({"party": party.role, "category": negative.category,
                                    "entry_id": negative.id})  # fmt: skip
        else:
            result["warnings"].append({"kind": "rejected_order", "party": party.role,
                                       "dealers": negative.dealers,
                                       "entry_id": negative.id})  # fmt: skip
    entry["repeat_order"] = repeat is not None
    entry["customer_id"] = repeat.id if repeat else None
    return repeat


def prescreen(session: Session, principal: Principal, contract: Contract) -> Prescreening:
    """Run the duplicate check and the negative list for everyone on the contract, link or
    create their customer records, store the outcome, and move the contract on (or reject it
    on a bad-customer hit)."""
    ensure_allowed(contract, Action.PRESCREEN, principal)
    ensure_form_meets_the_rules(contract)
    result: dict[str, Any] = {"parties": [], "stops": [], "warnings": [], "vehicle_hits": []}
    parties = parties_of(contract.application)
    linked: list[tuple[Party, Customer | None]] = [
        (party, _screen_party(session, party, result)) for party in parties
    ]
    for negative in vehicle_hits(session, contract.application["vehicle"]):
        hit = {"entry_id": negative.id, "category": negative.category, "reason": negative.reason}
        result["vehicle_hits"].append(hit)
        target = "stops" if negative.category in BAD_CATEGORIES else "warnings"
        result[target].append({"party": "vehicle", "category": negative.category,
                               "kind": negative.category, "entry_id": negative.id})  # fmt: skip

    applicant_known = linked[0][1]
    customer_type = "repeat_order" if applicant_known is not None else "new_customer"
    for party, known in linked:
        customer = known or add_customer(session, party, source="application")
        session.add(ContractParty(contract_id=contract.id, customer_id=customer.id,
                                  role=party.role))  # fmt: skip
        if party.role == "applicant":
            result["customer_id"] = customer.id
    result["customer_type"] = customer_type
    rejected = bool(result["stops"])
    screening = Prescreening(
        contract_id=contract.id,
        customer_type=customer_type,
        outcome="rejected" if rejected else "passed",
        result=result,
        decided_by_id=principal.user_id,
    )
    session.add(screening)
    session.flush()
    summary = {"prescreening": screening.id, "customer_type": customer_type,
               "stops": len(result["stops"]), "warnings": len(result["warnings"])}  # fmt: skip
    if rejected:
        stop = result["stops"][0]
        reason = f"negative_list: {stop['category']} ({stop['party']})"
        transition(session, contract, Action.REJECT, principal, reason=reason, payload=summary)
        note_rejection(session, contract, principal, reason)
    else:
        transition(session, contract, Action.PRESCREEN, principal, payload=summary)
    return screening


def note_rejection(
    session: Session, contract: Contract, actor: Principal | None, reason: str
) -> NegativeEntry | None:
    """Feed a rejection back into the negative list (DESIGN §2): a Repeat Order customer
    rejected goes onto the bad list (``blocked``); a new prospect becomes a ``rejected_order``
    naming the dealer, a warning for the next analyst. Nothing is added twice."""
    form = contract.application
    if form["applicant"]["type"] == "company":
        return None  # board members are screened as people; a company has no identity keys
    applicant = identity_of(form["applicant"])
    screening = latest_of(session, Prescreening, contract)
    repeat = screening is not None and screening.customer_type == "repeat_order"
    category = "blocked" if repeat else "rejected_order"
    dealer = session.scalar(select(Dealer.code).where(Dealer.id == contract.dealer_id))
    for existing, _ in negative_hits(session, applicant):
        if existing.category in (category, *BAD_CATEGORIES):
            if category == "rejected_order" and dealer and dealer not in existing.dealers:
                existing.dealers = [*existing.dealers, dealer]
            return None
    entry = person_entry(
        applicant,
        category,
        source="rejection",
        contract_id=contract.id,
        reason=reason,
        dealers=[dealer] if dealer else [],
        created_by=actor.user_id if actor else None,
    )
    return add_negative_entry(session, entry)


def person_entry(
    person: Identity,
    category: str,
    *,
    source: str,
    contract_id: int | None,
    reason: str,
    dealers: list[str] | None = None,
    created_by: int | None = None,
) -> NegativeEntry:
    """A negative-list entry for a person (written with ``add_negative_entry``, which adds the
    keys that will find him again)."""
    return NegativeEntry(
        subject="person",
        category=category,
        full_name=person.full_name,
        nik=person.nik,
        birth_date=person.birth_date,
        birth_place=person.birth_place,
        mother_maiden_name=person.mother_maiden_name,
        dealers=dealers or [],
        source=source,
        source_contract_id=contract_id,
        reason=reason,
        listed_on=today_jakarta(),
        created_by_id=created_by,
        active=True,
    )


def vehicle_entry(
    chassis_number: str | None,
    engine_number: str | None,
    category: str,
    *,
    source: str,
    contract_id: int | None,
    reason: str,
) -> NegativeEntry:
    """A negative-list entry for a vehicle, found again by its chassis or engine number."""
    return NegativeEntry(
        subject="vehicle",
        category=category,
        chassis_number=chassis_number,
        engine_number=engine_number,
        dealers=[],
        source=source,
        source_contract_id=contract_id,
        reason=reason,
        listed_on=today_jakarta(),
        active=True,
    )
