"""Fitting the duplicate check's weights on the company's own customers (``kredo prescreening
fit``): u from the customer table, m by EM on candidate pairs and the analysts' decisions.

- **Term frequencies**: the share of customers whose name (or mother's name) carries each word,
  and of those born in each place. A word rarer than ``MIN_COUNT`` customers is not kept: it
  weighs as "unseen", the rarest kept share.
- **u** of each level: its frequency among random pairs of customers (a sample), with one
  pseudo-observation so that a level never seen among strangers is rare, not impossible; u of
  an exact birth date is the sum of the squared shares of the dates, exactly.
- **m** by expectation-maximisation (Fellegi-Sunter with u fixed) on the pairs that share a
  blocking key, started from and drawn towards the current model's m (``PRIOR_PAIRS``
  pseudo-matches): a customer table is mostly deduplicated, so its pairs hold few true matches.
  The analysts' confirmed reviews count as matches known for certain.

The result is stored as the next version (``MatchModel``); nothing per request changes but the
numbers.
"""

import math
import random
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from app.prescreening.evidence import (
    DEFAULT_M,
    IDENTIFIERS,
    Level,
    WeightsModel,
    assess,
)
from app.prescreening.matching import Identity
from app.prescreening.models import Customer, IdentityKey, MatchModel, PrescreeningReview
from app.prescreening.names import name_tokens, normalise_place

MIN_COUNT = 5  # customers carrying a word (or born in a place) for its share to be kept
MAX_WORDS = 20_000  # the most frequent words kept per list
SAMPLE = 20_000  # customers kept (reservoir) to draw random pairs from
RANDOM_PAIRS = 100_000
EM_PAIRS = 100_000  # pairs sharing a blocking key, at most
KEY_CROWD = 20  # keys shared by more customers than this make no EM pair
PRIOR_PAIRS = 200.0  # pseudo-matches holding m near the current model
EM_ROUNDS = 25
BATCH = 10_000


@dataclass(frozen=True)
class Fitted:
    model: WeightsModel
    customers: int
    pairs: int
    reviews: int
    match_share: float  # EM's share of matches among the candidate pairs


def _identity(row: Any) -> Identity:
    return Identity(row.full_name, row.birth_date, row.birth_place, row.mother_maiden_name, row.nik)


def _shares(counts: Counter[str], total: int) -> dict[str, float]:
    kept = [(w, c) for w, c in counts.most_common(MAX_WORDS) if c >= MIN_COUNT]
    return {w: c / total for w, c in kept}


def _levels(result: Any) -> tuple[str, ...]:
    return tuple(e.level.value for e in result.evidence)


def fit(
    session: Session,
    current: WeightsModel,
    *,
    seed: int = 20261123,
    progress: Callable[[int, int], None] | None = None,
) -> Fitted:
    """The weights fitted on the customers in ``session`` (persons only); ``progress`` is
    told (done, total) as the customers stream by, then as the pairs are compared."""
    rng = random.Random(seed)
    people = select(
        Customer.full_name, Customer.birth_date, Customer.birth_place,
        Customer.mother_maiden_name, Customer.nik,
    ).where(Customer.kind == "person")  # fmt: skip
    total = session.scalar(select(func.count()).select_from(people.subquery())) or 0
    steps = total + RANDOM_PAIRS + EM_PAIRS
    names: Counter[str] = Counter()
    mothers: Counter[str] = Counter()
    places: Counter[str] = Counter()
    days: Counter[date] = Counter()
    sample: list[Identity] = []
    seen = with_mother = 0
    for row in session.execute(people.execution_options(yield_per=BATCH)):
        names.update(set(name_tokens(row.full_name)))
        if row.mother_maiden_name:
            with_mother += 1
            mothers.update(set(name_tokens(row.mother_maiden_name)))
        if row.birth_place:
            places[normalise_place(row.birth_place)] += 1
        if row.birth_date:
            days[row.birth_date] += 1
        seen += 1
        if len(sample) < SAMPLE:
            sample.append(_identity(row))
        elif (slot := rng.randrange(seen)) < SAMPLE:
            sample[slot] = _identity(row)
        if progress and seen % BATCH == 0:
            progress(seen, steps)
    if total == 0:
        raise ValueError("no customers to fit on")
    name_words = _shares(names, total)
    mother_words = _shares(mothers, with_mother or total)
    place_shares = _shares(places, total)
    unseen = min([*name_words.values(), MIN_COUNT / total]) / 2
    dated = sum(days.values())
    interim = WeightsModel(
        version=current.version, m=current.m, u=current.u, name_words=name_words,
        mother_words=mother_words, places=place_shares, unseen=unseen,
        upper=current.upper, lower=current.lower, policy=current.policy,
    )  # fmt: skip

    # u: random pairs of the sample.
    strangers: Counter[tuple[str, str]] = Counter()
    for done in range(1, RANDOM_PAIRS + 1):
        if len(sample) < 2:
            break
        a, b = rng.sample(sample, 2)
        for identifier, level in zip(IDENTIFIERS, _levels(assess(a, b, interim)), strict=True):
            strangers[identifier, level] += 1
        if progress and done % BATCH == 0:
            progress(seen + done, steps)
    u: dict[str, dict[str, float]] = {}
    for identifier, levels in current.u.items():
        given = sum(strangers[identifier, level] for level in levels)
        u[identifier] = {
            level: (strangers[identifier, level] + 1) / (given + len(levels))
            if strangers[identifier, level]
            else min(current.u[identifier][level], 1 / (given + len(levels)))
            for level in levels
        }
    if dated:
        u["birth_date"]["exact"] = sum((c / dated) ** 2 for c in days.values())
    model_u = WeightsModel(
        version=current.version, m=current.m, u=u, name_words=name_words,
        mother_words=mother_words, places=place_shares, unseen=unseen,
        upper=current.upper, lower=current.lower, policy=current.policy,
    )  # fmt: skip

    # m: EM on the pairs sharing a key, and the analysts' decisions.
    patterns: Counter[tuple[str, ...]] = Counter()
    pairs = 0
    for pair_count, (a, b) in enumerate(_key_pairs(session), 1):
        patterns[_levels(assess(a, b, model_u))] += 1
        pairs = pair_count
        if progress and pair_count % BATCH == 0:
            progress(seen + RANDOM_PAIRS + pair_count, steps)
    confirmed: Counter[tuple[str, ...]] = Counter()
    reviews = 0
    for levels, decision in session.execute(
        select(PrescreeningReview.levels, PrescreeningReview.decision)
    ):
        reviews += 1
        if decision == "confirmed":
            confirmed[tuple(levels.get(i, "missing") for i in IDENTIFIERS)] += 1
    m, share = _em(patterns, confirmed, current, u)
    if not _plausible(m, u):
        # The pairs held no cluster of true matches (a deduplicated table): EM's "match"
        # class is then a cluster of relatives, which must not become m. Keep the current m,
        # moved by the analysts' decisions alone.
        m, share = _em(Counter(), confirmed, current, u)
        share = 0.0
    if progress:
        progress(steps, steps)
    model = WeightsModel(
        version=current.version + 1, m=m, u=u, name_words=name_words,
        mother_words=mother_words, places=place_shares, unseen=unseen,
        upper=current.upper, lower=current.lower, policy=current.policy,
    )  # fmt: skip
    return Fitted(model, total, pairs, reviews, share)


def _key_pairs(session: Session) -> Iterable[tuple[Identity, Identity]]:
    """Up to ``EM_PAIRS`` pairs of customers sharing a blocking key no more than
    ``KEY_CROWD`` share, each pair once."""
    crowd = (
        select(IdentityKey.key)
        .where(IdentityKey.owner == "customer")
        .group_by(IdentityKey.key)
        .having(func.count().between(2, KEY_CROWD))
        .limit(EM_PAIRS)
        .subquery()
    )
    a, b = aliased(IdentityKey), aliased(IdentityKey)
    rows = session.execute(
        select(a.owner_id, b.owner_id)
        .join(crowd, crowd.c.key == a.key)
        .join(b, (b.key == a.key) & (b.owner == "customer") & (b.owner_id > a.owner_id))
        .where(a.owner == "customer")
        .distinct()
        .limit(EM_PAIRS)
    ).all()
    wanted = {i for pair in rows for i in pair}
    people: dict[int, Identity] = {}
    ids = sorted(wanted)
    for start in range(0, len(ids), 900):
        for c in session.scalars(select(Customer).where(Customer.id.in_(ids[start : start + 900]))):
            people[c.id] = Identity(c.full_name, c.birth_date, c.birth_place,
                                    c.mother_maiden_name, c.nik)  # fmt: skip
    for x, y in rows:
        if x in people and y in people:
            yield people[x], people[y]


def _em(
    patterns: Counter[tuple[str, ...]],
    confirmed: Counter[tuple[str, ...]],
    current: WeightsModel,
    u: dict[str, dict[str, float]],
) -> tuple[dict[str, dict[str, float]], float]:
    """m of every level, and the share of matches among the pairs, by EM with u fixed.
    Missing levels carry no information and are left out of both."""
    m = {i: dict(levels) for i, levels in current.m.items()}
    share = 0.01
    for _ in range(EM_ROUNDS):
        counts = {i: dict.fromkeys(m[i], 0.0) for i in m}
        matched = 0.0
        for pattern, n in patterns.items():
            log_m, log_u = math.log(share), math.log(1 - share)
            for identifier, level in zip(IDENTIFIERS, pattern, strict=True):
                if level != Level.MISSING.value:
                    log_m += math.log(max(m[identifier][level], 1e-12))
                    log_u += math.log(max(u[identifier][level], 1e-12))
            top = max(log_m, log_u)
            posterior = math.exp(log_m - top) / (math.exp(log_m - top) + math.exp(log_u - top))
            matched += posterior * n
            for identifier, level in zip(IDENTIFIERS, pattern, strict=True):
                if level != Level.MISSING.value:
                    counts[identifier][level] += posterior * n
        for pattern, n in confirmed.items():
            for identifier, level in zip(IDENTIFIERS, pattern, strict=True):
                if level != Level.MISSING.value and level in counts[identifier]:
                    counts[identifier][level] += n
        total_pairs = sum(patterns.values())
        share = min(max(matched / total_pairs, 1e-6), 0.5) if total_pairs else share
        for identifier, levels in counts.items():
            prior = current.m.get(identifier, DEFAULT_M[identifier])
            weight = sum(levels.values()) + PRIOR_PAIRS
            m[identifier] = {
                level: (levels[level] + PRIOR_PAIRS * prior.get(level, 0.0)) / weight
                for level in levels
            }
    return m, share


def _plausible(m: dict[str, dict[str, float]], u: dict[str, dict[str, float]]) -> bool:
    """Whether EM's match class looks like matches: on every identifier, exact agreement is
    more likely among them than among strangers and disagreement less, and one person's name,
    birth date and NIK agree more often than not."""
    return all(
        m[i]["exact"] > u[i]["exact"] and m[i]["disagree"] < u[i]["disagree"] for i in m
    ) and all(m[i]["exact"] > 0.5 for i in ("name", "birth_date", "nik"))


def store(session: Session, fitted: Fitted, fitted_by: str) -> MatchModel:
    row = MatchModel(
        version=fitted.model.version,
        definition=fitted.model.to_json(),
        customers=fitted.customers,
        pairs=fitted.pairs,
        reviews=fitted.reviews,
        fitted_by=fitted_by,
    )
    session.add(row)
    session.flush()
    return row
