"""Normalising Indonesian names and places so that spellings of one name compare equal.

``Hj. Siti Nur Haliza`` and ``Siti Nurhaliza``, ``Djoko Susilo`` and ``Joko Susilo``,
``Mochamad Rizky`` and ``Muhammad Rizki`` differ in titles, spacing, pre-1972 spelling and
transliteration, not in who they name. Normalisation removes what never identifies a person;
fuzzy comparison (in ``matching``) then forgives a typo.
"""

import re
import unicodedata

# Titles, honorifics and degrees: they come and go between two applications of one person.
TITLES = frozenset(
    """
    h hj haji hajjah hajah kh k.h ir dr drs dra prof bapak bpk bp pak ibu bu sdr sdri tn ny nn
    alm almh almarhum almarhumah mas mba mbak
    se s.e skom s.kom sh s.h st s.t spd s.pd ssi s.si sag s.ag ssos s.sos sip s.ip sked s.ked
    mm m.m mba m.b.a msi m.si mkom m.kom mt m.t mh m.h mpd m.pd phd amd a.md
    """.split()
)
COMPANY_FORMS = frozenset("pt cv tbk persero ud fa koperasi kop yayasan pd perum".split())
MUHAMMAD = frozenset(
    "m muh muhamad muhammad mohamad mohammad mochamad mochammad moch moh mhd muhd mukhamad "
    "mukhammad mochamat mohamat muchamad muchammad".split()
)
ABDUL = frozenset("abd abdul abdoel".split())
# Pre-1972 (van Ophuijsen) spelling and common transliterations, applied in this order.
# "nj" is "ny" only at the start of a word: inside one it is modern too (Tanjung).
OLD_SPELLINGS = (("oe", "u"), ("dj", "j"), ("tj", "c"), ("sj", "sy"), ("ch", "kh"))
PLACE_ALIASES = {
    "jkt": "jakarta",
    "bdg": "bandung",
    "sby": "surabaya",
    "smg": "semarang",
    "mdn": "medan",
    "jogja": "yogyakarta",
    "jogjakarta": "yogyakarta",
    "yogya": "yogyakarta",
    "diy": "yogyakarta",
    "ujungpandang": "makassar",
    "ujung pandang": "makassar",
}
PLACE_WORDS = frozenset("kota kab kabupaten dki provinsi prov daerah khusus ibukota".split())
JAKARTA_CITIES = re.compile(r"^jakarta (pusat|utara|barat|selatan|timur)$")


def _ascii_words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    # Keep dots inside a word for titles such as "s.e"; everything else splits.
    return [w.strip(".") for w in re.split(r"[^a-z.]+", text) if w.strip(".")]


def _respell(word: str, *, collapse: bool = True) -> str:
    for old, new in OLD_SPELLINGS:
        word = word.replace(old, new)
    if word.startswith("nj"):
        word = "ny" + word[2:]
    # Doubled letters: "muhammad" ~ "muhamad". Off when comparing typos, where collapsing
    # would turn one slip ("hartoo" for "hartono") into two.
    return re.sub(r"(.)\1+", r"\1", word) if collapse else word


def name_tokens(name: str, *, company: bool = False, collapse: bool = True) -> list[str]:
    """``"Hj. Siti Nur Haliza, S.E."`` → ``["siti", "nur", "haliza"]``."""
    tokens = []
    for word in _ascii_words(name):
        if word in TITLES or word.replace(".", "") in TITLES:
            continue
        if company and word in COMPANY_FORMS:
            continue
        word = word.replace(".", "")
        if word in MUHAMMAD:
            word = "muhammad"
        elif word in ABDUL:
            word = "abdul"
        tokens.append(_respell(word, collapse=collapse))
    return tokens


def normalise_name(name: str, *, company: bool = False) -> str:
    return " ".join(name_tokens(name, company=company))


def normalise_place(place: str) -> str:
    """``"DKI Jakarta"``, ``"Jakarta Selatan"``, ``"Jkt"`` → ``"jakarta"``."""
    text = " ".join(w.replace(".", "") for w in _ascii_words(place))
    text = PLACE_ALIASES.get(text, text)
    words = [PLACE_ALIASES.get(w, w) for w in text.split() if w not in PLACE_WORDS]
    text = " ".join(words)
    if JAKARTA_CITIES.match(text):
        text = "jakarta"
    return _respell(text)
