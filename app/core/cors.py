"""Cross-origin calls from browser front-ends (a dealer's web app on its own origin): CORS
for the origins listed in ``KREDO_CORS_ORIGINS`` and for no other.

Starlette's middleware does the work; around it, a request from an origin not listed passes
by untouched, so it carries no CORS header at all (its preflight is the plain ``OPTIONS`` it
is: 405), and a preflight refused for its method or headers is problem+json like every error.
"""

from collections.abc import Sequence

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.errors import FieldError, problem_response
from app.core.i18n import N_, _

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# What the API reads (Accept-Language chooses the language of messages) and what a front-end
# needs to read back: the new resource, its version, a replayed answer, when to retry.
REQUEST_HEADERS = (
    "Authorization",
    "Content-Type",
    "If-Match",
    "If-None-Match",
    "Idempotency-Key",
    "Accept-Language",
)
RESPONSE_HEADERS = ("ETag", "Location", "Idempotent-Replayed", "Retry-After", "Content-Language")


class Cors(CORSMiddleware):
    def __init__(self, app: ASGIApp, origins: Sequence[str]) -> None:
        super().__init__(
            app,
            allow_origins=origins,
            allow_methods=METHODS,
            allow_headers=REQUEST_HEADERS,
            expose_headers=RESPONSE_HEADERS,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope) if scope["type"] == "http" else None
        origin = headers.get("origin") if headers is not None else None
        if headers is None or origin is None or not self.is_allowed_origin(origin):
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            response = self.preflight_response(request_headers=headers)
            if response.status_code == 400:
                response = self._refused(scope, headers, response.headers)
            await response(scope, receive, send)
            return
        await self.simple_response(scope, receive, send, request_headers=headers)

    def _refused(self, scope: Scope, asked: Headers, cors: Headers) -> Response:
        """The 400 of a preflight from a listed origin asking for what is not allowed."""
        errors: list[FieldError] = []
        method = asked["access-control-request-method"]
        if method not in self.allow_methods:
            message = _("Method {method} is not taken across origins; these are: {methods}.")
            errors.append(
                FieldError(
                    field="header.access-control-request-method",
                    message=message.format(method=method, methods=", ".join(METHODS)),
                    rule="cors_method",
                )
            )
        wanted = asked.get("access-control-request-headers", "").split(",")
        refused = [
            h.strip() for h in wanted if h.strip() and h.strip().lower() not in self.allow_headers
        ]
        if refused:
            message = _("Headers {refused} are not taken across origins; these are: {headers}.")
            errors.append(
                FieldError(
                    field="header.access-control-request-headers",
                    message=message.format(
                        refused=", ".join(refused), headers=", ".join(REQUEST_HEADERS)
                    ),
                    rule="cors_headers",
                )
            )
        if not errors:
            errors.append(
                FieldError(
                    field="header.access-control-request-private-network",
                    message=_("Calls into a private network are not taken across origins."),
                    rule="cors_private_network",
                )
            )
        return problem_response(
            400,
            "cors-preflight-refused",
            N_("Cross-origin request refused"),
            " ".join(e.message for e in errors),
            Request(scope),
            errors=errors,
            headers={
                k: v for k, v in cors.items() if k.startswith("access-control-") or k == "vary"
            },
        )
