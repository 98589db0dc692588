"""The EM of ``kredo prescreening fit`` against pairs drawn from a known mixture: with u fixed,
it must find the m the matches were drawn with, and refuse a "match" class that is not one."""

import random
from collections import Counter

import pytest

from app.prescreening.evidence import DEFAULT_M, DEFAULT_U, IDENTIFIERS, WeightsModel
from app.prescreening.fit import _em, _plausible

TRUE_M = {
    "name": {"exact": 0.6, "close": 0.25, "partial": 0.1, "disagree": 0.05},
    "birth_date": {"exact": 0.8, "close": 0.1, "partial": 0.05, "disagree": 0.05},
    "birth_place": {"exact": 0.85, "close": 0.05, "disagree": 0.1},
    "mother_maiden_name": {"exact": 0.7, "close": 0.1, "partial": 0.1, "disagree": 0.1},
    "nik": {"exact": 0.8, "close": 0.1, "partial": 0.05, "disagree": 0.05},
}
U = {
    "name": {"exact": 0.001, "close": 0.004, "partial": 0.1, "disagree": 0.895},
    "birth_date": {"exact": 0.001, "close": 0.01, "partial": 0.04, "disagree": 0.949},
    "birth_place": {"exact": 0.1, "close": 0.01, "disagree": 0.89},
    "mother_maiden_name": {"exact": 0.01, "close": 0.01, "partial": 0.1, "disagree": 0.88},
    "nik": {"exact": 0.0001, "close": 0.0001, "partial": 0.0008, "disagree": 0.999},
}


def draw(rng: random.Random, table: dict[str, dict[str, float]]) -> tuple[str, ...]:
    return tuple(
        rng.choices(list(table[i]), weights=list(table[i].values()))[0] for i in IDENTIFIERS
    )


def test_em_finds_the_m_the_matches_were_drawn_with():
    rng = random.Random(7)
    patterns: Counter[tuple[str, ...]] = Counter()
    for _ in range(30_000):
        patterns[draw(rng, TRUE_M if rng.random() < 0.3 else U)] += 1
    m, share = _em(patterns, Counter(), WeightsModel(), U)
    assert share == pytest.approx(0.3, abs=0.02)
    for identifier, levels in TRUE_M.items():
        for level, value in levels.items():
            assert m[identifier][level] == pytest.approx(value, abs=0.03), (identifier, level)
    assert _plausible(m, U)


def test_confirmed_reviews_count_as_matches():
    confirmed: Counter[tuple[str, ...]] = Counter(
        {("close", "exact", "exact", "missing", "exact"): 800}
    )
    m, _share = _em(Counter(), confirmed, WeightsModel(), U)
    prior = 200 / (800 + 200)  # PRIOR_PAIRS pseudo-matches at the current m
    assert m["name"]["close"] == pytest.approx(0.8 + prior * DEFAULT_M["name"]["close"])
    # No missing level is counted: the mother's m stays the prior's.
    assert m["mother_maiden_name"] == pytest.approx(DEFAULT_M["mother_maiden_name"])


def test_a_cluster_of_relatives_is_not_taken_for_matches():
    relatives = {**U, "name": {"exact": 0.05, "close": 0.05, "partial": 0.6, "disagree": 0.3},
                 "nik": {"exact": 0.0, "close": 0.0, "partial": 0.0, "disagree": 1.0}}  # fmt: skip
    assert not _plausible(relatives, DEFAULT_U)
