"""The single-flight slot: one load at a time, the others served or waiting, never empty."""

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

import pytest

from newretail.cloudstore.cache import Slot

Load = Callable[[], tuple[str, float, float]]


class Gate:
    """A load that blocks until released, counting how often it ran."""

    def __init__(self, value: str, fresh_until: float = 10.0, usable_until: float = 20.0) -> None:
        self.value = value
        self.fresh_until = fresh_until
        self.usable_until = usable_until
        self.started = threading.Event()
        self.release = threading.Event()
        self.calls = 0
        self.error: Exception | None = None

    def __call__(self) -> tuple[str, float, float]:
        self.calls += 1
        self.started.set()
        assert self.release.wait(10)
        if self.error is not None:
            raise self.error
        return self.value, self.fresh_until, self.usable_until


def loaded(value: str, fresh_until: float = 10.0, usable_until: float = 20.0) -> Load:
    return lambda: (value, fresh_until, usable_until)


def in_thread(pool: ThreadPoolExecutor, slot: Slot[str], load: Load, now: float) -> "Future[str]":
    return pool.submit(slot.get, load, now)


def test_concurrent_first_readers_share_one_load() -> None:
    slot: Slot[str] = Slot()
    gate = Gate("v1")
    with ThreadPoolExecutor(8) as pool:
        first = in_thread(pool, slot, gate, 0.0)
        assert gate.started.wait(10)
        others = [in_thread(pool, slot, gate, 0.0) for _ in range(7)]
        gate.release.set()
        results = [first.result(10)] + [f.result(10) for f in others]
    assert results == ["v1"] * 8
    assert gate.calls == 1


def test_a_fresh_value_is_served_without_loading() -> None:
    slot: Slot[str] = Slot()
    slot.get(loaded("v1"), 0.0)
    assert slot.get(lambda: pytest.fail("loaded again"), 9.9) == "v1"
    assert slot.fresh(9.9) == "v1"
    assert slot.fresh(10.0) is None


def test_while_one_refreshes_a_usable_value_is_served_to_the_others() -> None:
    slot: Slot[str] = Slot()
    slot.get(loaded("v1", fresh_until=10.0, usable_until=20.0), 0.0)
    gate = Gate("v2", fresh_until=40.0, usable_until=50.0)
    with ThreadPoolExecutor(2) as pool:
        refreshing = in_thread(pool, slot, gate, 15.0)
        assert gate.started.wait(10)
        assert slot.get(lambda: pytest.fail("a second load"), 15.0) == "v1"
        gate.release.set()
        assert refreshing.result(10) == "v2"
    assert slot.get(lambda: pytest.fail("loaded again"), 15.0) == "v2"


def test_past_its_usable_time_the_others_wait_for_the_refresh() -> None:
    slot: Slot[str] = Slot()
    slot.get(loaded("v1", fresh_until=10.0, usable_until=20.0), 0.0)
    gate = Gate("v2", fresh_until=40.0, usable_until=50.0)
    with ThreadPoolExecutor(2) as pool:
        refreshing = in_thread(pool, slot, gate, 25.0)
        assert gate.started.wait(10)
        waiting = in_thread(pool, slot, gate, 25.0)
        assert not waiting.done()
        gate.release.set()
        assert (refreshing.result(10), waiting.result(10)) == ("v2", "v2")
    assert gate.calls == 1


def test_a_failed_load_fails_everyone_waiting_and_the_next_caller_retries() -> None:
    slot: Slot[str] = Slot()
    gate = Gate("never")
    gate.error = RuntimeError("the database is down")
    with ThreadPoolExecutor(2) as pool:
        first = in_thread(pool, slot, gate, 0.0)
        assert gate.started.wait(10)
        second = in_thread(pool, slot, gate, 0.0)
        gate.release.set()
        for future in (first, second):
            with pytest.raises(RuntimeError, match="down"):
                future.result(10)
    assert slot.current() is None
    assert slot.get(loaded("v1"), 1.0) == "v1"


def test_a_failed_refresh_keeps_the_old_value_for_those_it_may_still_serve() -> None:
    slot: Slot[str] = Slot()
    slot.get(loaded("v1", fresh_until=10.0, usable_until=20.0), 0.0)
    with pytest.raises(RuntimeError):
        slot.get(lambda: (_ for _ in ()).throw(RuntimeError("down")), 12.0)
    assert slot.current() == "v1"
    assert slot.fresh(12.0) is None


def test_an_invalidated_value_is_loaded_again_and_served_meanwhile() -> None:
    slot: Slot[str] = Slot()
    slot.get(loaded("v1"), 0.0)
    slot.invalidate()
    assert slot.fresh(1.0) is None
    gate = Gate("v2")
    with ThreadPoolExecutor(1) as pool:
        refreshing = in_thread(pool, slot, gate, 1.0)
        assert gate.started.wait(10)
        assert slot.get(lambda: pytest.fail("a second load"), 1.0) == "v1"
        gate.release.set()
        assert refreshing.result(10) == "v2"


def test_a_load_overtaken_by_an_invalidation_is_not_kept_fresh() -> None:
    slot: Slot[str] = Slot()
    gate = Gate("read before the change")
    with ThreadPoolExecutor(1) as pool:
        loading = in_thread(pool, slot, gate, 0.0)
        assert gate.started.wait(10)
        slot.invalidate()
        gate.release.set()
        assert loading.result(10) == "read before the change"
    assert slot.fresh(1.0) is None
    assert slot.get(loaded("read after the change"), 1.0) == "read after the change"


def test_what_can_be_served_without_waiting() -> None:
    slot: Slot[str] = Slot()
    assert slot.servable(0.0) is None
    slot.get(loaded("v1", fresh_until=10.0, usable_until=20.0), 0.0)
    assert slot.servable(5.0) == "v1"
    assert slot.servable(15.0) is None  # stale, and nobody is refreshing it
    gate = Gate("v2", fresh_until=40.0, usable_until=50.0)
    with ThreadPoolExecutor(1) as pool:
        refreshing = in_thread(pool, slot, gate, 15.0)
        assert gate.started.wait(10)
        assert slot.servable(15.0) == "v1"  # while it is refreshed
        assert slot.servable(25.0) is None  # but no longer usable
        gate.release.set()
        refreshing.result(10)
    assert slot.servable(25.0) == "v2"
