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
from pydantic import BaseModel, Field
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("kredo.errors")


class FieldError(BaseModel):
    field: str = Field(description="Path of the offending field, dotted (`applicant.nik`).")
    message: str = Field(description="What is wrong, in words.")
    rule: str = Field(description="Machine-readable name of the rule that failed.")


class Problem(BaseModel):
    """RFC 9457 problem details, with Kredo's extension members."""

    type: str = Field(examples=["/problems/invalid-transition"])
    title: str = Field(examples=["Transition not allowed"])
    status: int = Field(examples=[409])
    detail: str = Field(examples=["Contract is CANCELLED; cancel is allowed from SUBMITTED."])
    instance: str | None = Field(default=None, examples=["/v1/contracts/JKT01-2026-MC-000001"])
    errors: list[FieldError] | None = None
    current_state: str | None = None
    allowed_from: list[str] | None = None


class ProblemError(Exception):
    """Base of every error a client may see."""

    status = 500
    slug = "internal-error"
    title = "Internal error"

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
    status, slug, title = 401, "unauthorized", "Authentication required"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(ProblemError):
    status, slug, title = 403, "forbidden", "Not allowed for your role"


class NotFound(ProblemError):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(ProblemError):
    status, slug, title = 409, "conflict", "Conflict"


class InvalidTransition(Conflict):
    slug, title = "invalid-transition", "Transition not allowed"


class PreconditionFailed(ProblemError):
    status, slug, title = 412, "precondition-failed", "Precondition failed"


class ContentTooLarge(ProblemError):
    status, slug, title = 413, "content-too-large", "Request body too large"


class TooManyFailedAuthentications(ProblemError):
    status, slug, title = 429, "too-many-failed-authentications", "Too many failed authentications"


class Busy(ProblemError):
    status, slug, title = 503, "busy", "Busy"


class Unprocessable(ProblemError):
    status, slug, title = 422, "validation-error", "Invalid request"

    @classmethod
    def field(cls, field: str, message: str, rule: str) -> "Unprocessable":
        return cls(message, errors=[FieldError(field=field, message=message, rule=rule)])


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
        "title": title,
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
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        parts = parts[1:]
    return ".".join(parts) or "body"


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
            message=str(e.get("msg", "invalid")),
            rule=str(e.get("type", "invalid")),
        )
        for e in raw
    ]


def invalid(errors: Sequence[FieldError]) -> Unprocessable:
    """A 422 listing every field error, its detail naming them all."""
    return Unprocessable("; ".join(f"{e.field}: {e.message}" for e in errors), errors=errors)


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    raw = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in raw):
        return problem_response(
            400, "malformed-json", "Malformed JSON", "The request body is not valid JSON.", request
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
    titles = {400: "Bad request", 404: "Not found", 405: "Method not allowed"}
    headers = dict(exc.headers) if exc.headers else {}
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(_documented_methods(request))
    return problem_response(
        exc.status_code,
        "about:blank",
        titles.get(exc.status_code, "HTTP error"),
        str(exc.detail),
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
            "Every database connection is busy; nothing was written. Retry shortly.",
            headers={"Retry-After": "2"},
        )
    elif isinstance(exc, IntegrityError) and (
        _sqlstate(exc) == "23505" or "UNIQUE constraint failed" in str(exc.orig)
    ):
        match = _UNIQUE_NAME.search(str(exc.orig))
        what = next((g for g in match.groups() if g), "record") if match else "record"
        problem = Conflict(
            f"Another request has just made the same {what.replace('_', ' ')}; read the "
            "resource again: nothing of this request was written."
        )
    elif isinstance(exc, IntegrityError | DataError | OverflowError):
        problem = Unprocessable(
            "A value is outside what the database holds (too long, out of range or "
            "refused by a rule); nothing was written."
        )
    elif _sqlstate(exc) in ("55P03", "40001", "40P01"):
        problem = Conflict(
            "The contract is being changed by another request; read it again and retry.",
            headers={"Retry-After": "1"},
        )
    elif "database is locked" in str(exc.orig):
        problem = Busy(
            "The database is busy with other changes (the close of business?); nothing "
            "was written. Retry shortly.",
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
        500, "internal-error", "Internal error", "An unexpected error occurred.", request
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
    422: "Invalid input: `errors` lists every field and rule",
    429: "Too many failed authentications from your address or with your key's first "
    "characters: wait `Retry-After` seconds",
    503: "Busy (connections or the write lock, e.g. during the close of business): nothing "
    "was written; retry after `Retry-After` seconds",
}


def _documented(status: int) -> dict[str, Any]:
    return {
        "description": _DESCRIPTIONS[status],
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries for the given error statuses (400, 401, 422, 429 and 503
    always)."""
    every = {400, 401, 422, 429, 503, *statuses}
    return {status: _documented(status) for status in sorted(every)}


def document_body_limit(document: dict[str, Any]) -> None:
    """Add 413 to every operation that takes a body: the limit is the app's, not a route's."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            if "requestBody" in operation:
                responses = {**operation["responses"], "413": _documented(413)}
                operation["responses"] = dict(sorted(responses.items()))
