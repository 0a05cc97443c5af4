"""Stores the public can visit, found by code or near a point; a brand's locations near a store.

A public store is an open store (not a warehouse) of a live brand. Searches read the
``store (lat, lng)`` index through a bounding box first, rank what falls in it by
geodesic distance lazily (``geo.nearest_first``), and load full rows only for the nearest,
a chunk at a time.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import islice
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.orm import Session

from newretail.db import utcnow
from newretail.org import errors, geo
from newretail.org.models import Brand, Store
from newretail.org.rules import StoreStatus, StoreType, is_open_at

MAX_NEARBY = 100

# (brand id, store ids) -> units of something available in each store
StockLookup = Callable[[int, Sequence[int]], Mapping[int, int]]


@dataclass(frozen=True)
class PublicStore:
    """A store as the public sees it; a plain value, safe to keep and to share."""

    id: int
    brand_id: int
    region_id: int
    code: str
    name: str
    type: str
    address: str
    city: str
    lat: float
    lng: float
    timezone: str
    opening_hours: dict[str, list[list[str]]]
    brand_code: str
    brand_name: str
    currency: str

    def open_at(self, at: datetime) -> bool:
        return is_open_at(self.opening_hours, self.timezone, at)


_COLUMNS = (
    Store.id,
    Store.brand_id,
    Store.region_id,
    Store.code,
    Store.name,
    Store.type,
    Store.address,
    Store.city,
    Store.lat,
    Store.lng,
    Store.timezone,
    Store.opening_hours,
    Brand.code,
    Brand.name,
    Brand.currency,
)


def public_stores_query(*extra: Any) -> Select[Any]:
    """Every public store's columns (then ``extra``, e.g. an outer-joined setting)."""
    return (
        select(*_COLUMNS, *extra)
        .join(Brand, Brand.id == Store.brand_id)
        .where(
            Brand.deleted_at.is_(None),
            Store.status == StoreStatus.OPEN.value,
            Store.type != StoreType.WAREHOUSE.value,
        )
    )


def public_store_of(row: Sequence[Any]) -> PublicStore:
    """The ``PublicStore`` in the first columns of a ``public_stores_query`` row."""
    (id_, brand_id, region_id, code, name, type_, address, city, lat, lng, tz, hours,
     brand_code, brand_name, currency) = row[: len(_COLUMNS)]  # fmt: skip
    return PublicStore(
        id=id_,
        brand_id=brand_id,
        region_id=region_id,
        code=code,
        name=name,
        type=type_,
        address=address,
        city=city,
        lat=lat,
        lng=lng,
        timezone=tz,
        opening_hours=hours or {},
        brand_code=brand_code,
        brand_name=brand_name,
        currency=currency,
    )


def by_codes(brand_code: str, store_code: str) -> ColumnElement[bool]:
    return and_(Brand.code == brand_code, Store.code == store_code)


def public_store(*, session: Session, brand_code: str, store_code: str) -> PublicStore | None:
    row = session.execute(public_stores_query().where(by_codes(brand_code, store_code))).first()
    return None if row is None else public_store_of(row)


def _in_box(box: geo.BoundingBox) -> ColumnElement[bool]:
    lng_clauses = [Store.lng.between(low, high) for low, high in box.lng_ranges]
    return and_(Store.lat.between(box.lat_min, box.lat_max), or_(*lng_clauses))


# ---- stores near a point --------------------------------------------------------------


@dataclass(frozen=True)
class NearbyStore:
    store: PublicStore
    distance_km: float
    open_now: bool
    available: int | None = None


def check_query(lat: float, lng: float, radius_km: float) -> None:
    problem = geo.coordinates_problem(lat, lng)
    if problem:
        raise errors.InvalidCoordinates(problem)
    problem = geo.radius_problem(radius_km)
    if problem:
        raise errors.InvalidRadius(problem)


def nearby_stores(
    *,
    session: Session,
    lat: float,
    lng: float,
    radius_km: float,
    brand_code: str | None = None,
    open_now: bool = False,
    stock: StockLookup | None = None,
    limit: int = 20,
    now: datetime | None = None,
) -> list[NearbyStore]:
    """Public stores within ``radius_km`` (geodesic) of (lat, lng), nearest first, ties by id.

    ``open_now`` keeps stores open at ``now`` in their own timezone; ``stock`` (with a
    brand) keeps stores it finds at least one unit in, and says how many.
    """
    check_query(lat, lng, radius_km)
    query = public_stores_query().with_only_columns(Store.id, Store.lat, Store.lng)
    query = query.where(_in_box(geo.bounding_box(lat, lng, radius_km)))
    if brand_code is not None:
        query = query.where(Brand.code == brand_code)
    points = [geo.Point(id_, p_lat, p_lng) for id_, p_lat, p_lng in session.execute(query)]
    ranked = geo.nearest_first(lat, lng, points, radius_km)
    limit = max(1, min(limit, MAX_NEARBY))
    chunk = limit if not open_now and stock is None else 4 * limit
    found: list[NearbyStore] = []
    while len(found) < limit:
        part = list(islice(ranked, chunk))
        if not part:
            break
        found += _filtered(session, part, open_now, stock, now or utcnow())
    return found[:limit]


def _filtered(
    session: Session,
    ranked: list[tuple[float, geo.Point]],
    open_now: bool,
    stock: StockLookup | None,
    now: datetime,
) -> list[NearbyStore]:
    """Full rows for ``ranked`` (in its order), less those the filters leave out."""
    ids = [p.id for _, p in ranked]
    rows = session.execute(public_stores_query().where(Store.id.in_(ids)))
    stores = {row[0]: public_store_of(row) for row in rows}
    found = [
        NearbyStore(stores[p.id], round(d, 3), stores[p.id].open_at(now))
        for d, p in ranked
        if p.id in stores
    ]
    if open_now:
        found = [n for n in found if n.open_now]
    if stock is None or not found:
        return found
    units = stock(found[0].store.brand_id, [n.store.id for n in found])
    return [replace(n, available=units[n.store.id]) for n in found if units[n.store.id] > 0]


# ---- a brand's other locations --------------------------------------------------------


@dataclass(frozen=True)
class Location:
    """Another open location of a brand, with its distance from where the search began."""

    id: int
    code: str
    name: str
    lat: float
    lng: float
    is_warehouse: bool
    rough_km: float

    @property
    def point(self) -> geo.Point:
        return geo.Point(self.id, self.lat, self.lng)


def other_locations(
    *,
    session: Session,
    brand_id: int,
    besides: int,
    lat: float,
    lng: float,
    stores: bool,
    stores_within_km: float | None,
    warehouses: bool,
    max_stores: int,
    max_warehouses: int,
) -> list[Location]:
    """The brand's open locations but ``besides``: stores (within ``stores_within_km`` of
    (lat, lng), if given) and warehouses.

    In one query; each kind capped to the nearest few (by rough distance), nearest first.
    """
    kinds: list[ColumnElement[bool]] = []
    if stores:
        store_kind = Store.type != StoreType.WAREHOUSE.value
        if stores_within_km is not None:
            box = geo.bounding_box(lat, lng, stores_within_km)
            store_kind = and_(store_kind, _in_box(box))
        kinds.append(store_kind)
    if warehouses:
        kinds.append(Store.type == StoreType.WAREHOUSE.value)
    if not kinds:
        return []
    query = select(Store.id, Store.code, Store.name, Store.lat, Store.lng, Store.type).where(
        Store.brand_id == brand_id,
        Store.status == StoreStatus.OPEN.value,
        Store.id != besides,
        or_(*kinds),
    )
    found = [
        Location(
            id_,
            code,
            name,
            there_lat,
            there_lng,
            type_ == StoreType.WAREHOUSE.value,
            geo.rough_km(lat, lng, there_lat, there_lng),
        )
        for id_, code, name, there_lat, there_lng, type_ in session.execute(query)
    ]
    found.sort(key=lambda location: (location.rough_km, location.id))
    kept_stores = [x for x in found if not x.is_warehouse][:max_stores]
    kept_warehouses = [x for x in found if x.is_warehouse][:max_warehouses]
    return kept_stores + kept_warehouses
