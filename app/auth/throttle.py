"""A guard against guessing keys: failed authentications are counted per client address and
per key prefix in a sliding window, and past the allowance a caller is answered 429 without
his key being looked at. Successful authentications are never counted.

In-process, one per app (``app.state.auth_throttle``); several workers each count their own.
"""

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable


class FailedAuthThrottle:
    def __init__(
        self,
        allowed: int,
        window_seconds: float,
        *,
        tracked: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.allowed = allowed
        self.window = window_seconds
        # At most this many addresses and prefixes are remembered, those that failed longest
        # ago forgotten first, so a guesser spraying prefixes cannot grow memory without end.
        self.tracked = tracked
        self._clock = clock
        self._lock = threading.Lock()
        # Per address or prefix, the times of its newest failures (no more than ``allowed``:
        # older ones can no longer hold anyone back), least recently failed first.
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._failures)

    def retry_after(self, keys: Iterable[str]) -> int:
        """Whole seconds until every one of ``keys`` is under its allowance again; 0: now."""
        now = self._clock()
        wait = 0.0
        with self._lock:
            for key in keys:
                times = self._failures.get(key)
                if times is None:
                    continue
                self._expire(key, times, now)
                if len(times) >= self.allowed:
                    # Free again when the oldest failure still counted leaves the window.
                    wait = max(wait, times[0] + self.window - now)
        return math.ceil(wait)

    def failed(self, keys: Iterable[str]) -> None:
        now = self._clock()
        with self._lock:
            for key in keys:
                times = self._failures.pop(key, None) or deque(maxlen=self.allowed)
                times.append(now)
                self._failures[key] = times
            while len(self._failures) > self.tracked:
                self._failures.popitem(last=False)

    def reset(self) -> None:
        with self._lock:
            self._failures.clear()

    def _expire(self, key: str, times: deque[float], now: float) -> None:
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
