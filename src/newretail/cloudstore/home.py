"""The cloud store home page: read in one session, kept in two parts, put together per request.

    shared part    the store, guides, activities, the shelves' cards and the locations
                   the store can sell from: the same for everyone, cached per store
                   (``homecache``) until an event says it changed or time moves it on
    stock          units of the shelves' SKUs here and at those locations: one query,
                   read again within ``STOCK_FRESH_SECONDS``
    per member     the signed-in member's own part (``MEMBER_SECTIONS``): read for each
                   request, never cached, never shown to anyone else

Sections a later capability adds: ``SECTIONS.add(name, reader)`` for a shared one (cached
with the rest), ``MEMBER_SECTIONS.add(name, reader)`` for a member's own. A reader gets
the page's session and its ``HomeContext`` (a member reader also the member's scope) and
returns its data; a shared reader whose data changes at a known time by itself returns
``Timed(data, changes_at)``. Database errors are not caught: a page is whole or it fails.
"""

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy.orm import Session

from newretail.cloudstore import admin, benefits, sections, stores
from newretail.cloudstore.sections import Activities, HomeContext, Shelves
from newretail.kernel.scope import Scope
from newretail.org import service as org_service

SHARED_MAX_AGE = timedelta(seconds=60)
Reader = Callable[[Session, HomeContext], Any]
MemberReader = Callable[[Session, HomeContext, Scope], Any]
R = TypeVar("R", Reader, MemberReader)
BUILT_IN = ("store", "guides", "activities", "best_sellers", "featured")


class Registry(Generic[R]):
    """Sections by name, in display order; a name is registered once."""

    def __init__(self, readers: Mapping[str, R] | None = None) -> None:
        self._readers: dict[str, R] = dict(readers or {})

    def add(self, name: str, reader: R) -> None:
        if name in self._readers or name in BUILT_IN:
            raise ValueError(f"a home section named {name!r} is already registered")
        self._readers[name] = reader

    def copy(self) -> "Registry[R]":
        return Registry(self._readers)

    def names(self) -> list[str]:
        return list(self._readers)

    def items(self) -> Iterator[tuple[str, R]]:
        return iter(list(self._readers.items()))


SECTIONS: Registry[Reader] = Registry()
MEMBER_SECTIONS: Registry[MemberReader] = Registry({"member": benefits.member_card})


@dataclass(frozen=True)
class Timed:
    """A shared section's data and when time alone changes it next (None: it does not)."""

    data: Any
    changes_at: datetime | None


@dataclass(frozen=True)
class Shared:
    """The part of a store's home page that is the same for everyone."""

    context: HomeContext
    guides: list[dict[str, Any]]
    activities: Activities
    shelves: Shelves
    candidates: list[org_service.Location]
    extra: dict[str, Any]
    distances: stores.Distances = field(compare=False)
    extra_changes_at: datetime | None = None

    @property
    def valid_until(self) -> datetime:
        """When time alone makes this out of date: an activity starts or ends, or it is old."""
        moments = [self.activities.changes_at, self.extra_changes_at]
        return min([self.context.now + SHARED_MAX_AGE, *(m for m in moments if m is not None)])


@dataclass(frozen=True)
class Stock:
    """The shelves as shown, with the stock read at ``read_at``."""

    best_sellers: list[dict[str, Any]]
    featured: list[dict[str, Any]]
    read_at: datetime


def read_shared(
    *, session: Session, code: str, now: datetime, extra: Registry[Reader] = SECTIONS
) -> Shared:
    """Everything but the stock; ``CloudStoreNotFound`` for no such cloud store."""
    store = stores.get_cloud_store(session=session, code=code)
    policy = admin.policy_for(session=session, brand_id=store.brand_id)
    context = HomeContext(store=store, policy=policy, now=now)
    found = {name: reader(session, context) for name, reader in extra.items()}
    moments = [x.changes_at for x in found.values() if isinstance(x, Timed) and x.changes_at]
    return Shared(
        context=context,
        guides=sections.guides_on_duty(session, context),
        activities=sections.activities(session, context),
        shelves=sections.shelves(session, context),
        candidates=sections.source_candidates(session, context),
        extra={name: x.data if isinstance(x, Timed) else x for name, x in found.items()},
        distances=stores.Distances(store, policy),
        extra_changes_at=min(moments, default=None),
    )


def read_stock(*, session: Session, shared: Shared, now: datetime) -> Stock:
    """The shelves with the stock as it is now (one query)."""
    store = shared.context.store
    units = sections.stock_units(
        session=session,
        store=store,
        candidates=shared.candidates,
        sku_ids=shared.shelves.sku_ids,
    )

    def finish(cards: list[Any]) -> list[dict[str, Any]]:
        return sections.finish_cards(
            cards,
            store=store,
            distances=shared.distances,
            candidates=shared.candidates,
            units=units,
        )

    return Stock(finish(shared.shelves.best_sellers), finish(shared.shelves.featured), now)


def read_member(
    *, session: Session | None, shared: Shared, member: Scope | None, now: datetime
) -> dict[str, Any]:
    """The member's own sections: None for each when nobody is signed in (no session then)."""
    if member is None or session is None:
        return {name: None for name in MEMBER_SECTIONS.names()}
    context = HomeContext(store=shared.context.store, policy=shared.context.policy, now=now)
    return {name: reader(session, context, member) for name, reader in MEMBER_SECTIONS.items()}


@dataclass(frozen=True)
class Home:
    """One home page as served: its store, policy and time, and each section's data."""

    context: HomeContext
    sections: dict[str, Any]


def compose(shared: Shared, stock: Stock, personal: Mapping[str, Any], now: datetime) -> Home:
    """The page at ``now`` from its parts; what depends on the time is worked out here."""
    context = shared.context
    store = context.store
    return Home(
        context=HomeContext(store=store, policy=context.policy, now=now),
        sections={
            "store": sections.store_card(store, now),
            "guides": shared.guides,
            "activities": shared.activities.shown(now),
            "best_sellers": stock.best_sellers,
            "featured": stock.featured,
            **shared.extra,
            **personal,
        },
    )
