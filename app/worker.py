"""``kredo worker``: the one worker for the outboxes (reminders, webhook deliveries). Safe to run
as several processes on PostgreSQL (endpoints are claimed with ``FOR UPDATE SKIP LOCKED`` and
leased); one at a time on SQLite (a lock file next to the database). SIGTERM or SIGINT let
the delivery under way finish and record, then it stops; killed outright, it loses nothing:
what it had not recorded is sent again (at least once)."""

import fcntl
import logging
import signal
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import httpx
from sqlalchemy.engine import make_url

from app.core.clock import utcnow
from app.core.database import Database
from app.core.settings import Settings, get_settings
from app.reminders import service as reminders
from app.webhooks import service as webhooks

log = logging.getLogger("kredo.worker")


def run_once(
    database: Database,
    client: httpx.Client,
    now: Callable[[], datetime] = utcnow,
    stopping: Callable[[], bool] = lambda: False,
    settings: Settings | None = None,
) -> int:
    """One round: today's reminders planned (once a day) and a batch of those due sent, then every
    webhook endpoint free to claim worked once. Gives the messages sent and deliveries made."""
    outlets = reminders.Outlets.of(settings or get_settings())
    delivered = reminders.work(database, client, outlets, now, stopping)
    seen: set[int] = set()
    while not stopping():
        endpoint_id = webhooks.claim(database, now(), skip=seen)
        if endpoint_id is None:
            break
        seen.add(endpoint_id)
        try:
            delivered += webhooks.work_endpoint(database, endpoint_id, client, now, stopping)
        finally:
            webhooks.release(database, endpoint_id)
    return delivered


def is_sqlite(database_url: str) -> bool:
    return make_url(database_url).drivername.startswith("sqlite")


def sqlite_lock(database_url: str) -> IO[Any] | None:
    """The lock that keeps a second worker off a SQLite database (``None``: another worker
    holds it); kept while the worker runs."""
    url = make_url(database_url)
    database = Path(url.database or "kredo.db").resolve()
    path = database.with_name(database.name + ".worker-lock")
    handle = path.open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


def run(database: Database, poll_seconds: float = 1.0) -> None:
    """Until SIGTERM or SIGINT: a round, then a pause when there was nothing to send."""
    stop = threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        log.info("worker stopping (signal %s)", signum)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    with httpx.Client() as client:
        while not stop.is_set():
            try:
                done = run_once(database, client, stopping=stop.is_set)
            except Exception:  # a database hiccup: logged, and the next round tries again
                log.exception("worker round failed")
                done = 0
            if done == 0:
                stop.wait(poll_seconds)
