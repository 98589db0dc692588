"""CSV imports of legacy customers and of negative-list entries.

Every row is checked whole before anything of it is written; good rows are kept, bad rows
are reported with their line, field, rule and the value given. A row is written with its
blocking keys in one go, so no row is ever half-written. ``commit_every`` rows, the caller
commits (the CLI, so that a file of millions survives an interruption with its good rows kept).

Importing a file again creates nothing twice: a row for someone already known updates him
(when he came from an import) or is unchanged. A person is known by his NIK, else by his name,
birth date, birthplace and mother's name all alike; a vehicle by its chassis number, else its
engine number; a negative-list entry by who or what it lists and its category. A record kept
from an application, a rejection or the close of business is never overwritten by a file.

The delimiter is the file's own: a comma, or the semicolon that Excel writes where the decimal
separator is a comma (an Indonesian locale).
"""

import csv
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import chain
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import Session

from app.applications.rules import nik_problems
from app.core.clock import today_jakarta
from app.core.errors import field_errors
from app.core.i18n import N_, _
from app.core.inputs import compact_nik, text_problem
from app.prescreening.matching import Identity
from app.prescreening.models import Customer, IdentityKey, NegativeEntry
from app.prescreening.schemas import ImportReport, ImportRowError, NegativeEntryIn
from app.prescreening.service import (
    Party,
    add_customer,
    add_negative_entry,
    identity_of_record,
    write_keys,
)

CUSTOMER_COLUMNS = ("full_name", "nik", "birth_date", "birth_place", "mother_maiden_name")
NEGATIVE_COLUMNS = (
    "subject", "category", "full_name", "nik", "birth_date", "birth_place",
    "mother_maiden_name", "chassis_number", "engine_number", "dealers", "reason",
)  # fmt: skip
REQUIRED = {"customers": ("full_name",), "negative": ("subject", "category")}
DELIMITERS = (",", ";")
Errors = list[ImportRowError]
Outcome = Literal["created", "updated", "unchanged", "refused"]


@dataclass(frozen=True)
class RowResult:
    """What became of one line of the file (``changed``: the fields an update changed)."""

    row: int
    outcome: Outcome
    errors: Errors = field(default_factory=list)
    changed: tuple[str, ...] = ()


# What the customers table keeps of each column.
CUSTOMER_LENGTHS = {"full_name": 150, "nik": 16, "birth_place": 100, "mother_maiden_name": 150}


def delimiter_of(header: str, expected: tuple[str, ...]) -> str:
    """The delimiter that splits the header line into the most known column names (a comma
    when neither does better)."""
    known = set(expected)

    def score(delimiter: str) -> int:
        names = next(csv.reader([header], delimiter=delimiter), [])
        return sum(name.strip() in known for name in names)

    return max(DELIMITERS, key=score)


def _error(row: int, field: str, rule: str, message: str, raw: dict[str, str]) -> ImportRowError:
    return ImportRowError(row=row, field=field, rule=rule, message=message, value=raw.get(field))


def _text_errors(row: int, raw: dict[str, str]) -> Errors:
    """Control or invisible characters, and values longer than their column: what the API
    refuses in a request (app.core.inputs), refused in a file's row too."""
    errors: Errors = []
    for name, longest in CUSTOMER_LENGTHS.items():
        value = (raw.get(name) or "").strip()
        problem = text_problem(value)
        if problem is not None:
            errors.append(_error(row, name, problem.type, problem.message(), raw))
        elif len(unicodedata.normalize("NFC", value)) > longest:
            message = _("At most {count} characters.").format(count=longest)
            errors.append(_error(row, name, "string_too_long", message, raw))
    return errors


def _customer(row: int, raw: dict[str, str]) -> tuple[Party | None, Errors]:
    raw = {key: unicodedata.normalize("NFC", value) for key, value in raw.items() if value}
    errors: Errors = _text_errors(row, raw)
    if errors:
        return None, errors
    name = (raw.get("full_name") or "").strip()
    if not name:
        errors.append(_error(row, "full_name", "required", _("A name is required."), raw))
    born: date | None = None
    if raw.get("birth_date"):
        try:
            born = date.fromisoformat(raw["birth_date"].strip())
        except ValueError:
            errors.append(_error(row, "birth_date", "date", _("Use YYYY-MM-DD."), raw))
    nik = compact_nik((raw.get("nik") or "").strip()) or None
    if nik is not None and born is not None:
        # Legacy files rarely carry sex: accept the NIK as either, and check the rest.
        as_man = nik_problems("nik", nik, born, "male")
        as_woman = nik_problems("nik", nik, born, "female")
        if as_man and as_woman:
            problem = as_man if as_man[0][2] != "nik_sex_mismatch" else as_woman
            errors += [_error(row, f, r, m, raw) for f, m, r in problem]
    elif nik is not None and not (nik.isdigit() and len(nik) == 16):
        errors.append(_error(row, "nik", "nik_length", _("A NIK has 16 digits."), raw))
    if errors:
        return None, errors
    identity = Identity(
        full_name=name,
        birth_date=born,
        birth_place=(raw.get("birth_place") or "").strip() or None,
        mother_maiden_name=(raw.get("mother_maiden_name") or "").strip() or None,
        nik=nik,
    )
    return Party("applicant", identity), []


def _negative(row: int, raw: dict[str, str]) -> tuple[NegativeEntryIn | None, Errors]:
    data: dict[str, Any] = {k: v.strip() for k, v in raw.items() if k and v and v.strip()}
    if "dealers" in data:
        data["dealers"] = [d.strip() for d in data["dealers"].split(";") if d.strip()]
    try:
        return NegativeEntryIn.model_validate(data), []
    except ValidationError as exc:
        return None, [
            _error(row, "row" if e.field == "body" else e.field, e.rule, e.message, raw)
            for e in field_errors(exc.errors())
        ]


def negative_entry(data: NegativeEntryIn, source: str, created_by: int | None) -> NegativeEntry:
    return NegativeEntry(
        **data.model_dump(),
        source=source,
        listed_on=today_jakarta(),
        created_by_id=created_by,
        active=True,
    )


def _same(column: Any, value: Any) -> ColumnElement[bool]:
    return column.is_(None) if value is None else column == value  # type: ignore[no-any-return]


# Where a record that an import does not overwrite came from, in words.
SOURCES = {
    "application": N_("an application"),
    "rejection": N_("a rejection"),
    "collection": N_("the close of business"),
    "manual": N_("an entry by head office"),
}


def _kept(row: int, what: str, source: str) -> RowResult:
    message = _(
        "{what} is already known from {source} with other details; that record is kept."
    ).format(what=what, source=_(SOURCES.get(source, N_("an entry by head office"))))
    refusal = ImportRowError(row=row, field="row", rule="known_elsewhere", message=message)
    return RowResult(row, "refused", [refusal])


def _rewrite(
    session: Session, row: int, record: Customer | NegativeEntry, owner: str, given: dict[str, Any]
) -> RowResult:
    """Bring an imported record to what the file now says, its blocking keys with it."""
    changed = tuple(k for k, v in given.items() if getattr(record, k) != v)
    if not changed:
        return RowResult(row, "unchanged")
    if record.source != "import":
        frame = None
        if isinstance(record, NegativeEntry) and record.subject == "vehicle":
            frame = record.chassis_number or record.engine_number
        what = frame or record.nik or record.full_name or ""
        return _kept(row, what, record.source)
    for name in changed:
        setattr(record, name, given[name])
    session.execute(
        delete(IdentityKey).where(IdentityKey.owner == owner, IdentityKey.owner_id == record.id)
    )
    if isinstance(record, Customer) or (record.subject == "person" and record.full_name):
        write_keys(session, owner, record.id, identity_of_record(record))
    session.flush()
    return RowResult(row, "updated", changed=changed)


def _import_customer(session: Session, row: int, party: Party) -> RowResult:
    person = party.identity
    given = {
        "full_name": person.full_name,
        "nik": person.nik,
        "birth_date": person.birth_date,
        "birth_place": person.birth_place,
        "mother_maiden_name": person.mother_maiden_name,
    }
    known = select(Customer).where(Customer.kind == "person").order_by(Customer.id).limit(1)
    if person.nik is not None:
        known = known.where(Customer.nik == person.nik)
    else:  # without a NIK, only the very same details are the same person
        known = known.where(*(_same(getattr(Customer, k), v) for k, v in given.items()))
    customer = session.scalar(known)
    if customer is None:
        add_customer(session, party, source="import")
        return RowResult(row, "created")
    return _rewrite(session, row, customer, "customer", given)


def _negative_key(entry: NegativeEntryIn) -> list[ColumnElement[bool]]:
    if entry.subject == "vehicle":
        if entry.chassis_number:
            return [NegativeEntry.chassis_number == entry.chassis_number]
        return [NegativeEntry.engine_number == entry.engine_number]
    if entry.nik:
        return [NegativeEntry.nik == entry.nik]
    return [
        _same(getattr(NegativeEntry, k), getattr(entry, k))
        for k in ("full_name", "birth_date", "birth_place", "mother_maiden_name")
    ]


def _import_negative(
    session: Session, row: int, entry: NegativeEntryIn, created_by: int | None
) -> RowResult:
    known = session.scalar(
        select(NegativeEntry)
        .where(
            NegativeEntry.active,
            NegativeEntry.subject == entry.subject,
            NegativeEntry.category == entry.category,
            *_negative_key(entry),
        )
        .order_by(NegativeEntry.id)
        .limit(1)
    )
    if known is None:
        add_negative_entry(session, negative_entry(entry, "import", created_by))
        return RowResult(row, "created")
    return _rewrite(session, row, known, "negative", entry.model_dump())


def _header_errors(kind: str, header: set[str], delimiter: str) -> Errors:
    expected = CUSTOMER_COLUMNS if kind == "customers" else NEGATIVE_COLUMNS
    listed = delimiter.join(expected)
    return [
        ImportRowError(row=1, field=c, rule="missing_column",
                       message=_("The header needs {column}.").format(column=c))
        for c in REQUIRED[kind]
        if c not in header
    ] + [
        ImportRowError(row=1, field=c, rule="unknown_column", value=c,
                       message=_("Expected columns: {columns}.").format(columns=listed))
        for c in sorted(header - set(expected))
    ]  # fmt: skip


def import_csv(
    session: Session,
    lines: Iterable[str],
    kind: str,
    *,
    created_by: int | None = None,
    commit_every: int = 0,
    commit: Callable[[], None] | None = None,
    progress: Callable[[int], None] | None = None,
    on_row: Callable[[RowResult], None] | None = None,
) -> ImportReport:
    """Import ``kind`` ("customers" or "negative") from CSV text with a header line; each
    row's result goes to ``on_row`` as it is known."""
    expected = CUSTOMER_COLUMNS if kind == "customers" else NEGATIVE_COLUMNS
    rest: Iterator[str] = iter(lines)
    first = next(rest, "")
    delimiter = delimiter_of(first, expected)
    reader = csv.DictReader(chain([first], rest), delimiter=delimiter)
    errors = _header_errors(kind, {(name or "").strip() for name in reader.fieldnames or []},
                            delimiter)  # fmt: skip
    counts = {"created": 0, "updated": 0, "unchanged": 0, "refused": 0}
    if errors:
        return ImportReport(rows=0, imported=0, created=0, updated=0, unchanged=0, rejected=0,
                            errors=errors)  # fmt: skip
    rows = 0
    for rows, raw in enumerate(reader, start=1):
        line = rows + 1
        raw = {(k or "").strip(): v for k, v in raw.items() if isinstance(v, str)}
        result: RowResult
        if kind == "customers":
            party, problems = _customer(line, raw)
            result = (
                _import_customer(session, line, party)
                if party is not None
                else RowResult(line, "refused", problems)
            )
        else:
            entry, problems = _negative(line, raw)
            result = (
                _import_negative(session, line, entry, created_by)
                if entry is not None
                else RowResult(line, "refused", problems)
            )
        counts[result.outcome] += 1
        errors += result.errors
        if on_row:
            on_row(result)
        if commit_every and commit and rows % commit_every == 0:
            commit()
        if progress:
            progress(rows)
    return ImportReport(
        rows=rows,
        imported=rows - counts["refused"],
        created=counts["created"],
        updated=counts["updated"],
        unchanged=counts["unchanged"],
        rejected=counts["refused"],
        errors=errors,
    )
