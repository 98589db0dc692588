"""The weighted evidence on worked examples (pure, no database): levels per identifier, the
weights log2(m/u) computed here by hand from the model's own numbers, the caps that keep twins
and identity conflicts for the analyst, the three outcomes, and the words of the explanation."""

import math
from datetime import date

import pytest

from app.core.i18n import use_language
from app.prescreening.evidence import (
    DEFAULT_M,
    DEFAULT_U,
    INITIAL_SHARE,
    Level,
    Outcome,
    Policy,
    Review,
    WeightsModel,
    assess,
    date_level,
    nik_level,
    pair_words,
)
from app.prescreening.explanations import describe, summary
from app.prescreening.matching import Identity
from app.prescreening.service import explain

E, C, P, D, M = Level.EXACT, Level.CLOSE, Level.PARTIAL, Level.DISAGREE, Level.MISSING
MODEL = WeightsModel(
    name_words={"siti": 0.06, "rahmawati": 0.01, "siregar": 0.02},
    mother_words={"aminah": 0.03},
    places={"jakarta": 0.12},
    unseen=0.004,
)
SITI = Identity("Siti Rahmawati", date(1990, 8, 17), "Jakarta", "Aminah", "3171015708900001")


def bits(m: float, u: float) -> float:
    return math.log2(m / u)


def test_every_identifier_agreeing_is_the_sum_of_its_weights():
    result = assess(SITI, SITI, MODEL)
    expected = {
        "name": bits(DEFAULT_M["name"]["exact"], 0.06 * 0.01),
        "birth_date": bits(DEFAULT_M["birth_date"]["exact"], DEFAULT_U["birth_date"]["exact"]),
        "birth_place": bits(DEFAULT_M["birth_place"]["exact"], 0.12),
        "mother_maiden_name": bits(DEFAULT_M["mother_maiden_name"]["exact"], 0.03),
        "nik": bits(DEFAULT_M["nik"]["exact"], DEFAULT_U["nik"]["exact"]),
    }
    for identifier, weight in expected.items():
        assert result.of(identifier).level is E
        assert result.of(identifier).weight == pytest.approx(weight)
    assert result.total == pytest.approx(sum(expected.values()))
    assert (result.outcome, result.points, result.review) == (Outcome.REPEAT_ORDER, 5.0, None)


def test_a_missing_value_weighs_nothing_never_against():
    bare = Identity("Siti Rahmawati")
    result = assess(bare, SITI, MODEL)
    assert [e.level for e in result.evidence] == [E, M, M, M, M]
    assert [e.weight for e in result.evidence][1:] == [0.0] * 4
    assert result.total == pytest.approx(bits(DEFAULT_M["name"]["exact"], 0.06 * 0.01))


def test_common_names_weigh_less_than_rare_ones():
    common = assess(Identity("Siti"), Identity("Siti"), MODEL).of("name").weight
    rare = assess(Identity("Syaiful"), Identity("Syaiful"), MODEL).of("name").weight
    assert common == pytest.approx(bits(0.72, 0.06))
    assert rare == pytest.approx(bits(0.72, 0.004))
    assert rare - common == pytest.approx(math.log2(0.06 / 0.004))


@pytest.mark.parametrize(
    ("a", "b", "how"),
    [
        ("rahman", "rahman", "exact"),
        ("s", "syaiful", "initial"),
        ("a", "agus", "initial"),
        ("rahmawaty", "rahmawati", "typo"),
        ("zahra", "zahira", "typo"),
        ("udin", "syaifudin", "nickname"),
        ("yanto", "suryanto", "nickname"),
        ("rudi", "budi", None),  # the first letter of a short name: another name
        ("b", "syaiful", None),
        ("aminah", "aisyah", None),
    ],
)
def test_pairing_name_words(a, b, how):
    assert pair_words(a, b) == how


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        ("Siti Rahmawati", "Hj. Siti Rahmawati", E),
        ("Rahmawati Siti", "Siti Rahmawati", E),
        ("Siti Nurhaliza", "Siti Nur Haliza", E),
        ("Siti Rahmawaty", "Siti Rahmawati", C),
        ("S. Rahman", "Syaiful Rahman", C),
        ("Rudi Siregar", "Budi Siregar", P),  # given name replaced
        ("Rina br. Siregar", "Rina", P),  # the marga dropped
        ("Siti Aminah", "Siti Aisyah", P),
        ("Bambang Hermawan", "Siti Rahmawati", D),
        ("B. Hermawan", "Budi Santoso", D),  # an initial alone is no agreement
    ],
)
def test_name_levels(a, b, level):
    assert assess(Identity(a), Identity(b), MODEL).of("name").level is level


def test_an_initial_weighs_as_its_letter_and_the_rest():
    result = assess(Identity("S. Rahmawati"), Identity("Siti Rahmawati"), MODEL).of("name")
    assert result.level is C
    assert result.weight == pytest.approx(bits(DEFAULT_M["name"]["close"], INITIAL_SHARE * 0.01))


@pytest.mark.parametrize(
    ("a", "b", "level", "how"),
    [
        (date(1990, 8, 17), date(1990, 8, 17), E, ""),
        (date(1990, 8, 7), date(1990, 7, 8), C, "swapped"),
        (date(1990, 8, 17), date(1991, 8, 17), C, "digit"),
        (date(1990, 8, 17), date(1990, 8, 28), P, "component"),
        (date(1990, 8, 17), date(1985, 3, 2), D, ""),
        (None, date(1985, 3, 2), M, ""),
    ],
)
def test_birth_date_levels(a, b, level, how):
    assert date_level(a, b) == (level, how)


@pytest.mark.parametrize(
    ("a", "b", "level", "how"),
    [
        ("3171015708900001", "3171015708900001", E, ""),
        ("3171015708900001", "3171015708900007", C, "sequence"),
        ("3171015708900001", "3171015708900010", C, "sequence"),  # neighbours swapped
        ("3171015708900001", "3171015709900001", C, "date"),
        ("3171015708900001", "3171014808900001", P, "date"),  # the birth date carried
        ("3171015708900001", "3171015708900345", D, ""),
        ("3171015708900001", None, M, ""),
    ],
)
def test_nik_levels(a, b, level, how):
    assert nik_level(a, b) == (level, how)


def test_twins_go_at_most_to_the_review_band():
    zahra = Identity("Zahra Lubis", date(1995, 6, 9), "Medan", "Rosmawati", "1275014906950031")
    for twin, nik in [("Zahira Lubis", "1275014906950032"), ("Zahira Lubis", "1275014906950517"),
                      ("Zahra Lubis", "1275014906950517")]:  # fmt: skip
        result = assess(Identity(twin, zahra.birth_date, "Medan", "Rosmawati", nik), zahra)
        assert result.outcome is Outcome.POSSIBLE_REPEAT_ORDER, (twin, nik)
        assert result.total >= WeightsModel().upper
    # The same one-digit slip in the sequence under the very same name is a typo.
    same = Identity("Zahra Lubis", zahra.birth_date, "Medan", "Rosmawati", "1275014906950032")
    assert assess(same, zahra).outcome is Outcome.REPEAT_ORDER


def test_the_same_nik_under_another_name_is_an_identity_conflict_for_the_analyst():
    other = Identity("Maya Anggraini", SITI.birth_date, "Medan", "Sri", SITI.nik)
    result = assess(other, SITI, MODEL)
    assert (result.identity_conflict, result.review) == (True, Review.NAME_DIFFERS)
    assert result.outcome is Outcome.POSSIBLE_REPEAT_ORDER


def test_three_outcomes_by_the_thresholds():
    model = WeightsModel(upper=20.0, lower=12.0, name_words=MODEL.name_words, unseen=0.004)
    name_only = assess(Identity("Siti Rahmawati"), SITI, model)  # 10.2 bits, + 2.9 + 14.1
    with_place = assess(Identity("Siti Rahmawati", None, "Jakarta"), SITI, model)
    with_date = assess(Identity("Siti Rahmawati", SITI.birth_date), SITI, model)
    assert name_only.total < 12 <= with_place.total < 20 <= with_date.total
    assert [r.outcome for r in (name_only, with_place, with_date)] == [
        Outcome.NEW_CUSTOMER, Outcome.POSSIBLE_REPEAT_ORDER, Outcome.REPEAT_ORDER]  # fmt: skip


def test_a_company_may_keep_the_seed_rule():
    seed = WeightsModel(policy=Policy.THREE_OF_FIVE)
    three = Identity("Siti Rahmawati", SITI.birth_date, "Jakarta")
    two = Identity("Siti Rahmawati", SITI.birth_date)
    assert assess(three, SITI, seed).outcome is Outcome.REPEAT_ORDER
    assert assess(two, SITI, seed).outcome is Outcome.NEW_CUSTOMER
    assert assess(two, SITI, seed).points == 2.0


def test_the_explanation_in_words():
    applicant = Identity("Rudi Siregar", date(1980, 1, 2), "Medan", None, "1275010201800004")
    known = Identity("Budi Siregar", date(1980, 1, 2), "Medan", "Rosma", "1275010201800004")
    result = assess(applicant, known, MODEL)
    rows = {row["field"]: row for row in explain(applicant, known, result)}
    name_weight = bits(DEFAULT_M["name"]["partial"], 0.02)
    with use_language("en"):
        assert describe(rows["name"]) == (
            "name partly agrees: family name Siregar matches, given name Rudi ≠ Budi; "
            f"+{name_weight:.1f}"
        )
        assert describe(rows["mother_maiden_name"]) == (
            "mother's maiden name not given on one side or both; weighs 0"
        )
        assert describe(rows["nik"]).startswith("NIK agrees; +")
        candidate = {"weight": result.total, "points": result.points, "review_reason": None}
        assert summary(candidate) == (
            f"total +{result.total:.1f}; 3.5 of 5 identifiers agree (the seed's count)"
        )
    with use_language("id"):
        assert describe(rows["name"]) == (
            "nama cocok sebagian: nama keluarga Siregar sama, nama depan Rudi ≠ Budi; "
            f"+{name_weight:.1f}".replace(".", ",")
        )
