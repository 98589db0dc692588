"""The harder held-out set for the duplicate check: Indonesian identities as branch clerks
write them, with families (siblings, twins with look-alike given names), namesakes born the
same year, Batak names with their *marga*, and returning customers carrying one labelled error
each, so that precision and recall are reported per error class.

Known customers come in families: a mother, a birthplace (and the NIK's region), a family name,
one to three children, one family in twelve with twins (same birth date; NIK sequences a few
apart; given names one letter apart). Queries are labelled with the customer they are (or
``None``) and their class.
"""

import csv
import random
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from app.prescreening.matching import Identity
from app.prescreening.names import name_tokens, normalise_place
from bench.population import FAMILY, MEN, REGENCIES, WOMEN

# Twins' given names: one letter apart, as parents name them.
TWIN_NAMES = [("Zahra", "Zahira"), ("Rizki", "Rizka"), ("Arga", "Arya"), ("Putra", "Putri"),
              ("Dika", "Dita"), ("Rani", "Rina"), ("Fajar", "Fajri"), ("Nabila", "Nabilah"),
              ("Raka", "Raki"), ("Salsa", "Salma"), ("Hasan", "Husen"),
              ("Aldi", "Alda")]  # fmt: skip
BATAK = ["Siregar", "Nasution", "Lubis", "Harahap", "Simanjuntak", "Sitompul", "Ginting",
         "Tarigan", "Manurung", "Panjaitan", "Sembiring", "Purba"]  # fmt: skip
NICKNAMES = {"Syaifudin": "Udin", "Setiawan": "Iwan", "Suryanto": "Yanto", "Kartini": "Tini",
             "Hermawan": "Iwan", "Haryanto": "Yanto", "Rahmawati": "Wati",
             "Yulianti": "Yuli", "Susanto": "Anto", "Kurniawan": "Iwan"}  # fmt: skip
GIVEN_LONG = ["Syaiful", "Agus", "Bambang", "Hendra", "Slamet", "Wahyu", "Teguh", "Irfan",
              "Lukman", "Taufik", "Yusuf", "Gunawan", "Kartika", "Lestari", "Ratna", "Endang",
              "Fitri", "Intan", "Juwita", "Yanti"]  # fmt: skip

DUPLICATE_CLASSES = (
    "given_replaced", "family_replaced", "nickname", "missing_birth_date", "missing_mother",
    "date_into_nik", "nik_digit", "initial", "marga_dropped", "typo", "swapped_date",
)  # fmt: skip
OTHER_CLASSES = ("sibling", "twin", "namesake", "new")
CLASSES = DUPLICATE_CLASSES + OTHER_CLASSES


@dataclass(frozen=True)
class Member:
    identity: Identity
    family: str
    given: str
    sex: str
    region: str
    twin: Identity | None = None  # the other twin (not a customer)
    sibling: Identity | None = None  # a brother or sister (not a customer)


@dataclass(frozen=True)
class Query:
    identity: Identity
    truth: int | None  # customer id (1-based position in the known list), or None
    kind: str


class HardSet:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.niks: set[str] = set()

    # --- people -------------------------------------------------------------------------

    def _nik(self, region: str, born: date, sex: str, sequence: int | None = None) -> str:
        while True:
            seq = sequence if sequence is not None else self.rng.randint(1, 9999)
            day = born.day + (40 if sex == "female" else 0)
            nik = f"{region}{day:02d}{born.month:02d}{born.year % 100:02d}{seq:04d}"
            if nik not in self.niks:
                self.niks.add(nik)
                return nik
            sequence = None

    def _given(self, sex: str) -> str:
        r = self.rng.random()
        if sex == "male":
            return "Muhammad" if r < 0.12 else self.rng.choice(MEN + GIVEN_LONG[:12])
        return "Siti" if r < 0.12 else self.rng.choice(WOMEN + GIVEN_LONG[12:])

    def _full(self, given: str, family: str, sex: str, batak: bool) -> str:
        if batak and sex == "female":
            return f"{given} br. {family}"
        if self.rng.random() < 0.3:
            middle = self.rng.choice(MEN if sex == "male" else WOMEN)
            return f"{given} {middle} {family}"
        return f"{given} {family}"

    def family(self) -> list[Member]:
        """One family's children, born in one place to one mother."""
        batak = self.rng.random() < 0.2
        surname = self.rng.choice(BATAK if batak else FAMILY + list(NICKNAMES))
        code, place = self.rng.choice(REGENCIES)
        region = f"{code}{self.rng.randint(1, 30):02d}"
        mother = self.rng.choice(WOMEN) + (
            f" {self.rng.choice(FAMILY)}" if self.rng.random() < 0.5 else ""
        )
        first_born = date(1955, 1, 1) + timedelta(days=self.rng.randint(0, 365 * 45))
        children: list[tuple[str, str, date]] = []
        if self.rng.random() < 1 / 12:
            a, b = self.rng.choice(TWIN_NAMES)
            sex = self.rng.choice(("male", "female"))
            children += [(a, sex, first_born), (b, sex, first_born)]
        else:
            for i in range(self.rng.randint(1, 3)):
                sex = self.rng.choice(("male", "female"))
                born = first_born + timedelta(days=400 * i + self.rng.randint(0, 900))
                children.append((self._given(sex), sex, born))
        members = []
        sequence = self.rng.randint(1, 9000)
        for given, sex, born in children:
            name = self._full(given, surname, sex, batak)
            nik = self._nik(region, born, sex, sequence if children[0][2] == born else None)
            sequence += self.rng.randint(1, 3)
            identity = Identity(name, born, place, mother, nik)
            members.append(Member(identity, surname, given, sex, region))
        return members

    def population(self, size: int) -> tuple[list[Member], list[Member]]:
        """``size`` known customers (each with the family members who are not customers),
        and the twins among them."""
        known: list[Member] = []
        twins: list[Member] = []
        while len(known) < size:
            members = self.family()
            first = members[0]
            if (
                len(members) == 2
                and members[0].identity.birth_date == members[1].identity.birth_date
            ):
                known.append(replace(first, twin=members[1].identity))
                twins.append(known[-1])
                continue
            if len(members) > 1:
                known.append(replace(first, sibling=members[1].identity))
                known += members[2:]
            else:
                known.append(first)
        return known[:size], twins

    # --- errors -------------------------------------------------------------------------

    def _words(self, identity: Identity) -> list[str]:
        return identity.full_name.split()

    def _typo(self, word: str) -> str:
        i = self.rng.randrange(1, len(word) - 1)
        return word[:i] + self.rng.choice("aiueonrst") + word[i + 1 :]

    def duplicate(self, member: Member, kind: str) -> Identity:
        p = member.identity
        words = self._words(p)
        if kind == "given_replaced":
            other = self._given(member.sex)
            while other == words[0]:
                other = self._given(member.sex)
            return replace(p, full_name=" ".join([other, *words[1:]]))
        if kind == "family_replaced":
            other = self.rng.choice(FAMILY)
            while other == words[-1]:
                other = self.rng.choice(FAMILY)
            return replace(p, full_name=" ".join([*words[:-1], other]))
        if kind == "nickname":
            for full, short in NICKNAMES.items():
                if full in words:
                    return replace(p, full_name=p.full_name.replace(full, short))
            return replace(p, full_name=p.full_name)  # no nickname known: written the same
        if kind == "missing_birth_date":
            return replace(p, birth_date=None)
        if kind == "missing_mother":
            return replace(p, mother_maiden_name=None)
        if kind in ("date_into_nik", "swapped_date") and p.birth_date and p.nik:
            born = p.birth_date
            if kind == "swapped_date" and born.day <= 12 and born.day != born.month:
                wrong = date(born.year, born.day, born.month)
            else:
                wrong = born + timedelta(days=self.rng.choice((-11, -3, 9, 20, 31)))
            day = wrong.day + (40 if member.sex == "female" else 0)
            nik = f"{p.nik[:6]}{day:02d}{wrong.month:02d}{wrong.year % 100:02d}{p.nik[12:]}"
            return replace(p, birth_date=wrong, nik=nik if kind == "date_into_nik" else p.nik)
        if kind == "nik_digit" and p.nik:
            i = self.rng.randrange(12, 16)
            digit = str((int(p.nik[i]) + self.rng.randint(1, 9)) % 10)
            return replace(p, nik=p.nik[:i] + digit + p.nik[i + 1 :])
        if kind == "initial":
            return replace(p, full_name=" ".join([f"{words[0][0]}.", *words[1:]]))
        if kind == "marga_dropped":
            kept = [w for w in words if w not in ("br.", member.family)]
            return replace(p, full_name=" ".join(kept or words[:1]))
        if kind == "typo":
            longest = max(range(len(words)), key=lambda i: len(words[i]))
            if len(words[longest]) >= 4:
                words[longest] = self._typo(words[longest])
            return replace(p, full_name=" ".join(words))
        return p

    def habits(self, identity: Identity, kind: str) -> Identity:
        """What a branch form leaves out besides the labelled error: the mother's name (one
        form in four), the NIK (one in ten), the birthplace (one in ten)."""
        r = self.rng.random()
        if r < 0.25 and kind != "missing_mother":
            return replace(identity, mother_maiden_name=None)
        if r < 0.35 and kind not in ("nik_digit", "date_into_nik"):
            return replace(identity, nik=None)
        if r < 0.45:
            return replace(identity, birth_place=None)
        return identity

    def namesake(self, member: Member) -> Identity:
        """Another person of the same name, born the same year elsewhere to another mother."""
        p = member.identity
        assert p.birth_date is not None
        born = date(p.birth_date.year, self.rng.randint(1, 12), self.rng.randint(1, 28))
        if born == p.birth_date:
            born = born.replace(day=born.day % 28 + 1)
        code, place = self.rng.choice(REGENCIES)
        region = f"{code}{self.rng.randint(1, 30):02d}"
        return Identity(p.full_name, born, place, self.rng.choice(WOMEN),
                        self._nik(region, born, member.sex))  # fmt: skip

    def stranger(self) -> Identity:
        return self.family()[0].identity

    def queries(self, known: list[Member], twins: list[Member], count: int) -> list[Query]:
        """``count`` queries: about 60 % returning customers spread over the error classes (each
        also with the form's usual gaps, ``habits``), 3 % twins, the rest siblings, namesakes
        and new people."""
        out: list[Query] = []
        index = {id(m): i + 1 for i, m in enumerate(known)}
        per_class = count * 6 // 10 // len(DUPLICATE_CLASSES)
        for kind in DUPLICATE_CLASSES:
            pool = known
            if kind == "marga_dropped":
                pool = [m for m in known if m.family in BATAK]
            elif kind == "nickname":
                pool = [m for m in known if any(f in m.identity.full_name for f in NICKNAMES)]
            for member in self.rng.sample(pool, min(per_class, len(pool))):
                again = self.habits(self.duplicate(member, kind), kind)
                out.append(Query(again, index[id(member)], kind))
        others = count - len(out)
        with_sibling = [m for m in known if m.sibling is not None]
        for member in self.rng.sample(with_sibling, min(others * 3 // 10, len(with_sibling))):
            assert member.sibling is not None
            out.append(Query(member.sibling, None, "sibling"))
        for member in twins[: count * 3 // 100]:
            assert member.twin is not None
            out.append(Query(member.twin, None, "twin"))
        for member in self.rng.sample(known, others * 2 // 10):
            out.append(Query(self.namesake(member), None, "namesake"))
        while len(out) < count:
            out.append(Query(self.stranger(), None, "new"))
        self.rng.shuffle(out)
        return out


# --- the run ------------------------------------------------------------------------------------


@dataclass
class Tally:
    queries: int = 0
    auto_right: int = 0  # Repeat Order of the right customer
    auto_wrong: int = 0  # Repeat Order of someone else (or of anyone, for a non-duplicate)
    review_right: int = 0  # the right customer in the review band
    review: int = 0  # routed to review at all
    blocked: int = 0  # the right customer among the candidates scored


def decide(outcomes: list[tuple[int, str]]) -> tuple[str, int | None]:
    """The outcome of a query from its candidates, best first: (outcome, customer)."""
    for customer, outcome in outcomes:
        if outcome == "repeat_order":
            return "repeat_order", customer
    for customer, outcome in outcomes:
        if outcome == "possible_repeat_order":
            return "possible_repeat_order", customer
    return "new_customer", None


def count(tallies: dict[str, Tally], query: Query, outcome: str, customer: int | None,
          blocked: bool) -> None:  # fmt: skip
    t = tallies.setdefault(query.kind, Tally())
    t.queries += 1
    t.blocked += blocked
    if outcome == "repeat_order":
        if customer == query.truth:
            t.auto_right += 1
        else:
            t.auto_wrong += 1
    elif outcome == "possible_repeat_order":
        t.review += 1
        t.review_right += query.truth is not None and customer == query.truth


def figures(t: Tally, duplicate: bool) -> dict[str, float]:
    decided = t.auto_right + t.auto_wrong
    return {
        "precision": t.auto_right / decided if decided else 1.0,
        "recall": t.auto_right / t.queries if duplicate and t.queries else float("nan"),
        "recall_review": (t.auto_right + t.review_right) / t.queries
        if duplicate and t.queries
        else float("nan"),
        "review_share": t.review / t.queries if t.queries else 0.0,
        "blocking": t.blocked / t.queries if duplicate and t.queries else float("nan"),
    }


def total(tallies: dict[str, Tally]) -> Tally:
    out = Tally()
    for t in tallies.values():
        for name in vars(out):
            setattr(out, name, getattr(out, name) + getattr(t, name))
    return out


def print_table(title: str, tallies: dict[str, Tally]) -> None:
    print(f"\n{title}")
    print(f"{'class':<20} {'queries':>7} {'precision':>9} {'recall':>7} {'+review':>7} "
          f"{'to review':>9} {'false RO':>8} {'blocking':>8}")  # fmt: skip
    dup = total({k: v for k, v in tallies.items() if k in DUPLICATE_CLASSES})
    rows = [(k, tallies[k]) for k in CLASSES if k in tallies] + [("all returning", dup)]
    rows.append(("all queries", total(tallies)))
    for kind, t in rows:
        duplicate = kind in DUPLICATE_CLASSES or kind == "all returning"
        f = figures(t, duplicate)
        wrong = t.auto_wrong
        print(f"{kind:<20} {t.queries:>7} {f['precision']:>9.4f} {f['recall']:>7.4f} "
              f"{f['recall_review']:>7.4f} {f['review_share']:>9.4f} {wrong:>8} "
              f"{f['blocking']:>8.4f}")  # fmt: skip


def _cells(identity: Identity) -> list[str]:
    """The fields both linkers see, cleaned the same way (titles, spelling, places): first and
    last name word, birth date, birthplace, mother's name, NIK."""
    words = name_tokens(identity.full_name)
    return [
        words[0] if words else "",
        words[-1] if len(words) > 1 else "",
        identity.birth_date.isoformat() if identity.birth_date else "",
        normalise_place(identity.birth_place) if identity.birth_place else "",
        " ".join(name_tokens(identity.mother_maiden_name or "")),
        identity.nik or "",
    ]


SPLINK_COLUMNS = ["unique_id", "first_name", "surname", "dob", "birth_place", "mother", "nik"]


def splink(known: list[Member], queries: list[Query]) -> list[tuple[float, int | None]]:
    """Splink (DuckDB) on the same records: u by random sampling, m by EM on three blockings,
    term-frequency adjusted names and places; for each query its best match and that match's
    probability (0 and None when it has none)."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    folder = Path(tempfile.mkdtemp(prefix="kredo-splink-"))
    for name, rows in (
        ("known", [[str(i + 1), *_cells(m.identity)] for i, m in enumerate(known)]),
        ("asked", [[str(10_000_000 + j), *_cells(q.identity)] for j, q in enumerate(queries)]),
    ):
        with (folder / f"{name}.csv").open("w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(SPLINK_COLUMNS)
            writer.writerows(rows)
    db_api = DuckDBAPI()
    con = db_api.duckdb_con
    for name in ("known", "asked"):
        con.execute(
            f"CREATE TABLE {name} AS SELECT CAST(unique_id AS BIGINT) AS unique_id, "
            "NULLIF(first_name, '') AS first_name, NULLIF(surname, '') AS surname, "
            "NULLIF(dob, '') AS dob, NULLIF(birth_place, '') AS birth_place, "
            "NULLIF(mother, '') AS mother, NULLIF(nik, '') AS nik "
            f"FROM read_csv('{folder / name}.csv', all_varchar = true)"
        )
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.ForenameSurnameComparison("first_name", "surname"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("birth_place").configure(term_frequency_adjustments=True),
            cl.NameComparison("mother"),
            cl.LevenshteinAtThresholds("nik", [1, 2]),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("nik"),
            block_on("dob"),
            block_on("first_name", "surname"),
            block_on("surname", "mother"),
            block_on("substr(nik, 1, 6)", "substr(nik, 13, 4)"),
        ],
        probability_two_random_records_match=1 / len(known),
    )
    linker = Linker([db_api.register("known"), db_api.register("asked")], settings,
                    log_level=40)  # fmt: skip
    linker.training.estimate_u_using_random_sampling(max_pairs=2_000_000, seed=1)
    for columns in (("dob",), ("nik",), ("first_name", "surname")):
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(block_on(*columns))
        except ValueError as exc:  # a level's m underflowing in one session: keep the others
            print(f"Splink EM blocked on {columns}: {exc}", file=sys.stderr)
    predictions = linker.inference.predict(threshold_match_probability=0.01)
    best: dict[int, tuple[float, int]] = {}
    for row in predictions.as_record_list():
        left, right = int(row["unique_id_l"]), int(row["unique_id_r"])
        asked, customer = (right, left) if right >= 10_000_000 else (left, right)
        probability = float(row["match_probability"])
        if asked not in best or probability > best[asked][0]:
            best[asked] = (probability, customer)
    return [best.get(10_000_000 + j, (0.0, None)) for j in range(len(queries))]


def splink_tallies(queries: list[Query], found: list[tuple[float, int | None]],
                   threshold: float) -> dict[str, Tally]:  # fmt: skip
    tallies: dict[str, Tally] = {}
    for query, (probability, customer) in zip(queries, found, strict=True):
        outcome = "repeat_order" if probability >= threshold else "new_customer"
        count(tallies, query, outcome, customer, blocked=customer == query.truth)
    return tallies


def at_precision(queries: list[Query], found: list[tuple[float, int | None]],
                 precision: float) -> float:  # fmt: skip
    """The lowest probability threshold at which Splink's precision on the returning
    customers' Repeat Orders is at least ``precision``."""
    for threshold in sorted({p for p, _ in found if p > 0}):
        t = total(splink_tallies(queries, found, threshold))
        if figures(t, False)["precision"] >= precision:
            return threshold
    return 1.0


def run(known_size: int, query_count: int, with_splink: bool, seed: int = 20261123) -> int:
    from app.prescreening.evidence import DEFAULT_MODEL, Policy, WeightsModel
    from app.prescreening.fit import fit, store
    from app.prescreening.service import candidate_ids, current_model, match_customers
    from bench import demo_database
    from bench.population import Person
    from bench.prescreen import load

    hard = HardSet(seed)
    known, twins = hard.population(known_size)
    queries = hard.queries(known, twins, query_count)
    _url, database = demo_database("prescreen-hard")
    people = [Person(m.identity, m.sex, m.family) for m in known]
    batches = [(first, people[first : first + 20_000]) for first in range(0, len(people), 20_000)]
    load(database.engine, batches, 0, len(people))
    started = time.perf_counter()
    with database.transaction() as session:
        fitted = fit(session, current_model(session))
        store(session, fitted, "bench")
    fitting = time.perf_counter() - started
    print(f"fitted the weights on {known_size:,} customers in {fitting:.0f} s", file=sys.stderr)
    models: list[tuple[str, WeightsModel]] = [
        ("Kredo, fitted weights (kredo prescreening fit)", fitted.model),
        ("Kredo, built-in weights (version 0)", DEFAULT_MODEL),
        ("the seed's three-of-five rule", replace(DEFAULT_MODEL, policy=Policy.THREE_OF_FIVE)),
    ]
    print(f"\nHarder benchmark: {known_size:,} known customers (families with siblings and "
          f"twins, namesakes, Batak names), {len(queries):,} queries; seed {seed}")  # fmt: skip
    ours = 1.0
    for label, model in models:
        tallies: dict[str, Tally] = {}
        with database.sessions() as session:
            for query in queries:
                found = match_customers(session, query.identity, model)
                outcome, customer = decide([(c.id, a.outcome.value) for c, a in found])
                blocked = query.truth is not None and query.truth in candidate_ids(
                    session, "customer", query.identity
                )
                count(tallies, query, outcome, customer, blocked)
        print_table(label, tallies)
        if model is fitted.model:
            ours = figures(total(tallies), False)["precision"]
    database.dispose()
    if with_splink:
        started = time.perf_counter()
        linked = splink(known, queries)
        print(f"Splink ran in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        print_table(
            "Splink (DuckDB), match probability >= 0.5", splink_tallies(queries, linked, 0.5)
        )
        threshold = at_precision(queries, linked, ours)
        print_table(f"Splink at Kredo's precision ({ours:.4f}): probability >= {threshold:.4f}",
                    splink_tallies(queries, linked, threshold))  # fmt: skip
    return 0
