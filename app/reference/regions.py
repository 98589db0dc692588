"""Indonesia's provinces from a code list shipped with the package (``provinces.csv``): the
two-digit BPS code, the official name, the ISO 3166-2 code and the time zone (WIB, WITA,
WIT) in which a debtor may be contacted.

Codes are those of BPS (Badan Pusat Statistik), which number Papua 94 and Papua Barat 91;
Kemendagri numbers the Papua provinces differently. The 38 provinces are those since the
four Papua provinces of 2022. Regencies are not listed: no well-kept package publishes
today's regency codes (python-stdnum's list is of the regions where NIKs were first issued,
from before Kalimantan Utara and the Papua provinces of 2022), so the city stays free text.
"""

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

DATA = Path(__file__).with_name("provinces.csv")
_PREFIX = re.compile(r"^(?:provinsi|propinsi|prov)\s+")


@dataclass(frozen=True)
class Province:
    code: str
    name: str
    name_en: str
    iso_3166_2: str
    time_zone: str
    also_written: tuple[str, ...]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


def folded(text: str) -> str:
    """A province as written, compared without case, dots, dashes or a leading "Provinsi"."""
    words = " ".join(text.casefold().replace(".", "").replace("-", " ").replace(",", " ").split())
    return _PREFIX.sub("", words)


@cache
def provinces() -> dict[str, Province]:
    """Every province by its code, in code order."""
    with DATA.open(encoding="utf-8", newline="") as rows:
        listed = [
            Province(
                code=row["code"],
                name=row["name"],
                name_en=row["name_en"],
                iso_3166_2=row["iso_3166_2"],
                time_zone=row["time_zone"],
                also_written=tuple(n for n in row["also_written"].split(";") if n),
            )
            for row in csv.DictReader(rows)
        ]
    return {p.code: p for p in listed}


@cache
def _names() -> dict[str, str]:
    """Each way of writing a province (folded) to its code; a way shared by two provinces
    would be ambiguous and is refused when the list is read."""
    names: dict[str, str] = {}
    for province in provinces().values():
        for written in (province.code, province.name, province.name_en, *province.also_written):
            key = folded(written)
            if names.setdefault(key, province.code) != province.code:
                raise ValueError(f"{written!r} names provinces {names[key]} and {province.code}")
    return names


def province_code(written: str) -> str | None:
    """The code of the province written as its code, its name (Indonesian or English) or a
    common abbreviation (``Sulsel``, ``Kaltim``, ``DIY``), or ``None`` when it names none."""
    return _names().get(folded(written))
