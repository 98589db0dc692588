"""The SLIK report's pure rules: a row checked against its segment's layout, a segment's
file written, and a correction worked out from what was reported before. Plain data in and
out; the layout is :mod:`app.slik.layout`."""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from app.slik.layout import HEADER, KEYS, REPORTER_TYPE, SEGMENTS, SEPARATOR, Field

Row = dict[str, str]
Codes = Mapping[str, frozenset[str]]  # an admin's list -> its active codes

_NUMBER = re.compile(r"^\d+$")
_MONTH = re.compile(r"^\d{4}(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Problem:
    """One thing that blocks a row: the segment, its line in the file (1 = first row after
    the header), the row's key, the field and the rule it breaks."""

    segment: str
    line: int
    key: str
    field: str
    rule: str  # mandatory | length | number | date | month | code | character
    value: str


def clean(value: object) -> str:
    """A value as the file holds it: text on one line, without the separator."""
    if value is None:
        return ""
    if isinstance(value, date):
        return f"{value:%Y%m%d}"
    text = " ".join(str(value).split())
    return text.replace(SEPARATOR, " ").strip()


def alphanumeric(value: str) -> str:
    """Account and CIF numbers keep only letters and digits (the guideline's rule)."""
    return re.sub(r"[^0-9A-Za-z]", "", value)


def _valid_date(value: str) -> bool:
    if not _NUMBER.match(value) or len(value) != 8:
        return False
    try:
        date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return False
    return True


def field_problem(field: Field, value: str, codes: Codes) -> str | None:
    """The rule ``value`` breaks for ``field`` (None: it is fine)."""
    if value == "":
        return "mandatory" if field.mandatory else None
    if SEPARATOR in value or "\n" in value:
        return "character"
    if len(value) > field.length:
        return "length"
    if field.kind == "number" and not _NUMBER.match(value):
        return "number"
    if field.kind == "date" and not _valid_date(value):
        return "date"
    if field.kind == "month" and not _MONTH.match(value):
        return "month"
    if field.kind == "code":
        allowed = field.codes if isinstance(field.codes, tuple) else codes.get(str(field.codes))
        if allowed is None or value not in allowed:
            return "code"
    return None


def key_of(segment: str, row: Row) -> str:
    return "/".join(row.get(name, "") for name in KEYS[segment])


def validate(segment: str, rows: Iterable[Row], codes: Codes) -> list[Problem]:
    """Every field of every row checked against the segment's layout, plus keys unique."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for line, row in enumerate(rows, start=1):
        key = key_of(segment, row)
        for field in SEGMENTS[segment]:
            value = row.get(field.name, "")
            rule = field_problem(field, value, codes)
            if rule is not None:
                problems.append(Problem(segment, line, key, field.name, rule, value))
        if key in seen:
            problems.append(Problem(segment, line, key, KEYS[segment][0], "duplicate", key))
        seen.add(key)
    return problems


def header(reporter_code: str, month: date, segment: str, count: int) -> Row:
    values = ("H", REPORTER_TYPE, reporter_code, f"{month:%Y%m}", segment, str(count))
    return {field.name: value for field, value in zip(HEADER, values, strict=True)}


def line_of(fields: tuple[Field, ...], row: Row) -> str:
    return SEPARATOR.join(row.get(field.name, "") for field in fields)


def render(segment: str, head: Row, rows: list[Row]) -> str:
    """A segment's file: its header line, then a line per row, fields in the layout's order."""
    lines = [line_of(HEADER, head), *(line_of(SEGMENTS[segment], row) for row in rows)]
    return "\n".join(lines) + "\n"


def file_name(reporter_code: str, month: date, segment: str, correction: bool) -> str:
    kind = "K" if correction else "0"  # K: a correction of a month reported before
    return f"{REPORTER_TYPE}.{reporter_code}.{month:%Y}.{month:%m}.{segment}.{kind}.txt"


def content_of(segment: str, row: Row) -> str:
    """What a row says, apart from its operation: what a correction compares."""
    return line_of(tuple(f for f in SEGMENTS[segment] if f.name != "Operasi Data"), row)


def correction(segment: str, reported: Mapping[str, str], rows: list[Row]) -> list[Row]:
    """The rows that differ from what was reported for the month (``reported``: key -> its
    content), each with its operation: U changed, C new, D no longer there (the row as it was
    reported, rebuilt from its content)."""
    fields = tuple(f for f in SEGMENTS[segment] if f.name != "Operasi Data")
    changed: list[Row] = []
    now = {key_of(segment, row): row for row in rows}
    for key, row in now.items():
        before = reported.get(key)
        if before is None:
            changed.append({**row, "Operasi Data": "C"})
        elif before != content_of(segment, row):
            changed.append({**row, "Operasi Data": "U"})
    for key, content in reported.items():
        if key not in now:
            old = dict(zip((f.name for f in fields), content.split(SEPARATOR), strict=True))
            changed.append({**old, "Operasi Data": "D"})
    return changed
