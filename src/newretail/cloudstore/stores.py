"""Finding cloud stores: by public code, near a point, and the locations a store can sell from.

Only open, non-warehouse stores of live brands have a cloud store. These reads go to the
organisation's tables directly (read-only, by indexed columns): a bounding box on
``store (lat, lng)`` first, the exact great-circle distance after.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.orm import Session

from newretail.cloudstore import errors, rules
from newretail.db import utcnow
from newretail.inventory import service as inventory_service
from newretail.org.models import Brand, Store
from newretail.org.rules import StoreStatus, StoreType, haversine_km, is_open_at

MAX_NEARBY = 100
MAX_SOURCE_STORES = 200
MAX_SOURCE_WAREHOUSES = 50


@dataclass(frozen=True)
class CloudStore:
    """A store as its cloud store shows it; a plain value, safe to hand to other threads."""

    id: int
    brand_id: int
    region_id: int
    code: str
    store_code: str
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


def _cloud_stores(*columns: Any) -> Select[Any]:
    return (
        select(*(columns or _COLUMNS))
        .join(Brand, Brand.id == Store.brand_id)
        .where(
            Brand.deleted_at.is_(None),
            Store.status == StoreStatus.OPEN.value,
            Store.type != StoreType.WAREHOUSE.value,
        )
    )


def _snapshot(row: Any) -> CloudStore:
    (id_, brand_id, region_id, code, name, type_, address, city, lat, lng, tz, hours,
     brand_code, brand_name, currency) = row  # fmt: skip
    return CloudStore(
        id=id_,
        brand_id=brand_id,
        region_id=region_id,
        code=rules.public_code(brand_code, code),
        store_code=code,
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


def get_cloud_store(*, session: Session, code: str) -> CloudStore:
    """The cloud store with public code ``{brand_code}.{store_code}``, else a 404."""
    parts = rules.split_public_code(code)
    if parts is None:
        raise errors.CloudStoreNotFound()
    brand_code, store_code = parts
    row = session.execute(
        _cloud_stores().where(Brand.code == brand_code, Store.code == store_code)
    ).first()
    if row is None:
        raise errors.CloudStoreNotFound()
    return _snapshot(row)


def _in_box(box: rules.BoundingBox) -> ColumnElement[bool]:
    lng_clauses = [Store.lng.between(low, high) for low, high in box.lng_ranges]
    return and_(Store.lat.between(box.lat_min, box.lat_max), or_(*lng_clauses))


@dataclass(frozen=True)
class NearbyStore:
    store: CloudStore
    distance_km: float
    open_now: bool
    available: int | None = None


def _check_query(lat: float, lng: float, radius_km: float) -> None:
    problem = rules.coordinates_problem(lat, lng)
    if problem:
        raise errors.InvalidCoordinates(problem)
    problem = rules.radius_problem(radius_km)
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
    sku_id: int | None = None,
    limit: int = 20,
    now: datetime | None = None,
) -> list[NearbyStore]:
    """Cloud stores within ``radius_km`` of (lat, lng), nearest first (ties by id).

    ``open_now`` keeps stores open at ``now`` in their own timezone; ``sku_id`` (with a
    brand) keeps stores with at least one unit of it available. Only ids and coordinates
    are read for the whole box; full rows only for the nearest, a chunk at a time.
    """
    _check_query(lat, lng, radius_km)
    if sku_id is not None and brand_code is None:
        raise errors.BrandRequired()
    query = _cloud_stores(Store.id, Store.lat, Store.lng).where(
        _in_box(rules.bounding_box(lat, lng, radius_km))
    )
    if brand_code is not None:
        query = query.where(Brand.code == brand_code)
    points = [rules.Point(id_, p_lat, p_lng) for id_, p_lat, p_lng in session.execute(query)]
    ranked = rules.within_radius(lat, lng, radius_km, points)
    limit = max(1, min(limit, MAX_NEARBY))
    chunk = limit if not open_now and sku_id is None else 4 * limit
    found: list[NearbyStore] = []
    for start in range(0, len(ranked), chunk):
        part = ranked[start : start + chunk]
        found += _filtered(session, part, open_now, sku_id, now or utcnow())
        if len(found) >= limit:
            break
    return found[:limit]


def _filtered(
    session: Session,
    ranked: list[tuple[float, rules.Point]],
    open_now: bool,
    sku_id: int | None,
    now: datetime,
) -> list[NearbyStore]:
    """Full rows for ``ranked`` (in its order), less those the filters leave out."""
    ids = [p.id for _, p in ranked]
    stores = {
        row[0]: _snapshot(row) for row in session.execute(_cloud_stores().where(Store.id.in_(ids)))
    }
    found = [NearbyStore(stores[p.id], round(d, 3), stores[p.id].open_at(now)) for d, p in ranked]
    if open_now:
        found = [n for n in found if n.open_now]
    if sku_id is None or not found:
        return found
    units = inventory_service.available(
        session=session,
        brand_id=found[0].store.brand_id,
        sku_ids=[sku_id],
        location_ids=[n.store.id for n in found],
    )
    return [
        replace(n, available=units[(n.store.id, sku_id)])
        for n in found
        if units[(n.store.id, sku_id)] > 0
    ]


# ---- where else a store can sell from --------------------------------------------------


Location = tuple[int, str, str, float, float]


def _locations(session: Session, query: Select[int, str, str, float, float]) -> list[Location]:
    return [(id_, code, name, lat, lng) for id_, code, name, lat, lng in session.execute(query)]


def source_candidates(
    *, session: Session, store: CloudStore, policy: rules.Policy
) -> list[rules.Candidate]:
    """Other locations the brand's policy lets ``store`` sell from, stock not yet known."""
    base = select(Store.id, Store.code, Store.name, Store.lat, Store.lng).where(
        Store.brand_id == store.brand_id,
        Store.status == StoreStatus.OPEN.value,
        Store.id != store.id,
    )
    candidates: list[rules.Candidate] = []
    if policy.store_sourcing is not rules.StoreSourcing.NONE:
        stores = base.where(Store.type != StoreType.WAREHOUSE.value)
        if policy.store_sourcing is rules.StoreSourcing.NEARBY:
            box = rules.bounding_box(store.lat, store.lng, policy.nearby_radius_km)
            stores = stores.where(_in_box(box))
        rows = _locations(session, stores)
        candidates += _nearest(store, rows, policy, False, MAX_SOURCE_STORES)
    if policy.warehouse_sourcing:
        rows = _locations(session, base.where(Store.type == StoreType.WAREHOUSE.value))
        candidates += _nearest(store, rows, policy, True, MAX_SOURCE_WAREHOUSES)
    return candidates


def _nearest(
    store: CloudStore,
    rows: Sequence[Location],
    policy: rules.Policy,
    warehouse: bool,
    cap: int,
) -> list[rules.Candidate]:
    found = []
    for id_, code, name, lat, lng in rows:
        distance = haversine_km(store.lat, store.lng, lat, lng)
        allowed = warehouse or rules.allows_store(
            policy.store_sourcing, policy.nearby_radius_km, distance
        )
        if allowed:
            shown = "" if warehouse else rules.public_code(store.brand_code, code)
            found.append(rules.Candidate(id_, shown, name, warehouse, distance, 0))
    found.sort(key=lambda c: (c.distance_km, c.location_id))
    return found[:cap]


def fulfilment(
    *, session: Session, store: CloudStore, policy: rules.Policy, sku_ids: Sequence[int]
) -> tuple[dict[int, int], dict[int, rules.Source]]:
    """Units available here per SKU, and where each SKU would come from (one stock query)."""
    if not sku_ids:
        return {}, {}
    candidates = source_candidates(session=session, store=store, policy=policy)
    units = inventory_service.available(
        session=session,
        brand_id=store.brand_id,
        sku_ids=sku_ids,
        location_ids=[store.id, *(c.location_id for c in candidates)],
    )
    here = {sku_id: units[(store.id, sku_id)] for sku_id in sku_ids}
    sources = {sku_id: _source(here[sku_id], candidates, units, sku_id) for sku_id in sku_ids}
    return here, sources


def _source(
    here: int, candidates: list[rules.Candidate], units: dict[tuple[int, int], int], sku_id: int
) -> rules.Source:
    if here > 0:  # the common case: no need to look at the other locations
        return rules.choose_source(here, [])
    stocked = [
        replace(c, available=units[(c.location_id, sku_id)])
        for c in candidates
        if units[(c.location_id, sku_id)] > 0
    ]
    return rules.choose_source(here, stocked)


def stocked_elsewhere(
    *, session: Session, store: CloudStore, policy: rules.Policy, sku_id: int
) -> list[rules.Candidate]:
    """Other locations the policy lets ``store`` sell from that hold ``sku_id``.

    Stores first, nearest first, then warehouses (the order ``choose_source`` prefers).
    """
    candidates = source_candidates(session=session, store=store, policy=policy)
    if not candidates:
        return []
    units = inventory_service.available(
        session=session,
        brand_id=store.brand_id,
        sku_ids=[sku_id],
        location_ids=[c.location_id for c in candidates],
    )
    stocked = [
        replace(c, available=units[(c.location_id, sku_id)])
        for c in candidates
        if units[(c.location_id, sku_id)] > 0
    ]
    return sorted(stocked, key=lambda c: (c.is_warehouse, c.distance_km, c.location_id))
