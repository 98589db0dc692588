"""One JSON line per request: id, user, method, path, status, duration; and every other line
of the service and of uvicorn in the same JSON, with the id of the request it belongs to.

Only the path is logged, never the query string or a body, so filters by name or NIK and
the application form never reach the log. SQL parameters are never in an error (the engine
hides them); a traceback is scrubbed of the input values Pydantic quotes and of long digit runs
(NIKs, phone and account numbers) as a second line of defence.
"""

import json
import logging
import re
import sys
import time
import uuid
from contextvars import ContextVar
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

access_log = logging.getLogger("kredo.access")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
current_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
# What may quote personal data in an exception's text: Pydantic's echo of the input, and long
# digit runs (a NIK has 16 digits, a phone 10-13).
_SCRUB = (
    (re.compile(r"input_value=.*?(?=, input_type=|\]$)", re.MULTILINE), "input_value=[hidden]"),
    (re.compile(r"\d{8,}"), "[digits]"),
)
LOGGERS = ("kredo", "uvicorn", "uvicorn.error")


def scrub(text: str) -> str:
    for pattern, replacement in _SCRUB:
        text = pattern.sub(replacement, text)
    return text


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        request_id = current_request_id.get()
        if request_id is not None:
            line["request_id"] = request_id
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["exception"] = scrub(self.formatException(record.exc_info))
        return json.dumps(line, default=str)


def configure_logging(level: str) -> None:
    """The service's loggers and uvicorn's, all as JSON lines on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    for name in LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.propagate = False
    logging.getLogger("kredo").setLevel(level)
    # uvicorn's access line carries the query string (a name or a NIK searched for); the
    # service's own access line above replaces it.
    logging.getLogger("uvicorn.access").disabled = True


class AccessLogMiddleware:
    """Gives every request an id (``X-Request-ID`` echoed when sane, else made) and logs it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        given = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        # Not reset: each request runs in its own task, and the 500 handler outside this
        # layer logs with it too.
        current_request_id.set(request_id)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            access_log.info(
                "request",
                extra={
                    "fields": {
                        "request_id": request_id,
                        "user": scope["state"].get("user"),
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    }
                },
            )
