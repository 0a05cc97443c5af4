"""What one process remembers about callers, so a request need not rebuild its scope.

A staff member's scope takes up to six queries to build (the account and its roles, the
brand, the region subtree, its stores); an API key two. Each is kept per ``Database`` for
``auth_cache_seconds``. A transaction of this process that changes staff, roles, API keys,
brands, regions or stores empties the cache when it commits, so such a change applies here
at once; another process's cache lets its entries run out, so there it applies within the
bound. A build that started before such a commit is not kept (``generation``).
"""

import threading
import time
from collections.abc import Callable, Hashable
from itertools import chain
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, UOWTransaction

from newretail.config import get_settings
from newretail.db import Database, database_of

# Tables whose rows decide what a caller may see; a change to any of them empties the cache.
SCOPE_TABLES = frozenset({"staff", "role_assignment", "api_key", "brand", "region", "store"})
MAX_ENTRIES = 10_000
_LOCAL_KEY = "newretail.auth.scopes"
_CHANGED = "newretail.auth.scope_tables_changed"


class ScopeCache:
    """A bounded map whose entries expire ``ttl_seconds`` after they were put."""

    def __init__(
        self,
        *,
        ttl_seconds: float,
        max_entries: int = MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self._clock = clock
        self._entries: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()
        self.generation = 0

    def get(self, key: Hashable) -> Any | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires_at, value = entry
        if expires_at <= self._clock():
            with self._lock:
                if self._entries.get(key) is entry:
                    del self._entries[key]
            return None
        return value

    def put(self, key: Hashable, value: Any, *, generation: int) -> None:
        """Keep ``value`` unless the cache was cleared since ``generation`` was read."""
        if self.ttl_seconds <= 0:
            return
        with self._lock:
            if generation != self.generation:
                return
            if key not in self._entries and len(self._entries) >= self.max_entries:
                del self._entries[next(iter(self._entries))]  # the oldest
            self._entries[key] = (self._clock() + self.ttl_seconds, value)

    def clear(self) -> None:
        with self._lock:
            self.generation += 1
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def cache_of(database: Database | None, *, ttl_seconds: float | None = None) -> ScopeCache | None:
    """The scope cache of ``database`` in this process, made on first use with
    ``ttl_seconds`` (default: the ``auth_cache_seconds`` setting)."""
    if database is None:
        return None
    cache = database.local.get(_LOCAL_KEY)
    if cache is None:
        ttl = get_settings().auth_cache_seconds if ttl_seconds is None else ttl_seconds
        cache = database.local.setdefault(_LOCAL_KEY, ScopeCache(ttl_seconds=ttl))
    assert isinstance(cache, ScopeCache)
    return cache


def install(database: Database, cache: ScopeCache) -> None:
    """Use ``cache`` for ``database`` in this process (tests give it their own clock)."""
    database.local[_LOCAL_KEY] = cache


@event.listens_for(Session, "after_flush")
def _note_scope_changes(session: Session, _flush: UOWTransaction) -> None:
    if session.info.get(_CHANGED):
        return
    for instance in chain(session.new, session.dirty, session.deleted):
        if getattr(instance, "__tablename__", None) in SCOPE_TABLES:
            session.info[_CHANGED] = True
            return


@event.listens_for(Session, "after_commit")
def _forget_after_commit(session: Session) -> None:
    if not session.info.pop(_CHANGED, False):
        return
    database = database_of(session)
    cache = database.local.get(_LOCAL_KEY) if database is not None else None
    if isinstance(cache, ScopeCache):
        cache.clear()
