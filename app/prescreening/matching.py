"""The duplicate check's matcher: field-by-field agreement between an applicant and a known
person, the Repeat Order decision, and the blocking keys that find candidates without a scan.

The source document names five identifiers in priority order: name (1), date of birth (2),
place of birth (3), mother's maiden name and NIK. When three or more agree with one known
person, the applicant *is* that person (a Repeat Order). Each field agrees, agrees weakly
(a typo, a swapped day and month) or disagrees; a weak agreement counts half. The name must
at least weakly agree: two siblings share a mother and a birthplace, not a name.
"""

import hashlib
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from app.prescreening.names import name_tokens, normalise_place


class Agreement(StrEnum):
    AGREE = "agree"
    WEAK = "weak"
    DISAGREE = "disagree"
    MISSING = "missing"


POINTS = {Agreement.AGREE: 1.0, Agreement.WEAK: 0.5}
REPEAT_ORDER_POINTS = 3.0
FIELDS = ("name", "birth_date", "birth_place", "mother_maiden_name", "nik")  # priority order


@dataclass(frozen=True)
class Identity:
    """The five identifiers of one person, as given (normalised on comparison)."""

    full_name: str
    birth_date: date | None = None
    birth_place: str | None = None
    mother_maiden_name: str | None = None
    nik: str | None = None


@dataclass(frozen=True)
class FieldResult:
    field: str
    agreement: Agreement
    score: float  # 0..100, for the analyst's eyes


@dataclass(frozen=True)
class Comparison:
    fields: tuple[FieldResult, ...]

    def of(self, field: str) -> Agreement:
        return next(f.agreement for f in self.fields if f.field == field)

    @property
    def points(self) -> float:
        return sum(POINTS.get(f.agreement, 0.0) for f in self.fields)

    @property
    def same_person(self) -> bool:
        """Three identifiers or more, the name among them, and not both of the two that a
        person cannot share with a sibling (birth date and NIK) contradicting."""
        name = self.of("name")
        contradicted = (
            self.of("birth_date") is Agreement.DISAGREE and self.of("nik") is Agreement.DISAGREE
        )
        return (
            self.points >= REPEAT_ORDER_POINTS
            and name in (Agreement.AGREE, Agreement.WEAK)
            and not contradicted
        )

    @property
    def identity_conflict(self) -> bool:
        """The same NIK on someone else: the name disagrees and at most one other identifier
        agrees. (A valid NIK carries its birth date, so on checked data the birth date of a
        borrowed NIK agrees by construction.)"""
        return (
            self.of("nik") is Agreement.AGREE
            and self.of("name") is Agreement.DISAGREE
            and self.points <= 2
        )

    @property
    def rank(self) -> tuple[float, ...]:
        """Sort key: points, then the fields in the source's priority order."""
        return (self.points, *(POINTS.get(f.agreement, 0.0) for f in self.fields))


def _typo(a: str, b: str) -> bool:
    """One slip of the finger: an edit (a swap of neighbours counts one) for words of 4+
    letters, two for 8+."""
    allowed = 2 if min(len(a), len(b)) >= 8 else 1 if min(len(a), len(b)) >= 4 else 0
    return OSA.distance(a, b, score_cutoff=allowed) <= allowed


def compare_names(a: str, b: str, *, company: bool = False) -> tuple[Agreement, float]:
    """Order-insensitive, word by word: every word must find its partner.

    ``fuzz.ratio`` over whole names would call Siti Aminah and Siti Aisyah 82 % alike; here
    ``aminah``/``aisyah`` are three edits apart, so the names disagree. Words are compared
    respelled and with doubled letters collapsed (equality), or respelled only (typos).
    """
    ta, tb = name_tokens(a, company=company), name_tokens(b, company=company)
    if not ta or not tb:
        return Agreement.MISSING, 0.0
    score = fuzz.token_sort_ratio(" ".join(ta), " ".join(tb))
    if "".join(ta) == "".join(tb) or sorted(ta) == sorted(tb):
        return Agreement.AGREE, 100.0
    ra = name_tokens(a, company=company, collapse=False)
    rb = name_tokens(b, company=company, collapse=False)
    if OSA.distance("".join(ra), "".join(rb), score_cutoff=1) <= 1:
        return Agreement.AGREE, score  # one slip, spacing aside ("nurhaliza" / "nur haliza")
    words_a, words_b = list(zip(ta, ra, strict=True)), list(zip(tb, rb, strict=True))
    shorter, longer = sorted((words_a, words_b), key=len)
    unmatched = list(longer)
    typos = 0
    for word in shorter:
        exact = next((u for u in unmatched if u[0] == word[0]), None)
        partner = exact or next(
            (u for u in unmatched if _typo(word[1], u[1]) or _typo(word[0], u[0])), None
        )
        if partner is None:
            return Agreement.DISAGREE, score
        unmatched.remove(partner)
        typos += exact is None
    if not unmatched and typos <= 1:
        return Agreement.AGREE, score
    if (len(unmatched) == 1 and typos <= 1) or (not unmatched and typos == 2):
        # One word left out ("Siti Rahmawati" / "Siti Nur Rahmawati"), or two typos.
        return Agreement.WEAK, score
    return Agreement.DISAGREE, score


def compare_dates(a: date | None, b: date | None) -> tuple[Agreement, float]:
    if a is None or b is None:
        return Agreement.MISSING, 0.0
    if a == b:
        return Agreement.AGREE, 100.0
    if (a.day, a.month, a.year) == (b.month, b.day, b.year):
        return Agreement.WEAK, 80.0  # day and month swapped
    sa, sb = a.strftime("%Y%m%d"), b.strftime("%Y%m%d")
    if sum(x != y for x, y in zip(sa, sb, strict=True)) == 1:
        return Agreement.WEAK, 80.0  # one digit mistyped
    return Agreement.DISAGREE, 0.0


def compare_places(a: str | None, b: str | None) -> tuple[Agreement, float]:
    if not a or not b:
        return Agreement.MISSING, 0.0
    pa, pb = normalise_place(a), normalise_place(b)
    if pa == pb:
        return Agreement.AGREE, 100.0
    score = fuzz.ratio(pa, pb)
    if _typo(pa.replace(" ", ""), pb.replace(" ", "")):
        return Agreement.AGREE, score
    return (Agreement.WEAK if score >= 85 else Agreement.DISAGREE), score


def compare_niks(a: str | None, b: str | None) -> tuple[Agreement, float]:
    if not a or not b:
        return Agreement.MISSING, 0.0
    if a == b:
        return Agreement.AGREE, 100.0
    if len(a) == len(b):
        differing = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        swapped = (
            len(differing) == 2
            and differing[1] == differing[0] + 1
            and a[differing[0]] == b[differing[1]]
            and a[differing[1]] == b[differing[0]]
        )
        if len(differing) == 1 or swapped:
            return Agreement.WEAK, 90.0
    return Agreement.DISAGREE, 0.0


def compare(applicant: Identity, known: Identity) -> Comparison:
    results = (
        ("name", compare_names(applicant.full_name, known.full_name)),
        ("birth_date", compare_dates(applicant.birth_date, known.birth_date)),
        ("birth_place", compare_places(applicant.birth_place, known.birth_place)),
        ("mother_maiden_name", _compare_mothers(applicant, known)),
        ("nik", compare_niks(applicant.nik, known.nik)),
    )
    return Comparison(tuple(FieldResult(f, a, round(s, 1)) for f, (a, s) in results))


def _compare_mothers(a: Identity, b: Identity) -> tuple[Agreement, float]:
    if not a.mother_maiden_name or not b.mother_maiden_name:
        return Agreement.MISSING, 0.0
    return compare_names(a.mother_maiden_name, b.mother_maiden_name)


# --- blocking keys ---------------------------------------------------------------------------
#
# A candidate shares at least one key with the applicant. Each key is selective on its own and
# survives a different kind of error, so that one error never hides a true match:
#   nik               the NIK
#   nik head / tail   either half of the NIK: one mistyped digit leaves the other half
#   nik region + seq  the NIK without its birth-date part: a birth-date error the NIK carried
#   dob + name word   each word of the name with the birth date: a typo or a reordering
#                     leaves the other words
#   dob + mother      the birth date with the mother's first word: a typo'd name
#   name + place      the whole name, the birthplace and the birth year: a swapped or
#                     mistyped day or month
#   name + mother     the whole name, the mother's name and the birth year: the same,
#                     without a birthplace
#   the last two without the year (npx, nmx): a form without the birth date or the NIK
#                     (ranked by rarity, a common name in a big city weighs little)
# The applicant's birth date is also looked up with day and month swapped. The birth year in
# the last two keys keeps common single names (a Sukarno born in Jakarta) from crowding them.


def nik_region_sequence_key(nik: str) -> str:
    return f"nikrs:{nik[:6]}{nik[12:]}"


def _hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big",
                          signed=True)  # fmt: skip


def _date_keys(birth_date: date | None, *, swapped: bool) -> list[str]:
    if birth_date is None:
        return []
    days = [birth_date.isoformat()]
    if swapped and birth_date.day <= 12 and birth_date.day != birth_date.month:
        # Both day and month are 12 or less, so the swapped date always exists.
        days.append(date(birth_date.year, birth_date.day, birth_date.month).isoformat())
    return days


def keyed(person: Identity, *, for_query: bool = False) -> dict[int, str]:
    """The blocking keys of ``person`` with the kind of each (``nik``, ``nikh``, ``nikt``,
    ``nikrs``, ``dn``, ``dm``, ``np``, ``nm``, ``npx``, ``nmx``)."""
    tokens = sorted(set(name_tokens(person.full_name)))
    name = "".join(sorted(name_tokens(person.full_name)))
    mother = name_tokens(person.mother_maiden_name or "")
    keys: list[str] = []
    if person.nik:
        keys += [f"nik:{person.nik}", f"nikh:{person.nik[:8]}", f"nikt:{person.nik[8:]}"]
        if len(person.nik) == 16:
            keys.append(nik_region_sequence_key(person.nik))
    for day in _date_keys(person.birth_date, swapped=for_query):
        keys += [f"dn:{day}:{t}" for t in tokens if len(t) >= 2]
        if mother:
            keys.append(f"dm:{day}:{mother[0]}")
    year = person.birth_date.year if person.birth_date else ""
    # Without the year (npx, nmx) only for a query without a birth date: with one, the keys
    # with the year find the same people, and a common name in a big city would crowd the
    # candidates. A query with a birth date also asks for the records kept without one.
    yearless = not for_query or person.birth_date is None
    years = [year, ""] if for_query and year else [year]
    if name and person.birth_place:
        place = normalise_place(person.birth_place)
        keys += [f"np:{name}:{place}:{y}" for y in years]
        if yearless:
            keys.append(f"npx:{name}:{place}")
    if name and mother:
        mothers = "".join(sorted(mother))
        keys += [f"nm:{name}:{mothers}:{y}" for y in years]
        if yearless:
            keys.append(f"nmx:{name}:{mothers}")
    return {_hash(k): k.split(":", 1)[0] for k in keys}


def blocking_keys(person: Identity, *, for_query: bool = False) -> set[int]:
    return set(keyed(person, for_query=for_query))
