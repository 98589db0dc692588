"""The normaliser and the matcher on named Indonesian cases (pure, no database)."""

from datetime import date

import pytest

from app.prescreening.matching import (
    Agreement,
    Identity,
    blocking_keys,
    compare,
    compare_dates,
    compare_names,
    compare_niks,
    compare_places,
    keyed,
)
from app.prescreening.names import normalise_name, normalise_place

A, W, D = Agreement.AGREE, Agreement.WEAK, Agreement.DISAGREE


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("Hj. Siti Nur Haliza", "siti nur haliza"),
        ("H. Muhammad Rizki, S.E., M.M.", "muhamad rizki"),
        ("Ir. Djoko Susilo", "joko susilo"),
        ("Soekarno", "sukarno"),
        ("Drs. Tjahjo Kumolo", "cahjo kumolo"),
        ("Dra. Njoman Sjarif", "nyoman syarif"),
        ("Chairul Tanjung", "khairul tanjung"),
        ("Moch. Abd. Rachman", "muhamad abdul rakhman"),
        ("Bapak Prof. Dr. Bambang  Soesatyo", "bambang susatyo"),
        ("Alm. Ibu Dewi Sartika", "dewi sartika"),
        ("Mhd. Iqbal", "muhamad iqbal"),
        ("Anna Maria", "ana maria"),
        ("Yusuf Mansur, S.Kom.", "yusuf mansur"),
    ],
)
def test_normalise_name(raw, normal):
    assert normalise_name(raw) == normal


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        # Same person, written otherwise
        ("Muhammad Rizki", "Mochamad Rizky", A),
        ("Siti Nurhaliza", "Hj. Siti Nur Haliza", A),
        ("Djoko Susilo", "Joko Susilo", A),
        ("Soekarno", "Sukarno", A),
        ("Mohammad Hatta", "M. Hatta", A),
        ("Budi Santoso", "Santoso Budi", A),
        ("Abdul Rahman", "Abd. Rahman", A),
        ("Tjut Nyak Dhien", "Cut Nyak Dhien", A),
        ("Dewi Lestari", "Dewi Lestary", A),
        ("Ahmad Dhani", "Achmad Dhani", A),
        ("Bambang Pamungkas, S.E.", "Bambang Pamungkas", A),
        ("Sri Mulyani Indrawati", "Sri Mulyani Indrawaty", A),
        ("Nyoman Suartha", "Njoman Suarta", A),
        ("Eko Prasetyo", "Eko Prasetya", A),
        ("Agus", "Agus", A),
        ("Siti Rahmawati", "Siti Nur Rahmawati", W),
        ("PT Maju Jaya", "Maju Jaya", A),
        # Different people that look alike
        ("Siti Aminah", "Siti Aisyah", D),
        ("Ahmad Fauzi", "Ahmad Fauzan", D),
        ("Nur Aini", "Nur Hayati", D),
        ("Agus", "Agus Setiawan Wibowo", D),
        ("Sukarno", "Suharto", D),
        ("Muhammad Ali", "Muhammad Ilham", D),
        ("Dewi Sartika", "Dewi Sandra", D),
        ("Budi Santoso", "Budi Susanto", D),
        ("Joko Widodo", "Joko Wiyono", D),
    ],
)
def test_compare_names(a, b, expected):
    assert compare_names(a, b, company=a.startswith("PT"))[0] is expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("Jakarta", "DKI Jakarta", A),
        ("Jkt", "Jakarta", A),
        ("Jakarta Selatan", "Jakarta", A),
        ("Kota Bandung", "Bandung", A),
        ("Kab. Bogor", "Bogor", A),
        ("Jogja", "Yogyakarta", A),
        ("Surabaya", "Surabya", A),
        ("Ujung Pandang", "Makassar", A),
        ("Bandung", "Bantul", D),
        ("Medan", "Padang", D),
    ],
)
def test_compare_places(a, b, expected):
    assert compare_places(a, b)[0] is expected


def test_places_normalise_to_one_spelling():
    assert normalise_place("Jakarta Timur") == normalise_place("DKI Jakarta") == "jakarta"


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (date(1990, 8, 17), date(1990, 8, 17), A),
        (date(1990, 8, 7), date(1990, 7, 8), W),  # day and month swapped
        (date(1990, 8, 17), date(1991, 8, 17), W),  # one digit
        (date(1990, 8, 17), date(1985, 3, 2), D),
    ],
)
def test_compare_dates(a, b, expected):
    assert compare_dates(a, b)[0] is expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("3171015708900001", "3171015708900001", A),
        ("3171015708900001", "3171015708900007", W),  # one digit
        ("3171015708900001", "3171015708900010", W),  # two neighbours swapped
        ("3171015708900001", "3273016102010003", D),
    ],
)
def test_compare_niks(a, b, expected):
    assert compare_niks(a, b)[0] is expected


SITI = Identity("Siti Rahmawati", date(1990, 8, 17), "Jakarta", "Aminah", "3171015708900001")


def test_repeat_order_through_a_typo_and_a_swapped_birth_date():
    again = Identity("Siti Rahmawaty", date(1990, 8, 17), "DKI Jakarta", "Aminah", None)
    assert compare(again, SITI).same_person
    swapped = Identity(
        "Hj. Siti Rahmawati",
        date(1990, 8, 17).replace(month=8),
        "Jkt",
        "Aminah",
        "3171015708900001",
    )
    assert compare(swapped, SITI).same_person


def test_siblings_share_mother_and_birthplace_not_identity():
    brother = Identity("Ahmad Rahmawan", date(1993, 2, 1), "Jakarta", "Aminah", "3171010102930004")
    result = compare(brother, SITI)
    assert result.of("mother_maiden_name") is A
    assert not result.same_person


def test_identity_conflict_on_a_shared_nik():
    impostor = Identity("Bambang Hermawan", date(1975, 1, 1), "Medan", "Sri", "3171015708900001")
    result = compare(impostor, SITI)
    assert result.identity_conflict
    assert not result.same_person


def test_three_identifiers_without_the_name_are_not_enough():
    twin = Identity("Dewi Rahmawati", date(1990, 8, 17), "Jakarta", "Aminah", None)
    assert compare(twin, SITI).of("name") is D
    assert not compare(twin, SITI).same_person


def test_blocking_keys_survive_each_kind_of_error():
    stored = blocking_keys(SITI)
    variants = [
        Identity("Siti Rahmawaty", SITI.birth_date, "Jakarta", "Aminah", SITI.nik),
        Identity("Rahmawati Siti", SITI.birth_date, None, None, None),
        Identity("Siti Rahmawati", date(1990, 8, 17), "Jakarta", "Aminah", "3171015708900007"),
        Identity("Siti Rahmawati", date(1990, 1, 1), "Jakarta", None, None),
        Identity("Sity Rachmawati", date(1990, 8, 17), None, "Aminah", None),
    ]
    for variant in variants:
        assert blocking_keys(variant, for_query=True) & stored, variant


def test_swapped_birth_date_found_through_the_query_keys():
    stored = blocking_keys(Identity("Rina Marlina", date(1992, 3, 5)))
    query = blocking_keys(Identity("Rina Marlinah", date(1992, 5, 3)), for_query=True)
    assert query & stored


def test_a_missing_birth_date_on_either_side_still_shares_a_key():
    """A form without birth date or NIK finds a customer kept with both, through his name with
    his birthplace or mother; a customer kept without a birth date is found by a form with one."""
    query = Identity("Siti Rahmawati", None, "Jakarta", "Aminah", None)
    assert blocking_keys(query, for_query=True) & blocking_keys(SITI)
    kept = Identity("Siti Rahmawati", None, "Jakarta", "Aminah", None)
    assert blocking_keys(SITI, for_query=True) & blocking_keys(kept)
    # With a birth date on both sides, the keys without the year are not asked for.
    asked = keyed(SITI, for_query=True).values()
    assert "npx" not in asked
    assert "nmx" not in asked
