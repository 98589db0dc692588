"""The HTTP edge: the headers every response carries, and the size a request body may have.

Both are plain ASGI layers, so they see every response (the 500 page included) and every
chunk of a body before the app does.
"""

import re

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import ContentTooLarge, FieldError, problem_response
from app.core.i18n import _, format_number

# Answers carry personal data (names, NIKs, addresses): HTTPS only, never cached, never framed
# or sniffed into something else, no Referer leaking a contract number to another site.
SECURITY_HEADERS = {
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
NO_STORE = "no-store"
# JSON loads nothing. An HTML page (the portfolio page, the interactive docs) knows what it
# loads and sets its own policy, or none.
API_POLICY = "default-src 'none'; frame-ancestors 'none'"


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
                headers.setdefault("Cache-Control", NO_STORE)
                if not headers.get("content-type", "").startswith("text/html"):
                    headers.setdefault("Content-Security-Policy", API_POLICY)
            await send(message)

        started = False

        async def send_tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send_secured(message)

        try:
            await self.app(scope, receive, send_tracked)
        except Exception:
            # Starlette re-raises an error after its 500 went out, for the server to log;
            # the error handler logged it already (with the request id, scrubbed), so
            # uvicorn's second, raw traceback is not wanted.
            if not started:
                raise


class _BodyTooLarge(Exception):
    """Raised from ``receive`` once a streamed body crosses the limit."""


class BodyLimit:
    """413 for a request body over ``limit`` bytes, before it is read: at once when its
    ``Content-Length`` says so, else as soon as the streamed (chunked) bytes cross it."""

    def __init__(
        self, app: ASGIApp, limit: int, larger: dict[re.Pattern[str], int] | None = None
    ) -> None:
        self.app = app
        self.limit = limit
        # Paths (matched whole) that take more: a document's upload.
        self.larger = larger or {}

    def limit_of(self, path: str) -> int:
        for pattern, limit in self.larger.items():
            if pattern.fullmatch(path):
                return limit
        return self.limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_of(scope["path"])
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, limit)
            return
        received = 0
        exceeded = started = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def send_unless_exceeded(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                # The app's answer to a body it could not read (FastAPI makes it a 400);
                # the 413 below goes instead.
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, send_unless_exceeded)
        except _BodyTooLarge:
            if started:
                raise
        if exceeded and not started:
            await self._refuse(scope, receive, send, limit)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        detail = _("The request body is larger than {limit} bytes.").format(
            limit=format_number(limit)
        )
        response = problem_response(
            ContentTooLarge.status,
            ContentTooLarge.slug,
            ContentTooLarge.title,
            detail,
            Request(scope),
            errors=[FieldError(field="body", message=detail, rule="max_size")],
        )
        await response(scope, receive, send)
