"""A synthetic Indonesian population for the pre-screening benchmark, with labelled
duplicates carrying the errors that real applications carry.

Names follow the country's habits: Muhammad and Siti lead, Nur is common, one person in ten
has a single name, some carry a title or a pre-1972 spelling; NIKs use real regency codes
and encode the birth date (+40 for women); birthplaces are the regencies' own names.
"""

import random
from dataclasses import dataclass, replace
from datetime import date, timedelta

from stdnum.id import nik as stdnum_nik

from app.prescreening.matching import Identity
from app.prescreening.names import normalise_name

# (regency code of the NIK, a birthplace as people write it)
REGENCIES = [
    ("3171", "Jakarta"),
    ("3172", "Jakarta"),
    ("3173", "Jakarta"),
    ("3174", "Jakarta"),
    ("3175", "Jakarta"),
    ("3273", "Bandung"),
    ("3204", "Bandung"),
    ("3578", "Surabaya"),
    ("3374", "Semarang"),
    ("3471", "Yogyakarta"),
    ("1275", "Medan"),
    ("7371", "Makassar"),
    ("1671", "Palembang"),
    ("3201", "Bogor"),
    ("3275", "Bekasi"),
    ("3603", "Tangerang"),
    ("3372", "Surakarta"),
    ("3573", "Malang"),
    ("5171", "Denpasar"),
    ("6371", "Banjarmasin"),
    ("1371", "Padang"),
    ("3276", "Depok"),
    ("3671", "Tangerang"),
    ("3217", "Bandung Barat"),
    ("3301", "Cilacap"),
    ("3302", "Banyumas"),
    ("3507", "Malang"),
    ("3509", "Jember"),
    ("3515", "Sidoarjo"),
    ("1201", "Nias"),
    ("1207", "Deli Serdang"),
    ("6471", "Balikpapan"),
    ("7171", "Manado"),
    ("5271", "Mataram"),
    ("3216", "Bekasi"),
    ("3328", "Tegal"),
]
PLACE_VARIANTS = {
    "Jakarta": ["DKI Jakarta", "Jakarta Selatan", "Jkt"],
    "Yogyakarta": ["Jogja"],
    "Bandung": ["Kota Bandung"],
    "Bogor": ["Kab. Bogor"],
}
MEN = (
    "Agus Budi Eko Joko Bambang Hendra Dedi Rudi Andi Ahmad Rizki Fajar Dimas Yusuf Hasan "
    "Ilham Arif Dwi Tri Wahyu Hadi Slamet Sugeng Teguh Imam Rahmat Adi Bayu Dani Doni Fery "
    "Gilang Hari Irfan Iwan Jaka Kurnia Lukman Rian Sandi Taufik Umar Wawan Yoga Zainal "
    "Yudi Anton Benny Dodi Edi Ferdi Gunawan Hafiz"
).split()
WOMEN = (
    "Sri Dewi Rina Wati Ayu Indah Fitri Putri Lestari Ratna Yuni Endang Ani Aminah Aisyah "
    "Maya Dian Eka Fani Gita Hesti Intan Juwita Kartika Lina Mega Nia Nina Okta Ria Rini "
    "Sari Tuti Umi Vina Winda Yanti Zahra Anisa Bunga Citra Desi Elsa Farah Hana Ika Jihan "
    "Kiki Laila"
).split()
FAMILY = (
    "Santoso Susilo Setiawan Wibowo Hidayat Saputra Pratama Kurniawan Nugroho Wijaya "
    "Gunawan Hartono Simanjuntak Siregar Nasution Lubis Harahap Sitompul Purba Ginting "
    "Tanjung Rahmawati Handayani Sari Wulandari Susanti Permata Hasanah Rahayu Kusuma "
    "Utami Fauzi Hakim Abdullah Ramadhan Firmansyah Syahputra Prasetyo Hermawan Sugiarto "
    "Maulana Hidayati Puspita Anggraini Safitri Oktaviani Yulianti Marlina Fitriani "
    "Setiadi Budiman Halim Salim Sembiring Tarigan Pohan Daulay Manurung Panjaitan"
).split()
MONONYMS = (
    "Sukarno Suharto Suparman Sumarni Tukiyem Paijo Sutrisno Suwarni Mulyono Sumiati "
    "Karsono Partini Wagiman Sarinah Tumini Slamet Ngatini Suyanto"
).split()
TITLES = ["H.", "Hj.", "Ir.", "Drs.", "Dr."]
SUFFIXES = [", S.E.", ", S.Kom.", ", M.M.", ", S.H."]
OLD = [("u", "oe"), ("j", "dj"), ("c", "tj"), ("y", "j"), ("kh", "ch")]
MUHAMMAD = ["M.", "Moh.", "Moch.", "Mochamad", "Mohamad", "Mohammad", "Muhamad", "Mhd."]
ERRORS = ["typo", "swapped_date", "title", "spelling", "order", "missing_field", "nik_typo"]


@dataclass(frozen=True)
class Person:
    identity: Identity
    sex: str
    family: str


def _valid_regions() -> list[tuple[str, str]]:
    return [(c, p) for c, p in REGENCIES if stdnum_nik.is_valid(f"{c}011708450001")]


class Population:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.regions = _valid_regions()
        self.niks: set[str] = set()

    def _given(self, sex: str) -> str:
        r = self.rng.random()
        if sex == "male":
            return "Muhammad" if r < 0.15 else self.rng.choice(MEN)
        return "Siti" if r < 0.15 else "Nur" if r < 0.23 else self.rng.choice(WOMEN)

    def _name(self, sex: str, family: str) -> str:
        shape = self.rng.random()
        if shape < 0.10:
            return self.rng.choice(MONONYMS)
        given = self._given(sex)
        if shape < 0.65:
            return f"{given} {family}"
        middle = self.rng.choice(MEN if sex == "male" else WOMEN)
        return f"{given} {middle} {family}"

    def _decorate(self, name: str) -> str:
        r = self.rng.random()
        if r < 0.04:
            return f"{self.rng.choice(TITLES)} {name}"
        if r < 0.07:
            return name + self.rng.choice(SUFFIXES)
        if r < 0.12:
            old, new = self.rng.choice(OLD)
            return name.replace(old, new, 1)
        return name

    def _nik(self, region: str, born: date, sex: str) -> str:
        while True:
            day = born.day + (40 if sex == "female" else 0)
            nik = (
                f"{region}{self.rng.randint(1, 30):02d}{day:02d}{born.month:02d}"
                f"{born.year % 100:02d}{self.rng.randint(1, 9999):04d}"
            )
            if nik not in self.niks:
                self.niks.add(nik)
                return nik

    def person(
        self,
        *,
        family: str | None = None,
        mother: str | None = None,
        place: tuple[str, str] | None = None,
    ) -> Person:
        sex = self.rng.choice(("male", "female"))
        family = family or self.rng.choice(FAMILY)
        born = date(1950, 1, 1) + timedelta(days=self.rng.randint(0, 365 * 55))
        region, birthplace = place or self.rng.choice(self.regions)
        mother = mother or f"{self.rng.choice(WOMEN)}" + (
            f" {self.rng.choice(FAMILY)}" if self.rng.random() < 0.4 else ""
        )
        return Person(
            Identity(
                full_name=self._decorate(self._name(sex, family)),
                birth_date=born,
                birth_place=self.rng.choice([birthplace, *PLACE_VARIANTS.get(birthplace, [])]),
                mother_maiden_name=mother,
                nik=self._nik(region, born, sex),
            ),
            sex,
            family,
        )

    def sibling(self, of: Person) -> Person:
        """Same mother, same birthplace, same family name, another given name: the hardest
        non-match (parents do not give two children one name)."""
        region = of.identity.nik[:4] if of.identity.nik else self.regions[0][0]
        place = next((r for r in self.regions if r[0] == region), self.regions[0])
        while True:
            sibling = self.person(
                family=of.family, mother=of.identity.mother_maiden_name, place=place
            )
            if normalise_name(sibling.identity.full_name) != normalise_name(of.identity.full_name):
                return sibling

    # --- errors a second application carries --------------------------------------------

    def _typo(self, word: str) -> str:
        if len(word) < 4:
            return word
        i = self.rng.randrange(1, len(word) - 1)
        kind = self.rng.choice(("substitute", "delete", "insert", "transpose"))
        letter = self.rng.choice("aiueohnrst")
        if kind == "substitute":
            return word[:i] + letter + word[i + 1 :]
        if kind == "delete":
            return word[:i] + word[i + 1 :]
        if kind == "insert":
            return word[:i] + letter + word[i:]
        return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]

    def duplicate(self, of: Person) -> tuple[Identity, str]:
        """``of`` applying again, with one realistic error (sometimes two)."""
        identity = of.identity
        errors = [self.rng.choice(ERRORS)]
        if self.rng.random() < 0.15:
            errors.append(self.rng.choice(ERRORS))
        for error in errors:
            identity = self._apply(identity, error)
        return identity, "+".join(errors)

    def _apply(self, identity: Identity, error: str) -> Identity:
        words = identity.full_name.split()
        if error == "typo":
            longest = max(range(len(words)), key=lambda i: len(words[i]))
            words[longest] = self._typo(words[longest])
            return replace(identity, full_name=" ".join(words))
        if error == "swapped_date" and identity.birth_date and identity.birth_date.day <= 12:
            born = identity.birth_date
            return replace(identity, birth_date=date(born.year, born.day, born.month))
        if error == "title":
            return replace(identity, full_name=f"{self.rng.choice(TITLES)} {identity.full_name}")
        if error == "spelling":
            if words[0] == "Muhammad":
                words[0] = self.rng.choice(MUHAMMAD)
            elif words[0] == "Nur" and len(words) > 1:
                words[:2] = [words[0] + words[1].lower()]
            else:
                old, new = self.rng.choice(OLD)
                return replace(identity, full_name=identity.full_name.replace(old, new, 1))
            return replace(identity, full_name=" ".join(words))
        if error == "order" and len(words) > 1:
            return replace(identity, full_name=" ".join(words[1:] + words[:1]))
        if error == "missing_field":
            field = self.rng.choice(("mother_maiden_name", "birth_place", "nik"))
            if field == "nik":
                return replace(identity, nik=None)
            if field == "birth_place":
                return replace(identity, birth_place=None)
            return replace(identity, mother_maiden_name=None)
        if error == "nik_typo" and identity.nik:
            i = self.rng.randrange(12, 16)  # the sequence: the date part is checked on entry
            digit = str((int(identity.nik[i]) + self.rng.randint(1, 9)) % 10)
            return replace(identity, nik=identity.nik[:i] + digit + identity.nik[i + 1 :])
        return identity
