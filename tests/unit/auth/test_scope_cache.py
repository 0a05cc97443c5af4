"""The per-process scope cache: entries expire, stay bounded, and a clear beats a slow build."""

from newretail.auth.cache import ScopeCache


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_entry_is_served_until_its_time_is_up() -> None:
    clock = Clock()
    cache = ScopeCache(ttl_seconds=5, clock=clock)
    cache.put("staff", "scope", generation=cache.generation)

    clock.now += 4.9
    kept = cache.get("staff")
    clock.now += 0.1

    assert (kept, cache.get("staff")) == ("scope", None)


def test_a_build_that_began_before_a_clear_is_not_kept() -> None:
    cache = ScopeCache(ttl_seconds=5, clock=Clock())
    began_at = cache.generation

    cache.clear()
    cache.put("staff", "stale scope", generation=began_at)

    assert cache.get("staff") is None


def test_the_oldest_entry_makes_room_when_the_cache_is_full() -> None:
    cache = ScopeCache(ttl_seconds=5, max_entries=2, clock=Clock())
    for key in ("a", "b", "c"):
        cache.put(key, key.upper(), generation=cache.generation)

    assert [cache.get(key) for key in ("a", "b", "c")] == [None, "B", "C"]


def test_a_zero_lifetime_keeps_nothing() -> None:
    cache = ScopeCache(ttl_seconds=0, clock=Clock())

    cache.put("staff", "scope", generation=cache.generation)

    assert len(cache) == 0
