"""Admission of requests that write: at most a few at a time inside the app, the rest queue
on the event loop without holding a worker thread or a connection, and one that cannot get in
within a bounded time is answered 503 with ``Retry-After``.

Why: a request's transaction is committed by a dependency's exit, which needs a worker thread
of its own. If every thread were held by writers waiting for a lock, the one holding the lock
could not commit, and all of them would wait out the lock timeout. Keeping writers below the
thread count leaves threads for commits and for readers, who never wait for a writer (WAL on
SQLite, MVCC on PostgreSQL)."""

import asyncio
from weakref import WeakKeyDictionary

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.dependencies import READ_METHODS
from app.core.errors import Busy, problem_response
from app.core.i18n import _


class WriteAdmission:
    def __init__(self, app: ASGIApp, *, writers: int, wait_seconds: float) -> None:
        self.app = app
        self.writers = writers
        self.wait_seconds = wait_seconds
        # One semaphore per event loop (a test client runs its own loop).
        self._slots: WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            WeakKeyDictionary()
        )

    def _semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if loop not in self._slots:
            self._slots[loop] = asyncio.Semaphore(self.writers)
        return self._slots[loop]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in READ_METHODS:
            await self.app(scope, receive, send)
            return
        slots = self._semaphore()
        try:
            await asyncio.wait_for(slots.acquire(), self.wait_seconds)
        except TimeoutError:
            retry = str(max(1, round(self.wait_seconds)))
            busy = problem_response(
                Busy.status, Busy.slug, Busy.title,
                _("Too many changes are waiting; nothing was written. Retry in {seconds} s.")
                .format(seconds=retry),
                Request(scope), headers={"Retry-After": retry},
            )  # fmt: skip
            await busy(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            slots.release()
