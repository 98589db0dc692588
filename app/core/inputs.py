"""What a request may carry: each value from its own JSON type, strings without control or
invisible characters, dates within the years the business runs in.

FastAPI parses a body as JSON and then validates the Python objects in pydantic's lax mode,
which reads the number ``0`` as 1970-01-01 and as ``false``, and ``"24"`` as 24. Request
schemas therefore take integers as ``StrictInt``, booleans as ``StrictBool``, dates as
:data:`BusinessDate` or :data:`HistoricDate` (a ``YYYY-MM-DD`` string, nothing else), and
derive from :class:`RequestModel`, which checks every string they hold;
``tests/test_strict_input.py`` walks every request body to keep it so. Path, query and header
strings are checked by :func:`reject_control_characters`.

Strings are normalised to Unicode NFC, so one name has one spelling in the database and in the
duplicate check. A line of text (a name, an address, a code, a reference) refuses control
characters and the invisible *format* characters — zero-width spaces and joiners, soft hyphens,
a byte order mark, bidirectional overrides — with which two names that look alike compare apart
(a negative-list entry dodged) or a text displays otherwise than it reads. :data:`FreeText` (a
note, a reason) may also break lines and indent, and hold zero-width joiners (emoji, some
scripts), but not the bidirectional controls.

Data stored before these rules is read back with ``context=STORED``: its shape is checked, not
today's rules for requests.
"""

import re
import unicodedata
from datetime import date, datetime
from typing import Annotated, Any, get_args

from fastapi import Request
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    Strict,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
)
from pydantic.fields import FieldInfo
from pydantic_core import (
    CoreSchema,
    InitErrorDetails,
    PydanticCustomError,
    ValidationError,
    core_schema,
)
from stdnum.id import nik as stdnum_nik

from app.core.errors import FieldError, invalid, translated, unsupported_media_type
from app.core.i18n import N_, _

STORED = {"stored": True}
EARLIEST_BUSINESS_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)
EARLIEST_HISTORIC_DATE = date(1900, 1, 1)
# Rp 100 billion: far above any vehicle or fee, and inside every integer column.
MAX_RUPIAH = 100_000_000_000

_LINE_LAYOUT = frozenset("\t\n\r")
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_BOM = "\ufeff"
_NAMES = {_BOM: "byte order mark"}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}.*")
# Headers the app reads; the others it passes by.
READ_HEADERS = ("if-match", "if-none-match", "idempotency-key")


def is_stored(info: ValidationInfo | None) -> bool:
    return bool(info is not None and isinstance(info.context, dict) and info.context.get("stored"))


def _describe(character: str) -> str:
    code = f"U+{ord(character):04X}"
    name = _NAMES.get(character) or unicodedata.name(character, "").lower()
    return f"{code} ({name})" if name else code


def text_problem(value: str, *, free_text: bool = False) -> PydanticCustomError | None:
    """What makes ``value`` unfit for a line of text (or, ``free_text``, for a note)."""
    if value.isprintable():
        return None  # the common case: no control, format, surrogate or separator at all
    for character in value:
        category = unicodedata.category(character)
        if category == "Cc" and not (free_text and character in _LINE_LAYOUT):
            template = (
                N_(
                    "Control character {character} is not allowed; a note may break lines "
                    "(\\n) and indent (\\t)."
                )
                if free_text
                else N_("Control character {character} is not allowed.")
            )
            return PydanticCustomError(
                "control_character",
                template,
                {"character": _describe(character), "template": template},
            )
        if category in ("Zl", "Zp") and not free_text:
            template = N_("Line break {character} is not allowed in one line of text.")
            return PydanticCustomError(
                "control_character",
                template,
                {"character": _describe(character), "template": template},
            )
        if category == "Cs":
            template = N_("A lone surrogate {character} is not a character.")
            return PydanticCustomError(
                "invalid_character",
                template,
                {"character": _describe(character), "template": template},
            )
        if category == "Cf" and (not free_text or character in _BIDI_CONTROLS or character == _BOM):
            template = N_(
                "Invisible character {character} is not allowed: it makes text read or compare "
                "otherwise than it looks."
            )
            return PydanticCustomError(
                "invisible_character",
                template,
                {"character": _describe(character), "template": template},
            )
    return None


def message_of(problem: PydanticCustomError) -> str:
    """One of our rules' errors, in the request's language."""
    return translated({"type": problem.type, "ctx": problem.context, "msg": problem.message()})


def _clean(value: str, free_text: bool) -> str:
    problem = text_problem(value, free_text=free_text)
    if problem is not None:
        raise problem
    return value if unicodedata.is_normalized("NFC", value) else unicodedata.normalize("NFC", value)


def _clean_document(value: Any) -> Any:
    """Every key and string of a JSON document (a rule set), as free text."""

    def walk(item: Any, path: str) -> Any:
        if isinstance(item, dict):
            return {walk(k, path): walk(v, f"{path}.{k}") for k, v in item.items()}
        if isinstance(item, list):
            return [walk(v, f"{path}[{i}]") for i, v in enumerate(item)]
        if isinstance(item, str):
            problem = text_problem(item, free_text=True)
            if problem is not None:
                raise PydanticCustomError(
                    problem.type, "At {path}: {message}",
                    {"path": path.lstrip(".") or _("the top"), "message": message_of(problem),
                     "template": N_("At {path}: {message}")},
                )  # fmt: skip
            return unicodedata.normalize("NFC", item)
        return item

    return walk(value, "")


def iso_date(value: Any) -> Any:
    """A date from a ``YYYY-MM-DD`` string (or a date object from our own code), not from a
    number of seconds, a timestamp or another layout."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            template = N_("{value} is not a day of the calendar.")
            raise PydanticCustomError(
                "date_from_string", template, {"value": value, "template": template}
            ) from None
    template = N_("A date is a string YYYY-MM-DD.")
    raise PydanticCustomError("date_type", template, {"template": template})


def iso_datetime(value: Any) -> Any:
    """An instant from an ISO 8601 string (``2026-11-23T10:00:00+07:00``), not from a number
    of seconds."""
    if isinstance(value, datetime) or (isinstance(value, str) and _ISO_DATETIME.fullmatch(value)):
        return value
    template = N_("An instant is a string YYYY-MM-DDThh:mm:ss+hh:mm.")
    raise PydanticCustomError("datetime_type", template, {"template": template})


def _between(earliest: date, latest: date) -> AfterValidator:
    def check(value: Any, info: ValidationInfo) -> Any:
        day = value.date() if isinstance(value, datetime) else value
        if not is_stored(info) and not earliest <= day <= latest:
            template = N_("A date from {earliest} to {latest}.")
            raise PydanticCustomError(
                "date_range",
                template,
                {
                    "earliest": earliest.isoformat(),
                    "latest": latest.isoformat(),
                    "template": template,
                },
            )
        return value

    return AfterValidator(check)


def exact_int(value: Any) -> Any:
    """Before a ``Literal`` of numbers, which would take ``true`` for 1 and ``10.0`` for 10."""
    if isinstance(value, bool) or not isinstance(value, int):
        template = N_("Input should be an integer.")
        raise PydanticCustomError("int_type", template, {"template": template})
    return value


def without_union_tag(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """Around a discriminated union (an individual or a company applicant): its errors carry
    the path of the field as the client wrote it (``applicant.birth_date``), without the
    union's tag that pydantic puts in it (``applicant.individual.birth_date``)."""
    try:
        return handler(value)
    except ValidationError as exc:
        details = [
            InitErrorDetails(
                type=PydanticCustomError(error["type"], error["msg"], error.get("ctx")),
                loc=tuple(error["loc"][1:]),
                input=error["input"],
            )
            for error in exc.errors()
        ]
        raise ValidationError.from_exception_data(exc.title, details) from None


class _FreeTextMark:
    """Marks a string field as free text (see :data:`FreeText`)."""


class _DocumentMark:
    """Marks a JSON document field (see :data:`Document`)."""


FreeText = Annotated[str, _FreeTextMark()]
"""A note or a reason: it may also break lines (``\\n``, ``\\r``) and indent (``\\t``)."""
Document = Annotated[dict[str, Any], _DocumentMark()]
"""A JSON document stored whole (a rule set): its keys and strings checked as free text."""


def compact_nik(value: Any) -> Any:
    """A NIK as clerks write it (``317101.570890.0001``, ``3171-0157-0890-0001``, spaces):
    its digits, before any check."""
    return stdnum_nik.compact(value) if isinstance(value, str) else value


Nik = Annotated[
    str,
    BeforeValidator(compact_nik),
    Field(max_length=16, description="16-digit KTP number; dots, dashes and spaces are removed"),
]
"""A NIK (KTP number), its separators removed before the length and every other check."""
BusinessDate = Annotated[
    date, BeforeValidator(iso_date), _between(EARLIEST_BUSINESS_DATE, LATEST_DATE)
]
"""A day of the business (a payment, a holiday, a filter): 2000-01-01 to 2100-12-31."""
HistoricDate = Annotated[
    date, BeforeValidator(iso_date), _between(EARLIEST_HISTORIC_DATE, LATEST_DATE)
]
"""A birth or founding date, which may be long before the business: from 1900-01-01."""
BusinessInstant = Annotated[
    AwareDatetime, BeforeValidator(iso_datetime), _between(EARLIEST_BUSINESS_DATE, LATEST_DATE)
]
"""An instant of the business, with its offset: in the years of :data:`BusinessDate`."""
Rupiah = Annotated[int, Strict(), Field(ge=0, le=MAX_RUPIAH)]
PositiveRupiah = Annotated[int, Strict(), Field(gt=0, le=MAX_RUPIAH)]


def _marked(field: FieldInfo, mark: type) -> bool:
    """Whether ``mark`` is on the field, or in its type (``FreeText | None``)."""

    def within(annotation: Any) -> bool:
        return any(isinstance(m, mark) for m in getattr(annotation, "__metadata__", ())) or any(
            within(arg) for arg in get_args(annotation)
        )

    return any(isinstance(m, mark) for m in field.metadata) or within(field.annotation)


def clean_line(value: Any, info: ValidationInfo) -> Any:
    """Before a request's string: refused with a control or invisible character, else NFC."""
    return value if is_stored(info) or not isinstance(value, str) else _clean(value, False)


def clean_note(value: Any, info: ValidationInfo) -> Any:
    """As :func:`clean_line`, for free text."""
    return value if is_stored(info) or not isinstance(value, str) else _clean(value, True)


def clean_document(value: Any, info: ValidationInfo) -> Any:
    """After a JSON document's validation: every key and string of it as free text."""
    return value if is_stored(info) else _clean_document(value)


def _checked(schema: Any, free_text: bool) -> Any:
    """``schema`` with every string in it (a field, an item of a list, an arm of a union)
    behind :func:`clean_line` or :func:`clean_note`; other models check their own."""
    if isinstance(schema, list):
        return [_checked(item, free_text) for item in schema]
    if not isinstance(schema, dict) or schema.get("type") in ("model", "definition-ref"):
        return schema
    if schema.get("type") == "str":
        clean = clean_note if free_text else clean_line
        return core_schema.with_info_before_validator_function(clean, schema)
    return {key: _checked(value, free_text) for key, value in schema.items()}


class RequestModel(BaseModel):
    """Base of every request body: unknown fields are refused, and every string it holds is
    checked and normalised (NFC) before the field's own constraints, which then count the
    normalised characters."""

    model_config = ConfigDict(extra="forbid")

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[BaseModel], handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        schema = handler(source)
        model: Any = schema
        while model["type"].startswith("function-"):  # a model validator wraps the model
            model = model["schema"]
        fields = model.get("schema", {}).get("fields", {}) if model["type"] == "model" else {}
        for name, field in fields.items():
            info = cls.model_fields[name]
            if _marked(info, _DocumentMark):
                field["schema"] = core_schema.with_info_after_validator_function(
                    clean_document, field["schema"]
                )
            else:
                field["schema"] = _checked(field["schema"], _marked(info, _FreeTextMark))
        return schema


def reject_control_characters(request: Request) -> None:
    """422 for a control or invisible character in a path or query parameter or a header the
    app reads, before any of them reaches a query (PostgreSQL refuses a NUL in text)."""
    given = [
        *(("path", name, value) for name, value in request.path_params.items()),
        *(("query", name, value) for name, value in request.query_params.multi_items()),
        *(("header", name, request.headers[name]) for name in READ_HEADERS
          if name in request.headers),
    ]  # fmt: skip
    errors = []
    for source, name, value in given:
        problem = text_problem(value) if isinstance(value, str) else None
        if problem is not None:
            field = f"{source}.{name}"
            errors.append(FieldError(field=field, message=message_of(problem), rule=problem.type))
    if errors:
        raise invalid(errors)


async def require_media_type(request: Request) -> None:
    """415 for a body in a media type the operation does not take, before the body is read
    as anything (see :func:`app.core.errors.unsupported_media_type`)."""
    problem = await unsupported_media_type(request)
    if problem is not None:
        raise problem
