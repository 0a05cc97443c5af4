"""A cached value refreshed by one caller at a time (single flight), for this process only.

A ``Slot`` holds one value with two deadlines: until ``fresh_until`` it is served as it
is; after that the first caller refreshes it while the others are served the value they
would have had, as long as it is still *usable* (``usable_until``). Once it is not, or
before the first load, the others wait for the refresh under way and share its result,
or its exception: nobody is served an empty answer for an error.

``invalidate`` (an event said the value changed) ends freshness at once but keeps the
value usable while it is reloaded. A load that was under way when the slot was
invalidated may have read the old state: its result is handed to whoever waited for it,
but kept as stale, so the next caller loads again.
"""

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Generic, TypeVar

V = TypeVar("V")
NEVER = -float("inf")


class Slot(Generic[V]):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value: V | None = None
        self._fresh_until = NEVER
        self._usable_until = NEVER
        self._version = 0
        self._flight: Future[V] | None = None

    def fresh(self, now: float) -> V | None:
        """The value if it may be served without asking anyone; never waits."""
        value = self._value
        return value if value is not None and now < self._fresh_until else None

    def servable(self, now: float) -> V | None:
        """What ``get`` would serve at once without loading or waiting, else None: the fresh
        value, or the usable one while another caller refreshes it."""
        value = self._value
        if value is None:
            return None
        if now < self._fresh_until:
            return value
        return value if self._flight is not None and now < self._usable_until else None

    def current(self) -> V | None:
        """The value as it is, fresh or not (None before the first load)."""
        return self._value

    def get(self, load: Callable[[], tuple[V, float, float]], now: float) -> V:
        """The value; ``load`` returns (value, fresh until, usable until) on the same clock."""
        with self._lock:
            value = self._value
            if value is not None and now < self._fresh_until:
                return value
            flight = self._flight
            if flight is not None and value is not None and now < self._usable_until:
                return value
            leader = flight is None
            if leader:
                flight = self._flight = Future()
                version = self._version
        assert flight is not None
        if not leader:
            return flight.result()
        return self._fly(flight, version, load)

    def _fly(
        self, flight: "Future[V]", version: int, load: Callable[[], tuple[V, float, float]]
    ) -> V:
        try:
            value, fresh_until, usable_until = load()
        except BaseException as exc:
            with self._lock:
                self._flight = None
            flight.set_exception(exc)
            raise
        with self._lock:
            self._flight = None
            self._value = value
            self._fresh_until = fresh_until if version == self._version else NEVER
            self._usable_until = usable_until
        flight.set_result(value)
        return value

    def put(self, value: V, fresh_until: float, usable_until: float) -> None:
        """Set the value from outside (a load of something larger brought it along)."""
        with self._lock:
            self._value = value
            self._fresh_until = fresh_until
            self._usable_until = usable_until

    def invalidate(self) -> None:
        with self._lock:
            self._version += 1
            self._fresh_until = NEVER
