"""Errors as RFC 9457 problem details (``application/problem+json``), everywhere.

Services raise the typed errors below; the handlers render them. Nothing else produces an
error body, so no stack trace or SQL ever reaches a client.
"""

import logging
import re
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.core.i18n import N_, gettext

PROBLEM_MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("kredo.errors")


class FieldError(BaseModel):
    field: str = Field(description="Path of the offending field, dotted (`applicant.nik`).")
    message: str = Field(description="What is wrong, in words.")
    rule: str = Field(description="Machine-readable name of the rule that failed.")


class Problem(BaseModel):
    """RFC 9457 problem details, with Kredo's extension members."""

    # Each error status shows an example of its own (``_EXAMPLES``), not one for all.
    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldError] | None = None
    current_state: str | None = None
    allowed_from: list[str] | None = None


class ProblemError(Exception):
    """Base of every error a client may see."""

    status = 500
    slug = "internal-error"
    title = N_("Internal error")

    def __init__(
        self,
        detail: str,
        *,
        errors: Sequence[FieldError] | None = None,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors) if errors else None
        self.headers = headers
        self.extensions = extensions


class Unauthorized(ProblemError):
    status, slug, title = 401, "unauthorized", N_("Authentication required")

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(ProblemError):
    status, slug, title = 403, "forbidden", N_("Not allowed for your role")


class NotFound(ProblemError):
    status, slug, title = 404, "not-found", N_("Not found")


class Conflict(ProblemError):
    status, slug, title = 409, "conflict", N_("Conflict")


class InvalidTransition(Conflict):
    slug, title = "invalid-transition", N_("Transition not allowed")


class PreconditionFailed(ProblemError):
    status, slug, title = 412, "precondition-failed", N_("Precondition failed")


class ContentTooLarge(ProblemError):
    status, slug, title = 413, "content-too-large", N_("Request body too large")


class UnsupportedMediaType(ProblemError):
    status, slug, title = 415, "unsupported-media-type", N_("Unsupported media type")


class TooManyFailedAuthentications(ProblemError):
    status, slug = 429, "too-many-failed-authentications"
    title = N_("Too many failed authentications")


class Busy(ProblemError):
    status, slug, title = 503, "busy", N_("Busy")


class Unprocessable(ProblemError):
    status, slug, title = 422, "validation-error", N_("Invalid request")

    @classmethod
    def field(cls, field: str, message: str, rule: str) -> "Unprocessable":
        return cls(message, errors=[FieldError(field=field, message=message, rule=rule)])


# Pydantic's own rules, in words a person reads, by the rule's name (its ``type``); the
# placeholders are the error's context. A rule not here keeps Pydantic's English words.
PYDANTIC_MESSAGES: dict[str, str] = {
    "missing": N_("This field is required."),
    "extra_forbidden": N_("This field is not known here."),
    "int_type": N_("Input should be an integer."),
    "int_parsing": N_("Input should be an integer."),
    "int_from_float": N_("Input should be an integer, without a fraction."),
    "bool_type": N_("Input should be true or false."),
    "string_type": N_("Input should be a string."),
    "dict_type": N_("Input should be an object."),
    "list_type": N_("Input should be a list."),
    "model_type": N_("Input should be an object."),
    "model_attributes_type": N_("Input should be an object."),
    "enum": N_("Input should be {expected}."),
    "literal_error": N_("Input should be {expected}."),
    "string_too_short": N_("Should have at least {min_length} characters."),
    "string_too_long": N_("Should have at most {max_length} characters."),
    "string_pattern_mismatch": N_("Should match the pattern {pattern}."),
    "too_short": N_("Should have at least {min_length} items."),
    "too_long": N_("Should have at most {max_length} items."),
    "greater_than": N_("Should be greater than {gt}."),
    "greater_than_equal": N_("Should be at least {ge}."),
    "less_than": N_("Should be less than {lt}."),
    "less_than_equal": N_("Should be at most {le}."),
    "multiple_of": N_("Should be a multiple of {multiple_of}."),
    "decimal_type": N_("Input should be a decimal number."),
    "decimal_parsing": N_("Input should be a decimal number."),
    "decimal_max_digits": N_("Should have at most {max_digits} digits."),
    "decimal_max_places": N_("Should have at most {decimal_places} decimal places."),
    "union_tag_invalid": N_("Should be one of {expected_tags}, not {tag}."),
    "union_tag_not_found": N_("Should name which kind it is in {discriminator}."),
    "json_invalid": N_("The request body is not valid JSON."),
    "uuid_parsing": N_("Input should be a UUID."),
    "uuid_type": N_("Input should be a UUID."),
    "url_parsing": N_("Input should be a URL."),
    "url_scheme": N_("The URL should start with {expected_schemes}."),
}


def translated(error: dict[str, Any]) -> str:
    """One Pydantic error in the request's language.

    Kredo's own rules (``PydanticCustomError``) carry their English template in the context
    as ``template``; a ``ValueError`` raised in a validator carries its marked message."""
    ctx = dict(error.get("ctx") or {})
    if error.get("type") == "value_error" and "error" in ctx:
        return gettext(str(ctx["error"]))
    template = ctx.pop("template", None) or PYDANTIC_MESSAGES.get(str(error.get("type")))
    if template is None:
        return str(error.get("msg", "invalid"))
    try:
        return gettext(template).format(**ctx)
    except (KeyError, IndexError, ValueError):
        return str(error.get("msg", "invalid"))


def problem_response(
    status: int,
    slug: str,
    title: str,
    detail: str,
    request: Request,
    *,
    errors: Sequence[FieldError] | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"/problems/{slug}" if slug != "about:blank" else slug,
        "title": gettext(title),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if errors:
        body["errors"] = [e.model_dump() for e in errors]
    body.update({k: v for k, v in extensions.items() if v is not None})
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


def _field_path(loc: Sequence[int | str]) -> str:
    # FastAPI prefixes the source ("body", "query", "path", "header"); keep it only off the body.
    # An item of a list is written as the service's own rules write it: phones[0].number.
    if loc and loc[0] == "body":
        loc = loc[1:]
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
    return path or "body"


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(
        exc.status,
        exc.slug,
        exc.title,
        exc.detail,
        request,
        errors=exc.errors,
        headers=exc.headers,
        **exc.extensions,
    )


def field_errors(raw: Sequence[Any]) -> list[FieldError]:
    """Pydantic's error list as our field errors (``loc`` → dotted path, ``type`` → rule)."""
    return [
        FieldError(
            field=_field_path(e.get("loc", ())),
            message=translated(e),
            rule=str(e.get("type", "invalid")),
        )
        for e in raw
    ]


def invalid(errors: Sequence[FieldError]) -> Unprocessable:
    """A 422 listing every field error, its detail naming them all."""
    return Unprocessable("; ".join(f"{e.field}: {e.message}" for e in errors), errors=errors)


_JSON_MEDIA = re.compile(r"application/(?:[\w.+-]+\+)?json")


async def unsupported_media_type(request: Request) -> UnsupportedMediaType | None:
    """The 415 for a body in a media type the operation does not take (JSON sent as
    ``text/plain``, a form, CSV as JSON, or no ``Content-Type`` at all), naming those it
    takes. A JSON operation takes ``application/json`` and its ``+json`` kinds
    (``merge-patch+json``); a bodiless request is not judged."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or route.body_field is None:
        return None
    takes = getattr(route.body_field.field_info, "media_type", "application/json")
    given = request.headers.get("content-type", "").split(";")[0].strip().lower()
    # Judged before the body is read: a form's body is already consumed by its parser.
    if given == takes or (takes == "application/json" and _JSON_MEDIA.fullmatch(given)):
        return None
    if not await request.body():
        return None
    accepted = [takes]
    if request.method == "PATCH" and takes == "application/json":
        accepted.append("application/merge-patch+json")
    message = gettext(N_("This operation takes {accepted}, not {given}.")).format(
        accepted=", ".join(accepted), given=given or gettext(N_("a body without Content-Type"))
    )
    header = {"POST": "Accept-Post", "PATCH": "Accept-Patch"}.get(request.method)
    return UnsupportedMediaType(
        message,
        errors=[FieldError(field="header.content-type", message=message, rule="media_type")],
        headers={header: ", ".join(accepted)} if header else None,
    )


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    raw = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in raw):
        wrong_type = await unsupported_media_type(request)  # CSV sent as JSON
        if wrong_type is not None:
            return await _on_problem(request, wrong_type)
        return problem_response(
            400,
            "malformed-json",
            N_("Malformed JSON"),
            gettext(N_("The request body is not valid JSON.")),
            request,
        )
    return await _on_problem(request, invalid(field_errors(raw)))


def _documented_methods(request: Request) -> list[str]:
    """Every method the OpenAPI document lists for the request's path.

    Starlette's own ``Allow`` names only the first route that matched the path, which is wrong
    when one path has several routes (``GET`` and ``POST /v1/users``). A literal path
    (``/v1/customers/matches``) wins over a template that would also match it.
    """
    paths = request.app.openapi()["paths"]
    path = request.url.path
    if path in paths:
        return sorted(method.upper() for method in paths[path])
    methods: set[str] = set()
    for template, operations in paths.items():
        pattern = re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, path):
            methods.update(method.upper() for method in operations)
    return sorted(methods)


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    titles = {400: N_("Bad request"), 404: N_("Not found"), 405: N_("Method not allowed")}
    details = {
        "Not Found": N_("Not found."),
        "Method Not Allowed": N_("Method not allowed."),
        "Bad Request": N_("Bad request."),
    }
    headers = dict(exc.headers) if exc.headers else {}
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(_documented_methods(request))
    return problem_response(
        exc.status_code,
        "about:blank",
        titles.get(exc.status_code, N_("HTTP error")),
        gettext(details[exc.detail]) if exc.detail in details else str(exc.detail),
        request,
        headers=headers or None,
    )


def _sqlstate(exc: DBAPIError) -> str:
    return str(getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None) or "")


_UNIQUE_NAME = re.compile(r'(?:UNIQUE constraint failed: (\w+)\.|constraint "(\w+)")')


async def _on_database(request: Request, exc: Exception) -> JSONResponse:
    """What the database refused or could not do in time, as the client's problem (4xx) or a
    bounded wait (503 with ``Retry-After``), never a 500. Nothing was written: the request's
    transaction is rolled back by the session dependency."""
    assert isinstance(exc, DBAPIError | PoolTimeout | OverflowError)
    if isinstance(exc, PoolTimeout):
        problem: ProblemError = Busy(
            gettext(N_("Every database connection is busy; nothing was written. Retry shortly.")),
            headers={"Retry-After": "2"},
        )
    elif isinstance(exc, IntegrityError) and (
        _sqlstate(exc) == "23505" or "UNIQUE constraint failed" in str(exc.orig)
    ):
        match = _UNIQUE_NAME.search(str(exc.orig))
        what = next((g for g in match.groups() if g), None) if match else None
        problem = Conflict(
            gettext(
                N_(
                    "Another request has just made the same {what}; read the resource again: "
                    "nothing of this request was written."
                )
            ).format(what=what.replace("_", " ") if what else gettext(N_("record")))
        )
    elif isinstance(exc, IntegrityError | DataError | OverflowError):
        problem = Unprocessable(
            gettext(
                N_(
                    "A value is outside what the database holds (too long, out of range or "
                    "refused by a rule); nothing was written."
                )
            )
        )
    elif _sqlstate(exc) in ("55P03", "40001", "40P01"):
        problem = Conflict(
            gettext(
                N_("The contract is being changed by another request; read it again and retry.")
            ),
            headers={"Retry-After": "1"},
        )
    elif "database is locked" in str(exc.orig):
        problem = Busy(
            gettext(
                N_(
                    "The database is busy with other changes (the close of business?); nothing "
                    "was written. Retry shortly."
                )
            ),
            headers={"Retry-After": "5"},
        )
    else:
        return await _on_unexpected(request, exc)
    log.warning("database refused %s %s: %s", request.method, request.url.path,
                type(exc.orig if isinstance(exc, DBAPIError) else exc).__name__)  # fmt: skip

    return await _on_problem(request, problem)


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(
        500,
        "internal-error",
        N_("Internal error"),
        gettext(N_("An unexpected error occurred.")),
        request,
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(DBAPIError, _on_database)
    app.add_exception_handler(PoolTimeout, _on_database)
    app.add_exception_handler(OverflowError, _on_database)  # SQLite: an integer past 64 bits
    app.add_exception_handler(Exception, _on_unexpected)


_DESCRIPTIONS = {
    400: "Malformed request",
    401: "Missing, unknown or revoked API key",
    403: "Your role may not do this",
    404: "Not found, or outside your scope",
    409: "Conflicts with the current state",
    412: "`If-Match` does not match the current ETag",
    413: "The request body is over the size limit",
    415: "The body's `Content-Type` is not one the operation takes: `errors` names those it "
    "takes (so do `Accept-Post` and `Accept-Patch`)",
    422: "Invalid input: `errors` lists every field and rule",
    429: "Too many failed authentications from your address or with your key's first "
    "characters: wait `Retry-After` seconds",
    503: "Busy (connections or the write lock, e.g. during the close of business): nothing "
    "was written; retry after `Retry-After` seconds",
}


def _example(
    error: type[ProblemError], detail: str, instance: str, **members: Any
) -> dict[str, Any]:
    return {
        "type": f"/problems/{error.slug}",
        "title": error.title,
        "status": error.status,
        "detail": detail,
        "instance": instance,
        **members,
    }


_CONTRACT = "/v1/contracts/JKT01-2026-MC-000042"
_EXAMPLES = {
    400: {
        "type": "/problems/malformed-json",
        "title": "Malformed JSON",
        "status": 400,
        "detail": "The request body is not valid JSON.",
        "instance": "/v1/contracts",
    },
    401: _example(Unauthorized, "The API key is unknown or revoked.", "/v1/contracts"),
    403: _example(Forbidden, "Role dealer may not approve.", f"{_CONTRACT}/decision"),
    404: _example(NotFound, "No contract JKT01-2026-MC-000042 in your scope.", _CONTRACT),
    409: _example(
        InvalidTransition,
        "Contract JKT01-2026-MC-000042 is CANCELLED; approve is allowed from PENDING_APPROVAL.",
        f"{_CONTRACT}/decision",
        current_state="CANCELLED",
        allowed_from=["PENDING_APPROVAL"],
    ),
    412: _example(
        PreconditionFailed,
        'The contract has changed (now W/"JKT01-2026-MC-000042-v4"); read it again and retry.',
        f"{_CONTRACT}/decision",
    ),
    413: _example(
        ContentTooLarge,
        "The request body is larger than 1,048,576 bytes.",
        "/v1/negative-list/import",
        errors=[
            {
                "field": "body",
                "message": "The request body is larger than 1,048,576 bytes.",
                "rule": "max_size",
            }
        ],
    ),
    415: _example(
        UnsupportedMediaType,
        "This operation takes application/json, not text/plain.",
        "/v1/contracts",
        errors=[
            {
                "field": "header.content-type",
                "message": "This operation takes application/json, not text/plain.",
                "rule": "media_type",
            }
        ],
    ),
    422: _example(
        Unprocessable,
        "applicant.nik: A NIK has 16 digits.; down_payment: Input should be an integer.",
        "/v1/contracts",
        errors=[
            {"field": "applicant.nik", "message": "A NIK has 16 digits.", "rule": "nik_length"},
            {
                "field": "down_payment",
                "message": "Input should be an integer.",
                "rule": "int_type",
            },
        ],
    ),
    429: _example(
        TooManyFailedAuthentications,
        "Too many failed authentications; try again in 60 s.",
        "/v1/contracts",
        errors=[
            {
                "field": "header.authorization",
                "message": "Too many failed authentications; try again in 60 s.",
                "rule": "failed_authentication_limit",
            }
        ],
    ),
    503: _example(
        Busy,
        "Too many changes are waiting; nothing was written. Retry in 5 s.",
        "/v1/payments",
    ),
}


def _documented(status: int) -> dict[str, Any]:
    schema = {"$ref": "#/components/schemas/Problem"}
    return {
        "description": _DESCRIPTIONS[status],
        "content": {PROBLEM_MEDIA_TYPE: {"schema": schema, "example": _EXAMPLES[status]}},
    }


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries for the given error statuses (400, 401, 422, 429 and 503
    always)."""
    every = {400, 401, 422, 429, 503, *statuses}
    return {status: _documented(status) for status in sorted(every)}


def document_body_limit(document: dict[str, Any]) -> None:
    """Add 413 and 415 to every operation that takes a body: the size limit and the check of
    its media type are the app's, not a route's."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            if "requestBody" in operation:
                responses = {
                    **operation["responses"],
                    "413": _documented(413),
                    "415": _documented(415),
                }
                operation["responses"] = dict(sorted(responses.items()))
