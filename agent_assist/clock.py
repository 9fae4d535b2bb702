"""Injectable clocks: the engine never reads the time itself."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]
"""Returns the current time, timezone-aware."""


def system_clock() -> datetime:
    """The wall clock, in UTC."""
    return datetime.now(UTC)


class FakeClock:
    """A clock that only moves when told to.

    >>> clock = FakeClock(datetime(2026, 11, 23, tzinfo=UTC))
    >>> clock.advance(timedelta(seconds=90)).isoformat()
    '2026-11-23T00:01:30+00:00'
    """

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> datetime:
        self.now += delta
        return self.now
