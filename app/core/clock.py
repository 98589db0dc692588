"""The one clock: business dates are Asia/Jakarta dates, instants are aware UTC.

Everything that asks what time it is asks here. A batch that plays past days (the demo's year of
history) pins the clock to the day it plays, for its own context only (a context variable: other
requests and threads keep the wall clock).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

JAKARTA = ZoneInfo("Asia/Jakarta")

_pinned: ContextVar[datetime | None] = ContextVar("kredo_pinned_clock", default=None)


def utcnow() -> datetime:
    pinned = _pinned.get()
    return pinned if pinned is not None else datetime.now(UTC)


def now_jakarta() -> datetime:
    return utcnow().astimezone(JAKARTA)


def today_jakarta() -> date:
    return now_jakarta().date()


def start_of_day(day: date) -> datetime:
    """Midnight in Jakarta of ``day``, as an aware instant."""
    return datetime.combine(day, time.min, tzinfo=JAKARTA)


@contextmanager
def pinned_clock(instant: datetime) -> Iterator[None]:
    """Within the block, it is ``instant`` (aware) for this context."""
    if instant.tzinfo is None:
        raise ValueError("pinned_clock needs an aware instant")
    token = _pinned.set(instant.astimezone(UTC))
    try:
        yield
    finally:
        _pinned.reset(token)
