"""The home page cache of this process: per store, refreshed in single flight, told by events.

For each store (by public code) a ``Slot`` holds the shared part of its page, and with it a
slot for its stock:

    shared part   fresh until an event of the store's brand says something it shows
                  changed (``INVALIDATED_BY``), an activity starts or ends, or it is
                  ``SHARED_MAX_AGE`` old (for changes that send no event)
    stock         fresh for ``STOCK_FRESH_SECONDS``, then refreshed by one request while
                  the others are served it, until it is ``STOCK_MAX_AGE_SECONDS`` old:
                  a page never shows stock older than that

Events reach every process through its ``EventFollower`` (one indexed query a second at
most). A page served from the cache costs no query; the member's own part is read for
each request (``home.read_member``) and never cached.
"""

import threading
import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy.orm import Session

from newretail.cloudstore import errors
from newretail.cloudstore.cache import Slot
from newretail.cloudstore.home import (
    SECTIONS,
    Home,
    Reader,
    Registry,
    Shared,
    Stock,
    compose,
    read_member,
    read_shared,
    read_stock,
)
from newretail.db import Database, utcnow
from newretail.kernel.scope import Scope
from newretail.outbox import follow

R = TypeVar("R")
Caller = Callable[[Session], Scope | None]  # who is asking, found in the given session
STOCK_FRESH_SECONDS = 1.0
STOCK_MAX_AGE_SECONDS = 2.0
# Event types (by prefix) of changes a home page shows; orders and reservations move only
# the stock, which is read again every second anyway.
INVALIDATED_BY = (
    "brand.",
    "store.",
    "region.",
    "staff.",
    "catalog.",
    "category.",
    "product.",
    "sku.",
    "offer.",
    "cloudstore.",
    "coupon.",
    "presale.",
    "promotion.",
)


@dataclass(frozen=True)
class Loaded:
    """A shared part and the slot of the stock read for it."""

    shared: Shared
    stock: Slot[Stock]


class Entry:
    def __init__(self) -> None:
        self.slot: Slot[Loaded] = Slot()
        self.brand_id: int | None = None
        self.rendered: Rendered | None = None


@dataclass(frozen=True)
class Rendered:
    """The anonymous page as last rendered, and what it was rendered from."""

    render: object
    loaded: Loaded
    stock: Stock
    minute: int
    value: Any

    def of(self, render: object, loaded: Loaded, stock: Stock, minute: int) -> bool:
        same = self.render is render and self.loaded is loaded and self.stock is stock
        return same and self.minute == minute


def _minute(at: datetime) -> int:
    """Opening hours are in whole minutes: the store card is the same all minute long."""
    return int(at.timestamp() // 60)


class HomeCache:
    """Home pages of one database's stores, as this process last read them."""

    def __init__(
        self,
        database: Database,
        *,
        follower: follow.EventFollower,
        extra: Registry[Reader] = SECTIONS,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.database = database
        self.follower = follower
        self.extra = extra
        self.clock = clock
        self.wall_clock = wall_clock
        self._entries: dict[str, Entry] = {}
        self._lock = threading.Lock()
        follower.listen(self._on_events, self.invalidate_all)

    def home(self, *, code: str, caller: Caller | None = None) -> Home:
        """The page of cloud store ``code``; ``CloudStoreNotFound`` for no such store.

        ``caller`` names the member in a session of its own, opened for the member's part
        only once the shared parts are at hand (a request never holds two connections).
        """
        self.follower.catch_up()
        _, loaded = self._loaded(code)
        stock = loaded.stock.get(lambda: self._read_stock(loaded.shared), self.clock())
        now = self.wall_clock()
        if caller is None:
            personal = read_member(session=None, shared=loaded.shared, member=None, now=now)
        else:
            with self.database.transaction(read_only=True) as session:
                member = caller(session)
                personal = read_member(
                    session=session, shared=loaded.shared, member=member, now=now
                )
        return compose(loaded.shared, stock, personal, now)

    def page(self, *, code: str, render: Callable[[Home], R]) -> R:
        """The anonymous page of ``code`` through ``render`` (say, into JSON), rendered again
        only when its parts or the minute changed."""
        self.follower.catch_up()
        entry, loaded = self._loaded(code)
        stock = loaded.stock.get(lambda: self._read_stock(loaded.shared), self.clock())
        return self._rendered(entry, loaded, stock, render)

    def ready_page(self, *, code: str, render: Callable[[Home], R]) -> R | None:
        """``page`` when it needs no database and no waiting (else None): for callers that
        must not block, such as an event loop. While another caller refreshes a part, it is
        served as ``page`` would serve it."""
        if self.follower.look_needed():
            return None
        entry = self._entries.get(code)
        now = self.clock()
        loaded = entry.slot.servable(now) if entry is not None else None
        if entry is None or loaded is None:
            return None
        stock = loaded.stock.servable(now)
        if stock is None:
            return None
        return self._rendered(entry, loaded, stock, render)

    def _rendered(
        self, entry: Entry, loaded: Loaded, stock: Stock, render: Callable[[Home], R]
    ) -> R:
        now = self.wall_clock()
        minute = _minute(now)
        last = entry.rendered
        if last is not None and last.of(render, loaded, stock, minute):
            return cast(R, last.value)
        personal = read_member(session=None, shared=loaded.shared, member=None, now=now)
        value = render(compose(loaded.shared, stock, personal, now))
        entry.rendered = Rendered(render, loaded, stock, minute, value)
        return value

    def _loaded(self, code: str) -> tuple[Entry, Loaded]:
        with self._lock:
            entry = self._entries.get(code)
            if entry is None:
                entry = self._entries[code] = Entry()
        try:
            return entry, entry.slot.get(lambda: self._read(entry, code), self.clock())
        except errors.CloudStoreNotFound:
            with self._lock:  # closed, deleted or never there: nothing is kept for it
                if self._entries.get(code) is entry:
                    del self._entries[code]
            raise

    def _read(self, entry: Entry, code: str) -> tuple[Loaded, float, float]:
        started, now = self.clock(), self.wall_clock()
        with self.database.transaction(read_only=True) as session:
            shared = read_shared(session=session, code=code, now=now, extra=self.extra)
            stock = read_stock(session=session, shared=shared, now=now)
        entry.brand_id = shared.context.store.brand_id
        slot: Slot[Stock] = Slot()
        slot.put(stock, started + STOCK_FRESH_SECONDS, started + STOCK_MAX_AGE_SECONDS)
        fresh_for = (shared.valid_until - now).total_seconds()
        return Loaded(shared, slot), started + fresh_for, float("inf")

    def _read_stock(self, shared: Shared) -> tuple[Stock, float, float]:
        started, now = self.clock(), self.wall_clock()
        with self.database.transaction(read_only=True) as session:
            stock = read_stock(session=session, shared=shared, now=now)
        return stock, started + STOCK_FRESH_SECONDS, started + STOCK_MAX_AGE_SECONDS

    def invalidate_all(self) -> None:
        for entry in self._snapshot():
            entry.slot.invalidate()

    def invalidate_brands(self, brand_ids: set[int | None]) -> None:
        if None in brand_ids:
            self.invalidate_all()
            return
        for entry in self._snapshot():
            if entry.brand_id is None or entry.brand_id in brand_ids:
                entry.slot.invalidate()

    def _snapshot(self) -> list[Entry]:
        with self._lock:
            return list(self._entries.values())

    def _on_events(self, events: Sequence[follow.Seen]) -> None:
        brands = {e.brand_id for e in events if e.type.startswith(INVALIDATED_BY)}
        if brands:
            self.invalidate_brands(brands)


_caches: "weakref.WeakKeyDictionary[Database, dict[str, HomeCache]]" = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


def home_cache(
    database: Database, *, name: str = "api", extra: Registry[Reader] = SECTIONS
) -> HomeCache:
    """This process's cache ``name`` of ``database``'s home pages (one per kind of page)."""
    with _caches_lock:
        by_name = _caches.setdefault(database, {})
        found = by_name.get(name)
        if found is None:
            follower = follow.follower_for(database)
            found = by_name[name] = HomeCache(database, follower=follower, extra=extra)
        return found
