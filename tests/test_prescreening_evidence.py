"""The five reasons the three-of-five rule missed returning customers (issue 13), one named
test each, plus the two habits of the held-out set: a given name written as its initial, and
twins with look-alike given names. Each goes through ``POST /v1/customers/matches``, as an
analyst's duplicate check does, against customers written with their blocking keys."""

from datetime import date
from typing import Any

from fastapi.testclient import TestClient

from app.core.database import Database
from app.prescreening.matching import Identity
from app.prescreening.service import Party, add_customer
from tests.conftest import ANALYST

SYAIFUL = Identity(
    full_name="Syaiful Rahman",
    birth_date=date(1988, 3, 14),
    birth_place="Bandung",
    mother_maiden_name="Euis Kartika",
    nik="3273011403880017",
)


def known(database: Database, *people: Identity) -> list[int]:
    """Customers, written as pre-screening writes them (with their keys); their ids."""
    with database.transaction() as session:
        return [add_customer(session, Party("applicant", p), "import").id for p in people]


def matches(client: TestClient, person: Identity) -> dict[str, Any]:
    body = {
        "full_name": person.full_name,
        "birth_date": person.birth_date.isoformat() if person.birth_date else None,
        "birth_place": person.birth_place,
        "mother_maiden_name": person.mother_maiden_name,
        "nik": person.nik,
    }
    response = client.post("/v1/customers/matches", json=body, headers=ANALYST)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_cause_1_a_replaced_name_word_is_no_veto(client: TestClient, database: Database):
    """Given name replaced; birth date, birthplace and NIK agree: the family name carries part
    of the name's evidence, and the rest is overwhelming."""
    (syaiful,) = known(database, SYAIFUL)
    again = Identity("Budi Rahman", SYAIFUL.birth_date, "Bandung", None, SYAIFUL.nik)
    assert matches(client, again)["repeat_order_customer_id"] == syaiful


def test_cause_2_missing_values_weigh_nothing(client: TestClient, database: Database):
    """No birth date, no mother's name and a NIK with one digit wrong: at most 2.5 of the
    seed's points, yet the name, birthplace and a near-identical NIK are one person."""
    (syaiful,) = known(database, SYAIFUL)
    again = Identity("Syaiful Rahman", None, "Bandung", None, "3273011403880019")
    assert matches(client, again)["repeat_order_customer_id"] == syaiful


def test_cause_3_a_birth_date_error_carried_into_the_nik(client: TestClient, database: Database):
    """Day and month both mistyped, and the NIK (built from the birth date) with them: the
    sibling guard saw two contradictions; the NIK's region and sequence still agree."""
    (syaiful,) = known(database, SYAIFUL)
    again = SYAIFUL.__class__(
        "Syaiful Rahman", date(1988, 4, 13), "Bandung", "Euis Kartika", "3273011304880017"
    )
    assert matches(client, again)["repeat_order_customer_id"] == syaiful


def test_cause_4_a_rare_key_is_not_crowded_out(client: TestClient, database: Database):
    """Thirty customers share the applicant's NIK head (region and birth day) and were known
    first; the true customer shares only the rarer NIK tail. Ranked by the number of shared
    keys with ties by id, he was cut at 25."""
    decoys = [
        Identity(f"Decoy {chr(65 + i // 26)}{chr(97 + i % 26)}ono", date(1970 + i, 1, 15),
                 "Medan", None, f"32730115{(i % 12) + 1:02d}{70 + i:02d}{i + 1:04d}")
        for i in range(30)
    ]  # fmt: skip
    *_, syaiful = known(database, *decoys, SYAIFUL)
    # The birth day mistyped (14 -> 15) in both the birth date and the NIK; no birthplace or
    # mother given, so no key of the name with either.
    again = Identity("Syaiful Rahman", None, None, None, "3273011503880017")
    result = matches(client, again)
    assert syaiful in [c["customer_id"] for c in result["candidates"]]
    assert result["repeat_order_customer_id"] == syaiful


def test_cause_5_the_decision_rule_not_the_search(client: TestClient, database: Database):
    """The true customer is among the candidates, and the answer was still New Customer:
    the mother's name given short, no birthplace and no NIK leave 2.5 points, while the name
    (a typo), the birth date and the mother's first name agree."""
    (syaiful,) = known(database, SYAIFUL)
    again = Identity("Syaipul Rahman", SYAIFUL.birth_date, None, "Euis", None)
    result = matches(client, again)
    assert syaiful in [c["customer_id"] for c in result["candidates"]]
    assert result["repeat_order_customer_id"] == syaiful


def test_a_given_name_written_as_its_initial(client: TestClient, database: Database):
    """ "S. Rahman" for Syaiful Rahman, and "A. Somantri" for Agus Somantri: the initial is a
    close agreement of the given name, not a disagreement."""
    agus = Identity("Agus Somantri", date(1979, 11, 2), "Garut", "Imas", "3205010211790004")
    syaiful, agus_id = known(database, SYAIFUL, agus)
    again = Identity("S. Rahman", SYAIFUL.birth_date, "Bandung", "Euis Kartika", SYAIFUL.nik)
    assert matches(client, again)["repeat_order_customer_id"] == syaiful
    also = Identity("A. Somantri", agus.birth_date, "Garut", "Imas", agus.nik)
    assert matches(client, also)["repeat_order_customer_id"] == agus_id


def test_twins_with_look_alike_names_are_never_merged(client: TestClient, database: Database):
    """Twins share birth date, birthplace, mother and family name; the NIK's sequence and the
    given name tell them apart. At most the analyst's review, never a Repeat Order."""
    zahra = Identity("Zahra Lubis", date(1995, 6, 9), "Medan", "Rosmawati", "1275014906950031")
    (zahra_id,) = known(database, zahra)
    zahira = Identity("Zahira Lubis", zahra.birth_date, "Medan", "Rosmawati", "1275014906950032")
    result = matches(client, zahira)
    assert result["repeat_order_customer_id"] is None
    assert zahra_id in [c["customer_id"] for c in result["candidates"]]


def test_the_migration_keys_every_known_nik_as_the_matcher_does():
    """Customers known before this change get the NIK region-and-sequence key the matcher
    now writes; the migration hashes it on its own, and must agree."""
    import importlib.util

    from app.core.settings import PROJECT_ROOT
    from app.prescreening.matching import _hash, keyed, nik_region_sequence_key

    path = PROJECT_ROOT / "migrations/versions/2026_11_23_prescreening_weights_and_review.py"
    spec = importlib.util.spec_from_file_location("rekey_migration", path)
    assert spec is not None
    assert spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    nik = SYAIFUL.nik
    assert nik is not None
    assert migration._key(nik) == _hash(nik_region_sequence_key(nik))
    assert keyed(SYAIFUL)[migration._key(nik)] == "nikrs"
