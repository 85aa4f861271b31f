"""An injectable clock for tests of code that stamps times."""

from __future__ import annotations

import datetime as dt


class TickingClock:
    """A deterministic clock: one second later on every call."""

    def __init__(self) -> None:
        self.now = dt.datetime(2024, 3, 1, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(seconds=1)
        return self.now
