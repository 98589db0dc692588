"""Weighted evidence for the duplicate check (Fellegi-Sunter): each identifier is compared at
an agreement level, each level weighs log2(m/u) bits, and the total decides among Repeat
Order, Possible Repeat Order (the analyst's review) and New Customer.

``m`` is how often a level is seen when the two records are one person, ``u`` how often it is
seen between two people taken at random. A level only a true match shows (the same NIK) weighs
a lot; one that strangers show as often (both called Muhammad) weighs little; a missing value
weighs nothing at all. ``u`` of an exact name, birthplace or mother's name is that value's own
frequency among the customers (term frequency): sharing the name Siti says less than sharing
the name Syaiful.

Two patterns are never left to the weight alone and go at most to the analyst: a name that
shares no word at all (the same NIK under another name is an identity problem), and two NIKs
that differ while both are given, or differ only in the sequence under given names that are
not the same (twins: same birth date, birthplace and mother, the NIK's sequence and a
look-alike given name the only difference).

Plain functions on plain data: no database, no web framework.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cached_property, lru_cache
from typing import Any

from rapidfuzz.distance import OSA

from app.prescreening.matching import Identity
from app.prescreening.names import name_tokens, normalise_place

IDENTIFIERS = ("name", "birth_date", "birth_place", "mother_maiden_name", "nik")  # priority


class Level(StrEnum):
    EXACT = "exact"
    CLOSE = "close"
    PARTIAL = "partial"
    DISAGREE = "disagree"
    MISSING = "missing"


class Outcome(StrEnum):
    REPEAT_ORDER = "repeat_order"
    POSSIBLE_REPEAT_ORDER = "possible_repeat_order"
    NEW_CUSTOMER = "new_customer"


class Policy(StrEnum):
    WEIGHTS = "weights"  # the default: the total weight against the two thresholds
    THREE_OF_FIVE = "three_of_five"  # the seed's rule, for a company that keeps it


# Seed points per level ("three of five"), shown in every explanation.
SEED_POINTS = {Level.EXACT: 1.0, Level.CLOSE: 1.0, Level.PARTIAL: 0.5}

# --- the model ---------------------------------------------------------------------------------

# Frequencies of common name words (share of customers whose name carries the word), used
# until a fit on the company's own customers replaces them.
COMMON_NAME_WORDS = {
    "muhammad": 0.08, "siti": 0.06, "nur": 0.05, "sri": 0.03, "dewi": 0.02, "agus": 0.02,
    "ahmad": 0.02, "abdul": 0.02, "putri": 0.015, "budi": 0.015, "eko": 0.01, "dwi": 0.01,
    "tri": 0.01, "rizki": 0.01, "wahyu": 0.01, "indah": 0.01,
}  # fmt: skip
COMMON_PLACES = {"jakarta": 0.12, "bandung": 0.05, "surabaya": 0.04, "medan": 0.03,
                 "semarang": 0.02, "bekasi": 0.02, "tangerang": 0.02, "bogor": 0.02}  # fmt: skip

DEFAULT_M = {
    "name": {"exact": 0.72, "close": 0.2, "partial": 0.07, "disagree": 0.01},
    "birth_date": {"exact": 0.9, "close": 0.05, "partial": 0.03, "disagree": 0.02},
    "birth_place": {"exact": 0.92, "close": 0.05, "disagree": 0.03},
    "mother_maiden_name": {"exact": 0.85, "close": 0.08, "partial": 0.05, "disagree": 0.02},
    "nik": {"exact": 0.9, "close": 0.06, "partial": 0.03, "disagree": 0.01},
}
DEFAULT_U = {
    "name": {"exact": 1e-4, "close": 2e-4, "partial": 0.02, "disagree": 0.98},
    "birth_date": {"exact": 5e-5, "close": 8e-4, "partial": 5e-3, "disagree": 0.994},
    "birth_place": {"exact": 0.05, "close": 5e-3, "disagree": 0.945},
    "mother_maiden_name": {"exact": 5e-3, "close": 5e-3, "partial": 0.05, "disagree": 0.94},
    "nik": {"exact": 1e-9, "close": 1e-7, "partial": 1e-4, "disagree": 1.0},
}
CLOSE_FACTOR = 3.0  # a typo'd or nicknamed word is found among strangers more often
INITIAL_SHARE = 0.07  # strangers whose given name starts with a given letter (about 1 in 14)
UNSEEN_SHARE = 5e-3  # a word no frequency was counted for: rarer than any counted one
FLOOR_U = 1e-9


@dataclass(frozen=True)
class WeightsModel:
    """The m and u of every level, the term frequencies, the thresholds (bits) and the policy.
    Version 0 is the built-in one; a fit stores the next version (``kredo prescreening fit``)."""

    version: int = 0
    m: Mapping[str, Mapping[str, float]] = field(default_factory=lambda: DEFAULT_M)
    u: Mapping[str, Mapping[str, float]] = field(default_factory=lambda: DEFAULT_U)
    name_words: Mapping[str, float] = field(default_factory=lambda: COMMON_NAME_WORDS)
    mother_words: Mapping[str, float] = field(default_factory=lambda: COMMON_NAME_WORDS)
    places: Mapping[str, float] = field(default_factory=lambda: COMMON_PLACES)
    unseen: float = UNSEEN_SHARE
    upper: float = 22.0  # at or above: Repeat Order
    lower: float = 12.0  # at or above (and below ``upper``): Possible Repeat Order
    policy: Policy = Policy.WEIGHTS

    def to_json(self) -> dict[str, Any]:
        return {
            "m": self.m, "u": self.u, "name_words": self.name_words,
            "mother_words": self.mother_words, "places": self.places, "unseen": self.unseen,
            "upper": self.upper, "lower": self.lower, "policy": self.policy.value,
        }  # fmt: skip

    @classmethod
    def from_json(cls, version: int, data: Mapping[str, Any]) -> "WeightsModel":
        return cls(
            version=version, m=data["m"], u=data["u"], name_words=data["name_words"],
            mother_words=data["mother_words"], places=data["places"],
            unseen=float(data["unseen"]), upper=float(data["upper"]),
            lower=float(data["lower"]), policy=Policy(data.get("policy", "weights")),
        )  # fmt: skip

    @cached_property
    def _average_bits(self) -> dict[tuple[str, str], float]:
        return {
            (identifier, level): math.log2(
                max(m, FLOOR_U) / max(min(self.u[identifier][level], 1.0), FLOOR_U)
            )
            for identifier, levels in self.m.items()
            for level, m in levels.items()
        }

    def bits(self, identifier: str, level: Level, u: float | None = None) -> float:
        """log2(m/u) of ``level``; ``u`` given when the values' own frequency replaces the
        level's average. A missing value weighs nothing."""
        if level is Level.MISSING:
            return 0.0
        if u is None:
            return self._average_bits[identifier, level]
        m = self.m[identifier][level]
        return math.log2(max(m, FLOOR_U) / max(min(u, 1.0), FLOOR_U))


DEFAULT_MODEL = WeightsModel()

# --- comparing one identifier -------------------------------------------------------------------


@dataclass(frozen=True)
class Pair:
    """Two name words paired: how (exact, typo, spelling, nickname, initial) and which."""

    how: str
    applicant: str
    known: str


@dataclass(frozen=True)
class Evidence:
    identifier: str
    level: Level
    weight: float
    pairs: tuple[Pair, ...] = ()  # names: the words paired
    unpaired: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())  # names: applicant's, known's
    how: str = ""  # dates and NIKs: which kind of near agreement

    def to_json(self) -> dict[str, Any]:
        return {
            "field": self.identifier, "level": self.level.value, "weight": round(self.weight, 2),
            "pairs": [[p.how, p.applicant, p.known] for p in self.pairs],
            "unpaired": [list(self.unpaired[0]), list(self.unpaired[1])], "how": self.how,
        }  # fmt: skip


# Nicknames written for a full given name (the full form's respelled, collapsed tokens).
NICKNAMES = {
    "udin": ("syaifudin", "saifudin", "nurudin", "jamaludin", "kamarudin", "samsudin"),
    "iwan": ("setiawan", "kurniawan", "gunawan", "hermawan", "irwan"),
    "yanto": ("suryanto", "haryanto", "priyanto", "mulyanto", "suyanto", "heryanto"),
    "ucok": ("muhammad",), "mamat": ("muhammad", "rahmat"), "memet": ("muhammad",),
    "asep": ("saepul", "syaiful", "saiful"), "ujang": ("jajang",),
    "dedi": ("dediana", "hidayat"), "tini": ("kartini", "martini", "sumartini"),
    "nining": ("ningsih",), "yati": ("suryati", "hayati", "mulyati", "haryati"),
    "atun": ("fatimah", "fatmawati"), "ipah": ("syarifah",), "acil": ("syamsul",),
    "anto": ("susanto", "santoso", "prayitno"), "ari": ("ariyanto", "arif"),
    "wati": ("setyawati", "rahmawati", "kurniawati"), "yuli": ("yuliana", "yulianti"),
}  # fmt: skip


@lru_cache(maxsize=65_536)
def _tokens(name: str) -> tuple[str, ...]:
    """Normalised name words, remembered: the applicant's are compared with every candidate,
    and the common names' over and over."""
    return tuple(name_tokens(name))


@lru_cache(maxsize=16_384)
def _place(place: str) -> str:
    return normalise_place(place)


@lru_cache(maxsize=262_144)
def _pair(a: str, b: str) -> str | None:
    return _judge(a, b)


def _edits_allowed(a: str, b: str) -> int:
    shorter = min(len(a), len(b))
    return 2 if shorter >= 8 else 1 if shorter >= 4 else 0


def pair_words(a: str, b: str) -> str | None:
    return _pair(a, b)


def _judge(a: str, b: str) -> str | None:
    """How two respelled name words agree, if they do: ``exact``, ``typo``, ``nickname``,
    ``initial`` (one is the other's first letter: "S." for Syaiful), or not at all."""
    if a == b:
        return "exact"
    if len(a) == 1 or len(b) == 1:
        return "initial" if a[0] == b[0] else None
    allowed = _edits_allowed(a, b)
    # A short name whose first letter differs is another name (Rudi, Budi), not a slip.
    first_kept = a[0] == b[0] or min(len(a), len(b)) >= 6
    if allowed and first_kept and OSA.distance(a, b, score_cutoff=allowed) <= allowed:
        return "typo"
    if b in NICKNAMES.get(a, ()) or a in NICKNAMES.get(b, ()):
        return "nickname"
    shorter, longer = sorted((a, b), key=len)
    if len(shorter) >= 4 and longer.endswith(shorter) and len(longer) - len(shorter) <= 4:
        return "nickname"  # "Yanto" for Suryanto, "Wati" for Rahmawati
    return None


def _share(words: Mapping[str, float], word: str, unseen: float) -> float:
    return words.get(word, unseen)


def compare_name_words(
    identifier: str,
    applicant: str | None,
    known: str | None,
    model: WeightsModel,
    words: Mapping[str, float],
) -> Evidence:
    """Word by word, order aside: every word of each name looks for its partner, exact words
    first. All paired and all exact: exact; all paired, some by a typo, a nickname or an
    initial: close; some paired, some not (a replaced or left-out word, a dropped *marga*):
    partial; none (or an initial alone): disagree. The weight of an agreement is the rarer the
    more its words are: u is the product of their frequencies among the customers."""
    ta = _tokens(applicant or "")
    tb = _tokens(known or "")
    if not ta or not tb:
        return Evidence(identifier, Level.MISSING, 0.0)
    if "".join(ta) == "".join(tb) and sorted(ta) != sorted(tb):
        # "Nurhaliza" / "Nur Haliza": one name, spaced otherwise.
        joined = (Pair("exact", " ".join(ta), " ".join(tb)),)
        u = math.prod(_share(words, w, model.unseen) for w in tb)
        return Evidence(identifier, Level.EXACT, model.bits(identifier, Level.EXACT, u), joined)
    if ta == tb:
        u = math.prod(_share(words, w, model.unseen) for w in tb)
        level_bits = model.bits(identifier, Level.EXACT, u)
        return Evidence(identifier, Level.EXACT, level_bits, tuple(Pair("exact", w, w) for w in ta))
    left, right = list(ta), list(tb)
    pairs: list[Pair] = []
    how = {(a, b): pair_words(a, b) for a in set(ta) for b in set(tb)}  # each pair judged once
    for kind in ("exact", "typo", "nickname", "initial"):
        for word in list(left):
            partner = next((w for w in right if how[word, w] == kind), None)
            if partner is not None:
                pairs.append(Pair(kind, word, partner))
                left.remove(word)
                right.remove(partner)
    unpaired = (tuple(left), tuple(right))
    full = [p for p in pairs if p.how != "initial"]
    if not full:
        return Evidence(identifier, Level.DISAGREE, model.bits(identifier, Level.DISAGREE),
                        tuple(pairs), unpaired)  # fmt: skip
    u = 1.0
    for p in pairs:
        if p.how == "initial":
            u *= INITIAL_SHARE
        else:
            share = _share(words, p.known, model.unseen)
            u *= share if p.how == "exact" else min(1.0, share * CLOSE_FACTOR)
    if left or right:
        level = Level.PARTIAL
    elif all(p.how == "exact" for p in pairs):
        level = Level.EXACT
    else:
        level = Level.CLOSE
    return Evidence(identifier, level, model.bits(identifier, level, u), tuple(pairs), unpaired)


def date_level(a: date | None, b: date | None) -> tuple[Level, str]:
    """Exact; close (day and month swapped, or one digit mistyped); partial (two of day,
    month and year agree); disagree; missing."""
    if a is None or b is None:
        return Level.MISSING, ""
    if a == b:
        return Level.EXACT, ""
    if (a.day, a.month, a.year) == (b.month, b.day, b.year):
        return Level.CLOSE, "swapped"
    sa, sb = a.strftime("%Y%m%d"), b.strftime("%Y%m%d")
    if sum(x != y for x, y in zip(sa, sb, strict=True)) == 1:
        return Level.CLOSE, "digit"
    if sum((a.day == b.day, a.month == b.month, a.year == b.year)) == 2:
        return Level.PARTIAL, "component"
    return Level.DISAGREE, ""


def compare_birth_dates(a: date | None, b: date | None, model: WeightsModel) -> Evidence:
    level, how = date_level(a, b)
    return Evidence("birth_date", level, model.bits("birth_date", level), how=how)


def compare_birth_places(a: str | None, b: str | None, model: WeightsModel) -> Evidence:
    if not a or not b:
        return Evidence("birth_place", Level.MISSING, 0.0)
    pa, pb = _place(a), _place(b)
    if pa == pb:
        u = _share(model.places, pb, model.u["birth_place"]["exact"])
        return Evidence("birth_place", Level.EXACT, model.bits("birth_place", Level.EXACT, u))
    ja, jb = pa.replace(" ", ""), pb.replace(" ", "")
    allowed = _edits_allowed(ja, jb)
    if allowed and OSA.distance(ja, jb, score_cutoff=allowed) <= allowed:
        return Evidence("birth_place", Level.CLOSE, model.bits("birth_place", Level.CLOSE),
                        how="typo")  # fmt: skip
    return Evidence("birth_place", Level.DISAGREE, model.bits("birth_place", Level.DISAGREE))


# A NIK: 6 digits of region (province, regency, district), 6 of birth date (day + 40 for a
# woman, month, year), 4 of sequence.
NIK_DATE = slice(6, 12)


def nik_level(a: str | None, b: str | None) -> tuple[Level, str]:
    """Exact; close (one digit off, or two neighbours swapped); partial (region and sequence
    agree, the birth-date part does not: a birth-date error the NIK carried); disagree."""
    if not a or not b:
        return Level.MISSING, ""
    if a == b:
        return Level.EXACT, ""
    if len(a) == len(b) == 16:
        differing = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        swapped = (
            len(differing) == 2
            and differing[1] == differing[0] + 1
            and (a[differing[0]], a[differing[1]]) == (b[differing[1]], b[differing[0]])
        )
        if len(differing) == 1 or swapped:
            where = "date" if NIK_DATE.start <= differing[0] < NIK_DATE.stop else (
                "sequence" if differing[0] >= NIK_DATE.stop else "region")  # fmt: skip
            return Level.CLOSE, where
        if a[:6] == b[:6] and a[12:] == b[12:]:
            return Level.PARTIAL, "date"
    return Level.DISAGREE, ""


def compare_niks(a: str | None, b: str | None, model: WeightsModel) -> Evidence:
    level, how = nik_level(a, b)
    return Evidence("nik", level, model.bits("nik", level), how=how)


# --- the whole ----------------------------------------------------------------------------------


class Review(StrEnum):
    """Why a pair goes at most to the analyst, whatever its weight."""

    NAME_DIFFERS = "name_differs"
    NIK_DIFFERS = "nik_differs"
    TWIN_PATTERN = "twin_pattern"


@dataclass(frozen=True)
class Assessment:
    evidence: tuple[Evidence, ...]
    total: float
    outcome: Outcome
    points: float  # the seed's "three of five" count
    review: Review | None  # the rule that holds it at the review band, if any
    identity_conflict: bool

    def of(self, identifier: str) -> Evidence:
        return next(e for e in self.evidence if e.identifier == identifier)

    @property
    def same_person(self) -> bool:
        return self.outcome is Outcome.REPEAT_ORDER


def _seed_rule(evidence: dict[str, Evidence], points: float) -> bool:
    """The seed's rule: three of five, the name among them, and not both birth date and NIK
    contradicting."""
    contradicted = (
        evidence["birth_date"].level is Level.DISAGREE and evidence["nik"].level is Level.DISAGREE
    )
    named = evidence["name"].level in (Level.EXACT, Level.CLOSE, Level.PARTIAL)
    return points >= 3 and named and not contradicted


def assess(applicant: Identity, known: Identity, model: WeightsModel = DEFAULT_MODEL) -> Assessment:
    """The evidence that ``applicant`` is ``known``, its total and the outcome."""
    found = (
        compare_name_words("name", applicant.full_name, known.full_name, model, model.name_words),
        compare_birth_dates(applicant.birth_date, known.birth_date, model),
        compare_birth_places(applicant.birth_place, known.birth_place, model),
        compare_name_words("mother_maiden_name", applicant.mother_maiden_name,
                           known.mother_maiden_name, model, model.mother_words),
        compare_niks(applicant.nik, known.nik, model),
    )  # fmt: skip
    by = {e.identifier: e for e in found}
    total = sum(e.weight for e in found)
    points = sum(SEED_POINTS.get(e.level, 0.0) for e in found)
    name, nik = by["name"], by["nik"]
    review: Review | None = None
    if name.level is Level.DISAGREE:
        review = Review.NAME_DIFFERS
    elif nik.level is Level.DISAGREE:
        review = Review.NIK_DIFFERS
    elif nik.level is Level.CLOSE and nik.how == "sequence" and name.level is not Level.EXACT:
        review = Review.TWIN_PATTERN
    conflict = nik.level is Level.EXACT and name.level is Level.DISAGREE
    if model.policy is Policy.THREE_OF_FIVE:
        outcome = Outcome.REPEAT_ORDER if _seed_rule(by, points) else Outcome.NEW_CUSTOMER
    elif total >= model.upper and review is None:
        outcome = Outcome.REPEAT_ORDER
    elif total >= model.lower or (total >= model.upper and review is not None):
        outcome = Outcome.POSSIBLE_REPEAT_ORDER
    else:
        outcome = Outcome.NEW_CUSTOMER
    return Assessment(found, total, outcome, points, review, conflict)
