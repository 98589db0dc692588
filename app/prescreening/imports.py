"""CSV imports of legacy customers and of negative-list entries.

Every row is checked whole before anything of it is written; good rows are kept, bad rows
are reported with their line, field and rule. A row is written with its blocking keys in one
go, so no row is ever half-written. ``commit_every`` rows, the caller commits (the CLI, so
that a file of millions survives an interruption with its good rows kept).
"""

import csv
import unicodedata
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.applications.rules import nik_problems
from app.core.clock import today_jakarta
from app.core.errors import field_errors
from app.core.inputs import compact_nik, text_problem
from app.prescreening.matching import Identity
from app.prescreening.models import NegativeEntry
from app.prescreening.schemas import ImportReport, ImportRowError, NegativeEntryIn
from app.prescreening.service import Party, add_customer, add_negative_entry

CUSTOMER_COLUMNS = ("full_name", "nik", "birth_date", "birth_place", "mother_maiden_name")
NEGATIVE_COLUMNS = (
    "subject", "category", "full_name", "nik", "birth_date", "birth_place",
    "mother_maiden_name", "chassis_number", "engine_number", "dealers", "reason",
)  # fmt: skip
REQUIRED = {"customers": ("full_name",), "negative": ("subject", "category")}
Errors = list[ImportRowError]


# What the customers table keeps of each column.
CUSTOMER_LENGTHS = {"full_name": 150, "nik": 16, "birth_place": 100, "mother_maiden_name": 150}


def _text_errors(row: int, raw: dict[str, str]) -> Errors:
    """Control or invisible characters, and values longer than their column: what the API
    refuses in a request (app.core.inputs), refused in a file's row too."""
    errors: Errors = []
    for field, longest in CUSTOMER_LENGTHS.items():
        value = (raw.get(field) or "").strip()
        problem = text_problem(value)
        if problem is not None:
            errors.append(ImportRowError(row=row, field=field, rule=problem.type,
                                         message=problem.message()))  # fmt: skip
        elif len(unicodedata.normalize("NFC", value)) > longest:
            errors.append(ImportRowError(row=row, field=field, rule="string_too_long",
                                         message=f"At most {longest} characters."))  # fmt: skip
    return errors


def _customer(row: int, raw: dict[str, str]) -> tuple[Party | None, Errors]:
    raw = {key: unicodedata.normalize("NFC", value) for key, value in raw.items() if value}
    errors: Errors = _text_errors(row, raw)
    if errors:
        return None, errors
    name = (raw.get("full_name") or "").strip()
    if not name:
        errors.append(ImportRowError(row=row, field="full_name", rule="required",
                                     message="A name is required."))  # fmt: skip
    born: date | None = None
    if raw.get("birth_date"):
        try:
            born = date.fromisoformat(raw["birth_date"].strip())
        except ValueError:
            errors.append(ImportRowError(row=row, field="birth_date", rule="date",
                                         message="Use YYYY-MM-DD."))  # fmt: skip
    nik = compact_nik((raw.get("nik") or "").strip()) or None
    if nik is not None and born is not None:
        # Legacy files rarely carry sex: accept the NIK as either, and check the rest.
        as_man = nik_problems("nik", nik, born, "male")
        as_woman = nik_problems("nik", nik, born, "female")
        if as_man and as_woman:
            problem = as_man if as_man[0][2] != "nik_sex_mismatch" else as_woman
            errors += [ImportRowError(row=row, field=f, message=m, rule=r) for f, m, r in problem]
    elif nik is not None and not (nik.isdigit() and len(nik) == 16):
        errors.append(ImportRowError(row=row, field="nik", rule="nik_length",
                                     message="A NIK has 16 digits."))  # fmt: skip
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
            ImportRowError(
                row=row,
                field="row" if e.field == "body" else e.field,
                rule=e.rule,
                message=e.message,
            )
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


def import_csv(
    session: Session,
    lines: Iterable[str],
    kind: str,
    *,
    created_by: int | None = None,
    commit_every: int = 0,
    commit: Callable[[], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import ``kind`` ("customers" or "negative") from CSV text with a header line."""
    reader = csv.DictReader(lines)
    expected = CUSTOMER_COLUMNS if kind == "customers" else NEGATIVE_COLUMNS
    header = set(reader.fieldnames or [])
    errors: Errors = [
        ImportRowError(row=1, field=c, rule="missing_column", message=f"The header needs {c}.")
        for c in REQUIRED[kind]
        if c not in header
    ] + [
        ImportRowError(row=1, field=c, rule="unknown_column",
                       message=f"Expected columns: {', '.join(expected)}.")
        for c in sorted(header - set(expected))
    ]  # fmt: skip
    if errors:
        return ImportReport(rows=0, imported=0, rejected=0, errors=errors)
    rows = imported = 0
    for rows, raw in enumerate(reader, start=1):
        line = rows + 1
        if kind == "customers":
            party, problems = _customer(line, raw)
            if party is not None:
                add_customer(session, party, source="import")
        else:
            entry, problems = _negative(line, raw)
            if entry is not None:
                add_negative_entry(session, negative_entry(entry, "import", created_by))
        errors += problems
        imported += not problems
        if commit_every and commit and rows % commit_every == 0:
            commit()
        if progress:
            progress(rows)
    return ImportReport(rows=rows, imported=imported, rejected=rows - imported, errors=errors)
