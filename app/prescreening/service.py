"""Stage 2 — pre-screening: who the applicant is (New Customer, Possible Repeat Order for the
analyst's review, or Repeat Order) and whether anyone on the contract is on the negative list.
Candidates come from indexed blocking keys, never from a scan, ranked by how rare the keys they
share are; each is weighed identifier by identifier (``evidence``) and explained."""

import copy
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session
from stdnum.id import npwp as stdnum_npwp

from app.applications.service import ensure_form_meets_the_rules
from app.auth.service import Principal, username_of
from app.contracts.models import REASON_LENGTH, Contract
from app.contracts.service import ensure_allowed, latest_of, log_event, transition
from app.contracts.states import Action
from app.core.clock import today_jakarta
from app.core.errors import Conflict, Unprocessable
from app.core.i18n import _
from app.prescreening.evidence import (
    DEFAULT_MODEL,
    IDENTIFIERS,
    Assessment,
    Outcome,
    WeightsModel,
    assess,
)
from app.prescreening.matching import Identity, blocking_keys, keyed
from app.prescreening.models import (
    BAD_CATEGORIES,
    ContractParty,
    Customer,
    IdentityKey,
    MatchModel,
    NegativeEntry,
    Prescreening,
    PrescreeningReview,
)
from app.reference.models import Dealer

CANDIDATE_LIMIT = 25  # by the rarity of the keys they share, ties all kept ...
TIE_LIMIT = 40  # ... unless they are more than this
# The whole NIK or its region and sequence; the birth date with a name word or the mother's:
# scored whatever the rank, up to ALWAYS_LIMIT.
ALWAYS_SCORED = frozenset({"nik", "nikrs", "dn", "dm"})
ALWAYS_LIMIT = 200
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


def rekey(
    session: Session, *, progress: Callable[[int, int], None] | None = None, batch: int = 5_000
) -> int:
    """Write again the blocking keys of every known person (customers and negative-list
    entries), batch by batch, each batch committed: after an upgrade that adds a kind of key,
    people known before are found by it too. Returns how many people were keyed."""
    owners: tuple[tuple[str, type[Customer] | type[NegativeEntry], Any], ...] = (
        ("customer", Customer, Customer.kind == "person"),
        ("negative", NegativeEntry, (NegativeEntry.subject == "person")
         & NegativeEntry.full_name.is_not(None)),
    )  # fmt: skip
    total = sum(session.scalar(select(func.count()).where(where)) or 0 for _, _, where in owners)
    done = 0
    for owner, model, where in owners:
        last = 0
        while True:
            rows: list[Customer | NegativeEntry] = list(session.scalars(
                select(model).where(where, model.id > last).order_by(model.id).limit(batch)
            ))  # fmt: skip
            if not rows:
                break
            ids = [row.id for row in rows]
            session.execute(delete(IdentityKey).where(IdentityKey.owner == owner,
                                                      IdentityKey.owner_id.in_(ids)))  # fmt: skip
            keys = [{"key": k, "owner": owner, "owner_id": row.id}
                    for row in rows for k in blocking_keys(identity_of_record(row))]  # fmt: skip
            if keys:
                session.execute(insert(IdentityKey), keys)
            session.commit()
            last, done = ids[-1], done + len(rows)
            if progress:
                progress(done, total)
    return done


# --- finding them -----------------------------------------------------------------------------


def candidate_ids(session: Session, owner: str, identity: Identity) -> list[int]:
    """Who shares a blocking key with ``identity``, the rarest evidence first.

    Each shared key counts 1/n, n being how many share it: one key shared with 2 people counts
    more than five shared with 120 each. The top ``CANDIDATE_LIMIT`` are kept with everyone
    tied with the last (no tie is broken by id), and everyone sharing the whole NIK or the
    birth date with a name word or the mother's name is scored whatever his rank."""
    kinds = keyed(identity, for_query=True)
    if not kinds:
        return []
    rows = session.execute(
        select(IdentityKey.key, IdentityKey.owner_id).where(
            IdentityKey.owner == owner, IdentityKey.key.in_(kinds)
        )
    ).all()
    sharing: dict[int, list[int]] = defaultdict(list)
    for key, owner_id in rows:
        sharing[key].append(owner_id)
    score: dict[int, float] = defaultdict(float)
    always: dict[int, float] = {}
    for owners in sharing.values():
        for owner_id in owners:
            score[owner_id] += 1 / len(owners)
    for key, owners in sharing.items():
        if kinds[key] in ALWAYS_SCORED:
            always.update((owner_id, score[owner_id]) for owner_id in owners)
    ranked = sorted(score.items(), key=lambda item: -item[1])
    if len(ranked) > CANDIDATE_LIMIT:
        # Everyone tied with the last kept is kept too; a tie too large to score is dropped
        # whole (a key that many share is no evidence), never cut by id.
        cut = ranked[CANDIDATE_LIMIT - 1][1]
        tied = [item for item in ranked if item[1] >= cut]
        ranked = tied if len(tied) <= TIE_LIMIT else [item for item in ranked if item[1] > cut]
    kept = dict(ranked)
    for owner_id, value in sorted(always.items(), key=lambda item: -item[1])[:ALWAYS_LIMIT]:
        kept[owner_id] = value
    return sorted(kept, key=lambda owner_id: -kept[owner_id])


_models: dict[tuple[int, datetime | None], WeightsModel] = {(0, None): DEFAULT_MODEL}


def current_model(session: Session) -> WeightsModel:
    """The highest stored version of the weights (the built-in version 0 when none is),
    parsed once per process and version (and fitting time: a database rebuilt from scratch
    may number its versions again)."""
    latest = session.execute(
        select(MatchModel.version, MatchModel.fitted_at).order_by(MatchModel.version.desc())
        .limit(1)
    ).first()  # fmt: skip
    key = (latest.version, latest.fitted_at) if latest else (0, None)
    if key not in _models:
        definition = session.scalar(
            select(MatchModel.definition).where(MatchModel.version == key[0])
        )
        assert definition is not None, key
        _models[key] = WeightsModel.from_json(key[0], definition)
    return _models[key]


_OUTCOME_ORDER = {Outcome.REPEAT_ORDER: 2, Outcome.POSSIBLE_REPEAT_ORDER: 1,
                  Outcome.NEW_CUSTOMER: 0}  # fmt: skip


def match_customers(
    session: Session, identity: Identity, model: WeightsModel | None = None
) -> list[tuple[Customer, Assessment]]:
    """Known people who may be ``identity``, best first (the Repeat Order, if any, leads):
    those the weights put in the review band or above, those with an identity conflict, and
    those the seed's count gives two points or more."""
    model = model or current_model(session)
    ids = candidate_ids(session, "customer", identity)
    if not ids:
        return []
    customers = session.scalars(select(Customer).where(Customer.id.in_(ids)))
    scored = [(c, assess(identity, identity_of_record(c), model)) for c in customers]
    scored = [
        (c, a)
        for c, a in scored
        if a.outcome is not Outcome.NEW_CUSTOMER or a.identity_conflict or a.points >= 2
    ]
    scored.sort(key=lambda pair: (_OUTCOME_ORDER[pair[1].outcome], pair[1].total), reverse=True)
    return scored[:SHOWN_CANDIDATES]


def negative_hits(
    session: Session, identity: Identity, *, possible: bool = False
) -> list[tuple[NegativeEntry, Assessment]]:
    """Entries that are ``identity`` by the weights (with ``possible``, also those in the
    review band)."""
    ids = candidate_ids(session, "negative", identity)
    if not ids:
        return []
    model = current_model(session)
    entries = session.scalars(
        select(NegativeEntry).where(NegativeEntry.id.in_(ids), NegativeEntry.active)
    )
    hits = [(e, assess(identity, identity_of_record(e), model)) for e in entries]
    wanted = {Outcome.REPEAT_ORDER} | ({Outcome.POSSIBLE_REPEAT_ORDER} if possible else set())
    return [(e, a) for e, a in hits if a.outcome in wanted]


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


def explain(applicant: Identity, known: Identity, result: Assessment) -> list[dict[str, Any]]:
    """Each identifier's values, agreement level and weight, with what the words of the
    explanation need (``explanations.describe`` puts them in the reader's language)."""
    mine, theirs = _values(applicant), _values(known)
    rows = []
    for evidence in result.evidence:
        row = evidence.to_json()
        rows.append({
            "field": evidence.identifier,
            "priority": IDENTIFIERS.index(evidence.identifier) + 1,
            "applicant": mine[evidence.identifier],
            "known": theirs[evidence.identifier],
            "agreement": row.pop("level"),
            **row,
        })  # fmt: skip
    return rows


def candidate_of(customer_id: int, applicant: Identity, known: Identity,
                 result: Assessment) -> dict[str, Any]:  # fmt: skip
    return {
        "customer_id": customer_id,
        "outcome": result.outcome.value,
        "weight": round(result.total, 2),
        "points": result.points,
        "same_person": result.same_person,
        "identity_conflict": result.identity_conflict,
        "review_reason": result.review.value if result.review else None,
        "fields": explain(applicant, known, result),
    }


# --- the stage --------------------------------------------------------------------------------


def _company_customer(session: Session, npwp: str) -> Customer | None:
    return session.scalar(
        select(Customer).where(Customer.kind == "company", Customer.npwp == npwp).limit(1)
    )


def _screen_party(
    session: Session, model: WeightsModel, party: Party, result: dict[str, Any]
) -> tuple[Outcome, Customer | None]:
    """Fill ``result`` for one party; return his outcome and the customer he is (or may be,
    for the review)."""
    entry: dict[str, Any] = {"role": party.role, "name": party.identity.full_name,
                             "candidates": [], "negative_hits": []}  # fmt: skip
    result["parties"].append(entry)
    if party.kind == "company":
        known = _company_customer(session, party.npwp or "")
        entry["repeat_order"] = known is not None
        entry["customer_id"] = known.id if known else None
        entry["outcome"] = (Outcome.REPEAT_ORDER if known else Outcome.NEW_CUSTOMER).value
        return (Outcome.REPEAT_ORDER if known else Outcome.NEW_CUSTOMER), known
    outcome, found = Outcome.NEW_CUSTOMER, None
    for customer, assessment in match_customers(session, party.identity, model):
        known_identity = identity_of_record(customer)
        entry["candidates"].append(
            candidate_of(customer.id, party.identity, known_identity, assessment)
        )
        if found is None and assessment.outcome is not Outcome.NEW_CUSTOMER:
            outcome, found = assessment.outcome, customer
        if assessment.identity_conflict:
            result["warnings"].append({"kind": "identity_conflict", "party": party.role,
                                       "customer_id": customer.id})  # fmt: skip
    for negative, assessment in negative_hits(session, party.identity, possible=True):
        fields = explain(party.identity, identity_of_record(negative), assessment)
        hit = {"entry_id": negative.id, "category": negative.category, "fields": fields,
               "dealers": negative.dealers, "reason": negative.reason}  # fmt: skip
        entry["negative_hits"].append(hit)
        if assessment.outcome is Outcome.POSSIBLE_REPEAT_ORDER:
            result["warnings"].append({"kind": "possible_negative_hit", "party": party.role,
                                       "category": negative.category,
                                       "entry_id": negative.id})  # fmt: skip
        elif negative.category in BAD_CATEGORIES:
            result["stops"].append({"party": party.role, "category": negative.category,
                                    "entry_id": negative.id})  # fmt: skip
        else:
            result["warnings"].append({"kind": "rejected_order", "party": party.role,
                                       "dealers": negative.dealers,
                                       "entry_id": negative.id})  # fmt: skip
    entry["outcome"] = outcome.value
    entry["repeat_order"] = outcome is Outcome.REPEAT_ORDER
    entry["customer_id"] = found.id if found and outcome is Outcome.REPEAT_ORDER else None
    return outcome, found


def prescreen(session: Session, principal: Principal, contract: Contract) -> Prescreening:
    """Run the duplicate check and the negative list for everyone on the contract, link or
    create their customer records, store the outcome with the weights' version, and move the
    contract on, reject it on a bad-customer hit, or hold it for the analyst's review of a
    Possible Repeat Order (``review``)."""
    ensure_allowed(contract, Action.PRESCREEN, principal)
    held = latest_of(session, Prescreening, contract)
    if held is not None and held.outcome == "review":
        raise Conflict(_("Contract {number} waits for the analyst's review of a Possible "
                         "Repeat Order (POST .../prescreening/review).")
                       .format(number=contract.number))  # fmt: skip
    ensure_form_meets_the_rules(contract)
    model = current_model(session)
    result: dict[str, Any] = {"parties": [], "stops": [], "warnings": [], "vehicle_hits": [],
                              "reviews": [], "model_version": model.version}  # fmt: skip
    parties = parties_of(contract.application)
    screened = [_screen_party(session, model, party, result) for party in parties]
    for negative in vehicle_hits(session, contract.application["vehicle"]):
        hit = {"entry_id": negative.id, "category": negative.category, "reason": negative.reason}
        result["vehicle_hits"].append(hit)
        target = "stops" if negative.category in BAD_CATEGORIES else "warnings"
        result[target].append({"party": "vehicle", "category": negative.category,
                               "kind": negative.category, "entry_id": negative.id})  # fmt: skip

    result["customer_id"] = None
    for index, (party, (outcome, known)) in enumerate(zip(parties, screened, strict=True)):
        if outcome is Outcome.POSSIBLE_REPEAT_ORDER:
            assert known is not None
            result["reviews"].append({"party": index, "role": party.role,
                                      "customer_id": known.id, "decision": None})  # fmt: skip
            continue
        customer = known or add_customer(session, party, source="application")
        session.add(ContractParty(contract_id=contract.id, customer_id=customer.id,
                                  role=party.role))  # fmt: skip
        if party.role == "applicant":
            result["customer_id"] = customer.id
    customer_type = screened[0][0].value
    result["customer_type"] = customer_type
    rejected = bool(result["stops"])
    held_for_review = bool(result["reviews"]) and not rejected
    screening = Prescreening(
        contract_id=contract.id,
        customer_type=customer_type,
        outcome="rejected" if rejected else "review" if held_for_review else "passed",
        result=result,
        decided_by_id=principal.user_id,
        model_version=model.version,
    )
    session.add(screening)
    session.flush()
    summary = {"prescreening": screening.id, "customer_type": customer_type,
               "stops": len(result["stops"]), "warnings": len(result["warnings"]),
               "reviews": len(result["reviews"]), "model_version": model.version}  # fmt: skip
    if rejected:
        stop = result["stops"][0]
        reason = f"negative_list: {stop['category']} ({stop['party']})"
        transition(session, contract, Action.REJECT, principal, reason=reason, payload=summary)
        note_rejection(session, contract, principal, reason)
    elif held_for_review:
        log_event(session, contract, "prescreening_held", principal,
                  reason="possible_repeat_order: analyst review", payload=summary)  # fmt: skip
    else:
        transition(session, contract, Action.PRESCREEN, principal, payload=summary)
    return screening


def review(
    session: Session,
    principal: Principal,
    contract: Contract,
    *,
    customer_id: int,
    same_person: bool,
    reason: str,
) -> Prescreening:
    """The analyst's decision on a Possible Repeat Order: the party is that customer
    (confirmed) or a new one (denied). Recorded with who and why and the weights' version,
    in the contract's log; when no review is left, the contract moves on to PRESCREENED."""
    ensure_allowed(contract, Action.PRESCREEN, principal)
    screening: Prescreening | None = latest_of(session, Prescreening, contract)
    if screening is None or screening.outcome != "review":
        raise Conflict(_("Contract {number} has no Possible Repeat Order waiting for review.")
                       .format(number=contract.number))  # fmt: skip
    result = copy.deepcopy(screening.result)
    item = next(
        (r for r in result["reviews"] if r["decision"] is None and r["customer_id"] == customer_id),
        None,
    )
    if item is None:
        waiting = ", ".join(str(r["customer_id"]) for r in result["reviews"]
                            if r["decision"] is None)  # fmt: skip
        raise Unprocessable.field(
            "customer_id",
            _("Customer {id} is not under review on this contract (waiting: {waiting}).")
            .format(id=customer_id, waiting=waiting),
            "not_under_review",
        )  # fmt: skip
    party = parties_of(contract.application)[item["party"]]
    entry = result["parties"][item["party"]]
    candidate = next(c for c in entry["candidates"] if c["customer_id"] == customer_id)
    decision = "confirmed" if same_person else "denied"
    if same_person:
        customer = session.get(Customer, customer_id)
        assert customer is not None, customer_id
    else:
        customer = add_customer(session, party, source="application")
    session.add(ContractParty(contract_id=contract.id, customer_id=customer.id,
                              role=party.role))  # fmt: skip
    decided_at = datetime.now(UTC)
    item.update(decision=decision, reason=reason, decided_at=decided_at.isoformat(),
                decided_by=username_of(session, principal.user_id))  # fmt: skip
    entry.update(
        repeat_order=same_person,
        customer_id=customer.id,
        outcome=(Outcome.REPEAT_ORDER if same_person else Outcome.NEW_CUSTOMER).value,
    )
    if party.role == "applicant":
        result["customer_id"] = customer.id
        result["customer_type"] = entry["outcome"]
        screening.customer_type = entry["outcome"]
    session.add(PrescreeningReview(
        prescreening_id=screening.id, customer_id=customer_id, party=party.role,
        decision=decision, reason=reason,
        levels={f["field"]: f["agreement"] for f in candidate["fields"]},
        model_version=screening.model_version, decided_by_id=principal.user_id,
        decided_at=decided_at,
    ))  # fmt: skip
    left = [r for r in result["reviews"] if r["decision"] is None]
    if not left:
        screening.outcome = "passed"
    screening.result = result
    logged = f"{decision} ({party.role} = customer {customer_id}): {reason}"[:REASON_LENGTH]
    payload = {"prescreening": screening.id, "decision": decision, "party": party.role,
               "customer_id": customer.id, "candidate_id": customer_id,
               "weight": candidate["weight"], "model_version": screening.model_version,
               "customer_type": result["customer_type"]}  # fmt: skip
    if left:
        log_event(session, contract, "prescreening_reviewed", principal, reason=logged,
                  payload=payload)  # fmt: skip
    else:
        transition(session, contract, Action.PRESCREEN, principal, reason=logged,
                   payload=payload)  # fmt: skip
    session.flush()
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
    for existing, _assessment in negative_hits(session, applicant):
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
